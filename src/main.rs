//! The playground's browser front end. It renders `ksim`'s view and log and turns what the
//! learner does into `ksim` actions; it computes no Kafka behaviour of its own
//! (ARCHITECTURE.md, "Architecture Invariant").

mod app;
mod clock;
mod components;
mod embed;
mod event_index;
mod frame_budget;
mod inspect;
mod keyboard;
#[cfg(test)]
mod layout_bad_input;
mod live_layout;
mod panic_banner;
mod records;
mod retention;
mod scene;
mod sequence_layout;
mod session;
mod share;
mod slots;
mod sweep_job;
mod sweep_plot;
mod sweep_worker;
mod theme;
mod timeline;

fn main() {
    // The same module also runs a sweep's worker (sweep_worker): there is no window there.
    if sweep_worker::serve() {
        return;
    }
    panic_banner::install();
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
    else {
        return;
    };
    root.set_inner_html("");
    yew::Renderer::<app::App>::with_root(root).render();
}
