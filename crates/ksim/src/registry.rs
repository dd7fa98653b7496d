//! The Schema Registry: a sans-IO node (node id [`SCHEMA_REGISTRY`]) with the semantics of
//! Confluent Schema Registry 7.x (Confluent docs, "Schema Registry API Reference" and "Schema
//! Evolution and Compatibility"):
//!
//! - subjects are named by the clients (the serializers use TopicNameStrategy:
//!   `<topic>-value`, `<topic>-key`);
//! - `POST /subjects/{subject}/versions` registers a schema: if the subject already has the
//!   same schema it returns that version's id and adds nothing (`KafkaSchemaRegistry.register`
//!   looks the schema up under the subject first); otherwise the schema is checked against the
//!   subject's versions at its compatibility level (`kavro::compat::check_level`) and either
//!   becomes version latest+1, or is rejected with HTTP 409;
//! - ids are global: one id per distinct schema, starting at 1; a schema already registered
//!   under another subject keeps its id. "The same schema" is decided, as Confluent does, on
//!   the schema's canonical string (`io.confluent.kafka.schemaregistry.avro.AvroSchema
//!   .canonicalString()`, Avro's `Schema.toString()`: the JSON without insignificant
//!   whitespace, keeping `doc`, `default`, `aliases` and logical types). Not on Avro's Parsing
//!   Canonical Form, which drops defaults: registering a schema that only adds a default is a
//!   new version in Confluent's registry. Here the canonical string is the schema's JSON with
//!   whitespace removed and object members sorted (SIMPLIFICATION: Java's `toString` also
//!   rewrites `{"type": "string"}` as `"string"`; such spellings count as different here);
//! - `POST /subjects/{subject}` (lookup, what `auto.register.schemas=false` does) returns the
//!   id of the same schema under the subject, or 404 (`40401` subject not found, `40403`
//!   schema not found);
//! - `PUT /config/{subject}` sets a subject's level, `PUT /config` the global one (default
//!   BACKWARD).
//!
//! An incompatible schema is refused with HTTP 409 and the body
//! `{"error_code":409,"message":"Schema being registered is incompatible with an earlier schema
//! for subject \"<subject>\", details: [...]"}` (`RestIncompatibleSchemaException`; the wording
//! with the subject and details since schema-registry PR #2166, "Make Register Api's
//! incompatibility error message verbose", 2022). The details list the broken rule as
//! `{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'…', additionalInfo:'…'}`, then
//! `{oldSchemaVersion: N}` and `{compatibility: 'BACKWARD'}`. SIMPLIFICATION: the description
//! is kavro's wording, not Java's `SchemaCompatibility` text, and the `{oldSchema: '…'}` entry
//! (the whole earlier schema) is left out to keep the log readable.
//!
//! No timers, no randomness; deleting versions and modes (READONLY, IMPORT) are not modelled.

use crate::log::LogEvent;
use crate::node::{Ctx, Outbox, Output, Transmit};
use crate::proto::{Payload, RegistryReply, RegistryRequestKind, SrError};
use kavro::{CompatibilityLevel, Schema};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The registry's node id on the simulated network (the producer is 0, brokers 1..=9).
pub const SCHEMA_REGISTRY: u32 = 100;

/// HTTP header bytes counted on each registry request and response (a SIMPLIFICATION: a
/// typical `POST … HTTP/1.1` with Host, Content-Type and Content-Length, and its reply).
pub const HTTP_OVERHEAD_BYTES: usize = 160;

/// The registry has no timers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistryTimer {}

/// A schema the registry holds, by global id.
#[derive(Debug, Clone)]
pub(crate) struct StoredSchema {
    pub id: u32,
    /// The text as first registered.
    pub text: Arc<str>,
    pub parsed: Arc<Schema>,
    canonical: String,
}

/// One version of a subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SubjectVersion {
    pub version: u32,
    pub schema_id: u32,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Subject {
    pub versions: Vec<SubjectVersion>,
    /// `PUT /config/{subject}`; `None` follows the global level.
    pub compatibility: Option<CompatibilityLevel>,
}

/// The last registration the registry refused, for the view and the lesson's check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Rejection {
    pub time_us: u64,
    pub subject: String,
    pub error: SrError,
}

/// What the registry is asked.
#[derive(Debug, Clone)]
pub(crate) enum RegistryInput {
    /// An HTTP request over the network.
    Message { from: u32, payload: Payload },
    /// `POST /subjects/{subject}/versions` by an operator (the scenario's `register_schema`).
    AdminRegister { subject: String, schema: Arc<str> },
    /// `PUT /config[/{subject}]`.
    SetCompatibility {
        subject: Option<String>,
        level: CompatibilityLevel,
    },
}

#[derive(Debug, Clone)]
pub(crate) struct SchemaRegistry {
    pub schemas: Vec<StoredSchema>,
    pub subjects: BTreeMap<String, Subject>,
    pub global_compatibility: CompatibilityLevel,
    pub last_rejection: Option<Rejection>,
    out: Outbox<RegistryTimer>,
}

/// A successful registration or lookup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Registered {
    pub schema_id: u32,
    pub version: u32,
}

/// The canonical string the registry compares schemas by (see the module docs).
fn canonical_string(text: &str) -> String {
    serde_json::from_str::<serde_json::Value>(text)
        .map(|v| v.to_string())
        .unwrap_or_else(|_| text.to_string())
}

impl SchemaRegistry {
    pub fn new(
        global: CompatibilityLevel,
        subjects: &BTreeMap<String, CompatibilityLevel>,
    ) -> Self {
        SchemaRegistry {
            schemas: Vec::new(),
            subjects: subjects
                .iter()
                .map(|(s, l)| {
                    let subject = Subject {
                        versions: Vec::new(),
                        compatibility: Some(*l),
                    };
                    (s.clone(), subject)
                })
                .collect(),
            global_compatibility: global,
            last_rejection: None,
            out: Outbox::default(),
        }
    }

    pub fn take_outputs(&mut self) -> std::collections::vec_deque::IntoIter<Output<RegistryTimer>> {
        self.out.take()
    }

    /// The schema registered under `id` (`GET /schemas/ids/{id}`).
    pub fn schema_by_id(&self, id: u32) -> Option<&StoredSchema> {
        self.schemas.get((id as usize).checked_sub(1)?)
    }

    /// A subject's effective level: its own, else the global one.
    pub fn level_of(&self, subject: &str) -> CompatibilityLevel {
        self.subjects
            .get(subject)
            .and_then(|s| s.compatibility)
            .unwrap_or(self.global_compatibility)
    }

    pub fn handle(&mut self, cx: &Ctx, input: RegistryInput) {
        match input {
            RegistryInput::Message {
                from,
                payload: Payload::RegistryRequest(req),
            } => {
                let result = match req.kind {
                    RegistryRequestKind::Register => self.register(cx, &req.subject, &req.schema),
                    RegistryRequestKind::Lookup => self.lookup(&req.subject, &req.schema),
                };
                let reply = RegistryReply {
                    req_id: req.req_id,
                    subject: req.subject.clone(),
                    result: result.map(|r| r.schema_id),
                };
                let (size_bytes, detail) = match &reply.result {
                    Ok(id) => {
                        let body = format!("{{\"id\":{id}}}");
                        (HTTP_OVERHEAD_BYTES + body.len(), format!("200 OK {body}"))
                    }
                    Err(e) => (
                        HTTP_OVERHEAD_BYTES + e.body().len(),
                        format!("{} {}", e.http_status, e.body()),
                    ),
                };
                self.out.transmit(Transmit {
                    from: SCHEMA_REGISTRY,
                    to: from,
                    payload: Payload::RegistryReply(reply),
                    size_bytes,
                    detail,
                });
            }
            RegistryInput::Message { .. } => {}
            RegistryInput::AdminRegister { subject, schema } => {
                let _ = self.register(cx, &subject, &schema);
            }
            RegistryInput::SetCompatibility { subject, level } => {
                match &subject {
                    Some(s) => {
                        self.subjects.entry(s.clone()).or_default().compatibility = Some(level)
                    }
                    None => self.global_compatibility = level,
                }
                self.out.log(LogEvent::CompatibilitySet {
                    subject,
                    level: level.name().into(),
                });
            }
        }
    }

    /// `POST /subjects/{subject}/versions`.
    fn register(&mut self, cx: &Ctx, subject: &str, text: &str) -> Result<Registered, SrError> {
        let canonical = canonical_string(text);
        if let Some(found) = self.find_under(subject, &canonical) {
            self.out.log(LogEvent::SchemaRegistered {
                subject: subject.into(),
                version: found.version,
                schema_id: found.schema_id,
                new_version: false,
                new_id: false,
            });
            return Ok(found);
        }
        let parsed = match Schema::parse(text) {
            Ok(s) => s,
            Err(e) => {
                let error = SrError {
                    http_status: 422,
                    error_code: 42201,
                    message: format!("Invalid schema: {e}"),
                };
                return Err(self.reject(cx, subject, error));
            }
        };
        let level = self.level_of(subject);
        let earlier: Vec<Schema> = self
            .subjects
            .get(subject)
            .map(|s| {
                s.versions
                    .iter()
                    .filter_map(|v| self.schema_by_id(v.schema_id))
                    .map(|st| (*st.parsed).clone())
                    .collect()
            })
            .unwrap_or_default();
        if let Err(e) = kavro::check_level(level, &parsed, &earlier) {
            let old_version = self.subjects[subject].versions[e.earlier_index].version;
            let message = format!(
                "Schema being registered is incompatible with an earlier schema for subject \"{subject}\", details: [{{errorType:'{}', description:'{}', additionalInfo:'{}'}}, {{oldSchemaVersion: {old_version}}}, {{compatibility: '{}'}}]",
                e.reason.kind.name(),
                e.reason.message,
                e.reason.path,
                level.name()
            );
            let error = SrError {
                http_status: 409,
                error_code: 409,
                message,
            };
            return Err(self.reject(cx, subject, error));
        }
        let (schema_id, new_id) = match self.schemas.iter().find(|s| s.canonical == canonical) {
            Some(s) => (s.id, false),
            None => {
                let id = self.schemas.len() as u32 + 1;
                self.schemas.push(StoredSchema {
                    id,
                    text: text.into(),
                    parsed: Arc::new(parsed),
                    canonical,
                });
                (id, true)
            }
        };
        let s = self.subjects.entry(subject.to_string()).or_default();
        let version = s.versions.last().map_or(1, |v| v.version + 1);
        s.versions.push(SubjectVersion { version, schema_id });
        self.out.log(LogEvent::SchemaRegistered {
            subject: subject.into(),
            version,
            schema_id,
            new_version: true,
            new_id,
        });
        Ok(Registered { schema_id, version })
    }

    /// `POST /subjects/{subject}`: the version of the same schema under the subject.
    fn lookup(&mut self, subject: &str, text: &str) -> Result<Registered, SrError> {
        if self
            .subjects
            .get(subject)
            .is_none_or(|s| s.versions.is_empty())
        {
            return Err(SrError {
                http_status: 404,
                error_code: 40401,
                message: format!("Subject '{subject}' not found."),
            });
        }
        self.find_under(subject, &canonical_string(text))
            .ok_or_else(|| SrError {
                http_status: 404,
                error_code: 40403,
                message: "Schema not found".into(),
            })
    }

    fn find_under(&self, subject: &str, canonical: &str) -> Option<Registered> {
        let s = self.subjects.get(subject)?;
        s.versions.iter().find_map(|v| {
            let st = self.schema_by_id(v.schema_id)?;
            (st.canonical == canonical).then_some(Registered {
                schema_id: v.schema_id,
                version: v.version,
            })
        })
    }

    fn reject(&mut self, cx: &Ctx, subject: &str, error: SrError) -> SrError {
        self.out.log(LogEvent::SchemaRejected {
            subject: subject.into(),
            http_status: error.http_status,
            error_code: error.error_code,
            message: error.message.clone(),
        });
        self.last_rejection = Some(Rejection {
            time_us: cx.now_us,
            subject: subject.into(),
            error: error.clone(),
        });
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{logs, TestWorld};

    const V1: &str = r#"{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}"#;
    const V2_DEFAULT: &str = r#"{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"currency","type":"string","default":"EUR"}]}"#;
    const V2_NO_DEFAULT: &str = r#"{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"},{"name":"region","type":"string"}]}"#;

    fn registry() -> SchemaRegistry {
        SchemaRegistry::new(CompatibilityLevel::Backward, &BTreeMap::new())
    }

    #[test]
    fn ids_are_global_versions_per_subject_and_the_same_schema_is_not_registered_twice() {
        let w = TestWorld::new(1, &[]);
        let mut r = registry();
        let a = r.register(&w.cx(), "payments-value", V1).unwrap();
        assert_eq!((a.schema_id, a.version), (1, 1));
        // The same schema, other whitespace: the existing id and version, nothing new.
        let spaced = V1.replace(',', ", ");
        assert_eq!(r.register(&w.cx(), "payments-value", &spaced).unwrap(), a);
        // Under another subject: the same global id, that subject's version 1.
        let b = r.register(&w.cx(), "refunds-value", V1).unwrap();
        assert_eq!((b.schema_id, b.version), (1, 1));
        let c = r.register(&w.cx(), "payments-value", V2_DEFAULT).unwrap();
        assert_eq!((c.schema_id, c.version), (2, 2));
        assert_eq!(r.schemas.len(), 2);
        let out: Vec<_> = r.take_outputs().collect();
        let l = logs(&out);
        assert!(matches!(
            l[1],
            LogEvent::SchemaRegistered {
                new_version: false,
                ..
            }
        ));
        assert!(matches!(
            l[2],
            LogEvent::SchemaRegistered {
                new_version: true,
                new_id: false,
                ..
            }
        ));
    }

    #[test]
    fn an_incompatible_schema_is_a_409_with_the_registrys_message() {
        let w = TestWorld::new(1, &[]);
        let mut r = registry();
        r.register(&w.cx(), "payments-value", V1).unwrap();
        let e = r
            .register(&w.cx(), "payments-value", V2_NO_DEFAULT)
            .unwrap_err();
        assert_eq!((e.http_status, e.error_code), (409, 409));
        assert!(
            e.message.starts_with(
                "Schema being registered is incompatible with an earlier schema for subject \"payments-value\", details: [{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE'"
            ),
            "{}",
            e.message
        );
        assert!(e
            .message
            .ends_with("{oldSchemaVersion: 1}, {compatibility: 'BACKWARD'}]"));
        assert_eq!(
            r.subjects["payments-value"].versions.len(),
            1,
            "nothing added"
        );
        // Under NONE the same schema is accepted.
        let mut none = SchemaRegistry::new(
            CompatibilityLevel::Backward,
            &[("payments-value".to_string(), CompatibilityLevel::None)].into(),
        );
        none.register(&w.cx(), "payments-value", V1).unwrap();
        assert!(none
            .register(&w.cx(), "payments-value", V2_NO_DEFAULT)
            .is_ok());
    }

    #[test]
    fn lookup_finds_only_what_is_registered() {
        let w = TestWorld::new(1, &[]);
        let mut r = registry();
        assert_eq!(
            r.lookup("payments-value", V1).unwrap_err().error_code,
            40401
        );
        r.register(&w.cx(), "payments-value", V1).unwrap();
        assert_eq!(r.lookup("payments-value", V1).unwrap().schema_id, 1);
        assert_eq!(
            r.lookup("payments-value", V2_DEFAULT)
                .unwrap_err()
                .error_code,
            40403
        );
    }
}
