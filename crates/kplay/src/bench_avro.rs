//! `kplay bench avro`: native throughput of Avro binary encoding and decoding (crates/kavro)
//! for the lecture's payment event, 1,000 events per run (`kavro::bench`, the workload
//! `web/bench/codecs.mjs` also runs in wasm); also the bytes per event as Avro (with
//! Confluent's 5-byte header) and as JSON text. Events are generated deterministically.
//! Build with `--profile native` (or `--release`) for meaningful numbers.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kavro::bench::{AvroWorkload, EVENTS};

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

/// Entry point for `kplay bench avro`; `args` excludes `bench avro`.
pub fn main(args: &[String]) -> ExitCode {
    if let Some(extra) = args.first() {
        eprintln!("kplay bench avro: unexpected argument '{extra}' (it takes none)");
        return ExitCode::from(1);
    }
    let w = AvroWorkload::payments();
    let (avro_bytes, json_bytes, payload_bytes) =
        (w.avro_bytes(), w.json_bytes(), w.payload_bytes());
    let enc_s = time_per_run(|| {
        w.encode_all();
    });
    let dec_s = time_per_run(|| {
        w.decode_all();
    });
    let layout_s = time_per_run(|| {
        w.layout_all();
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
