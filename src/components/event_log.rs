//! The event log, virtualised: only the rows in view are in the DOM, so 100,000 entries scroll
//! smoothly. Rows have a fixed height; the scroll container's height is `rows × ROW_HEIGHT_PX`.
//! The container is `column-reverse`, so it stays pinned to the newest entry without any script
//! writing `scrollTop` (which would force a layout on every frame); its scroll position counts
//! from the bottom. A filter narrows the log to entries whose text contains the filter text.
//! A long run's oldest entries are dropped by the core (it keeps the newest); a note above the
//! rows says how many.

use crate::event_index::LogMark;
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
    /// Where the log was in the snapshot shown (for the note on dropped entries).
    pub log: LogMark,
}

/// `n` with thousands separators: 12,345.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// What the panel says when the core has dropped the log's oldest entries (it keeps the
/// newest, `LogOptions::max_entries` and up to a quarter more); `None` while it holds the
/// whole run.
pub fn dropped_note(log: LogMark) -> Option<String> {
    if log.dropped == 0 {
        return None;
    }
    let kept = log.end - log.dropped;
    Some(format!(
        "{} older {} dropped from the playground's memory (the newest {} {} kept); the log hash still covers them.",
        grouped(log.dropped),
        if log.dropped == 1 { "entry" } else { "entries" },
        grouped(kept),
        if kept == 1 { "is" } else { "are" },
    ))
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
            if let Some(note) = dropped_note(p.log) {
                <p class="hint log-dropped" role="note">{ note }</p>
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_note_says_how_many_older_entries_were_dropped() {
        assert_eq!(
            dropped_note(LogMark {
                end: 80,
                dropped: 0
            }),
            None
        );
        assert_eq!(
            dropped_note(LogMark {
                end: 212_345,
                dropped: 12_345
            })
            .as_deref(),
            Some("12,345 older entries dropped from the playground's memory (the newest 200,000 are kept); the log hash still covers them.")
        );
        let one = dropped_note(LogMark { end: 2, dropped: 1 }).unwrap();
        assert!(one.starts_with("1 older entry dropped") && one.contains("the newest 1 is kept"));
        assert_eq!(grouped(1_234_567), "1,234,567");
        assert_eq!(grouped(999), "999");
    }
}
