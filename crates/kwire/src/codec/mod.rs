//! Compression codecs with Kafka's framing (docs/kafka-sources.md §2.1–2.2, §2.4), pure Rust so
//! they run in the browser. One module per codec; each can also describe its framing byte by byte
//! ([`FramingSpan`]) for the annotated layout.
//!
//! `compression.level` follows librdkafka (docs/kafka-sources.md §2.4): `None` or −1 is the
//! codec default, larger values are clamped to the codec's maximum. What the pure-Rust
//! compressors cannot do:
//! - lz4: only the fast compressor exists here (no LZ4 HC), so every level uses it (librdkafka
//!   switches to LZ4 HC from level 3 on; the frame is the same, only the ratio differs).
//! - zstd: `ruzstd` implements only its "fastest" matcher (about zstd level 1), so every level
//!   uses it; librdkafka's default is level 3.
//! - snappy has no levels (librdkafka ignores `compression.level` too).

pub mod cost;
pub mod gzip;
pub mod lz4;
pub mod lz4_block;
pub mod snappy;
pub mod zstd;

use crate::error::WireError;

/// One span of codec framing inside a compressed records section, for the annotated layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FramingSpan {
    /// Byte offsets relative to the start of the compressed records section.
    pub start: usize,
    pub end: usize,
    /// Field name, e.g. `"gzip.header.id"` or `"lz4.block[0].size"`.
    pub name: String,
    /// Decoded value for display.
    pub value: String,
    /// True for compressed data (as opposed to framing metadata).
    pub is_payload: bool,
}

impl FramingSpan {
    pub(crate) fn meta(
        start: usize,
        len: usize,
        name: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        FramingSpan {
            start,
            end: start + len,
            name: name.into(),
            value: value.into(),
            is_payload: false,
        }
    }
    pub(crate) fn payload(start: usize, len: usize, name: impl Into<String>) -> Self {
        FramingSpan {
            start,
            end: start + len,
            name: name.into(),
            value: format!("{len} compressed bytes"),
            is_payload: true,
        }
    }
}

/// Appends `chunk` to `out` unless that would pass `limit_bytes` (decompression-bomb cap).
pub(crate) fn push_capped(
    out: &mut Vec<u8>,
    chunk: &[u8],
    limit_bytes: usize,
) -> Result<(), WireError> {
    if chunk.len() > limit_bytes.saturating_sub(out.len()) {
        return Err(WireError::DecompressionLimit { limit_bytes });
    }
    out.extend_from_slice(chunk);
    Ok(())
}

pub(crate) fn corrupt(codec: &'static str, reason: impl Into<String>) -> WireError {
    WireError::Decompression {
        codec,
        reason: reason.into(),
    }
}

/// Codec id in attribute bits 0–2 (docs/kafka-sources.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Codec {
    #[default]
    None = 0,
    Gzip = 1,
    Snappy = 2,
    Lz4 = 3,
    Zstd = 4,
}

impl Codec {
    pub const ALL: [Codec; 5] = [
        Codec::None,
        Codec::Gzip,
        Codec::Snappy,
        Codec::Lz4,
        Codec::Zstd,
    ];

    /// The codec for attribute bits 0–2; ids 5–7 are `UNSUPPORTED_COMPRESSION_TYPE`.
    pub fn from_id(id: u8) -> Result<Codec, WireError> {
        Ok(match id {
            0 => Codec::None,
            1 => Codec::Gzip,
            2 => Codec::Snappy,
            3 => Codec::Lz4,
            4 => Codec::Zstd,
            other => return Err(WireError::UnsupportedCompressionType(other)),
        })
    }

    /// The name used by `compression.type` (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    pub fn name(self) -> &'static str {
        match self {
            Codec::None => "none",
            Codec::Gzip => "gzip",
            Codec::Snappy => "snappy",
            Codec::Lz4 => "lz4",
            Codec::Zstd => "zstd",
        }
    }

    /// Parses a `compression.type` value.
    pub fn from_name(name: &str) -> Option<Codec> {
        Codec::ALL.into_iter().find(|c| c.name() == name)
    }
}

/// Snappy framing: librdkafka writes one raw snappy block, the Java client xerial framing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SnappyFraming {
    #[default]
    Raw,
    Xerial,
}

/// How a producer compresses the records section of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Compression {
    pub codec: Codec,
    /// librdkafka `compression.level` semantics: `None` (−1) is the codec's default.
    pub level: Option<i32>,
    pub snappy_framing: SnappyFraming,
    /// librdkafka: if the compressed records are larger than the uncompressed ones, send them
    /// uncompressed with codec bits 0 (docs/kafka-sources.md §2.2; kafka-python also does so when
    /// they are equal).
    pub skip_if_larger: bool,
}

/// Compresses `input` with `compression`'s codec, framing and level
/// (docs/kafka-sources.md §2.1, §2.4).
pub fn compress(input: &[u8], compression: &Compression) -> Result<Vec<u8>, WireError> {
    Ok(match compression.codec {
        Codec::None => input.to_vec(),
        Codec::Gzip => gzip::compress(input, compression.level),
        Codec::Snappy => snappy::compress(input, compression.snappy_framing)?,
        Codec::Lz4 => lz4::compress(input),
        Codec::Zstd => zstd::compress(input),
    })
}

/// Decompresses a records section, never producing (or allocating) more than `limit_bytes`: a
/// larger output is [`WireError::DecompressionLimit`]. Accepts every framing a Kafka reader accepts
/// (docs/kafka-sources.md §2.1): any gzip member(s), raw or xerial snappy, lz4 frames with or
/// without content size, zstd frames with or without content size.
pub fn decompress(codec: Codec, input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    match codec {
        Codec::None => {
            if input.len() > limit_bytes {
                return Err(WireError::DecompressionLimit { limit_bytes });
            }
            Ok(input.to_vec())
        }
        Codec::Gzip => gzip::decompress(input, limit_bytes),
        Codec::Snappy => snappy::decompress(input, limit_bytes),
        Codec::Lz4 => lz4::decompress(input, limit_bytes),
        Codec::Zstd => zstd::decompress(input, limit_bytes),
    }
}

/// Describes the framing of a compressed records section byte by byte; the spans tile `input`.
/// gzip and zstd must be decompressed to find their boundaries: that output is capped at
/// `limit_bytes` like [`decompress`].
pub fn framing_spans(
    codec: Codec,
    input: &[u8],
    limit_bytes: usize,
) -> Result<Vec<FramingSpan>, WireError> {
    match codec {
        Codec::None => Ok(Vec::new()),
        Codec::Gzip => gzip::framing_spans(input, limit_bytes),
        Codec::Snappy => snappy::framing_spans(input),
        Codec::Lz4 => lz4::framing_spans(input),
        Codec::Zstd => zstd::framing_spans(input, limit_bytes),
    }
}
