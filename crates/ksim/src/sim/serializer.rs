//! The application's serializers, run in the application thread before `produce()`, as a
//! confluent-kafka Python program runs them (`SerializingProducer.produce`: the key serializer,
//! then the value serializer, then `Producer.produce`; `confluent_kafka/serializing_producer.py`):
//!
//! - `StringSerializer('utf_8')` and `json.dumps(...).encode()` are pure (`serde_format`);
//! - `AvroSerializer(sr, schema_str)` needs the schema's id. The first record of a subject
//!   makes a synchronous HTTP call to the registry — `register_schema_full_response` with
//!   `auto.register.schemas=True`, else `lookup_schema` — and the application thread blocks for
//!   the round trip; then the id is cached (the serializer's `_known_subjects`, and the client's
//!   cache keyed by subject and schema: `confluent_kafka/schema_registry/_sync/avro.py`
//!   `AvroSerializer.__serialize_impl`, `_sync/schema_registry_client.py`), so the registry is
//!   called once per (subject, schema). Only then is the value encoded (`schemaless_writer`), so a
//!   value that does not match its schema fails after the registration, as in Python.
//!
//! Any failure is raised as `KeySerializationError` / `ValueSerializationError` wrapping the
//! cause (`SchemaRegistryError` for a registry error, with `str()` "… (HTTP status code 409, SR
//! code 409)"); nothing is queued, and the entry is logged.
//!
//! Blocking: `produce` actions of the scenario are the main application thread. While a call of
//! it waits for the registry, its later application calls (produce, produce_many, poll, flush,
//! set_producer_config, set_serializer) wait in order and run when it returns; the operator's
//! and admin's actions (create_topic, set_topic_config, faults, register_schema,
//! set_compatibility) keep their times. A `produce_many` loop is its own thread and blocks
//! alone.

use super::app_loop::LoopMessage;
use super::world::Event;
use super::Simulation;
use crate::error::SimError;
use crate::log::LogEvent;
use crate::network::PRODUCER;
use crate::proto::{Payload, RegistryReply, RegistryRequest, RegistryRequestKind};
use crate::registry::{HTTP_OVERHEAD_BYTES, SCHEMA_REGISTRY};
use crate::scenario::{
    Action, ClientProfile, HeaderSpec, SchemaSpec, SerdeFormat, TopicSerializers,
};
use crate::serde_format::{avro_encode_for, python_json_dumps, AvroValueError};
use kavro::Schema;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Which part of a record a serializer writes (`MessageField.KEY` / `MessageField.VALUE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MessageField {
    Key,
    Value,
}

impl MessageField {
    /// TopicNameStrategy: `<topic>-key` / `<topic>-value` (also what confluent-kafka 2.16.1's
    /// default, AssociatedNameStrategy, falls back to when the registry has no association).
    pub fn subject(self, topic: &str) -> String {
        match self {
            MessageField::Key => format!("{topic}-key"),
            MessageField::Value => format!("{topic}-value"),
        }
    }
    /// The exception confluent-kafka raises for this field.
    pub fn error_name(self) -> &'static str {
        match self {
            MessageField::Key => "KeySerializationError",
            MessageField::Value => "ValueSerializationError",
        }
    }
    fn name(self) -> &'static str {
        match self {
            MessageField::Key => "key",
            MessageField::Value => "value",
        }
    }
}

/// A schema of the scenario, parsed once.
#[derive(Debug, Clone)]
pub(crate) struct AppSchema {
    pub text: Arc<str>,
    pub parsed: Arc<Schema>,
}

/// A `produce` action of the main thread, kept while its serializer waits for the registry.
#[derive(Debug, Clone)]
pub(super) struct MainProduce {
    pub topic: String,
    pub key: Option<String>,
    pub value: Option<String>,
    pub headers: Vec<HeaderSpec>,
    pub partition: Option<u32>,
    pub timestamp_ms: Option<i64>,
}

/// Who waits for a registry call.
#[derive(Debug, Clone)]
pub(super) enum Caller {
    Main(Box<MainProduce>),
    Loop { loop_id: u64, token: u64 },
}

/// A registry call in flight.
#[derive(Debug, Clone)]
pub(super) struct PendingCall {
    pub sent_us: u64,
    pub topic: String,
    pub field: MessageField,
    pub subject: String,
    pub schema: Arc<str>,
    pub caller: Caller,
}

/// A serializer that needs the registry before it can go on.
#[derive(Debug, Clone)]
pub(super) struct NeedsId {
    pub field: MessageField,
    pub subject: String,
    pub schema: Arc<str>,
}

/// A serializer's failure, logged as `SerializationFailed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SerializeFailure {
    pub field: MessageField,
    /// The record field the message names (kavro's path), if any.
    pub path: String,
    pub message: String,
}

impl SerializeFailure {
    pub fn error(&self) -> SimError {
        SimError::Serialization(format!("{}: {}", self.field.error_name(), self.message))
    }
}

/// A record's key and value bytes, ready for `produce()`.
#[derive(Debug, Clone)]
pub(super) struct SerializedRecord {
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
}

/// Why serialization stopped.
#[derive(Debug, Clone)]
pub(super) enum Stop {
    NeedsId(NeedsId),
    Failed(SerializeFailure),
}

/// The application's serializer state.
#[derive(Debug, Clone, Default)]
pub(crate) struct AppSerializers {
    pub by_topic: BTreeMap<String, TopicSerializers>,
    pub schemas: BTreeMap<String, AppSchema>,
    pub auto_register: bool,
    /// Whose serializer runs: confluent-kafka's AvroSerializer converts scalars as fastavro's
    /// writer does, Java's KafkaAvroSerializer writes the GenericRecord's values as they are.
    pub profile: ClientProfile,
    /// (subject, schema text) → schema id.
    pub known_ids: BTreeMap<(String, Arc<str>), u32>,
    /// Avro records serialized with a cached id (counted, not logged: one per record).
    pub cache_hits: u64,
    pub(super) pending: BTreeMap<u64, PendingCall>,
    next_req_id: u64,
    /// Main-thread actions waiting for a blocked call to return, in order.
    pub(super) deferred: VecDeque<Action>,
}

/// The serializers' display name (`StringSerializer('utf_8')`, `AvroSerializer(payment)`).
fn serializer_name(format: SerdeFormat, schema: Option<&str>) -> String {
    match format {
        SerdeFormat::String => "StringSerializer('utf_8')".into(),
        SerdeFormat::Json => "json.dumps".into(),
        SerdeFormat::Avro => format!("AvroSerializer({})", schema.unwrap_or("?")),
    }
}

impl AppSerializers {
    pub fn new(
        schemas: &[SchemaSpec],
        serializers: &[TopicSerializers],
        auto: bool,
        profile: ClientProfile,
    ) -> Self {
        AppSerializers {
            by_topic: serializers
                .iter()
                .map(|s| (s.topic.clone(), s.clone()))
                .collect(),
            schemas: schemas
                .iter()
                .filter_map(|s| {
                    let parsed = Schema::parse(&s.schema).ok()?;
                    let app = AppSchema {
                        text: s.schema.as_str().into(),
                        parsed: Arc::new(parsed),
                    };
                    Some((s.name.clone(), app))
                })
                .collect(),
            auto_register: auto,
            profile,
            ..Default::default()
        }
    }

    /// Whether the main application thread waits for the registry.
    pub fn main_blocked(&self) -> bool {
        self.pending
            .values()
            .any(|p| matches!(p.caller, Caller::Main(_)))
    }

    /// The bytes of one field of a record to `topic` (`None` stays `None`, as every
    /// confluent-kafka serializer returns None for None).
    fn serialize_field(
        &mut self,
        topic: &str,
        field: MessageField,
        text: Option<&[u8]>,
    ) -> Result<Option<Vec<u8>>, Stop> {
        let Some(text) = text else { return Ok(None) };
        let s = self.by_topic.get(topic);
        let (format, schema_name) = match (s, field) {
            (None, _) => (SerdeFormat::String, None),
            (Some(s), MessageField::Key) => (s.key_format, s.key_schema.clone()),
            (Some(s), MessageField::Value) => (s.value_format, s.value_schema.clone()),
        };
        let fail = |path: String, message: String| {
            Stop::Failed(SerializeFailure {
                field,
                path,
                message,
            })
        };
        if format == SerdeFormat::String {
            return Ok(Some(text.to_vec()));
        }
        let text = std::str::from_utf8(text)
            .map_err(|_| fail(String::new(), "the value is not UTF-8 text".into()))?;
        match format {
            SerdeFormat::String => Ok(Some(text.as_bytes().to_vec())),
            SerdeFormat::Json => python_json_dumps(text)
                .map(|s| Some(s.into_bytes()))
                .map_err(|e| fail(String::new(), format!("JSONDecodeError: {}", e.message))),
            SerdeFormat::Avro => {
                let name = schema_name.unwrap_or_default();
                let Some(schema) = self.schemas.get(&name).cloned() else {
                    return Err(fail(String::new(), format!("no schema named {name:?}")));
                };
                let subject = field.subject(topic);
                let key = (subject.clone(), schema.text.clone());
                let Some(&id) = self.known_ids.get(&key) else {
                    return Err(Stop::NeedsId(NeedsId {
                        field,
                        subject,
                        schema: schema.text,
                    }));
                };
                self.cache_hits += 1;
                match avro_encode_for(self.profile, &schema.parsed, text) {
                    Ok(datum) => Ok(Some(kavro::frame(id, &datum))),
                    Err(AvroValueError::Mismatch(e)) => Err(fail(e.path.clone(), e.to_string())),
                    Err(e @ AvroValueError::NotJson(_)) => Err(fail(String::new(), e.to_string())),
                }
            }
        }
    }

    /// Key, then value, as `SerializingProducer.produce` does.
    pub(super) fn serialize(
        &mut self,
        topic: &str,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
    ) -> Result<SerializedRecord, Stop> {
        let key = self.serialize_field(topic, MessageField::Key, key)?;
        let value = self.serialize_field(topic, MessageField::Value, value)?;
        Ok(SerializedRecord { key, value })
    }

    /// Whether the topic's values (or keys) are written by a non-string serializer.
    pub fn formats_of(&self, topic: &str) -> (SerdeFormat, SerdeFormat) {
        self.by_topic
            .get(topic)
            .map(|s| (s.key_format, s.value_format))
            .unwrap_or_default()
    }

    fn next_req(&mut self) -> u64 {
        self.next_req_id += 1;
        self.next_req_id
    }
}

/// Whether an action is a call of the application's main thread (it waits while that thread
/// is blocked in a serializer).
pub(super) fn on_app_thread(a: &Action) -> bool {
    matches!(
        a,
        Action::Produce { .. }
            | Action::ProduceMany { .. }
            | Action::Poll
            | Action::Flush { .. }
            | Action::SetProducerConfig { .. }
            | Action::SetSerializer(_)
    )
}

impl Simulation {
    /// Sends the serializer's HTTP call and parks `caller` until the answer.
    pub(super) fn call_registry(&mut self, topic: &str, need: NeedsId, caller: Caller) {
        let ser = &mut self.serializers;
        let req_id = ser.next_req();
        let kind = if ser.auto_register {
            RegistryRequestKind::Register
        } else {
            RegistryRequestKind::Lookup
        };
        let call = match kind {
            RegistryRequestKind::Register => format!("POST /subjects/{}/versions", need.subject),
            RegistryRequestKind::Lookup => format!("POST /subjects/{}", need.subject),
        };
        ser.pending.insert(
            req_id,
            PendingCall {
                sent_us: self.w.now_us,
                topic: topic.to_string(),
                field: need.field,
                subject: need.subject.clone(),
                schema: need.schema.clone(),
                caller,
            },
        );
        self.w.log(LogEvent::SerializerBlocked {
            topic: topic.to_string(),
            field: need.field.name().into(),
            subject: need.subject.clone(),
            call: call.clone(),
        });
        // The body is `{"schema": "<the schema as a JSON string>"}`.
        let body_bytes = serde_json::to_string(&*need.schema).map_or(0, |s| s.len()) + 12;
        let req = RegistryRequest {
            req_id,
            kind,
            subject: need.subject,
            schema: need.schema,
        };
        self.w.send(
            PRODUCER,
            SCHEMA_REGISTRY,
            Payload::RegistryRequest(Arc::new(req)),
            HTTP_OVERHEAD_BYTES + body_bytes,
            call,
        );
    }

    /// The registry's answer reached the application.
    pub(super) fn registry_reply(&mut self, reply: RegistryReply) {
        let Some(p) = self.serializers.pending.remove(&reply.req_id) else {
            return;
        };
        self.w.log(LogEvent::SerializerReturned {
            subject: reply.subject.clone(),
            schema_id: reply.result.as_ref().ok().copied(),
            waited_us: self.w.now_us - p.sent_us,
        });
        match reply.result {
            Ok(id) => {
                self.serializers
                    .known_ids
                    .insert((p.subject.clone(), p.schema.clone()), id);
                match p.caller {
                    Caller::Main(call) => {
                        if let Err(e) = self.produce_serialized(*call) {
                            self.log_failed("produce", &e);
                        }
                        self.resume_main_thread();
                    }
                    Caller::Loop { loop_id, token } => self.w.schedule(
                        self.w.now_us,
                        Event::Generator {
                            gen_id: loop_id,
                            token,
                        },
                    ),
                }
            }
            Err(e) => {
                let failure = SerializeFailure {
                    field: p.field,
                    path: String::new(),
                    message: format!("SchemaRegistryError: {e}"),
                };
                self.log_serialization_failed(&p.topic, &failure);
                match p.caller {
                    Caller::Main(_) => self.resume_main_thread(),
                    Caller::Loop { loop_id, .. } => {
                        self.loops.remove(&loop_id);
                    }
                }
            }
        }
    }

    pub(super) fn log_serialization_failed(&mut self, topic: &str, f: &SerializeFailure) {
        self.w.log(LogEvent::SerializationFailed {
            topic: topic.to_string(),
            error: f.field.error_name().into(),
            field: f.path.clone(),
            message: f.message.clone(),
        });
    }

    /// Runs the main thread's waiting actions until one blocks again.
    fn resume_main_thread(&mut self) {
        while !self.serializers.main_blocked() {
            let Some(a) = self.serializers.deferred.pop_front() else {
                return;
            };
            if let Err(e) = self.execute(&a) {
                self.log_action_failed(&a, &e);
            }
        }
    }

    /// A main-thread `produce()`: serialize (maybe blocking on the registry), then produce.
    pub(super) fn produce_serialized(&mut self, call: MainProduce) -> Result<(), SimError> {
        crate::topic::validate_topic_name(&call.topic)?;
        let key = call.key.as_deref().map(str::as_bytes);
        let value = call.value.as_deref().map(str::as_bytes);
        match self.serializers.serialize(&call.topic, key, value) {
            Ok(r) => self.produce_bytes(&call, r.key, r.value),
            Err(Stop::NeedsId(need)) => {
                let topic = call.topic.clone();
                self.call_registry(&topic, need, Caller::Main(Box::new(call)));
                Ok(())
            }
            Err(Stop::Failed(f)) => {
                self.log_serialization_failed(&call.topic, &f);
                Err(f.error())
            }
        }
    }

    /// A loop message's key and value through the topic's serializers; `Err(true)` when the
    /// loop now waits for the registry, `Err(false)` when it failed (and was logged).
    pub(super) fn serialize_loop_message(
        &mut self,
        loop_id: u64,
        topic: &str,
        msg: LoopMessage,
    ) -> Result<(Option<Vec<u8>>, Vec<u8>), bool> {
        if !self.serializers.by_topic.contains_key(topic) {
            return Ok((msg.key, msg.value));
        }
        match self
            .serializers
            .serialize(topic, msg.key.as_deref(), Some(&msg.value))
        {
            Ok(r) => Ok((r.key, r.value.unwrap_or_default())),
            Err(Stop::NeedsId(need)) => {
                let Some(l) = self.loops.get_mut(&loop_id) else {
                    return Err(false);
                };
                let token = l.wait_token();
                self.call_registry(topic, need, Caller::Loop { loop_id, token });
                Err(true)
            }
            Err(Stop::Failed(f)) => {
                self.log_serialization_failed(topic, &f);
                Err(false)
            }
        }
    }

    /// `set_serializer`: checks the names, then replaces the topic's serializers.
    pub(super) fn set_serializer(&mut self, s: &TopicSerializers) -> Result<(), SimError> {
        super::validate::check_serializers(s, &self.scenario.schemas)?;
        self.serializers.by_topic.insert(s.topic.clone(), s.clone());
        self.w.log(LogEvent::SerializerSet {
            topic: s.topic.clone(),
            key: serializer_name(s.key_format, s.key_schema.as_deref()),
            value: serializer_name(s.value_format, s.value_schema.as_deref()),
        });
        Ok(())
    }
}
