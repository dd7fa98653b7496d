//! Client code export: the program a learner would run against a real cluster to do what the
//! scenario did — confluent-kafka Python ([`python`]) and the Java 3.6 client ([`java`]).
//!
//! Rules modelled:
//! - The configuration holds exactly the settings that differ from the client's defaults: a
//!   user key is kept when, alone, it changes an effective value of `ksim`'s
//!   [`ProducerSettings`] (so `acks: all` on librdkafka, already the default, is left out). The
//!   user's spelling is kept (`acks`, not `request.required.acks`).
//! - Actions become the produce loop in time order: `produce` + `poll(0)`; `produce_many` as a
//!   loop in its mode (async: `poll(0)` after each produce and `poll(1)` + retry on
//!   `BufferError`; sync: `flush()` after each produce; no_poll: `produce` only); `poll`, `flush`;
//!   pauses as `time.sleep`/`Thread.sleep`. Things a real client cannot do mid-run (config
//!   changes, faults) become comments.
//! - Serializers ([`serializers`] for Python, [`java_serializers`] for Java): a scenario with JSON
//!   or Avro formats becomes a Python program with a `SchemaRegistryClient`, one `AvroSerializer`
//!   per schema and `StringSerializer('utf_8')`, each value a Python dict passed through its
//!   serializer with a `SerializationContext` before `produce()`; `set_serializer` creates the new
//!   serializer, `register_schema` / `set_compatibility` are `sr.register_schema(subject,
//!   Schema(…, 'AVRO'))` / `sr.set_compatibility(subject_name=…, level=…)`. Checked byte for byte
//!   against the simulation on librdkafka's mock cluster and confluent-kafka's mock registry
//!   (`tests/oracle/test_codegen_serializers.py`). The Java program uses `KafkaAvroSerializer`
//!   with `schema.registry.url` and `GenericRecord`s, JSON as `json.dumps` text through
//!   `StringSerializer`, one `KafkaProducer` per pair of serializers, `CachedSchemaRegistryClient`
//!   for the registry calls; compiled and run against stand-in classes
//!   (`tests/oracle/test_codegen_java_serializers.py`).
//! - Every user string is emitted only as an escaped string literal (ASCII-only output; quotes,
//!   backslashes, control characters and non-ASCII escaped), including inside comments, so no
//!   input can end a literal or a comment.

mod java_serializers;
mod serializers;

use java_serializers::JavaSerializers;
use ksim::{
    Action, ClientProfile, ConfigEntry, HeaderSpec, ProduceMode, ProducerSettings, ProducerSpec,
    Scenario, TopicSpec,
};
use serializers::{Field, Serializers};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The padding `ksim` appends to reach `value_size_bytes`.
const PAD_FILL: &str = ksim::VALUE_PAD_FILL;

/// `producer.produce(...)`'s keyword arguments after the key and value: headers, partition,
/// timestamp and the delivery callback.
fn python_produce_options(
    args: &mut Vec<String>,
    headers: &[HeaderSpec],
    partition: Option<u32>,
    timestamp_ms: Option<i64>,
) {
    if !headers.is_empty() {
        let h: Vec<String> = headers
            .iter()
            .map(|h| {
                // Bytes: confluent-kafka passes str header values as C strings (cut at NUL).
                let v = h
                    .value
                    .as_deref()
                    .map_or_else(|| "None".into(), |v| format!("{}.encode()", python_str(v)));
                format!("({}, {v})", python_str(&h.key))
            })
            .collect();
        args.push(format!("headers=[{}]", h.join(", ")));
    }
    if let Some(p) = partition {
        args.push(format!("partition={p}"));
    }
    if let Some(t) = timestamp_ms {
        args.push(format!("timestamp={t}"));
    }
    args.push("on_delivery=on_delivery".into());
}

/// A Python string literal for `s` (double quotes, ASCII only).
pub fn python_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
        }
    }
    out.push('"');
    out
}

/// A Java string literal for `s` (ASCII only; `\n`, `\r`, `"` and `\` use their short escapes,
/// never `\u`, because Java decodes `\u` escapes before it reads literals and comments).
pub fn java_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{:04x}", unit);
                }
            }
        }
    }
    out.push('"');
    out
}

/// The user's config keys that change an effective setting, with their values, in key order.
pub fn non_default_config(spec: &ProducerSpec) -> Vec<(String, String)> {
    let entries = |config: BTreeMap<String, String>| -> Vec<ConfigEntry> {
        ProducerSettings::from_spec(&ProducerSpec {
            profile: spec.profile,
            config,
        })
        .map(|s| s.entries)
        .unwrap_or_default()
    };
    let defaults = entries(BTreeMap::new());
    spec.config
        .iter()
        .filter(|(k, _)| *k != "bootstrap.servers" && !k.starts_with("test.mock."))
        .filter(|(k, v)| {
            let mut one = BTreeMap::new();
            one.insert((*k).clone(), (*v).clone());
            let changed = entries(one);
            // An invalid value (rejected by the client) is kept: the real client will say so.
            changed.is_empty()
                || changed.iter().any(|e| {
                    defaults
                        .iter()
                        .all(|d| d.name != e.name || d.value != e.value)
                })
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Whether the scenario writes any topic with a JSON or Avro serializer.
fn uses_serializers(s: &Scenario) -> bool {
    !s.serializers.is_empty()
        || !s.schemas.is_empty()
        || s.actions.iter().any(|a| {
            matches!(
                a.action,
                Action::SetSerializer(_)
                    | Action::RegisterSchema { .. }
                    | Action::SetCompatibility { .. }
            )
        })
}

/// Whether the program needs a Schema Registry client: an Avro serializer, or an operator's
/// registry call.
fn uses_registry(s: &Scenario) -> bool {
    let avro = |t: &ksim::TopicSerializers| {
        t.key_format == ksim::SerdeFormat::Avro || t.value_format == ksim::SerdeFormat::Avro
    };
    !s.schemas.is_empty()
        || s.serializers.iter().any(avro)
        || s.actions.iter().any(|a| match &a.action {
            Action::SetSerializer(t) => avro(t),
            Action::RegisterSchema { .. } | Action::SetCompatibility { .. } => true,
            _ => false,
        })
}

/// Whether any topic's key or value is written as JSON.
fn uses_json(s: &Scenario) -> bool {
    let json = |t: &ksim::TopicSerializers| {
        t.key_format == ksim::SerdeFormat::Json || t.value_format == ksim::SerdeFormat::Json
    };
    s.serializers.iter().any(json)
        || s.actions
            .iter()
            .any(|a| matches!(&a.action, Action::SetSerializer(t) if json(t)))
}

/// Every topic the scenario uses: initial ones, then `create_topic` actions.
fn topics(s: &Scenario) -> Vec<TopicSpec> {
    let mut out = s.topics.clone();
    for a in &s.actions {
        if let Action::CreateTopic(t) = &a.action {
            out.push(t.clone());
        }
    }
    out
}

/// The pause between two calls of a paced `produce_many` loop, if it has a usable rate.
fn pace(rate_per_sec: Option<f64>) -> Option<f64> {
    rate_per_sec.filter(|r| r.is_finite() && *r > 0.0)
}

/// How long a paced `produce_many` loop sleeps in total (its own sleeps already cover that part
/// of the gap to the next action).
fn paced_duration_ms(a: &Action) -> f64 {
    match a {
        Action::ProduceMany {
            count,
            rate_per_sec,
            ..
        } => pace(*rate_per_sec).map_or(0.0, |r| *count as f64 * 1000.0 / r),
        _ => 0.0,
    }
}

/// What one target language writes where the action walk ([`emit_actions`]) differs between
/// languages: statement syntax, library calls and wording. The walk itself — time order, pauses,
/// the `produce_many` loop's key/value/padding/pacing, and the comments for what a real client
/// cannot do mid-run — is written once against this.
trait Lang {
    /// The serializers the program holds while the action walk goes on.
    type Ser: SerState;
    /// Indentation of a statement in the produce sequence.
    const INDENT: &'static str;
    /// Indentation of a statement in a `produce_many` loop body.
    const BODY: &'static str;
    /// Line comment marker.
    const COMMENT: &'static str;
    const NULL: &'static str;
    /// What starts a local variable declaration (`String `), if the language has one.
    const LET: &'static str;
    /// What ends a statement.
    const END: &'static str;
    /// The function that turns the loop index into text.
    const INDEX_TO_STRING: &'static str;
    /// Suffix of a 64-bit integer literal.
    const LONG: &'static str;
    /// After "topic X" in the comment for a `create_topic` action.
    const TOPIC_NOTE: &'static str;
    /// After "a real application creates a new" in the comment for a producer config change.
    const NEW_PRODUCER: &'static str;
    /// The admin call that alters a topic config.
    const ALTER_CONFIGS: &'static str;

    /// An escaped string literal.
    fn lit(s: &str) -> String;
    /// A pause of `gap_ms` (at least 1 ms) before the next action.
    fn sleep(o: &mut String, gap_ms: f64);
    /// One `produce` action.
    fn produce(
        o: &mut String,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    );
    /// The head of a `produce_many` loop over `i` in `0..count`.
    fn loop_open(o: &mut String, count: u64);
    /// The loop body's produce call of `key` and `value` to `topic` (a literal) in `mode`.
    /// The loop body's send of `key` and `value` (text) to `topic` (unquoted).
    fn loop_send(o: &mut String, ser: &Self::Ser, topic: &str, mode: ProduceMode);
    /// The loop body's pause between calls at `rate_per_sec` (positive and finite).
    fn loop_pace(o: &mut String, rate_per_sec: f64);
    /// The end of a `produce_many` loop.
    fn loop_close(o: &mut String);
    fn poll(o: &mut String);
    fn flush(o: &mut String, timeout_ms: Option<f64>);

    /// One `produce` action through the program's serializers (`ser.enabled`); a language
    /// that does not export serializers yet sends the text.
    #[allow(clippy::too_many_arguments)]
    fn produce_serialized(
        o: &mut String,
        _ser: &Self::Ser,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) {
        Self::produce(o, topic, key, value, headers, partition, timestamp_ms)
    }

    /// The statements of a `produce_many` loop body that compute `key` and `value` through the
    /// program's serializers, if the language exports them (else the walk writes the text).
    fn loop_serialized(
        _o: &mut String,
        _ser: &Self::Ser,
        _topic: &str,
        _key: Option<(&str, &str)>,
        _value: &str,
    ) -> bool {
        false
    }

    /// `set_serializer`, `register_schema`, `set_compatibility` as the program's own calls, if
    /// the language exports serializers (else the walk writes a comment).
    fn registry_action(_o: &mut String, _ser: &mut Self::Ser, _a: &Action) -> bool {
        false
    }

    /// The loop body's send of a serialized `key` and `value` (see [`Lang::loop_serialized`]).
    fn loop_send_serialized(o: &mut String, ser: &Self::Ser, topic: &str, mode: ProduceMode) {
        Self::loop_send(o, ser, topic, mode)
    }

    /// `v` as a string literal, or the language's null.
    fn opt(v: Option<&str>) -> String {
        v.map_or_else(|| Self::NULL.into(), Self::lit)
    }

    /// A comment line in the produce sequence.
    fn comment(o: &mut String, text: std::fmt::Arguments) {
        let _ = writeln!(o, "{}{} {text}", Self::INDENT, Self::COMMENT);
    }
}

/// What the action walk asks of a language's serializer state.
trait SerState {
    /// Whether the program uses serializers at all (else every value goes out as its text).
    fn enabled(&self) -> bool;
    /// Whether `topic`'s values go out as their text now (`StringSerializer`, or no
    /// serializers at all).
    fn value_is_string(&self, topic: &str) -> bool;
}

impl SerState for Serializers {
    fn enabled(&self) -> bool {
        self.enabled
    }
    fn value_is_string(&self, topic: &str) -> bool {
        !self.enabled || self.format_of(topic, Field::Value).0.is_string()
    }
}

/// The scenario's actions in time order, with the pauses between them.
fn emit_actions<L: Lang>(o: &mut String, s: &Scenario, ser: &mut L::Ser) {
    let mut v: Vec<(f64, &Action)> = s.actions.iter().map(|a| (a.at_ms, &a.action)).collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut now = 0.0;
    for (at, a) in v {
        if at - now >= 1.0 {
            L::sleep(o, at - now);
        }
        now = now.max(at) + paced_duration_ms(a);
        emit_action::<L>(o, a, ser);
    }
}

fn emit_action<L: Lang>(o: &mut String, a: &Action, ser: &mut L::Ser) {
    if ser.enabled() && L::registry_action(o, ser, a) {
        return;
    }
    match a {
        Action::Produce {
            topic,
            key,
            value,
            headers,
            partition,
            timestamp_ms,
        } if ser.enabled() => L::produce_serialized(
            o,
            ser,
            topic,
            key.as_deref(),
            value.as_deref(),
            headers,
            *partition,
            *timestamp_ms,
        ),
        Action::Produce {
            topic,
            key,
            value,
            headers,
            partition,
            timestamp_ms,
        } => L::produce(
            o,
            topic,
            key.as_deref(),
            value.as_deref(),
            headers,
            *partition,
            *timestamp_ms,
        ),
        Action::ProduceMany {
            topic,
            count,
            rate_per_sec,
            key,
            key_count,
            value,
            value_size_bytes,
            mode,
        } => {
            let (body, decl, end) = (L::BODY, L::LET, L::END);
            if let (Some(n), false) = (value_size_bytes, ser.value_is_string(topic)) {
                // ksim pads the value text before the serializer (`AppLoop::next`): padded
                // text is not JSON, so json.loads (JSON) and the Avro serializer refuse the
                // first record, and the loop ends there.
                L::comment(
                    o,
                    format_args!(
                        "Not sent: this loop pads each value to {n} bytes before the serializer; the padded text is not JSON, so the serializer refuses the first record and the loop ends (as the playground shows)."
                    ),
                );
                return;
            }
            L::loop_open(o, *count);
            let idx = match key_count {
                Some(n) if *n > 0 => format!("i % {n}{}", L::LONG),
                _ => "i".into(),
            };
            if ser.enabled()
                && value_size_bytes.is_none()
                && L::loop_serialized(o, ser, topic, key.as_deref().map(|k| (k, idx.as_str())), value)
            {
                L::loop_send_serialized(o, ser, topic, *mode);
                if let Some(r) = pace(*rate_per_sec) {
                    L::loop_pace(o, r);
                }
                L::loop_close(o);
                return;
            }
            match key {
                Some(k) => {
                    let _ = writeln!(
                        o,
                        "{body}{decl}key = {}.replace(\"{{i}}\", {}({idx})){end}",
                        L::lit(k),
                        L::INDEX_TO_STRING
                    );
                }
                None => {
                    let _ = writeln!(o, "{body}{decl}key = {}{end}", L::NULL);
                }
            }
            let _ = writeln!(
                o,
                "{body}{decl}value = {}.replace(\"{{i}}\", {}(i)){end}",
                L::lit(value),
                L::INDEX_TO_STRING
            );
            if let Some(n) = value_size_bytes {
                let _ = writeln!(o, "{body}value = padded(value, {n}){end}");
            }
            L::loop_send(o, ser, topic, *mode);
            if let Some(r) = pace(*rate_per_sec) {
                L::loop_pace(o, r);
            }
            L::loop_close(o);
        }
        Action::Poll => L::poll(o),
        Action::Flush { timeout_ms } => L::flush(o, *timeout_ms),
        Action::CreateTopic(t) => {
            L::comment(
                o,
                format_args!("topic {} {}", L::lit(&t.name), L::TOPIC_NOTE),
            );
        }
        Action::SetProducerConfig { name, value } => L::comment(
            o,
            format_args!(
                "The playground changed {} to {} here; a real application creates a new {}.",
                L::lit(name),
                L::lit(value),
                L::NEW_PRODUCER
            ),
        ),
        Action::SetTopicConfig { topic, name, value } => L::comment(
            o,
            format_args!(
                "The playground set topic {} config {} = {} here ({}).",
                L::lit(topic),
                L::lit(name),
                L::lit(value),
                L::ALTER_CONFIGS
            ),
        ),
        Action::SetSerializer(ser) => {
            let f = serde_json::to_string(ser).unwrap_or_default();
            L::comment(
                o,
                format_args!("The program switches serializers here: {}", L::lit(&f)),
            );
        }
        Action::RegisterSchema { subject, schema } => L::comment(
            o,
            format_args!(
                "An operator registers schema {} under subject {} here (POST /subjects/{{subject}}/versions).",
                L::lit(schema),
                L::lit(subject)
            ),
        ),
        Action::SetCompatibility { subject, level } => L::comment(
            o,
            format_args!(
                "An operator sets the compatibility of {} to {} here (PUT /config).",
                L::opt(subject.as_deref()),
                L::lit(level)
            ),
        ),
        Action::InjectFault { fault } => {
            let f = serde_json::to_string(fault).unwrap_or_default();
            L::comment(
                o,
                format_args!("Simulated fault (not reproducible here): {}", L::lit(&f)),
            );
        }
    }
}

fn py_value(v: &str) -> String {
    match v {
        "true" => "True".into(),
        "false" => "False".into(),
        _ if !v.is_empty() && v.len() < 19 && v.parse::<i64>().is_ok() && !v.starts_with('+') => {
            v.to_string()
        }
        _ => python_str(v),
    }
}

/// The confluent-kafka Python program for the scenario. `python3 prog.py [--bootstrap HOST:PORT]
/// [--create-topics]`.
pub fn python(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "#!/usr/bin/env python3");
    let _ = writeln!(
        o,
        "# Generated by the Kafka Producer Playground from scenario {}.",
        python_str(&s.name)
    );
    if s.producer.profile == ClientProfile::Java {
        let _ = writeln!(o, "# The scenario uses the Java profile; this is the closest confluent-kafka (librdkafka) program.");
    }
    let serde = uses_serializers(s);
    let registry = serde && uses_registry(s);
    if registry {
        o.push_str("# Run: python3 producer.py --bootstrap HOST:PORT --schema-registry URL [--create-topics]\n");
    } else {
        o.push_str("# Run: python3 producer.py --bootstrap HOST:PORT [--create-topics]\n");
    }
    o.push_str("import argparse\n");
    if serde {
        o.push_str("import json\n");
    }
    o.push_str(
        "import time\n\n\
         from confluent_kafka import KafkaException, Producer\n\
         from confluent_kafka.admin import AdminClient, NewTopic\n",
    );
    if registry {
        o.push_str(
            "from confluent_kafka.schema_registry import Schema, SchemaRegistryClient\n\
             from confluent_kafka.schema_registry.avro import AvroSerializer\n\
             from confluent_kafka.schema_registry.error import SchemaRegistryError\n",
        );
    }
    if serde {
        o.push_str("from confluent_kafka.serialization import MessageField, SerializationContext, StringSerializer\n");
    }
    o.push('\n');
    let _ = writeln!(o, "PAD = {}.encode()\n", python_str(PAD_FILL));
    if registry {
        o.push_str("# The application's Avro schemas (each the schema_str of an AvroSerializer).\nSCHEMAS = {\n");
        for x in &s.schemas {
            let _ = writeln!(o, "    {}: {},", python_str(&x.name), python_str(&x.schema));
        }
        o.push_str("}\n\n");
    }
    o.push_str("# (name, partitions, replication factor, topic configs)\nTOPICS = [\n");
    for t in topics(s) {
        let cfg: Vec<String> = t
            .configs
            .iter()
            .map(|(k, v)| format!("{}: {}", python_str(k), python_str(v)))
            .collect();
        let _ = writeln!(
            o,
            "    ({}, {}, {}, {{{}}}),",
            python_str(&t.name),
            t.partitions,
            t.replication_factor,
            cfg.join(", ")
        );
    }
    o.push_str("]\n\n");
    o.push_str(
        "\ndef delivery_report(err, msg):\n\
         \x20   \"\"\"Called from poll()/flush() once per message.\"\"\"\n\
         \x20   if err is not None:\n\
         \x20       print(f\"failed: {err.name()} {err.str()} topic={msg.topic()} key={msg.key()!r}\")\n\
         \x20   else:\n\
         \x20       print(f\"delivered: topic={msg.topic()} partition={msg.partition()} offset={msg.offset()} key={msg.key()!r}\")\n\n\n\
         def padded(text, size):\n\
         \x20   \"\"\"The value padded with filler text to exactly `size` bytes.\"\"\"\n\
         \x20   v = text.encode()\n\
         \x20   while len(v) < size:\n\
         \x20       v += PAD[: size - len(v)]\n\
         \x20   return v[:size]\n\n\n\
         def create_topics(bootstrap):\n\
         \x20   admin = AdminClient({\"bootstrap.servers\": bootstrap})\n\
         \x20   new = [NewTopic(n, num_partitions=p, replication_factor=r, config=c) for n, p, r, c in TOPICS]\n\
         \x20   if not new:\n\
         \x20       return\n\
         \x20   for name, future in admin.create_topics(new).items():\n\
         \x20       try:\n\
         \x20           future.result()\n\
         \x20       except KafkaException as e:\n\
         \x20           print(f\"topic {name}: {e}\")\n\n\n",
    );
    if serde && uses_json(s) {
        o.push_str(
            "def json_serializer(obj, ctx=None):\n\
             \x20   \"\"\"The JSON format: json.dumps with its default spacing, as UTF-8 bytes.\"\"\"\n\
             \x20   return None if obj is None else json.dumps(obj).encode(\"utf-8\")\n\n\n",
        );
    }
    if registry {
        o.push_str("def run(bootstrap, schema_registry_url, on_delivery=delivery_report):\n");
    } else {
        o.push_str("def run(bootstrap, on_delivery=delivery_report):\n");
    }
    o.push_str("    conf = {\n        \"bootstrap.servers\": bootstrap,\n");
    for (k, v) in non_default_config(&s.producer) {
        let _ = writeln!(o, "        {}: {},", python_str(&k), py_value(&v));
    }
    o.push_str("    }\n    producer = Producer(conf)\n");
    let mut ser = Serializers::new(s, serde);
    if registry {
        o.push_str("    sr = SchemaRegistryClient({\"url\": schema_registry_url})\n");
        let spec = s.schema_registry.clone().unwrap_or_default();
        if spec.compatibility != "BACKWARD" {
            let _ = writeln!(
                o,
                "    sr.set_compatibility(level={})",
                python_str(&spec.compatibility)
            );
        }
        for (subject, level) in &spec.subjects {
            let _ = writeln!(
                o,
                "    sr.set_compatibility(subject_name={}, level={})",
                python_str(subject),
                python_str(level)
            );
        }
    }
    if serde {
        ser.open(&mut o);
    }
    emit_actions::<Python>(&mut o, s, &mut ser);
    o.push_str(
        "    remaining = producer.flush(30)\n\
         \x20   print(f\"flush() returned {remaining}\")\n\
         \x20   return remaining\n\n\n\
         if __name__ == \"__main__\":\n\
         \x20   parser = argparse.ArgumentParser()\n\
         \x20   parser.add_argument(\"--bootstrap\", default=\"localhost:9092\")\n\
         \x20   parser.add_argument(\"--create-topics\", action=\"store_true\")\n",
    );
    if registry {
        o.push_str(
            "    parser.add_argument(\"--schema-registry\", default=\"http://localhost:8081\")\n",
        );
    }
    o.push_str(
        "    args = parser.parse_args()\n\
         \x20   if args.create_topics:\n\
         \x20       create_topics(args.bootstrap)\n",
    );
    if registry {
        o.push_str("    raise SystemExit(1 if run(args.bootstrap, args.schema_registry) else 0)\n");
    } else {
        o.push_str("    raise SystemExit(1 if run(args.bootstrap) else 0)\n");
    }
    o
}

/// confluent-kafka Python.
struct Python;

impl Lang for Python {
    type Ser = Serializers;
    const INDENT: &'static str = "    ";
    const BODY: &'static str = "        ";
    const COMMENT: &'static str = "#";
    const NULL: &'static str = "None";
    const LET: &'static str = "";
    const END: &'static str = "";
    const INDEX_TO_STRING: &'static str = "str";
    const LONG: &'static str = "";
    const TOPIC_NOTE: &'static str = "is in TOPICS (--create-topics)";
    const NEW_PRODUCER: &'static str = "Producer for that";
    const ALTER_CONFIGS: &'static str = "AdminClient.incremental_alter_configs";

    fn lit(s: &str) -> String {
        python_str(s)
    }

    fn sleep(o: &mut String, gap_ms: f64) {
        let _ = writeln!(o, "    time.sleep({:.3})", gap_ms / 1000.0);
    }

    fn produce(
        o: &mut String,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) {
        let mut args = vec![
            python_str(topic),
            format!("key={}", Self::opt(key)),
            format!("value={}", Self::opt(value)),
        ];
        python_produce_options(&mut args, headers, partition, timestamp_ms);
        let _ = writeln!(o, "    producer.produce({})", args.join(", "));
        o.push_str("    producer.poll(0)\n");
    }

    fn produce_serialized(
        o: &mut String,
        ser: &Self::Ser,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) {
        let mut args = vec![
            python_str(topic),
            format!("key={}", ser.expr(topic, Field::Key, key, None)),
            format!("value={}", ser.expr(topic, Field::Value, value, None)),
        ];
        python_produce_options(&mut args, headers, partition, timestamp_ms);
        let _ = writeln!(
            o,
            "    try:\n        producer.produce({})\n    except Exception as e:  # a serializer raised before produce(): nothing queued\n        print(f\"not produced: {{e!r}}\")",
            args.join(", ")
        );
        o.push_str("    producer.poll(0)\n");
    }

    fn loop_serialized(
        o: &mut String,
        ser: &Self::Ser,
        topic: &str,
        key: Option<(&str, &str)>,
        value: &str,
    ) -> bool {
        let key = match key {
            Some((k, idx)) => ser.expr(topic, Field::Key, Some(k), Some(idx)),
            None => "None".into(),
        };
        // A serializer that raises ends the loop, as the playground ends a produce_many loop on
        // a serialization error (nothing of that record is queued).
        let _ = writeln!(o, "        try:");
        let _ = writeln!(o, "            key = {key}");
        let _ = writeln!(
            o,
            "            value = {}",
            ser.expr(topic, Field::Value, Some(value), Some("i"))
        );
        let _ = writeln!(
            o,
            "        except Exception as e:  # a serializer raised before produce(): the loop ends\n            print(f\"not produced: {{e!r}}\")\n            break"
        );
        true
    }

    fn registry_action(o: &mut String, ser: &mut Self::Ser, a: &Action) -> bool {
        match a {
            Action::SetSerializer(t) => ser.switch(o, t),
            Action::RegisterSchema { subject, schema } => {
                let _ = writeln!(
                    o,
                    "    # An operator registers a schema (POST /subjects/{{subject}}/versions); the registry may refuse it.\n\
                     \x20   try:\n\
                     \x20       sr.register_schema({}, Schema(SCHEMAS[{}], \"AVRO\"))\n\
                     \x20   except SchemaRegistryError as e:\n\
                     \x20       print(f\"register_schema: {{e}}\")",
                    python_str(subject),
                    python_str(schema)
                );
            }
            Action::SetCompatibility { subject, level } => {
                let _ = match subject {
                    Some(sub) => writeln!(
                        o,
                        "    sr.set_compatibility(subject_name={}, level={})",
                        python_str(sub),
                        python_str(level)
                    ),
                    None => writeln!(o, "    sr.set_compatibility(level={})", python_str(level)),
                };
            }
            _ => return false,
        }
        true
    }

    fn loop_open(o: &mut String, count: u64) {
        let _ = writeln!(o, "    for i in range({count}):");
    }

    fn loop_send(o: &mut String, _ser: &Self::Ser, topic: &str, mode: ProduceMode) {
        let produce = format!(
            "producer.produce({}, key=key, value=value, on_delivery=on_delivery)",
            python_str(topic)
        );
        match mode {
            ProduceMode::Async => {
                let _ = writeln!(
                    o,
                    "        while True:\n            try:\n                {produce}\n                break\n            except BufferError:\n                producer.poll(1)  # queue full: serve reports, then retry\n        producer.poll(0)"
                );
            }
            ProduceMode::Sync => {
                let _ = writeln!(o, "        {produce}\n        producer.flush()  # synchronous: wait for this message");
            }
            ProduceMode::NoPoll => {
                let _ = writeln!(o, "        try:\n            {produce}\n        except BufferError:\n            print(\"BufferError: local queue full, message dropped\")");
            }
        }
    }

    fn loop_pace(o: &mut String, rate_per_sec: f64) {
        let _ = writeln!(o, "        time.sleep({})", 1.0 / rate_per_sec);
    }

    fn loop_close(_: &mut String) {}

    fn poll(o: &mut String) {
        o.push_str("    producer.poll(0)\n");
    }

    fn flush(o: &mut String, timeout_ms: Option<f64>) {
        match timeout_ms {
            Some(t) if t.is_finite() => {
                let _ = writeln!(o, "    producer.flush({})", t / 1000.0);
            }
            _ => o.push_str("    producer.flush()\n"),
        }
    }
}

/// The Java 3.6 producer program for the scenario (`java PlaygroundProducer.java [HOST:PORT]
/// [REGISTRY_URL]`).
pub fn java(s: &Scenario) -> String {
    let serde = uses_serializers(s);
    let registry = serde && uses_registry(s);
    let mut ser = JavaSerializers::new(s, serde);
    let producers: Vec<((bool, bool), String)> =
        ser.producers().map(|(p, n)| (p, n.to_string())).collect();
    let avro = producers.iter().any(|((k, v), _)| *k || *v);
    let admin = s.actions.iter().any(|a| {
        matches!(
            a.action,
            Action::RegisterSchema { .. } | Action::SetCompatibility { .. }
        )
    }) || s
        .schema_registry
        .as_ref()
        .is_some_and(|r| r.compatibility != "BACKWARD" || !r.subjects.is_empty());
    let mut body = String::new();
    emit_actions::<Java>(&mut body, s, &mut ser);

    let mut o = String::new();
    let _ = writeln!(
        o,
        "// Generated by the Kafka Producer Playground from scenario {}.",
        java_str(&s.name)
    );
    o.push_str("// Kafka clients 3.6: java -cp kafka-clients-3.6.2.jar:slf4j-api.jar PlaygroundProducer.java [HOST:PORT]");
    if registry {
        o.push_str(" [SCHEMA_REGISTRY_URL]\n// with Confluent's kafka-avro-serializer and kafka-schema-registry-client 7.6 (the release for Kafka 3.6)\n// and avro 1.11 on the class path (packages.confluent.io/maven).");
    }
    o.push_str("\nimport java.nio.charset.StandardCharsets;\n");
    if registry {
        o.push_str("import java.nio.ByteBuffer;\nimport java.util.Arrays;\n");
    }
    if ser.uses_map.get() {
        o.push_str("import java.util.LinkedHashMap;\nimport java.util.Map;\n");
    }
    o.push_str("import java.util.Properties;\n");
    if registry {
        o.push_str(
            "import io.confluent.kafka.schemaregistry.avro.AvroSchema;\n\
             import io.confluent.kafka.schemaregistry.client.CachedSchemaRegistryClient;\n\
             import io.confluent.kafka.schemaregistry.client.rest.exceptions.RestClientException;\n\
             import io.confluent.kafka.serializers.KafkaAvroSerializer;\n\
             import org.apache.avro.Schema;\n\
             import org.apache.avro.generic.GenericData;\n\
             import org.apache.avro.generic.GenericRecord;\n",
        );
    }
    o.push_str(
        "import org.apache.kafka.clients.producer.Callback;\n\
         import org.apache.kafka.clients.producer.KafkaProducer;\n\
         import org.apache.kafka.clients.producer.ProducerConfig;\n\
         import org.apache.kafka.clients.producer.ProducerRecord;\n",
    );
    if avro {
        o.push_str("import org.apache.kafka.common.errors.SerializationException;\n");
    }
    o.push_str(
        "import org.apache.kafka.common.serialization.StringSerializer;\n\n\
         public class PlaygroundProducer {\n\
         \x20   static final String PAD = ",
    );
    let _ = writeln!(o, "{};\n", java_str(PAD_FILL));
    if registry {
        o.push_str("    // The application's Avro schemas; a GenericRecord carries its schema to KafkaAvroSerializer.\n");
        for x in &s.schemas {
            if let Some(c) = ser.schema_text_const(&x.name) {
                let id = c.trim_end_matches("_AVSC");
                let _ = writeln!(o, "    static final String {c} = {};", java_str(&x.schema));
                let _ = writeln!(
                    o,
                    "    static final Schema {id} = new Schema.Parser().parse({c});"
                );
            }
        }
        o.push('\n');
    }
    o.push_str(
        "    static String padded(String text, int size) {\n\
         \x20       StringBuilder b = new StringBuilder(text);\n\
         \x20       while (b.length() < size) b.append(PAD, 0, Math.min(PAD.length(), size - b.length()));\n\
         \x20       return b.substring(0, size);\n\
         \x20   }\n\n",
    );
    if ser.uses_record.get() {
        o.push_str(
            "    /** A nested record of `schema`: field names and values in pairs. */\n\
             \x20   static GenericData.Record record(Schema schema, Object... fields) {\n\
             \x20       GenericData.Record r = new GenericData.Record(schema);\n\
             \x20       for (int n = 0; n < fields.length; n += 2) r.put((String) fields[n], fields[n + 1]);\n\
             \x20       return r;\n\
             \x20   }\n\n",
        );
    }
    if ser.uses_map.get() {
        o.push_str(
            "    /** An Avro map: keys and values in pairs, in the order written. */\n\
             \x20   static Map<String, Object> map(Object... entries) {\n\
             \x20       Map<String, Object> m = new LinkedHashMap<>();\n\
             \x20       for (int n = 0; n < entries.length; n += 2) m.put((String) entries[n], entries[n + 1]);\n\
             \x20       return m;\n\
             \x20   }\n\n",
        );
    }
    o.push_str(
        "    public static void main(String[] args) throws Exception {\n\
         \x20       String bootstrap = args.length > 0 ? args[0] : \"localhost:9092\";\n",
    );
    if registry {
        o.push_str(
            "        String registryUrl = args.length > 1 ? args[1] : \"http://localhost:8081\";\n",
        );
    }
    o.push_str(
        "        Properties props = new Properties();\n\
         \x20       props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);\n",
    );
    let one = producers.len() == 1;
    if !(one && avro) {
        o.push_str(
            "        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());\n\
             \x20       props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());\n",
        );
    }
    if s.producer.profile == ClientProfile::Librdkafka {
        o.push_str("        // The scenario ran librdkafka; Java 3.6 defaults differ (idempotence on, linger.ms 0,\n        // batch.size 16384, max.in.flight 5). Settings with a Java equivalent:\n");
    }
    for (k, v) in non_default_config(&s.producer) {
        match ksim::config::java_name(&k) {
            Some(j) => {
                let v = if j == "acks" && v == "-1" {
                    "all".to_string()
                } else {
                    v
                };
                let _ = writeln!(o, "        props.put({}, {});", java_str(j), java_str(&v));
            }
            None if s.producer.profile == ClientProfile::Java => {
                let _ = writeln!(o, "        props.put({}, {});", java_str(&k), java_str(&v));
            }
            None => {
                let _ = writeln!(
                    o,
                    "        // librdkafka setting {} = {} has no Java equivalent.",
                    java_str(&k),
                    java_str(&v)
                );
            }
        }
    }
    let auto_register = s
        .schema_registry
        .as_ref()
        .is_none_or(|r| r.auto_register_schemas);
    if !one {
        o.push_str("        // A KafkaProducer reads key.serializer and value.serializer once, when it is built, so this\n        // program builds one producer per pair of serializers, all from these props. Records sent\n        // through different producers keep no order between them.\n");
    }
    let mut decls = Vec::new();
    for ((k, v), name) in &producers {
        let pv = if one || !(*k || *v) {
            "props".to_string()
        } else {
            format!("{name}Props")
        };
        if !one && (*k || *v) {
            let _ = writeln!(
                o,
                "        Properties {pv} = new Properties();\n        {pv}.putAll(props);"
            );
        }
        if *k || *v {
            for (avro_side, cfg) in [(*k, "KEY"), (*v, "VALUE")] {
                let class = if avro_side {
                    "KafkaAvroSerializer"
                } else {
                    "StringSerializer"
                };
                let _ = writeln!(
                    o,
                    "        {pv}.put(ProducerConfig.{cfg}_SERIALIZER_CLASS_CONFIG, {class}.class.getName());"
                );
            }
            let _ = writeln!(o, "        {pv}.put(\"schema.registry.url\", registryUrl);");
            if !auto_register {
                let _ = writeln!(o, "        {pv}.put(\"auto.register.schemas\", \"false\"); // look the schema up, never register it");
            }
        }
        decls.push(format!(
            "KafkaProducer<{}, {}> {name} = new KafkaProducer<>({pv})",
            JavaSerializers::java_type(*k),
            JavaSerializers::java_type(*v)
        ));
    }
    o.push_str(
        "        Callback onDelivery = (metadata, exception) -> {\n\
         \x20           if (exception != null) System.out.println(\"failed: \" + exception);\n\
         \x20           else System.out.println(\"delivered: topic=\" + metadata.topic() + \" partition=\" + metadata.partition() + \" offset=\" + metadata.offset());\n\
         \x20       };\n",
    );
    let names: Vec<String> = topics(s)
        .iter()
        .map(|t| {
            format!(
                "{} ({} partitions, RF {})",
                java_str(&t.name),
                t.partitions,
                t.replication_factor
            )
        })
        .collect();
    if !names.is_empty() {
        let _ = writeln!(
            o,
            "        // Topics (create them first, e.g. with kafka-topics.sh): {}",
            names.join(", ")
        );
    }
    if admin {
        o.push_str("        CachedSchemaRegistryClient registry = new CachedSchemaRegistryClient(registryUrl, 100);\n");
        if let Some(spec) = &s.schema_registry {
            if spec.compatibility != "BACKWARD" {
                let _ = writeln!(
                    o,
                    "        registry.updateCompatibility(null, {}); // null subject: the global level (PUT /config)",
                    java_str(&spec.compatibility)
                );
            }
            for (subject, level) in &spec.subjects {
                let _ = writeln!(
                    o,
                    "        registry.updateCompatibility({}, {});",
                    java_str(subject),
                    java_str(level)
                );
            }
        }
    }
    let _ = writeln!(o, "        try ({}) {{", decls.join(";\n             "));
    o.push_str(&body);
    for (_, name) in &producers {
        let _ = writeln!(o, "            {name}.flush();");
    }
    o.push_str("        }\n    }\n}\n");
    o
}

/// The Java 3.6 client.
struct Java;

impl Lang for Java {
    type Ser = JavaSerializers;
    const INDENT: &'static str = "            ";
    const BODY: &'static str = "                ";
    const COMMENT: &'static str = "//";
    const NULL: &'static str = "null";
    const LET: &'static str = "String ";
    const END: &'static str = ";";
    const INDEX_TO_STRING: &'static str = "Long.toString";
    const LONG: &'static str = "L";
    const TOPIC_NOTE: &'static str = "must exist (see the list above)";
    const NEW_PRODUCER: &'static str = "KafkaProducer";
    const ALTER_CONFIGS: &'static str = "Admin.incrementalAlterConfigs";

    fn lit(s: &str) -> String {
        java_str(s)
    }

    fn sleep(o: &mut String, gap_ms: f64) {
        let _ = writeln!(o, "            Thread.sleep({});", gap_ms.round() as u64);
    }

    fn produce(
        o: &mut String,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) {
        let part = partition.map_or_else(|| "null".into(), |p| p.to_string());
        let ts = timestamp_ms.map_or_else(|| "null".into(), |t| format!("{t}L"));
        o.push_str("            {\n");
        let _ = writeln!(
            o,
            "                ProducerRecord<String, String> record = new ProducerRecord<>({}, {part}, {ts}, {}, {});",
            java_str(topic),
            Self::opt(key),
            Self::opt(value)
        );
        for h in headers {
            let v = h.value.as_deref().map_or_else(
                || "null".into(),
                |v| format!("{}.getBytes(StandardCharsets.UTF_8)", java_str(v)),
            );
            let _ = writeln!(
                o,
                "                record.headers().add({}, {v});",
                java_str(&h.key)
            );
        }
        o.push_str("                producer.send(record, onDelivery);\n            }\n");
    }

    fn produce_serialized(
        o: &mut String,
        ser: &Self::Ser,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
        headers: &[HeaderSpec],
        partition: Option<u32>,
        timestamp_ms: Option<i64>,
    ) {
        let ind = "                ";
        o.push_str("            {\n");
        let built = ser.bind(o, ind, "key", topic, true, key, None).is_some()
            && ser
                .bind(o, ind, "value", topic, false, value, None)
                .is_some();
        if !built {
            o.push_str("            }\n");
            return;
        }
        let part = partition.map_or_else(|| "null".into(), |p| p.to_string());
        let ts = timestamp_ms.map_or_else(|| "null".into(), |t| format!("{t}L"));
        let _ = writeln!(
            o,
            "{ind}ProducerRecord<{}> record = new ProducerRecord<>({}, {part}, {ts}, key, value);",
            ser.record_types(topic),
            java_str(topic),
        );
        for h in headers {
            let v = h.value.as_deref().map_or_else(
                || "null".into(),
                |v| format!("{}.getBytes(StandardCharsets.UTF_8)", java_str(v)),
            );
            let _ = writeln!(o, "{ind}record.headers().add({}, {v});", java_str(&h.key));
        }
        let _ = writeln!(
            o,
            "{ind}try {{\n{ind}    {}.send(record, onDelivery);\n{ind}}} catch (SerializationException e) {{ // the serializer refused it in send(): nothing queued\n{ind}    System.out.println(\"not produced: \" + e);\n{ind}}}\n            }}",
            ser.producer(topic)
        );
    }

    fn loop_serialized(
        o: &mut String,
        ser: &Self::Ser,
        topic: &str,
        key: Option<(&str, &str)>,
        value: &str,
    ) -> bool {
        let ind = "                ";
        let (k, idx) = key.map_or((None, None), |(k, i)| (Some(k), Some(i)));
        let ok = ser.bind(o, ind, "key", topic, true, k, idx).is_some()
            && ser
                .bind(o, ind, "value", topic, false, Some(value), Some("i"))
                .is_some();
        if !ok {
            let _ = writeln!(o, "{ind}if (true) continue; // see above");
        }
        true
    }

    fn registry_action(o: &mut String, ser: &mut Self::Ser, a: &Action) -> bool {
        match a {
            Action::SetSerializer(t) => ser.switch(o, t),
            Action::Flush { .. } => {
                let names: Vec<String> = ser.producers().map(|(_, n)| n.to_string()).collect();
                for n in names {
                    let _ = writeln!(o, "            {n}.flush();");
                }
            }
            Action::RegisterSchema { subject, schema } => match ser.schema_text_const(schema) {
                Some(c) => {
                    let _ = writeln!(
                        o,
                        "            // An operator registers a schema (POST /subjects/{{subject}}/versions); the registry may refuse it.\n\
                         \x20           try {{\n\
                         \x20               registry.register({}, new AvroSchema({c}));\n\
                         \x20           }} catch (RestClientException e) {{\n\
                         \x20               System.out.println(\"register: \" + e.getMessage());\n\
                         \x20           }}",
                        java_str(subject)
                    );
                }
                None => return false,
            },
            Action::SetCompatibility { subject, level } => {
                let _ = writeln!(
                    o,
                    "            registry.updateCompatibility({}, {});",
                    subject.as_deref().map_or_else(|| "null".into(), java_str),
                    java_str(level)
                );
            }
            _ => return false,
        }
        true
    }

    fn loop_open(o: &mut String, count: u64) {
        let _ = writeln!(o, "            for (long i = 0; i < {count}L; i++) {{");
    }

    fn loop_send(o: &mut String, ser: &Self::Ser, topic: &str, mode: ProduceMode) {
        // The topic's own producer where the program has one per serializer pair.
        let send = format!(
            "{}.send(new ProducerRecord<>({}, key, value), onDelivery)",
            ser.producer(topic),
            java_str(topic)
        );
        match mode {
            ProduceMode::Sync => {
                let _ = writeln!(
                    o,
                    "                {send}.get(); // synchronous: wait for the ack"
                );
            }
            ProduceMode::Async | ProduceMode::NoPoll => {
                let _ = writeln!(o, "                {send};");
            }
        }
    }

    fn loop_send_serialized(o: &mut String, ser: &Self::Ser, topic: &str, mode: ProduceMode) {
        // KafkaAvroSerializer raises in send(): the loop ends, as the playground ends a
        // produce_many loop on a serialization error.
        if !ser.sends_avro(topic) {
            return Self::loop_send(o, ser, topic, mode);
        }
        let _ = writeln!(o, "                try {{");
        let mut send = String::new();
        Self::loop_send(&mut send, ser, topic, mode);
        for line in send.lines() {
            let _ = writeln!(o, "    {line}");
        }
        let _ = writeln!(
            o,
            "                }} catch (SerializationException e) {{ // nothing of this record is queued\n                    System.out.println(\"not produced: \" + e);\n                    break;\n                }}"
        );
    }

    fn loop_pace(o: &mut String, rate_per_sec: f64) {
        let _ = writeln!(
            o,
            "                java.util.concurrent.locks.LockSupport.parkNanos({}L);",
            (1e9 / rate_per_sec).round() as u64
        );
    }

    fn loop_close(o: &mut String) {
        o.push_str("            }\n");
    }

    fn poll(o: &mut String) {
        o.push_str("            // poll(): the Java client runs callbacks on its I/O thread\n");
    }

    fn flush(o: &mut String, _timeout_ms: Option<f64>) {
        o.push_str("            producer.flush();\n");
    }
}
