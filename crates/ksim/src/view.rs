//! A plain, serializable snapshot of the whole state for the UI (it renders only this and the log).

use crate::config::ConfigEntry;
use crate::metrics::Metrics;
use crate::network::WireMessage;
use crate::proto::DeliveryReport;
use serde::{Deserialize, Serialize};

/// Most batches per replica that a [`View`] lists (the newest ones).
pub const VIEW_MAX_BATCHES: usize = 256;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct View {
    pub time_us: u64,
    pub next_event_us: Option<u64>,
    pub brokers: Vec<BrokerView>,
    pub partitions: Vec<PartitionView>,
    /// Every topic in creation order, with its effective configuration.
    pub topics: Vec<TopicView>,
    pub producer: ProducerView,
    /// Messages on the wire now.
    pub network: Vec<WireMessage>,
    /// The last messages the network lost.
    pub network_dropped: Vec<WireMessage>,
    /// Recently delivered messages, by arrival time: at most `RECENT_DELIVERED_PRODUCE`
    /// ProduceRequests/responses, `RECENT_DELIVERED_REGISTRY` Schema Registry calls and
    /// `RECENT_DELIVERED_OTHER` others (replica fetches), so the
    /// UI can draw a short history (sequence diagram) without the view growing with the run.
    #[serde(default)]
    pub network_delivered: Vec<WireMessage>,
    /// Ready (not yet served) reports first, then the most recently served ones.
    pub delivery_reports: Vec<DeliveryReport>,
    pub metrics: Metrics,
    /// What happens next (at most 40 entries, in order): scenario actions and faults, messages
    /// arriving, timers firing — each with a one-line reason.
    pub upcoming: Vec<UpcomingView>,
    /// The Schema Registry node, when the scenario has one.
    #[serde(default)]
    pub schema_registry: Option<SchemaRegistryView>,
    /// The application's serializers now, per topic (topics not listed use
    /// `StringSerializer('utf_8')`); `set_serializer` actions change them during a run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub serializers: Vec<crate::scenario::TopicSerializers>,
}

/// The Schema Registry's state, and what the application's serializers cached. Bounded by the
/// scenario: at most `MAX_SCHEMAS` distinct schemas, so at most that many ids and versions
/// per subject that produce or register actions can add.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaRegistryView {
    /// Its node id on the network (`ksim::SCHEMA_REGISTRY`): messages to and from it are in
    /// `View::network`.
    pub node: u32,
    /// One-way latency to the application, ms.
    pub latency_ms: f64,
    /// `GET /config`.
    pub global_compatibility: String,
    /// Subjects in name order.
    pub subjects: Vec<SubjectView>,
    /// The last registration it refused (HTTP 409 …), for the lesson's check.
    pub last_rejection: Option<RejectionView>,
    /// The serializers' cache: (subject, schema id) pairs the application knows.
    pub serializer_cache: Vec<CachedIdView>,
    /// Avro records serialized with a cached id (no registry call).
    pub serializer_cache_hits: u64,
    /// Registry calls the application is blocked in now.
    pub calls_in_flight: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubjectView {
    pub subject: String,
    /// The effective level, and whether the subject sets its own (`PUT /config/{subject}`).
    pub compatibility: String,
    pub compatibility_is_subject_level: bool,
    pub versions: Vec<SchemaVersionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchemaVersionView {
    pub version: u32,
    pub schema_id: u32,
    /// The schema text as first registered.
    pub schema: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectionView {
    pub time_us: u64,
    pub subject: String,
    pub http_status: u16,
    pub error_code: u32,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedIdView {
    pub subject: String,
    pub schema_id: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpcomingView {
    pub time_us: u64,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BrokerView {
    pub id: u32,
    pub up: bool,
    pub isolated: bool,
    /// Isolated with the producer cut off too (`Fault::Isolate { include_producer: true }`);
    /// otherwise an isolated broker still reaches the producer.
    #[serde(default)]
    pub producer_cut: bool,
    /// Fenced by the controller (no heartbeat for `broker.session.timeout.ms`).
    pub fenced: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartitionView {
    pub topic: String,
    pub partition: u32,
    /// Controller's view.
    pub leader: Option<u32>,
    pub leader_epoch: i32,
    pub isr: Vec<u32>,
    pub replicas: Vec<ReplicaView>,
}

/// A topic and its effective configuration, as `kafka-configs --describe --all` shows it: Kafka
/// resolves each topic config from the most specific level that sets it — a topic-level value
/// (set at creation or later with `Action::SetTopicConfig`) overrides the broker's default for
/// topics (the scenario's `cluster.topic_defaults`), which overrides Kafka's own default
/// (AK `LogConfig`; docs/kafka-sources.md §2.3 for `compression.type`, §6 for `min.insync.replicas` and
/// `unclean.leader.election.enable`, §1.8 for `max.message.bytes`). The brokers apply exactly
/// these values. Bounded: one entry per known config, no per-record data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TopicView {
    pub name: String,
    /// One entry per topic config the simulation knows (`TOPIC_CONFIG_DEFAULTS`, in that order).
    pub configs: Vec<TopicConfigView>,
}

/// One effective topic config: the value the brokers use for this topic and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicConfigView {
    pub name: String,
    pub value: String,
    pub source: TopicConfigSource,
}

/// Where an effective topic config comes from, most specific first (Kafka's DescribeConfigs
/// sources `DYNAMIC_TOPIC_CONFIG`, `STATIC_BROKER_CONFIG` / `DYNAMIC_DEFAULT_BROKER_CONFIG`,
/// `DEFAULT_CONFIG`): a topic-level value overrides the broker's default, which overrides
/// Kafka's built-in default (docs/kafka-sources.md §2.3, §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TopicConfigSource {
    /// Kafka's built-in default (AK `LogConfig`): nothing set on the broker or the topic.
    Default,
    /// The broker's default for all topics (the scenario's `cluster.topic_defaults`).
    Broker,
    /// Set on this topic (at creation or with `Action::SetTopicConfig`); overrides the others.
    Topic,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplicaView {
    pub broker: u32,
    pub is_leader: bool,
    pub leader_epoch: i32,
    pub log_end_offset: i64,
    pub high_watermark: i64,
    /// The newest stored batches (at most [`VIEW_MAX_BATCHES`], oldest first); `index` is the
    /// position in the whole log, and `Simulation::batch_bytes` reaches any index. A view is
    /// built every frame, so it must not grow with the log.
    pub batches: Vec<BatchView>,
    /// How many batches the replica's log has had since it began (deleted ones included:
    /// `BatchView::index` counts from the first).
    pub batch_count: usize,
    /// The log start offset: retention deleted everything below it (`UnifiedLog.logStartOffset`).
    #[serde(default)]
    pub log_start_offset: i64,
    /// Segments of the log (the last one is active).
    #[serde(default)]
    pub segment_count: usize,
    /// Bytes of all segments (what `retention.bytes` compares with).
    #[serde(default)]
    pub log_size_bytes: u64,
    /// Batches whose record bytes the playground dropped (its memory budget; Kafka would keep
    /// them until `retention.ms`): their offsets and sizes stay.
    #[serde(default)]
    pub payload_dropped_batches: u64,
    /// Below this offset (and from `log_start_offset`) the record bytes were dropped.
    #[serde(default)]
    pub payload_dropped_below: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchView {
    pub index: usize,
    /// The playground dropped this batch's record bytes from its memory (the budget); Kafka
    /// would keep them until `retention.ms`. Offsets and size stay.
    #[serde(default)]
    pub payload_dropped: bool,
    pub base_offset: i64,
    pub last_offset: i64,
    pub records: u32,
    pub size_bytes: usize,
    pub codec: String,
    pub leader_epoch: i32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub max_timestamp_ms: i64,
    pub recompressed: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProducerView {
    pub client_id: String,
    pub profile: String,
    pub producer_id: i64,
    pub producer_epoch: i16,
    /// `len(producer)`: messages not delivered yet or whose report was not served.
    pub queued_msgs: u64,
    pub flushing: bool,
    /// The fatal error the producer raised, naming its cause (`rd_kafka_fatal_error()`); after
    /// it every `produce()` fails with `_FATAL` until a new producer is made.
    #[serde(default)]
    pub fatal_error: Option<String>,
    pub open_batches: Vec<OpenBatchView>,
    pub in_flight: Vec<InFlightView>,
    pub config: Vec<ConfigEntry>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenBatchView {
    pub topic: String,
    pub partition: u32,
    pub leader: Option<u32>,
    /// Messages waiting in the partition queue (not yet in a request).
    pub records: usize,
    pub bytes: usize,
    /// When linger expires for the oldest message (None when empty).
    pub linger_deadline_us: Option<u64>,
    /// Batches waiting for a retry, with their next attempt time.
    pub retry_batches: Vec<(u32, i32, u64)>,
    /// Fill level against `batch.num.messages` / `batch.size` (0..1).
    pub fill_ratio: f64,
    pub next_sequence: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InFlightView {
    pub req_id: u64,
    pub broker: u32,
    pub sent_us: u64,
    /// (topic, partition, records, base sequence, attempt)
    pub batches: Vec<(String, u32, u32, i32, u32)>,
}
