//! The page's URL and files: the scenario lives in the fragment (`#s=<version>.<payload>`, format
//! in `kshare::link` and docs/share-links.md), display options in the query (`embed`, `theme`,
//! `panel`, `autoplay`, `speed`, `readonly`, `lesson`). The URL is kept current with
//! `history.replaceState`; a pasted link is picked up on `hashchange`. Scenarios can also be
//! downloaded and opened as JSON files (the same files `kplay run` takes).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Display options from the query string (an allow-list; anything else is ignored).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DisplayOptions {
    pub embed: bool,
    /// Panels to show in an embed (comma-separated names); empty = the embed's default set.
    pub panels: Vec<String>,
    pub autoplay: Option<bool>,
    pub speed: Option<usize>,
    pub readonly: bool,
    pub lesson: Option<String>,
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 32
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

impl DisplayOptions {
    /// Parses `?a=b&c=d`; unknown keys and malformed values are ignored.
    pub fn parse(query: &str) -> DisplayOptions {
        let mut o = DisplayOptions::default();
        for kv in query.trim_start_matches('?').split('&') {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let truthy = matches!(v, "1" | "true" | "yes" | "");
            match k {
                "embed" => o.embed = truthy,
                "readonly" => o.readonly = truthy,
                "autoplay" => o.autoplay = Some(truthy),
                "speed" => o.speed = v.parse().ok(),
                "panel" => {
                    o.panels = v
                        .split(',')
                        .filter(|p| is_name(p))
                        .map(str::to_string)
                        .collect()
                }
                "lesson" if is_name(v) => o.lesson = Some(v.to_string()),
                _ => {}
            }
        }
        o
    }

    pub fn from_location() -> DisplayOptions {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let mut o = DisplayOptions::parse(&query);
        o.embed |= crate::embed::is_embedded();
        o
    }
}

/// The current fragment without `#`.
pub fn current_fragment() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

/// Replaces the fragment without adding a history entry (Back keeps working).
pub fn replace_fragment(fragment: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let location = window.location();
    let base = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&format!("{base}#{fragment}")),
        );
    }
}

/// The full URL of the page with this fragment and the given query (for copy, embed snippets
/// and the "open in full playground" link).
pub fn url_with(fragment: &str, query: &str) -> String {
    let Some(window) = web_sys::window() else {
        return String::new();
    };
    let l = window.location();
    format!(
        "{}{}{}#{fragment}",
        l.origin().unwrap_or_default(),
        l.pathname().unwrap_or_default(),
        query
    )
}

/// Calls back on `hashchange` (a pasted link in an open tab); removed on drop.
pub struct HashListener {
    closure: Closure<dyn FnMut()>,
}

impl HashListener {
    pub fn install(on_change: impl Fn(String) + 'static) -> Option<HashListener> {
        let closure = Closure::<dyn FnMut()>::new(move || on_change(current_fragment()));
        web_sys::window()?
            .add_event_listener_with_callback("hashchange", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(HashListener { closure })
    }
}

impl Drop for HashListener {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "hashchange",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}

/// Copies text to the clipboard; `done` gets whether it worked.
pub fn copy_to_clipboard(text: &str, done: impl Fn(bool) + 'static) {
    let Some(window) = web_sys::window() else {
        done(false);
        return;
    };
    let promise = window.navigator().clipboard().write_text(text);
    let done = std::rc::Rc::new(done);
    let d = done.clone();
    let ok = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |_| d(true));
    let err = Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |_| done(false));
    let _ = promise.then2(&ok, &err);
    // Each runs at most once; the page lives as long as they might be called.
    ok.forget();
    err.forget();
}

/// Offers `text` as a file download named `file_name`.
pub fn download(file_name: &str, text: &str) -> Option<()> {
    let document = web_sys::window()?.document()?;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = Url::create_object_url_with_blob(&blob).ok()?;
    let a: HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = Url::revoke_object_url(&url);
    Some(())
}

/// Reads a user-chosen file as text (FileReader) and hands it over.
pub fn read_file(file: web_sys::File, on_text: yew::Callback<String>) {
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let r = reader.clone();
    let onload = Closure::once_into_js(move || {
        let text = r
            .result()
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default();
        on_text.emit(text);
    });
    reader.set_onload(Some(onload.unchecked_ref()));
    let _ = reader.read_as_text(&file);
}

/// The `<iframe>` snippet "Copy embed code" copies: the playground at `embed_url`, with a link
/// to `full_url` for pages that show no frames. Both URLs carry the learner's scenario (and
/// whatever a pasted link put there), so they are escaped as attribute values: nothing a user
/// or a link supplies can end the attribute or the tag (ARCHITECTURE.md, "nothing a user or a
/// link supplies is rendered as HTML").
pub fn embed_snippet(embed_url: &str, full_url: &str) -> String {
    format!(
        "<iframe src=\"{}\" title=\"Kafka Producer Playground\" width=\"100%\" height=\"640\" loading=\"lazy\" style=\"border:0\"><a href=\"{}\">Open the Kafka Producer Playground</a></iframe>",
        html_attr(embed_url),
        html_attr(full_url)
    )
}

/// Escapes a value for a double-quoted HTML attribute: `&` first (so the other escapes are
/// not escaped again), then both quotes and the angle brackets.
fn html_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_options_are_an_allow_list() {
        let o = DisplayOptions::parse(
            "?embed=1&panel=logs,cluster,<script>&speed=3&lesson=batching&x=y",
        );
        assert!(o.embed);
        assert_eq!(o.panels, vec!["logs", "cluster"]);
        assert_eq!(o.speed, Some(3));
        assert_eq!(o.lesson.as_deref(), Some("batching"));
        assert_eq!(DisplayOptions::parse("lesson=%3Cb%3E").lesson, None);
    }

    /// The attribute values of the snippet: everything between `="` and the next `"`.
    fn attribute_values(snippet: &str) -> Vec<&str> {
        snippet
            .split("=\"")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap_or(""))
            .collect()
    }

    #[test]
    fn the_embed_snippet_escapes_what_a_link_supplies() {
        let hostile = "https://host/p/?embed=1#s=1.\"><script>alert('x')</script>&amp;<img src=x onerror=alert(1)>' onload='x";
        let snippet = embed_snippet(hostile, "javascript:alert(\"x\")");
        // Exactly the snippet's own tags: one frame, one link, none from the input.
        assert_eq!(snippet.matches('<').count(), 4, "{snippet}");
        assert_eq!(snippet.matches('>').count(), 4, "{snippet}");
        assert!(!snippet.contains("<script"), "{snippet}");
        assert!(!snippet.contains("<img"), "{snippet}");
        assert!(snippet.starts_with("<iframe src=\"https://host/p/?embed=1#s=1.&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;amp;&lt;img"), "{snippet}");
        // The attributes are the snippet's own, in order; the input stays inside the first.
        let values = attribute_values(&snippet);
        assert_eq!(values.len(), 7, "{values:?}");
        assert_eq!(values[1], "Kafka Producer Playground");
        // Each value, unescaped, is exactly what was supplied.
        let unescape = |v: &str| {
            v.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&amp;", "&")
        };
        assert_eq!(unescape(values[0]), hostile);
        assert_eq!(unescape(values[6]), "javascript:alert(\"x\")");
    }

    #[test]
    fn an_ordinary_link_is_left_as_it_is_but_for_its_ampersands() {
        let snippet = embed_snippet(
            "https://host/p/?embed=1&lesson=batching#s=1.eJw-_",
            "https://host/p/#s=1.eJw-_",
        );
        assert_eq!(
            snippet,
            "<iframe src=\"https://host/p/?embed=1&amp;lesson=batching#s=1.eJw-_\" title=\"Kafka Producer Playground\" width=\"100%\" height=\"640\" loading=\"lazy\" style=\"border:0\"><a href=\"https://host/p/#s=1.eJw-_\">Open the Kafka Producer Playground</a></iframe>"
        );
    }
}
