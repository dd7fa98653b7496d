//! The scenario: the unit of sharing, testing and replay. A seed, the cluster, topics, producer
//! configuration, timed user actions and a fault schedule, all plain serde data.
//!
//! Node numbering used by faults and links: `0` is the producer, `1..=brokers` are the brokers.

use crate::error::SimError;
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

/// Current scenario format version.
pub const SCENARIO_VERSION: u32 = 1;

/// A complete, replayable description of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Scenario {
    pub version: u32,
    pub name: String,
    pub description: String,
    /// The only source of randomness (random loss, backoff jitter, random partitioner).
    pub seed: u64,
    pub cluster: ClusterSpec,
    /// Topics that exist at time 0.
    pub topics: Vec<TopicSpec>,
    pub producer: ProducerSpec,
    /// User actions at virtual times. At equal times, actions run before faults and before any
    /// other event.
    pub actions: Vec<TimedAction>,
    pub faults: Vec<TimedFault>,
    pub limits: Limits,
    pub log: LogOptions,
    /// The application's Avro schemas, by name: each is the `schema_str` of one
    /// `AvroSerializer(schema_registry_client, schema_str)`. Produce actions name one in
    /// `value_schema` / `key_schema`. At most [`MAX_SCHEMAS`], each at most
    /// `kavro::schema::MAX_SCHEMA_TEXT_BYTES`. Written out only when there are some, so
    /// scenarios and links from before read and write the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub schemas: Vec<SchemaSpec>,
    /// The Schema Registry (`SchemaRegistryClient({'url': …})`): present when the scenario uses
    /// one; an Avro format needs it (its defaults are used when a scenario has schemas but no
    /// `schema_registry`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema_registry: Option<SchemaRegistrySpec>,
    /// Key and value serializers per topic (default: strings). At most one entry per topic.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub serializers: Vec<TopicSerializers>,
}

/// Most schemas a scenario may define (each up to 64 KiB of text).
pub const MAX_SCHEMAS: usize = 32;
/// Most schema text a scenario may hold in all. Chosen so that every valid scenario fits in a
/// share link: JSON escaping at most doubles schema text (every `"` and `\` gains a
/// backslash; newlines and tabs become `\n`, `\t`), so the schemas take at most 512 KiB of
/// the link's 1 MiB inflated JSON (`kshare::link::MAX_INFLATED_BYTES`).
pub const MAX_SCHEMA_TOTAL_BYTES: usize = 256 * 1024;

/// One Avro schema of the application, as Python holds it: `schema_str = open("payment.avsc").read()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSpec {
    /// What produce actions call it (`value_schema: "payment"`); 1..=64 characters, unique.
    pub name: String,
    /// The schema's JSON text (`schema_str`), as `AvroSerializer` gets it.
    pub schema: String,
}

/// The simulated Confluent Schema Registry and the serializers' registry settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SchemaRegistrySpec {
    /// One-way latency between the application and the registry (HTTP over the simulated
    /// network), in ms.
    pub latency_ms: f64,
    /// The registry's global compatibility level (`PUT /config`; Confluent's default
    /// `BACKWARD`): `NONE`, `BACKWARD`, `BACKWARD_TRANSITIVE`, `FORWARD`, `FORWARD_TRANSITIVE`,
    /// `FULL`, `FULL_TRANSITIVE`.
    pub compatibility: String,
    /// Per-subject levels at the start (`PUT /config/{subject}`), e.g. `{"payments-value": "FULL"}`.
    pub subjects: BTreeMap<String, String>,
    /// `AvroSerializer`'s `auto.register.schemas` (default true): on the first record of a
    /// subject the serializer registers its schema (`POST /subjects/{subject}/versions`);
    /// false: it only looks it up (`POST /subjects/{subject}`) and fails if it is not there.
    pub auto_register_schemas: bool,
}

impl Default for SchemaRegistrySpec {
    fn default() -> Self {
        SchemaRegistrySpec {
            latency_ms: 1.0,
            compatibility: "BACKWARD".into(),
            subjects: BTreeMap::new(),
            auto_register_schemas: true,
        }
    }
}

/// How a key or value is turned into bytes before `produce()` (the application's serializer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SerdeFormat {
    /// `StringSerializer('utf_8')`: the text's UTF-8 bytes (what every scenario did before).
    #[default]
    String,
    /// `json.dumps(obj).encode('utf-8')`: the text is a JSON value (the Python object), written
    /// as Python's `json.dumps` writes it with its defaults (see `serde_format::python_json_dumps`).
    Json,
    /// `AvroSerializer(sr, schema_str)`: the text is the value in Avro's JSON encoding; the
    /// bytes are Confluent's wire format (magic byte 0, 4-byte schema id, Avro binary).
    Avro,
}

impl SerdeFormat {
    pub fn is_string(&self) -> bool {
        *self == SerdeFormat::String
    }
    pub fn name(self) -> &'static str {
        match self {
            SerdeFormat::String => "string",
            SerdeFormat::Json => "json",
            SerdeFormat::Avro => "avro",
        }
    }
}

/// The application's serializers for one topic, as a confluent-kafka program holds them: a
/// key and a value serializer used with `SerializationContext(topic, MessageField.KEY)` /
/// `(topic, MessageField.VALUE)` before every `produce()` to the topic. A topic without an
/// entry uses `StringSerializer('utf_8')` for both (what every scenario did before).
/// [`Action::SetSerializer`] replaces a topic's entry mid-run (the program builds a new
/// `AvroSerializer(sr, schema_v2)`), which is how a scenario evolves a schema or mixes formats
/// in one topic.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicSerializers {
    pub topic: String,
    #[serde(skip_serializing_if = "SerdeFormat::is_string")]
    pub key_format: SerdeFormat,
    /// The [`SchemaSpec::name`] of the key's Avro schema (`key_format: avro`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_schema: Option<String>,
    #[serde(skip_serializing_if = "SerdeFormat::is_string")]
    pub value_format: SerdeFormat,
    /// The [`SchemaSpec::name`] of the value's Avro schema (`value_format: avro`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_schema: Option<String>,
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            version: SCENARIO_VERSION,
            name: String::new(),
            description: String::new(),
            seed: 1,
            cluster: ClusterSpec::default(),
            topics: Vec::new(),
            producer: ProducerSpec::default(),
            actions: Vec::new(),
            faults: Vec::new(),
            limits: Limits::default(),
            log: LogOptions::default(),
            schemas: Vec::new(),
            schema_registry: None,
            serializers: Vec::new(),
        }
    }
}

impl Scenario {
    /// Parses a scenario from JSON; unknown fields are errors (so a misspelt key fails clearly).
    pub fn from_json(text: &str) -> Result<Scenario, SimError> {
        serde_json::from_str(text).map_err(|e| SimError::Parse(e.to_string()))
    }
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Brokers and links.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterSpec {
    /// Number of brokers, 1..=9. Broker ids are 1..=brokers.
    pub brokers: u32,
    /// Default for every link (producer↔broker and broker↔broker).
    pub link: LinkSpec,
    /// Per-link overrides, one direction each.
    pub links: Vec<LinkOverride>,
    /// `replica.lag.time.max.ms` (default 30000, docs/kafka-sources.md §6).
    pub replica_lag_time_max_ms: u64,
    /// `replica.fetch.wait.max.ms` (default 500): how long a leader parks an empty follower fetch.
    pub replica_fetch_wait_max_ms: u64,
    /// `replica.fetch.backoff.ms` (default 1000) after a failed fetch.
    pub replica_fetch_backoff_ms: u64,
    /// `broker.session.timeout.ms` (KRaft, default 9000): how long the controller waits before it
    /// fences a broker that stopped heartbeating (crashed or isolated) and elects new leaders.
    pub session_timeout_ms: u64,
    /// Wall-clock time (ms since the Unix epoch) at virtual time 0; timestamps derive from it.
    pub start_time_ms: i64,
    /// Per-node clock offsets/drift (default: all clocks exact).
    pub clocks: Vec<NodeClock>,
    /// `auto.create.topics.enable` (Kafka 3.6 default true): a Metadata request naming an unknown
    /// topic creates it with `num_partitions` and `default_replication_factor`. Written out only
    /// when not the default, so scenarios and links from before read and write the same.
    #[serde(skip_serializing_if = "is_true")]
    pub auto_create_topics_enable: bool,
    /// `num.partitions` (default 1) of auto-created topics.
    #[serde(skip_serializing_if = "is_one")]
    pub num_partitions: u32,
    /// `default.replication.factor` (default 1) of auto-created topics.
    #[serde(skip_serializing_if = "is_one")]
    pub default_replication_factor: u32,
    /// Cluster defaults for topic configs (e.g. `min.insync.replicas`).
    #[serde(deserialize_with = "string_map")]
    pub topic_defaults: BTreeMap<String, String>,
    /// `log.retention.check.interval.ms` (Kafka 3.6 default 300000): how often each broker's
    /// retention task deletes expired segments (first run 30 s after the broker starts,
    /// `LogManager.InitialTaskDelayMs`).
    #[serde(skip_serializing_if = "is_default_retention_check")]
    pub log_retention_check_interval_ms: u64,
    /// The playground's memory budget for record bytes, in MiB (default 128), counted per
    /// replica as on disk (each held batch also counts 96 B for its header in memory) and
    /// shared evenly by the brokers. Not a Kafka setting: nearing it the
    /// oldest committed batches keep their offsets and sizes but drop their payload bytes
    /// (Kafka would keep them until `retention.ms`); a run whose uncommitted and buffered bytes
    /// alone would pass it pauses itself (`StopReason::MemoryBudget`).
    #[serde(skip_serializing_if = "is_default_budget")]
    pub record_bytes_budget_mb: u64,
}

/// Kafka 3.6's `log.retention.check.interval.ms`.
pub const DEFAULT_RETENTION_CHECK_INTERVAL_MS: u64 = 300_000;
/// The playground's default record-bytes budget ([`ClusterSpec::record_bytes_budget_mb`]).
pub const DEFAULT_RECORD_BYTES_BUDGET_MB: u64 = 128;
/// The largest record-bytes budget a scenario may ask for (a browser tab has a few GiB at most).
pub const MAX_RECORD_BYTES_BUDGET_MB: u64 = 4096;

fn is_default_retention_check(v: &u64) -> bool {
    *v == DEFAULT_RETENTION_CHECK_INTERVAL_MS
}

fn is_default_budget(v: &u64) -> bool {
    *v == DEFAULT_RECORD_BYTES_BUDGET_MB
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            brokers: 3,
            link: LinkSpec::default(),
            links: Vec::new(),
            replica_lag_time_max_ms: 30_000,
            replica_fetch_wait_max_ms: 500,
            replica_fetch_backoff_ms: 1000,
            session_timeout_ms: 9000,
            start_time_ms: 1_700_000_000_000,
            clocks: Vec::new(),
            auto_create_topics_enable: true,
            num_partitions: 1,
            default_replication_factor: 1,
            topic_defaults: BTreeMap::new(),
            log_retention_check_interval_ms: DEFAULT_RETENTION_CHECK_INTERVAL_MS,
            record_bytes_budget_mb: DEFAULT_RECORD_BYTES_BUDGET_MB,
        }
    }
}

/// A network link: one-way latency and optional bandwidth (so compression changes transfer time).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LinkSpec {
    pub latency_ms: f64,
    /// Bytes per millisecond; `None` = unlimited.
    pub bandwidth_bytes_per_ms: Option<u64>,
}

impl Default for LinkSpec {
    fn default() -> Self {
        LinkSpec {
            latency_ms: 1.0,
            bandwidth_bytes_per_ms: None,
        }
    }
}

/// Overrides the link from `from` to `to` (node 0 = producer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkOverride {
    pub from: u32,
    pub to: u32,
    pub latency_ms: f64,
    #[serde(default)]
    pub bandwidth_bytes_per_ms: Option<u64>,
}

/// A node's own clock: `offset_ms` plus `drift_ppm` parts per million of elapsed time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeClock {
    pub node: u32,
    #[serde(default)]
    pub offset_ms: i64,
    #[serde(default)]
    pub drift_ppm: i64,
}

/// A topic. `configs` take Kafka topic config names (`min.insync.replicas`,
/// `unclean.leader.election.enable`, `compression.type`, `max.message.bytes`,
/// `message.timestamp.type`, `message.timestamp.difference.max.ms`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: u32,
    pub replication_factor: u32,
    #[serde(deserialize_with = "string_map")]
    pub configs: BTreeMap<String, String>,
}

impl Default for TopicSpec {
    fn default() -> Self {
        TopicSpec {
            name: String::new(),
            partitions: 1,
            replication_factor: 3,
            configs: BTreeMap::new(),
        }
    }
}

/// Which client the producer behaves like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientProfile {
    /// librdkafka 2.3 (confluent-kafka Python): one partition per ProduceRequest (docs/kafka-sources.md §4.2).
    #[default]
    Librdkafka,
    /// Java client 3.6: per-broker requests with the head batch of every partition (docs/kafka-sources.md §4.1).
    Java,
}

/// The producer: a profile and the configuration dict as the user would pass it (names of that
/// client; values as strings, numbers or booleans).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProducerSpec {
    pub profile: ClientProfile,
    #[serde(deserialize_with = "string_map")]
    pub config: BTreeMap<String, String>,
}

/// An action at a virtual time (milliseconds, fractions allowed; stored exactly to the µs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedAction {
    pub at_ms: f64,
    pub action: Action,
}

/// A fault at a virtual time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimedFault {
    pub at_ms: f64,
    pub fault: Fault,
}

/// A record header given as text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeaderSpec {
    pub key: String,
    #[serde(default)]
    pub value: Option<String>,
}

/// What a learner (or the application code) does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Admin `CreateTopics`.
    CreateTopic(TopicSpec),
    /// `producer.produce(topic, value, key, partition=…, headers=…)`; fails with `BufferError`
    /// (`_QUEUE_FULL`) when the local queue is full.
    Produce {
        topic: String,
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        value: Option<String>,
        #[serde(default)]
        headers: Vec<HeaderSpec>,
        #[serde(default)]
        partition: Option<u32>,
        /// Explicit CreateTime (ms); default: the producer's clock.
        #[serde(default)]
        timestamp_ms: Option<i64>,
    },
    /// An application loop producing `count` events. `key`/`value` are templates where `{i}` is
    /// the event index (the key index is `i % key_count` when `key_count` is set). `value_size_bytes`
    /// pads the value with compressible text. `rate_per_sec` spaces the calls (none = a tight loop,
    /// 1 µs per call). `mode`: `async` (produce + poll(0), on BufferError poll(1) and retry) or
    /// `sync` (flush after each produce).
    ProduceMany {
        topic: String,
        count: u64,
        #[serde(default)]
        rate_per_sec: Option<f64>,
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        key_count: Option<u64>,
        #[serde(default = "default_value_template")]
        value: String,
        #[serde(default)]
        value_size_bytes: Option<usize>,
        #[serde(default)]
        mode: ProduceMode,
    },
    /// `producer.poll(0)`: serve the delivery reports that are ready.
    Poll,
    /// `producer.flush(timeout)`: send everything now (linger ignored) and serve reports until the
    /// queue is empty or the timeout expires; logs how many messages are still queued.
    Flush {
        #[serde(default)]
        timeout_ms: Option<f64>,
    },
    /// Change one producer setting (validated like at creation; applies to new batches).
    SetProducerConfig { name: String, value: String },
    /// Change one topic config (e.g. `min.insync.replicas`).
    SetTopicConfig {
        topic: String,
        name: String,
        value: String,
    },
    /// Inject a fault now.
    InjectFault { fault: Fault },
    /// The program switches a topic's serializers (a new `AvroSerializer(sr, other_schema)`,
    /// or `json.dumps` instead of Avro): later produce calls to the topic use these.
    SetSerializer(TopicSerializers),
    /// `POST /subjects/{subject}/versions` by an operator (curl, CI), not by the application:
    /// registers the named schema under `subject` if the subject's compatibility level allows
    /// it, or is rejected with HTTP 409. Does not block the application.
    RegisterSchema {
        subject: String,
        /// A [`SchemaSpec::name`].
        schema: String,
    },
    /// `PUT /config/{subject}` (or `PUT /config` without a subject): the compatibility level
    /// later registrations are checked at.
    SetCompatibility {
        #[serde(default)]
        subject: Option<String>,
        level: String,
    },
}

fn default_value_template() -> String {
    "event-{i}".into()
}

/// How a [`Action::ProduceMany`] loop is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProduceMode {
    /// `produce(); poll(0)` per event; on `BufferError`: `poll(1)` then retry.
    #[default]
    Async,
    /// `produce(); flush()` per event (the "synchronous producer").
    Sync,
    /// `produce()` only, never poll (the queue fills up, then `BufferError` drops events).
    NoPoll,
}

/// A fault as data (docs/kafka-sources.md §5.4, §6). Node 0 is the producer, brokers are 1..=N.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Drop the next `count` ProduceRequests from the producer to `broker` (never arrive).
    DropNextRequest {
        broker: u32,
        #[serde(default = "one")]
        count: u32,
    },
    /// Drop the next `count` ProduceResponses from `broker` (the write happened; the ack is lost).
    DropNextResponse {
        broker: u32,
        #[serde(default = "one")]
        count: u32,
    },
    /// The next `count` ProduceRequests arriving at `broker` are rejected with `error` (a Kafka
    /// error name such as `NOT_LEADER_OR_FOLLOWER`) without appending — like the mock cluster's
    /// `rd_kafka_mock_push_request_errors`.
    FailNextProduce {
        broker: u32,
        error: String,
        #[serde(default = "one")]
        count: u32,
        /// Let this many requests through first (e.g. `after: 1` fails the 2nd request).
        #[serde(default)]
        after: u32,
    },
    /// Add `delay_ms` to the link `from` → `to` (0 removes the delay).
    DelayLink { from: u32, to: u32, delay_ms: f64 },
    /// Lose each message with `probability` (seeded); `from`/`to` limit it to one direction.
    RandomLoss {
        probability: f64,
        #[serde(default)]
        from: Option<u32>,
        #[serde(default)]
        to: Option<u32>,
    },
    /// The broker process stops; its log survives on disk; connections reset.
    Crash { broker: u32 },
    /// The broker starts again and rejoins as follower (truncating if its log diverged).
    Restart { broker: u32 },
    /// Cut the broker off from the other brokers and the controller (the producer can still
    /// reach it unless `include_producer`).
    Isolate {
        broker: u32,
        #[serde(default)]
        include_producer: bool,
    },
    /// Undo [`Fault::Isolate`].
    Heal { broker: u32 },
    /// The follower on `broker` waits `delay_ms` before each fetch (0 = normal).
    SlowFollower { broker: u32, delay_ms: f64 },
}

fn one() -> u32 {
    1
}

/// Bounds on a run: a scenario that would run forever stops here and says so. The defaults
/// are far: memory is bounded by retention and the record-bytes budget, not by these, so a tab
/// left playing for a whole class keeps going (7 days of virtual time is Kafka's default
/// `retention.ms`; 10^12 events is years at 10,000 events/s).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_events: u64,
    pub max_time_ms: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_events: 1_000_000_000_000,
            max_time_ms: 604_800_000.0,
        }
    }
}

/// How much is logged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogOptions {
    /// Log every produce call and every delivery report (off for big benchmarks).
    pub per_message: bool,
    /// Log follower fetches that carry data (`Replicated` entries).
    pub replication: bool,
    /// The newest entries kept in full; older ones are dropped (counted per kind and in the log
    /// hash: `Simulation::log_dropped`, `Simulation::log_counts`).
    pub max_entries: usize,
}

impl Default for LogOptions {
    fn default() -> Self {
        LogOptions {
            per_message: true,
            replication: true,
            max_entries: 200_000,
        }
    }
}

/// Accepts a map whose values are strings, numbers or booleans (like a Python config dict) and
/// stores them as strings.
fn string_map<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, String>, D::Error> {
    let raw: BTreeMap<String, serde_json::Value> = BTreeMap::deserialize(d)?;
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        let s = match v {
            serde_json::Value::String(s) => s,
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            other => {
                return Err(serde::de::Error::custom(format!(
                    "config {k}: unsupported value {other}"
                )))
            }
        };
        out.insert(k, s);
    }
    Ok(out)
}

/// Converts a non-negative, finite millisecond value to microseconds.
pub fn ms_to_us(ms: f64, what: &str) -> Result<u64, SimError> {
    if !ms.is_finite() || !(0.0..=1.0e12).contains(&ms) {
        return Err(SimError::InvalidScenario(format!(
            "{what}: time {ms} ms must be finite and >= 0"
        )));
    }
    Ok((ms * 1000.0).round() as u64)
}
