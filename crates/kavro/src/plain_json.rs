//! The application's value as plain JSON: what a Python program holds in a dict before it
//! passes it to `json.dumps` or to confluent-kafka's `AvroSerializer` (whose fastavro writer
//! takes the same dict). It differs from Avro's JSON encoding ([`crate::json_encoding`]) where
//! the specification's encoding carries Avro types the application does not write:
//!
//! - a union's value is bare (`"a"`, not `{"string": "a"}`); the writer picks the branch. As
//!   fastavro's `write_union` does, the first branch (in schema order) that takes the value
//!   wins, with `bytes` and plain `fixed` branches tried last (a Python `str` is never bytes);
//! - a `decimal` is a number (Python holds a `decimal.Decimal`), turned into its unscaled
//!   two's-complement bytes the way fastavro's `prepare_bytes_decimal` does: as many bytes as
//!   `(bit_length(|unscaled|) + 8) / 8`, and an error when the number has more fractional
//!   digits than the scale or more digits than the precision;
//! - `bytes` and plain `fixed` have no plain JSON form (`json.dumps` refuses Python bytes):
//!   they stay strings of code points U+0000–U+00FF, as in the Avro JSON encoding;
//! - dates, times and timestamps stay their numbers (a program would hold `datetime`s);
//! - outside a union, scalars are converted as fastavro's writer converts them, since
//!   confluent-kafka's `AvroSerializer` calls `schemaless_writer` with `strict=False`
//!   (`confluent_kafka/schema_registry/_sync/avro.py`): a `float`/`double` takes what Python's
//!   `float()` takes (a number, a boolean, a numeric string such as `"12.50"`); an
//!   `int`/`long` takes a number, a fraction truncated toward zero, or a boolean, but no string;
//!   a `boolean` takes any value by its Python truth (`"no"` is true); a missing field with no
//!   default is null when its type takes null. A union's branch is picked without conversion,
//!   as `write_union` checks each branch with `validate()`. One difference, on purpose: an
//!   `int` outside 32 bits is refused here, where fastavro writes it as a longer varint that
//!   Avro's readers refuse. Checked against fastavro 1.12.1 (`tests/oracle/test_avro.py`).
//!
//! The JSON written here uses `json.dumps`'s separators (`", "`, `": "`), fields in schema order.

use serde_json::Value as Json;

use crate::json_encoding::{self, Dialect, JsonError};
use crate::schema::{Decimal, NamedKind, Node, Schema};
use crate::value::Value;

/// Reads a value of `schema` from the application's plain JSON.
pub fn from_plain_json(schema: &Schema, json: &Json) -> Result<Value, JsonError> {
    json_encoding::from_json_in(schema, json, Dialect::Plain)
}

/// Writes `value` (a datum of `schema`) as the application's plain JSON.
pub fn to_plain_json(schema: &Schema, value: &Value) -> String {
    json_encoding::to_json_in(schema, value, Dialect::Plain)
}

/// Whether `node` takes a string of code points as bytes (tried last among union branches).
fn bytes_like(schema: &Schema, node: &Node) -> bool {
    match node {
        Node::Bytes => true,
        Node::Named(id) => matches!(
            schema.named(*id).kind,
            NamedKind::Fixed { decimal: None, .. }
        ),
        _ => false,
    }
}

/// The union branch a plain value goes to, and the value read as that branch.
pub(crate) fn union_branch(
    schema: &Schema,
    branches: &[Node],
    json: &Json,
    path: &mut String,
    depth: usize,
) -> Option<(usize, Value)> {
    if json.is_null() {
        return branches
            .iter()
            .position(|b| *b == Node::Null)
            .map(|i| (i, Value::Null));
    }
    for last in [false, true] {
        for (i, b) in branches.iter().enumerate() {
            if *b == Node::Null || bytes_like(schema, b) != last {
                continue;
            }
            let len = path.len();
            let read = json_encoding::read(schema, b, json, path, depth + 1, Dialect::PlainBranch);
            path.truncate(len);
            if let Ok(v) = read {
                return Some((i, v));
            }
        }
    }
    None
}

/// A plain number as a decimal's unscaled big-endian two's-complement bytes (fastavro's
/// `prepare_bytes_decimal`; `size` pads a `fixed` decimal, as `prepare_fixed_decimal` does).
pub(crate) fn decimal_bytes(
    json: &Json,
    d: Decimal,
    size: Option<usize>,
) -> Result<Vec<u8>, String> {
    let Json::Number(n) = json else {
        return Err("a decimal is a number".into());
    };
    let text = n.to_string();
    let (negative, digits, exponent) = parse_decimal(&text).ok_or("not a decimal number")?;
    let digits = digits.trim_start_matches('0');
    if digits.len() as u64 > u64::from(d.precision) {
        return Err(format!(
            "{} digits, more than the precision {}",
            digits.len(),
            d.precision
        ));
    }
    let delta = exponent + i64::from(d.scale);
    if delta < 0 {
        return Err(format!("more fractional digits than the scale {}", d.scale));
    }
    let mut unscaled: u128 = 0;
    for c in digits
        .chars()
        .chain(std::iter::repeat_n('0', delta as usize))
    {
        unscaled = unscaled
            .checked_mul(10)
            .and_then(|u| u.checked_add(u128::from(c as u8 - b'0')))
            .ok_or("too large for this playground (over 38 digits)")?;
    }
    if unscaled > i128::MAX as u128 {
        return Err("too large for this playground (over 38 digits)".into());
    }
    let bits = 128 - unscaled.leading_zeros() as usize;
    let natural = (bits + 8) / 8;
    let value = if negative {
        -(unscaled as i128)
    } else {
        unscaled as i128
    };
    let len = match size {
        Some(s) if s < natural => return Err(format!("does not fit in {s} bytes")),
        Some(s) => s,
        None => natural,
    };
    let full = value.to_be_bytes();
    let fill = if value < 0 { 0xff } else { 0 };
    let mut out = vec![fill; len.saturating_sub(16)];
    out.extend_from_slice(&full[16usize.saturating_sub(len)..]);
    Ok(out)
}

/// A JSON number's text as (negative, digits without the point, decimal exponent).
fn parse_decimal(text: &str) -> Option<(bool, String, i64)> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, text),
    };
    let (mantissa, exp) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], rest[i + 1..].parse::<i64>().ok()?),
        None => (rest, 0),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    if int.is_empty() || !(int.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((
        negative,
        format!("{int}{frac}"),
        exp.checked_sub(frac.len() as i64)?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The lecture's payment event, as the serialization lesson's schema has it.
    const PAYMENT: &str = r#"{"type": "record", "name": "Payment", "namespace": "shop", "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PENDING", "SETTLED", "FAILED"]}},
        {"name": "note", "type": ["null", "string"], "default": null}]}"#;

    fn json(text: &str) -> Json {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn the_plain_payment_is_the_avro_encoded_one_without_its_tags() {
        let schema = Schema::parse(PAYMENT).unwrap();
        let plain = r#"{"payment_id": "pay-0001", "amount": 12.50, "timestamp": 1700000000000, "status": "SETTLED", "note": "Made a payment of $12.50 to Bob"}"#;
        let avro = r#"{"payment_id": "pay-0001", "amount": "\u0004\u00e2", "timestamp": 1700000000000, "status": "SETTLED", "note": {"string": "Made a payment of $12.50 to Bob"}}"#;
        let from_plain = from_plain_json(&schema, &json(plain)).unwrap();
        assert_eq!(from_plain, crate::from_json(&schema, &json(avro)).unwrap());
        assert_eq!(
            to_plain_json(&schema, &from_plain),
            plain,
            "decimals keep the scale's digits"
        );
        let no_note = from_plain_json(&schema, &json(r#"{"payment_id": "p", "amount": 1, "timestamp": 0, "status": "PENDING", "note": null}"#)).unwrap();
        assert!(to_plain_json(&schema, &no_note).ends_with(r#""note": null}"#));
    }

    #[test]
    fn decimals_follow_fastavro_prepare_bytes_decimal() {
        let d = Decimal {
            precision: 10,
            scale: 2,
        };
        for (number, bytes) in [
            ("12.5", vec![0x04, 0xe2]),
            ("0", vec![0x00]),
            ("1.27", vec![0x7f]),
            ("1.28", vec![0x00, 0x80]),
            ("-1.28", vec![0xff, 0x80]),
            ("-0.01", vec![0xff]),
            ("1.5e1", vec![0x05, 0xdc]),
        ] {
            assert_eq!(
                decimal_bytes(&json(number), d, None).unwrap(),
                bytes,
                "{number}"
            );
        }
        assert_eq!(
            decimal_bytes(&json("1.5"), d, Some(4)).unwrap(),
            [0, 0, 0, 150]
        );
        assert_eq!(
            decimal_bytes(&json("-1.5"), d, Some(4)).unwrap(),
            [0xff, 0xff, 0xff, 0x6a]
        );
        assert!(decimal_bytes(&json("1.005"), d, None)
            .unwrap_err()
            .contains("scale 2"));
        assert!(decimal_bytes(&json("123456789.01"), d, None)
            .unwrap_err()
            .contains("precision 10"));
        assert!(decimal_bytes(&json("\"1.5\""), d, None).is_err());
    }

    #[test]
    fn a_bare_union_value_goes_to_the_first_branch_that_takes_it() {
        let schema = Schema::parse(
            r#"{"type": "record", "name": "R", "fields": [
            {"name": "a", "type": ["null", "int", "long", "string"]},
            {"name": "b", "type": ["bytes", "string"]}]}"#,
        )
        .unwrap();
        let branch = |text: &str, field: &str| match from_plain_json(&schema, &json(text))
            .unwrap()
            .field(field)
        {
            Some(Value::Union(u)) => u.branch,
            other => panic!("{other:?}"),
        };
        assert_eq!(branch(r#"{"a": 5, "b": "x"}"#, "a"), 1, "int");
        assert_eq!(
            branch(r#"{"a": 5000000000, "b": "x"}"#, "a"),
            2,
            "beyond int: long"
        );
        assert_eq!(branch(r#"{"a": "s", "b": "x"}"#, "a"), 3);
        assert_eq!(branch(r#"{"a": null, "b": "x"}"#, "a"), 0);
        assert_eq!(
            branch(r#"{"a": 1, "b": "x"}"#, "b"),
            1,
            "a str is never bytes"
        );
        let err = from_plain_json(&schema, &json(r#"{"a": true, "b": "x"}"#)).unwrap_err();
        assert_eq!(err.path, "a");
        assert!(
            err.to_string().contains("no branch of the union takes it"),
            "{err}"
        );
    }
}
