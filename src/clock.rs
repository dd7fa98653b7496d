//! The real-time ticker that drives playback, on `requestAnimationFrame`: the app advances the
//! simulation and renders inside the frame callback, so the browser lays the page out once per
//! frame as part of its normal lifecycle (a timer task forces an extra layout). It only says "this
//! much real time passed" (and how long the previous frame kept the main thread busy); the app
//! turns that into virtual time at the chosen speed. Pausing stops the ticker, so everything on
//! the page (driven by virtual time) freezes.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{MessageChannel, MessageEvent};

type FrameFn = Closure<dyn FnMut(f64)>;
type MessageFn = Closure<dyn FnMut(MessageEvent)>;

/// One animation frame, as the ticker reports it.
#[derive(Clone, Copy, Debug)]
pub struct Frame {
    /// Real milliseconds since the previous frame (at most 250: a hidden tab does not make the
    /// simulation jump).
    pub elapsed_ms: f64,
    /// Main-thread time the previous frame took from our callback until its rendering was done
    /// (script, style, layout, paint): measured by a message posted in the callback, which runs
    /// as the first task after the frame. `None` when not known yet.
    pub previous_work_ms: Option<f64>,
}

/// When a frame's rendering was done: the task that measured its work (see
/// [`Frame::previous_work_ms`]).
#[derive(Clone, Copy, Debug)]
pub struct AfterPaint {
    /// `performance.now()` when the frame's callback began: the next frame is due one display
    /// frame later.
    pub frame_began_ms: f64,
}

/// A `requestAnimationFrame` loop calling back once per frame. Dropping it cancels the pending
/// frame and frees the callbacks.
pub struct Ticker {
    frame: Rc<RefCell<Option<FrameFn>>>,
    pending: Rc<Cell<i32>>,
    channel: Option<(MessageChannel, MessageFn)>,
}

fn request(frame: &RefCell<Option<FrameFn>>, pending: &Cell<i32>) {
    if let (Some(window), Some(f)) = (web_sys::window(), frame.borrow().as_ref()) {
        if let Ok(id) = window.request_animation_frame(f.as_ref().unchecked_ref()) {
            pending.set(id);
        }
    }
}

/// `performance.now()` in milliseconds (0 where there is none).
pub fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

impl Ticker {
    pub fn start(on_tick: impl FnMut(Frame) + 'static) -> Option<Ticker> {
        Ticker::start_with_after_paint(on_tick, |_| {})
    }

    /// As [`Ticker::start`], and also calls `after_paint` once each frame's rendering is done,
    /// in the first task after it: the main thread is idle from there until the next frame.
    pub fn start_with_after_paint(
        mut on_tick: impl FnMut(Frame) + 'static,
        mut after_paint: impl FnMut(AfterPaint) + 'static,
    ) -> Option<Ticker> {
        let frame: Rc<RefCell<Option<FrameFn>>> = Rc::new(RefCell::new(None));
        let pending = Rc::new(Cell::new(0));
        let started_ms = Rc::new(Cell::new(f64::NAN));
        let work_ms = Rc::new(Cell::new(f64::NAN));
        // The work measurement: a message posted during the frame arrives after its rendering.
        let channel = MessageChannel::new().ok().map(|channel| {
            let (started, work) = (started_ms.clone(), work_ms.clone());
            let on_message: MessageFn = Closure::new(move |_: MessageEvent| {
                work.set(now_ms() - started.get());
                after_paint(AfterPaint {
                    frame_began_ms: started.get(),
                });
            });
            channel
                .port1()
                .set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            (channel, on_message)
        });
        let port = channel.as_ref().map(|(c, _)| c.port2());
        let (weak, p): (Weak<RefCell<Option<FrameFn>>>, _) =
            (Rc::downgrade(&frame), pending.clone());
        let mut last: Option<f64> = None;
        *frame.borrow_mut() = Some(Closure::new(move |now: f64| {
            let work = work_ms.replace(f64::NAN);
            if let Some(previous) = last {
                on_tick(Frame {
                    elapsed_ms: (now - previous).clamp(0.0, 250.0),
                    previous_work_ms: (!work.is_nan()).then_some(work),
                });
            }
            last = Some(now);
            started_ms.set(now_ms());
            if let Some(port) = &port {
                let _ = port.post_message(&JsValue::NULL);
            }
            // The ticker may have been dropped by what on_tick did: then nothing is requested.
            if let Some(f) = weak.upgrade() {
                request(&f, &p);
            }
        }));
        request(&frame, &pending);
        Some(Ticker {
            frame,
            pending,
            channel,
        })
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        if let Some(w) = web_sys::window() {
            let _ = w.cancel_animation_frame(self.pending.get());
        }
        if let Some((channel, _)) = &self.channel {
            channel.port1().set_onmessage(None);
            channel.port1().close();
            channel.port2().close();
        }
        self.frame.borrow_mut().take();
    }
}
