//! The messages nodes exchange, and the names they share: a topic-partition ([`Tp`]), the
//! Produce and Fetch requests and responses as the simulated network carries them, a stored
//! batch, and the delivery report the application's callback receives. A leaf module: it imports
//! no node, so producer, brokers, view and driver all depend on it and not on each other.

use crate::error::ErrorCode;
use crate::outcome::MsgIds;
use kwire::Codec;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// A topic-partition, by topic index (creation order) and partition number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Tp {
    pub topic: u32,
    pub partition: u32,
}

/// Network payloads.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Produce(Arc<ProduceRequest>),
    ProduceResponse(ProduceResponse),
    Fetch(FetchRequest),
    FetchResponse(FetchResponse),
    /// A client's connection attempt (TCP connect and ApiVersionsRequest).
    Connect {
        attempt: u64,
    },
    /// The broker's answer to it (ApiVersionsResponse): the connection is up.
    ConnectAck {
        attempt: u64,
    },
    /// An HTTP call of the application's serializer to the Schema Registry.
    RegistryRequest(Arc<RegistryRequest>),
    /// The registry's HTTP answer.
    RegistryReply(RegistryReply),
}

/// Which Schema Registry call a serializer makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RegistryRequestKind {
    /// `POST /subjects/{subject}/versions` (`auto.register.schemas=true`).
    Register,
    /// `POST /subjects/{subject}` (`auto.register.schemas=false`: the schema must be there).
    Lookup,
}

/// An HTTP request to the registry with the schema as its body (`{"schema": "…"}`).
#[derive(Debug, Clone)]
pub(crate) struct RegistryRequest {
    pub req_id: u64,
    pub kind: RegistryRequestKind,
    pub subject: String,
    pub schema: Arc<str>,
}

/// The registry's answer: `200 {"id": N}` or an error.
#[derive(Debug, Clone)]
pub(crate) struct RegistryReply {
    pub req_id: u64,
    pub subject: String,
    pub result: Result<u32, SrError>,
}

/// A Schema Registry error as the REST API returns it (`{"error_code": …, "message": …}` with
/// an HTTP status) and confluent-kafka raises it (`SchemaRegistryError(http_status_code,
/// error_code, error_message)`, `confluent_kafka/schema_registry/error.py`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SrError {
    pub http_status: u16,
    pub error_code: u32,
    pub message: String,
}

impl SrError {
    /// The HTTP body.
    pub fn body(&self) -> String {
        serde_json::json!({"error_code": self.error_code, "message": self.message}).to_string()
    }
}

impl std::fmt::Display for SrError {
    /// `str(SchemaRegistryError)`: `"{message} (HTTP status code {status}, SR code {code})"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} (HTTP status code {}, SR code {})",
            self.message, self.http_status, self.error_code
        )
    }
}

impl Payload {
    /// The request number and batch codec(s) the UI labels a message with.
    pub fn tag(&self) -> crate::network::WireTag {
        let (req_id, codec) = match self {
            Payload::Produce(r) => {
                let mut codecs: Vec<&'static str> = Vec::new();
                for part in &r.parts {
                    if let Ok(c) = kwire::batch::decode_header(&part.bytes).and_then(|h| h.codec())
                    {
                        if !codecs.contains(&c.name()) {
                            codecs.push(c.name());
                        }
                    }
                }
                (Some(r.req_id), Some(codecs.join("+")))
            }
            Payload::ProduceResponse(r) => (Some(r.req_id), None),
            _ => (None, None),
        };
        crate::network::WireTag { req_id, codec }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Produce(_) => "Produce",
            Payload::ProduceResponse(_) => "ProduceResponse",
            Payload::Fetch(_) => "Fetch",
            Payload::FetchResponse(_) => "FetchResponse",
            Payload::Connect { .. } => "Connect",
            Payload::ConnectAck { .. } => "ConnectResponse",
            Payload::RegistryRequest(r) => match r.kind {
                RegistryRequestKind::Register => "RegisterSchema",
                RegistryRequestKind::Lookup => "LookupSchema",
            },
            Payload::RegistryReply(_) => "RegistryResponse",
        }
    }
}

/// One partition's batch inside a ProduceRequest.
#[derive(Debug, Clone)]
pub(crate) struct ProducePart {
    pub tp: Tp,
    pub bytes: Arc<[u8]>,
    pub records: u32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    /// The producer's numbers of the batch's messages: bookkeeping for `crate::outcome`, not
    /// part of the request's bytes.
    pub msg_ids: MsgIds,
}

#[derive(Debug, Clone)]
pub(crate) struct ProduceRequest {
    pub req_id: u64,
    pub acks: i16,
    pub timeout_ms: u64,
    pub parts: Vec<ProducePart>,
}

#[derive(Debug, Clone)]
pub(crate) struct ProduceResponse {
    pub req_id: u64,
    pub results: Vec<PartitionResponse>,
}

/// One partition's answer in a ProduceResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartitionResponse {
    pub tp: Tp,
    /// The base offset, or the error.
    pub result: Result<i64, ErrorCode>,
    /// The broker's time for the batch when the topic uses `LogAppendTime`
    /// (`ProduceResponse.LogAppendTimeMs`, −1 in Kafka otherwise).
    pub log_append_time_ms: Option<i64>,
}

/// What the Python delivery callback `cb(err, msg)` receives (docs/kafka-sources.md §7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveryReport {
    pub msg_id: u64,
    /// `None` on success; else `err.name()` is `error.rdkafka_name()`, `err.code()` its code.
    pub error: Option<ErrorCode>,
    pub error_name: Option<String>,
    pub error_code: Option<i32>,
    pub topic: String,
    pub partition: u32,
    /// `msg.offset()`: `None` for acks=0 and failures.
    pub offset: Option<i64>,
    pub key: Option<String>,
    pub value: Option<String>,
    /// `msg.timestamp()`: the record's timestamp, or the broker's `LogAppendTime` where the topic
    /// uses it, and which of the two it is.
    #[serde(default)]
    pub timestamp_ms: i64,
    #[serde(default)]
    pub timestamp_type: TimestampKind,
    /// `msg.latency()` in µs: from produce() to the outcome.
    pub latency_us: u64,
    /// When the report became ready, and when poll()/flush() served it.
    pub ready_us: u64,
    pub served_us: Option<u64>,
}

/// What a delivery report's timestamp is (Python's `TIMESTAMP_CREATE_TIME` /
/// `TIMESTAMP_LOG_APPEND_TIME`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimestampKind {
    /// The producer's timestamp (the topic's `message.timestamp.type=CreateTime`).
    #[default]
    CreateTime,
    /// The leader's clock when it appended the batch (`LogAppendTime`).
    LogAppendTime,
}

/// A batch as a replica stores it (baseOffset and leader epoch patched by the leader).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredBatch {
    pub base_offset: i64,
    pub last_offset: i64,
    pub leader_epoch: i32,
    /// The batch's bytes; empty once the playground dropped them (`payload_dropped`).
    pub bytes: Arc<[u8]>,
    /// The batch's size in bytes, also after its payload was dropped.
    pub size_bytes: u32,
    pub codec: Codec,
    pub records: u32,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub max_timestamp_ms: i64,
    pub recompressed: bool,
    /// The producer's numbers of the batch's messages (bookkeeping beside the bytes, copied to
    /// followers with the batch): how `crate::outcome` tells one application message from
    /// another with the same content.
    pub(crate) msg_ids: MsgIds,
}

/// Leading batches of a segment whose headers were folded away (their record bytes were
/// dropped before): what is still known of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Folded {
    pub batches: u64,
    pub records: u64,
    pub size_bytes: u64,
    /// The offset after the last folded batch (the segment's base offset when nothing is folded).
    pub end_offset: i64,
}

/// Follower → leader fetch for one partition.
#[derive(Debug, Clone)]
pub(crate) struct FetchRequest {
    pub tp: Tp,
    pub fetch_offset: i64,
    /// The epoch the follower believes the leader has (`currentLeaderEpoch`).
    pub leader_epoch: i32,
    /// The epoch of the follower's last batch (`lastFetchedEpoch`, KIP-595), `None` for an
    /// empty log: the leader checks that the follower's log does not diverge from its own.
    pub last_fetched_epoch: Option<i32>,
    pub gen: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct FetchResponse {
    pub tp: Tp,
    pub gen: u64,
    /// The leader's log start offset (`LogStartOffset` of the partition's response; the
    /// follower also uses it where Kafka's would ask with a ListOffsets request after
    /// `OFFSET_OUT_OF_RANGE`, `AbstractFetcherThread.fetchOffsetAndTruncate`).
    pub log_start_offset: i64,
    pub result: Result<FetchData, ErrorCode>,
}

/// `UNDEFINED_EPOCH` of Kafka's protocol.
pub const UNDEFINED_EPOCH: i32 = -1;
/// `UNDEFINED_EPOCH_OFFSET` of Kafka's protocol.
pub const UNDEFINED_EPOCH_OFFSET: i64 = -1;

/// Where an epoch ended, as `endOffsetFor` reports it (`epoch` may be an earlier epoch than the
/// one asked for: the largest known epoch not above it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEndOffset {
    pub epoch: i32,
    pub end_offset: i64,
}

/// A successful fetch: batches from the fetch offset, the leader's high watermark, or, instead of
/// data, where the follower's log diverges from the leader's.
#[derive(Debug, Clone)]
pub(crate) struct FetchData {
    pub batches: Vec<StoredBatch>,
    pub high_watermark: i64,
    /// `DivergingEpoch`: the follower's last fetched epoch ended earlier on the leader (or the
    /// leader never had it); the follower truncates and fetches again.
    pub diverging: Option<EpochEndOffset>,
    /// The fetch offset is in a run of batches whose headers the leader folded (the
    /// playground's memory rule, `PartitionLog`): what is known of them, up to `end_offset`.
    pub folded: Option<Folded>,
}

/// The controller's metadata of one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionMeta {
    pub replicas: Vec<u32>,
    pub leader: Option<u32>,
    pub leader_epoch: i32,
    pub isr: Vec<u32>,
}

/// What the controller tells a broker (see `controller.rs` for how fast).
#[derive(Debug, Clone)]
pub(crate) enum MetadataUpdate {
    /// A partition's replicas, leader, leader epoch and ISR (KRaft's `PartitionRecord` and
    /// `PartitionChangeRecord`): the broker becomes its leader or a follower of the leader.
    Partition { tp: Tp, meta: PartitionMeta },
    /// Only the ISR changed (after `AlterPartition`, or a fenced follower left it).
    Isr { tp: Tp, isr: Vec<u32> },
}

/// What a broker asks the controller.
#[derive(Debug, Clone)]
pub(crate) enum ControllerRequest {
    /// `AlterPartition` (KIP-497): the leader asks for a new ISR.
    AlterPartition {
        tp: Tp,
        isr: Vec<u32>,
        reason: String,
    },
    /// A restarted broker registers again (`BrokerRegistration`).
    Register { broker: u32 },
}
