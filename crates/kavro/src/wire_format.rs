//! Confluent's wire format (Confluent docs, "Schema Registry → Wire format"; Java
//! `io.confluent.kafka.serializers.AbstractKafkaSchemaSerDe`): byte 0 is the magic byte `0`,
//! bytes 1–4 the schema id as a big-endian 32-bit integer, then the Avro binary datum.

use std::fmt;

use crate::binary::{decode_with_layout, DecodeError, Decoded, Span};
use crate::schema::Schema;

/// The magic byte of Confluent's format version 0.
pub const MAGIC_BYTE: u8 = 0;
/// Magic byte and schema id.
pub const HEADER_BYTES: usize = 5;

/// A framed message split into its schema id and Avro payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unframed<'a> {
    pub schema_id: u32,
    pub payload: &'a [u8],
}

/// Why bytes are not a Confluent-framed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    /// Fewer than [`HEADER_BYTES`] bytes.
    TooShort { size_bytes: usize },
    /// The first byte is not [`MAGIC_BYTE`] (a JSON or string value in an Avro topic).
    UnknownMagicByte { found: u8 },
}

impl FrameError {
    /// What confluent-kafka 2.16.1's Python `AvroDeserializer` raises as `SerializationError`
    /// (`schema_registry/common/serde.py` and `_sync/avro.py`). It needs 6 bytes or more.
    pub fn python_message(&self) -> String {
        match self {
            FrameError::TooShort { size_bytes } => format!(
                "Expecting data framing of length 6 bytes or more but total data size is \
                 {size_bytes} bytes. This message was not produced with a Confluent Schema \
                 Registry serializer"
            ),
            FrameError::UnknownMagicByte { .. } => "Invalid magic byte".into(),
        }
    }
}

impl fmt::Display for FrameError {
    /// Java's `KafkaAvroDeserializer` message for a wrong first byte: "Unknown magic byte!"
    /// (`AbstractKafkaSchemaSerDe.getByteBuffer`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooShort { size_bytes } => write!(
                f,
                "{size_bytes} bytes is too short for Confluent's wire format (magic byte and \
                 4-byte schema id)"
            ),
            FrameError::UnknownMagicByte { .. } => f.write_str("Unknown magic byte!"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Magic byte, big-endian schema id, then `payload`.
pub fn frame(schema_id: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_BYTES + payload.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// Splits framed bytes into schema id and payload.
pub fn unframe(bytes: &[u8]) -> Result<Unframed<'_>, FrameError> {
    if bytes.len() < HEADER_BYTES {
        return Err(FrameError::TooShort {
            size_bytes: bytes.len(),
        });
    }
    if bytes[0] != MAGIC_BYTE {
        return Err(FrameError::UnknownMagicByte { found: bytes[0] });
    }
    Ok(Unframed {
        schema_id: u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]),
        payload: &bytes[HEADER_BYTES..],
    })
}

/// Why a framed message does not decode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FramedDecodeError {
    Frame(FrameError),
    Avro(DecodeError),
}

impl fmt::Display for FramedDecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FramedDecodeError::Frame(e) => e.fmt(f),
            FramedDecodeError::Avro(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for FramedDecodeError {}

/// A decoded framed message: the schema id, the value, and spans over the whole message
/// (magic byte and schema id first).
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedMessage {
    pub schema_id: u32,
    pub decoded: Decoded,
}

/// Unframes `bytes` and decodes the payload with `schema` (the one registered under the id).
pub fn decode_framed(schema: &Schema, bytes: &[u8]) -> Result<DecodedMessage, FramedDecodeError> {
    let unframed = unframe(bytes).map_err(FramedDecodeError::Frame)?;
    let mut decoded =
        decode_with_layout(schema, bytes, HEADER_BYTES).map_err(FramedDecodeError::Avro)?;
    let header = [
        Span {
            start: 0,
            end: 1,
            path: String::new(),
            what: "magic byte 0 (Confluent wire format)".into(),
        },
        Span {
            start: 1,
            end: HEADER_BYTES,
            path: String::new(),
            what: format!("schema id {} (4 bytes big-endian)", unframed.schema_id),
        },
    ];
    decoded.spans.splice(0..0, header);
    Ok(DecodedMessage {
        schema_id: unframed.schema_id,
        decoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_and_unframes_with_big_endian_id() {
        let b = frame(0x0102_0304, b"\x06foo");
        assert_eq!(b, [0, 1, 2, 3, 4, 6, b'f', b'o', b'o']);
        let u = unframe(&b).unwrap();
        assert_eq!(u.schema_id, 0x0102_0304);
        assert_eq!(u.payload, b"\x06foo");
        let s = Schema::parse(r#""string""#).unwrap();
        let d = decode_framed(&s, &b).unwrap();
        assert_eq!(
            d.decoded.spans[1].what,
            "schema id 16909060 (4 bytes big-endian)"
        );
        assert_eq!(d.decoded.spans[2].start, 5);
    }

    #[test]
    fn a_json_value_is_an_unknown_magic_byte() {
        let e = unframe(br#"{"amount": 12.5}"#).unwrap_err();
        assert_eq!(e, FrameError::UnknownMagicByte { found: b'{' });
        assert_eq!(e.to_string(), "Unknown magic byte!");
        assert_eq!(e.python_message(), "Invalid magic byte");
        assert_eq!(
            unframe(&[0, 0, 1]).unwrap_err(),
            FrameError::TooShort { size_bytes: 3 }
        );
    }
}
