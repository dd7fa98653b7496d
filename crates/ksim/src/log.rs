//! The event log: one typed entry per thing that happened, each with its virtual time and a
//! one-line human description ([`LogEntry::describe`]). The UI renders only these.

use crate::error::ErrorCode;
use crate::scenario::Fault;
use serde::{Deserialize, Serialize};

/// One thing that happened at `time_us`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    pub time_us: u64,
    #[serde(flatten)]
    pub event: LogEvent,
}

/// Why the producer closed a batch and built a ProduceRequest (docs/kafka-sources.md §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SealReason {
    /// The oldest message waited `linger.ms`.
    Linger,
    /// `batch.size` bytes reached.
    Full,
    /// `batch.num.messages` reached.
    Count,
    /// `flush()` in progress (linger ignored).
    Flush,
    /// Java: another partition of the same broker was ready, so this head batch rode along (docs/kafka-sources.md §4.1).
    Piggyback,
}

/// Per-partition result inside a ProduceResponse.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionResult {
    pub topic: String,
    pub partition: u32,
    pub error: Option<ErrorCode>,
    pub base_offset: Option<i64>,
}

/// Everything the log can say.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LogEvent {
    TopicCreated {
        topic: String,
        partitions: u32,
        replication_factor: u32,
        assignment: Vec<Vec<u32>>,
        /// Created by a broker for a client's Metadata request (`auto.create.topics.enable`).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        auto_created: bool,
    },
    ProducerCreated {
        client_id: String,
        profile: String,
        producer_id: Option<i64>,
        idempotence: bool,
    },
    ProduceCalled {
        msg_id: u64,
        topic: String,
        partition: u32,
        key: Option<String>,
        value_bytes: usize,
    },
    /// `produce()` to a topic the producer's metadata does not know: the message waits.
    ProduceAwaitingTopic {
        msg_id: u64,
        topic: String,
    },
    ProduceFailed {
        topic: String,
        error: ErrorCode,
    },
    BatchOpened {
        topic: String,
        partition: u32,
        linger_deadline_us: u64,
    },
    BatchSealed {
        topic: String,
        partition: u32,
        records: u32,
        reason: SealReason,
        size_bytes: usize,
        uncompressed_bytes: usize,
        codec: String,
        base_sequence: i32,
    },
    RequestSent {
        req_id: u64,
        broker: u32,
        batches: Vec<(String, u32, u32, i32)>,
        size_bytes: usize,
        retry: bool,
    },
    NetworkDropped {
        from: u32,
        to: u32,
        what: String,
        reason: String,
    },
    RequestTimedOut {
        req_id: u64,
        broker: u32,
    },
    ConnectionReset {
        req_id: u64,
        broker: u32,
    },
    /// The producer's connection to a broker broke; it reconnects at `reconnect_at_us`.
    ConnectionDown {
        broker: u32,
        reason: String,
        reconnect_at_us: u64,
    },
    /// The idempotent producer hit a fatal error (`rd_kafka_idemp_set_fatal_error`): queued
    /// messages are purged, and every later `produce()` raises `_FATAL`.
    FatalError {
        error: ErrorCode,
        reason: String,
    },
    /// The producer's connection to a broker is up again.
    ConnectionUp {
        broker: u32,
    },
    ResponseReceived {
        req_id: u64,
        broker: u32,
        results: Vec<PartitionResult>,
    },
    Appended {
        broker: u32,
        topic: String,
        partition: u32,
        base_offset: i64,
        last_offset: i64,
        size_bytes: usize,
        codec: String,
        leader_epoch: i32,
        recompressed: bool,
    },
    DuplicateBatch {
        broker: u32,
        topic: String,
        partition: u32,
        producer_id: i64,
        base_sequence: i32,
        original_offset: i64,
    },
    ProduceRejected {
        broker: u32,
        topic: String,
        partition: u32,
        error: ErrorCode,
        detail: String,
    },
    Replicated {
        broker: u32,
        topic: String,
        partition: u32,
        from_offset: i64,
        log_end_offset: i64,
    },
    HighWatermark {
        broker: u32,
        topic: String,
        partition: u32,
        high_watermark: i64,
    },
    IsrChanged {
        topic: String,
        partition: u32,
        isr: Vec<u32>,
        reason: String,
    },
    LeaderElected {
        topic: String,
        partition: u32,
        leader: Option<u32>,
        leader_epoch: i32,
        unclean: bool,
    },
    Truncated {
        broker: u32,
        topic: String,
        partition: u32,
        from_offset: i64,
        to_offset: i64,
    },
    BrokerFenced {
        broker: u32,
    },
    BrokerUnfenced {
        broker: u32,
    },
    RetryScheduled {
        topic: String,
        partition: u32,
        records: u32,
        error: ErrorCode,
        attempt: u32,
        backoff_ms: f64,
    },
    BatchFailed {
        topic: String,
        partition: u32,
        records: u32,
        error: ErrorCode,
    },
    EpochBumped {
        producer_id: i64,
        producer_epoch: i16,
    },
    DeliveryReport {
        msg_id: u64,
        topic: String,
        partition: u32,
        offset: Option<i64>,
        error: Option<ErrorCode>,
        latency_us: u64,
    },
    ReportsServed {
        count: u32,
        by: String,
    },
    FlushStarted {
        queued: u64,
    },
    FlushReturned {
        remaining: u64,
    },
    MetadataRefreshed {
        leaders: Vec<(String, u32, Option<u32>)>,
    },
    FaultFired {
        fault: Fault,
    },
    ConfigChanged {
        name: String,
        value: String,
    },
    TopicConfigChanged {
        topic: String,
        name: String,
        value: String,
    },
    ActionFailed {
        action: String,
        error: String,
    },
    RunLimit {
        reason: String,
    },
    /// A `produce_many` loop reached its `logged` messages logged one by one; its later messages
    /// are logged per batch, request and append only (`sim::LOOP_LOGGED_MESSAGES`).
    LoopLogSummarized {
        logged: u64,
    },
    /// A replica's log rolled a new active segment at `base_offset` (`segment.bytes` or
    /// `segment.ms`, `LogSegment.shouldRoll`).
    SegmentRolled {
        broker: u32,
        topic: String,
        partition: u32,
        base_offset: i64,
        /// `segment.bytes` or `segment.ms`.
        by: String,
    },
    /// The retention task deleted whole segments (`UnifiedLog.deleteOldSegments`); the log
    /// start offset moved to `log_start_offset`.
    SegmentsDeleted {
        broker: u32,
        topic: String,
        partition: u32,
        segments: u32,
        batches: u64,
        size_bytes: u64,
        log_start_offset: i64,
        reason: String,
    },
    /// The playground's record-bytes budget: a broker dropped the payload of its oldest
    /// committed batches (headers, offsets and sizes stay). Kafka would keep them until
    /// retention deletes them.
    RecordBytesDropped {
        broker: u32,
        batches: u64,
        size_bytes: u64,
        held_bytes: u64,
        budget_bytes: u64,
    },
    /// The Schema Registry answered a registration: `new_version` when the subject got a new
    /// version, `new_id` when the schema got a new global id (else it was already known).
    SchemaRegistered {
        subject: String,
        version: u32,
        schema_id: u32,
        new_version: bool,
        new_id: bool,
    },
    /// The Schema Registry refused a registration (HTTP 409 incompatible, 422 invalid).
    SchemaRejected {
        subject: String,
        http_status: u16,
        error_code: u32,
        message: String,
    },
    /// `PUT /config/{subject}` (or the global `PUT /config` when `subject` is none).
    CompatibilitySet {
        subject: Option<String>,
        level: String,
    },
    /// The application switched a topic's serializers (`set_serializer`).
    SerializerSet {
        topic: String,
        key: String,
        value: String,
    },
    /// An Avro serializer does not know its schema's id for `subject` yet: the application
    /// thread blocks on an HTTP call to the registry (`call`: `POST /subjects/…/versions`).
    SerializerBlocked {
        topic: String,
        field: String,
        subject: String,
        call: String,
    },
    /// The registry's answer reached the serializer after `waited_us`: the id (cached from
    /// now on), or the error.
    SerializerReturned {
        subject: String,
        schema_id: Option<u32>,
        waited_us: u64,
    },
    /// A serializer raised before `produce()`: nothing was queued. `error` is
    /// confluent-kafka's exception (`ValueSerializationError`, `KeySerializationError`),
    /// `field` the record field the message names, `message` its text.
    SerializationFailed {
        topic: String,
        error: String,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        field: String,
        message: String,
    },
}

fn opt<T: std::fmt::Display>(o: &Option<T>) -> String {
    match o {
        Some(v) => v.to_string(),
        None => "None".into(),
    }
}

impl LogEvent {
    /// The entry's kind, as its JSON `kind` tag spells it (`delivery_report`).
    pub fn kind(&self) -> &'static str {
        use LogEvent::*;
        match self {
            TopicCreated { .. } => "topic_created",
            ProducerCreated { .. } => "producer_created",
            ProduceCalled { .. } => "produce_called",
            ProduceAwaitingTopic { .. } => "produce_awaiting_topic",
            ProduceFailed { .. } => "produce_failed",
            BatchOpened { .. } => "batch_opened",
            BatchSealed { .. } => "batch_sealed",
            RequestSent { .. } => "request_sent",
            NetworkDropped { .. } => "network_dropped",
            RequestTimedOut { .. } => "request_timed_out",
            ConnectionReset { .. } => "connection_reset",
            ConnectionDown { .. } => "connection_down",
            FatalError { .. } => "fatal_error",
            ConnectionUp { .. } => "connection_up",
            ResponseReceived { .. } => "response_received",
            Appended { .. } => "appended",
            DuplicateBatch { .. } => "duplicate_batch",
            ProduceRejected { .. } => "produce_rejected",
            Replicated { .. } => "replicated",
            HighWatermark { .. } => "high_watermark",
            IsrChanged { .. } => "isr_changed",
            LeaderElected { .. } => "leader_elected",
            Truncated { .. } => "truncated",
            BrokerFenced { .. } => "broker_fenced",
            BrokerUnfenced { .. } => "broker_unfenced",
            RetryScheduled { .. } => "retry_scheduled",
            BatchFailed { .. } => "batch_failed",
            EpochBumped { .. } => "epoch_bumped",
            DeliveryReport { .. } => "delivery_report",
            ReportsServed { .. } => "reports_served",
            FlushStarted { .. } => "flush_started",
            FlushReturned { .. } => "flush_returned",
            MetadataRefreshed { .. } => "metadata_refreshed",
            FaultFired { .. } => "fault_fired",
            ConfigChanged { .. } => "config_changed",
            TopicConfigChanged { .. } => "topic_config_changed",
            ActionFailed { .. } => "action_failed",
            RunLimit { .. } => "run_limit",
            LoopLogSummarized { .. } => "loop_log_summarized",
            SegmentRolled { .. } => "segment_rolled",
            SegmentsDeleted { .. } => "segments_deleted",
            RecordBytesDropped { .. } => "record_bytes_dropped",
            SchemaRegistered { .. } => "schema_registered",
            SchemaRejected { .. } => "schema_rejected",
            CompatibilitySet { .. } => "compatibility_set",
            SerializerSet { .. } => "serializer_set",
            SerializerBlocked { .. } => "serializer_blocked",
            SerializerReturned { .. } => "serializer_returned",
            SerializationFailed { .. } => "serialization_failed",
        }
    }
}

impl LogEntry {
    /// A dense one-line description, e.g. `12.345 ms  broker 1 appended t-0 offsets 0..9 (812 B, lz4)`.
    pub fn describe(&self) -> String {
        format!(
            "{:>10.3} ms  {}",
            self.time_us as f64 / 1000.0,
            self.event.describe()
        )
    }
}

impl LogEvent {
    /// The description without the time.
    pub fn describe(&self) -> String {
        use LogEvent::*;
        match self {
            TopicCreated { topic, partitions, replication_factor, assignment, auto_created } => {
                let how = if *auto_created {
                    " by the broker for the producer's Metadata request (auto.create.topics.enable, num.partitions, default.replication.factor)"
                } else {
                    ""
                };
                format!("topic {topic} created{how}: {partitions} partition(s), RF {replication_factor}, replicas {assignment:?}")
            }
            ProduceAwaitingTopic { msg_id, topic } => format!(
                "produce() #{msg_id} to topic {topic}, which the producer does not know: it waits for metadata"
            ),
            ProducerCreated { client_id, profile, producer_id, idempotence } => format!(
                "producer {client_id} ({profile}) created, idempotence {idempotence}, producer id {}",
                opt(producer_id)
            ),
            ProduceCalled { msg_id, topic, partition, key, value_bytes } => {
                format!("produce() msg #{msg_id} key {} -> {topic}-{partition} ({value_bytes} B value)", opt(key))
            }
            ProduceFailed { topic, error } => format!("produce() to {topic} raised {error} (BufferError)"),
            BatchOpened { topic, partition, linger_deadline_us } => format!(
                "{topic}-{partition}: first message queued, linger ends at {:.3} ms",
                *linger_deadline_us as f64 / 1000.0
            ),
            BatchSealed { topic, partition, records, reason, size_bytes, uncompressed_bytes, codec, base_sequence } => {
                format!(
                    "{topic}-{partition}: batch of {records} record(s) sealed ({reason:?}): {size_bytes} B on the wire ({codec}, records {uncompressed_bytes} B uncompressed), baseSequence {base_sequence}"
                )
            }
            RequestSent { req_id, broker, batches, size_bytes, retry } => format!(
                "ProduceRequest #{req_id} -> broker {broker}: {} batch(es) {:?}, {size_bytes} B{}",
                batches.len(),
                batches.iter().map(|(t, p, n, s)| format!("{t}-{p}:{n}rec seq {s}")).collect::<Vec<_>>(),
                if *retry { " (retry)" } else { "" }
            ),
            NetworkDropped { from, to, what, reason } => format!("network dropped {what} {from}->{to}: {reason}"),
            RequestTimedOut { req_id, broker } => {
                format!("ProduceRequest #{req_id} to broker {broker} timed out (_TIMED_OUT)")
            }
            ConnectionReset { req_id, broker } => {
                format!("connection to broker {broker} reset; request #{req_id} failed (_TRANSPORT)")
            }
            ConnectionDown { broker, reason, reconnect_at_us } => format!(
                "producer's connection to broker {broker} is down ({reason}); no requests to it until it reconnects, when needed and not before {:.3} ms",
                *reconnect_at_us as f64 / 1000.0
            ),
            ConnectionUp { broker } => format!("producer connected to broker {broker}"),
            FatalError { error, reason } => format!(
                "FATAL producer error {}: {reason}; queued messages are purged (_PURGE_QUEUE) and every later produce() raises _FATAL",
                error.rdkafka_name()
            ),
            ResponseReceived { req_id, broker, results } => format!(
                "ProduceResponse #{req_id} from broker {broker}: {}",
                results
                    .iter()
                    .map(|r| format!(
                        "{}-{} {} base {}",
                        r.topic,
                        r.partition,
                        r.error.map(|e| e.to_string()).unwrap_or_else(|| "OK".into()),
                        opt(&r.base_offset)
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Appended { broker, topic, partition, base_offset, last_offset, size_bytes, codec, leader_epoch, recompressed } => {
                format!(
                    "broker {broker} appended {topic}-{partition} offsets {base_offset}..{last_offset} ({size_bytes} B, {codec}{}), leader epoch {leader_epoch}",
                    if *recompressed { ", recompressed" } else { "" }
                )
            }
            DuplicateBatch { broker, topic, partition, producer_id, base_sequence, original_offset } => format!(
                "broker {broker} {topic}-{partition}: duplicate batch (pid {producer_id}, seq {base_sequence}) not appended, acked with original offset {original_offset}"
            ),
            ProduceRejected { broker, topic, partition, error, detail } => {
                format!("broker {broker} rejected {topic}-{partition}: {error} {detail}")
            }
            Replicated { broker, topic, partition, from_offset, log_end_offset } => format!(
                "follower {broker} fetched {topic}-{partition} offsets {from_offset}..{}, LEO {log_end_offset}",
                log_end_offset - 1
            ),
            HighWatermark { broker, topic, partition, high_watermark } => {
                format!("leader {broker} {topic}-{partition}: high watermark -> {high_watermark}")
            }
            IsrChanged { topic, partition, isr, reason } => format!("{topic}-{partition}: ISR -> {isr:?} ({reason})"),
            LeaderElected { topic, partition, leader, leader_epoch, unclean } => format!(
                "{topic}-{partition}: leader -> {} epoch {leader_epoch}{}",
                leader.map(|l| format!("broker {l}")).unwrap_or_else(|| "none (offline)".into()),
                if *unclean { " (UNCLEAN election)" } else { "" }
            ),
            Truncated { broker, topic, partition, from_offset, to_offset } => {
                format!("broker {broker} truncated {topic}-{partition} from LEO {from_offset} to {to_offset}")
            }
            BrokerFenced { broker } => format!("controller fenced broker {broker} (no heartbeat)"),
            BrokerUnfenced { broker } => format!("broker {broker} registered with the controller again"),
            RetryScheduled { topic, partition, records, error, attempt, backoff_ms } => format!(
                "{topic}-{partition}: {records} record(s) will be retried (attempt {attempt}) after {backoff_ms:.1} ms because {error}"
            ),
            BatchFailed { topic, partition, records, error } => {
                format!("{topic}-{partition}: {records} record(s) failed permanently: {error}")
            }
            EpochBumped { producer_id, producer_epoch } => {
                format!("idempotent producer bumped epoch: pid {producer_id} epoch {producer_epoch}, sequences restart at 0")
            }
            DeliveryReport { msg_id, topic, partition, offset, error, latency_us } => format!(
                "delivery report ready for msg #{msg_id}: {} {topic}-{partition} offset {} latency {:.3} ms",
                error.map(|e| e.to_string()).unwrap_or_else(|| "OK".into()),
                opt(offset),
                *latency_us as f64 / 1000.0
            ),
            ReportsServed { count, by } => format!("{by} served {count} delivery report(s)"),
            FlushStarted { queued } => format!("flush() started with {queued} message(s) in the queue"),
            FlushReturned { remaining } => format!("flush() returned {remaining}"),
            MetadataRefreshed { leaders } => format!(
                "producer metadata refreshed: {}",
                leaders
                    .iter()
                    .map(|(t, p, l)| format!("{t}-{p}@{}", l.map(|b| b.to_string()).unwrap_or_else(|| "-".into())))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            FaultFired { fault } => format!("fault: {}", serde_json::to_string(fault).unwrap_or_default()),
            ConfigChanged { name, value } => format!("producer config {name} = {value}"),
            TopicConfigChanged { topic, name, value } => format!("topic {topic} config {name} = {value}"),
            ActionFailed { action, error } => format!("{action} failed: {error}"),
            RunLimit { reason } => format!("run stopped: {reason}"),
            LoopLogSummarized { logged } => format!("produce many: the first {logged} events of this loop were logged one by one; later ones are logged per batch, request and append (the metrics count every event)"),
            SegmentRolled { broker, topic, partition, base_offset, by } => format!("broker {broker} rolled a new segment of {topic}-{partition} at offset {base_offset} ({by})"),
            SegmentsDeleted { broker, topic, partition, segments, batches, size_bytes, log_start_offset, reason } => format!("broker {broker} deleted {segments} segment(s) of {topic}-{partition} ({batches} batches, {size_bytes} B) by {reason}: log start offset now {log_start_offset}"),
            RecordBytesDropped { broker, batches, size_bytes, held_bytes, budget_bytes } => format!("broker {broker} dropped the record bytes of its {batches} oldest committed batch(es) ({size_bytes} B) from the playground's memory (its share of the budget: {budget_bytes} B; {held_bytes} B held); their offsets and sizes stay, and Kafka would keep the bytes until retention.ms"),
            SchemaRegistered { subject, version, schema_id, new_version: true, new_id } => format!(
                "Schema Registry: subject {subject} version {version} registered with schema id {schema_id}{}",
                if *new_id { " (a new schema)" } else { " (a schema the registry already had under another subject: same id)" }
            ),
            SchemaRegistered { subject, version, schema_id, new_version: false, .. } => format!(
                "Schema Registry: this schema is already version {version} of subject {subject} (id {schema_id}); nothing new registered"
            ),
            SchemaRejected { subject, http_status, error_code, message } => format!(
                "Schema Registry rejected the schema for subject {subject}: HTTP {http_status}, error code {error_code}: {message}"
            ),
            CompatibilitySet { subject: Some(subject), level } => format!("Schema Registry: compatibility of subject {subject} set to {level} (PUT /config/{subject})"),
            CompatibilitySet { subject: None, level } => format!("Schema Registry: global compatibility set to {level} (PUT /config)"),
            SerializerSet { topic, key, value } => format!("application now serializes topic {topic} with key serializer {key} and value serializer {value}"),
            SerializerBlocked { topic, field, subject, call } => format!(
                "{field} serializer for {topic}: schema id for subject {subject} not cached yet; the application blocks on {call} to the Schema Registry (produce() waits)"
            ),
            SerializerReturned { subject, schema_id: Some(id), waited_us } => format!(
                "Schema Registry answered after {:.3} ms: subject {subject} schema id {id}, cached: later records of this schema skip the registry",
                *waited_us as f64 / 1000.0
            ),
            SerializerReturned { subject, schema_id: None, waited_us } => format!(
                "Schema Registry answered after {:.3} ms with an error for subject {subject}",
                *waited_us as f64 / 1000.0
            ),
            SerializationFailed { topic, error, field, message } => format!(
                "{error} before produce() to {topic}{}: {message}; nothing was queued",
                if field.is_empty() { String::new() } else { format!(" (field {field})") }
            ),
        }
    }
}
