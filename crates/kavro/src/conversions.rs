//! How each client's Avro writer converts a scalar the program holds, when it is not already
//! of the field's type.
//!
//! - confluent-kafka's `AvroSerializer` calls fastavro's `schemaless_writer` with
//!   `strict=False` (`confluent_kafka/schema_registry/_sync/avro.py`), whose writers convert as
//!   Python does: `float(x)` for `float` and `double`, a C cast of the number for `int` and
//!   `long`, `bool(x)` for `boolean` (`fastavro/_write.pyx`).
//! - Java's `KafkaAvroSerializer` writes a GenericRecord with Avro's `GenericDatumWriter`
//!   (`org.apache.avro.generic.GenericDatumWriter.writeWithoutConversion`), which casts:
//!   `((Number) datum).longValue()` for `long` and so on, and nothing for the other types.
//!
//! Checked against fastavro 1.12.1 (`tests/oracle/test_avro.py`, `ConversionsMatchFastavro`)
//! and Apache Avro 1.11.2 (`tests/oracle/test_codegen_java_serializers.py`).

use serde_json::Value as Json;

/// Python's truth of the value a program holds (`bool(x)`), which fastavro's boolean writer
/// writes: `false`, `0`, `""`, `[]`, `{}` and `None` are false, everything else true.
pub(crate) fn truthy(json: &Json) -> bool {
    match json {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(m) => !m.is_empty(),
    }
}

/// The integer fastavro's int and long writers write: a JSON integer, a fraction truncated
/// toward zero (as a C cast of a Python float), or a boolean as 0 or 1; `None` for anything
/// else (fastavro: "an integer is required").
pub(crate) fn as_python_int(json: &Json) -> Option<i64> {
    match json {
        Json::Bool(b) => Some(i64::from(*b)),
        Json::Number(n) => n.as_i64().or_else(|| {
            let x = n.as_f64()?.trunc();
            (x.is_finite() && x >= i64::MIN as f64 && x < i64::MAX as f64).then_some(x as i64)
        }),
        _ => None,
    }
}

/// What Python's `float(x)` gives, which fastavro's float and double writers write: a number,
/// a boolean as 0.0 or 1.0, or a string Python reads as a float (whitespace around it,
/// `inf`, `nan`, `1_000.5`); else Python's error.
pub(crate) fn as_python_float(json: &Json) -> Result<f64, String> {
    match json {
        Json::Bool(b) => Ok(f64::from(u8::from(*b))),
        Json::Number(n) => n.as_f64().ok_or_else(|| "not a number".into()),
        Json::String(s) => {
            python_float_text(s).ok_or_else(|| format!("could not convert string to float: '{s}'"))
        }
        Json::Null => {
            Err("float() argument must be a string or a real number, not 'NoneType'".into())
        }
        Json::Array(_) => {
            Err("float() argument must be a string or a real number, not 'list'".into())
        }
        Json::Object(_) => {
            Err("float() argument must be a string or a real number, not 'dict'".into())
        }
    }
}

/// Python's float literal syntax for `float(str)`: surrounding whitespace, a sign, digits with
/// single underscores between them, a point, an exponent; or `inf`, `infinity`, `nan` in any
/// case.
fn python_float_text(text: &str) -> Option<f64> {
    let t = text.trim();
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let lower = unsigned.to_ascii_lowercase();
    if lower == "inf" || lower == "infinity" || lower == "nan" {
        let v = if lower == "nan" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if t.starts_with('-') { -v } else { v });
    }
    let bytes = t.as_bytes();
    let mut plain = String::with_capacity(t.len());
    for (i, &c) in bytes.iter().enumerate() {
        match c {
            b'_' => {
                let digit = |j: Option<&u8>| j.is_some_and(u8::is_ascii_digit);
                if !(i > 0 && digit(bytes.get(i - 1)) && digit(bytes.get(i + 1))) {
                    return None;
                }
            }
            b'0'..=b'9' | b'+' | b'-' | b'.' | b'e' | b'E' => plain.push(c as char),
            _ => return None,
        }
    }
    if !plain.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    plain.parse::<f64>().ok()
}

/// What Avro Java's writer makes of a number for an `int` or `long`: `Number.longValue()`, a
/// fraction truncated toward zero; `None` for anything that is not a number (a Boolean or a
/// String is a ClassCastException there).
pub(crate) fn as_java_long(json: &Json) -> Option<i64> {
    match json {
        Json::Number(_) => as_python_int(json),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_reads_text_as_python_does() {
        for (text, want) in [
            ("12.50", Some(12.5)),
            (" 12.5\n", Some(12.5)),
            ("1_000.5", Some(1000.5)),
            ("1e3", Some(1000.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("inf", Some(f64::INFINITY)),
            ("12,50", None),
            ("1__0", None),
            ("_1", None),
            ("1_", None),
            ("", None),
            (".", None),
            ("e3", None),
            ("0x10", None),
        ] {
            assert_eq!(python_float_text(text), want, "{text:?}");
        }
        assert!(python_float_text("NaN").is_some_and(f64::is_nan));
    }

    #[test]
    fn ints_truncate_toward_zero_and_booleans_count() {
        let j = |s: &str| serde_json::from_str::<Json>(s).unwrap();
        assert_eq!(as_python_int(&j("12.7")), Some(12));
        assert_eq!(as_python_int(&j("-12.7")), Some(-12));
        assert_eq!(as_python_int(&j("true")), Some(1));
        assert_eq!(as_python_int(&j("\"12\"")), None);
        assert_eq!(as_java_long(&j("true")), None);
        assert_eq!(as_java_long(&j("12.7")), Some(12));
        assert!(truthy(&j("\"no\"")) && !truthy(&j("\"\"")) && !truthy(&j("0")));
    }
}
