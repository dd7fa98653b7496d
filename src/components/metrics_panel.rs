//! Metrics from the core, with small charts over virtual time: throughput, bytes before and after
//! compression, compression ratio, latency percentiles, requests, retries, duplicates.

use ksim::Metrics;
use std::rc::Rc;
use yew::prelude::*;

/// A sample of the core's metrics at a virtual time (the app keeps a bounded history).
#[derive(Clone, PartialEq)]
pub struct Sample {
    pub time_us: u64,
    pub metrics: Metrics,
}

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub now: Rc<Metrics>,
    pub history: Rc<Vec<Sample>>,
}

/// An SVG polyline of `values` scaled to the box; text alternative in `label`.
fn sparkline(values: &[f64], label: String) -> Html {
    let (w, h) = (120.0, 28.0);
    let max = values.iter().cloned().fold(0.0_f64, f64::max);
    let points: String = if values.len() < 2 || max <= 0.0 {
        String::new()
    } else {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                format!(
                    "{:.1},{:.1} ",
                    i as f64 / (values.len() - 1) as f64 * w,
                    h - v / max * (h - 2.0) - 1.0
                )
            })
            .collect()
    };
    html! {
        <svg class="spark" viewBox={format!("0 0 {w} {h}")} role="img" aria-label={label} preserveAspectRatio="none">
            <polyline points={points} fill="none" stroke="currentColor" stroke-width="1.5" vector-effect="non-scaling-stroke" />
        </svg>
    }
}

fn opt_ms(v: Option<f64>) -> String {
    v.map_or("–".into(), |v| format!("{v:.2} ms"))
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(p: &MetricsPanelProps) -> Html {
    let m = &p.now;
    let series =
        |f: fn(&Metrics) -> f64| -> Vec<f64> { p.history.iter().map(|s| f(&s.metrics)).collect() };
    let tiles: Vec<(&str, String, Vec<f64>)> = vec![
        (
            "records/s delivered",
            format!("{:.0}", m.records_per_sec),
            series(|m| m.records_per_sec),
        ),
        (
            "records delivered",
            format!("{} / {}", m.records_delivered, m.records_produced),
            series(|m| m.records_delivered as f64),
        ),
        (
            "bytes before compression",
            format!("{} B", m.bytes_uncompressed),
            series(|m| m.bytes_uncompressed as f64),
        ),
        (
            "bytes after compression",
            format!("{} B", m.bytes_compressed),
            series(|m| m.bytes_compressed as f64),
        ),
        (
            "compression ratio",
            format!("{:.2}×", m.compression_ratio),
            series(|m| m.compression_ratio),
        ),
        (
            "latency p50 / p99",
            format!(
                "{} / {}",
                opt_ms(m.latency_p50_ms),
                opt_ms(m.latency_p99_ms)
            ),
            series(|m| m.latency_p99_ms.unwrap_or(0.0)),
        ),
        (
            "ProduceRequests",
            m.produce_requests.to_string(),
            series(|m| m.produce_requests as f64),
        ),
        (
            "retries",
            m.retries.to_string(),
            series(|m| m.retries as f64),
        ),
        (
            "duplicates caught by idempotence",
            m.duplicates_detected.to_string(),
            series(|m| m.duplicates_detected as f64),
        ),
        (
            "records appended (incl. duplicates)",
            m.records_appended.to_string(),
            series(|m| m.records_appended as f64),
        ),
        (
            "failed records",
            m.records_failed.to_string(),
            series(|m| m.records_failed as f64),
        ),
        (
            "network messages lost",
            format!("{} of {}", m.network_dropped, m.network_messages),
            series(|m| m.network_dropped as f64),
        ),
    ];
    // The ratio per codec the producer sealed batches with (after a compression.type change
    // there are several; librdkafka writes `none` when compressing would not help).
    let by_codec: String = m
        .compression_by_codec
        .iter()
        .map(|c| format!("{} {:.2}×", c.codec, c.ratio))
        .collect::<Vec<_>>()
        .join(" · ");
    html! {
        <section class="panel wide" aria-labelledby="h-metrics">
            <h2 id="h-metrics">{ "Metrics" }</h2>
            <dl class="metrics">
            { for tiles.into_iter().map(|(name, value, values)| html! {
                <div class="metric">
                    <dt>{ name }</dt>
                    <dd><span class="mono">{ value.clone() }</span>
                        if name == "compression ratio" && !by_codec.is_empty() {
                            <span class="by-codec mono" title="ratio by the codec each batch was sealed with">{ &by_codec }</span>
                        }
                        { sparkline(&values, format!("{name} over time, now {value}")) }</dd>
                </div>
            }) }
            </dl>
        </section>
    }
}
