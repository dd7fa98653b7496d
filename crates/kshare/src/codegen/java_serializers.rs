//! The application's serializers in the exported Java 3.6 program, mirroring [`super::serializers`]
//! (the Python export) as Confluent documents the Java client:
//!
//! - Avro: `io.confluent.kafka.serializers.KafkaAvroSerializer` as `value.serializer` (or
//!   `key.serializer`) with `schema.registry.url` and, from the scenario, `auto.register.schemas`
//!   (Confluent, "Avro Schema Serializer and Deserializer for Schema Registry on Confluent
//!   Platform", docs.confluent.io/platform/current/schema-registry/fundamentals/serdes-develop/serdes-avro.html).
//!   Values are `GenericRecord`s of `new Schema.Parser().parse(…)`: `GenericData.Record` and
//!   `put(field, value)`, an enum a `GenericData.EnumSymbol`, a union's value bare (Avro's
//!   `GenericData.resolveUnion` picks the branch by the datum's type), `bytes` (and the `decimal`
//!   logical type's unscaled bytes) a `ByteBuffer`, `fixed` a `GenericData.Fixed`,
//!   `timestamp-millis` a `long`, arrays `List`s, maps `Map<String, …>` (Apache Avro 1.11 Java
//!   API, `org.apache.avro.generic`, avro.apache.org/docs/1.11.1/api/java/). The serializer takes
//!   the schema from the record, as the Confluent example does.
//! - JSON: the text `json.dumps` writes (`ksim::serde_format::python_json_dumps`, the simulation's
//!   JSON bytes) as a `String` through `StringSerializer`, so the bytes are the same.
//! - A `KafkaProducer` reads `key.serializer` / `value.serializer` once, at construction; one
//!   producer cannot switch. So the program builds one producer per pair of serializers the
//!   scenario uses, from the same `props`, and sends each record through the one its topic's
//!   serializers need at that moment; `set_serializer` is a comment saying which one is used from
//!   there on. A SIMPLIFICATION the program states: two producers keep no order between them.
//! - `register_schema` / `set_compatibility`: `CachedSchemaRegistryClient.register(subject, new
//!   AvroSchema(…))` and `updateCompatibility(subject, level)` (`null` subject: the global level,
//!   `PUT /config`).
//!
//! A value that does not match its schema is built as far as it goes (fields the schema does not
//! type as given hold the JSON's own Java value, missing fields stay unset), so the real
//! `KafkaAvroSerializer` refuses it in `send()` with a `SerializationException`, as the simulation
//! refused it; the program catches it and sends nothing for that record.

use super::{java_str, SerState};
use kavro::schema::{NamedKind, Node};
use kavro::Value;
use ksim::{Action, Scenario, SerdeFormat, TopicSerializers};
use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// One Avro schema of the scenario as the program holds it.
#[derive(Debug, Clone)]
struct JavaSchema {
    /// The `static final Schema` constant; its text is `{ident}_AVSC`.
    ident: String,
    parsed: Option<kavro::Schema>,
}

/// The serializers a Java program holds while the action walk goes on.
#[derive(Debug, Clone, Default)]
pub(crate) struct JavaSerializers {
    enabled: bool,
    topics: BTreeMap<String, TopicSerializers>,
    schemas: BTreeMap<String, JavaSchema>,
    /// The producers, by (key is Avro, value is Avro), with their variable names.
    producers: BTreeMap<(bool, bool), String>,
    /// Whether the program needs the `record(…)` / `map(…)` helpers.
    pub uses_record: Cell<bool>,
    pub uses_map: Cell<bool>,
}

impl SerState for JavaSerializers {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn value_is_string(&self, topic: &str) -> bool {
        !self.enabled
            || self
                .topics
                .get(topic)
                .is_none_or(|t| t.value_format.is_string())
    }
}

/// A Java constant name for `name`: upper-case letters, digits and `_`, not starting with a digit.
fn const_ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    s.truncate(40);
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_digit()) {
        s = format!("S_{s}");
    }
    s
}

fn is_avro(f: SerdeFormat) -> bool {
    f == SerdeFormat::Avro
}

fn pair(t: Option<&TopicSerializers>) -> (bool, bool) {
    t.map_or((false, false), |t| {
        (is_avro(t.key_format), is_avro(t.value_format))
    })
}

impl JavaSerializers {
    pub fn new(s: &Scenario, enabled: bool) -> Self {
        let mut schemas = BTreeMap::new();
        let mut taken = BTreeSet::new();
        for (n, spec) in s.schemas.iter().enumerate() {
            let mut ident = const_ident(&spec.name);
            if !taken.insert(ident.clone()) {
                ident = format!("{ident}_{n}");
                taken.insert(ident.clone());
            }
            schemas.insert(
                spec.name.clone(),
                JavaSchema {
                    ident,
                    parsed: kavro::Schema::parse(&spec.schema).ok(),
                },
            );
        }
        let topics: BTreeMap<String, TopicSerializers> = s
            .serializers
            .iter()
            .map(|t| (t.topic.clone(), t.clone()))
            .collect();
        // Which serializer pairs the produce calls need, walking the actions in time order.
        let mut used = BTreeSet::new();
        if enabled {
            let mut now = topics.clone();
            let mut v: Vec<(f64, &Action)> =
                s.actions.iter().map(|a| (a.at_ms, &a.action)).collect();
            v.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (_, a) in v {
                match a {
                    Action::SetSerializer(t) => {
                        now.insert(t.topic.clone(), t.clone());
                    }
                    Action::Produce { topic, .. } | Action::ProduceMany { topic, .. } => {
                        used.insert(pair(now.get(topic)));
                    }
                    _ => {}
                }
            }
        }
        if used.is_empty() {
            used.insert((false, false));
        }
        let producers = if used.len() == 1 {
            used.into_iter()
                .map(|p| (p, "producer".to_string()))
                .collect()
        } else {
            used.into_iter()
                .map(|p| {
                    let name = match p {
                        (false, false) => "stringProducer",
                        (false, true) => "avroProducer",
                        (true, false) => "avroKeyProducer",
                        (true, true) => "avroKeyValueProducer",
                    };
                    (p, name.to_string())
                })
                .collect()
        };
        JavaSerializers {
            enabled,
            topics,
            schemas,
            producers,
            uses_record: Cell::new(false),
            uses_map: Cell::new(false),
        }
    }

    /// The producers: (key is Avro, value is Avro) and variable name.
    pub fn producers(&self) -> impl Iterator<Item = ((bool, bool), &str)> {
        self.producers.iter().map(|(p, n)| (*p, n.as_str()))
    }

    /// The Java type of a key or value sent through a producer whose serializer is Avro or not.
    pub fn java_type(avro: bool) -> &'static str {
        if avro {
            "Object"
        } else {
            "String"
        }
    }

    fn pair_of(&self, topic: &str) -> (bool, bool) {
        pair(self.topics.get(topic))
    }

    /// Whether `topic`'s key or value goes through KafkaAvroSerializer now (its send() may
    /// throw a SerializationException).
    pub fn sends_avro(&self, topic: &str) -> bool {
        let (k, v) = self.pair_of(topic);
        k || v
    }

    /// The producer variable that sends to `topic` now.
    pub fn producer(&self, topic: &str) -> &str {
        self.producers
            .get(&self.pair_of(topic))
            .map_or("producer", String::as_str)
    }

    /// `ProducerRecord<K, V>` type arguments for `topic` now.
    pub fn record_types(&self, topic: &str) -> String {
        let (k, v) = self.pair_of(topic);
        format!("{}, {}", Self::java_type(k), Self::java_type(v))
    }

    /// `set_serializer`: a comment naming the producer used from here on.
    pub fn switch(&mut self, o: &mut String, t: &TopicSerializers) {
        self.topics.insert(t.topic.clone(), t.clone());
        let _ = writeln!(
            o,
            "            // The program switches the serializers of topic {} here: key {}, value {}.\n\
             \x20           // A KafkaProducer's serializers are fixed when it is built, so from here on its records go through {}.",
            java_str(&t.topic),
            self.describe(t.key_format, t.key_schema.as_deref()),
            self.describe(t.value_format, t.value_schema.as_deref()),
            self.producer(&t.topic),
        );
    }

    fn describe(&self, format: SerdeFormat, schema: Option<&str>) -> String {
        match format {
            SerdeFormat::String => "StringSerializer".into(),
            SerdeFormat::Json => "JSON text (json.dumps) through StringSerializer".into(),
            SerdeFormat::Avro => format!(
                "KafkaAvroSerializer with GenericRecords of {}",
                schema
                    .and_then(|n| self.schemas.get(n))
                    .map_or_else(|| java_str(schema.unwrap_or("?")), |s| s.ident.clone())
            ),
        }
    }

    /// The schema constant's text for `name` (`…_AVSC`), if the scenario defines it.
    pub fn schema_text_const(&self, name: &str) -> Option<String> {
        self.schemas.get(name).map(|s| format!("{}_AVSC", s.ident))
    }

    /// Writes the declaration of `var` (`key` / `value`) holding `text` serialized for `topic`,
    /// at `indent`; `index`: `text` is a `produce_many` template, `{i}` replaced per event by this
    /// Java expression. `None` if the value cannot be built (a comment says why).
    #[allow(clippy::too_many_arguments)]
    pub fn bind(
        &self,
        o: &mut String,
        indent: &str,
        var: &str,
        topic: &str,
        key: bool,
        text: Option<&str>,
        index: Option<&str>,
    ) -> Option<()> {
        let (k, v) = self.pair_of(topic);
        let ty = Self::java_type(if key { k } else { v });
        let Some(text) = text else {
            let _ = writeln!(o, "{indent}{ty} {var} = null;");
            return Some(());
        };
        let t = self.topics.get(topic);
        let (format, schema) = match t {
            None => (SerdeFormat::String, None),
            Some(t) if key => (t.key_format, t.key_schema.as_deref()),
            Some(t) => (t.value_format, t.value_schema.as_deref()),
        };
        match format {
            SerdeFormat::String => {
                let _ = writeln!(o, "{indent}{ty} {var} = {};", jstring(text, index));
            }
            SerdeFormat::Json => match ksim::serde_format::python_json_dumps(text) {
                Ok(dumped) => {
                    let _ = writeln!(
                        o,
                        "{indent}// JSON: the text json.dumps writes, sent as a String through StringSerializer."
                    );
                    let _ = writeln!(o, "{indent}{ty} {var} = {};", jstring(&dumped, index));
                }
                Err(_) if index.is_some() => {
                    let _ = writeln!(
                        o,
                        "{indent}// JSON: the template as written (it is JSON only once {{i}} is filled in)."
                    );
                    let _ = writeln!(o, "{indent}{ty} {var} = {};", jstring(text, index));
                }
                Err(e) => {
                    let _ = writeln!(
                        o,
                        "{indent}// Not sent: the {var} is not JSON ({}), so json.dumps(json.loads(text)) fails before produce().",
                        java_str(&e.message)
                    );
                    return None;
                }
            },
            SerdeFormat::Avro => {
                let js = schema.and_then(|n| self.schemas.get(n));
                let (Some(js), Ok(json)) = (js, serde_json::from_str::<serde_json::Value>(text))
                else {
                    let _ = writeln!(
                        o,
                        "{indent}// Not sent: no GenericRecord can be built for this {var} (no schema {}, or its text is not JSON).",
                        java_str(schema.unwrap_or("?"))
                    );
                    return None;
                };
                let Some(parsed) = &js.parsed else {
                    let _ = writeln!(
                        o,
                        "{indent}// Not sent: schema {} does not parse.",
                        java_str(schema.unwrap_or("?"))
                    );
                    return None;
                };
                self.bind_avro(o, indent, var, ty, parsed, &js.ident, &json, index);
            }
        }
        Some(())
    }

    #[allow(clippy::too_many_arguments)]
    fn bind_avro(
        &self,
        o: &mut String,
        indent: &str,
        var: &str,
        ty: &str,
        schema: &kavro::Schema,
        sx: &str,
        json: &serde_json::Value,
        index: Option<&str>,
    ) {
        let record_fields = match &schema.root {
            Node::Named(id) => match &schema.named[*id].kind {
                NamedKind::Record { fields } => Some(fields),
                _ => None,
            },
            _ => None,
        };
        // Read as KafkaAvroSerializer takes it: Avro's GenericDatumWriter converts nothing, so
        // a value fastavro would convert ("12.50" for a double) stays as written and fails.
        let value =
            ksim::serde_format::avro_value_for(ksim::ClientProfile::Java, schema, json).ok();
        match (record_fields, json.as_object()) {
            (Some(fields), Some(obj)) => {
                let _ = writeln!(
                    o,
                    "{indent}GenericRecord {var} = new GenericData.Record({sx});"
                );
                // Fields in schema order (as `from_json` gives them); a value that does not match
                // its schema is put member by member, as written.
                match &value {
                    Some(Value::Record(vals)) => {
                        for (f, fv) in fields.iter().zip(vals) {
                            let fx = format!("{sx}.getField({}).schema()", java_str(&f.name));
                            let _ = writeln!(
                                o,
                                "{indent}{var}.put({}, {});",
                                java_str(&f.name),
                                self.expr(schema, &f.schema, &fx, &fv.value, index)
                            );
                        }
                    }
                    _ => {
                        let _ = writeln!(o, "{indent}// This value does not match {sx}: KafkaAvroSerializer refuses it in send().");
                        for (name, member) in obj {
                            let Some(f) = fields.iter().find(|f| &f.name == name) else {
                                let _ = writeln!(
                                    o,
                                    "{indent}// (member {} is not a field of the schema)",
                                    java_str(name)
                                );
                                continue;
                            };
                            let fx = format!("{sx}.getField({}).schema()", java_str(&f.name));
                            let e =
                                match kavro::json_encoding::from_json_at(schema, &f.schema, member)
                                {
                                    Ok(v) => self.expr(schema, &f.schema, &fx, &v, index),
                                    Err(_) => self.loose(member, index),
                                };
                            let _ = writeln!(o, "{indent}{var}.put({}, {e});", java_str(name));
                        }
                    }
                }
            }
            _ => {
                let e = match &value {
                    Some(v) => self.expr(schema, &schema.root, sx, v, index),
                    None => self.loose(json, index),
                };
                let _ = writeln!(o, "{indent}{ty} {var} = {e};");
            }
        }
    }

    /// The Java object Avro's `GenericDatumWriter` writes as `v` (a value of `node`, whose
    /// `Schema` is the Java expression `sx`).
    fn expr(
        &self,
        schema: &kavro::Schema,
        node: &Node,
        sx: &str,
        v: &Value,
        index: Option<&str>,
    ) -> String {
        let named = match node {
            Node::Named(id) => Some(&schema.named[*id].kind),
            _ => None,
        };
        match v {
            Value::Null => "null".into(),
            Value::Boolean(b) => b.to_string(),
            Value::Int(n) => n.to_string(),
            Value::Long(n) => format!("{n}L"),
            Value::Float(x) if x.is_nan() => "Float.NaN".into(),
            Value::Float(x) if x.is_infinite() => if *x > 0.0 {
                "Float.POSITIVE_INFINITY"
            } else {
                "Float.NEGATIVE_INFINITY"
            }
            .into(),
            Value::Float(x) => format!("{x:?}f"),
            Value::Double(x) if x.is_nan() => "Double.NaN".into(),
            Value::Double(x) if x.is_infinite() => if *x > 0.0 {
                "Double.POSITIVE_INFINITY"
            } else {
                "Double.NEGATIVE_INFINITY"
            }
            .into(),
            Value::Double(x) => format!("{x:?}"),
            Value::Bytes(b) => format!("ByteBuffer.wrap({})", jbytes(b)),
            Value::Fixed(b) => format!("new GenericData.Fixed({sx}, {})", jbytes(b)),
            Value::String(s) => jstring(s, index),
            Value::Enum(e) => format!("new GenericData.EnumSymbol({sx}, {})", java_str(&e.symbol)),
            Value::Union(u) => match node {
                Node::Union(branches) => match branches.get(u.branch as usize) {
                    Some(b) => self.expr(
                        schema,
                        b,
                        &format!("{sx}.getTypes().get({})", u.branch),
                        &u.value,
                        index,
                    ),
                    None => "null".into(),
                },
                _ => "null".into(),
            },
            Value::Record(vals) => {
                self.uses_record.set(true);
                let mut args = vec![sx.to_string()];
                if let Some(NamedKind::Record { fields }) = named {
                    for (f, fv) in fields.iter().zip(vals) {
                        let fx = format!("{sx}.getField({}).schema()", java_str(&f.name));
                        args.push(java_str(&f.name));
                        args.push(self.expr(schema, &f.schema, &fx, &fv.value, index));
                    }
                }
                format!("record({})", args.join(", "))
            }
            Value::Array(items) => {
                let item = match node {
                    Node::Array(n) => n.as_ref(),
                    _ => &Node::Null,
                };
                let ix = format!("{sx}.getElementType()");
                let xs: Vec<String> = items
                    .iter()
                    .map(|x| self.expr(schema, item, &ix, x, index))
                    .collect();
                format!("Arrays.asList({})", xs.join(", "))
            }
            Value::Map(entries) => {
                self.uses_map.set(true);
                let item = match node {
                    Node::Map(n) => n.as_ref(),
                    _ => &Node::Null,
                };
                let ix = format!("{sx}.getValueType()");
                let mut args = Vec::new();
                for e in entries {
                    args.push(jstring(&e.key, index));
                    args.push(self.expr(schema, item, &ix, &e.value, index));
                }
                format!("map({})", args.join(", "))
            }
        }
    }

    /// The Java value of JSON that does not match its schema: what a program passing the
    /// parsed JSON would put.
    fn loose(&self, j: &serde_json::Value, index: Option<&str>) -> String {
        use serde_json::Value as J;
        match j {
            J::Null => "null".into(),
            J::Bool(b) => b.to_string(),
            J::Number(n) => match n.as_i64() {
                Some(i) => format!("{i}L"),
                None => format!("{:?}", n.as_f64().unwrap_or(0.0)),
            },
            J::String(s) => jstring(s, index),
            J::Array(xs) => {
                let xs: Vec<String> = xs.iter().map(|x| self.loose(x, index)).collect();
                format!("Arrays.asList({})", xs.join(", "))
            }
            J::Object(m) => {
                self.uses_map.set(true);
                let mut args = Vec::new();
                for (k, v) in m {
                    args.push(jstring(k, index));
                    args.push(self.loose(v, index));
                }
                format!("map({})", args.join(", "))
            }
        }
    }
}

/// A Java string expression for `s`, with `{i}` replaced per event in a template.
fn jstring(s: &str, index: Option<&str>) -> String {
    match index {
        Some(i) if s.contains("{i}") => {
            format!("{}.replace(\"{{i}}\", Long.toString({i}))", java_str(s))
        }
        _ => java_str(s),
    }
}

/// A Java `byte[]` expression.
fn jbytes(b: &[u8]) -> String {
    let xs: Vec<String> = b
        .iter()
        .map(|&c| {
            if c < 0x80 {
                c.to_string()
            } else {
                format!("(byte) 0x{c:02x}")
            }
        })
        .collect();
    format!("new byte[] {{{}}}", xs.join(", "))
}
