//! Partition logs: each partition's records as its leader stores them, with offset, key, value,
//! timestamp and headers (under the value) and the batch they arrived in. Records above the high watermark are marked
//! "not committed" (consumers do not see them yet). Above the table: where the log starts, its
//! segments and size, and in words what retention deleted and which offsets' record bytes the
//! playground dropped from memory (`retention`); a dropped batch is one row saying so.
//!
//! Each partition is its own component, so a frame that publishes one partition's log (see
//! `frame_budget`) renders only that table. The table box is pinned to its bottom like
//! `tail -f`: the newest record is in view and older ones are above it. The columns have fixed
//! widths, so values arriving while the simulation runs never move the layout.

use super::inspector::BatchRef;
use crate::records::PartitionLog;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct LogsPanelProps {
    pub logs: Rc<Vec<Rc<PartitionLog>>>,
    pub on_inspect: Callback<BatchRef>,
}

fn show(v: &Option<String>) -> String {
    v.clone().unwrap_or_else(|| "null".into())
}

#[function_component(LogsPanel)]
pub fn logs_panel(p: &LogsPanelProps) -> Html {
    html! {
        <section class="panel" aria-labelledby="h-logs">
            <h2 id="h-logs">{ "Partition logs" }</h2>
            if p.logs.is_empty() {
                <p class="empty">{ "No topics yet. Create one, then produce an event." }</p>
            }
            { for p.logs.iter().map(|l| html! {
                <PartitionTable key={format!("{}-{}", l.topic, l.partition)} log={l.clone()} on_inspect={p.on_inspect.clone()} />
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct PartitionTableProps {
    log: Rc<PartitionLog>,
    on_inspect: Callback<BatchRef>,
}

/// The "#n" button that opens batch `index` in the inspector.
fn inspect_button(
    l: &PartitionLog,
    index: usize,
    name: &str,
    on_inspect: &Callback<BatchRef>,
) -> Html {
    let Some(broker) = l.broker else {
        return html! {};
    };
    let onclick = {
        let cb = on_inspect.clone();
        let b = BatchRef {
            topic: l.topic.clone(),
            partition: l.partition,
            broker,
            index,
            in_flight: None,
        };
        Callback::from(move |_| cb.emit(b.clone()))
    };
    html! {
        <button class="linkish" aria-label={format!("Inspect batch {index} of {name}")} {onclick}>{ format!("#{index}") }</button>
    }
}

#[function_component(PartitionTable)]
fn partition_table(p: &PartitionTableProps) -> Html {
    let l = &p.log;
    let name = format!("{}-{}", l.topic, l.partition);
    let leader = l
        .leader
        .map_or("no leader".to_string(), |b| format!("leader: broker {b}"));
    html! {
        <div class="partition">
            <div class="partition-head">
                <strong>{ &name }</strong>
                <span>{ leader }</span>
                <span class="mono">{ format!("HW {} · LEO {}", l.high_watermark, l.log_end_offset) }</span>
                if let Some(s) = &l.storage {
                    <span class="mono">{ s.summary() }</span>
                }
                if l.total_records > l.shown_records() {
                    <span>{ format!("the newest {} of {} records", l.shown_records(), l.total_records) }</span>
                }
            </div>
            { for l.storage.iter().flat_map(|s| s.notes()).map(|n| html! { <p class="hint storage-note">{ n }</p> }) }
            if l.rows.is_empty() {
                <p class="empty">{ "empty" }</p>
            } else {
                <div class="table-scroll" tabindex="0">
                <table class="records" aria-label={format!("{name} log")}>
                    <colgroup>
                        <col class="c-offset" /><col class="c-key" /><col /><col class="c-batch" />
                    </colgroup>
                    <thead><tr>
                        <th class="num" scope="col">{ "offset" }</th><th scope="col">{ "key" }</th>
                        <th scope="col">{ "value" }</th>
                        <th class="num" scope="col">{ "batch" }</th>
                    </tr></thead>
                    <tbody>
                    // Rows by position, not by offset: while records stream in, a refresh changes
                    // the rows' text instead of removing and inserting rows.
                    { for l.rows.iter().map(|r| if r.payload_dropped { html! {
                        <tr class="payload-dropped">
                            <td class="num">{ if r.offset == r.last_offset { r.offset.to_string() } else { format!("{}–{}", r.offset, r.last_offset) } }</td>
                            <td class="text key">{ "—" }</td>
                            <td class="text"><span class="clamp">{ "record bytes dropped" }</span>
                                <span class="meta" title="the batch's record count and max timestamp (ms since the epoch)">
                                    { format!("{} record{} · max timestamp {}", r.records, if r.records == 1 { "" } else { "s" }, r.timestamp_ms) }</span>
                                if !r.committed { <span class="uncommitted">{ "(not committed)" }</span> }
                            </td>
                            <td class="num">{ inspect_button(l, r.batch_index, &name, &p.on_inspect) }</td>
                        </tr>
                    } } else { html! {
                        <tr>
                            <td class="num">{ r.offset }</td>
                            <td class="text key">{ show(&r.key) }</td>
                            <td class="text">
                                if r.value_failed {
                                    <span class="clamp deser-error">{ "✗ " }{ r.value_note.clone().unwrap_or_default() }</span>
                                } else {
                                    <span class="clamp" title={show(&r.value)}>{ show(&r.value) }</span>
                                    if let Some(note) = &r.value_note {
                                        <span class="meta serde" title="how the topic's consumer read the value">{ note.clone() }</span>
                                    }
                                }
                                <span class="meta" title="the record's timestamp (ms since the epoch) and headers">
                                    { format!("timestamp {}", r.timestamp_ms) }
                                    if !r.headers.is_empty() {
                                        { format!(" · headers: {}", r.headers.iter().map(|(k, v)| format!("{k}={}", show(v))).collect::<Vec<_>>().join(", ")) }
                                    }
                                </span>
                                if !r.committed { <span class="uncommitted">{ "(not committed)" }</span> }
                            </td>
                            <td class="num">{ inspect_button(l, r.batch_index, &name, &p.on_inspect) }</td>
                        </tr>
                    } }) }
                    </tbody>
                </table>
                </div>
            }
        </div>
    }
}
