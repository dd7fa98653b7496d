//! Embed mode: `?embed=1`, or running inside an iframe. Embeds never write browser storage and
//! never open dialogs (two embeds on one page share storage). The frame talks to its parent:
//! it posts `{context: "iframe.resize", height}` when its height changes and `{context: "ready"}`
//! once; it accepts `{command: "load" | "play" | "pause" | "reset"}` only from its parent window
//! (messages from any other window are ignored).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::MessageEvent;

/// True when the page is embedded (query `embed=1` or framed by another page).
pub fn is_embedded() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let query = window.location().search().unwrap_or_default();
    let flag = query
        .trim_start_matches('?')
        .split('&')
        .any(|kv| kv == "embed=1" || kv == "embed=true");
    flag || is_framed()
}

fn is_framed() -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    match window.parent() {
        Ok(Some(parent)) => !js_sys::Object::is(&parent, &window),
        _ => false,
    }
}

/// What the embedding page may ask.
#[derive(Clone, Debug, PartialEq)]
pub enum EmbedCommand {
    /// Load a share link or its fragment (`#s=…`).
    Load(String),
    Play,
    Pause,
    Reset,
}

fn get_str(obj: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(obj, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// Parses a message's data; anything else is ignored.
fn parse_command(data: &JsValue) -> Option<EmbedCommand> {
    match get_str(data, "command")?.as_str() {
        "load" => get_str(data, "link").map(EmbedCommand::Load),
        "play" => Some(EmbedCommand::Play),
        "pause" => Some(EmbedCommand::Pause),
        "reset" => Some(EmbedCommand::Reset),
        _ => None,
    }
}

/// The message channel to the parent page (only when framed).
pub struct EmbedBridge {
    closure: Closure<dyn FnMut(MessageEvent)>,
    last_height: std::cell::Cell<i32>,
}

fn post(message: &js_sys::Object) {
    if let Some(parent) = web_sys::window().and_then(|w| w.parent().ok().flatten()) {
        // Only sizes and readiness are sent; nothing private, so any embedding origin may read it.
        let _ = parent.post_message(message, "*");
    }
}

fn object(pairs: &[(&str, JsValue)]) -> js_sys::Object {
    let o = js_sys::Object::new();
    for (k, v) in pairs {
        let _ = js_sys::Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

impl EmbedBridge {
    pub fn install(on_command: impl Fn(EmbedCommand) + 'static) -> Option<EmbedBridge> {
        if !is_framed() {
            return None;
        }
        let window = web_sys::window()?;
        let parent = window.parent().ok().flatten()?;
        let closure = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let from_parent = e.source().is_some_and(|s| js_sys::Object::is(&s, &parent));
            if !from_parent {
                return;
            }
            if let Some(c) = parse_command(&e.data()) {
                on_command(c);
            }
        });
        window
            .add_event_listener_with_callback("message", closure.as_ref().unchecked_ref())
            .ok()?;
        post(&object(&[("context", JsValue::from_str("ready"))]));
        Some(EmbedBridge {
            closure,
            last_height: std::cell::Cell::new(-1),
        })
    }

    /// Posts the document height when it changed since the last call.
    pub fn report_height(&self) {
        let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        else {
            return;
        };
        let height = el.scroll_height();
        if height != self.last_height.get() {
            self.last_height.set(height);
            post(&object(&[
                ("context", JsValue::from_str("iframe.resize")),
                ("height", JsValue::from(height)),
            ]));
        }
    }
}

impl Drop for EmbedBridge {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.remove_event_listener_with_callback(
                "message",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}
