//! The Avro benchmark workload, shared by `kplay bench avro` (native) and `crates/knode`
//! (wasm in Node.js, `web/bench/codecs.mjs`), so both time the same work: the lecture's payment
//! event, [`EVENTS`] deterministic events, encoded and decoded (the binary encoding, and the
//! decode with every byte span the inspector's hex view shows). Timing is the caller's: this
//! crate reads no clock.

use crate::{binary, frame, from_json, Schema, Value};

/// The lecture's payment event.
pub const PAYMENT_SCHEMA: &str = r#"{"type": "record", "name": "Payment", "namespace": "shop",
 "fields": [
  {"name": "payment_id", "type": "string"},
  {"name": "amount", "type": "double"},
  {"name": "currency", "type": "string", "default": "EUR"},
  {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "status", "type": {"type": "enum", "name": "Status",
                              "symbols": ["PENDING", "SETTLED", "FAILED"]}}]}"#;

/// Events per run.
pub const EVENTS: usize = 1000;

/// The i-th payment event as JSON text.
pub fn event_json(i: usize) -> String {
    let statuses = ["PENDING", "SETTLED", "FAILED"];
    format!(
        r#"{{"payment_id": "pay-{:06}", "amount": {}.{:02}, "currency": "{}", "timestamp": {}, "status": "{}"}}"#,
        i,
        (i * 37) % 5000,
        (i * 13) % 100,
        ["EUR", "USD", "GBP"][i % 3],
        1_700_000_000_000i64 + (i as i64) * 250,
        statuses[i % 3]
    )
}

/// The events, parsed, and their encodings.
pub struct AvroWorkload {
    pub schema: Schema,
    pub texts: Vec<String>,
    pub values: Vec<Value>,
    pub encoded: Vec<Vec<u8>>,
}

impl AvroWorkload {
    /// [`EVENTS`] payment events.
    pub fn payments() -> AvroWorkload {
        let schema = Schema::parse(PAYMENT_SCHEMA).expect("the payment schema parses");
        let texts: Vec<String> = (0..EVENTS).map(event_json).collect();
        let values: Vec<Value> = texts
            .iter()
            .map(|t| {
                let json: serde_json::Value = serde_json::from_str(t).expect("event JSON");
                from_json(&schema, &json).expect("events match the schema")
            })
            .collect();
        let encoded = values
            .iter()
            .map(|v| binary::encode(&schema, v).expect("encodes"))
            .collect();
        AvroWorkload {
            schema,
            texts,
            values,
            encoded,
        }
    }

    /// Bytes of every event as Confluent-framed Avro (5-byte header included).
    pub fn avro_bytes(&self) -> usize {
        self.encoded.iter().map(|e| frame(1, e).len()).sum()
    }

    /// Bytes of every event as JSON text.
    pub fn json_bytes(&self) -> usize {
        self.texts.iter().map(String::len).sum()
    }

    /// Bytes of every Avro payload (no header).
    pub fn payload_bytes(&self) -> usize {
        self.encoded.iter().map(Vec::len).sum()
    }

    /// Encodes every event once; the bytes written (keeps the work observable).
    pub fn encode_all(&self) -> usize {
        self.values
            .iter()
            .map(|v| {
                std::hint::black_box(binary::encode(&self.schema, std::hint::black_box(v)))
                    .map_or(0, |b| b.len())
            })
            .sum()
    }

    /// Decodes every event once; the events decoded.
    pub fn decode_all(&self) -> usize {
        self.encoded
            .iter()
            .filter(|e| {
                std::hint::black_box(binary::decode(&self.schema, std::hint::black_box(e))).is_ok()
            })
            .count()
    }

    /// Decodes every event with its byte spans once; the spans made.
    pub fn layout_all(&self) -> usize {
        self.encoded
            .iter()
            .map(|e| {
                std::hint::black_box(binary::decode_with_layout(
                    &self.schema,
                    std::hint::black_box(e),
                    0,
                ))
                .map_or(0, |d| d.spans.len())
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workload_round_trips() {
        let w = AvroWorkload::payments();
        assert_eq!(w.decode_all(), EVENTS);
        assert_eq!(w.encode_all(), w.payload_bytes());
        assert_eq!(w.avro_bytes(), w.payload_bytes() + 5 * EVENTS);
        assert!(w.layout_all() > 5 * EVENTS);
        assert!(w.avro_bytes() * 3 < w.json_bytes());
    }
}
