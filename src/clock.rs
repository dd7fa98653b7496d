//! The real-time ticker that drives playback, on `requestAnimationFrame`: the app advances the
//! simulation and renders inside the frame callback, so the browser lays the page out once per
//! frame as part of its normal lifecycle (a timer task forces an extra layout). It only says "this
//! much real time passed"; the app turns that into virtual time at the chosen speed. Pausing
//! stops the ticker, so everything on the page (driven by virtual time) freezes.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

type FrameFn = Closure<dyn FnMut(f64)>;

/// A `requestAnimationFrame` loop calling back with the elapsed real milliseconds. Dropping it
/// cancels the pending frame and frees the callback.
pub struct Ticker {
    frame: Rc<RefCell<Option<FrameFn>>>,
    pending: Rc<Cell<i32>>,
}

fn request(frame: &RefCell<Option<FrameFn>>, pending: &Cell<i32>) {
    if let (Some(window), Some(f)) = (web_sys::window(), frame.borrow().as_ref()) {
        if let Ok(id) = window.request_animation_frame(f.as_ref().unchecked_ref()) {
            pending.set(id);
        }
    }
}

impl Ticker {
    pub fn start(mut on_tick: impl FnMut(f64) + 'static) -> Option<Ticker> {
        let frame: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
        let pending = Rc::new(Cell::new(0));
        let (weak, p): (Weak<RefCell<Option<FrameFn>>>, _) =
            (Rc::downgrade(&frame), pending.clone());
        let mut last: Option<f64> = None;
        *frame.borrow_mut() = Some(Closure::new(move |now: f64| {
            if let Some(previous) = last {
                on_tick((now - previous).clamp(0.0, 250.0));
            }
            last = Some(now);
            // The ticker may have been dropped by what on_tick did: then nothing is requested.
            if let Some(f) = weak.upgrade() {
                request(&f, &p);
            }
        }));
        request(&frame, &pending);
        Some(Ticker { frame, pending })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.pending.get());
        }
        self.frame.borrow_mut().take();
    }
}
