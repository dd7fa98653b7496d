//! `kplay bench avro`: native throughput of Avro binary encoding and decoding (crates/kavro)
//! for the lecture's payment event, 1,000 events per run; also the bytes per event as Avro
//! (with Confluent's 5-byte header) and as JSON text. Events are generated deterministically.
//! Build with `--profile native` (or `--release`) for meaningful numbers.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kavro::{binary, frame, from_json, Schema, Value};

/// The lecture's payment event.
pub const PAYMENT_SCHEMA: &str = r#"{"type": "record", "name": "Payment", "namespace": "shop",
 "fields": [
  {"name": "payment_id", "type": "string"},
  {"name": "amount", "type": "double"},
  {"name": "currency", "type": "string", "default": "EUR"},
  {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "status", "type": {"type": "enum", "name": "Status",
                              "symbols": ["PENDING", "SETTLED", "FAILED"]}}]}"#;
const EVENTS: usize = 1000;
const MIN_TIME: Duration = Duration::from_millis(400);

fn time_per_run(mut f: impl FnMut()) -> f64 {
    f();
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < 3 || start.elapsed() < MIN_TIME {
        f();
        runs += 1;
    }
    start.elapsed().as_secs_f64() / runs as f64
}

/// The i-th payment event as JSON text.
fn event_json(i: usize) -> String {
    let statuses = ["PENDING", "SETTLED", "FAILED"];
    format!(
        r#"{{"payment_id": "pay-{:06}", "amount": {}.{:02}, "currency": "{}", "timestamp": {}, "status": "{}"}}"#,
        i,
        (i * 37) % 5000,
        (i * 13) % 100,
        ["EUR", "USD", "GBP"][i % 3],
        1_700_000_000_000i64 + (i as i64) * 250,
        statuses[i % 3]
    )
}

/// Entry point for `kplay bench avro`; `args` excludes `bench avro`.
pub fn main(args: &[String]) -> ExitCode {
    if let Some(extra) = args.first() {
        eprintln!("kplay bench avro: unexpected argument '{extra}' (it takes none)");
        return ExitCode::from(1);
    }
    let schema = Schema::parse(PAYMENT_SCHEMA).expect("the payment schema parses");
    let texts: Vec<String> = (0..EVENTS).map(event_json).collect();
    let values: Vec<Value> = texts
        .iter()
        .map(|t| {
            let json: serde_json::Value = serde_json::from_str(t).expect("event JSON");
            from_json(&schema, &json).expect("events match the schema")
        })
        .collect();
    let encoded: Vec<Vec<u8>> = values
        .iter()
        .map(|v| binary::encode(&schema, v).expect("encodes"))
        .collect();
    let avro_bytes: usize = encoded.iter().map(|e| frame(1, e).len()).sum();
    let json_bytes: usize = texts.iter().map(String::len).sum();
    let payload_bytes: usize = encoded.iter().map(Vec::len).sum();
    let enc_s = time_per_run(|| {
        for v in &values {
            std::hint::black_box(binary::encode(&schema, std::hint::black_box(v)).ok());
        }
    });
    let dec_s = time_per_run(|| {
        for e in &encoded {
            std::hint::black_box(binary::decode(&schema, std::hint::black_box(e)).ok());
        }
    });
    let layout_s = time_per_run(|| {
        for e in &encoded {
            std::hint::black_box(
                binary::decode_with_layout(&schema, std::hint::black_box(e), 0).ok(),
            );
        }
    });
    println!(
        "{:<8} {:>10} {:>10} {:>14} {:>14} {:>16}",
        "events", "avro_B/ev", "json_B/ev", "encode_ev/s", "decode_ev/s", "layout_ev/s"
    );
    println!(
        "{:<8} {:>10.1} {:>10.1} {:>14.0} {:>14.0} {:>16.0}",
        EVENTS,
        avro_bytes as f64 / EVENTS as f64,
        json_bytes as f64 / EVENTS as f64,
        EVENTS as f64 / enc_s,
        EVENTS as f64 / dec_s,
        EVENTS as f64 / layout_s
    );
    println!(
        "payload MB/s: encode {:.1}, decode {:.1}",
        payload_bytes as f64 / enc_s / 1e6,
        payload_bytes as f64 / dec_s / 1e6
    );
    ExitCode::SUCCESS
}
