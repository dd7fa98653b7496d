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
//! SIMPLIFICATIONS: a retried batch is resent with the same records (librdkafka may re-batch
//! non-idempotent retries); the producer id comes from the cluster instantly at creation (no
//! InitProducerId round trip); metadata is refreshed (one round trip, reading the controller's
//! current view) only after errors, timeouts or resets; topics are known to the producer as soon
//! as they are created; `poll()` never blocks; delivery reports keep a text copy of key and value.

use crate::config::{Partitioner, ProducerSettings};
use crate::error::{ErrorAction, ErrorCode, SimError};
use crate::log::{LogEvent, SealReason};
use crate::metrics::MetricsState;
use crate::network::PRODUCER;
use crate::node::{Ctx, Outbox, Output, Transmit, Waiter};
use crate::partitioner::{crc32_partition, murmur2_partition};
use crate::proto::{DeliveryReport, Payload, ProducePart, ProduceRequest, ProduceResponse, Tp};
use crate::rng::Rng;
use crate::scenario::ClientProfile;
use kwire::batch::HEADER_SIZE_BYTES;
use kwire::{BatchSpec, Codec, Compression, Record, SnappyFraming};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub id: u64,
    pub record: Record,
    pub enqueued_us: u64,
    pub size_bytes: usize,
    pub held_bytes: usize,
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
    /// Java: open batches as (created_us, record count, bytes).
    pub java_batches: VecDeque<(u64, usize, usize)>,
    pub retry: VecDeque<PBatch>,
    pub inflight: u32,
    pub next_seq: i32,
    pub draining: bool,
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
    pub served_reports: VecDeque<DeliveryReport>,
    pub held_msgs: u64,
    pub held_bytes: u64,
    pub flush: Option<FlushState>,
    next_flush_id: u64,
    wake_at: Option<u64>,
    pub metadata_pending: bool,
    sticky: BTreeMap<u32, (u32, u64, usize)>,
    pub need_bump: bool,
    /// Application loops blocked in `poll(1)` after a BufferError.
    pub poll_waiters: Vec<Waiter>,
    java_rr: BTreeMap<u32, usize>,
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
    /// The connection to a broker failed while this request was in flight (`_TRANSPORT`).
    ConnectionReset {
        req_id: u64,
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
            served_reports: VecDeque::new(),
            held_msgs: 0,
            held_bytes: 0,
            flush: None,
            next_flush_id: 0,
            wake_at: None,
            metadata_pending: false,
            sticky: BTreeMap::new(),
            need_bump: false,
            poll_waiters: Vec::new(),
            java_rr: BTreeMap::new(),
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
            ProducerInput::ConnectionReset { req_id } => {
                self.request_failed(cx, req_id, ErrorCode::Transport)
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

    fn java(&self) -> bool {
        self.settings.profile == ClientProfile::Java
    }

    /// Messages not yet delivered or whose report was not served (`len(producer)`).
    pub fn outq_len(&self) -> u64 {
        self.held_msgs
    }

    /// Whether nothing is queued, batched or in flight.
    pub fn idle(&self) -> bool {
        self.inflight.is_empty()
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
            let java = this.java();
            let until_bytes = this.settings.batch_size_bytes;
            let linger = this.settings.sticky_linger_ms * 1000;
            let entry = this.sticky.get(&topic).copied();
            match entry {
                Some((p, until, bytes))
                    if p < partitions
                        && ((!java && now < until) || (java && bytes < until_bytes)) =>
                {
                    p
                }
                _ => {
                    let p = this.rng.below(partitions as u64) as u32;
                    this.sticky.insert(topic, (p, now + linger, 0));
                    p
                }
            }
        };
        match self.settings.partitioner {
            Partitioner::Consistent => crc32_partition(k, partitions),
            Partitioner::Murmur2 => murmur2_partition(k, partitions),
            Partitioner::ConsistentRandom if !k.is_empty() => crc32_partition(k, partitions),
            Partitioner::Murmur2Random | Partitioner::JavaBuiltIn if !k.is_empty() => {
                murmur2_partition(k, partitions)
            }
            Partitioner::JavaBuiltIn if key.is_some() => murmur2_partition(k, partitions),
            Partitioner::Random if self.settings.sticky_linger_ms == 0 => {
                self.rng.below(partitions as u64) as u32
            }
            _ => sticky_random(self, cx),
        }
    }

    /// `produce()`: enqueue locally or fail with `_QUEUE_FULL` (Python `BufferError`).
    #[allow(clippy::too_many_arguments)]
    pub fn produce(
        &mut self,
        cx: &Ctx,
        topic: u32,
        partitions: u32,
        partition: Option<u32>,
        record: Record,
    ) -> Result<(u64, u32), SimError> {
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
        let partition = match partition {
            Some(p) if p < partitions => p,
            Some(p) => {
                return Err(SimError::UnknownTopicOrPartition(format!(
                    "partition {p} does not exist ({} has {partitions})",
                    cx.topics
                        .get(topic as usize)
                        .map(|t| t.spec.name.as_str())
                        .unwrap_or("?")
                )))
            }
            None => self.partition_for(cx, topic, partitions, &record.key),
        };
        if let Some(s) = self.sticky.get_mut(&topic) {
            if s.0 == partition {
                s.2 += size_bytes;
            }
        }
        let tp = Tp { topic, partition };
        let id = self.next_msg_id;
        self.next_msg_id += 1;
        self.held_msgs += 1;
        self.held_bytes += held_bytes as u64;
        self.stats.records_produced += 1;
        if cx.log.per_message {
            self.log(LogEvent::ProduceCalled {
                msg_id: id,
                topic: cx.topic_name(tp),
                partition,
                key: text(&record.key),
                value_bytes: record.value.as_ref().map(|v| v.len()).unwrap_or(0),
            });
        }
        let now = cx.now_us;
        let java = self.java();
        let cap = self.settings.batch_size_bytes;
        let linger = self.settings.linger_us;
        let pq = self.parts.entry(tp).or_default();
        let was_empty = pq.queue.is_empty();
        if java {
            match pq.java_batches.back_mut() {
                Some(last) if last.2 + size_bytes <= cap => {
                    last.1 += 1;
                    last.2 += size_bytes;
                }
                _ => pq
                    .java_batches
                    .push_back((now, 1, HEADER_SIZE_BYTES + size_bytes)),
            }
        }
        pq.queue.push_back(Msg {
            id,
            record,
            enqueued_us: now,
            size_bytes,
            held_bytes,
        });
        pq.queue_bytes += size_bytes;
        if was_empty && cx.log.per_message {
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
            .and_then(|pq| self.queue_ready(now, pq))
            .is_some();
        if ready || self.need_bump {
            self.serve(cx);
        } else if was_empty || java {
            let deadline = if java {
                self.parts
                    .get(&tp)
                    .and_then(|pq| pq.java_batches.front())
                    .map(|b| b.0 + linger)
                    .unwrap_or(now + linger)
            } else {
                now + linger
            };
            if self.wake_at.is_none_or(|cur| cur <= now || deadline < cur) {
                self.wake_at = Some(deadline);
                self.timer(deadline, ProducerTimer::Wake);
            }
        }
        Ok((id, partition))
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
        let waiting = self.parts.iter().any(|(tp, p)| {
            (!p.queue.is_empty() || !p.retry.is_empty())
                && self.leaders.get(tp).copied().flatten().is_none()
        });
        if waiting {
            // topic.metadata.refresh.fast.interval.ms = 100 while a leader is unknown.
            self.metadata_pending = true;
            self.timer(cx.now_us + 100_000, ProducerTimer::MetadataResponse);
        }
        self.serve(cx);
    }

    fn backoff_us(&mut self, retries_used: u32) -> u64 {
        let base = self.settings.retry_backoff_ms as f64;
        let ms = if self.java() {
            base
        } else {
            let exp = base * 2f64.powi(retries_used.saturating_sub(1).min(30) as i32);
            let capped = exp.min(self.settings.retry_backoff_max_ms as f64);
            // ±20 % jitter (KIP-580), seeded.
            capped * (0.8 + 0.4 * self.rng.next_f64())
        };
        (ms * 1000.0).round() as u64
    }

    /// Builds the next batch of a partition from its queue (up to the count and byte limits).
    fn build_batch(
        &mut self,
        cx: &Ctx,
        tp: Tp,
        reason: SealReason,
        java_count: Option<usize>,
    ) -> Option<PBatch> {
        let s = &self.settings;
        let max_count = java_count.unwrap_or(s.batch_num_messages as usize).max(1);
        let max_bytes = s.batch_size_bytes.min(s.message_max_bytes).max(1);
        let idem = s.enable_idempotence;
        let java = s.profile == ClientProfile::Java;
        let pq = self.parts.get_mut(&tp)?;
        let mut msgs = Vec::new();
        let mut bytes = HEADER_SIZE_BYTES;
        while let Some(m) = pq.queue.front() {
            if !msgs.is_empty()
                && (msgs.len() >= max_count
                    || (java_count.is_none() && bytes + m.size_bytes > max_bytes))
            {
                break;
            }
            bytes += m.size_bytes;
            pq.queue_bytes -= m.size_bytes;
            msgs.push(pq.queue.pop_front()?);
        }
        if java {
            pq.java_batches.pop_front();
        }
        if msgs.is_empty() {
            return None;
        }
        let base_sequence = if idem { pq.next_seq } else { -1 };
        if idem {
            pq.next_seq = pq.next_seq.wrapping_add(msgs.len() as i32);
        }
        let spec = self.batch_spec(base_sequence);
        let records: Vec<Record> = msgs
            .iter_mut()
            .map(|m| std::mem::take(&mut m.record))
            .collect();
        let enc = match kwire::encode_batch(&spec, &records) {
            Ok(e) => e,
            Err(_) => {
                let b = PBatch {
                    tp,
                    msgs,
                    records,
                    bytes: Arc::from(Vec::new()),
                    codec: Codec::None,
                    base_sequence,
                    producer_epoch: self.producer_epoch,
                    retries_used: 0,
                    attempts: 0,
                    next_try_us: 0,
                    possibly_persisted: None,
                };
                self.fail_batch(cx, b, ErrorCode::InvalidRecord);
                return None;
            }
        };
        self.stats.batches += 1;
        self.stats.bytes_uncompressed += enc.uncompressed_records_bytes as u64;
        self.stats.bytes_batches += enc.bytes.len() as u64;
        let totals = self.stats.by_codec.entry(enc.codec.name()).or_default();
        totals.batches += 1;
        totals.records_bytes += enc.uncompressed_records_bytes as u64;
        totals.batch_bytes += enc.bytes.len() as u64;
        self.log(LogEvent::BatchSealed {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            records: msgs.len() as u32,
            reason,
            size_bytes: enc.bytes.len(),
            uncompressed_bytes: enc.uncompressed_records_bytes,
            codec: enc.codec.name().into(),
            base_sequence,
        });
        Some(PBatch {
            tp,
            msgs,
            records,
            bytes: Arc::from(enc.bytes),
            codec: enc.codec,
            base_sequence,
            producer_epoch: self.producer_epoch,
            retries_used: 0,
            attempts: 0,
            next_try_us: 0,
            possibly_persisted: None,
        })
    }

    /// The header and codec this client writes (docs/kafka-sources.md §1.1, §2.1–2.2): Java frames snappy
    /// the xerial way, writes partitionLeaderEpoch −1 and always keeps the configured codec;
    /// librdkafka writes raw snappy, epoch 0, and sends a batch uncompressed when compressing
    /// would not make it smaller.
    fn batch_spec(&self, base_sequence: i32) -> BatchSpec {
        let java = self.java();
        BatchSpec {
            producer_id: self.producer_id,
            producer_epoch: self.producer_epoch,
            base_sequence,
            partition_leader_epoch: if java { -1 } else { 0 },
            transactional: false,
            compression: Compression {
                codec: self.settings.compression,
                level: self.settings.compression_level,
                snappy_framing: if java {
                    SnappyFraming::Xerial
                } else {
                    SnappyFraming::Raw
                },
                skip_if_larger: !java,
            },
        }
    }

    /// Re-encodes a batch after an epoch bump (new epoch and sequence in the header).
    fn reencode(&self, b: &mut PBatch, base_sequence: i32) {
        let spec = self.batch_spec(base_sequence);
        if let Ok(enc) = kwire::encode_batch(&spec, &b.records) {
            b.bytes = Arc::from(enc.bytes);
            b.codec = enc.codec;
        }
        b.base_sequence = base_sequence;
        b.producer_epoch = self.producer_epoch;
    }

    fn can_send_to(&self, cx: &Ctx, broker: u32) -> bool {
        let n = self.broker_inflight.get(&broker).copied().unwrap_or(0);
        n < self.settings.max_in_flight
            && (self.java() || self.socket_busy_until_us(broker) <= cx.now_us)
    }

    fn part_window_open(&self, pq: &PartQ) -> bool {
        let s = &self.settings;
        if s.enable_idempotence {
            pq.inflight < 5 && !pq.draining
        } else if self.java() && s.max_in_flight == 1 {
            pq.inflight == 0
        } else {
            true
        }
    }

    /// Whether a partition's queue is ready and why (docs/kafka-sources.md §4.2 for librdkafka, §4.1 for Java).
    fn queue_ready(&self, now: u64, pq: &PartQ) -> Option<SealReason> {
        let s = &self.settings;
        if self.java() {
            let head = pq.java_batches.front()?;
            if self.flush.is_some() {
                return Some(SealReason::Flush);
            }
            if pq.java_batches.len() > 1 || head.2 >= s.batch_size_bytes {
                return Some(SealReason::Full);
            }
            if now >= head.0 + s.linger_us {
                return Some(SealReason::Linger);
            }
            return None;
        }
        let oldest = pq.queue.front()?;
        if pq.queue.len() >= s.batch_num_messages as usize {
            Some(SealReason::Count)
        } else if pq.queue_bytes >= s.batch_size_bytes.min(s.message_max_bytes) {
            Some(SealReason::Full)
        } else if self.flush.is_some() {
            Some(SealReason::Flush)
        } else if now >= oldest.enqueued_us + s.linger_us {
            Some(SealReason::Linger)
        } else {
            None
        }
    }

    /// The send loop: expire, bump epoch if needed, build and send requests, schedule the next
    /// wake-up.
    pub fn serve(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        self.expire(cx);
        if self.need_bump && self.inflight.is_empty() {
            self.bump_epoch(cx);
        }
        if !self.need_bump {
            if self.java() {
                self.serve_java(cx);
            } else {
                self.serve_rdk(cx);
            }
        }
        // Next wake-up.
        let mut next: Option<u64> = None;
        let mut consider = |t: u64| {
            if t > now {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        let timeout_us = self.settings.message_timeout_ms * 1000;
        for (tp, pq) in &self.parts {
            let leader = self.leaders.get(tp).copied().flatten();
            if let Some(m) = pq.queue.front() {
                if self.java() {
                    if let Some(h) = pq.java_batches.front() {
                        consider(h.0 + self.settings.linger_us);
                    }
                } else {
                    consider(m.enqueued_us + self.settings.linger_us);
                }
                if timeout_us > 0 {
                    consider(m.enqueued_us + timeout_us);
                }
                if let Some(l) = leader {
                    consider(self.socket_busy_until_us(l));
                }
            }
            if let Some(b) = pq.retry.front() {
                consider(b.next_try_us);
                if timeout_us > 0 {
                    if let Some(m) = b.msgs.first() {
                        consider(m.enqueued_us + timeout_us);
                    }
                }
            }
        }
        if let Some(t) = next {
            if self.wake_at.is_none_or(|cur| cur <= now || t < cur) {
                self.wake_at = Some(t);
                self.timer(t, ProducerTimer::Wake);
            }
        }
    }

    pub fn wake(&mut self, cx: &Ctx) {
        if self.wake_at.is_some_and(|t| t <= cx.now_us) {
            self.wake_at = None;
        }
        self.serve(cx);
    }

    fn serve_rdk(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            let Some(leader) = self.leaders.get(&tp).copied().flatten() else {
                continue;
            };
            loop {
                if !self.can_send_to(cx, leader) {
                    break;
                }
                if self.recovery_step(cx, tp, leader, now) {
                    break;
                }
                let Some(pq) = self.parts.get(&tp) else { break };
                // Without idempotence, retries go first, in order, beside new batches.
                if let Some(rb) = pq.retry.front() {
                    if rb.next_try_us > now {
                        break;
                    }
                    let Some(pq) = self.parts.get_mut(&tp) else {
                        break;
                    };
                    let Some(b) = pq.retry.pop_front() else { break };
                    self.send(cx, leader, vec![b], true);
                    continue;
                }
                if !self.part_window_open(pq) {
                    break;
                }
                let Some(reason) = self.queue_ready(now, pq) else {
                    break;
                };
                let Some(b) = self.build_batch(cx, tp, reason, None) else {
                    break;
                };
                self.send(cx, leader, vec![b], false);
            }
        }
    }

    /// Idempotent recovery (docs/kafka-sources.md §5.3): after a retriable error the partition drains (waits
    /// for its in-flight requests), then resends its retry batches one at a time, in sequence
    /// order, before any new batch (Java: only the first in-flight sequence is re-drained), so a
    /// retried batch always stays inside the broker's 5-batch window. Returns true while the
    /// partition is recovering (the caller must not send new batches).
    fn recovery_step(&mut self, cx: &Ctx, tp: Tp, leader: u32, now: u64) -> bool {
        if !self.settings.enable_idempotence {
            return false;
        }
        let Some(pq) = self.parts.get_mut(&tp) else {
            return true;
        };
        if pq.draining && pq.retry.is_empty() && pq.inflight == 0 {
            pq.draining = false;
        }
        if !pq.draining && pq.retry.is_empty() {
            return false;
        }
        pq.draining = true;
        if pq.inflight == 0 && pq.retry.front().is_some_and(|b| b.next_try_us <= now) {
            if let Some(b) = pq.retry.pop_front() {
                self.send(cx, leader, vec![b], true);
            }
        }
        true
    }

    fn serve_java(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        let mut by_broker: BTreeMap<u32, Vec<Tp>> = BTreeMap::new();
        for (tp, l) in &self.leaders {
            if let Some(l) = l {
                if self.parts.contains_key(tp) {
                    by_broker.entry(*l).or_default().push(*tp);
                }
            }
        }
        for (broker, tps) in by_broker {
            loop {
                if !self.can_send_to(cx, broker) {
                    break;
                }
                // Is any partition of this broker ready?
                let mut any_ready = false;
                for tp in &tps {
                    let Some(pq) = self.parts.get(tp) else {
                        continue;
                    };
                    let idem = self.settings.enable_idempotence;
                    if idem && (pq.draining || !pq.retry.is_empty()) {
                        if pq.inflight == 0
                            && pq.retry.front().is_some_and(|b| b.next_try_us <= now)
                        {
                            any_ready = true;
                        }
                    } else if let Some(rb) = pq.retry.front() {
                        if rb.next_try_us <= now {
                            any_ready = true;
                        }
                    } else if self.part_window_open(pq) && self.queue_ready(now, pq).is_some() {
                        any_ready = true;
                    }
                }
                if !any_ready {
                    break;
                }
                // Drain: head batch of every partition of the broker (round robin start).
                let start = self.java_rr.get(&broker).copied().unwrap_or(0) % tps.len().max(1);
                self.java_rr.insert(broker, start + 1);
                let mut batches = Vec::new();
                let mut size = 0usize;
                let mut retry = false;
                for i in 0..tps.len() {
                    let tp = tps[(start + i) % tps.len()];
                    if self.settings.enable_idempotence {
                        // Recovery (see `recovery_step`): only the first retry, alone in flight.
                        let Some(pq) = self.parts.get_mut(&tp) else {
                            continue;
                        };
                        if pq.draining && pq.retry.is_empty() && pq.inflight == 0 {
                            pq.draining = false;
                        }
                        if pq.draining || !pq.retry.is_empty() {
                            pq.draining = true;
                            if pq.inflight == 0
                                && pq.retry.front().is_some_and(|b| b.next_try_us <= now)
                            {
                                if let Some(b) = pq.retry.pop_front() {
                                    size += b.bytes.len();
                                    retry = true;
                                    batches.push(b);
                                }
                            }
                            continue;
                        }
                    }
                    let Some(pq) = self.parts.get(&tp) else {
                        continue;
                    };
                    if let Some(rb) = pq.retry.front() {
                        if rb.next_try_us > now {
                            continue;
                        }
                        if !batches.is_empty()
                            && size + rb.bytes.len() > self.settings.message_max_bytes
                        {
                            break;
                        }
                        let Some(pq) = self.parts.get_mut(&tp) else {
                            continue;
                        };
                        if let Some(b) = pq.retry.pop_front() {
                            size += b.bytes.len();
                            retry = true;
                            batches.push(b);
                        }
                        continue;
                    }
                    if !self.part_window_open(pq) || pq.queue.is_empty() {
                        continue;
                    }
                    let reason = self.queue_ready(now, pq).unwrap_or(SealReason::Piggyback);
                    let count = pq
                        .java_batches
                        .front()
                        .map(|b| b.1)
                        .unwrap_or(pq.queue.len());
                    let est = pq.java_batches.front().map(|b| b.2).unwrap_or(0);
                    if !batches.is_empty() && size + est > self.settings.message_max_bytes {
                        break;
                    }
                    if let Some(b) = self.build_batch(cx, tp, reason, Some(count)) {
                        size += b.bytes.len();
                        batches.push(b);
                    }
                }
                if batches.is_empty() {
                    break;
                }
                self.send(cx, broker, batches, retry);
            }
        }
    }

    fn send(&mut self, cx: &Ctx, broker: u32, mut batches: Vec<PBatch>, retry: bool) {
        let req_id = self.next_req_id;
        self.next_req_id += 1;
        let acks = self.settings.acks;
        let mut parts = Vec::new();
        let mut size = 40 + self.settings.client_id.len();
        for b in batches.iter_mut() {
            b.attempts += 1;
            size += 30 + cx.topic_name(b.tp).len() + b.bytes.len();
            parts.push(ProducePart {
                tp: b.tp,
                bytes: b.bytes.clone(),
                records: b.msgs.len() as u32,
                producer_id: self.producer_id,
                producer_epoch: b.producer_epoch,
                base_sequence: b.base_sequence,
            });
            self.stats.bytes_sent_batches += b.bytes.len() as u64;
        }
        let desc: Vec<(String, u32, u32, i32)> = batches
            .iter()
            .map(|b| {
                (
                    cx.topic_name(b.tp),
                    b.tp.partition,
                    b.msgs.len() as u32,
                    b.base_sequence,
                )
            })
            .collect();
        self.log(LogEvent::RequestSent {
            req_id,
            broker,
            batches: desc,
            size_bytes: size,
            retry,
        });
        self.stats.produce_requests += 1;
        let req = ProduceRequest {
            req_id,
            acks,
            timeout_ms: self.settings.request_timeout_ms,
            parts,
        };
        let detail = format!("request #{req_id}, {} batch(es)", batches.len());
        self.transmit(cx, broker, Payload::Produce(Arc::new(req)), size, detail);
        if acks == 0 {
            // No response expected: delivered as soon as it is sent, offset unknown (docs/kafka-sources.md §4.1 item 8).
            for b in batches {
                self.complete_batch(cx, b, None);
            }
            return;
        }
        let now = cx.now_us;
        let mut timeout = self.settings.socket_timeout_ms * 1000;
        if self.settings.message_timeout_ms > 0 {
            let oldest = batches
                .iter()
                .filter_map(|b| b.msgs.first())
                .map(|m| m.enqueued_us)
                .min()
                .unwrap_or(now);
            let deadline = oldest + self.settings.message_timeout_ms * 1000;
            timeout = timeout.min(deadline.saturating_sub(now).max(1));
        }
        for b in &batches {
            if let Some(pq) = self.parts.get_mut(&b.tp) {
                pq.inflight += 1;
            }
        }
        *self.broker_inflight.entry(broker).or_default() += 1;
        self.inflight.insert(
            req_id,
            Inflight {
                broker,
                batches,
                sent_us: now,
            },
        );
        self.timer(now + timeout, ProducerTimer::RequestTimeout { req_id });
    }

    fn take_inflight(&mut self, req_id: u64) -> Option<Inflight> {
        let inf = self.inflight.remove(&req_id)?;
        if let Some(n) = self.broker_inflight.get_mut(&inf.broker) {
            *n = n.saturating_sub(1);
        }
        for b in &inf.batches {
            if let Some(pq) = self.parts.get_mut(&b.tp) {
                pq.inflight = pq.inflight.saturating_sub(1);
            }
        }
        Some(inf)
    }

    /// A ProduceResponse arrived. Responses on one connection are read in request order (Kafka
    /// answers a connection's requests in order, and TCP delivers them in order): a response that
    /// overtook an older, unanswered request waits until that request is answered or fails.
    pub fn handle_response(&mut self, cx: &Ctx, broker: u32, resp: ProduceResponse) {
        if !self.inflight.contains_key(&resp.req_id) {
            return;
        }
        let older_pending = self
            .inflight
            .range(..resp.req_id)
            .any(|(_, i)| i.broker == broker);
        if older_pending {
            self.held.insert(resp.req_id, resp);
            return;
        }
        self.process_response(cx, broker, resp);
        // Responses that were waiting behind it, in order.
        loop {
            let next = self
                .inflight
                .iter()
                .find(|(_, i)| i.broker == broker)
                .map(|(id, _)| *id);
            match next.and_then(|id| self.held.remove(&id)) {
                Some(r) => self.process_response(cx, broker, r),
                None => break,
            }
        }
        self.serve(cx);
    }

    fn process_response(&mut self, cx: &Ctx, broker: u32, resp: ProduceResponse) {
        let Some(inf) = self.take_inflight(resp.req_id) else {
            return;
        };
        let results: Vec<crate::log::PartitionResult> = resp
            .results
            .iter()
            .map(|(tp, r)| crate::log::PartitionResult {
                topic: cx.topic_name(*tp),
                partition: tp.partition,
                error: r.err(),
                base_offset: r.ok(),
            })
            .collect();
        self.log(LogEvent::ResponseReceived {
            req_id: resp.req_id,
            broker,
            results,
        });
        for b in inf.batches {
            let r = resp
                .results
                .iter()
                .find(|(tp, _)| *tp == b.tp)
                .map(|x| x.1)
                .unwrap_or(Err(ErrorCode::UnknownServerError));
            match r {
                Ok(base) => self.complete_batch(cx, b, Some(base)),
                Err(e) => self.batch_error(cx, b, e),
            }
        }
    }

    /// A request failed locally: `_TIMED_OUT` (no response within the socket timeout) or
    /// `_TRANSPORT` (connection reset). A timeout tears the connection down (librdkafka
    /// disconnects), so every other request in flight on it fails with `_TRANSPORT` too, and
    /// responses held behind the timed-out one are lost with the connection.
    pub fn request_failed(&mut self, cx: &Ctx, req_id: u64, err: ErrorCode) {
        let Some(broker) = self.inflight.get(&req_id).map(|i| i.broker) else {
            return;
        };
        self.fail_request(cx, req_id, err);
        if err == ErrorCode::TimedOut {
            let others: Vec<u64> = self
                .inflight
                .iter()
                .filter(|(_, i)| i.broker == broker)
                .map(|(id, _)| *id)
                .collect();
            for id in others {
                self.fail_request(cx, id, ErrorCode::Transport);
            }
        }
        self.request_metadata(cx);
        self.serve(cx);
    }

    fn fail_request(&mut self, cx: &Ctx, req_id: u64, err: ErrorCode) {
        self.held.remove(&req_id);
        let Some(inf) = self.take_inflight(req_id) else {
            return;
        };
        if err == ErrorCode::TimedOut {
            self.log(LogEvent::RequestTimedOut {
                req_id,
                broker: inf.broker,
            });
        } else {
            self.log(LogEvent::ConnectionReset {
                req_id,
                broker: inf.broker,
            });
        }
        for b in inf.batches {
            self.batch_error(cx, b, err);
        }
    }

    /// Fails in-flight requests to a crashed broker with `_TRANSPORT` (connection reset).
    pub fn requests_to(&self, broker: u32) -> Vec<u64> {
        self.inflight
            .iter()
            .filter(|(_, i)| i.broker == broker)
            .map(|(id, _)| *id)
            .collect()
    }

    /// Java: a multi-record batch rejected with MESSAGE_TOO_LARGE is split in two and both halves
    /// go back to the front of the partition (not counted as a retry), keeping the big batch's
    /// sequence numbers (AK `Sender.completeBatch`, `RecordAccumulator.splitAndReenqueue`, docs/kafka-sources.md §4.1).
    fn split_batch(&mut self, cx: &Ctx, mut b: PBatch) {
        let mid = b.msgs.len() / 2;
        let msgs2 = b.msgs.split_off(mid);
        let records2 = b.records.split_off(mid);
        let mut second = PBatch {
            msgs: msgs2,
            records: records2,
            ..b.clone()
        };
        let idem = self.settings.enable_idempotence;
        let seq1 = b.base_sequence;
        let seq2 = if idem {
            seq1.wrapping_add(mid as i32)
        } else {
            -1
        };
        self.reencode(&mut b, seq1);
        self.reencode(&mut second, seq2);
        for half in [&mut b, &mut second] {
            half.next_try_us = cx.now_us;
            half.possibly_persisted = None;
        }
        for half in [&b, &second] {
            self.log(LogEvent::RetryScheduled {
                topic: cx.topic_name(half.tp),
                partition: half.tp.partition,
                records: half.msgs.len() as u32,
                error: ErrorCode::MessageTooLarge,
                attempt: half.attempts + 1,
                backoff_ms: 0.0,
            });
        }
        let pq = self.parts.entry(b.tp).or_default();
        if idem {
            pq.draining = true;
        }
        pq.retry.push_front(second);
        pq.retry.push_front(b);
    }

    fn batch_error(&mut self, cx: &Ctx, mut b: PBatch, e: ErrorCode) {
        if e == ErrorCode::MessageTooLarge && self.java() && b.msgs.len() > 1 {
            self.split_batch(cx, b);
            return;
        }
        let idem = self.settings.enable_idempotence;
        let timeout_us = self.settings.message_timeout_ms * 1000;
        let expired = timeout_us > 0
            && b.msgs
                .first()
                .is_some_and(|m| cx.now_us >= m.enqueued_us + timeout_us);
        let draining = self.parts.get(&b.tp).is_some_and(|p| p.draining);
        let mut count_retry = true;
        let retry = if expired {
            false
        } else if idem && e == ErrorCode::OutOfOrderSequenceNumber {
            count_retry = false;
            // Expected while an earlier batch of the partition is outstanding (it failed or is
            // still in flight): retry after draining. Otherwise it is a real gap (the broker lost
            // data): bump the epoch and resend (librdkafka drain + bump, docs/kafka-sources.md §5.3).
            let earlier_outstanding = self
                .inflight
                .values()
                .flat_map(|i| i.batches.iter())
                .chain(
                    self.parts
                        .get(&b.tp)
                        .into_iter()
                        .flat_map(|p| p.retry.iter()),
                )
                .any(|x| {
                    x.tp == b.tp
                        && x.producer_epoch == b.producer_epoch
                        && x.base_sequence < b.base_sequence
                });
            if !draining && !earlier_outstanding {
                self.need_bump = true;
            }
            true
        } else {
            match e.action() {
                ErrorAction::Permanent => false,
                ErrorAction::RefreshRetry => {
                    count_retry = false;
                    self.request_metadata(cx);
                    true
                }
                ErrorAction::Retry | ErrorAction::RetryPossiblyPersisted => {
                    b.retries_used < self.settings.retries
                }
            }
        };
        if !retry {
            let err = if expired { ErrorCode::MsgTimedOut } else { e };
            if idem && b.base_sequence >= 0 {
                self.need_bump = true;
            }
            self.fail_batch(cx, b, err);
            return;
        }
        if count_retry {
            b.retries_used += 1;
        }
        if e.action() == ErrorAction::RetryPossiblyPersisted {
            b.possibly_persisted = Some(e);
        }
        let backoff = self.backoff_us(b.retries_used.max(1));
        b.next_try_us = cx.now_us + backoff;
        self.stats.retries += 1;
        self.log(LogEvent::RetryScheduled {
            topic: cx.topic_name(b.tp),
            partition: b.tp.partition,
            records: b.msgs.len() as u32,
            error: e,
            attempt: b.attempts + 1,
            backoff_ms: backoff as f64 / 1000.0,
        });
        let pq = self.parts.entry(b.tp).or_default();
        if idem {
            pq.draining = true;
            let pos = pq
                .retry
                .iter()
                .position(|x| x.base_sequence > b.base_sequence)
                .unwrap_or(pq.retry.len());
            pq.retry.insert(pos, b);
        } else {
            pq.retry.push_back(b);
        }
    }

    /// Restart sequences with a new epoch once nothing is in flight (docs/kafka-sources.md §5.3).
    fn bump_epoch(&mut self, cx: &Ctx) {
        self.need_bump = false;
        self.producer_epoch = self.producer_epoch.wrapping_add(1);
        self.log(LogEvent::EpochBumped {
            producer_id: self.producer_id,
            producer_epoch: self.producer_epoch,
        });
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            let Some(mut pq) = self.parts.remove(&tp) else {
                continue;
            };
            // A batch that may already be in the log cannot be resent under the new epoch without
            // risking a duplicate: it fails with the error that left its fate unknown.
            let (unsure, keep): (Vec<PBatch>, Vec<PBatch>) = pq
                .retry
                .drain(..)
                .partition(|b| b.possibly_persisted.is_some());
            pq.retry = keep.into();
            for b in unsure {
                let e = b.possibly_persisted.unwrap_or(ErrorCode::TimedOut);
                self.fail_batch(cx, b, e);
            }
            let mut seq = 0i32;
            for b in pq.retry.iter_mut() {
                self.reencode(b, seq);
                seq = seq.wrapping_add(b.msgs.len() as i32);
            }
            pq.next_seq = seq;
            pq.draining = false;
            self.parts.insert(tp, pq);
        }
    }

    fn expire(&mut self, cx: &Ctx) {
        let timeout_us = self.settings.message_timeout_ms * 1000;
        if timeout_us == 0 {
            return;
        }
        let now = cx.now_us;
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            while let Some(pq) = self.parts.get_mut(&tp) {
                match pq.queue.front() {
                    Some(m) if now >= m.enqueued_us + timeout_us => {}
                    _ => break,
                }
                let Some(m) = pq.queue.pop_front() else { break };
                pq.queue_bytes -= m.size_bytes;
                if let Some(jb) = pq.java_batches.front_mut() {
                    jb.1 = jb.1.saturating_sub(1);
                    jb.2 = jb.2.saturating_sub(m.size_bytes);
                    if jb.1 == 0 {
                        pq.java_batches.pop_front();
                    }
                }
                self.report(cx, tp, &m, &m.record, None, Some(ErrorCode::MsgTimedOut));
            }
            while let Some(pq) = self.parts.get_mut(&tp) {
                match pq.retry.front().and_then(|b| b.msgs.first()) {
                    Some(m) if now >= m.enqueued_us + timeout_us => {}
                    _ => break,
                }
                let Some(b) = pq.retry.pop_front() else { break };
                if self.settings.enable_idempotence {
                    self.need_bump = true;
                }
                self.fail_batch(cx, b, ErrorCode::MsgTimedOut);
            }
        }
    }

    fn fail_batch(&mut self, cx: &Ctx, b: PBatch, e: ErrorCode) {
        self.stats.records_failed += b.msgs.len() as u64;
        self.log(LogEvent::BatchFailed {
            topic: cx.topic_name(b.tp),
            partition: b.tp.partition,
            records: b.msgs.len() as u32,
            error: e,
        });
        for (m, r) in b.msgs.iter().zip(&b.records) {
            self.report(cx, b.tp, m, r, None, Some(e));
        }
    }

    fn complete_batch(&mut self, cx: &Ctx, b: PBatch, base: Option<i64>) {
        self.stats.records_delivered += b.msgs.len() as u64;
        for (i, (m, r)) in b.msgs.iter().zip(&b.records).enumerate() {
            self.report(cx, b.tp, m, r, base.map(|o| o + i as i64), None);
        }
    }

    fn report(
        &mut self,
        cx: &Ctx,
        tp: Tp,
        m: &Msg,
        record: &Record,
        offset: Option<i64>,
        error: Option<ErrorCode>,
    ) {
        let latency_us = cx.now_us.saturating_sub(m.enqueued_us);
        if error.is_none() {
            self.stats.latencies_us.push(latency_us);
        }
        let per_message = cx.log.per_message;
        // Track the held bytes with the report (freed when served).
        self.ready_bytes.push_back(m.held_bytes);
        if !per_message {
            // Big runs keep only the accounting, not the report objects.
            self.after_report(cx);
            return;
        }
        let topic = cx.topic_name(tp);
        if per_message {
            self.log(LogEvent::DeliveryReport {
                msg_id: m.id,
                topic: topic.clone(),
                partition: tp.partition,
                offset,
                error,
                latency_us,
            });
        }
        self.ready_reports.push_back(DeliveryReport {
            msg_id: m.id,
            error,
            error_name: error.map(|e| e.rdkafka_name().to_string()),
            error_code: error.map(|e| e.code()),
            topic,
            partition: tp.partition,
            offset,
            key: if per_message { text(&record.key) } else { None },
            value: if per_message {
                text(&record.value)
            } else {
                None
            },
            latency_us,
            ready_us: cx.now_us,
            served_us: None,
        });
        self.after_report(cx);
    }

    fn after_report(&mut self, cx: &Ctx) {
        if self.flush.is_some() {
            self.serve_reports(cx, "flush()");
        } else if !self.poll_waiters.is_empty() {
            self.serve_reports(cx, "poll(1)");
            for waiter in std::mem::take(&mut self.poll_waiters) {
                self.out.push(Output::Resume(waiter));
            }
        }
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
        if n > 0 && cx.log.per_message {
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
