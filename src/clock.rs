//! The real-time ticker that drives playback. It only says "this much real time passed"; the
//! app turns that into virtual time at the chosen speed. Pausing stops the ticker, so everything
//! on the page (driven by virtual time) freezes.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// A `setInterval` that calls back with the elapsed real milliseconds; cleared on drop.
pub struct Ticker {
    id: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Ticker {
    pub fn start(period_ms: i32, mut on_tick: impl FnMut(f64) + 'static) -> Option<Ticker> {
        let window = web_sys::window()?;
        let performance = window.performance()?;
        let mut last = performance.now();
        let closure = Closure::<dyn FnMut()>::new(move || {
            let now = performance.now();
            on_tick((now - last).clamp(0.0, 250.0));
            last = now;
        });
        let id = window
            .set_interval_with_callback_and_timeout_and_arguments_0(
                closure.as_ref().unchecked_ref(),
                period_ms,
            )
            .ok()?;
        Some(Ticker {
            id,
            _closure: closure,
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            w.clear_interval_with_handle(self.id);
        }
    }
}
