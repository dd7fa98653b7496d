//! The event log, virtualised: only the rows in view are in the DOM, so 100,000 entries scroll
//! smoothly. Rows have a fixed height; the scroll container's height is `rows × ROW_HEIGHT_PX`.
//! The container is `column-reverse`, so it stays pinned to the newest entry without any script
//! writing `scrollTop` (which would force a layout on every frame); its scroll position counts
//! from the bottom. A filter narrows the log to entries whose text contains the filter text.

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// Height of one row in CSS pixels (matches `.eventlog .entry` in style.css).
pub const ROW_HEIGHT_PX: usize = 22;
/// Rows rendered beyond the visible window on each side.
const OVERSCAN_ROWS: usize = 4;
/// Visible height of the log in rows.
pub const VISIBLE_ROWS: usize = 16;

/// One rendered row: its entry's number in the run (`Simulation::log_dropped` + its index in
/// `Simulation::log`), virtual time and the core's one-line description.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub index: u64,
    pub time_ms: f64,
    pub text: String,
}

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Number of entries that pass the filter.
    pub total: usize,
    /// The rows for the window starting at `first` (already filtered).
    pub rows: Vec<Row>,
    pub first: usize,
    pub filter: AttrValue,
    pub on_filter: Callback<String>,
    /// Called with how many rows above the newest the learner scrolled.
    pub on_scroll: Callback<usize>,
    /// The core's hash of the whole run's log, dropped entries included (same scenario and
    /// moment ⇒ same hash; kept up to date by the core, so free to show at any length).
    pub hash: AttrValue,
}

/// The window of rows to render when the view is `rows_from_bottom` rows above the newest.
pub fn window_for(rows_from_bottom: usize, total: usize) -> (usize, usize) {
    let top = total.saturating_sub(VISIBLE_ROWS + rows_from_bottom);
    let first = top.saturating_sub(OVERSCAN_ROWS);
    let last = (top + VISIBLE_ROWS + OVERSCAN_ROWS).min(total);
    (first, last.max(first))
}

#[function_component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    let onscroll = {
        let cb = p.on_scroll.clone();
        Callback::from(move |e: Event| {
            // column-reverse: 0 at the bottom, negative above it.
            let el = e.target_unchecked_into::<HtmlElement>();
            cb.emit(el.scroll_top().unsigned_abs() as usize / ROW_HEIGHT_PX);
        })
    };
    let oninput = {
        let cb = p.on_filter.clone();
        Callback::from(move |e: InputEvent| {
            cb.emit(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    html! {
        <section class="panel wide" aria-labelledby="h-eventlog">
            <div class="panel-head">
                <h2 id="h-eventlog">{ "Event log" }</h2>
                <span class="hint">{ format!("{} entries", p.total) }</span>
                <span class="hint" title="Same scenario and seed ⇒ same log ⇒ same hash">{ "log hash " }<code class="log-hash">{ &p.hash }</code></span>
                <label class="sr-only" for="log-filter">{ "Filter the event log" }</label>
                <input id="log-filter" class="filter" type="search" placeholder="Filter: e.g. retry, broker 2, appended"
                    value={p.filter.clone()} oninput={oninput} />
            </div>
            <div class="eventlog" onscroll={onscroll} tabindex="0" role="log"
                aria-label="Event log" style={format!("height: {}px", VISIBLE_ROWS * ROW_HEIGHT_PX)}>
                <div class="eventlog-space" style={format!("height: {}px", p.total * ROW_HEIGHT_PX)}>
                    { for p.rows.iter().enumerate().map(|(i, r)| html! {
                        <div class="entry" key={r.index}
                            style={format!("top: {}px", (p.first + i) * ROW_HEIGHT_PX)}>
                            <span class="t">{ format!("{:.3} ms", r.time_ms) }</span>
                            <span class="what">{ &r.text }</span>
                        </div>
                    }) }
                </div>
            </div>
        </section>
    }
}
