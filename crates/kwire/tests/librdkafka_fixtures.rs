//! Golden batches captured from librdkafka 2.16.0 (tests/oracle/capture_librdkafka.py): the
//! decoder must read bytes nobody here wrote, and the encoder must frame them the same way.
//!
//! Byte-identical re-encoding is possible only where the compressor is the same algorithm with
//! the same choices: uncompressed batches, and raw snappy (librdkafka's snappy is a port of the
//! reference C++ compressor, as is the `snap` crate). gzip (zlib vs miniz_oxide), lz4 (liblz4 vs
//! lz4_flex) and zstd (libzstd level 3 vs ruzstd "fastest") produce different compressed bytes
//! for the same input, so for those the framing bytes that are deterministic are compared.

use std::path::PathBuf;

use kwire::codec::{framing_spans, Codec};
use kwire::layout::layout_batches;
use kwire::{
    decode_batch, encode_batch, BatchSpec, Compression, DecodeLimits, Record, RecordHeader,
};
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/librdkafka")
}

fn bytes(v: &Value) -> Option<Vec<u8>> {
    v.as_str().map(|s| s.as_bytes().to_vec())
}

fn expected(size: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(dir().join(format!("records-{size}.json"))).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Record {
            timestamp_ms: r["timestamp"].as_i64().unwrap(),
            key: bytes(&r["key"]),
            value: bytes(&r["value"]),
            headers: r["headers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| RecordHeader {
                    key: h[0].as_str().unwrap().to_string(),
                    value: bytes(&h[1]),
                })
                .collect(),
        })
        .collect()
}

fn fixture(codec: Codec, size: &str) -> Vec<u8> {
    std::fs::read(dir().join(format!("{}-{size}.bin", codec.name()))).unwrap()
}

#[test]
fn librdkafka_batches_decode_to_the_records_that_were_produced() {
    for size in ["small", "large"] {
        let want = expected(size);
        for codec in Codec::ALL {
            let bin = fixture(codec, size);
            let (batch, used) = decode_batch(&bin, &DecodeLimits::default()).unwrap();
            assert_eq!(used, bin.len());
            let h = &batch.header;
            assert_eq!(h.codec().unwrap(), codec, "{size}");
            assert_eq!(
                (h.producer_id, h.producer_epoch, h.base_sequence),
                (-1, -1, -1)
            );
            assert_eq!(
                h.partition_leader_epoch, 0,
                "librdkafka writes leader epoch 0"
            );
            assert_eq!(h.records_count as usize, want.len());
            for (i, (got, want)) in batch.records.iter().zip(&want).enumerate() {
                assert_eq!(got.offset_delta, i as i32);
                assert_eq!(
                    h.base_timestamp + got.timestamp_delta,
                    want.timestamp_ms,
                    "{codec:?} {size} #{i}"
                );
                assert_eq!(got.key, want.key, "{codec:?} {size} #{i}");
                assert_eq!(got.value, want.value, "{codec:?} {size} #{i}");
                assert_eq!(got.headers, want.headers, "{codec:?} {size} #{i}");
            }
            // The annotated layout covers librdkafka's bytes exactly once, too.
            let layout = layout_batches(&bin, &DecodeLimits::default()).unwrap();
            let mut at = 0;
            for f in &layout[0].fields {
                assert_eq!(f.start, at, "{codec:?} {size}: {}", f.name);
                at = f.end;
            }
            assert_eq!(at, bin.len());
        }
    }
}

fn reencode(codec: Codec, size: &str) -> Vec<u8> {
    let spec = BatchSpec {
        compression: Compression {
            codec,
            ..Compression::default()
        },
        ..BatchSpec::default()
    };
    encode_batch(&spec, &expected(size)).unwrap().bytes
}

#[test]
fn uncompressed_and_raw_snappy_reencode_to_identical_bytes() {
    for size in ["small", "large"] {
        assert_eq!(
            reencode(Codec::None, size),
            fixture(Codec::None, size),
            "none {size}"
        );
        assert_eq!(
            reencode(Codec::Snappy, size),
            fixture(Codec::Snappy, size),
            "snappy {size}"
        );
    }
}

#[test]
fn compressed_reencodes_share_librdkafkas_framing() {
    for size in ["small", "large"] {
        let theirs = fixture(Codec::Gzip, size);
        let ours = reencode(Codec::Gzip, size);
        assert_eq!(
            &ours[61..71],
            &theirs[61..71],
            "gzip header 1f8b0800 00000000 00 03"
        );
        assert_eq!(
            &ours[ours.len() - 8..],
            &theirs[theirs.len() - 8..],
            "gzip CRC-32 + ISIZE"
        );

        let theirs = fixture(Codec::Lz4, size);
        let ours = reencode(Codec::Lz4, size);
        assert_eq!(
            &ours[61..68],
            &theirs[61..68],
            "lz4 magic, FLG 0x60, BD 0x40, HC 0x82"
        );
        let blocks = |b: &[u8]| {
            framing_spans(Codec::Lz4, &b[61..], 1 << 20)
                .unwrap()
                .iter()
                .filter(|s| s.name.ends_with(".size"))
                .count()
        };
        assert_eq!(
            blocks(&ours),
            blocks(&theirs),
            "one block per 64 KiB of records"
        );
        assert_eq!(&ours[ours.len() - 4..], &[0, 0, 0, 0]);

        let theirs = fixture(Codec::Zstd, size);
        let ours = reencode(Codec::Zstd, size);
        assert_eq!(&ours[61..65], &theirs[61..65], "zstd magic");
        assert_eq!(
            theirs[65] & 0xc4,
            0,
            "librdkafka: no content size, no checksum"
        );
        // Attributes through recordsCount match; only sizes and CRC differ with the compressor.
        assert_eq!(&ours[21..61], &theirs[21..61]);
    }
}
