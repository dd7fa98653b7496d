//! Kafka record batch format v2 (magic 2) on real bytes, with no web dependencies.
//!
//! What this crate models, with the sections of `docs/kafka-sources.md` (in this repository) that
//! state the Kafka rules and their public sources:
//! - [`batch`]: the 61-byte batch header and CRC-32C (§1.1–1.3, §1.6);
//! - [`record`]: records with zig-zag varints and nullable key/value/header values (§1.4);
//! - [`broker`]: a 3.6 leader's validation and in-place vs rebuilt storage (§1.8, §2.3);
//! - [`codec`]: gzip, snappy (raw and xerial), lz4 frame and zstd with Kafka's framing (§2.1–2.2, §2.4);
//! - [`layout`]: every byte of a batch annotated for the hex view;
//! - [`segment`]: a partition's `.log` segment (stored batches concatenated);
//!
//! Decoders never trust a declared length: every length is checked against the bytes that are
//! really there, and decompressed output is capped ([`DecodeLimits`]).

pub mod batch;
pub mod broker;
pub mod codec;
pub mod error;
pub mod layout;
pub mod record;
pub mod sample;
pub mod segment;
pub mod varint;

pub use batch::{
    decode_batch, decode_batches, encode_batch, BatchHeader, BatchSpec, DecodedBatch, EncodedBatch,
};
pub use codec::{Codec, Compression, SnappyFraming};
pub use error::WireError;
pub use record::{DecodedRecord, Record, RecordHeader};

/// Limits applied while decoding untrusted bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecodeLimits {
    /// Largest decompressed records section accepted (decompression-bomb cap).
    pub max_decompressed_bytes: usize,
    /// Largest number of records accepted in one batch.
    pub max_records: usize,
}

impl Default for DecodeLimits {
    /// 64 MiB of decompressed records and one million records: far above what a
    /// broker accepts by default (`message.max.bytes` = 1 MiB + 12, docs/kafka-sources.md §1.8).
    fn default() -> Self {
        DecodeLimits {
            max_decompressed_bytes: 64 << 20,
            max_records: 1_000_000,
        }
    }
}
