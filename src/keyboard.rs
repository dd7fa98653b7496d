//! Keyboard shortcuts (Space play/pause, ← back, → step, `?` help), ignored while the learner
//! types in a field or uses a control that needs the key.

use crate::components::controls::Control;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, KeyboardEvent};

/// A `keydown` listener on the document, removed on drop.
pub struct KeyListener {
    closure: Closure<dyn FnMut(KeyboardEvent)>,
}

/// The focused element's tag, if the key event came from an element.
fn target_tag(e: &KeyboardEvent) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .map(|el| el.tag_name())
        .unwrap_or_default()
}

/// Fields use every key (typing `?`, arrows in a range or select).
fn typing_in_field(tag: &str) -> bool {
    matches!(tag, "INPUT" | "SELECT" | "TEXTAREA")
}

impl KeyListener {
    pub fn install(on: impl Fn(Control) + 'static) -> Option<KeyListener> {
        let closure = Closure::<dyn FnMut(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            if (e.ctrl_key() || e.meta_key()) && e.key().eq_ignore_ascii_case("s") {
                e.prevent_default();
                on(Control::CopyLink);
                return;
            }
            if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
                return;
            }
            let tag = target_tag(&e);
            let control = match e.key().as_str() {
                _ if typing_in_field(&tag) => return,
                "?" => Control::Help,
                // Space activates a focused button or summary; leave it to them.
                " " if matches!(tag.as_str(), "BUTTON" | "SUMMARY" | "A") => return,
                " " => Control::TogglePlay,
                "ArrowRight" => Control::StepForward,
                "ArrowLeft" => Control::StepBack,
                _ => return,
            };
            e.prevent_default();
            on(control);
        });
        let document = web_sys::window()?.document()?;
        document
            .add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref())
            .ok()?;
        Some(KeyListener { closure })
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            let _ = d.remove_event_listener_with_callback(
                "keydown",
                self.closure.as_ref().unchecked_ref(),
            );
        }
    }
}
