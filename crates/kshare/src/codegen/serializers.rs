//! The application's serializers in the exported Python program, written as the current
//! confluent-kafka examples write them (confluent-kafka-python `examples/avro_producer.py` and
//! `examples/json_producer.py`, 2.x): a `SchemaRegistryClient({'url': …})`, one
//! `AvroSerializer(schema_registry_client, schema_str)` per schema, `StringSerializer('utf_8')`,
//! and each call `serializer(obj, SerializationContext(topic, MessageField.VALUE))` made by the
//! program before `producer.produce()`. JSON is `json.dumps(obj).encode('utf-8')`, the
//! playground's JSON format (`ksim::SerdeFormat::Json`).
//!
//! Values: a scenario holds each value as text — JSON for the JSON format, the Avro
//! specification's JSON encoding for Avro (unions as `{"type": value}`, bytes as code points
//! U+0000–U+00FF). The program passes Python objects, as `AvroSerializer` takes them (fastavro's
//! `schemaless_writer`: a union's value bare, bytes as `bytes`, an enum as its symbol), so each
//! value is written as a Python literal: a dict in field order. A value that does not match its
//! schema is written as its plain JSON, so the real serializer refuses it as the simulation did.
//! In a `produce_many` template, a string holding `{i}` becomes `"…{i}…".replace("{i}", str(i))`;
//! a template that is not JSON on its own (`{i}` as a number) is parsed at run time with
//! `json.loads`.

use super::python_str;
use ksim::{Scenario, SerdeFormat, TopicSerializers};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Which part of a record a serializer writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Field {
    Key,
    Value,
}

impl Field {
    fn message_field(self) -> &'static str {
        match self {
            Field::Key => "MessageField.KEY",
            Field::Value => "MessageField.VALUE",
        }
    }
}

/// The serializers a program holds while the action walk goes on.
#[derive(Debug, Clone, Default)]
pub(super) struct Serializers {
    /// Whether the program uses serializers at all (else every value goes out as its text).
    pub enabled: bool,
    topics: BTreeMap<String, TopicSerializers>,
    schemas: BTreeMap<String, String>,
    /// Schema name → the Python variable of its `AvroSerializer`.
    vars: BTreeMap<String, String>,
    /// Serializers the program has created so far.
    made: BTreeSet<String>,
    auto_register: bool,
}

/// A Python identifier for `name`: lower-case letters, digits and `_` only.
fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(40);
    s
}

impl Serializers {
    pub fn new(s: &Scenario, enabled: bool) -> Self {
        let mut vars = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for (n, spec) in s.schemas.iter().enumerate() {
            let mut var = format!("avro_{}", ident(&spec.name));
            if !taken.insert(var.clone()) {
                var = format!("{var}_{n}");
                taken.insert(var.clone());
            }
            vars.insert(spec.name.clone(), var);
        }
        Serializers {
            enabled,
            topics: s
                .serializers
                .iter()
                .map(|t| (t.topic.clone(), t.clone()))
                .collect(),
            schemas: s
                .schemas
                .iter()
                .map(|x| (x.name.clone(), x.schema.clone()))
                .collect(),
            vars,
            made: BTreeSet::new(),
            auto_register: s
                .schema_registry
                .as_ref()
                .is_none_or(|r| r.auto_register_schemas),
        }
    }

    pub(super) fn format_of(&self, topic: &str, field: Field) -> (SerdeFormat, Option<&str>) {
        match (self.topics.get(topic), field) {
            (None, _) => (SerdeFormat::String, None),
            (Some(t), Field::Key) => (t.key_format, t.key_schema.as_deref()),
            (Some(t), Field::Value) => (t.value_format, t.value_schema.as_deref()),
        }
    }

    /// Writes the `AvroSerializer` for `schema` if the program has not created it yet.
    fn make(&mut self, o: &mut String, indent: &str, schema: Option<&str>) {
        let Some(name) = schema else { return };
        let Some(var) = self.vars.get(name) else {
            return;
        };
        if !self.made.insert(name.to_string()) {
            return;
        }
        let conf = if self.auto_register {
            String::new()
        } else {
            ", conf={\"auto.register.schemas\": False}".into()
        };
        let _ = writeln!(
            o,
            "{indent}{var} = AvroSerializer(sr, SCHEMAS[{}]{conf})",
            python_str(name)
        );
    }

    /// Writes the serializers the topics use from the start.
    pub fn open(&mut self, o: &mut String) {
        o.push_str("    string_serializer = StringSerializer(\"utf_8\")\n");
        let wanted: Vec<Option<String>> = self
            .topics
            .values()
            .flat_map(|t| [t.key_schema.clone(), t.value_schema.clone()])
            .collect();
        for w in wanted {
            self.make(o, "    ", w.as_deref());
        }
    }

    /// `set_serializer`: the program switches a topic's serializers (a new `AvroSerializer` for a
    /// schema it has not used yet).
    pub fn switch(&mut self, o: &mut String, t: &TopicSerializers) {
        let _ = writeln!(
            o,
            "    # The program switches the serializers of topic {} here: key {}, value {}.",
            python_str(&t.topic),
            describe(t.key_format, t.key_schema.as_deref()),
            describe(t.value_format, t.value_schema.as_deref()),
        );
        self.make(o, "    ", t.key_schema.as_deref());
        self.make(o, "    ", t.value_schema.as_deref());
        self.topics.insert(t.topic.clone(), t.clone());
    }

    /// The expression that serializes `text` (a key or value of the scenario) for `topic`:
    /// `string_serializer("…")`, `json_serializer({…})`, `avro_x({…}, SerializationContext(…))`.
    /// `index`: `text` is a `produce_many` template, its `{i}` replaced per event by this
    /// Python expression (`i`, `i % 10`).
    pub fn expr(
        &self,
        topic: &str,
        field: Field,
        text: Option<&str>,
        index: Option<&str>,
    ) -> String {
        let Some(text) = text else {
            return "None".into();
        };
        let (format, schema) = self.format_of(topic, field);
        let plain = || match index {
            Some(i) => format!("{}.replace(\"{{i}}\", str({i}))", python_str(text)),
            None => python_str(text),
        };
        let obj = |avro: Option<&kavro::Schema>| {
            avro.and_then(|s| avro_literal(s, text, index))
                .or_else(|| json_literal(text, index))
                .unwrap_or_else(|| format!("json.loads({})", plain()))
        };
        let ctx = format!(
            "SerializationContext({}, {})",
            python_str(topic),
            field.message_field()
        );
        match format {
            SerdeFormat::String => format!("string_serializer({})", plain()),
            SerdeFormat::Json => format!("json_serializer({}, {ctx})", obj(None)),
            SerdeFormat::Avro => {
                let name = schema.unwrap_or_default();
                let parsed = self
                    .schemas
                    .get(name)
                    .and_then(|t| kavro::Schema::parse(t).ok());
                let var = self
                    .vars
                    .get(name)
                    .cloned()
                    .unwrap_or_else(|| "None".into());
                format!("{var}({}, {ctx})", obj(parsed.as_ref()))
            }
        }
    }
}

fn describe(format: SerdeFormat, schema: Option<&str>) -> String {
    match format {
        SerdeFormat::String => "StringSerializer".into(),
        SerdeFormat::Json => "json.dumps".into(),
        SerdeFormat::Avro => format!("AvroSerializer({})", python_str(schema.unwrap_or("?"))),
    }
}

/// A Python string expression for `s`, with `{i}` replaced per event in a template.
fn py_string(s: &str, index: Option<&str>) -> String {
    match index {
        Some(i) if s.contains("{i}") => format!("{}.replace(\"{{i}}\", str({i}))", python_str(s)),
        _ => python_str(s),
    }
}

/// A Python `bytes` literal (ASCII only).
fn py_bytes(b: &[u8]) -> String {
    let mut out = String::from("b\"");
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'"' => out.push_str("\\\""),
            b' '..=b'~' => out.push(c as char),
            _ => {
                let _ = write!(out, "\\x{c:02x}");
            }
        }
    }
    out.push('"');
    out
}

/// The Python object `json.loads(text)` gives, as a literal, members in the order written
/// (serde_json's map would sort them); `None` if `text` is not JSON.
pub(super) fn json_literal(text: &str, index: Option<&str>) -> Option<String> {
    use ksim::serde_format::JsonToken as T;
    let mut out = String::new();
    for t in ksim::serde_format::json_tokens(text).ok()? {
        match t {
            T::Punct(',') => out.push_str(", "),
            T::Punct(':') => out.push_str(": "),
            // Brackets; and numbers: JSON's number syntax is Python's too.
            T::Punct(c) => out.push(c),
            T::Number(n) => out.push_str(n),
            T::Str(s) => out.push_str(&py_string(&s, index)),
            T::True => out.push_str("True"),
            T::False => out.push_str("False"),
            T::Null => out.push_str("None"),
        }
    }
    Some(out)
}

/// The Python object `AvroSerializer` takes for `text` (a `schema` value in Avro's JSON
/// encoding or as the plain dict, read as the simulation reads it), as a literal; `None` if the
/// value does not match the schema.
pub(super) fn avro_literal(
    schema: &kavro::Schema,
    text: &str,
    index: Option<&str>,
) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let value = ksim::serde_format::avro_value(schema, &json).ok()?;
    let mut out = String::new();
    write_value(&mut out, &value, index);
    Some(out)
}

fn write_value(o: &mut String, v: &kavro::Value, index: Option<&str>) {
    use kavro::Value as V;
    match v {
        V::Null => o.push_str("None"),
        V::Boolean(b) => o.push_str(if *b { "True" } else { "False" }),
        V::Int(n) => {
            let _ = write!(o, "{n}");
        }
        V::Long(n) => {
            let _ = write!(o, "{n}");
        }
        V::Float(x) => {
            let _ = write!(o, "{x:?}");
        }
        V::Double(x) => {
            let _ = write!(o, "{x:?}");
        }
        V::Bytes(b) | V::Fixed(b) => o.push_str(&py_bytes(b)),
        V::String(s) => o.push_str(&py_string(s, index)),
        V::Enum(e) => o.push_str(&python_str(&e.symbol)),
        V::Union(u) => write_value(o, &u.value, index),
        V::Record(fields) => {
            o.push('{');
            for (n, f) in fields.iter().enumerate() {
                if n > 0 {
                    o.push_str(", ");
                }
                o.push_str(&python_str(&f.name));
                o.push_str(": ");
                write_value(o, &f.value, index);
            }
            o.push('}');
        }
        V::Map(entries) => {
            o.push('{');
            for (n, e) in entries.iter().enumerate() {
                if n > 0 {
                    o.push_str(", ");
                }
                o.push_str(&py_string(&e.key, index));
                o.push_str(": ");
                write_value(o, &e.value, index);
            }
            o.push('}');
        }
        V::Array(items) => {
            o.push('[');
            for (n, x) in items.iter().enumerate() {
                if n > 0 {
                    o.push_str(", ");
                }
                write_value(o, x, index);
            }
            o.push(']');
        }
    }
}
