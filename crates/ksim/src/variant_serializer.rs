//! The pseudo-setting `value.serializer=string|json|avro` of a variant (`crate::variant`): the
//! same events through another value serializer, for the lecture's "JSON vs Avro" contrast
//! ("Run both ways" on the serialization lesson). The name is the configuration key that both
//! confluent-kafka's `SerializingProducer` and the Java client use for it.
//!
//! It applies to every topic the scenario writes through a JSON or Avro value serializer (a
//! topic left to `StringSerializer` keeps it: its text need not be a JSON value). Each
//! `produce` value and `produce_many` template of those topics is carried over as the same
//! application value (`kavro::plain_json`):
//! - to `json` (or `string`): an Avro topic's values, given in Avro's JSON encoding, become the
//!   application's plain dict as text (unions bare, decimals as numbers);
//! - to `avro`: a JSON topic takes the one value schema the scenario's Avro topics use (its
//!   own, if it has one); its values are read as plain dicts against it and written in Avro's
//!   JSON encoding. With no such schema, or two, the setting is refused.
//!
//! A value that does not carry over (a template that is JSON only once `{i}` is filled in, or
//! a dict the schema does not take) stays as written, and the run shows what the serializer
//! then does with it; each one is named in the variant's notes. The scenario's own
//! `set_serializer` actions for those topics are left out, so the setting holds for the whole
//! run (also named in the notes).

use crate::scenario::{Action, Scenario, SerdeFormat, TopicSerializers};
use crate::variant::{Setting, VariantError};
use std::collections::BTreeSet;

/// The pseudo-setting's name.
pub const SERIALIZER_SETTING: &str = "value.serializer";

/// Applies `value.serializer=…` to `sc`, adding what it left out or could not carry over to
/// `notes`.
pub(crate) fn apply(
    sc: &mut Scenario,
    s: &Setting,
    notes: &mut Vec<String>,
) -> Result<(), VariantError> {
    let target = match s.value.to_ascii_lowercase().as_str() {
        "string" => SerdeFormat::String,
        "json" => SerdeFormat::Json,
        "avro" => SerdeFormat::Avro,
        _ => {
            return Err(VariantError::InvalidValue {
                name: s.name.clone(),
                value: s.value.clone(),
                message: "the value serializer is string, json or avro".into(),
            })
        }
    };
    let serialized: BTreeSet<String> = sc
        .serializers
        .iter()
        .filter(|t| !t.value_format.is_string())
        .map(|t| t.topic.clone())
        .chain(sc.actions.iter().filter_map(|a| match &a.action {
            Action::SetSerializer(t) if !t.value_format.is_string() => Some(t.topic.clone()),
            _ => None,
        }))
        .collect();
    if serialized.is_empty() {
        notes.push(format!(
            "{s} changes nothing here: no topic has a JSON or Avro value serializer"
        ));
        return Ok(());
    }
    // The one value schema the Avro topics use (for `avro`), by name.
    let avro_schemas: BTreeSet<&str> = sc
        .serializers
        .iter()
        .filter(|t| t.value_format == SerdeFormat::Avro)
        .filter_map(|t| t.value_schema.as_deref())
        .collect();
    let shared_schema = match (target, avro_schemas.len()) {
        (SerdeFormat::Avro, 1) => avro_schemas.iter().next().map(|n| n.to_string()),
        (SerdeFormat::Avro, n) => {
            return Err(VariantError::InvalidValue {
                name: s.name.clone(),
                value: s.value.clone(),
                message: if n == 0 {
                    "no topic of the scenario has an Avro schema to use".into()
                } else {
                    format!("the scenario's Avro topics use {n} schemas; it needs one")
                },
            })
        }
        _ => None,
    };
    let parsed = |name: &str| {
        sc.schemas
            .iter()
            .find(|x| x.name == name)
            .and_then(|x| kavro::Schema::parse(&x.schema).ok())
    };
    // Per topic: its schema before (to read Avro values) and after (to write them).
    let mut plans = Vec::new();
    for topic in &serialized {
        let before = sc.serializers.iter().find(|t| &t.topic == topic).cloned();
        let from_schema = before
            .as_ref()
            .filter(|t| t.value_format == SerdeFormat::Avro)
            .and_then(|t| t.value_schema.as_deref())
            .and_then(parsed);
        let to_schema_name = match target {
            SerdeFormat::Avro => before
                .as_ref()
                .and_then(|t| t.value_schema.clone())
                .or(shared_schema.clone()),
            _ => None,
        };
        let to_schema = to_schema_name.as_deref().and_then(parsed);
        plans.push((
            topic.clone(),
            from_schema,
            to_schema,
            to_schema_name,
            before,
        ));
    }
    for (topic, from_schema, to_schema, to_schema_name, before) in plans {
        let unchanged = before.as_ref().map(|t| t.value_format) == Some(target);
        let mut left = 0usize;
        for a in sc.actions.iter_mut().filter(|_| !unchanged) {
            let text = match &mut a.action {
                Action::Produce {
                    topic: t,
                    value: Some(v),
                    ..
                } if *t == topic => v,
                Action::ProduceMany {
                    topic: t, value, ..
                } if *t == topic => value,
                _ => continue,
            };
            match carry(text, from_schema.as_ref(), to_schema.as_ref()) {
                Some(new) => *text = new,
                None => left += 1,
            }
        }
        if left > 0 {
            notes.push(format!(
                "{left} value(s) of {topic} stay as written: they do not carry over to {} as the same value",
                s.value
            ));
        }
        let dropped = sc.actions.len();
        sc.actions
            .retain(|a| !matches!(&a.action, Action::SetSerializer(t) if t.topic == topic));
        if sc.actions.len() < dropped {
            notes.push(format!(
                "left out the scenario's set_serializer for {topic}, so {s} holds for the whole run"
            ));
        }
        let entry = TopicSerializers {
            topic: topic.clone(),
            value_format: target,
            value_schema: to_schema_name,
            ..before.unwrap_or_default()
        };
        sc.serializers.retain(|t| t.topic != topic);
        sc.serializers.push(entry);
    }
    Ok(())
}

/// One value text carried over as the same application value: read from Avro's JSON encoding
/// with `from` (else as plain JSON) and written in Avro's JSON encoding with `to` (else as
/// plain JSON). `None` when it does not carry over.
fn carry(text: &str, from: Option<&kavro::Schema>, to: Option<&kavro::Schema>) -> Option<String> {
    let json: serde_json::Value = serde_json::from_str(text).ok()?;
    let (value, schema) = match from {
        Some(f) => (kavro::from_json(f, &json).ok()?, f),
        None => match to {
            Some(t) => (kavro::from_plain_json(t, &json).ok()?, t),
            None => return Some(text.to_string()),
        },
    };
    Some(match to {
        Some(t) if std::ptr::eq(t, schema) => kavro::to_json(t, &value),
        Some(t) => {
            // Avro to Avro with another schema: through the plain value.
            let plain: serde_json::Value =
                serde_json::from_str(&kavro::to_plain_json(schema, &value)).ok()?;
            kavro::to_json(t, &kavro::from_plain_json(t, &plain).ok()?)
        }
        None => kavro::to_plain_json(schema, &value),
    })
}
