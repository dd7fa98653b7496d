//! Typed wire errors. Where Kafka has an error for the situation, the variant carries its name
//! and code (docs/kafka-sources.md §8, Kafka `Errors`) so the UI can show what a broker or
//! client would say.

use std::fmt;

/// What went wrong while encoding, decoding or validating a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireError {
    /// The input ended before a field that was needed (a truncated batch).
    Truncated {
        needed_bytes: usize,
        available_bytes: usize,
        field: &'static str,
    },
    /// Kafka `CORRUPT_MESSAGE` (2): the stored CRC-32C does not match the bytes.
    CorruptMessage { expected_crc: u32, actual_crc: u32 },
    /// Kafka `INVALID_RECORD` (87): a structurally invalid batch or record.
    InvalidRecord(String),
    /// Kafka `MESSAGE_TOO_LARGE` (10) / librdkafka `MSG_SIZE_TOO_LARGE`.
    MessageTooLarge { size_bytes: usize, max_bytes: usize },
    /// Only magic 2 (record batch v2) is supported.
    UnsupportedMagic(i8),
    /// Kafka `UNSUPPORTED_COMPRESSION_TYPE` (76): codec bits not in 0..=4.
    UnsupportedCompressionType(u8),
    /// The compressed payload could not be decompressed.
    Decompression { codec: &'static str, reason: String },
    /// The decompressed payload is larger than [`crate::DecodeLimits`] allows.
    DecompressionLimit { limit_bytes: usize },
    /// Kafka `INVALID_TIMESTAMP` (32): a record timestamp outside the topic's window, or a client
    /// batch that claims LogAppendTime (docs/kafka-sources.md §1.2, §1.8 step 6).
    InvalidTimestamp {
        timestamp_ms: i64,
        now_ms: i64,
        reason: &'static str,
    },
    /// A varint that runs past 5 (varint) or 10 (varlong) bytes.
    VarintTooLong,
}

impl WireError {
    /// Kafka's protocol error name for this error, where one exists (docs/kafka-sources.md §8).
    pub fn kafka_name(&self) -> &'static str {
        match self {
            WireError::CorruptMessage { .. } => "CORRUPT_MESSAGE",
            WireError::MessageTooLarge { .. } => "MESSAGE_TOO_LARGE",
            WireError::UnsupportedCompressionType(_) => "UNSUPPORTED_COMPRESSION_TYPE",
            WireError::Truncated { .. }
            | WireError::Decompression { .. }
            | WireError::DecompressionLimit { .. }
            | WireError::VarintTooLong => "CORRUPT_MESSAGE",
            WireError::InvalidRecord(_) | WireError::UnsupportedMagic(_) => "INVALID_RECORD",
            WireError::InvalidTimestamp { .. } => "INVALID_TIMESTAMP",
        }
    }

    /// Kafka's numeric error code (docs/kafka-sources.md §8).
    pub fn kafka_code(&self) -> i16 {
        match self.kafka_name() {
            "CORRUPT_MESSAGE" => 2,
            "MESSAGE_TOO_LARGE" => 10,
            "INVALID_TIMESTAMP" => 32,
            "UNSUPPORTED_COMPRESSION_TYPE" => 76,
            _ => 87,
        }
    }
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kafka_name())?;
        match self {
            WireError::Truncated {
                needed_bytes,
                available_bytes,
                field,
            } => write!(
                f,
                "truncated input: {field} needs {needed_bytes} bytes, only {available_bytes} left"
            ),
            WireError::CorruptMessage {
                expected_crc,
                actual_crc,
            } => write!(
                f,
                "CRC-32C mismatch: batch says {expected_crc:#010x}, bytes give {actual_crc:#010x}"
            ),
            WireError::InvalidRecord(why) => write!(f, "{why}"),
            WireError::MessageTooLarge {
                size_bytes,
                max_bytes,
            } => {
                write!(
                    f,
                    "batch of {size_bytes} bytes exceeds the limit of {max_bytes} bytes"
                )
            }
            WireError::UnsupportedMagic(m) => write!(f, "magic {m} is not supported (only v2)"),
            WireError::UnsupportedCompressionType(c) => write!(f, "unknown codec id {c}"),
            WireError::Decompression { codec, reason } => write!(f, "{codec} payload: {reason}"),
            WireError::DecompressionLimit { limit_bytes } => {
                write!(
                    f,
                    "decompressed records exceed the {limit_bytes}-byte limit"
                )
            }
            WireError::InvalidTimestamp {
                timestamp_ms,
                now_ms,
                reason,
            } => write!(
                f,
                "timestamp {timestamp_ms} is out of range at broker time {now_ms}: {reason}"
            ),
            WireError::VarintTooLong => write!(f, "varint longer than its maximum length"),
        }
    }
}

impl std::error::Error for WireError {}
