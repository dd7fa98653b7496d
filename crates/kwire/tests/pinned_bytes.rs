//! The bytes written for the benchmark workload are pinned by their batch CRC-32C. The same
//! values were printed by the native build (`kplay bench codecs`) and by the wasm32 build under
//! Node.js (`web/bench/codecs.mjs`) — see BENCHMARKS.md — so a change here means the playground
//! would show different bytes than before, or than the other target.

use kwire::sample::json_like_records;
use kwire::{encode_batch, BatchSpec, Codec, Compression};

fn batch_crc(codec: Codec, total_bytes: usize) -> String {
    let spec = BatchSpec {
        compression: Compression {
            codec,
            ..Compression::default()
        },
        ..BatchSpec::default()
    };
    let bytes = encode_batch(&spec, &json_like_records(total_bytes, 100))
        .unwrap()
        .bytes;
    format!(
        "{:02x}{:02x}{:02x}{:02x}",
        bytes[17], bytes[18], bytes[19], bytes[20]
    )
}

#[test]
fn benchmark_batches_have_the_bytes_native_and_wasm_agreed_on() {
    let pinned = [
        (
            16 * 1024,
            [
                ("none", "8c13933c"),
                ("gzip", "fafb5a64"),
                ("snappy", "a68120e7"),
                ("lz4", "4a2b6f89"),
                ("zstd", "637ca5dc"),
            ],
        ),
        (
            1 << 20,
            [
                ("none", "7eab832b"),
                ("gzip", "dfefd771"),
                ("snappy", "f6d8fe4c"),
                ("lz4", "ec032b9e"),
                ("zstd", "61c347ac"),
            ],
        ),
    ];
    for (size, codecs) in pinned {
        for (name, crc) in codecs {
            let codec = Codec::from_name(name).unwrap();
            assert_eq!(batch_crc(codec, size), crc, "{name} {size} bytes");
        }
    }
}
