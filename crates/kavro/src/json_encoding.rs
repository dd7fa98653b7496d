//! Avro's JSON encoding (Avro specification 1.11, "JSON Encoding"), both ways:
//!
//! - a union value is `null`, or an object with one member whose name is the branch's type
//!   name (the full name for records, enums and fixed) and whose value is the branch's value:
//!   `{"string": "a"}`, `{"com.acme.Money": {...}}`;
//! - `bytes` and `fixed` are strings whose code points U+0000–U+00FF are the bytes;
//! - records are objects, maps objects, arrays arrays, enums their symbol as a string;
//! - logical types use their underlying type's encoding (a `date` is its int).
//!
//! Reading JSON is also what a serializer does with the application's value, so it follows
//! confluent-kafka's `AvroSerializer` (fastavro underneath) where the specification is silent:
//! a record field that is absent takes the field's default, members that are not fields are
//! ignored, and a value that does not fit fails with a message naming the field, in the form
//! of fastavro's (`'abc' (a JSON string) does not match "double" on field amount`).
//! `NaN`, `Infinity` and `-Infinity` are strings for `float`/`double`, as Java's JsonEncoder
//! writes them.
//!
//! Output JSON is written here, in schema field order and map order.

use std::fmt;

use serde_json::Value as Json;

use crate::conversions;

use crate::binary::MAX_VALUE_DEPTH;
use crate::schema::{NamedKind, Node, Schema};
use crate::value::{EnumSymbol, FieldValue, MapEntry, UnionValue, Value};

/// A JSON value that does not match the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// The field (`amount`, `items[2].name`); empty for the root.
    pub path: String,
    /// The schema there, described (`"double"`, `["null", "string"]`).
    pub expected: String,
    /// The JSON that was given, shortened.
    pub found: String,
    /// More detail where the type alone does not say it (`not one of its symbols`).
    pub detail: Option<String>,
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} does not match {}", self.found, self.expected)?;
        if let Some(d) = &self.detail {
            write!(f, " ({d})")?;
        }
        if !self.path.is_empty() {
            write!(f, " on field {}", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for JsonError {}

fn json_kind(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "a JSON boolean",
        Json::Number(_) => "a JSON number",
        Json::String(_) => "a JSON string",
        Json::Array(_) => "a JSON array",
        Json::Object(_) => "a JSON object",
    }
}

fn shown(j: &Json) -> String {
    let text = match j {
        Json::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    let cut: String = text.chars().take(40).collect();
    let cut = if cut.len() < text.len() {
        format!("{cut}…")
    } else {
        cut
    };
    format!("{cut} ({})", json_kind(j))
}

/// Which JSON a value is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// The specification's JSON encoding (unions tagged, decimals as their unscaled bytes).
    AvroJson,
    /// The application's plain value (`crate::plain_json`): unions bare, decimals numbers, and
    /// scalars converted as fastavro's writer converts them (`crate::conversions`).
    Plain,
    /// The plain value as fastavro's `validate()` checks it when `write_union` picks a branch:
    /// the same as [`Dialect::Plain`] but with no conversion of scalars.
    PlainBranch,
    /// The plain value as Avro Java's `GenericDatumWriter` writes a GenericRecord holding it: a
    /// number goes to any numeric type (`((Number) datum).longValue()` and so on, a fraction
    /// truncated toward zero); nothing else is converted (a string for a `double` is a
    /// ClassCastException there).
    PlainJava,
}

impl Dialect {
    /// Any plain dialect: unions bare, decimals numbers.
    pub fn is_plain(self) -> bool {
        matches!(
            self,
            Dialect::Plain | Dialect::PlainBranch | Dialect::PlainJava
        )
    }
}

/// Reads a value of `schema` from its JSON encoding.
pub fn from_json(schema: &Schema, json: &Json) -> Result<Value, JsonError> {
    let mut path = String::new();
    read(schema, &schema.root, json, &mut path, 0, Dialect::AvroJson)
}

/// Reads a value of `schema` from JSON in `dialect`.
pub fn from_json_in(schema: &Schema, json: &Json, dialect: Dialect) -> Result<Value, JsonError> {
    let mut path = String::new();
    read(schema, &schema.root, json, &mut path, 0, dialect)
}

/// Reads a value of `node` (a part of `schema`) from JSON; used for field defaults too.
pub fn from_json_at(schema: &Schema, node: &Node, json: &Json) -> Result<Value, JsonError> {
    let mut path = String::new();
    read(schema, node, json, &mut path, 0, Dialect::AvroJson)
}

fn bytes_of(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(c as u32).ok()).collect()
}

fn float_of(j: &Json) -> Option<f64> {
    match j {
        Json::Number(n) => n.as_f64(),
        Json::String(s) => match s.as_str() {
            "NaN" => Some(f64::NAN),
            "Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        },
        _ => None,
    }
}

pub(crate) fn read(
    schema: &Schema,
    node: &Node,
    json: &Json,
    path: &mut String,
    depth: usize,
    dialect: Dialect,
) -> Result<Value, JsonError> {
    let fail = |path: &String, detail: Option<String>| JsonError {
        path: path.clone(),
        expected: format!("\"{}\"", schema.describe(node))
            .replace("\"[", "[")
            .replace("]\"", "]"),
        found: shown(json),
        detail,
    };
    if depth > MAX_VALUE_DEPTH {
        return Err(fail(
            path,
            Some(format!("nested over {MAX_VALUE_DEPTH} levels")),
        ));
    }
    Ok(match node {
        Node::Null => match json {
            Json::Null => Value::Null,
            _ => return Err(fail(path, None)),
        },
        Node::Boolean => Value::Boolean(match dialect {
            Dialect::Plain => conversions::truthy(json),
            _ => json.as_bool().ok_or_else(|| fail(path, None))?,
        }),
        Node::Int | Node::Date | Node::TimeMillis => {
            let v = integer_in(json, dialect).ok_or_else(|| fail(path, not_int(dialect)))?;
            Value::Int(
                i32::try_from(v).map_err(|_| fail(path, Some("outside the int range".into())))?,
            )
        }
        Node::Long
        | Node::TimeMicros
        | Node::TimestampMillis
        | Node::TimestampMicros
        | Node::LocalTimestampMillis
        | Node::LocalTimestampMicros => {
            Value::Long(integer_in(json, dialect).ok_or_else(|| fail(path, not_int(dialect)))?)
        }
        Node::Float => Value::Float(float_in(json, dialect).map_err(|d| fail(path, d))? as f32),
        Node::Double => Value::Double(float_in(json, dialect).map_err(|d| fail(path, d))?),
        Node::String | Node::Uuid => {
            Value::String(json.as_str().ok_or_else(|| fail(path, None))?.to_string())
        }
        Node::DecimalBytes(d) if dialect.is_plain() => Value::Bytes(
            crate::plain_json::decimal_bytes(json, *d, None).map_err(|e| fail(path, Some(e)))?,
        ),
        Node::Bytes | Node::DecimalBytes(_) => {
            let s = json.as_str().ok_or_else(|| fail(path, None))?;
            Value::Bytes(
                bytes_of(s).ok_or_else(|| fail(path, Some("a code point above U+00FF".into())))?,
            )
        }
        Node::Array(items) => {
            let Json::Array(vs) = json else {
                return Err(fail(path, None));
            };
            let mut out = Vec::with_capacity(vs.len());
            for (i, v) in vs.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                out.push(read(schema, items, v, path, depth + 1, dialect)?);
                path.truncate(len);
            }
            Value::Array(out)
        }
        Node::Map(values) => {
            let Json::Object(m) = json else {
                return Err(fail(path, None));
            };
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                let len = path.len();
                path.push_str(&format!("[{k:?}]"));
                out.push(MapEntry {
                    key: k.clone(),
                    value: read(schema, values, v, path, depth + 1, dialect)?,
                });
                path.truncate(len);
            }
            Value::Map(out)
        }
        Node::Union(branches) if dialect.is_plain() => {
            let (branch, value) =
                crate::plain_json::union_branch(schema, branches, json, path, depth)
                    .ok_or_else(|| fail(path, Some("no branch of the union takes it".into())))?;
            Value::Union(Box::new(UnionValue {
                branch: branch as u32,
                value,
            }))
        }
        Node::Union(branches) => {
            let (branch, inner) = match json {
                Json::Null => match branches.iter().position(|b| *b == Node::Null) {
                    Some(i) => (i, json),
                    None => return Err(fail(path, None)),
                },
                Json::Object(m) if m.len() == 1 => {
                    let (name, inner) = m.iter().next().expect("one member");
                    match branches.iter().position(|b| schema.branch_name(b) == *name) {
                        Some(i) => (i, inner),
                        None => {
                            return Err(fail(
                                path,
                                Some(format!("the union has no branch '{name}'")),
                            ))
                        }
                    }
                }
                _ => {
                    return Err(fail(
                        path,
                        Some("a union value is null or {\"<type name>\": value}".into()),
                    ))
                }
            };
            let value = read(schema, &branches[branch], inner, path, depth + 1, dialect)?;
            Value::Union(Box::new(UnionValue {
                branch: branch as u32,
                value,
            }))
        }
        Node::Named(id) => match &schema.named(*id).kind {
            NamedKind::Record { fields } => {
                let Json::Object(m) = json else {
                    return Err(fail(path, None));
                };
                let mut out = Vec::with_capacity(fields.len());
                for f in fields {
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&f.name);
                    let value = match (m.get(&f.name), &f.default) {
                        (Some(v), _) => read(schema, &f.schema, v, path, depth + 1, dialect)?,
                        (None, Some(d)) => default_value(schema, &f.schema, d, path, depth + 1)?,
                        // fastavro writes a missing field with no default as None when its type
                        // takes null (`write_record`: `"null" not in field_type`).
                        (None, None) if dialect.is_plain() && takes_null(&f.schema) => {
                            null_of(&f.schema)
                        }
                        (None, None) => {
                            return Err(JsonError {
                                path: path.clone(),
                                expected: format!("\"{}\"", schema.describe(&f.schema)),
                                found: "no value".into(),
                                detail: Some("the field is missing and has no default".into()),
                            })
                        }
                    };
                    path.truncate(len);
                    out.push(FieldValue {
                        name: f.name.clone(),
                        value,
                    });
                }
                Value::Record(out)
            }
            NamedKind::Enum { symbols, .. } => {
                let s = json.as_str().ok_or_else(|| fail(path, None))?;
                let index = symbols
                    .iter()
                    .position(|x| x == s)
                    .ok_or_else(|| fail(path, Some("not one of its symbols".into())))?;
                Value::Enum(EnumSymbol {
                    index: index as u32,
                    symbol: s.to_string(),
                })
            }
            NamedKind::Fixed {
                size_bytes,
                decimal: Some(d),
            } if dialect.is_plain() => Value::Fixed(
                crate::plain_json::decimal_bytes(json, *d, Some(*size_bytes))
                    .map_err(|e| fail(path, Some(e)))?,
            ),
            NamedKind::Fixed { size_bytes, .. } => {
                let s = json.as_str().ok_or_else(|| fail(path, None))?;
                let b = bytes_of(s)
                    .ok_or_else(|| fail(path, Some("a code point above U+00FF".into())))?;
                if b.len() != *size_bytes {
                    return Err(fail(
                        path,
                        Some(format!("{} bytes, not {size_bytes}", b.len())),
                    ));
                }
                Value::Fixed(b)
            }
        },
    })
}

/// The integer a JSON value reads as: converted as fastavro's writer (`Plain`) or Avro Java's
/// (`PlainJava`) converts it, else only a JSON integer.
fn integer_in(json: &Json, dialect: Dialect) -> Option<i64> {
    match dialect {
        Dialect::Plain => conversions::as_python_int(json),
        Dialect::PlainJava => conversions::as_java_long(json),
        Dialect::AvroJson | Dialect::PlainBranch => json.as_i64(),
    }
}

/// fastavro's message for a value its integer writer refuses.
fn not_int(dialect: Dialect) -> Option<String> {
    (dialect == Dialect::Plain).then(|| "an integer is required".into())
}

/// The float a JSON value reads as: as Python's `float()` reads it (`Plain`), a JSON number in
/// the other plain dialects, and also "NaN", "Infinity", "-Infinity" in the JSON encoding.
fn float_in(json: &Json, dialect: Dialect) -> Result<f64, Option<String>> {
    match dialect {
        Dialect::Plain => conversions::as_python_float(json).map_err(Some),
        Dialect::PlainBranch | Dialect::PlainJava => json.as_f64().ok_or(None),
        Dialect::AvroJson => float_of(json).ok_or(None),
    }
}

/// Whether a field of this type takes null: the null type, or a union with a null branch.
fn takes_null(node: &Node) -> bool {
    match node {
        Node::Null => true,
        Node::Union(branches) => branches.contains(&Node::Null),
        _ => false,
    }
}

/// The null value of a type that [`takes_null`].
fn null_of(node: &Node) -> Value {
    match node {
        Node::Union(branches) => Value::Union(Box::new(UnionValue {
            branch: branches.iter().position(|b| *b == Node::Null).unwrap_or(0) as u32,
            value: Value::Null,
        })),
        _ => Value::Null,
    }
}

/// A field default: JSON of the field's type, or for a union of its first branch ("Schema
/// Declaration" → Unions).
fn default_value(
    schema: &Schema,
    node: &Node,
    d: &Json,
    path: &mut String,
    depth: usize,
) -> Result<Value, JsonError> {
    match node {
        Node::Union(branches) if !branches.is_empty() => Ok(Value::Union(Box::new(UnionValue {
            branch: 0,
            value: read(schema, &branches[0], d, path, depth + 1, Dialect::AvroJson)?,
        }))),
        other => read(schema, other, d, path, depth, Dialect::AvroJson),
    }
}

/// Writes `value` (a datum of `schema`) as its JSON encoding, fields in schema order.
pub fn to_json(schema: &Schema, value: &Value) -> String {
    to_json_in(schema, value, Dialect::AvroJson)
}

/// Writes `value` (a datum of `schema`) as JSON in `dialect`, fields in schema order.
pub fn to_json_in(schema: &Schema, value: &Value, dialect: Dialect) -> String {
    let mut out = String::new();
    write(schema, &schema.root, value, &mut out, dialect);
    out
}

fn write_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).expect("strings serialize"));
}

fn write_float(out: &mut String, x: f64, text: String) {
    if x.is_nan() {
        out.push_str("\"NaN\"");
    } else if x.is_infinite() {
        out.push_str(if x > 0.0 {
            "\"Infinity\""
        } else {
            "\"-Infinity\""
        });
    } else {
        out.push_str(&text);
    }
}

fn write(schema: &Schema, node: &Node, value: &Value, out: &mut String, dialect: Dialect) {
    if dialect.is_plain() {
        // The application's dict: a union's value bare, a decimal as its number.
        match (node, value) {
            (Node::Union(branches), Value::Union(u)) => {
                match branches.get(u.branch as usize) {
                    Some(b) => write(schema, b, &u.value, out, dialect),
                    None => out.push_str("null"),
                }
                return;
            }
            (Node::DecimalBytes(d), Value::Bytes(b)) => {
                out.push_str(&crate::logical::decimal(b, *d));
                return;
            }
            (Node::Named(id), Value::Fixed(b)) => {
                if let NamedKind::Fixed {
                    decimal: Some(d), ..
                } = schema.named(*id).kind
                {
                    out.push_str(&crate::logical::decimal(b, d));
                    return;
                }
            }
            _ => {}
        }
    }
    match (node, value) {
        (_, Value::Null) => out.push_str("null"),
        (_, Value::Boolean(b)) => out.push_str(if *b { "true" } else { "false" }),
        (_, Value::Int(i)) => out.push_str(&i.to_string()),
        (_, Value::Long(l)) => out.push_str(&l.to_string()),
        (_, Value::Float(x)) => {
            write_float(out, *x as f64, serde_json::to_string(x).unwrap_or_default())
        }
        (_, Value::Double(x)) => write_float(out, *x, serde_json::to_string(x).unwrap_or_default()),
        (_, Value::Bytes(b)) | (_, Value::Fixed(b)) => {
            let s: String = b.iter().map(|&c| c as char).collect();
            write_str(out, &s);
        }
        (_, Value::String(s)) => write_str(out, s),
        (_, Value::Enum(e)) => write_str(out, &e.symbol),
        (node, Value::Array(vs)) => {
            let items = match node {
                Node::Array(items) => items.as_ref(),
                _ => &Node::Null,
            };
            out.push('[');
            for (i, v) in vs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(schema, items, v, out, dialect);
            }
            out.push(']');
        }
        (node, Value::Map(entries)) => {
            let values = match node {
                Node::Map(values) => values.as_ref(),
                _ => &Node::Null,
            };
            out.push('{');
            for (i, e) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, &e.key);
                out.push_str(": ");
                write(schema, values, &e.value, out, dialect);
            }
            out.push('}');
        }
        (node, Value::Union(u)) => {
            let branch = match node {
                Node::Union(b) => b.get(u.branch as usize),
                _ => None,
            };
            match (branch, &u.value) {
                (_, Value::Null) => out.push_str("null"),
                (Some(b), v) => {
                    out.push('{');
                    write_str(out, &schema.branch_name(b));
                    out.push_str(": ");
                    write(schema, b, v, out, dialect);
                    out.push('}');
                }
                (None, v) => write(schema, &Node::Null, v, out, dialect),
            }
        }
        (node, Value::Record(fields)) => {
            let schema_fields = match node {
                Node::Named(id) => match &schema.named(*id).kind {
                    NamedKind::Record { fields } => Some(fields),
                    _ => None,
                },
                _ => None,
            };
            out.push('{');
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, &f.name);
                out.push_str(": ");
                let fnode = schema_fields
                    .and_then(|sf| sf.iter().find(|x| x.name == f.name))
                    .map(|x| &x.schema)
                    .unwrap_or(&Node::Null);
                write(schema, fnode, &f.value, out, dialect);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYMENT: &str = r#"{"type":"record","name":"Payment","namespace":"shop","fields":[
        {"name":"payment_id","type":"string"},
        {"name":"amount","type":"double"},
        {"name":"currency","type":"string","default":"EUR"},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"raw","type":"bytes"},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["NEW","SETTLED"]}},
        {"name":"prev","type":["null","Status"]}]}"#;

    #[test]
    fn round_trips_in_field_order_with_defaults_applied() {
        let s = Schema::parse(PAYMENT).unwrap();
        let input: Json = serde_json::from_str(
            r#"{"status":"SETTLED","raw":"\u0000\u00ff","amount":12.5,"payment_id":"p-1",
                "prev":{"shop.Status":"NEW"}}"#,
        )
        .unwrap();
        let v = from_json(&s, &input).unwrap();
        assert_eq!(
            to_json(&s, &v),
            r#"{"payment_id": "p-1", "amount": 12.5, "currency": "EUR", "note": null, "raw": "\u0000ÿ", "status": "SETTLED", "prev": {"shop.Status": "NEW"}}"#
        );
    }

    #[test]
    fn mismatches_name_the_field_like_fastavro() {
        let s = Schema::parse(PAYMENT).unwrap();
        let bad: Json = serde_json::from_str(
            r#"{"payment_id":"p","amount":"12.50","raw":"","status":"NEW","prev":null}"#,
        )
        .unwrap();
        let e = from_json(&s, &bad).unwrap_err();
        assert_eq!(
            e.to_string(),
            r#"'12.50' (a JSON string) does not match "double" on field amount"#
        );
        let missing: Json =
            serde_json::from_str(r#"{"amount":1,"raw":"","status":"NEW","prev":null}"#).unwrap();
        let e = from_json(&s, &missing).unwrap_err();
        assert_eq!(e.path, "payment_id");
        let bad_union: Json = serde_json::from_str(
            r#"{"payment_id":"p","amount":1,"raw":"","status":"NEW","prev":"NEW"}"#,
        )
        .unwrap();
        let e = from_json(&s, &bad_union).unwrap_err();
        assert!(
            e.to_string()
                .contains(r#"does not match ["null", "shop.Status"]"#),
            "{e}"
        );
        let bad_bytes: Json = serde_json::from_str(
            r#"{"payment_id":"p","amount":1,"raw":"€","status":"NEW","prev":null}"#,
        )
        .unwrap();
        assert_eq!(from_json(&s, &bad_bytes).unwrap_err().path, "raw");
    }
}
