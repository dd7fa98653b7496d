//! Embed mode: `?embed=1`, or running inside an iframe. Embeds never write browser storage and
//! never open dialogs (two embeds on one page share storage).

/// True when the page is embedded (query `embed=1` or framed by another page).
pub fn is_embedded() -> bool {
    let Some(window) = web_sys::window() else { return false };
    let query = window.location().search().unwrap_or_default();
    let flag = query.trim_start_matches('?').split('&').any(|kv| kv == "embed=1" || kv == "embed=true");
    let framed = match (window.top(), window.self_()) {
        (Ok(Some(top)), me) => !js_sys::Object::is(&top, &me),
        _ => false,
    };
    flag || framed
}
