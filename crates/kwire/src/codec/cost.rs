//! Modelled CPU cost of each codec, for comparing codecs on one batch (the batch inspector).
//!
//! Not measured here: this crate's codecs are pure Rust and some are far slower than the C
//! libraries real clients link (librdkafka: zlib, snappy, liblz4, libzstd). The model is
//! single-core throughput from lzbench 1.9's published results (inikep/lzbench README:
//! `lzbench -eall -t16,16`, one core of an AMD EPYC 9554 at 3.10 GHz, gcc 14.2, the Silesia
//! corpus), at the settings Kafka clients use by default (docs/kafka-sources.md §2.1):
//! - gzip: zlib 1.2.11 level 6 (librdkafka's and Java's default level, `Z_DEFAULT_COMPRESSION`);
//! - snappy: snappy 1.1.10;
//! - lz4: lz4 1.9.3 fast mode (librdkafka's default `compression.level` uses the fast compressor);
//! - zstd: zstd 1.5.5 level 2 — the clients' default is level 3, which the table does not list;
//!   level 2 is the nearest listed one.
//!
//! Throughput depends on the data: the Silesia corpus is mixed text and binaries, small JSON
//! batches compress faster per byte or slower by a small factor. The numbers say which codec
//! costs more CPU and roughly how much, not what a given machine will take.

use super::Codec;

/// Single-core throughput in MB/s (10⁶ bytes per second) of uncompressed data, for
/// compressing and for decompressing, or `None` for `Codec::None` (no work).
pub fn reference_throughput_mb_s(codec: Codec) -> Option<(f64, f64)> {
    match codec {
        Codec::None => None,
        Codec::Gzip => Some((25.4, 344.0)),
        Codec::Snappy => Some((418.0, 1002.0)),
        Codec::Lz4 => Some((577.0, 3660.0)),
        Codec::Zstd => Some((346.0, 1269.0)),
    }
}

/// Modelled time in microseconds to compress and to decompress `uncompressed_bytes` of
/// records with `codec` (0 for `Codec::None`), from [`reference_throughput_mb_s`].
pub fn modelled_cost_us(codec: Codec, uncompressed_bytes: usize) -> (f64, f64) {
    match reference_throughput_mb_s(codec) {
        // MB/s = bytes per µs.
        Some((encode, decode)) => (
            uncompressed_bytes as f64 / encode,
            uncompressed_bytes as f64 / decode,
        ),
        None => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_megabyte_costs_what_the_reference_throughput_says() {
        // 1 MB at 25.4 MB/s is 39.4 ms to compress with gzip level 6.
        let (encode, decode) = modelled_cost_us(Codec::Gzip, 1_000_000);
        assert!((encode - 39_370.1).abs() < 0.1, "{encode}");
        assert!((decode - 2_907.0).abs() < 0.1, "{decode}");
        assert_eq!(modelled_cost_us(Codec::None, 1_000_000), (0.0, 0.0));
    }

    #[test]
    fn gzip_costs_the_most_to_compress_and_lz4_the_least_to_decompress() {
        let encode = |c| modelled_cost_us(c, 100_000).0;
        let decode = |c| modelled_cost_us(c, 100_000).1;
        for c in [Codec::Snappy, Codec::Lz4, Codec::Zstd] {
            assert!(encode(Codec::Gzip) > encode(c), "{c:?}");
        }
        for c in [Codec::Gzip, Codec::Snappy, Codec::Zstd] {
            assert!(decode(Codec::Lz4) < decode(c), "{c:?}");
        }
    }
}
