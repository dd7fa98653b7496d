//! A Rust panic must never leave a dead page: the hook shows a banner with a reset button.
//! With `panic = "abort"` the wasm instance stops after the hook, so the banner is plain DOM
//! built here (text only, never HTML), and "Reset" reloads the page without the scenario link.

use wasm_bindgen::JsCast;

/// Installs the panic hook. Call once, before the app renders.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::warn_1(&format!("kafka-playground panic: {message}").into());
        show(&message);
    }));
}

fn show(message: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let banner = document.create_element("div").ok()?;
    banner.set_class_name("banner");
    banner.set_attribute("role", "alert").ok()?;
    let title = document.create_element("strong").ok()?;
    title.set_text_content(Some("The playground stopped because of an internal error."));
    let detail = document.create_element("span").ok()?;
    detail.set_text_content(Some(&format!(" {message}")));
    let button = document.create_element("button").ok()?;
    button.set_text_content(Some("Reset the playground"));
    let on_click = wasm_bindgen::closure::Closure::<dyn Fn()>::new(|| {
        if let Some(window) = web_sys::window() {
            let location = window.location();
            let path = location.pathname().unwrap_or_else(|_| "/".into());
            let _ = location.assign(&path);
        }
    });
    button
        .dyn_ref::<web_sys::HtmlElement>()?
        .set_onclick(Some(on_click.as_ref().unchecked_ref()));
    on_click.forget();
    banner.append_child(&title).ok()?;
    banner.append_child(&detail).ok()?;
    banner.append_child(&button).ok()?;
    let body = document.body()?;
    body.insert_before(&banner, body.first_child().as_ref())
        .ok()?;
    Some(())
}
