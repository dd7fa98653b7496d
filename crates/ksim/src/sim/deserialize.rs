//! [`Simulation::deserialize`]: a stored record's bytes as the topic's consumer reads them
//! (see `crate::serde_view`).

use super::Simulation;
use crate::same_event::SameEvent;
use crate::scenario::SerdeFormat;
use crate::serde_view::{as_avro, as_json, as_string, DeserializedValue};

impl Simulation {
    /// What a consumer of `topic` gets for a record's value (`key: false`) or key bytes: through
    /// the topic's Avro deserializer when the registry has the subject `<topic>-value`
    /// (`-key`), through `json.loads` when the application writes the topic as JSON, else as a
    /// UTF-8 string; the error messages are those of the scenario's client profile.
    pub fn deserialize(&self, topic: &str, key: bool, bytes: &[u8]) -> DeserializedValue {
        let profile = self.producer_spec.profile;
        match self.deserializer(topic, key) {
            SerdeFormat::Avro => {
                let r = self.registry.as_ref().expect("Avro only with a registry");
                as_avro(bytes, profile, |id| {
                    let st = r.schema_by_id(id)?;
                    let under = r
                        .subjects
                        .iter()
                        .find(|(_, s)| s.versions.iter().any(|v| v.schema_id == id))
                        .map(|(name, _)| name.clone())
                        .unwrap_or_default();
                    Some((st.parsed.clone(), under))
                })
            }
            SerdeFormat::Json => as_json(bytes, profile),
            SerdeFormat::String => as_string(bytes, profile),
        }
    }

    /// The deserializer a consumer of `topic` uses for values (`key: false`) or keys: Avro when
    /// the registry has the subject `<topic>-value` (`-key`), JSON when the application writes
    /// the topic as JSON, else a UTF-8 string. Cheap: the UI asks it before decoding.
    pub fn deserializer(&self, topic: &str, key: bool) -> SerdeFormat {
        let subject = if key {
            format!("{topic}-key")
        } else {
            format!("{topic}-value")
        };
        if self.registry.as_ref().is_some_and(|r| {
            r.subjects
                .get(&subject)
                .is_some_and(|s| !s.versions.is_empty())
        }) {
            return SerdeFormat::Avro;
        }
        let (key_format, value_format) = self.serializers.formats_of(topic);
        match if key { key_format } else { value_format } {
            SerdeFormat::Json => SerdeFormat::Json,
            _ => SerdeFormat::String,
        }
    }

    /// A stored value of `topic` in both formats (`crate::same_event`), where the core can tell
    /// its schema: an Avro value by the schema id in its header; a JSON value by the first
    /// registered schema (in id order) its dict fits, as the program's `AvroSerializer` with
    /// that schema would take it. `None` for plain strings, values that do not decode, or no
    /// fitting schema.
    pub fn same_event(&self, topic: &str, value: &[u8]) -> Option<SameEvent> {
        let r = self.registry.as_ref()?;
        let profile = self.producer_spec.profile;
        let level = crate::config::ProducerSettings::from_spec(&self.producer_spec)
            .ok()
            .and_then(|s| s.compression_level);
        let subject_of = |id: u32| {
            r.subjects
                .iter()
                .find(|(_, s)| s.versions.iter().any(|v| v.schema_id == id))
                .map(|(name, _)| name.clone())
                .unwrap_or_default()
        };
        match self.deserializer(topic, false) {
            SerdeFormat::Avro => {
                let unframed = kavro::unframe(value).ok()?;
                let st = r.schema_by_id(unframed.schema_id)?;
                let v = kavro::decode(&st.parsed, unframed.payload).ok()?;
                SameEvent::of(
                    st.parsed.clone(),
                    st.id,
                    subject_of(st.id),
                    v,
                    profile,
                    level,
                )
            }
            SerdeFormat::Json => {
                let json: serde_json::Value = serde_json::from_slice(value).ok()?;
                r.schemas.iter().find_map(|st| {
                    let v = kavro::from_plain_json(&st.parsed, &json).ok()?;
                    SameEvent::of(
                        st.parsed.clone(),
                        st.id,
                        subject_of(st.id),
                        v,
                        profile,
                        level,
                    )
                })
            }
            SerdeFormat::String => None,
        }
    }
}
