//! The producer's inner life: the per-partition accumulator (messages waiting, fill level,
//! linger countdown), the requests in flight with their sequence numbers, and the delivery
//! reports as the Python callback `cb(err, msg)` would receive them.

use ksim::View;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ProducerPanelProps {
    pub view: super::Snapshot<View>,
}

fn ms(us: u64) -> String {
    format!("{:.3} ms", us as f64 / 1000.0)
}

#[function_component(ProducerPanel)]
pub fn producer_panel(p: &ProducerPanelProps) -> Html {
    let v = &p.view;
    let pr = &v.producer;
    let now = v.time_us;
    let pid = if pr.producer_id >= 0 {
        format!(
            "producer id {} · epoch {}",
            pr.producer_id, pr.producer_epoch
        )
    } else {
        "not idempotent (producer id −1)".to_string()
    };
    let waiting: Vec<_> = pr
        .open_batches
        .iter()
        .filter(|b| b.records > 0 || !b.retry_batches.is_empty())
        .collect();
    html! {
        <section class="panel" aria-labelledby="h-accumulator">
            <div class="panel-head">
                <h2 id="h-accumulator">{ format!("Producer “{}”", pr.client_id) }</h2>
                <span class="hint">{ format!("{} · {}", pr.profile, pid) }</span>
            </div>
            <p class="stat-line">
                <span title="len(producer): messages not yet delivered or whose report was not served">
                    { "len(producer) = " }<strong class="mono">{ pr.queued_msgs }</strong></span>
                if pr.flushing { <span class="pill">{ "flush() in progress: linger ignored" }</span> }
            </p>
            if let Some(reason) = &pr.fatal_error {
                // A fatal error ends this producer (librdkafka rd_kafka_fatal_error(); Python sees
                // KafkaException with fatal() true): said in words, not only in colour.
                <div class="banner in-panel" role="alert">
                    <strong>{ "Fatal producer error: " }</strong>
                    <span>{ reason.clone() }</span>
                    <p class="hint">{ "This producer can send nothing more: every produce() fails with _FATAL and its queued messages failed with _PURGE_QUEUE. An application would create a new producer; here, Reset starts over with a new cluster and producer." }</p>
                </div>
            }
            <h3>{ "Accumulator (batches being filled)" }</h3>
            if waiting.is_empty() {
                <p class="empty">{ "No messages waiting." }</p>
            } else {
                <ul class="batches">
                { for waiting.iter().map(|b| {
                    let pct = (b.fill_ratio * 100.0).clamp(0.0, 100.0);
                    let linger = match b.linger_deadline_us {
                        Some(d) if d > now => format!("linger ends in {}", ms(d - now)),
                        Some(_) => "linger expired: ready to send".to_string(),
                        None => String::new(),
                    };
                    html! {
                        <li class="batch" aria-label={format!("open batch {}-{}", b.topic, b.partition)}>
                            <div class="batch-head">
                                <strong>{ format!("{}-{}", b.topic, b.partition) }</strong>
                                <span class="mono">{ format!("{} msg · {} B", b.records, b.bytes) }</span>
                                <span class="hint">{ match b.leader { Some(l) => format!("→ broker {l}"), None => "no leader".into() } }</span>
                            </div>
                            <div class="meter" role="meter" aria-valuemin="0" aria-valuemax="100" aria-valuenow={format!("{pct:.0}")}
                                aria-label="fill level against batch.num.messages / batch.size">
                                <div class="meter-fill" style={format!("width: {pct:.1}%")}></div>
                            </div>
                            <div class="batch-foot hint">
                                <span>{ linger }</span>
                                if b.next_sequence >= 0 { <span class="mono">{ format!("next seq {}", b.next_sequence) }</span> }
                                { for b.retry_batches.iter().map(|(records, seq, at)| html! {
                                    <span class="pill warn">{ format!("retry of {records} msg (seq {seq}) in {}", ms(at.saturating_sub(now))) }</span>
                                }) }
                            </div>
                        </li>
                    }
                }) }
                </ul>
            }
            <h3>{ "Requests in flight" }</h3>
            if pr.in_flight.is_empty() {
                <p class="empty">{ "None." }</p>
            } else {
                <table aria-label="Requests in flight">
                    <thead><tr><th scope="col">{ "request" }</th><th scope="col">{ "to" }</th>
                        <th scope="col">{ "batches (partition: records, base seq, attempt)" }</th><th class="num" scope="col">{ "age" }</th></tr></thead>
                    <tbody>
                    { for pr.in_flight.iter().map(|r| html! {
                        <tr>
                            <td class="mono">{ format!("#{}", r.req_id) }</td>
                            <td>{ format!("broker {}", r.broker) }</td>
                            <td class="text">{ r.batches.iter().map(|(t, part, n, seq, attempt)| format!("{t}-{part}: {n} msg, seq {seq}, try {attempt}")).collect::<Vec<_>>().join("; ") }</td>
                            <td class="num">{ ms(now.saturating_sub(r.sent_us)) }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ReportsPanelProps {
    pub view: super::Snapshot<View>,
}

/// Delivery reports as `cb(err, msg)` sees them; the ones not yet served wait for `poll()`.
#[function_component(ReportsPanel)]
pub fn reports_panel(p: &ReportsPanelProps) -> Html {
    let reports = &p.view.delivery_reports;
    html! {
        <section class="panel" aria-labelledby="h-reports">
            <h2 id="h-reports">{ "Delivery reports" }</h2>
            <p class="hint">{ "What the delivery callback receives. Callbacks run only inside poll() or flush()." }</p>
            if reports.is_empty() {
                <p class="empty">{ "No reports yet." }</p>
            } else {
                <div class="table-scroll" tabindex="0">
                <table aria-label="Delivery reports">
                    <thead><tr>
                        <th scope="col">{ "err" }</th><th scope="col">{ "partition" }</th><th class="num" scope="col">{ "offset()" }</th>
                        <th scope="col">{ "key" }</th><th class="num" scope="col">{ "latency()" }</th><th scope="col">{ "callback" }</th>
                    </tr></thead>
                    <tbody>
                    { for reports.iter().take(12).map(|r| html! {
                        <tr key={r.msg_id}>
                            <td class="mono">{ match &r.error_name { Some(n) => format!("{n} ({})", r.error_code.unwrap_or(0)), None => "None".into() } }</td>
                            <td>{ format!("{}-{}", r.topic, r.partition) }</td>
                            <td class="num">{ r.offset.map_or("None".to_string(), |o| o.to_string()) }</td>
                            <td class="text key">{ r.key.clone().unwrap_or_else(|| "None".into()) }</td>
                            <td class="num">{ format!("{:.3} s", r.latency_us as f64 / 1e6) }</td>
                            <td>{ if r.served_us.is_some() { "called" } else { "waiting for poll()" } }</td>
                        </tr>
                    }) }
                    </tbody>
                </table>
                </div>
            }
        </section>
    }
}
