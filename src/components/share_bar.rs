//! Sharing: copy the link (Ctrl/Cmd+S), the `<iframe>` snippet for course pages, download the
//! scenario as a file, open a scenario file. Links above 2,000 characters get a warning and the
//! file offer, since chat tools cut long URLs.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ShareBarProps {
    pub link: AttrValue,
    pub status: Option<AttrValue>,
    pub on_copy_link: Callback<()>,
    pub on_copy_embed: Callback<()>,
    pub on_download: Callback<()>,
    /// The text of an opened scenario file.
    pub on_open_file: Callback<String>,
}

#[function_component(ShareBar)]
pub fn share_bar(p: &ShareBarProps) -> Html {
    let too_long = kshare::exceeds_share_limit(&p.link);
    let on_file = {
        let cb = p.on_open_file.clone();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                crate::share::read_file(file, cb.clone());
            }
            input.set_value("");
        })
    };
    let click = |cb: &Callback<()>| {
        let cb = cb.clone();
        Callback::from(move |_| cb.emit(()))
    };
    html! {
        <section class="panel" aria-labelledby="h-share">
            <h2 id="h-share">{ "Share" }</h2>
            <div class="form-actions">
                <button onclick={click(&p.on_copy_link)} aria-keyshortcuts="Control+S">{ "Copy link" }</button>
                <button onclick={click(&p.on_copy_embed)}>{ "Copy embed code" }</button>
                <button onclick={click(&p.on_download)}>{ "Download scenario" }</button>
                <label class="button file-button">{ "Open scenario file" }
                    <input type="file" accept=".json,application/json" class="sr-only" onchange={on_file} /></label>
            </div>
            <p class="hint">{ format!("Link length: {} characters. You can also drop a scenario file anywhere on the page.", p.link.chars().count()) }
                if too_long { <strong class="warn-text">{ " Longer than 2,000 characters: chat tools may cut it. Download the scenario file instead." }</strong> }
            </p>
            if let Some(s) = &p.status { <p class="hint" role="status">{ s }</p> }
        </section>
    }
}
