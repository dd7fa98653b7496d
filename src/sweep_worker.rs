//! A sweep's runs on a background thread. The page starts a dedicated Web Worker that loads this
//! same wasm module (the page's own content-hashed `.js` and `.wasm`, so the worker can never be
//! a different build from the page, and the offline cache already holds it). In the worker,
//! `main` finds no window and calls [`serve`] instead of rendering the app.
//!
//! The protocol is JSON text, both ways:
//! - page → worker: one [`SweepRequest`] after the worker says [`SweepReport::Ready`];
//! - worker → page: [`SweepReport::Progress`] about every [`REPORT_EVERY_MS`], a
//!   [`SweepReport::Row`] per finished value, then [`SweepReport::Done`] or
//!   [`SweepReport::Failed`].
//!
//! The worker runs the sweep straight through (`SweepJob::advance` without a frame deadline);
//! Cancel terminates it. The numbers are the same as in the page and in `kplay sweep`: the same
//! core, the same scenario and seed.

use crate::sweep_job::SweepJob;
use ksim::variant::SweepRow;
use ksim::Scenario;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, ErrorEvent, MessageEvent, Url, Worker,
    WorkerOptions, WorkerType,
};
use yew::Callback;

/// How often the worker reports progress, in its own wall-clock milliseconds.
pub const REPORT_EVERY_MS: f64 = 50.0;

/// What the page asks the worker: run this sweep.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SweepRequest {
    pub scenario: Scenario,
    pub setting: String,
    /// Comma separated, as the form has them.
    pub values: String,
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum SweepReport {
    /// The worker has loaded and waits for its request.
    Ready,
    /// The run of value `value_index` has processed `events` events.
    Progress { value_index: usize, events: u64 },
    /// A value's run finished.
    Row(SweepRow),
    /// Every value has run.
    Done,
    /// The worker could not load, or a run failed (the message says why).
    Failed(String),
}

/// In a worker: answers the page's sweep requests. Returns false (and does nothing) when this
/// is not a dedicated worker, so `main` goes on to render the app.
pub fn serve() -> bool {
    let Ok(scope) = js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>() else {
        return false;
    };
    // With `panic = "abort"` the instance stops after the hook: say why before it does.
    std::panic::set_hook(Box::new(|info| {
        post(&SweepReport::Failed(format!("internal error: {info}")));
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let text = e.data().as_string().unwrap_or_default();
        match serde_json::from_str::<SweepRequest>(&text) {
            Ok(request) => run(&request),
            Err(e) => post(&SweepReport::Failed(format!("bad sweep request: {e}"))),
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&SweepReport::Ready);
    true
}

fn post(report: &SweepReport) {
    if let (Ok(scope), Ok(text)) = (
        js_sys::global().dyn_into::<DedicatedWorkerGlobalScope>(),
        serde_json::to_string(report),
    ) {
        let _ = scope.post_message(&text.into());
    }
}

/// The worker's `performance.now()`.
fn worker_now_ms() -> f64 {
    js_sys::global()
        .dyn_into::<DedicatedWorkerGlobalScope>()
        .ok()
        .and_then(|s| s.performance())
        .map_or(0.0, |p| p.now())
}

/// Runs the whole sweep, reporting as it goes.
fn run(request: &SweepRequest) {
    let mut job = match SweepJob::start(&request.scenario, &request.setting, &request.values) {
        Ok(job) => job,
        Err(e) => return post(&SweepReport::Failed(e.to_string())),
    };
    loop {
        let deadline = worker_now_ms() + REPORT_EVERY_MS;
        let rows_before = job.rows.len();
        let done = match job.advance(|| worker_now_ms() < deadline) {
            Ok(done) => done,
            Err(e) => return post(&SweepReport::Failed(e.to_string())),
        };
        for row in &job.rows[rows_before..] {
            post(&SweepReport::Row(row.clone()));
        }
        if done {
            return post(&SweepReport::Done);
        }
        if let Some(p) = job.progress() {
            post(&SweepReport::Progress {
                value_index: p.value_index,
                events: p.events,
            });
        }
    }
}

type MessageFn = Closure<dyn FnMut(MessageEvent)>;
type ErrorFn = Closure<dyn FnMut(ErrorEvent)>;

/// The page's handle on a running worker. Dropping it terminates the worker.
pub struct SweepWorker {
    worker: Worker,
    /// The blob URL of the worker's two-line loader, revoked when the worker goes.
    url: String,
    _on_message: MessageFn,
    _on_error: ErrorFn,
}

/// The page's own module script and wasm, as trunk links them from `index.html`.
fn own_module_urls() -> Option<(String, String)> {
    let document = web_sys::window()?.document()?;
    let href = |selector: &str| {
        document
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlLinkElement>().ok())
            .map(|l| l.href())
    };
    let js = href("link[rel=modulepreload][href$='.js']")?;
    let wasm = href("link[rel=preload][href$='.wasm']")?;
    Some((js, wasm))
}

impl SweepWorker {
    /// Starts a worker that will run `request` and report to `on_report`; `None` where no
    /// worker can be made (no module links, no `Worker`, a policy refusing blob workers).
    pub fn spawn(request: &SweepRequest, on_report: Callback<SweepReport>) -> Option<SweepWorker> {
        let (js, wasm) = own_module_urls()?;
        // JSON string literals are valid JavaScript string literals.
        let source = format!(
            "import init from {};\nawait init({{ module_or_path: {} }});\n",
            serde_json::to_string(&js).ok()?,
            serde_json::to_string(&wasm).ok()?
        );
        let parts = js_sys::Array::of1(&source.into());
        let props = BlobPropertyBag::new();
        props.set_type("text/javascript");
        let blob = Blob::new_with_str_sequence_and_options(&parts, &props).ok()?;
        let url = Url::create_object_url_with_blob(&blob).ok()?;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        options.set_name("kafka-playground sweep");
        let Ok(worker) = Worker::new_with_options(&url, &options) else {
            let _ = Url::revoke_object_url(&url);
            return None;
        };

        let request_text = Rc::new(RefCell::new(serde_json::to_string(request).ok()));
        let on_message = {
            let (worker, on_report) = (worker.clone(), on_report.clone());
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let text = e.data().as_string().unwrap_or_default();
                let report = serde_json::from_str::<SweepReport>(&text).unwrap_or_else(|e| {
                    SweepReport::Failed(format!("bad report from the sweep worker: {e}"))
                });
                if report == SweepReport::Ready {
                    if let Some(text) = request_text.borrow_mut().take() {
                        let _ = worker.post_message(&text.into());
                    }
                }
                on_report.emit(report);
            })
        };
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            let message = e.message();
            on_report.emit(SweepReport::Failed(if message.is_empty() {
                "the sweep worker stopped".into()
            } else {
                message
            }));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Some(SweepWorker {
            worker,
            url,
            _on_message: on_message,
            _on_error: on_error,
        })
    }
}

impl Drop for SweepWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
        let _ = Url::revoke_object_url(&self.url);
    }
}
