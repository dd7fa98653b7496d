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

fn typing_in_field(e: &KeyboardEvent) -> bool {
    e.target()
        .and_then(|t| t.dyn_into::<Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA" | "BUTTON" | "SUMMARY"))
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
            let control = match e.key().as_str() {
                "?" => Control::Help,
                _ if typing_in_field(&e) => return,
                " " => Control::TogglePlay,
                "ArrowRight" => Control::StepForward,
                "ArrowLeft" => Control::StepBack,
                _ => return,
            };
            e.prevent_default();
            on(control);
        });
        let document = web_sys::window()?.document()?;
        document.add_event_listener_with_callback("keydown", closure.as_ref().unchecked_ref()).ok()?;
        Some(KeyListener { closure })
    }
}

impl Drop for KeyListener {
    fn drop(&mut self) {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            let _ = d.remove_event_listener_with_callback("keydown", self.closure.as_ref().unchecked_ref());
        }
    }
}
