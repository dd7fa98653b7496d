//! `kplay bench codecs`: native throughput of encode+compress and decompress+decode of one
//! record batch per codec, for a 16 KiB and a 1 MiB batch of 100-byte JSON-like values
//! (`kwire::sample::json_like_records`, the same workload the wasm benchmark in crates/knode runs).
//! MB/s are megabytes (10^6) of uncompressed records section per second. Build with
//! `--profile native` (or `--release`) for meaningful numbers.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use kwire::sample::json_like_records;
use kwire::{decode_batch, encode_batch, BatchSpec, Codec, Compression, DecodeLimits};

/// Batch sizes measured: (label, bytes of record values).
pub const SIZES: [(&str, usize); 2] = [("16KiB", 16 * 1024), ("1MiB", 1024 * 1024)];
const VALUE_BYTES: usize = 100;
const MIN_TIME: Duration = Duration::from_millis(400);

/// Runs `f` until at least [`MIN_TIME`] has passed (and at least 3 times); seconds per run.
fn time_per_run(mut f: impl FnMut()) -> f64 {
    f(); // warm-up
    let start = Instant::now();
    let mut runs = 0u32;
    while runs < 3 || start.elapsed() < MIN_TIME {
        f();
        runs += 1;
    }
    start.elapsed().as_secs_f64() / runs as f64
}

/// Entry point for `kplay bench codecs`; `args` excludes `bench codecs`.
pub fn main(args: &[String]) -> ExitCode {
    if let Some(extra) = args.first() {
        eprintln!("kplay bench codecs: unexpected argument '{extra}' (it takes none)");
        return ExitCode::from(1);
    }
    println!(
        "{:<6} {:<6} {:>12} {:>12} {:>7} {:>16} {:>16} {:>10}",
        "size", "codec", "records_B", "batch_B", "ratio", "encode_MB/s", "decode_MB/s", "batch_crc"
    );
    let limits = DecodeLimits::default();
    for (label, size) in SIZES {
        let records = json_like_records(size, VALUE_BYTES);
        for codec in Codec::ALL {
            let spec = BatchSpec {
                compression: Compression {
                    codec,
                    ..Compression::default()
                },
                ..BatchSpec::default()
            };
            let encoded = match encode_batch(&spec, &records) {
                Ok(e) => e,
                Err(e) => {
                    eprintln!("kplay bench codecs: {e}");
                    return ExitCode::from(1);
                }
            };
            if let Err(e) = decode_batch(&encoded.bytes, &limits) {
                eprintln!("kplay bench codecs: {codec:?} batch does not decode: {e}");
                return ExitCode::from(1);
            }
            let raw = encoded.uncompressed_records_bytes as f64;
            let enc_s = time_per_run(|| {
                std::hint::black_box(encode_batch(&spec, std::hint::black_box(&records)).ok());
            });
            let dec_s = time_per_run(|| {
                std::hint::black_box(
                    decode_batch(std::hint::black_box(&encoded.bytes), &limits).ok(),
                );
            });
            println!(
                "{:<6} {:<6} {:>12} {:>12} {:>7.2} {:>16.1} {:>16.1} {:>10}",
                label,
                codec.name(),
                encoded.uncompressed_records_bytes,
                encoded.bytes.len(),
                raw / encoded.bytes.len() as f64,
                raw / enc_s / 1e6,
                raw / dec_s / 1e6,
                // The batch's CRC-32C: equal on native and wasm ⇔ the same bytes were written.
                format!(
                    "{:08x}",
                    u32::from_be_bytes([
                        encoded.bytes[17],
                        encoded.bytes[18],
                        encoded.bytes[19],
                        encoded.bytes[20]
                    ])
                )
            );
        }
    }
    ExitCode::SUCCESS
}
