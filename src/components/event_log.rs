//! The event log, virtualised: only the rows in view are in the DOM, so 100,000 entries scroll
//! smoothly. Rows have a fixed height; the scroll container's height is `rows × ROW_HEIGHT_PX`.
//! A filter narrows the log to entries whose kind or text contains the filter text.

use web_sys::{HtmlElement, HtmlInputElement};
use yew::prelude::*;

/// Height of one row in CSS pixels (matches `.eventlog .entry` in style.css).
pub const ROW_HEIGHT_PX: usize = 22;
/// Rows rendered beyond the visible window on each side.
const OVERSCAN_ROWS: usize = 4;
/// Visible height of the log in rows.
pub const VISIBLE_ROWS: usize = 16;

/// One rendered row: virtual time and the core's one-line description.
#[derive(Clone, PartialEq)]
pub struct Row {
    pub index: usize,
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
    /// Called with the first row index in view when the learner scrolls.
    pub on_scroll: Callback<usize>,
    /// Keep the view pinned to the newest entry.
    pub follow: bool,
    /// The core's hash of the whole log (shown while paused: same scenario ⇒ same hash).
    pub hash: Option<AttrValue>,
}

/// The window of rows to render for a scroll position.
pub fn window_for(scroll_row: usize, total: usize) -> (usize, usize) {
    let first = scroll_row.saturating_sub(OVERSCAN_ROWS);
    let last = (scroll_row + VISIBLE_ROWS + OVERSCAN_ROWS).min(total);
    (first, last.max(first))
}

#[function_component(EventLog)]
pub fn event_log(p: &EventLogProps) -> Html {
    let scroller = use_node_ref();
    {
        // Pin to the bottom while following; runs after each render.
        let scroller = scroller.clone();
        let (follow, total) = (p.follow, p.total);
        use_effect_with((follow, total), move |_| {
            if follow {
                if let Some(el) = scroller.cast::<HtmlElement>() {
                    el.set_scroll_top((total * ROW_HEIGHT_PX) as i32);
                }
            }
        });
    }
    let onscroll = {
        let cb = p.on_scroll.clone();
        Callback::from(move |e: Event| {
            let el = e.target_unchecked_into::<HtmlElement>();
            cb.emit(el.scroll_top().max(0) as usize / ROW_HEIGHT_PX);
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
                if let Some(h) = &p.hash {
                    <span class="hint" title="Same scenario and seed ⇒ same log ⇒ same hash">{ "log hash " }<code class="log-hash">{ h }</code></span>
                }
                <label class="sr-only" for="log-filter">{ "Filter the event log" }</label>
                <input id="log-filter" class="filter" type="search" placeholder="Filter: e.g. retry, broker 2, appended"
                    value={p.filter.clone()} oninput={oninput} />
            </div>
            <div class="eventlog" ref={scroller} onscroll={onscroll} tabindex="0" role="log"
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
