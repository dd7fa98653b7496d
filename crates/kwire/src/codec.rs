//! Compression codecs with Kafka's framing (reference §2.1–2.2, §2.4).

use crate::error::WireError;

/// Codec id in attribute bits 0–2 (reference §1.2).
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
    pub const ALL: [Codec; 5] = [Codec::None, Codec::Gzip, Codec::Snappy, Codec::Lz4, Codec::Zstd];

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
    /// librdkafka: if compression does not shrink the records, send them uncompressed (§2.2).
    pub skip_if_larger: bool,
}

/// Compresses `input` with `compression`'s codec and framing.
pub fn compress(input: &[u8], compression: &Compression) -> Result<Vec<u8>, WireError> {
    match compression.codec {
        Codec::None => Ok(input.to_vec()),
        other => Err(WireError::Decompression { codec: other.name(), reason: "not implemented yet".into() }),
    }
}

/// Decompresses a records section, never producing more than `limit_bytes`.
pub fn decompress(codec: Codec, input: &[u8], limit_bytes: usize) -> Result<Vec<u8>, WireError> {
    match codec {
        Codec::None => {
            if input.len() > limit_bytes {
                return Err(WireError::DecompressionLimit { limit_bytes });
            }
            Ok(input.to_vec())
        }
        other => Err(WireError::Decompression { codec: other.name(), reason: "not implemented yet".into() }),
    }
}
