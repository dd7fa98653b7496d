//! The same event in both formats (issue 14, "what the learner sees"): one record's value as
//! JSON (`json.dumps` of the application's dict) beside the same value as Avro (Confluent's
//! wire format: magic byte, 4-byte schema id, Avro binary), bytes per record; and for a batch
//! of [`EVENTS_PER_BATCH`] such events, the record batch v2 each format makes with each codec,
//! encoded by `kwire` with the producer's own compression settings
//! (`producer::batch_compression`).
//!
//! **Simplification, stated in the UI too:** the 1,000 events are made from this one, varied
//! the way real traffic varies, so that compression is not flattered by identical copies. For
//! event `i` (0–999): a string ending in digits gets `i` in place of them, zero-padded to their
//! width (`pay-0001` → `pay-0000` … `pay-0999`); a `timestamp-millis`/`-micros` field moves
//! forward `i` seconds; a `float`, `double` or `decimal` is scaled by a factor in 0.5–1.5 drawn
//! from `i` (SplitMix64, no other state) and kept to two decimals (a decimal to its scale);
//! everything else (enums, booleans, other numbers, bytes) stays as it is. Keys are left out:
//! the comparison is about values. The batch is one batch of 1,000 records; a real producer
//! would split it where `batch.size` says (librdkafka 1,000,000 B, Java 16,384 B).

use kavro::schema::{NamedKind, Node};
use kavro::{Schema, Value};
use kwire::{BatchSpec, Codec, Record};

use crate::scenario::ClientProfile;
use crate::serde_format::python_json_dumps;

/// How many events the batch comparison holds ("a batch of 1,000 such events").
pub const EVENTS_PER_BATCH: usize = 1_000;

/// One record's value in both formats.
#[derive(Debug, Clone, PartialEq)]
pub struct SameEvent {
    /// The schema the Avro form uses, its registry id and subject.
    pub schema: std::sync::Arc<Schema>,
    pub schema_id: u32,
    pub subject: String,
    /// The value as the application holds it.
    pub value: Value,
    /// `json.dumps` of the application's dict.
    pub json_text: String,
    pub json_bytes: usize,
    /// The framed Avro value (5-byte header included).
    pub avro_bytes: usize,
    /// Whose compression the batch comparison uses, at which `compression.level`.
    pub profile: ClientProfile,
    pub compression_level: Option<i32>,
}

/// One codec's batch of the events in each format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecBatchSizes {
    pub codec: Codec,
    pub json_batch_bytes: usize,
    pub avro_batch_bytes: usize,
    /// The codec each batch was written with: librdkafka writes `none` when compressing did
    /// not make the batch smaller.
    pub json_written: Codec,
    pub avro_written: Codec,
}

/// The batch comparison: the events' values in total, then one row per codec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchOfSuchEvents {
    pub events: usize,
    pub json_values_bytes: usize,
    pub avro_values_bytes: usize,
    pub rows: Vec<CodecBatchSizes>,
}

impl SameEvent {
    /// `value` of `schema` (registered as `schema_id` under `subject`) in both formats; the
    /// batch comparison will compress as `profile`'s client does at `compression_level`.
    pub fn of(
        schema: std::sync::Arc<Schema>,
        schema_id: u32,
        subject: String,
        value: Value,
        profile: ClientProfile,
        compression_level: Option<i32>,
    ) -> Option<SameEvent> {
        let json_text = python_json_dumps(&kavro::to_plain_json(&schema, &value)).ok()?;
        let avro_bytes = framed(&schema, schema_id, &value)?.len();
        Some(SameEvent {
            json_bytes: json_text.len(),
            json_text,
            avro_bytes,
            schema,
            schema_id,
            subject,
            value,
            profile,
            compression_level,
        })
    }

    /// [`EVENTS_PER_BATCH`] events made from this one (see the module docs), in one batch per
    /// format and codec, compressed as the producer's client does.
    pub fn batch_of_such_events(&self) -> BatchOfSuchEvents {
        let (profile, level) = (self.profile, self.compression_level);
        let mut json = Vec::with_capacity(EVENTS_PER_BATCH);
        let mut avro = Vec::with_capacity(EVENTS_PER_BATCH);
        for i in 0..EVENTS_PER_BATCH {
            let v = vary(&self.schema, &self.schema.root, &self.value, i as u64);
            let record = |bytes: Vec<u8>| Record {
                timestamp_ms: i as i64,
                key: None,
                value: Some(bytes),
                headers: Vec::new(),
            };
            // A varied value still fits its schema (the same types); should one not, the
            // original stands in.
            let text = python_json_dumps(&kavro::to_plain_json(&self.schema, &v))
                .unwrap_or_else(|_| self.json_text.clone());
            json.push(record(text.into_bytes()));
            avro.push(record(
                framed(&self.schema, self.schema_id, &v)
                    .or_else(|| framed(&self.schema, self.schema_id, &self.value))
                    .unwrap_or_default(),
            ));
        }
        let sum = |rs: &[Record]| {
            rs.iter()
                .map(|r| r.value.as_ref().map_or(0, Vec::len))
                .sum()
        };
        let batch = |records: &[Record], codec: Codec| {
            let spec = BatchSpec {
                compression: crate::producer::batch_compression(profile, codec, level),
                ..BatchSpec::default()
            };
            kwire::encode_batch(&spec, records)
                .map(|e| (e.bytes.len(), e.codec))
                .unwrap_or((0, codec))
        };
        BatchOfSuchEvents {
            events: EVENTS_PER_BATCH,
            json_values_bytes: sum(&json),
            avro_values_bytes: sum(&avro),
            rows: Codec::ALL
                .iter()
                .map(|&codec| {
                    let (json_batch_bytes, json_written) = batch(&json, codec);
                    let (avro_batch_bytes, avro_written) = batch(&avro, codec);
                    CodecBatchSizes {
                        codec,
                        json_batch_bytes,
                        avro_batch_bytes,
                        json_written,
                        avro_written,
                    }
                })
                .collect(),
        }
    }
}

fn framed(schema: &Schema, schema_id: u32, value: &Value) -> Option<Vec<u8>> {
    let payload = kavro::encode(schema, value).ok()?;
    Some(kavro::frame(schema_id, &payload))
}

/// SplitMix64 of `i`: a factor in 0.5..1.5, the same for every run (no state, no seed but `i`).
fn factor(i: u64, salt: u64) -> f64 {
    let mut z = i
        .wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    0.5 + (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Event `i` made from `value` (see the module docs).
fn vary(schema: &Schema, node: &Node, value: &Value, i: u64) -> Value {
    vary_at(schema, node, value, i, 0)
}

fn vary_at(schema: &Schema, node: &Node, value: &Value, i: u64, salt: u64) -> Value {
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    match (node, value) {
        (Node::TimestampMillis | Node::LocalTimestampMillis, Value::Long(t)) => {
            Value::Long(t.saturating_add(i as i64 * 1_000))
        }
        (Node::TimestampMicros | Node::LocalTimestampMicros, Value::Long(t)) => {
            Value::Long(t.saturating_add(i as i64 * 1_000_000))
        }
        (_, Value::Double(x)) => Value::Double(round2(x * factor(i, salt))),
        (_, Value::Float(x)) => Value::Float(round2(*x as f64 * factor(i, salt)) as f32),
        (Node::DecimalBytes(_), Value::Bytes(b)) => Value::Bytes(scale_unscaled(b, i, salt, None)),
        (Node::Named(id), Value::Fixed(b)) => match schema.named(*id).kind {
            NamedKind::Fixed {
                decimal: Some(_),
                size_bytes,
            } => Value::Fixed(scale_unscaled(b, i, salt, Some(size_bytes))),
            _ => value.clone(),
        },
        (_, Value::String(s)) => Value::String(number_string(s, i)),
        (Node::Union(branches), Value::Union(u)) => match branches.get(u.branch as usize) {
            Some(b) => Value::Union(Box::new(kavro::value::UnionValue {
                branch: u.branch,
                value: vary_at(schema, b, &u.value, i, salt),
            })),
            None => value.clone(),
        },
        (Node::Named(id), Value::Record(fields)) => {
            let NamedKind::Record {
                fields: schema_fields,
            } = &schema.named(*id).kind
            else {
                return value.clone();
            };
            Value::Record(
                fields
                    .iter()
                    .enumerate()
                    .map(|(n, f)| kavro::value::FieldValue {
                        name: f.name.clone(),
                        value: match schema_fields.iter().find(|x| x.name == f.name) {
                            Some(sf) => {
                                vary_at(schema, &sf.schema, &f.value, i, salt * 31 + n as u64 + 1)
                            }
                            None => f.value.clone(),
                        },
                    })
                    .collect(),
            )
        }
        (Node::Array(items), Value::Array(vs)) => Value::Array(
            vs.iter()
                .enumerate()
                .map(|(n, v)| vary_at(schema, items, v, i, salt * 31 + n as u64 + 1))
                .collect(),
        ),
        _ => value.clone(),
    }
}

/// `s` with its trailing digits replaced by `i`, zero-padded to their width.
fn number_string(s: &str, i: u64) -> String {
    let digits = s.bytes().rev().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return s.to_string();
    }
    let head = &s[..s.len() - digits];
    format!("{head}{i:0digits$}")
}

/// A decimal's unscaled two's-complement bytes scaled by `factor(i)`, written back the way
/// fastavro sizes them (`kavro::plain_json`), or to the fixed size.
fn scale_unscaled(b: &[u8], i: u64, salt: u64, size: Option<usize>) -> Vec<u8> {
    if b.is_empty() || b.len() > 16 {
        return b.to_vec();
    }
    let mut v: i128 = if b[0] & 0x80 != 0 { -1 } else { 0 };
    for &x in b {
        v = (v << 8) | x as i128;
    }
    let scaled = (v as f64 * factor(i, salt)).round() as i128;
    let bits = 128 - scaled.unsigned_abs().leading_zeros() as usize;
    let len = size.unwrap_or((bits + 8) / 8).min(16);
    scaled.to_be_bytes()[16 - len..].to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYMENT: &str = r#"{"type": "record", "name": "Payment", "namespace": "shop", "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PENDING", "SETTLED", "FAILED"]}},
        {"name": "note", "type": ["null", "string"], "default": null}]}"#;

    fn lesson_event() -> SameEvent {
        let schema = std::sync::Arc::new(Schema::parse(PAYMENT).unwrap());
        let plain = serde_json::from_str(
            r#"{"payment_id": "pay-0001", "amount": 12.50, "timestamp": 1700000000000, "status": "SETTLED", "note": "Made a payment of $12.50 to Bob"}"#,
        )
        .unwrap();
        let value = kavro::from_plain_json(&schema, &plain).unwrap();
        SameEvent::of(
            schema,
            1,
            "payments-value".into(),
            value,
            ClientProfile::Librdkafka,
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_lesson_payment_is_134_bytes_as_json_and_57_as_avro() {
        // The serialization lesson's numbers, which its golden log holds too.
        let e = lesson_event();
        assert_eq!(e.json_bytes, 134, "{}", e.json_text);
        assert_eq!(e.avro_bytes, 57);
        // json.loads reads 12.50 as the float 12.5, which json.dumps writes back as 12.5.
        assert!(e
            .json_text
            .starts_with(r#"{"payment_id": "pay-0001", "amount": 12.5,"#));
    }

    #[test]
    fn a_batch_of_such_events_varies_them_and_avro_stays_smaller_under_every_codec() {
        let e = lesson_event();
        let b = e.batch_of_such_events();
        assert_eq!(b.events, 1000);
        assert_eq!(b.rows.len(), 5);
        // Values: ids numbered, amounts varied: not 1,000 copies.
        assert!(
            b.json_values_bytes > 1000 * 120 && b.json_values_bytes < 1000 * 140,
            "{}",
            b.json_values_bytes
        );
        assert!(b.avro_values_bytes < b.json_values_bytes / 2 + 1000 * 10);
        for r in &b.rows {
            assert!(r.avro_batch_bytes < r.json_batch_bytes, "{r:?}");
        }
        let none = b.rows[0];
        assert_eq!(none.codec, Codec::None);
        assert!(
            none.json_batch_bytes > b.json_values_bytes,
            "records add their own framing"
        );
        // Compression narrows the gap (the field names JSON repeats compress well) but does
        // not close it.
        let gzip = b.rows.iter().find(|r| r.codec == Codec::Gzip).unwrap();
        assert_eq!(gzip.json_written, Codec::Gzip);
        let raw_ratio = none.json_batch_bytes as f64 / none.avro_batch_bytes as f64;
        let gzip_ratio = gzip.json_batch_bytes as f64 / gzip.avro_batch_bytes as f64;
        assert!(gzip_ratio < raw_ratio, "{gzip_ratio} vs {raw_ratio}");
        assert!(
            gzip.json_batch_bytes < none.json_batch_bytes / 3,
            "{gzip:?}"
        );
        // Deterministic: the same table every time.
        assert_eq!(b, e.batch_of_such_events());
    }

    #[test]
    fn event_i_numbers_ids_moves_time_and_scales_amounts() {
        assert_eq!(number_string("pay-0001", 7), "pay-0007");
        assert_eq!(number_string("pay-01", 123), "pay-123");
        assert_eq!(number_string("bob", 7), "bob");
        let e = lesson_event();
        let v = vary(&e.schema, &e.schema.root, &e.value, 42);
        let text = kavro::to_plain_json(&e.schema, &v);
        assert!(text.contains(r#""payment_id": "pay-0042""#), "{text}");
        assert!(text.contains(r#""timestamp": 1700000042000"#), "{text}");
        assert!(text.contains(r#""status": "SETTLED""#), "{text}");
        assert!(!text.contains(r#""amount": 12.50"#), "{text}");
        for i in 0..1000 {
            let f = factor(i, 3);
            assert!((0.5..1.5).contains(&f));
        }
    }
}
