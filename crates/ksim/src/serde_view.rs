//! What a consumer of a topic gets for a stored record's key or value bytes, computed by the
//! core so the UI never decodes Kafka data itself: `Simulation::deserialize` picks the
//! deserializer a consumer of that topic would use — the topic's Avro deserializer
//! (`AvroDeserializer(sr)` / Java `KafkaAvroDeserializer`) when the registry has the topic's
//! subject, `json.loads` when the application writes the topic as JSON, else
//! `StringDeserializer('utf_8')` — and returns the decoded value or the deserializer's error,
//! with the annotated byte layout for the hex view.
//!
//! Mixing formats in one topic is allowed, as Kafka allows it; a JSON record in an Avro topic
//! is what the lecture's consistency point is about: the Avro deserializer refuses it. Its
//! message is the client's: confluent-kafka Python 2.16's `SerializationError("Invalid magic
//! byte")` for the librdkafka profile, Java's `SerializationException("Unknown magic byte!")`
//! for the Java profile (`kavro::FrameError`).

use crate::scenario::{ClientProfile, SerdeFormat};
use kavro::wire_format::HEADER_BYTES;
use serde::{Deserialize, Serialize};

/// One annotated byte range of a value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ByteSpan {
    pub start: usize,
    pub end: usize,
    /// The field (`amount`, `items[2].name`); empty for the whole value or the header.
    pub path: String,
    /// What the bytes are (`magic byte 0 …`, `schema id 1 …`, `zig-zag varint long = 1500`).
    pub what: String,
}

/// A record's key or value as a consumer of its topic reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeserializedValue {
    /// The deserializer the topic's consumer uses.
    pub deserializer: SerdeFormat,
    /// The bytes' size.
    pub size_bytes: usize,
    /// What the consumer gets: Avro as the dict `AvroDeserializer` returns, written as plain
    /// JSON (`kavro::plain_json`: unions bare, decimals as numbers); JSON and strings as their
    /// text.
    pub text: Option<String>,
    /// The schema id in the bytes (Avro).
    pub schema_id: Option<u32>,
    /// The subject the registry has the id under, if the id is known.
    pub subject: Option<String>,
    /// The deserializer's exception and message when it refuses the bytes, e.g.
    /// `SerializationError: Invalid magic byte`.
    pub error: Option<String>,
    pub spans: Vec<ByteSpan>,
}

/// The exception name each client raises from a deserializer.
pub fn deserializer_error_name(profile: ClientProfile) -> &'static str {
    match profile {
        ClientProfile::Librdkafka => "SerializationError",
        ClientProfile::Java => "SerializationException",
    }
}

/// `bytes` through a string deserializer: Python's `bytes.decode('utf_8')` raises on invalid
/// UTF-8 (UnicodeDecodeError inside the deserializer); Java's `StringDeserializer` replaces it.
pub fn as_string(bytes: &[u8], profile: ClientProfile) -> DeserializedValue {
    let mut v = empty(SerdeFormat::String, bytes.len());
    match std::str::from_utf8(bytes) {
        Ok(s) => v.text = Some(s.to_string()),
        Err(e) => match profile {
            ClientProfile::Java => v.text = Some(String::from_utf8_lossy(bytes).into_owned()),
            ClientProfile::Librdkafka => {
                v.error = Some(format!(
                    "{}: {}",
                    deserializer_error_name(profile),
                    python_utf8_error(bytes, &e)
                ))
            }
        },
    }
    v.spans.push(ByteSpan {
        start: 0,
        end: bytes.len(),
        path: String::new(),
        what: format!("{} bytes of UTF-8 text", bytes.len()),
    });
    v
}

/// CPython's `UnicodeDecodeError` text for `bytes.decode('utf-8')`, which StringDeserializer
/// passes on as its SerializationError: a byte that cannot start a sequence, a lead byte whose
/// next byte does not continue it, or a sequence cut off by the end (all its bytes named).
fn python_utf8_error(bytes: &[u8], e: &std::str::Utf8Error) -> String {
    let at = e.valid_up_to();
    let b = bytes[at];
    match e.error_len() {
        None if bytes.len() - at > 1 => format!(
            "'utf-8' codec can't decode bytes in position {at}-{}: unexpected end of data",
            bytes.len() - 1
        ),
        None => format!(
            "'utf-8' codec can't decode byte 0x{b:02x} in position {at}: unexpected end of data"
        ),
        Some(_) => {
            // Bytes that never start a sequence: continuations, the overlong C0/C1, F5–FF.
            let reason = if matches!(b, 0x80..=0xc1 | 0xf5..=0xff) {
                "invalid start byte"
            } else {
                "invalid continuation byte"
            };
            format!("'utf-8' codec can't decode byte 0x{b:02x} in position {at}: {reason}")
        }
    }
}

/// `bytes` through `json.loads`.
pub fn as_json(bytes: &[u8], profile: ClientProfile) -> DeserializedValue {
    let mut v = as_string(bytes, profile);
    v.deserializer = SerdeFormat::Json;
    if let Some(text) = &v.text {
        if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(text) {
            v.error = Some(format!("{}: {e}", deserializer_error_name(profile)));
            v.text = None;
        }
    }
    if let Some(s) = v.spans.first_mut() {
        s.what = format!("{} bytes of JSON text", bytes.len());
    }
    v
}

pub(crate) fn empty(deserializer: SerdeFormat, size_bytes: usize) -> DeserializedValue {
    DeserializedValue {
        deserializer,
        size_bytes,
        text: None,
        schema_id: None,
        subject: None,
        error: None,
        spans: Vec::new(),
    }
}

/// `bytes` through the topic's Avro deserializer, with `schema_of(id)` the registry's
/// `GET /schemas/ids/{id}` (schema and one subject it is under).
pub fn as_avro(
    bytes: &[u8],
    profile: ClientProfile,
    schema_of: impl Fn(u32) -> Option<(std::sync::Arc<kavro::Schema>, String)>,
) -> DeserializedValue {
    let mut v = empty(SerdeFormat::Avro, bytes.len());
    let err_name = deserializer_error_name(profile);
    // The Python deserializer wants more than the 5-byte header (`if len(data) <= 5` in
    // confluent_kafka/schema_registry/_sync/avro.py); Java's reads a header-only value.
    let header_only = profile == ClientProfile::Librdkafka && bytes.len() <= HEADER_BYTES;
    let framed = if header_only {
        Err(kavro::FrameError::TooShort {
            size_bytes: bytes.len(),
        })
    } else {
        kavro::unframe(bytes)
    };
    let unframed = match framed {
        Ok(u) => u,
        Err(e) => {
            let message = match profile {
                ClientProfile::Librdkafka => e.python_message(),
                ClientProfile::Java => e.to_string(),
            };
            v.error = Some(format!("{err_name}: {message}"));
            return v;
        }
    };
    v.schema_id = Some(unframed.schema_id);
    let Some((schema, subject)) = schema_of(unframed.schema_id) else {
        // The registry answers 404 with error code 40403 for an unknown id. The Python client
        // lets the registry client's SchemaRegistryError through unwrapped.
        let name = match profile {
            ClientProfile::Librdkafka => "SchemaRegistryError",
            ClientProfile::Java => err_name,
        };
        v.error = Some(format!(
            "{name}: Schema {} not found (HTTP status code 404, SR code 40403)",
            unframed.schema_id
        ));
        return v;
    };
    v.subject = Some(subject);
    match kavro::decode_framed(&schema, bytes) {
        Ok(d) => {
            v.text = Some(kavro::to_plain_json(&schema, &d.decoded.value));
            v.spans = d
                .decoded
                .spans
                .into_iter()
                .map(|s| ByteSpan {
                    start: s.start,
                    end: s.end,
                    path: s.path,
                    what: s.what,
                })
                .collect();
        }
        Err(e) => v.error = Some(format!("{err_name}: {e}")),
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_utf8_is_described_as_cpython_describes_it() {
        // The texts CPython 3.11's bytes.decode('utf-8') gives for each input.
        for (hex, want) in [
            (
                "e2",
                "can't decode byte 0xe2 in position 0: unexpected end of data",
            ),
            (
                "6162e282",
                "can't decode bytes in position 2-3: unexpected end of data",
            ),
            (
                "8078",
                "can't decode byte 0x80 in position 0: invalid start byte",
            ),
            (
                "e22878",
                "can't decode byte 0xe2 in position 0: invalid continuation byte",
            ),
            (
                "c0af",
                "can't decode byte 0xc0 in position 0: invalid start byte",
            ),
            (
                "eda080",
                "can't decode byte 0xed in position 0: invalid continuation byte",
            ),
            (
                "ff",
                "can't decode byte 0xff in position 0: invalid start byte",
            ),
            (
                "6f6bf09f98",
                "can't decode bytes in position 2-4: unexpected end of data",
            ),
        ] {
            let bytes: Vec<u8> = (0..hex.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                .collect();
            let v = as_string(&bytes, ClientProfile::Librdkafka);
            assert_eq!(
                v.error.as_deref(),
                Some(format!("SerializationError: 'utf-8' codec {want}").as_str()),
                "{hex}"
            );
        }
    }
}
