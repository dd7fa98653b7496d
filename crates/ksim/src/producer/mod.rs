//! The producer state machine, following librdkafka 2.3 (docs/kafka-sources.md §4.2, §5.3, §7) or, with the
//! Java profile, the Java 3.6 client's accumulator and sender (§4.1).
//!
//! librdkafka: messages go to a per-partition queue; a partition is ready when it holds
//! `batch.num.messages` messages or `batch.size` bytes, when its oldest message waited `linger.ms`,
//! or during `flush()`. Each ProduceRequest carries ONE partition's batch. Requests are only built
//! while the link to the broker is idle (backpressure threshold 1, simplified to "the link is not
//! busy sending"). In flight: `max.in.flight` per broker, at most 5 per partition with idempotence.
//!
//! Java: records are appended to the partition's last open batch (capacity `batch.size`); a
//! partition is ready when its head batch is full, there is more than one batch, the head batch
//! is `linger.ms` old, or a flush is in progress; a ready broker gets ONE request with the head
//! batch of EVERY partition it leads (piggy-backing, docs/kafka-sources.md §4.1).
//!
//! Retries: retriable errors are retried after `retry.backoff.ms` (librdkafka: exponential up to
//! `retry.backoff.max.ms` with ±20 % seeded jitter; Java 3.6: constant). Without idempotence a
//! retried batch can land after later batches (A, C, B) and a lost ack duplicates records. With
//! idempotence the partition "drains" (waits for in-flight requests) and resends in sequence order;
//! an unexpected gap or expired message bumps the producer epoch (sequences restart at 0).
//!
//! The node: `produce()`, `poll()`, `flush_start()` are the application's calls; `handle()` takes
//! timers, responses, connection resets and metadata; `poll_output()` hands the driver what to
//! do. Where the clients differ, the producer asks its [`client::Client`]. Modules: `batching`
//! (cutting batches on real bytes), `send_loop` (building requests), `outcome` (responses,
//! retries, epoch bumps, expiry, delivery reports).
//!
//! SIMPLIFICATIONS: a retried batch is resent with the same records (librdkafka may re-batch
//! non-idempotent retries); the producer id comes from the cluster instantly at creation (no
//! InitProducerId round trip); metadata is refreshed (one round trip, reading the controller's
//! current view) only after errors, timeouts or resets; topics are known to the producer as soon
//! as they are created; `poll()` never blocks; delivery reports keep a text copy of key and value.

use crate::config::{Partitioner, ProducerSettings};
use crate::error::{ErrorCode, SimError};
use crate::log::LogEvent;
use crate::metrics::MetricsState;
use crate::network::PRODUCER;
use crate::node::{Ctx, Outbox, Output, Transmit, Waiter};
use crate::partitioner::{crc32_partition, murmur2_partition};
use crate::proto::{DeliveryReport, Payload, ProduceResponse, Tp};
mod batching;
mod client;
pub use client::batch_compression;
mod connection;
mod outcome;
mod send_loop;

use crate::rng::Rng;
use client::Client;
use connection::Connection;
use kwire::batch::HEADER_SIZE_BYTES;
use kwire::{Codec, Record};
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub id: u64,
    pub record: Record,
    pub enqueued_us: u64,
    pub size_bytes: usize,
    pub held_bytes: usize,
    /// Logged one by one (`ProduceCalled`, `DeliveryReport`; `LogOptions::per_message` and
    /// the loop's cap, `sim::LOOP_LOGGED_MESSAGES`); its report object is kept for the view.
    pub logged: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct PBatch {
    pub tp: Tp,
    /// Message metadata; the records themselves were moved into `records` (same order).
    pub msgs: Vec<Msg>,
    pub records: Vec<Record>,
    pub bytes: Arc<[u8]>,
    pub codec: Codec,
    pub base_sequence: i32,
    pub producer_epoch: i16,
    pub retries_used: u32,
    pub attempts: u32,
    pub next_try_us: u64,
    /// The last error left it unknown whether the broker wrote the batch.
    pub possibly_persisted: Option<ErrorCode>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct PartQ {
    pub queue: VecDeque<Msg>,
    pub queue_bytes: usize,
    pub retry: VecDeque<PBatch>,
    pub inflight: u32,
    pub next_seq: i32,
    /// The sequence the next acknowledged batch starts with (librdkafka `next_ack_seq`).
    pub next_ack_seq: i32,
    pub draining: bool,
}

/// The topic a `produce()` names: one the producer knows (by index), or one it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopicRef<'a> {
    Known(u32),
    Unknown(&'a str),
}

/// A message waiting for metadata about its topic.
#[derive(Debug, Clone)]
pub(crate) struct AwaitingMsg {
    pub topic: String,
    /// The partition `produce()` asked for, if any.
    pub partition: Option<u32>,
    pub msg: Msg,
}

/// Where records without a key go for now (docs/kafka-sources.md §3, partitioner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StickyPartition {
    partition: u32,
    /// librdkafka: until `sticky.partitioning.linger.ms` after it was chosen.
    until_us: u64,
    /// Java: bytes sent to it so far (it switches after `batch.size`).
    bytes: usize,
}

/// What idempotent recovery allows a partition now (see [`Producer::recovery`]).
enum Recovery {
    /// Not recovering: retries and new batches may go.
    Normal,
    /// Recovering: nothing may go now.
    Waiting,
    /// Recovering: this retry batch goes alone.
    Resend(PBatch),
}

#[derive(Debug, Clone)]
pub(crate) struct Inflight {
    pub broker: u32,
    pub batches: Vec<PBatch>,
    pub sent_us: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct FlushState {
    pub id: u64,
    /// The application loop blocked in this `flush()` (a synchronous `produce_many`).
    pub owner: Option<Waiter>,
}

#[derive(Debug, Clone)]
pub(crate) struct Producer {
    pub settings: ProducerSettings,
    pub producer_id: i64,
    pub producer_epoch: i16,
    next_msg_id: u64,
    next_req_id: u64,
    pub parts: BTreeMap<Tp, PartQ>,
    pub inflight: BTreeMap<u64, Inflight>,
    /// Responses that arrived before the response of an older request on the same connection.
    held: BTreeMap<u64, ProduceResponse>,
    pub broker_inflight: BTreeMap<u32, u32>,
    pub leaders: BTreeMap<Tp, Option<u32>>,
    pub ready_reports: VecDeque<DeliveryReport>,
    ready_bytes: VecDeque<usize>,
    /// Logged reports among the ready ones (a `ReportsServed` entry is written when any is served).
    ready_logged: u64,
    pub served_reports: VecDeque<DeliveryReport>,
    pub held_msgs: u64,
    pub held_bytes: u64,
    pub flush: Option<FlushState>,
    next_flush_id: u64,
    wake_at: Option<u64>,
    pub metadata_pending: bool,
    /// The next wait between leader queries while a leader is unknown or unreachable.
    leader_query_backoff_ms: u64,
    /// The connection to each broker that was ever lost (the others are up).
    pub conns: BTreeMap<u32, Connection>,
    /// The sticky partition of each topic for records without a key.
    sticky: BTreeMap<u32, StickyPartition>,
    pub need_bump: bool,
    /// A fatal error was raised (its text, naming the cause): nothing more can be produced.
    pub fatal: Option<String>,
    /// Application loops blocked in `poll(1)` after a BufferError.
    pub poll_waiters: Vec<Waiter>,
    /// Messages for topics the producer's metadata does not know yet.
    pub awaiting: Vec<AwaitingMsg>,
    /// When the producer first named each topic it is waiting for (librdkafka's
    /// `rkt_ts_create`). Bounded by the distinct topic names a scenario produces to.
    unknown_topic_since_us: BTreeMap<String, u64>,
    /// Topics a Metadata response said do not exist once `topic.metadata.propagation.max.ms`
    /// had passed: `produce()` to them fails at once with `_UNKNOWN_TOPIC`.
    nonexistent_topics: BTreeSet<String>,
    /// What librdkafka and the Java client do differently, with the Java accumulator's state.
    pub client: Client,
    /// The producer's own random stream (partitioner, backoff jitter), see [`Rng::stream`].
    rng: Rng,
    /// When the socket to each broker has written its last request (the link's bandwidth
    /// drains it): librdkafka builds no new ProduceRequest for a broker before that.
    socket_busy_until_us: BTreeMap<u32, u64>,
    /// Counters for the metrics (the brokers keep their own).
    pub stats: MetricsState,
    out: Outbox<ProducerTimer>,
}

/// The producer's timers, each with the reason it exists (shown in "Coming up").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProducerTimer {
    /// Linger, retry backoff, socket backpressure or `message.timeout.ms` runs out.
    Wake,
    /// `socket.timeout.ms` for one request (librdkafka: `_TIMED_OUT` if still unanswered).
    RequestTimeout { req_id: u64 },
    /// The Metadata response arrives (one round trip after the request).
    MetadataResponse,
    /// `flush(timeout)` gives up.
    FlushTimeout { flush_id: u64 },
    /// The next connection attempt to a broker may start (reconnect backoff).
    Reconnect { broker: u32 },
    /// `socket.connection.setup.timeout.ms` for one connection attempt.
    ConnectTimeout { broker: u32, attempt: u64 },
}

impl ProducerTimer {
    /// Why the timer exists, in words.
    pub fn reason(&self) -> String {
        match self {
            ProducerTimer::Wake => "producer checks linger, retry backoff and timeouts".into(),
            ProducerTimer::RequestTimeout { req_id } => {
                format!("request #{req_id} times out if still unanswered (socket.timeout.ms)")
            }
            ProducerTimer::MetadataResponse => "producer receives fresh metadata".into(),
            ProducerTimer::FlushTimeout { .. } => "flush() gives up (timeout)".into(),
            ProducerTimer::Reconnect { broker } => {
                format!("producer reconnects to broker {broker} (reconnect.backoff.ms)")
            }
            ProducerTimer::ConnectTimeout { broker, .. } => format!(
                "connecting to broker {broker} gives up if unanswered (socket.connection.setup.timeout.ms)"
            ),
        }
    }
}

/// What the producer is told: a timer fired, a response arrived, its connection was reset, or
/// the cluster's metadata answered. Application calls (`produce()`, `poll()`, `flush()`) are
/// methods, as in quinn-proto's connection API.
#[derive(Debug, Clone)]
pub(crate) enum ProducerInput {
    Timer(ProducerTimer),
    Response {
        broker: u32,
        resp: ProduceResponse,
    },
    /// The connection to a broker broke: the broker reset it (it crashed) or refused a
    /// request or a connection attempt (it is down).
    ConnectionLost {
        broker: u32,
        reason: &'static str,
    },
    /// A broker answered connection attempt `attempt` (its ApiVersions response).
    Connected {
        broker: u32,
        attempt: u64,
    },
    /// The leaders the controller's metadata names (the Metadata response).
    Metadata {
        leaders: BTreeMap<Tp, Option<u32>>,
    },
}

/// Size of a record inside a batch (docs/kafka-sources.md §1.4), for `batch.size` accounting.
pub(crate) fn record_size_bytes(r: &Record) -> usize {
    use kwire::varint::varint_len;
    let kl = r.key.as_ref().map(|k| k.len()).unwrap_or(0);
    let vl = r.value.as_ref().map(|v| v.len()).unwrap_or(0);
    let mut body = 1 + 2 + 2;
    body += varint_len(r.key.as_ref().map(|k| k.len() as i32).unwrap_or(-1)) + kl;
    body += varint_len(r.value.as_ref().map(|v| v.len() as i32).unwrap_or(-1)) + vl;
    body += varint_len(r.headers.len() as i32);
    for h in &r.headers {
        body += varint_len(h.key.len() as i32) + h.key.len();
        body += varint_len(h.value.as_ref().map(|v| v.len() as i32).unwrap_or(-1));
        body += h.value.as_ref().map(|v| v.len()).unwrap_or(0);
    }
    body + varint_len(body as i32)
}

fn text(b: &Option<Vec<u8>>) -> Option<String> {
    b.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())
}

impl Producer {
    pub fn new(settings: ProducerSettings, producer_id: i64, seed: u64) -> Producer {
        Producer {
            client: Client::new(settings.profile),
            producer_id: if settings.enable_idempotence {
                producer_id
            } else {
                -1
            },
            producer_epoch: if settings.enable_idempotence { 0 } else { -1 },
            settings,
            next_msg_id: 0,
            next_req_id: 0,
            parts: BTreeMap::new(),
            inflight: BTreeMap::new(),
            held: BTreeMap::new(),
            broker_inflight: BTreeMap::new(),
            leaders: BTreeMap::new(),
            ready_reports: VecDeque::new(),
            ready_bytes: VecDeque::new(),
            ready_logged: 0,
            served_reports: VecDeque::new(),
            held_msgs: 0,
            held_bytes: 0,
            flush: None,
            next_flush_id: 0,
            wake_at: None,
            metadata_pending: false,
            leader_query_backoff_ms: 0,
            conns: BTreeMap::new(),
            sticky: BTreeMap::new(),
            need_bump: false,
            fatal: None,
            poll_waiters: Vec::new(),
            awaiting: Vec::new(),
            unknown_topic_since_us: BTreeMap::new(),
            nonexistent_topics: BTreeSet::new(),
            rng: Rng::stream(seed, "producer"),
            socket_busy_until_us: BTreeMap::new(),
            stats: MetricsState::default(),
            out: Outbox::default(),
        }
    }

    /// The next thing the driver must do for this producer, in the order queued.
    pub fn poll_output(&mut self) -> Option<Output<ProducerTimer>> {
        self.out.pop()
    }

    /// Handles one input at `cx.now_us`.
    pub fn handle(&mut self, cx: &Ctx, input: ProducerInput) {
        match input {
            ProducerInput::Timer(ProducerTimer::Wake) => self.wake(cx),
            ProducerInput::Timer(ProducerTimer::RequestTimeout { req_id }) => {
                self.request_failed(cx, req_id, ErrorCode::TimedOut)
            }
            ProducerInput::Timer(ProducerTimer::MetadataResponse) => {
                // The response carries the leaders; the driver sends `Metadata` right after.
            }
            ProducerInput::Timer(ProducerTimer::FlushTimeout { flush_id }) => {
                self.flush_timeout(flush_id)
            }
            ProducerInput::Response { broker, resp } => self.handle_response(cx, broker, resp),
            ProducerInput::ConnectionLost { broker, reason } => {
                self.connection_lost(cx, broker, reason);
                self.serve(cx);
            }
            ProducerInput::Connected { broker, attempt } => self.connected(cx, broker, attempt),
            ProducerInput::Timer(ProducerTimer::Reconnect { broker }) => self.reconnect(cx, broker),
            ProducerInput::Timer(ProducerTimer::ConnectTimeout { broker, attempt }) => {
                self.connect_timeout(cx, broker, attempt)
            }
            ProducerInput::Metadata { leaders } => self.metadata_refreshed(cx, leaders),
        }
    }

    /// Metadata for a topic created while the producer runs (SIMPLIFICATION: known at once).
    pub fn learn_leader(&mut self, tp: Tp, leader: Option<u32>) {
        self.leaders.insert(tp, leader);
    }

    /// The application loop `waiter` blocks in `poll(1)` after a `BufferError`: the next
    /// delivery report is served at once and the loop resumes ([`Output::Resume`]).
    pub fn block_in_poll(&mut self, waiter: Waiter) {
        self.poll_waiters.push(waiter);
    }

    /// Whether a timer still means something (a request timeout of an answered request does
    /// not), for "Coming up".
    pub fn timer_live(&self, t: &ProducerTimer) -> bool {
        match t {
            ProducerTimer::RequestTimeout { req_id } => self.inflight.contains_key(req_id),
            _ => true,
        }
    }

    fn log(&mut self, event: LogEvent) {
        self.out.log(event);
    }

    fn timer(&mut self, at_us: u64, timer: ProducerTimer) {
        self.out.timer(at_us, timer);
    }

    fn socket_busy_until_us(&self, broker: u32) -> u64 {
        self.socket_busy_until_us.get(&broker).copied().unwrap_or(0)
    }

    /// Writes a request to the broker's socket (the network decides its fate).
    fn transmit(
        &mut self,
        cx: &Ctx,
        broker: u32,
        payload: Payload,
        size_bytes: usize,
        detail: String,
    ) {
        let busy = self.socket_busy_until_us.entry(broker).or_default();
        *busy = (*busy).max(cx.now_us) + cx.net.tx_time_us(PRODUCER, broker, size_bytes);
        self.out.transmit(Transmit {
            from: PRODUCER,
            to: broker,
            payload,
            size_bytes,
            detail,
        });
    }

    /// Messages not yet delivered or whose report was not served (`len(producer)`).
    pub fn outq_len(&self) -> u64 {
        self.held_msgs
    }

    /// Whether nothing is queued, batched or in flight.
    pub fn idle(&self) -> bool {
        self.awaiting.is_empty()
            && self.inflight.is_empty()
            && self
                .parts
                .values()
                .all(|p| p.queue.is_empty() && p.retry.is_empty())
    }

    /// Picks the partition (docs/kafka-sources.md §3, partitioner).
    fn partition_for(
        &mut self,
        cx: &Ctx,
        topic: u32,
        partitions: u32,
        key: &Option<Vec<u8>>,
    ) -> u32 {
        let k = key.as_deref().unwrap_or(&[]);
        let sticky_random = |this: &mut Producer, cx: &Ctx| {
            let now = cx.now_us;
            let batch_size = this.settings.batch_size_bytes;
            match this.sticky.get(&topic).copied() {
                Some(s)
                    if s.partition < partitions
                        && this
                            .client
                            .sticky_holds(now, s.until_us, s.bytes, batch_size) =>
                {
                    s.partition
                }
                _ => {
                    let partition = this.rng.below(partitions as u64) as u32;
                    let until_us = now + this.settings.sticky_linger_ms * 1000;
                    this.sticky.insert(
                        topic,
                        StickyPartition {
                            partition,
                            until_us,
                            bytes: 0,
                        },
                    );
                    partition
                }
            }
        };
        let s = &self.settings;
        if s.partitioner == Partitioner::JavaBuiltIn {
            // Java 3.6 (KIP-794): murmur2 of the key, sticky without one or with
            // partitioner.ignore.keys.
            return if key.is_none() || s.ignore_keys {
                sticky_random(self, cx)
            } else {
                murmur2_partition(k, partitions)
            };
        }
        // librdkafka `rd_kafka_msg_partitioner`: records without a key (or with an empty one
        // under consistent_random) take the sticky partition, unless sticky partitioning is off
        // (sticky.partitioning.linger.ms = 0) or the partitioner always hashes; everything else
        // goes through the partitioner, so `random` picks anew for every keyed record.
        let sticky_on = s.sticky_linger_ms > 0
            && !matches!(
                s.partitioner,
                Partitioner::Consistent | Partitioner::Murmur2
            );
        let keyless =
            key.is_none() || (k.is_empty() && s.partitioner == Partitioner::ConsistentRandom);
        if sticky_on && keyless {
            return sticky_random(self, cx);
        }
        match s.partitioner {
            Partitioner::Consistent => crc32_partition(k, partitions),
            Partitioner::Murmur2 => murmur2_partition(k, partitions),
            Partitioner::ConsistentRandom if !k.is_empty() => crc32_partition(k, partitions),
            Partitioner::Murmur2Random if key.is_some() => murmur2_partition(k, partitions),
            _ => self.rng.below(partitions as u64) as u32,
        }
    }

    /// `produce()`: enqueue locally or fail with `_QUEUE_FULL` (Python `BufferError`). A message
    /// for a topic the producer does not know waits for metadata (it does not raise).
    pub fn produce(
        &mut self,
        cx: &Ctx,
        topic: TopicRef<'_>,
        partition: Option<u32>,
        record: Record,
        logged: bool,
    ) -> Result<(u64, u32), SimError> {
        if let Some(reason) = &self.fatal {
            return Err(SimError::Fatal(reason.clone()));
        }
        let size_bytes = record_size_bytes(&record);
        let held_bytes = record.key.as_ref().map(|k| k.len()).unwrap_or(0)
            + record.value.as_ref().map(|v| v.len()).unwrap_or(0);
        // librdkafka rejects a message larger than message.max.bytes in produce() itself
        // (MSG_SIZE_TOO_LARGE); Java checks max.request.size the same way (RecordTooLargeException,
        // simplified here to the same synchronous error).
        if size_bytes + HEADER_SIZE_BYTES > self.settings.message_max_bytes {
            return Err(SimError::MsgSizeTooLarge(format!(
                "Broker: Message size too large: {} bytes > message.max.bytes {}",
                size_bytes + HEADER_SIZE_BYTES,
                self.settings.message_max_bytes
            )));
        }
        if self.held_msgs + 1 > self.settings.queue_max_messages
            || self.held_bytes + held_bytes as u64
                > self.settings.queue_max_kbytes.saturating_mul(1024)
        {
            return Err(SimError::QueueFull);
        }
        if let (TopicRef::Known(t), Some(p)) = (topic, partition) {
            let partitions = cx.topics.get(t as usize).map_or(0, |t| t.spec.partitions);
            if p >= partitions {
                return Err(SimError::UnknownPartition(format!(
                    "partition {p} does not exist ({} has {partitions})",
                    cx.topic_name(Tp {
                        topic: t,
                        partition: 0
                    })
                )));
            }
        }
        if let TopicRef::Unknown(name) = topic {
            if self.nonexistent_topics.contains(name) {
                return Err(SimError::UnknownTopic(format!(
                    "{name} does not exist in the cluster"
                )));
            }
        }
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        self.held_msgs += 1;
        self.held_bytes += held_bytes as u64;
        self.stats.records_produced += 1;
        let msg = Msg {
            id,
            record,
            enqueued_us: cx.now_us,
            size_bytes,
            held_bytes,
            logged,
        };
        match topic {
            TopicRef::Known(topic) => Ok((id, self.place(cx, topic, partition, msg))),
            TopicRef::Unknown(topic_name) => {
                // librdkafka keeps it in the topic's unassigned queue until metadata knows the
                // topic (rd_kafka_msg_partitioner → UA partition); the Metadata request may make
                // the broker create it (auto.create.topics.enable).
                if logged {
                    self.log(LogEvent::ProduceAwaitingTopic {
                        msg_id: id,
                        topic: topic_name.to_string(),
                    });
                }
                self.unknown_topic_since_us
                    .entry(topic_name.to_string())
                    .or_insert(cx.now_us);
                self.awaiting.push(AwaitingMsg {
                    topic: topic_name.to_string(),
                    partition,
                    msg,
                });
                self.request_metadata(cx);
                Ok((id, partition.unwrap_or(0)))
            }
        }
    }

    /// Messages for topics the producer did not know get a partition once metadata names the
    /// topic; one that asked for a partition the topic lacks fails with `_UNKNOWN_PARTITION`.
    /// Metadata that still lacks the topic is believed once `topic.metadata.propagation.max.ms`
    /// has passed since the producer first named it: the topic is marked non-existent and its
    /// waiting messages fail with the response's `UNKNOWN_TOPIC_OR_PART`
    /// (`rd_kafka_topic_metadata_update` → `rd_kafka_topic_set_notexists` →
    /// `rd_kafka_topic_assign_uas`).
    fn place_awaiting(&mut self, cx: &Ctx) {
        self.nonexistent_topics
            .retain(|name| cx.topic_index(name).is_none());
        for a in std::mem::take(&mut self.awaiting) {
            match cx.topic_index(&a.topic) {
                Some(topic) => {
                    self.unknown_topic_since_us.remove(&a.topic);
                    let partitions = cx.topics[topic as usize].spec.partitions;
                    if a.partition.is_some_and(|p| p >= partitions) {
                        self.fail_awaiting(cx, a, ErrorCode::UnknownPartition);
                    } else {
                        self.place(cx, topic, a.partition, a.msg);
                    }
                }
                None if self.believes_missing(&a.topic, cx.now_us) => {
                    self.unknown_topic_since_us.remove(&a.topic);
                    self.nonexistent_topics.insert(a.topic.clone());
                    self.fail_awaiting(cx, a, ErrorCode::UnknownTopicOrPartition);
                }
                // The rest of a topic marked non-existent a moment ago in this same pass.
                None if self.nonexistent_topics.contains(&a.topic) => {
                    self.fail_awaiting(cx, a, ErrorCode::UnknownTopicOrPartition);
                }
                None => self.awaiting.push(a),
            }
        }
    }

    /// Whether metadata lacking `topic` is believed: `topic.metadata.propagation.max.ms` has
    /// passed since the producer first named it (librdkafka only; Java waits for the timeout).
    fn believes_missing(&self, topic: &str, now_us: u64) -> bool {
        match (
            self.settings.metadata_propagation_max_ms,
            self.unknown_topic_since_us.get(topic),
        ) {
            (Some(propagation_ms), Some(since_us)) => now_us >= since_us + propagation_ms * 1000,
            _ => false,
        }
    }

    /// Puts a message into its partition's queue: partitions it (unless `partition` was given;
    /// the caller has checked that the topic has it), logs it and serves the partition if it
    /// became ready. Returns the partition.
    fn place(&mut self, cx: &Ctx, topic: u32, partition: Option<u32>, msg: Msg) -> u32 {
        let partitions = cx
            .topics
            .get(topic as usize)
            .map_or(0, |t| t.spec.partitions);
        let partition = match partition {
            Some(p) => p,
            None => self.partition_for(cx, topic, partitions, &msg.record.key),
        };
        let size_bytes = msg.size_bytes;
        if let Some(s) = self.sticky.get_mut(&topic) {
            if s.partition == partition {
                s.bytes += size_bytes;
            }
        }
        let tp = Tp { topic, partition };
        let logged = msg.logged;
        if logged {
            self.log(LogEvent::ProduceCalled {
                msg_id: msg.id,
                topic: cx.topic_name(tp),
                partition,
                key: text(&msg.record.key),
                value_bytes: msg.record.value.as_ref().map(|v| v.len()).unwrap_or(0),
            });
        }
        let now = cx.now_us;
        let linger = self.settings.linger_us;
        self.client
            .append(tp, now, size_bytes, self.settings.batch_size_bytes);
        let pq = self.parts.entry(tp).or_default();
        let was_empty = pq.queue.is_empty();
        pq.queue.push_back(msg);
        pq.queue_bytes += size_bytes;
        if was_empty && logged {
            self.log(LogEvent::BatchOpened {
                topic: cx.topic_name(tp),
                partition,
                linger_deadline_us: now + linger,
            });
        }
        if !self.leaders.contains_key(&tp) {
            self.request_metadata(cx);
        }
        // Only this partition changed: serve fully if it became ready, otherwise make sure a
        // wake-up exists for its linger deadline (keeps produce() O(1) for big runs).
        let ready = self
            .parts
            .get(&tp)
            .and_then(|pq| self.queue_ready(tp, now, pq))
            .is_some();
        if ready || self.need_bump {
            self.serve(cx);
        } else if was_empty || self.client.rearms_on_every_append() {
            let deadline = self.client.linger_deadline(tp, now, linger);
            if self.wake_at.is_none_or(|cur| cur <= now || deadline < cur) {
                self.wake_at = Some(deadline);
                self.timer(deadline, ProducerTimer::Wake);
            }
        }
        partition
    }

    pub fn request_metadata(&mut self, cx: &Ctx) {
        if !self.metadata_pending {
            self.metadata_pending = true;
            let rtt = 2 * cx.net.latency_us(PRODUCER, 1);
            self.timer(cx.now_us + rtt, ProducerTimer::MetadataResponse);
        }
    }

    /// New metadata (the controller's view at arrival).
    pub fn metadata_refreshed(&mut self, cx: &Ctx, leaders: BTreeMap<Tp, Option<u32>>) {
        self.metadata_pending = false;
        let changed = leaders != self.leaders;
        self.leaders = leaders;
        if changed {
            let list = self
                .leaders
                .iter()
                .map(|(tp, l)| (cx.topic_name(*tp), tp.partition, *l))
                .collect();
            self.log(LogEvent::MetadataRefreshed { leaders: list });
        }
        self.place_awaiting(cx);
        let waiting = !self.awaiting.is_empty()
            || self.parts.iter().any(|(tp, p)| {
                (!p.queue.is_empty() || !p.retry.is_empty())
                    && self
                        .leaders
                        .get(tp)
                        .copied()
                        .flatten()
                        .is_none_or(|l| !self.conn_up(l))
            });
        if waiting {
            // The leader query: while a partition with messages has no reachable leader, ask
            // again after `retry.backoff.ms`, doubling up to `retry.backoff.max.ms`, ±20 %
            // (librdkafka `rd_kafka_metadata_leader_query_tmr_cb`).
            let s = &self.settings;
            let base = if self.leader_query_backoff_ms == 0 {
                s.retry_backoff_ms
            } else {
                (self.leader_query_backoff_ms * 2)
                    .min(s.retry_backoff_max_ms.max(s.retry_backoff_ms))
            };
            self.leader_query_backoff_ms = base;
            let wait_ms = base as f64 * (0.8 + 0.4 * self.rng.next_f64());
            self.metadata_pending = true;
            let at = cx.now_us + (wait_ms * 1000.0).round() as u64;
            self.timer(at, ProducerTimer::MetadataResponse);
        } else {
            self.leader_query_backoff_ms = 0;
        }
        self.serve(cx);
    }

    fn backoff_us(&mut self, retries_used: u32) -> u64 {
        let ms = self
            .client
            .backoff_ms(&self.settings, retries_used, &mut self.rng);
        (ms * 1000.0).round() as u64
    }
}

/// How many served reports the view keeps.
const SERVED_KEPT: usize = 2000;

impl Producer {
    /// Serves every ready delivery report (the callbacks run); frees their queue slots.
    pub fn serve_reports(&mut self, cx: &Ctx, by: &str) -> u32 {
        let mut n = 0u32;
        while let Some(bytes) = self.ready_bytes.pop_front() {
            self.held_msgs = self.held_msgs.saturating_sub(1);
            self.held_bytes = self.held_bytes.saturating_sub(bytes as u64);
            n += 1;
        }
        while let Some(mut r) = self.ready_reports.pop_front() {
            r.served_us = Some(cx.now_us);
            self.served_reports.push_back(r);
        }
        while self.served_reports.len() > SERVED_KEPT {
            self.served_reports.pop_front();
        }
        let logged = std::mem::take(&mut self.ready_logged);
        if n > 0 && logged > 0 {
            self.log(LogEvent::ReportsServed {
                count: n,
                by: by.into(),
            });
        }
        if self.flush.is_some() {
            self.check_flush();
        }
        n
    }

    /// `poll(0)`.
    pub fn poll(&mut self, cx: &Ctx) -> u32 {
        self.serve_reports(cx, "poll()")
    }

    /// `flush(timeout)`: linger is ignored until the queue is empty or the timeout expires.
    pub fn flush_start(&mut self, cx: &Ctx, timeout_us: Option<u64>, owner: Option<Waiter>) {
        let id = self.next_flush_id;
        self.next_flush_id += 1;
        self.flush = Some(FlushState { id, owner });
        self.log(LogEvent::FlushStarted {
            queued: self.held_msgs,
        });
        if let Some(t) = timeout_us {
            self.timer(cx.now_us + t, ProducerTimer::FlushTimeout { flush_id: id });
        }
        self.serve_reports(cx, "flush()");
        if self.flush.is_some() {
            self.serve(cx);
        }
    }

    fn check_flush(&mut self) {
        if self.held_msgs == 0 {
            self.end_flush();
        }
    }

    fn end_flush(&mut self) {
        if let Some(f) = self.flush.take() {
            self.log(LogEvent::FlushReturned {
                remaining: self.held_msgs,
            });
            if let Some(waiter) = f.owner {
                self.out.push(Output::Resume(waiter));
            }
        }
    }

    pub fn flush_timeout(&mut self, flush_id: u64) {
        if self.flush.as_ref().is_some_and(|f| f.id == flush_id) {
            self.end_flush();
        }
    }

    /// Applies new settings (a `SetProducerConfig` action). A change of idempotence restarts the
    /// idempotent state (new epoch), as a new producer instance would.
    pub fn set_settings(&mut self, cx: &Ctx, settings: ProducerSettings, producer_id: i64) {
        let idem_changed = settings.enable_idempotence != self.settings.enable_idempotence;
        self.settings = settings;
        if idem_changed {
            if self.settings.enable_idempotence {
                self.producer_id = producer_id;
                self.producer_epoch = 0;
            } else {
                self.producer_id = -1;
                self.producer_epoch = -1;
            }
            for pq in self.parts.values_mut() {
                pq.next_seq = 0;
            }
        }
        self.serve(cx);
    }
}
#[cfg(test)]
mod tests;
