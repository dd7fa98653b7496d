//! Brokers and the controller (Kafka 3.6 in KRaft mode, docs/kafka-sources.md §5.2, §6).
//!
//! Each broker holds one `Replica` per assigned partition. The leader validates and stores
//! produced batches with the wire crate (`kwire::broker::append`: validation, in-place offset
//! assignment or recompression, docs/kafka-sources.md §1.8, §2.3), checks idempotent producer state (§5.2),
//! answers acks=0/1/all (§6) and serves follower fetches. Followers fetch over the network with
//! latency and long polling (`replica.fetch.wait.max.ms`). The leader maintains the ISR
//! (`replica.lag.time.max.ms`) and the high watermark (minimum LEO of the ISR).
//!
//! A follower finds out where its log diverges from the leader's by fetching, as Kafka 2.7+
//! replicas do (KIP-595's `DivergingEpoch` in the Fetch response, KAFKA-10554): each Fetch names
//! the epoch of the follower's last batch, and a leader on which that epoch ended earlier answers
//! with the epoch's end instead of data; the follower truncates there (or, when it never had the
//! leader's epoch, to the end of its own epoch below it, and asks again) — see [`epoch_cache`].
//!
//! The controller is an abstract, always-available quorum: it fences a broker that stopped
//! heartbeating after `broker.session.timeout.ms`, elects leaders (clean from the ISR, or unclean
//! if the topic allows) and bumps the leader epoch.
//!
//! SIMPLIFICATIONS (quoted by the UI):
//! - Metadata from the controller reaches every broker that can reach it instantly; an isolated
//!   broker keeps its stale view (so an isolated leader keeps accepting acks=1 writes).
//! - Followers fetch each partition separately (Kafka batches partitions per broker pair).
//! - Logs survive a crash completely (as if flushed); there is no retention, no segments.
//! - Replica placement is round-robin: partition p has replicas p, p+1, … (mod N), first = leader.
//! - Idempotent producer state lives in memory per replica and is rebuilt from the log after
//!   truncation; there is no producer-id expiration.

pub(crate) mod epoch_cache;
pub(crate) mod partition_log;

use crate::error::ErrorCode;
use crate::log::LogEvent;
use crate::network::PRODUCER;
use crate::node::{BrokerMetric, Ctx, Outbox, Output, Transmit};
use crate::proto::{
    ControllerRequest, FetchData, FetchRequest, FetchResponse, MetadataUpdate, PartitionMeta,
    PartitionResponse, Payload, ProducePart, ProduceRequest, ProduceResponse, StoredBatch, Tp,
};
use epoch_cache::{EpochCache, EpochEndOffset, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};
use kwire::broker::{AppendContext, TimestampType};
use kwire::DecodeLimits;
pub use partition_log::MAX_DROPPED_HEADERS;
pub(crate) use partition_log::{Lookup, PartitionLog, Rolled, SegmentRules};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// Per producer id: epoch and the last 5 batches (AK `ProducerStateEntry`, docs/kafka-sources.md §5.2).
#[derive(Debug, Clone, Default)]
pub(crate) struct ProducerEntry {
    pub epoch: i16,
    /// The last 5 batches, oldest first (`ProducerStateEntry.NUM_BATCHES_TO_RETAIN`).
    pub batches: VecDeque<BatchMetadata>,
}

/// What a leader remembers of an idempotent batch (AK `BatchMetadata`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BatchMetadata {
    pub first_seq: i32,
    pub last_seq: i32,
    pub base_offset: i64,
}

impl BatchMetadata {
    fn last_offset(&self) -> i64 {
        self.base_offset + self.last_seq.wrapping_sub(self.first_seq) as i64
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FollowerState {
    pub leo: i64,
    pub last_caught_up_us: u64,
    pub last_fetch_leader_leo: i64,
    pub last_fetch_us: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct Replica {
    pub log: PartitionLog,
    pub leo: i64,
    pub hw: i64,
    /// Who this replica believes leads, and in which epoch.
    pub leader: Option<u32>,
    pub leader_epoch: i32,
    pub is_leader: bool,
    /// Leader only: its copy of the ISR.
    pub isr: Vec<u32>,
    pub followers: BTreeMap<u32, FollowerState>,
    pub producers: BTreeMap<i64, ProducerEntry>,
    /// Follower only: generation of the current fetch loop (stale responses are ignored).
    pub fetch_gen: u64,
    /// Follower only: when the outstanding fetch was sent.
    pub fetch_sent_us: Option<u64>,
    /// Where each leader epoch starts in this replica's log.
    pub epochs: EpochCache,
}

impl Replica {
    fn new() -> Replica {
        Replica {
            log: PartitionLog::default(),
            leo: 0,
            hw: 0,
            leader: None,
            leader_epoch: -1,
            is_leader: false,
            isr: Vec::new(),
            followers: BTreeMap::new(),
            producers: BTreeMap::new(),
            fetch_gen: 0,
            fetch_sent_us: None,
            epochs: EpochCache::default(),
        }
    }

    fn remember_producer(&mut self, b: &StoredBatch) {
        if b.producer_id < 0 {
            return;
        }
        let e = self.producers.entry(b.producer_id).or_default();
        if e.epoch != b.producer_epoch {
            e.epoch = b.producer_epoch;
            e.batches.clear();
        }
        let last_seq = b.base_sequence.wrapping_add(b.records as i32 - 1);
        e.batches.push_back(BatchMetadata {
            first_seq: b.base_sequence,
            last_seq,
            base_offset: b.base_offset,
        });
        while e.batches.len() > 5 {
            e.batches.pop_front();
        }
    }

    /// Appends `b` at the log end; the new segment's base offset and why, when one was rolled.
    fn push(&mut self, b: StoredBatch, now_ms: i64, rules: &SegmentRules) -> Option<Rolled> {
        self.leo = b.last_offset + 1;
        self.epochs.assign(b.leader_epoch, b.base_offset);
        self.remember_producer(&b);
        self.log.push(b, now_ms, rules)
    }

    /// Truncates to `offset` (batch-aligned) and rebuilds producer state from the log. The epoch
    /// cache is truncated even when no batch goes: a replica that led an epoch without writing
    /// to it keeps a conflicting entry at its log end (as `UnifiedLog.truncateTo` does).
    fn truncate_to(&mut self, offset: i64) -> bool {
        if offset >= self.leo {
            self.epochs.truncate_from_end(self.leo);
            return false;
        }
        self.log.truncate_to(offset);
        self.leo = self.log.end_offset();
        self.epochs.truncate_from_end(self.leo);
        self.hw = self.hw.min(self.leo);
        self.producers.clear();
        let log = std::mem::take(&mut self.log);
        for b in log.batches() {
            self.remember_producer(b);
        }
        self.log = log;
        true
    }

    /// Where the follower's log must be cut after the leader answered `diverging`
    /// (`AbstractFetcherThread.getOffsetTruncationState`): at the end of the leader's epoch, or
    /// earlier where this replica's own copy of that epoch ended; when this replica never had
    /// the leader's epoch, at the end of its own epoch below it, and the next fetch checks again.
    fn truncation_offset(&self, diverging: EpochEndOffset) -> i64 {
        if diverging.end_offset == UNDEFINED_EPOCH_OFFSET {
            return self.hw;
        }
        if diverging.epoch == UNDEFINED_EPOCH {
            return diverging.end_offset.min(self.leo);
        }
        let own = self.epochs.end_offset_for(diverging.epoch, self.leo);
        if own.end_offset == UNDEFINED_EPOCH_OFFSET {
            diverging.end_offset.min(self.leo)
        } else if own.epoch != diverging.epoch {
            own.end_offset.min(self.leo)
        } else {
            own.end_offset.min(diverging.end_offset).min(self.leo)
        }
    }
}

/// One partition of a parked produce request.
#[derive(Debug, Clone)]
struct PendingPart {
    tp: Tp,
    /// Its answer, once decided.
    result: Option<Result<i64, ErrorCode>>,
    /// The high watermark that commits it (its last offset + 1).
    required_hw: i64,
    base_offset: i64,
    log_append_time_ms: Option<i64>,
}

impl PendingPart {
    /// acks=all: once the high watermark covers the batch, it is answered — with its offset
    /// while the ISR still has `min.insync.replicas` members, else NOT_ENOUGH_REPLICAS_AFTER_APPEND
    /// (`Partition.checkEnoughReplicasReachOffset`, docs/kafka-sources.md §6).
    fn complete_if_committed(&mut self, hw: i64, isr_len: u32, min_isr: u32) {
        if self.result.is_none() && hw >= self.required_hw {
            self.result = Some(if isr_len >= min_isr {
                Ok(self.base_offset)
            } else {
                Err(ErrorCode::NotEnoughReplicasAfterAppend)
            });
        }
    }
}

#[derive(Debug, Clone)]
struct PendingProduce {
    req_id: u64,
    parts: Vec<PendingPart>,
}

/// A partition's batch the leader accepted: where it starts and which high watermark commits it.
struct Accepted {
    base_offset: i64,
    required_hw: i64,
    /// The leader's clock for the batch on a `LogAppendTime` topic.
    log_append_time_ms: Option<i64>,
}

/// A partition's batch the leader refused, with a detail for the log.
struct Refused {
    error: ErrorCode,
    detail: String,
}

impl From<ErrorCode> for Refused {
    fn from(error: ErrorCode) -> Refused {
        Refused {
            error,
            detail: String::new(),
        }
    }
}

fn min_insync(cx: &Ctx, tp: Tp) -> u32 {
    cx.topics
        .get(tp.topic as usize)
        .map(|t| t.config.min_insync_replicas)
        .unwrap_or(1)
}

#[derive(Debug, Clone)]
struct ParkedFetch {
    from: u32,
    req: FetchRequest,
}

/// A broker process.
#[derive(Debug, Clone)]
pub(crate) struct Broker {
    pub id: u32,
    pub up: bool,
    /// Bumped on crash so that timers of a previous life are ignored.
    pub incarnation: u64,
    pub replicas: BTreeMap<Tp, Replica>,
    pending: BTreeMap<u64, PendingProduce>,
    parked: BTreeMap<u64, ParkedFetch>,
    next_id: u64,
    /// Injected outcomes for the next ProduceRequests (`Fault::FailNextProduce`): `None` lets
    /// one through.
    pub fail_next: VecDeque<Option<ErrorCode>>,
    pub slow_fetch_us: u64,
    /// The record-bytes budget is enforced again once more than this is held (hysteresis:
    /// while uncommitted bytes keep a broker over its share it does not rescan every append).
    budget_retry_above_bytes: u64,
    out: BrokerOut,
}

/// A broker's timers, each with the reason it exists. Timers of a crashed broker's previous
/// life carry its old incarnation and are ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrokerTimer {
    /// The periodic ISR check (every `replica.lag.time.max.ms / 2`).
    IsrCheck { incarnation: u64 },
    /// An acks=all request parked on the leader times out (`timeoutMs` of the request).
    DelayedProduceTimeout { pending_id: u64, incarnation: u64 },
    /// A parked follower fetch is answered even without new data (`replica.fetch.wait.max.ms`).
    FetchWaitExpired { parked_id: u64, incarnation: u64 },
    /// The follower sends its next fetch of one partition.
    FollowerFetch { tp: Tp, gen: u64 },
    /// The retention task (`kafka-log-retention`, every `log.retention.check.interval.ms`).
    RetentionCheck { incarnation: u64 },
}

impl BrokerTimer {
    /// Why the timer of broker `broker` exists, in words (`topic` names a topic by index).
    pub fn reason(&self, broker: u32, topic: impl Fn(Tp) -> String) -> String {
        match self {
            BrokerTimer::IsrCheck { .. } => {
                format!("broker {broker} checks follower lag (replica.lag.time.max.ms)")
            }
            BrokerTimer::DelayedProduceTimeout { .. } => {
                format!("an acks=all wait on broker {broker} may time out")
            }
            BrokerTimer::FetchWaitExpired { .. } => {
                format!("broker {broker} answers a parked fetch (replica.fetch.wait.max.ms)")
            }
            BrokerTimer::FollowerFetch { tp, .. } => {
                format!("follower {broker} fetches {}-{}", topic(*tp), tp.partition)
            }
            BrokerTimer::RetentionCheck { .. } => format!(
                "broker {broker} deletes expired segments (log.retention.check.interval.ms)"
            ),
        }
    }
}

/// `LogManager.InitialTaskDelayMs`: the retention task first runs 30 s after startup.
const RETENTION_INITIAL_DELAY_US: u64 = 30_000_000;

/// What a broker is told.
#[derive(Debug, Clone)]
pub(crate) enum BrokerInput {
    /// A message arrived from node `from` over the network.
    Message {
        from: u32,
        payload: Payload,
    },
    Timer(BrokerTimer),
    /// Metadata from the controller.
    Metadata(MetadataUpdate),
    /// `Fault::Crash`: the process stops; volatile state is lost, the log stays.
    Crash,
    /// `Fault::Restart`: the process starts again and registers with the controller.
    Restart,
    /// `Fault::FailNextProduce`: the next `after` ProduceRequests pass, then `count` fail.
    FailNextProduce {
        after: u32,
        count: u32,
        error: ErrorCode,
    },
    /// `Fault::SlowFollower`: wait this long before each fetch.
    SlowFetch {
        delay_us: u64,
    },
}

type BrokerOut = Outbox<BrokerTimer>;

/// The leader's append (docs/kafka-sources.md §1.8, §2.3): `kwire::broker::append`, except when no
/// record-level rule can apply (topic keeps the producer's codec, no timestamp window, not
/// compacted): then only the header and CRC are validated and the batch is kept in place — the same
/// stored bytes without decompressing every record (keeps big runs fast).
fn append(
    bytes: &[u8],
    topic: &kwire::broker::TopicConfig,
    ctx: &AppendContext,
) -> Result<kwire::broker::AppendOutcome, kwire::WireError> {
    use kwire::broker::{AppendMode, TimestampType, TopicCompression};
    let simple = topic.compression == TopicCompression::Producer
        && topic.timestamp_type == TimestampType::CreateTime
        && topic.timestamp_before_max_ms == i64::MAX
        && topic.timestamp_after_max_ms == i64::MAX
        && !topic.compacted;
    if !simple {
        return kwire::broker::append(bytes, topic, ctx, &DecodeLimits::default());
    }
    let header = kwire::batch::decode_header(bytes)?;
    if header.size_bytes() != bytes.len() || header.batch_length < 49 {
        // Not exactly one well-formed batch: let the full validation say why.
        return kwire::broker::append(bytes, topic, ctx, &DecodeLimits::default());
    }
    kwire::broker::validate_header(bytes, &header, topic.max_message_bytes)?;
    let codec = header.codec()?;
    let mut out = bytes.to_vec();
    out[0..8].copy_from_slice(&ctx.log_end_offset.to_be_bytes());
    out[12..16].copy_from_slice(&ctx.leader_epoch.to_be_bytes());
    Ok(kwire::broker::AppendOutcome {
        size_after_bytes: out.len(),
        bytes: out,
        mode: AppendMode::InPlace,
        reason: "",
        source_codec: codec,
        stored_codec: codec,
        size_before_bytes: bytes.len(),
        base_offset: ctx.log_end_offset,
        last_offset: ctx.log_end_offset + header.last_offset_delta as i64,
        records_count: header.records_count,
        max_timestamp: header.max_timestamp,
    })
}

fn wire_error(e: &kwire::WireError) -> ErrorCode {
    ErrorCode::from_name(e.kafka_name()).unwrap_or(ErrorCode::InvalidRecord)
}

impl Broker {
    pub fn new(id: u32) -> Broker {
        Broker {
            id,
            up: true,
            incarnation: 0,
            replicas: BTreeMap::new(),
            pending: BTreeMap::new(),
            parked: BTreeMap::new(),
            next_id: 0,
            fail_next: VecDeque::new(),
            slow_fetch_us: 0,
            budget_retry_above_bytes: 0,
            out: BrokerOut::default(),
        }
    }

    /// Everything the driver must do for this broker, in the order queued, taken out at once:
    /// the driver carries out a message to the controller before the broker's later outputs,
    /// and what the controller answers may add new outputs to this broker meanwhile.
    pub fn take_outputs(&mut self) -> impl Iterator<Item = Output<BrokerTimer>> {
        self.out.take()
    }

    /// Runs `f` with the outbox as a separate borrow (the node's code passes `o` along).
    fn with_out<R>(&mut self, f: impl FnOnce(&mut Broker, &mut BrokerOut) -> R) -> R {
        let mut o = std::mem::take(&mut self.out);
        let r = f(self, &mut o);
        self.out.append(&mut o);
        r
    }

    /// Whether an acks=all request is still waiting on this broker (for idleness).
    pub fn has_pending_produce(&self) -> bool {
        self.up && !self.pending.is_empty()
    }

    /// Starts the periodic ISR check (Kafka's isr-expiration task).
    pub fn start(&mut self, cx: &Ctx) {
        let incarnation = self.incarnation;
        self.out.timer(
            cx.now_us + cx.timing.lag_time_max_us / 2,
            BrokerTimer::IsrCheck { incarnation },
        );
        self.out.timer(
            cx.now_us + RETENTION_INITIAL_DELAY_US,
            BrokerTimer::RetentionCheck { incarnation },
        );
    }

    /// Handles one input at `cx.now_us`.
    pub fn handle(&mut self, cx: &Ctx, input: BrokerInput) {
        self.with_out(|br, o| match input {
            BrokerInput::Message { from, payload } => match payload {
                Payload::Produce(req) => {
                    br.handle_produce(cx, o, &req);
                    br.enforce_record_budget(cx, o);
                }
                Payload::Fetch(req) => br.handle_fetch(cx, o, from, req),
                Payload::FetchResponse(resp) => {
                    br.handle_fetch_response(cx, o, resp);
                    br.enforce_record_budget(cx, o);
                }
                // A live broker accepts a connection and answers ApiVersions.
                Payload::Connect { attempt } => o.transmit(Transmit {
                    from: br.id,
                    to: from,
                    payload: Payload::ConnectAck { attempt },
                    size_bytes: 400,
                    detail: format!("connection attempt {attempt} accepted"),
                }),
                // Brokers are never sent produce responses, connection answers or registry calls.
                Payload::ProduceResponse(_)
                | Payload::ConnectAck { .. }
                | Payload::RegistryRequest(_)
                | Payload::RegistryReply(_) => {}
            },
            BrokerInput::Timer(t) => match t {
                BrokerTimer::IsrCheck { incarnation } => br.isr_check(cx, o, incarnation),
                BrokerTimer::DelayedProduceTimeout {
                    pending_id,
                    incarnation,
                } => br.delayed_produce_timeout(o, pending_id, incarnation),
                BrokerTimer::FetchWaitExpired {
                    parked_id,
                    incarnation,
                } => br.fetch_wait_expired(cx, o, parked_id, incarnation),
                BrokerTimer::FollowerFetch { tp, gen } => br.follower_fetch(cx, o, tp, gen),
                BrokerTimer::RetentionCheck { incarnation } => {
                    br.retention_check(cx, o, incarnation)
                }
            },
            BrokerInput::Metadata(MetadataUpdate::Partition { tp, meta }) => {
                br.apply_partition(cx, o, tp, &meta)
            }
            BrokerInput::Metadata(MetadataUpdate::Isr { tp, isr }) => {
                if let Some(r) = br.replicas.get_mut(&tp).filter(|r| r.is_leader) {
                    r.isr = isr;
                }
                br.maybe_advance_hw(cx, o, tp);
            }
            BrokerInput::Crash => br.crash(),
            BrokerInput::Restart => br.restart(cx, o),
            BrokerInput::FailNextProduce {
                after,
                count,
                error,
            } => {
                br.fail_next.extend((0..after).map(|_| None));
                br.fail_next.extend((0..count).map(|_| Some(error)));
            }
            BrokerInput::SlowFetch { delay_us } => br.slow_fetch_us = delay_us,
        })
    }

    /// Brings this broker's replica of `tp` in line with the controller's metadata (creating
    /// it on the first metadata for a new partition): lead it, follow the leader, or, as leader,
    /// take the new ISR.
    fn apply_partition(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp, meta: &PartitionMeta) {
        let b = self.id;
        let rep = self.replicas.entry(tp).or_insert_with(Replica::new);
        if meta.leader == Some(b) {
            if !rep.is_leader || rep.leader_epoch != meta.leader_epoch {
                self.become_leader(cx, o, tp, meta);
            } else {
                rep.isr = meta.isr.clone();
            }
        } else if rep.is_leader
            || rep.leader != meta.leader
            || rep.leader_epoch != meta.leader_epoch
        {
            self.become_follower(cx, o, tp, meta);
        }
    }

    /// `Fault::Crash`: the process stops; volatile state is lost, the log stays (as if flushed).
    fn crash(&mut self) {
        if !self.up {
            return;
        }
        self.up = false;
        self.incarnation += 1;
        self.pending.clear();
        self.parked.clear();
        for r in self.replicas.values_mut() {
            r.fetch_gen += 1;
        }
    }

    /// `Fault::Restart`: the process starts again with its log; its replicas forget their roles
    /// until the controller's metadata arrives, which registering asks for.
    fn restart(&mut self, cx: &Ctx, o: &mut BrokerOut) {
        if self.up {
            return;
        }
        self.up = true;
        for r in self.replicas.values_mut() {
            r.is_leader = false;
            r.leader = None;
            r.leader_epoch = -1;
            r.isr.clear();
            r.followers.clear();
        }
        o.push(Output::ToController(ControllerRequest::Register {
            broker: self.id,
        }));
        let incarnation = self.incarnation;
        o.timer(
            cx.now_us + cx.timing.lag_time_max_us / 2,
            BrokerTimer::IsrCheck { incarnation },
        );
        o.timer(
            cx.now_us + RETENTION_INITIAL_DELAY_US,
            BrokerTimer::RetentionCheck { incarnation },
        );
    }

    /// The retention task: every replica's log deletes the segments Kafka's rules let go
    /// (`LogManager.cleanupLogs` → `UnifiedLog.deleteOldSegments`; compacted topics are left to
    /// the cleaner, which the simulation does not run), then it runs again after
    /// `log.retention.check.interval.ms`.
    fn retention_check(&mut self, cx: &Ctx, o: &mut BrokerOut, incarnation: u64) {
        if self.incarnation != incarnation || !self.up {
            return;
        }
        let b = self.id;
        let now_ms = cx.node_time_ms(b);
        for (tp, r) in self.replicas.iter_mut() {
            let Some(topic) = cx.topics.get(tp.topic as usize) else {
                continue;
            };
            if topic.config.wire.compacted {
                continue;
            }
            for d in r
                .log
                .delete_old_segments(now_ms, r.hw, &topic.config.segment_rules())
            {
                o.log(LogEvent::SegmentsDeleted {
                    broker: b,
                    topic: cx.topic_name(*tp),
                    partition: tp.partition,
                    segments: d.segments,
                    batches: d.batches,
                    size_bytes: d.size_bytes,
                    log_start_offset: d.log_start_offset,
                    reason: d.reason.name().into(),
                });
            }
        }
        o.timer(
            cx.now_us + cx.timing.retention_check_interval_us,
            BrokerTimer::RetentionCheck { incarnation },
        );
    }

    /// Record bytes this broker holds (every replica counted, as on disk).
    pub fn held_bytes(&self) -> u64 {
        self.replicas.values().map(|r| r.log.held_bytes()).sum()
    }

    /// The playground's record-bytes budget (not a Kafka rule): past three quarters of its
    /// share, the broker drops the payload of its oldest committed batches (below each
    /// replica's high watermark, oldest first in every replica, in proportion to what each
    /// holds) until half its share is held. The last quarter is headroom for uncommitted and
    /// producer-buffered bytes; the driver pauses the run when even that is not enough.
    fn enforce_record_budget(&mut self, cx: &Ctx, o: &mut BrokerOut) {
        let share = cx.timing.record_bytes_budget_per_broker;
        let threshold = share / 4 * 3;
        let held = self.held_bytes();
        if held <= threshold.max(self.budget_retry_above_bytes) {
            return;
        }
        let target = share / 2;
        let (mut batches, mut bytes) = (0u64, 0u64);
        for r in self.replicas.values_mut() {
            let keep = (r.log.held_bytes() as u128 * target as u128 / held as u128) as u64;
            let (n, size) = r.log.drop_payloads(r.hw, keep);
            batches += n;
            bytes += size;
        }
        let now_held = held - bytes;
        self.budget_retry_above_bytes = if now_held > threshold {
            now_held + share / 16
        } else {
            0
        };
        if batches > 0 {
            o.log(LogEvent::RecordBytesDropped {
                broker: self.id,
                batches,
                size_bytes: bytes,
                held_bytes: now_held,
                budget_bytes: share,
            });
        }
    }

    fn become_leader(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp, meta: &PartitionMeta) {
        let b = self.id;
        let now = cx.now_us;
        let br = &mut *self;
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        r.is_leader = true;
        r.leader = Some(b);
        r.leader_epoch = meta.leader_epoch;
        // The new epoch starts at the log end (`Partition.makeLeader`).
        let leo = r.leo;
        r.epochs.assign(meta.leader_epoch, leo);
        r.isr = meta.isr.clone();
        r.fetch_gen += 1;
        r.followers = meta
            .replicas
            .iter()
            .filter(|&&f| f != b)
            .map(|&f| {
                (
                    f,
                    FollowerState {
                        leo: -1,
                        last_caught_up_us: now,
                        last_fetch_leader_leo: -1,
                        last_fetch_us: now,
                    },
                )
            })
            .collect();
        self.maybe_advance_hw(cx, o, tp);
    }

    fn become_follower(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp, meta: &PartitionMeta) {
        // Fail produce requests parked for this partition: leadership lost (docs/kafka-sources.md §6, acks=all item 5).
        self.fail_pending_for(o, tp, ErrorCode::NotLeaderOrFollower);
        let now = cx.now_us;
        let br = &mut *self;
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        r.is_leader = false;
        r.leader = meta.leader;
        r.leader_epoch = meta.leader_epoch;
        r.isr.clear();
        r.followers.clear();
        r.fetch_gen += 1;
        let gen = r.fetch_gen;
        // Whether the log diverges from the new leader's is found out by fetching: the leader
        // answers the first fetch with the diverging epoch, if any (KIP-595, KAFKA-10554).
        if meta.leader.is_some() {
            o.timer(now, BrokerTimer::FollowerFetch { tp, gen });
        }
    }

    fn fail_pending_for(&mut self, o: &mut BrokerOut, tp: Tp, err: ErrorCode) {
        let br = &mut *self;
        let ids: Vec<u64> = br
            .pending
            .iter()
            .filter(|(_, p)| p.parts.iter().any(|x| x.tp == tp))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(p) = br.pending.get_mut(&id) {
                for part in p.parts.iter_mut() {
                    if part.tp == tp && part.result.is_none() {
                        part.result = Some(Err(err));
                    }
                }
            }
        }
        self.complete_pending(o);
    }

    /// Sends responses for parked produce requests whose partitions are all decided.
    fn complete_pending(&mut self, o: &mut BrokerOut) {
        let b = self.id;
        let br = &mut *self;
        let done: Vec<u64> = br
            .pending
            .iter()
            .filter(|(_, p)| p.parts.iter().all(|x| x.result.is_some()))
            .map(|(id, _)| *id)
            .collect();
        let mut responses = Vec::new();
        for id in done {
            if let Some(p) = br.pending.remove(&id) {
                responses.push(ProduceResponse {
                    req_id: p.req_id,
                    results: p
                        .parts
                        .into_iter()
                        .map(|p| PartitionResponse {
                            tp: p.tp,
                            result: p.result.unwrap_or(Err(ErrorCode::UnknownServerError)),
                            log_append_time_ms: p.log_append_time_ms,
                        })
                        .collect(),
                });
            }
        }
        for resp in responses {
            send_produce_response(o, b, resp);
        }
    }

    /// Leader: HW = min LEO over the ISR; completes acks=all requests (docs/kafka-sources.md §6).
    fn maybe_advance_hw(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp) {
        let b = self.id;
        let min_isr = min_insync(cx, tp);
        let br = &mut *self;
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        if !r.is_leader {
            return;
        }
        let mut hw = r.leo;
        for f in &r.isr {
            if *f == b {
                continue;
            }
            let leo = r.followers.get(f).map(|s| s.leo).unwrap_or(-1);
            hw = hw.min(leo.max(0));
        }
        if hw > r.hw {
            r.hw = hw;
            let isr_len = r.isr.len() as u32;
            o.log(LogEvent::HighWatermark {
                broker: b,
                topic: cx.topic_name(tp),
                partition: tp.partition,
                high_watermark: hw,
            });
            for p in br.pending.values_mut() {
                for part in p.parts.iter_mut().filter(|p| p.tp == tp) {
                    part.complete_if_committed(hw, isr_len, min_isr);
                }
            }
            self.complete_pending(o);
            self.answer_parked(cx, o, tp);
        }
    }

    /// Handles a ProduceRequest (docs/kafka-sources.md §1.8, §5.2, §6): each partition's batch
    /// is validated and appended by its leader; acks=0 gets no response, acks=1 is answered at
    /// once, acks=all waits until the high watermark covers every appended batch.
    fn handle_produce(&mut self, cx: &Ctx, o: &mut BrokerOut, req: &ProduceRequest) {
        let injected = self.fail_next.pop_front().flatten();
        let mut parts: Vec<PendingPart> = Vec::new();
        let mut appended = Vec::new();
        for part in &req.parts {
            let tp = part.tp;
            let outcome = match injected {
                Some(e) => Err(Refused {
                    error: e,
                    detail: "(injected)".into(),
                }),
                None => self.append_part(cx, o, req.acks, part),
            };
            match outcome {
                Ok(a) => {
                    appended.push(tp);
                    let done = (req.acks != -1).then_some(Ok(a.base_offset));
                    parts.push(PendingPart {
                        tp,
                        result: done,
                        required_hw: a.required_hw,
                        base_offset: a.base_offset,
                        log_append_time_ms: a.log_append_time_ms,
                    });
                }
                Err(r) => {
                    o.log(LogEvent::ProduceRejected {
                        broker: self.id,
                        topic: cx.topic_name(tp),
                        partition: tp.partition,
                        error: r.error,
                        detail: r.detail,
                    });
                    parts.push(PendingPart {
                        tp,
                        result: Some(Err(r.error)),
                        required_hw: -1,
                        base_offset: -1,
                        log_append_time_ms: None,
                    });
                }
            }
        }
        if req.acks == 0 {
            // acks=0: no response at all (docs/kafka-sources.md §6).
            for tp in appended {
                self.answer_parked(cx, o, tp);
                self.maybe_advance_hw(cx, o, tp);
            }
            return;
        }
        // Parts whose data is already committed (e.g. a duplicate) are answered at once.
        for part in parts.iter_mut() {
            if let Some(r) = self.replicas.get(&part.tp) {
                part.complete_if_committed(r.hw, r.isr.len() as u32, min_insync(cx, part.tp));
            }
        }
        let timeout_us = req.timeout_ms.saturating_mul(1000);
        let incarnation = self.incarnation;
        let pending_id = self.next_id;
        self.next_id += 1;
        self.pending.insert(
            pending_id,
            PendingProduce {
                req_id: req.req_id,
                parts,
            },
        );
        o.timer(
            cx.now_us + timeout_us,
            BrokerTimer::DelayedProduceTimeout {
                pending_id,
                incarnation,
            },
        );
        for tp in appended {
            self.answer_parked(cx, o, tp);
            self.maybe_advance_hw(cx, o, tp);
        }
        self.complete_pending(o);
    }

    /// The leader's checks and append of one partition's batch, in Kafka's order: the replica
    /// must lead, `acks` must be valid, acks=all needs `min.insync.replicas` in the ISR, an
    /// idempotent batch must be the next in sequence (a retried one of the last 5 is answered
    /// with its original offset instead), then `kwire::broker::append` validates and stores it.
    fn append_part(
        &mut self,
        cx: &Ctx,
        o: &mut BrokerOut,
        acks: i16,
        part: &ProducePart,
    ) -> Result<Accepted, Refused> {
        let b = self.id;
        let tp = part.tp;
        let topic = cx
            .topics
            .get(tp.topic as usize)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        let min_isr = topic.config.min_insync_replicas;
        let log_append_time = topic.config.wire.timestamp_type == TimestampType::LogAppendTime;
        let r = self
            .replicas
            .get_mut(&tp)
            .ok_or(ErrorCode::UnknownTopicOrPartition)?;
        if !r.is_leader {
            return Err(ErrorCode::NotLeaderOrFollower.into());
        }
        if !matches!(acks, -1..=1) {
            return Err(ErrorCode::InvalidRequiredAcks.into());
        }
        if acks == -1 && (r.isr.len() as u32) < min_isr {
            return Err(Refused {
                error: ErrorCode::NotEnoughReplicas,
                detail: format!("ISR {:?} < min.insync.replicas {min_isr}", r.isr),
            });
        }
        // `UnifiedLog.analyzeAndValidateRecords`: a batch must fit in one segment.
        if part.bytes.len() > topic.config.segment_bytes {
            return Err(Refused {
                error: ErrorCode::RecordListTooLarge,
                detail: format!(
                    "batch of {} bytes > segment.bytes {}",
                    part.bytes.len(),
                    topic.config.segment_bytes
                ),
            });
        }
        if let Some(e) = r
            .producers
            .get(&part.producer_id)
            .filter(|_| part.producer_id >= 0)
        {
            let last_seq = part.base_sequence.wrapping_add(part.records as i32 - 1);
            if part.producer_epoch < e.epoch {
                return Err(ErrorCode::InvalidProducerEpoch.into());
            }
            if part.producer_epoch == e.epoch {
                if let Some(d) = e
                    .batches
                    .iter()
                    .find(|x| x.first_seq == part.base_sequence && x.last_seq == last_seq)
                {
                    o.log(LogEvent::DuplicateBatch {
                        broker: b,
                        topic: cx.topic_name(tp),
                        partition: tp.partition,
                        producer_id: part.producer_id,
                        base_sequence: part.base_sequence,
                        original_offset: d.base_offset,
                    });
                    o.push(Output::Metric(BrokerMetric::DuplicateDetected));
                    // Acked like the original append: acks=all still waits for the high
                    // watermark to cover it (delayed produce).
                    let appended_ms = match r.log.lookup(d.base_offset) {
                        Lookup::Batch { segment, index } => r
                            .log
                            .batches_from(segment, index)
                            .next()
                            .filter(|x| x.base_offset == d.base_offset)
                            .map(|x| x.max_timestamp_ms),
                        _ => None,
                    };
                    return Ok(Accepted {
                        base_offset: d.base_offset,
                        required_hw: d.last_offset() + 1,
                        log_append_time_ms: appended_ms.filter(|_| log_append_time),
                    });
                }
                let expected = e
                    .batches
                    .back()
                    .map(|x| x.last_seq.wrapping_add(1))
                    .unwrap_or(0);
                if part.base_sequence != expected {
                    return Err(Refused {
                        error: ErrorCode::OutOfOrderSequenceNumber,
                        detail: format!("expected sequence {expected}, got {}", part.base_sequence),
                    });
                }
            } else if part.base_sequence != 0 {
                return Err(Refused {
                    error: ErrorCode::OutOfOrderSequenceNumber,
                    detail: "a new epoch must start at sequence 0".into(),
                });
            }
        }
        let ctx = AppendContext {
            log_end_offset: r.leo,
            leader_epoch: r.leader_epoch,
            now_ms: cx.node_time_ms(b),
        };
        let out = append(&part.bytes, &topic.config.wire, &ctx).map_err(|e| Refused {
            error: wire_error(&e),
            detail: e.to_string(),
        })?;
        let stored = StoredBatch {
            size_bytes: out.bytes.len() as u32,
            base_offset: out.base_offset,
            last_offset: out.last_offset,
            leader_epoch: r.leader_epoch,
            codec: out.stored_codec,
            records: out.records_count.max(0) as u32,
            producer_id: part.producer_id,
            producer_epoch: part.producer_epoch,
            base_sequence: part.base_sequence,
            max_timestamp_ms: out.max_timestamp,
            recompressed: out.mode == kwire::broker::AppendMode::Rebuilt,
            bytes: Arc::from(out.bytes),
            msg_ids: part.msg_ids.clone(),
        };
        o.log(LogEvent::Appended {
            broker: b,
            topic: cx.topic_name(tp),
            partition: tp.partition,
            base_offset: stored.base_offset,
            last_offset: stored.last_offset,
            size_bytes: stored.bytes.len(),
            codec: stored.codec.name().into(),
            leader_epoch: stored.leader_epoch,
            recompressed: stored.recompressed,
        });
        o.push(Output::Metric(BrokerMetric::RecordsAppended(
            stored.records as u64,
        )));
        let accepted = Accepted {
            base_offset: stored.base_offset,
            required_hw: stored.last_offset + 1,
            // The broker rewrote the batch's max timestamp with its own clock.
            log_append_time_ms: log_append_time.then_some(stored.max_timestamp_ms),
        };
        let rules = topic.config.segment_rules();
        let rolled = r.push(stored, cx.node_time_ms(b), &rules);
        log_rolled(cx, o, b, tp, rolled);
        Ok(accepted)
    }

    /// acks=all wait exceeded the request's `timeoutMs` ⇒ `REQUEST_TIMED_OUT` (docs/kafka-sources.md §6, acks=all item 4).
    fn delayed_produce_timeout(&mut self, o: &mut BrokerOut, pending_id: u64, incarnation: u64) {
        let br = &mut *self;
        if br.incarnation != incarnation || !br.up {
            return;
        }
        if let Some(p) = br.pending.get_mut(&pending_id) {
            for part in p.parts.iter_mut() {
                if part.result.is_none() {
                    part.result = Some(Err(ErrorCode::RequestTimedOut));
                }
            }
        }
        self.complete_pending(o);
    }

    /// Leader side of a follower fetch.
    fn handle_fetch(&mut self, cx: &Ctx, o: &mut BrokerOut, from: u32, req: FetchRequest) {
        let b = self.id;
        let now = cx.now_us;
        let tp = req.tp;
        let br = &mut *self;
        let Some(r) = br.replicas.get_mut(&tp) else {
            send_fetch_error(cx, o, b, from, &req, ErrorCode::UnknownTopicOrPartition);
            return;
        };
        if !r.is_leader || req.leader_epoch != r.leader_epoch {
            let e = if r.is_leader && req.leader_epoch > r.leader_epoch {
                ErrorCode::UnknownServerError
            } else {
                ErrorCode::NotLeaderOrFollower
            };
            send_fetch_error(cx, o, b, from, &req, e);
            return;
        }
        // Below the log start offset: `OFFSET_OUT_OF_RANGE` (`UnifiedLog.read`,
        // `checkLogStartOffset`), with the start offset the follower restarts at.
        if req.fetch_offset < r.log.log_start_offset() {
            let start = r.log.log_start_offset();
            send_fetch_error_at(cx, o, b, from, &req, ErrorCode::OffsetOutOfRange, start);
            return;
        }
        // The follower's last fetched epoch must end at or after its fetch offset here too;
        // otherwise its log diverges and it gets the epoch's end instead of data, and its fetch
        // state is not updated (`Partition.readRecords`, `Partition.fetchRecords`).
        if let Some(fetched_epoch) = req.last_fetched_epoch {
            let end = r.epochs.end_offset_for(fetched_epoch, r.leo);
            if end.epoch < fetched_epoch || end.end_offset < req.fetch_offset {
                let diverging = if end.end_offset == UNDEFINED_EPOCH_OFFSET {
                    // The leader has no epoch at or below it (`OffsetOutOfRange` in Kafka, which
                    // the follower answers by truncating to the leader's high watermark).
                    EpochEndOffset {
                        epoch: UNDEFINED_EPOCH,
                        end_offset: r.hw,
                    }
                } else {
                    end
                };
                let resp = FetchResponse {
                    tp,
                    gen: req.gen,
                    log_start_offset: r.log.log_start_offset(),
                    result: Ok(FetchData {
                        batches: Vec::new(),
                        high_watermark: r.hw,
                        diverging: Some(diverging),
                        folded: None,
                    }),
                };
                let size = resp_size(&resp);
                send_fetch_response(cx, o, b, from, resp, size);
                return;
            }
        }
        let leo = r.leo;
        if let Some(f) = r.followers.get_mut(&from) {
            // Kafka's lastCaughtUpTime rule (Replica.updateFetchState).
            if req.fetch_offset >= leo {
                f.last_caught_up_us = now;
            } else if req.fetch_offset >= f.last_fetch_leader_leo {
                f.last_caught_up_us = f.last_caught_up_us.max(f.last_fetch_us);
            }
            f.leo = req.fetch_offset;
            f.last_fetch_leader_leo = leo;
            f.last_fetch_us = now;
        }
        // ISR expansion: a follower that reached the HW rejoins (via the controller).
        let hw = r.hw;
        if !r.isr.contains(&from)
            && req.fetch_offset >= hw
            && r.followers.contains_key(&from)
            && cx.net.controller_reachable(b)
        {
            let mut isr = r.isr.clone();
            isr.push(from);
            isr.sort_unstable();
            // Until the controller confirms, the high watermark already counts the joining
            // follower ("maximal ISR", KIP-497).
            r.isr = isr.clone();
            alter_partition(o, tp, isr, format!("broker {from} caught up"));
        }
        self.maybe_advance_hw(cx, o, tp);
        let br = &mut *self;
        let Some(r) = br.replicas.get(&tp) else {
            return;
        };
        if req.fetch_offset < r.leo {
            let resp = fetch_data(r, &req);
            let size = resp_size(&resp);
            send_fetch_response(cx, o, b, from, resp, size);
        } else {
            let id = br.next_id;
            br.next_id += 1;
            let incarnation = br.incarnation;
            br.parked.insert(id, ParkedFetch { from, req });
            o.timer(
                now + cx.timing.fetch_wait_max_us,
                BrokerTimer::FetchWaitExpired {
                    parked_id: id,
                    incarnation,
                },
            );
        }
    }

    /// Answers parked fetches of `tp` (new data or a new HW).
    fn answer_parked(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp) {
        let br = &mut *self;
        let ids: Vec<u64> = br
            .parked
            .iter()
            .filter(|(_, p)| p.req.tp == tp)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.answer_parked_one(cx, o, id);
        }
    }

    fn answer_parked_one(&mut self, cx: &Ctx, o: &mut BrokerOut, id: u64) {
        let b = self.id;
        let br = &mut *self;
        let Some(p) = br.parked.remove(&id) else {
            return;
        };
        let resp = match br.replicas.get(&p.req.tp) {
            Some(r) if r.is_leader => fetch_data(r, &p.req),
            _ => FetchResponse {
                tp: p.req.tp,
                gen: p.req.gen,
                log_start_offset: -1,
                result: Err(ErrorCode::NotLeaderOrFollower),
            },
        };
        let size = resp_size(&resp);
        send_fetch_response(cx, o, b, p.from, resp, size);
    }

    fn fetch_wait_expired(&mut self, cx: &Ctx, o: &mut BrokerOut, id: u64, incarnation: u64) {
        if self.incarnation == incarnation && self.up {
            self.answer_parked_one(cx, o, id);
        }
    }

    /// Follower: sends the next fetch to the leader it believes in.
    fn follower_fetch(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp, gen: u64) {
        let b = self.id;
        let br = &*self;
        if !br.up {
            return;
        }
        let Some(r) = br.replicas.get(&tp) else {
            return;
        };
        if r.is_leader || r.fetch_gen != gen {
            return;
        }
        let Some(leader) = r.leader else { return };
        let req = FetchRequest {
            tp,
            fetch_offset: r.leo,
            leader_epoch: r.leader_epoch,
            last_fetched_epoch: r.epochs.latest_epoch(),
            gen,
        };
        o.transmit(Transmit {
            from: b,
            to: leader,
            payload: Payload::Fetch(req),
            size_bytes: 80,
            detail: format!(
                "{}-{} from offset {}",
                cx.topic_name(tp),
                tp.partition,
                r.leo
            ),
        });
        // replica.socket.timeout.ms (30 s) guards against a lost fetch: checked by the periodic
        // ISR task (`isr_check`) instead of one timer per fetch.
        if let Some(r) = self.replicas.get_mut(&tp) {
            r.fetch_sent_us = Some(cx.now_us);
        }
    }

    /// A fetch got no answer: start a new fetch loop.
    fn fetch_timeout(&mut self, cx: &Ctx, o: &mut BrokerOut, tp: Tp, gen: u64) {
        let br = &mut *self;
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        if r.fetch_gen != gen || r.is_leader || !br.up {
            return;
        }
        r.fetch_gen += 1;
        r.fetch_sent_us = None;
        let gen = r.fetch_gen;
        o.timer(cx.now_us, BrokerTimer::FollowerFetch { tp, gen });
    }

    /// Follower: appends fetched batches and schedules the next fetch.
    fn handle_fetch_response(&mut self, cx: &Ctx, o: &mut BrokerOut, resp: FetchResponse) {
        let b = self.id;
        let tp = resp.tp;
        let log_replication = cx.log.replication;
        let br = &mut *self;
        let slow = br.slow_fetch_us;
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        if r.is_leader || r.fetch_gen != resp.gen {
            return;
        }
        r.fetch_sent_us = None;
        r.fetch_gen += 1;
        let gen = r.fetch_gen;
        match resp.result {
            Ok(FetchData {
                diverging: Some(diverging),
                ..
            }) => {
                let from = r.leo;
                let target = r.truncation_offset(diverging);
                if r.truncate_to(target) {
                    let to = r.leo;
                    o.log(LogEvent::Truncated {
                        broker: b,
                        topic: cx.topic_name(tp),
                        partition: tp.partition,
                        from_offset: from,
                        to_offset: to,
                    });
                }
                o.timer(cx.now_us + slow, BrokerTimer::FollowerFetch { tp, gen });
            }
            Ok(FetchData {
                batches,
                high_watermark: leader_hw,
                diverging: None,
                folded,
            }) => {
                let from = r.leo;
                let now_ms = cx.node_time_ms(b);
                if let Some(run) = folded.filter(|f| f.end_offset > r.leo) {
                    r.log.push_folded(run, now_ms);
                    r.leo = run.end_offset;
                }
                let rules = cx
                    .topics
                    .get(tp.topic as usize)
                    .map(|t| t.config.segment_rules())
                    .unwrap_or(SegmentRules::KAFKA_DEFAULTS);
                for bt in batches {
                    if bt.base_offset >= r.leo {
                        let rolled = r.push(bt, now_ms, &rules);
                        log_rolled(cx, o, b, tp, rolled);
                    }
                }
                r.hw = r.hw.max(leader_hw.min(r.leo));
                r.log
                    .maybe_increment_log_start_offset(resp.log_start_offset.min(r.hw));
                if r.leo > from && log_replication {
                    let leo = r.leo;
                    o.log(LogEvent::Replicated {
                        broker: b,
                        topic: cx.topic_name(tp),
                        partition: tp.partition,
                        from_offset: from,
                        log_end_offset: leo,
                    });
                }
                o.timer(cx.now_us + slow, BrokerTimer::FollowerFetch { tp, gen });
            }
            // The leader no longer has the offsets this follower needs (retention deleted
            // them): start again, empty, at the leader's log start offset
            // (`AbstractFetcherThread.fetchOffsetAndTruncate`, `truncateFullyAndStartAt`).
            Err(ErrorCode::OffsetOutOfRange) if resp.log_start_offset > r.leo => {
                let from = r.leo;
                let start = resp.log_start_offset;
                r.log.truncate_fully_and_start_at(start, cx.node_time_ms(b));
                r.leo = start;
                r.hw = start;
                r.epochs = EpochCache::default();
                r.producers.clear();
                o.log(LogEvent::Truncated {
                    broker: b,
                    topic: cx.topic_name(tp),
                    partition: tp.partition,
                    from_offset: from,
                    to_offset: start,
                });
                o.timer(cx.now_us + slow, BrokerTimer::FollowerFetch { tp, gen });
            }
            Err(_) => {
                o.timer(
                    cx.now_us + cx.timing.fetch_backoff_us.max(slow),
                    BrokerTimer::FollowerFetch { tp, gen },
                );
            }
        }
    }

    /// Periodic ISR shrink (`replica.lag.time.max.ms`).
    fn isr_check(&mut self, cx: &Ctx, o: &mut BrokerOut, incarnation: u64) {
        let b = self.id;
        let br = &*self;
        if br.incarnation != incarnation || !br.up {
            return;
        }
        let now = cx.now_us;
        let lag = cx.timing.lag_time_max_us;
        // Fetches unanswered for replica.socket.timeout.ms (30 s) are abandoned and restarted.
        let stale: Vec<(Tp, u64)> = br
            .replicas
            .iter()
            .filter(|(_, r)| {
                !r.is_leader
                    && r.fetch_sent_us
                        .is_some_and(|t| now.saturating_sub(t) >= 30_000_000)
            })
            .map(|(tp, r)| (*tp, r.fetch_gen))
            .collect();
        for (tp, gen) in stale {
            self.fetch_timeout(cx, o, tp, gen);
        }
        let br = &*self;
        let mut changes = Vec::new();
        for (tp, r) in &br.replicas {
            if !r.is_leader {
                continue;
            }
            let out: Vec<u32> = r
                .isr
                .iter()
                .copied()
                .filter(|f| {
                    *f != b
                        && r.followers
                            .get(f)
                            .is_some_and(|s| now.saturating_sub(s.last_caught_up_us) > lag)
                })
                .collect();
            if !out.is_empty() {
                let isr: Vec<u32> = r.isr.iter().copied().filter(|f| !out.contains(f)).collect();
                changes.push((*tp, isr, out));
            }
        }
        if cx.net.controller_reachable(b) {
            for (tp, isr, out) in changes {
                alter_partition(
                    o,
                    tp,
                    isr,
                    format!("broker(s) {out:?} lagged more than replica.lag.time.max.ms"),
                );
            }
        }
        o.timer(now + lag / 2, BrokerTimer::IsrCheck { incarnation });
    }
}

/// Asks the controller for a new ISR (`AlterPartition`, KIP-497).
/// Logs a segment roll of broker `b`'s replica of `tp`, if there was one.
fn log_rolled(cx: &Ctx, o: &mut BrokerOut, b: u32, tp: Tp, rolled: Option<Rolled>) {
    if let Some(Rolled { base_offset, by }) = rolled {
        o.log(LogEvent::SegmentRolled {
            broker: b,
            topic: cx.topic_name(tp),
            partition: tp.partition,
            base_offset,
            by: by.into(),
        });
    }
}

fn alter_partition(o: &mut BrokerOut, tp: Tp, isr: Vec<u32>, reason: String) {
    o.push(Output::ToController(ControllerRequest::AlterPartition {
        tp,
        isr,
        reason,
    }));
}

fn fetch_data(r: &Replica, req: &FetchRequest) -> FetchResponse {
    // replica.fetch.max.bytes = 1 MiB, at least one batch. The first batch to send is found by
    // binary search (a fetch costs the same at any log length). Inside a folded run the answer
    // is the run itself, so a follower far behind catches up past it.
    let mut out = Vec::new();
    let mut folded = None;
    let mut size = 0usize;
    match r.log.lookup(req.fetch_offset) {
        Lookup::Folded { segment } => folded = r.log.folded(segment),
        Lookup::Batch { segment, index } => {
            for bt in r.log.batches_from(segment, index) {
                if !out.is_empty() && size + bt.bytes_len_stored() > 1_048_576 {
                    break;
                }
                size += bt.bytes_len_stored();
                out.push(bt.clone());
            }
        }
        Lookup::End => {}
    }
    FetchResponse {
        tp: req.tp,
        gen: req.gen,
        log_start_offset: r.log.log_start_offset(),
        result: Ok(FetchData {
            batches: out,
            high_watermark: r.hw,
            diverging: None,
            folded,
        }),
    }
}

fn resp_size(r: &FetchResponse) -> usize {
    80 + match &r.result {
        Ok(d) => d.batches.iter().map(|x| x.bytes_len_stored()).sum(),
        Err(_) => 0,
    }
}

/// A fetch answered with an error and no data.
fn send_fetch_error(
    cx: &Ctx,
    o: &mut BrokerOut,
    b: u32,
    to: u32,
    req: &FetchRequest,
    e: ErrorCode,
) {
    send_fetch_error_at(cx, o, b, to, req, e, -1);
}

/// A fetch answered with an error, no data, and the leader's log start offset.
fn send_fetch_error_at(
    cx: &Ctx,
    o: &mut BrokerOut,
    b: u32,
    to: u32,
    req: &FetchRequest,
    e: ErrorCode,
    log_start_offset: i64,
) {
    let resp = FetchResponse {
        tp: req.tp,
        gen: req.gen,
        log_start_offset,
        result: Err(e),
    };
    send_fetch_response(cx, o, b, to, resp, 0);
}

fn send_fetch_response(
    cx: &Ctx,
    o: &mut BrokerOut,
    b: u32,
    to: u32,
    resp: FetchResponse,
    size: usize,
) {
    let detail = match &resp.result {
        Ok(FetchData {
            diverging: Some(d), ..
        }) => format!(
            "{}-{}: diverging, epoch {} ended at offset {}",
            cx.topic_name(resp.tp),
            resp.tp.partition,
            d.epoch,
            d.end_offset
        ),
        Ok(d) => format!(
            "{}-{}: {} batch(es), HW {}",
            cx.topic_name(resp.tp),
            resp.tp.partition,
            d.batches.len(),
            d.high_watermark
        ),
        Err(e) => format!("{}-{}: {e}", cx.topic_name(resp.tp), resp.tp.partition),
    };
    o.transmit(Transmit {
        from: b,
        to,
        payload: Payload::FetchResponse(resp),
        size_bytes: size,
        detail,
    });
}

fn send_produce_response(o: &mut BrokerOut, b: u32, resp: ProduceResponse) {
    let size = 40 + 30 * resp.results.len();
    let detail = format!("response to request #{}", resp.req_id);
    o.transmit(Transmit {
        from: b,
        to: PRODUCER,
        payload: Payload::ProduceResponse(resp),
        size_bytes: size,
        detail,
    });
}

#[cfg(test)]
mod tests;
