//! The bytes the application's serializers write, one function per format, all pure:
//!
//! - `string`: `StringSerializer('utf_8')` — the text's UTF-8 bytes;
//! - `json`: `json.dumps(obj).encode('utf-8')` — [`python_json_dumps`];
//! - `avro`: `AvroSerializer(sr, schema_str)` — [`avro_encode`], framed with the schema id the
//!   registry gave (Confluent wire format, `kavro::wire_format`).
//!
//! The registry call that finds the id is not here: it is the driver's (`sim/serializer.rs`).

use crate::scenario::ClientProfile;
use kavro::{JsonError, Schema};
use std::fmt::Write as _;

/// Why a JSON value text is not JSON. In Python the value is an object, and `json.dumps`
/// cannot fail on it; a scenario gives the value as text, so a text that is not JSON is what
/// `json.loads(text)` would refuse (`json.JSONDecodeError`) inside the value serializer, and
/// it surfaces the same way as any serializer error: `ValueSerializationError`, nothing queued.
/// The message is serde_json's (`expected value at line 1 column 1`), not Python's wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonTextError {
    pub message: String,
}

/// The JSON text as Python's `json.dumps(json.loads(text))` writes it with its defaults —
/// `separators=(', ', ': ')` (the default when `indent` is None: one space after `,` and `:`,
/// none elsewhere) and `ensure_ascii=True` (every character outside U+0020–U+007E is a `\uXXXX`
/// escape, UTF-16 surrogate pairs above U+FFFF, except the short escapes `\" \\ \b \f \n \r \t`),
/// object members in the text's order (a Python dict keeps insertion order), integers as
/// written (`-0` becomes `0`), other numbers as Python's `repr(float)` (`1e-05`, `100000.0`,
/// `1e+16`; past the f64 range `Infinity`). Why these and not compact JSON: the lecture's
/// JSON producer is `json.dumps(event).encode('utf-8')`, and its byte count is the one to
/// compare with Avro's. A repeated member name is written each time (Python keeps the last
/// value only): a SIMPLIFICATION.
pub fn python_json_dumps(text: &str) -> Result<String, JsonTextError> {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for t in json_tokens(text)? {
        match t {
            JsonToken::Punct(',') => out.push_str(", "),
            JsonToken::Punct(':') => out.push_str(": "),
            JsonToken::Punct(c) => out.push(c),
            JsonToken::Str(s) => push_python_string(&mut out, &s),
            JsonToken::Number(n) => push_python_number(&mut out, n),
            JsonToken::True => out.push_str("true"),
            JsonToken::False => out.push_str("false"),
            JsonToken::Null => out.push_str("null"),
        }
    }
    Ok(out)
}

/// One token of a JSON text, in the order written (members keep their order: a serde_json map
/// would sort them).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonToken<'a> {
    /// `{ } [ ] , :`
    Punct(char),
    /// A string, decoded.
    Str(String),
    /// A number as written.
    Number(&'a str),
    True,
    False,
    Null,
}

/// The tokens of `text`, which must be one valid JSON value (checked first, so the scan below
/// may trust its syntax). Shared by `json.dumps`'s bytes here and the code export's Python
/// literals.
pub fn json_tokens(text: &str) -> Result<Vec<JsonToken<'_>>, JsonTextError> {
    serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(|e| JsonTextError {
        message: e.to_string(),
    })?;
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\n' | b'\r' => i += 1,
            b'"' => {
                let end = string_end(bytes, i);
                // Valid JSON (checked above), so the literal decodes.
                out.push(JsonToken::Str(
                    serde_json::from_str(&text[i..end]).unwrap_or_default(),
                ));
                i = end;
            }
            b'-' | b'0'..=b'9' => {
                let mut end = i + 1;
                while end < bytes.len()
                    && matches!(bytes[end], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-')
                {
                    end += 1;
                }
                out.push(JsonToken::Number(&text[i..end]));
                i = end;
            }
            b't' => {
                out.push(JsonToken::True);
                i += 4;
            }
            b'f' => {
                out.push(JsonToken::False);
                i += 5;
            }
            b'n' => {
                out.push(JsonToken::Null);
                i += 4;
            }
            c => {
                out.push(JsonToken::Punct(c as char));
                i += 1;
            }
        }
    }
    Ok(out)
}

/// One past the closing quote of the string literal starting at `start`.
fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j + 1,
            _ => j += 1,
        }
    }
    bytes.len()
}

fn push_python_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{u:04x}");
                }
            }
        }
    }
    out.push('"');
}

fn push_python_number(out: &mut String, literal: &str) {
    let integral = !literal.contains(['.', 'e', 'E']);
    if integral {
        // Python ints have no sign of zero.
        if literal.trim_start_matches('-').bytes().all(|b| b == b'0') {
            out.push('0');
        } else {
            out.push_str(literal);
        }
        return;
    }
    let f: f64 = literal.parse().unwrap_or(f64::NAN);
    out.push_str(&python_float_repr(f));
}

/// Python's `repr(float)`: the shortest digits that round-trip, positional for exponents
/// −4..16 (always with a fraction, `100.0`), else scientific with a signed two-digit-or-more
/// exponent (`1e-05`, `1.5e+16`).
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the shortest round-trip digits: `-1.2345e2`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::from(sign);
    if (-4..16).contains(&exp) {
        if exp < 0 {
            out.push_str("0.");
            for _ in 0..(-exp - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        } else {
            let int_len = exp as usize + 1;
            if digits.len() <= int_len {
                out.push_str(&digits);
                for _ in digits.len()..int_len {
                    out.push('0');
                }
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    }
    out
}

/// Why an Avro value text could not be written with its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AvroValueError {
    /// The text is not JSON.
    NotJson(JsonTextError),
    /// The JSON does not match the schema (kavro's message names the field).
    Mismatch(JsonError),
}

impl std::fmt::Display for AvroValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AvroValueError::NotJson(e) => write!(f, "the value is not JSON: {}", e.message),
            AvroValueError::Mismatch(e) => e.fmt(f),
        }
    }
}

/// The Avro value confluent-kafka's AvroSerializer takes for `json`: Avro's JSON encoding
/// first, else the application's plain dict, its scalars converted as fastavro's writer
/// converts them (see [`avro_encode`]). The code export reads values the same way.
pub fn avro_value(schema: &Schema, json: &serde_json::Value) -> Result<kavro::Value, JsonError> {
    avro_value_for(ClientProfile::Librdkafka, schema, json)
}

/// The Avro value the `profile`'s serializer takes for `json`. Java's KafkaAvroSerializer
/// writes a GenericRecord with Avro's GenericDatumWriter, which converts only numbers between
/// numeric types: a string for a `double` is a ClassCastException there
/// (`kavro::Dialect::PlainJava`).
pub fn avro_value_for(
    profile: ClientProfile,
    schema: &Schema,
    json: &serde_json::Value,
) -> Result<kavro::Value, JsonError> {
    let plain = match profile {
        ClientProfile::Librdkafka => kavro::Dialect::Plain,
        ClientProfile::Java => kavro::Dialect::PlainJava,
    };
    kavro::from_json(schema, json)
        .or_else(|_| kavro::json_encoding::from_json_in(schema, json, plain))
}

/// The Avro binary datum (unframed) of a value given in Avro's JSON encoding, or else as the
/// application's plain dict (`kavro::plain_json`: unions bare, decimals as numbers), which is
/// what `AvroSerializer` is handed in a Python program. The JSON encoding is tried first, so
/// every value written that way means what it meant; a value neither reads is refused with
/// the error fastavro's writer would give for the dict (the plain reading's).
pub fn avro_encode(schema: &Schema, text: &str) -> Result<Vec<u8>, AvroValueError> {
    avro_encode_for(ClientProfile::Librdkafka, schema, text)
}

/// [`avro_encode`] by the `profile`'s serializer ([`avro_value_for`]).
pub fn avro_encode_for(
    profile: ClientProfile,
    schema: &Schema,
    text: &str,
) -> Result<Vec<u8>, AvroValueError> {
    let json: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        AvroValueError::NotJson(JsonTextError {
            message: e.to_string(),
        })
    })?;
    let value = avro_value_for(profile, schema, &json).map_err(AvroValueError::Mismatch)?;
    // A value from_json accepted always encodes (same schema, same checks).
    kavro::encode(schema, &value).map_err(|e| {
        AvroValueError::Mismatch(JsonError {
            path: String::new(),
            expected: String::new(),
            found: e.to_string(),
            detail: None,
        })
    })
}

/// Bytes per record of one value in each format, for the side-by-side view ("the same event as
/// JSON": bytes per record). `avro_bytes` counts Confluent's 5-byte header; `None` when the
/// value does not match the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FormatSizes {
    pub json_bytes: Option<usize>,
    pub avro_bytes: Option<usize>,
}

/// The sizes of `text` as `json.dumps` output and as a framed Avro datum of `schema`.
pub fn format_sizes(schema: Option<&Schema>, text: &str) -> FormatSizes {
    FormatSizes {
        json_bytes: python_json_dumps(text).ok().map(|s| s.len()),
        avro_bytes: schema
            .and_then(|s| avro_encode(s, text).ok())
            .map(|b| b.len() + kavro::wire_format::HEADER_BYTES),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_as_python_json_dumps_writes_it() {
        // Each expected string is what CPython 3.11 prints for
        // `json.dumps(json.loads(text))`.
        let cases = [
            (
                r#"{"id":"p-1","amount":12.5,"ok":true,"n":null}"#,
                r#"{"id": "p-1", "amount": 12.5, "ok": true, "n": null}"#,
            ),
            (
                "{ \"b\" : [ 1 , 2 ] , \"a\" : {} }",
                r#"{"b": [1, 2], "a": {}}"#,
            ),
            (
                r#"{"s":"café €😀"}"#,
                r#"{"s": "caf\u00e9 \u20ac\ud83d\ude00"}"#,
            ),
            (
                r#"["tab\there", "q\"", "\u007f"]"#,
                r#"["tab\there", "q\"", "\u007f"]"#,
            ),
            (
                "[1.0, 1e5, 1e-5, 0.0001, 1.5e16, 123456789012345678, -0, -0.0, 1e400]",
                "[1.0, 100000.0, 1e-05, 0.0001, 1.5e+16, 123456789012345678, 0, -0.0, Infinity]",
            ),
            (
                "[0.1, 1e16, 9999999999999998.0, 12.34e1]",
                "[0.1, 1e+16, 9999999999999998.0, 123.4]",
            ),
        ];
        for (text, python) in cases {
            assert_eq!(python_json_dumps(text).unwrap(), python, "{text}");
        }
    }

    #[test]
    fn text_that_is_not_json_is_an_error_with_its_position() {
        let e = python_json_dumps("{amount: 1}").unwrap_err();
        assert!(e.message.contains("line 1 column 2"), "{}", e.message);
        assert!(python_json_dumps("{} x").is_err(), "trailing characters");
    }

    #[test]
    fn avro_is_smaller_than_json_for_the_payment_event() {
        let schema = Schema::parse(
            r#"{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}"#,
        )
        .unwrap();
        let sizes = format_sizes(Some(&schema), r#"{"id": "p-1", "amount": 12.5}"#);
        assert_eq!(
            sizes.json_bytes,
            Some(r#"{"id": "p-1", "amount": 12.5}"#.len())
        );
        // 5 header + 1 length + 3 chars + 8 double.
        assert_eq!(sizes.avro_bytes, Some(17));
        let e = avro_encode(&schema, r#"{"id": "p-1"}"#).unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
    }

    #[test]
    fn the_avro_serializer_takes_the_plain_dict_too() {
        // As AvroSerializer takes a dict: the same bytes as its JSON encoding.
        let decimal = Schema::parse(
            r#"{"type":"record","name":"P","fields":[{"name":"amount","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}},{"name":"note","type":["null","string"]}]}"#,
        )
        .unwrap();
        assert_eq!(
            avro_encode(&decimal, r#"{"amount": 12.50, "note": "hi"}"#).unwrap(),
            avro_encode(
                &decimal,
                r#"{"amount": "\u0004\u00e2", "note": {"string": "hi"}}"#
            )
            .unwrap()
        );
    }
}
