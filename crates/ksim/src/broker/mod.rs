//! Brokers and the controller (Kafka 3.6 in KRaft mode, reference §5.2, §6).
//!
//! Each broker holds one `Replica` per assigned partition. The leader validates and stores
//! produced batches with the wire crate (`kwire::broker::append`: validation, in-place offset
//! assignment or recompression, reference §1.8, §2.3), checks idempotent producer state (§5.2),
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

use crate::error::ErrorCode;
use crate::log::LogEvent;
use crate::network::PRODUCER;
use crate::node::{BrokerMetric, Ctx, Outbox, Output, Transmit};
use crate::proto::{
    FetchData, FetchRequest, FetchResponse, Payload, ProduceRequest, ProduceResponse, StoredBatch,
    Tp,
};
use epoch_cache::{EpochCache, EpochEndOffset, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};
use kwire::broker::AppendContext;
use kwire::DecodeLimits;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;

/// Per producer id: epoch and the last 5 batches (AK `ProducerStateEntry`, reference §5.2).
#[derive(Debug, Clone, Default)]
pub(crate) struct ProducerEntry {
    pub epoch: i16,
    /// (first sequence, last sequence, base offset)
    pub batches: VecDeque<(i32, i32, i64)>,
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
    pub log: Vec<StoredBatch>,
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
            log: Vec::new(),
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
        e.batches
            .push_back((b.base_sequence, last_seq, b.base_offset));
        while e.batches.len() > 5 {
            e.batches.pop_front();
        }
    }

    fn push(&mut self, b: StoredBatch) {
        self.leo = b.last_offset + 1;
        self.epochs.assign(b.leader_epoch, b.base_offset);
        self.remember_producer(&b);
        self.log.push(b);
    }

    /// Truncates to `offset` (batch-aligned) and rebuilds producer state from the log. The epoch
    /// cache is truncated even when no batch goes: a replica that led an epoch without writing
    /// to it keeps a conflicting entry at its log end (as `UnifiedLog.truncateTo` does).
    fn truncate_to(&mut self, offset: i64) -> bool {
        if offset >= self.leo {
            self.epochs.truncate_from_end(self.leo);
            return false;
        }
        self.log.retain(|b| b.last_offset < offset);
        self.leo = self.log.last().map(|b| b.last_offset + 1).unwrap_or(0);
        self.epochs.truncate_from_end(self.leo);
        self.hw = self.hw.min(self.leo);
        self.producers.clear();
        let log = std::mem::take(&mut self.log);
        for b in &log {
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

/// One partition of a parked produce request: (tp, result so far, required HW, base offset).
type PendingPart = (Tp, Option<Result<i64, ErrorCode>>, i64, i64);

#[derive(Debug, Clone)]
struct PendingProduce {
    req_id: u64,
    /// (tp, result so far, required HW, base offset)
    parts: Vec<PendingPart>,
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
}

/// Controller view of one partition.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionMeta {
    pub replicas: Vec<u32>,
    pub leader: Option<u32>,
    pub leader_epoch: i32,
    pub isr: Vec<u32>,
}

/// The brokers' and the controller's timers, each with the reason it exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ClusterTimer {
    /// The controller fences a broker that is still silent (`broker.session.timeout.ms`).
    ControllerCheck { broker: u32 },
    /// A broker's periodic ISR check (every `replica.lag.time.max.ms / 2`), ignored after a crash.
    IsrCheck { broker: u32, incarnation: u64 },
    /// An acks=all request parked on a leader times out (`timeoutMs` of the request).
    DelayedProduceTimeout {
        broker: u32,
        pending_id: u64,
        incarnation: u64,
    },
    /// A parked follower fetch is answered even without new data (`replica.fetch.wait.max.ms`).
    FetchWaitExpired {
        broker: u32,
        parked_id: u64,
        incarnation: u64,
    },
    /// A follower sends its next fetch of one partition.
    FollowerFetch { broker: u32, tp: Tp, gen: u64 },
}

impl ClusterTimer {
    /// Why the timer exists, in words (`topic` names a topic by index).
    pub fn reason(&self, topic: impl Fn(Tp) -> String) -> String {
        match self {
            ClusterTimer::ControllerCheck { broker } => format!(
                "controller fences broker {broker} if it is still silent (broker.session.timeout.ms)"
            ),
            ClusterTimer::IsrCheck { broker, .. } => {
                format!("broker {broker} checks follower lag (replica.lag.time.max.ms)")
            }
            ClusterTimer::DelayedProduceTimeout { broker, .. } => {
                format!("an acks=all wait on broker {broker} may time out")
            }
            ClusterTimer::FetchWaitExpired { broker, .. } => {
                format!("broker {broker} answers a parked fetch (replica.fetch.wait.max.ms)")
            }
            ClusterTimer::FollowerFetch { broker, tp, .. } => {
                format!("follower {broker} fetches {}-{}", topic(*tp), tp.partition)
            }
        }
    }
}

/// What the brokers and the controller are told: a message arrived at a broker, or a timer fired.
#[derive(Debug, Clone)]
pub(crate) enum ClusterInput {
    Message {
        from: u32,
        to: u32,
        payload: Payload,
    },
    Timer(ClusterTimer),
}

pub(crate) type ClusterOut = Outbox<ClusterTimer>;

#[derive(Debug, Clone)]
pub(crate) struct Cluster {
    pub brokers: Vec<Broker>,
    pub parts: BTreeMap<Tp, PartitionMeta>,
    /// Brokers the controller has fenced (no heartbeat for the session timeout).
    pub fenced: BTreeSet<u32>,
    /// Controller checks scheduled but not yet run (work in progress for idleness).
    pub pending_checks: u32,
    out: ClusterOut,
}

/// The leader's append (reference §1.8, §2.3): `kwire::broker::append`, except when no
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

impl Cluster {
    pub fn new(brokers: u32) -> Cluster {
        Cluster {
            brokers: (1..=brokers)
                .map(|id| Broker {
                    id,
                    up: true,
                    incarnation: 0,
                    replicas: BTreeMap::new(),
                    pending: BTreeMap::new(),
                    parked: BTreeMap::new(),
                    next_id: 0,
                    fail_next: VecDeque::new(),
                    slow_fetch_us: 0,
                })
                .collect(),
            parts: BTreeMap::new(),
            fenced: BTreeSet::new(),
            pending_checks: 0,
            out: ClusterOut::default(),
        }
    }

    /// The next thing the driver must do for the cluster, in the order queued.
    pub fn poll_output(&mut self) -> Option<Output<ClusterTimer>> {
        self.out.pop()
    }

    /// Runs `f` with the outbox as a separate borrow (node code passes `o` along like state).
    fn with_out<R>(&mut self, f: impl FnOnce(&mut Cluster, &mut ClusterOut) -> R) -> R {
        let mut o = std::mem::take(&mut self.out);
        let r = f(self, &mut o);
        self.out.append(&mut o);
        r
    }

    /// Handles one input at `cx.now_us`.
    pub fn handle(&mut self, cx: &Ctx, input: ClusterInput) {
        self.with_out(|c, o| match input {
            ClusterInput::Message { from, to, payload } => match payload {
                Payload::Produce(req) => c.handle_produce(cx, o, to, &req),
                Payload::Fetch(req) => c.handle_fetch(cx, o, to, from, req),
                Payload::FetchResponse(resp) => c.handle_fetch_response(cx, o, to, resp),
                // Brokers are never sent produce responses.
                Payload::ProduceResponse(_) => {}
            },
            ClusterInput::Timer(t) => match t {
                ClusterTimer::ControllerCheck { broker } => c.controller_check(cx, o, broker),
                ClusterTimer::IsrCheck {
                    broker,
                    incarnation,
                } => c.isr_check(cx, o, broker, incarnation),
                ClusterTimer::DelayedProduceTimeout {
                    broker,
                    pending_id,
                    incarnation,
                } => c.delayed_produce_timeout(o, broker, pending_id, incarnation),
                ClusterTimer::FetchWaitExpired {
                    broker,
                    parked_id,
                    incarnation,
                } => c.fetch_wait_expired(cx, o, broker, parked_id, incarnation),
                ClusterTimer::FollowerFetch { broker, tp, gen } => {
                    c.follower_fetch(cx, o, broker, tp, gen)
                }
            },
        })
    }

    /// Starts every broker's periodic ISR check.
    pub fn start_timers(&mut self, cx: &Ctx) {
        self.with_out(|c, o| c.start(cx, o))
    }

    /// Creates topic `topic`'s partitions; returns the replica assignment.
    pub fn create_partitions(
        &mut self,
        cx: &Ctx,
        topic: u32,
        partitions: u32,
        rf: u32,
    ) -> Vec<Vec<u32>> {
        self.with_out(|c, o| c.create_topic(cx, o, topic, partitions, rf))
    }

    /// `Fault::Crash` (the network already counts the broker as down).
    pub fn crash_broker(&mut self, cx: &Ctx, b: u32) {
        self.with_out(|c, o| c.crash(cx, o, b))
    }

    /// `Fault::Restart` (the network already counts the broker as up).
    pub fn restart_broker(&mut self, cx: &Ctx, b: u32) {
        self.with_out(|c, o| c.restart(cx, o, b))
    }

    /// `Fault::Isolate` (the network already cuts the broker off).
    pub fn isolate_broker(&mut self, cx: &Ctx, b: u32, was_reachable: bool) {
        self.with_out(|c, o| c.isolated(cx, o, b, was_reachable))
    }

    /// `Fault::Heal` (the network no longer isolates the broker).
    pub fn heal_broker(&mut self, cx: &Ctx, b: u32) {
        self.with_out(|c, o| c.healed(cx, o, b))
    }

    /// `Fault::FailNextProduce`: the next `after` ProduceRequests pass, then `count` fail with
    /// `error`.
    pub fn inject_produce_errors(&mut self, b: u32, after: u32, count: u32, error: ErrorCode) {
        if let Some(br) = self.broker_mut(b) {
            for _ in 0..after {
                br.fail_next.push_back(None);
            }
            for _ in 0..count {
                br.fail_next.push_back(Some(error));
            }
        }
    }

    /// `Fault::SlowFollower`: broker `b` waits this long before each fetch.
    pub fn set_slow_fetch(&mut self, b: u32, delay_us: u64) {
        if let Some(br) = self.broker_mut(b) {
            br.slow_fetch_us = delay_us;
        }
    }

    fn broker_mut(&mut self, id: u32) -> Option<&mut Broker> {
        self.brokers.get_mut((id as usize).wrapping_sub(1))
    }

    pub fn broker(&self, id: u32) -> Option<&Broker> {
        self.brokers.get((id as usize).wrapping_sub(1))
    }

    /// Schedules the periodic ISR check of every broker (every `replica.lag.time.max.ms / 2`,
    /// as Kafka's isr-expiration task).
    fn start(&mut self, cx: &Ctx, o: &mut ClusterOut) {
        for b in &self.brokers {
            o.timer(
                cx.now_us + cx.timing.lag_time_max_us / 2,
                ClusterTimer::IsrCheck {
                    broker: b.id,
                    incarnation: b.incarnation,
                },
            );
        }
    }

    /// Creates a topic's partitions with round-robin placement; the first replica leads.
    fn create_topic(
        &mut self,
        cx: &Ctx,
        o: &mut ClusterOut,
        topic: u32,
        partitions: u32,
        rf: u32,
    ) -> Vec<Vec<u32>> {
        let n = self.brokers.len() as u32;
        let mut assignment = Vec::new();
        for p in 0..partitions {
            let replicas: Vec<u32> = (0..rf).map(|i| (p + i) % n + 1).collect();
            let alive: Vec<u32> = replicas
                .iter()
                .copied()
                .filter(|b| !self.fenced.contains(b))
                .collect();
            let tp = Tp {
                topic,
                partition: p,
            };
            let leader = alive.first().copied();
            self.parts.insert(
                tp,
                PartitionMeta {
                    replicas: replicas.clone(),
                    leader,
                    leader_epoch: 0,
                    isr: if alive.is_empty() {
                        replicas.clone()
                    } else {
                        alive
                    },
                },
            );
            for &b in &replicas {
                if let Some(br) = self.broker_mut(b) {
                    br.replicas.insert(tp, Replica::new());
                }
            }
            for &b in &replicas {
                self.sync_replica(cx, o, b, tp);
            }
            assignment.push(replicas);
        }
        assignment
    }

    /// Brings broker `b`'s replica of `tp` in line with the controller (if it can hear it).
    fn sync_replica(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, tp: Tp) {
        let Some(meta) = self.parts.get(&tp).cloned() else {
            return;
        };
        let Some(br) = self.broker(b) else { return };
        if !br.up || !cx.net.controller_reachable(b) {
            return;
        }
        let Some(rep) = br.replicas.get(&tp) else {
            return;
        };
        if meta.leader == Some(b) {
            if !rep.is_leader || rep.leader_epoch != meta.leader_epoch {
                self.become_leader(cx, o, b, tp, &meta);
            } else {
                let isr = meta.isr.clone();
                if let Some(r) = self.broker_mut(b).and_then(|x| x.replicas.get_mut(&tp)) {
                    r.isr = isr;
                }
            }
        } else if rep.is_leader
            || rep.leader != meta.leader
            || rep.leader_epoch != meta.leader_epoch
        {
            self.become_follower(cx, o, b, tp, &meta);
        }
    }

    fn become_leader(
        &mut self,
        cx: &Ctx,
        o: &mut ClusterOut,
        b: u32,
        tp: Tp,
        meta: &PartitionMeta,
    ) {
        let now = cx.now_us;
        let Some(br) = self.broker_mut(b) else { return };
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
        self.maybe_advance_hw(cx, o, b, tp);
    }

    fn become_follower(
        &mut self,
        cx: &Ctx,
        o: &mut ClusterOut,
        b: u32,
        tp: Tp,
        meta: &PartitionMeta,
    ) {
        // Fail produce requests parked for this partition: leadership lost (reference §6, 5).
        self.fail_pending_for(o, b, tp, ErrorCode::NotLeaderOrFollower);
        let now = cx.now_us;
        let Some(br) = self.broker_mut(b) else { return };
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
            o.timer(now, ClusterTimer::FollowerFetch { broker: b, tp, gen });
        }
    }

    fn fail_pending_for(&mut self, o: &mut ClusterOut, b: u32, tp: Tp, err: ErrorCode) {
        let Some(br) = self.broker_mut(b) else { return };
        let ids: Vec<u64> = br
            .pending
            .iter()
            .filter(|(_, p)| p.parts.iter().any(|x| x.0 == tp))
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            if let Some(p) = br.pending.get_mut(&id) {
                for part in p.parts.iter_mut() {
                    if part.0 == tp && part.1.is_none() {
                        part.1 = Some(Err(err));
                    }
                }
            }
        }
        self.complete_pending(o, b);
    }

    /// Sends responses for parked produce requests whose partitions are all decided.
    fn complete_pending(&mut self, o: &mut ClusterOut, b: u32) {
        let Some(br) = self.broker_mut(b) else { return };
        let done: Vec<u64> = br
            .pending
            .iter()
            .filter(|(_, p)| p.parts.iter().all(|x| x.1.is_some()))
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
                        .map(|(tp, r, _, _)| (tp, r.unwrap_or(Err(ErrorCode::UnknownServerError))))
                        .collect(),
                });
            }
        }
        for resp in responses {
            send_produce_response(o, b, resp);
        }
    }

    /// Leader: HW = min LEO over the ISR; completes acks=all requests (reference §6).
    pub(crate) fn maybe_advance_hw(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, tp: Tp) {
        let min_isr = cx
            .topics
            .get(tp.topic as usize)
            .map(|t| t.config.min_insync_replicas)
            .unwrap_or(1);
        let Some(br) = self.broker_mut(b) else { return };
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
                for part in p.parts.iter_mut() {
                    if part.0 == tp && part.1.is_none() && hw >= part.2 {
                        part.1 = Some(if isr_len >= min_isr {
                            Ok(part.3)
                        } else {
                            Err(ErrorCode::NotEnoughReplicasAfterAppend)
                        });
                    }
                }
            }
            self.complete_pending(o, b);
            self.answer_parked(cx, o, b, tp);
        }
    }

    /// Handles a ProduceRequest on broker `b` (reference §1.8, §5.2, §6).
    fn handle_produce(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, req: &ProduceRequest) {
        let now_ms = cx.node_time_ms(b);
        let Some(br) = self.broker_mut(b) else { return };
        let injected = br.fail_next.pop_front().flatten();
        let mut parts: Vec<PendingPart> = Vec::new();
        let mut appended = Vec::new();
        for part in &req.parts {
            let tp = part.tp;
            let topic = cx.topics.get(tp.topic as usize).map(|t| t.config.clone());
            let tname = cx.topic_name(tp);
            // Ok((base offset, required HW or -1 when nothing was appended))
            let res: Result<(i64, i64), (ErrorCode, String)> = (|| {
                if let Some(e) = injected {
                    return Err((e, "(injected)".into()));
                }
                let no = |e: ErrorCode| (e, String::new());
                let topic = topic
                    .as_ref()
                    .ok_or(no(ErrorCode::UnknownTopicOrPartition))?;
                let r = br
                    .replicas
                    .get_mut(&tp)
                    .ok_or(no(ErrorCode::UnknownTopicOrPartition))?;
                if !r.is_leader {
                    return Err(no(ErrorCode::NotLeaderOrFollower));
                }
                if !matches!(req.acks, -1..=1) {
                    return Err(no(ErrorCode::InvalidRequiredAcks));
                }
                if req.acks == -1 && (r.isr.len() as u32) < topic.min_insync_replicas {
                    return Err((
                        ErrorCode::NotEnoughReplicas,
                        format!(
                            "ISR {:?} < min.insync.replicas {}",
                            r.isr, topic.min_insync_replicas
                        ),
                    ));
                }
                if part.producer_id >= 0 {
                    if let Some(e) = r.producers.get(&part.producer_id) {
                        let last_seq = part.base_sequence.wrapping_add(part.records as i32 - 1);
                        if part.producer_epoch < e.epoch {
                            return Err(no(ErrorCode::InvalidProducerEpoch));
                        }
                        if part.producer_epoch == e.epoch {
                            if let Some(d) = e
                                .batches
                                .iter()
                                .find(|x| x.0 == part.base_sequence && x.1 == last_seq)
                            {
                                o.log(LogEvent::DuplicateBatch {
                                    broker: b,
                                    topic: tname.clone(),
                                    partition: tp.partition,
                                    producer_id: part.producer_id,
                                    base_sequence: part.base_sequence,
                                    original_offset: d.2,
                                });
                                o.push(Output::Metric(BrokerMetric::DuplicateDetected));
                                // Acked like the original append: acks=all still waits for
                                // the high watermark to cover it (delayed produce).
                                return Ok((d.2, d.2 + (d.1.wrapping_sub(d.0)) as i64 + 1));
                            }
                            let expected =
                                e.batches.back().map(|x| x.1.wrapping_add(1)).unwrap_or(0);
                            if part.base_sequence != expected {
                                return Err((
                                    ErrorCode::OutOfOrderSequenceNumber,
                                    format!(
                                        "expected sequence {expected}, got {}",
                                        part.base_sequence
                                    ),
                                ));
                            }
                        } else if part.base_sequence != 0 {
                            return Err((
                                ErrorCode::OutOfOrderSequenceNumber,
                                "a new epoch must start at sequence 0".into(),
                            ));
                        }
                    }
                }
                let ctx = AppendContext {
                    log_end_offset: r.leo,
                    leader_epoch: r.leader_epoch,
                    now_ms,
                };
                let out = append(&part.bytes, &topic.wire, &ctx)
                    .map_err(|e| (wire_error(&e), e.to_string()))?;
                let stored = StoredBatch {
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
                };
                o.log(LogEvent::Appended {
                    broker: b,
                    topic: tname.clone(),
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
                let (base, last) = (stored.base_offset, stored.last_offset);
                r.push(stored);
                Ok((base, last + 1))
            })();
            match res {
                Ok((base, required)) => {
                    if required >= 0 {
                        appended.push(tp);
                    }
                    if req.acks == -1 && required >= 0 {
                        parts.push((tp, None, required, base));
                    } else {
                        parts.push((tp, Some(Ok(base)), required, base));
                    }
                }
                Err((e, detail)) => {
                    o.log(LogEvent::ProduceRejected {
                        broker: b,
                        topic: tname,
                        partition: tp.partition,
                        error: e,
                        detail,
                    });
                    parts.push((tp, Some(Err(e)), -1, -1));
                }
            }
        }
        if req.acks == 0 {
            // acks=0: no response at all (reference §6).
            for tp in appended {
                self.answer_parked(cx, o, b, tp);
                self.maybe_advance_hw(cx, o, b, tp);
            }
            return;
        }
        // Parts whose data is already committed (e.g. a duplicate) are answered at once.
        let min_isr = |tp: Tp| {
            cx.topics
                .get(tp.topic as usize)
                .map(|t| t.config.min_insync_replicas)
                .unwrap_or(1)
        };
        for part in parts.iter_mut() {
            if part.1.is_none() {
                if let Some(r) = br.replicas.get(&part.0) {
                    if r.hw >= part.2 {
                        part.1 = Some(if r.isr.len() as u32 >= min_isr(part.0) {
                            Ok(part.3)
                        } else {
                            Err(ErrorCode::NotEnoughReplicasAfterAppend)
                        });
                    }
                }
            }
        }
        let timeout_us = req.timeout_ms.saturating_mul(1000);
        let incarnation = br.incarnation;
        let pending_id = br.next_id;
        br.next_id += 1;
        br.pending.insert(
            pending_id,
            PendingProduce {
                req_id: req.req_id,
                parts,
            },
        );
        o.timer(
            cx.now_us + timeout_us,
            ClusterTimer::DelayedProduceTimeout {
                broker: b,
                pending_id,
                incarnation,
            },
        );
        for tp in appended {
            self.answer_parked(cx, o, b, tp);
            self.maybe_advance_hw(cx, o, b, tp);
        }
        self.complete_pending(o, b);
    }

    /// acks=all wait exceeded the request's `timeoutMs` ⇒ `REQUEST_TIMED_OUT` (reference §6, 4).
    fn delayed_produce_timeout(
        &mut self,
        o: &mut ClusterOut,
        b: u32,
        pending_id: u64,
        incarnation: u64,
    ) {
        let Some(br) = self.broker_mut(b) else { return };
        if br.incarnation != incarnation || !br.up {
            return;
        }
        if let Some(p) = br.pending.get_mut(&pending_id) {
            for part in p.parts.iter_mut() {
                if part.1.is_none() {
                    part.1 = Some(Err(ErrorCode::RequestTimedOut));
                }
            }
        }
        self.complete_pending(o, b);
    }

    /// Leader side of a follower fetch.
    fn handle_fetch(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, from: u32, req: FetchRequest) {
        let now = cx.now_us;
        let tp = req.tp;
        let Some(br) = self.broker_mut(b) else { return };
        let Some(r) = br.replicas.get_mut(&tp) else {
            send_fetch_response(
                cx,
                o,
                b,
                from,
                FetchResponse {
                    tp,
                    gen: req.gen,
                    result: Err(ErrorCode::UnknownTopicOrPartition),
                },
                0,
            );
            return;
        };
        if !r.is_leader || req.leader_epoch != r.leader_epoch {
            let e = if r.is_leader && req.leader_epoch > r.leader_epoch {
                ErrorCode::UnknownServerError
            } else {
                ErrorCode::NotLeaderOrFollower
            };
            send_fetch_response(
                cx,
                o,
                b,
                from,
                FetchResponse {
                    tp,
                    gen: req.gen,
                    result: Err(e),
                },
                0,
            );
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
                    result: Ok(FetchData {
                        batches: Vec::new(),
                        high_watermark: r.hw,
                        diverging: Some(diverging),
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
            self.set_isr(cx, o, tp, isr, format!("broker {from} caught up"));
        }
        self.maybe_advance_hw(cx, o, b, tp);
        let Some(br) = self.broker_mut(b) else { return };
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
                ClusterTimer::FetchWaitExpired {
                    broker: b,
                    parked_id: id,
                    incarnation,
                },
            );
        }
    }

    /// Answers parked fetches of `tp` (new data or a new HW).
    fn answer_parked(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, tp: Tp) {
        let Some(br) = self.broker_mut(b) else { return };
        let ids: Vec<u64> = br
            .parked
            .iter()
            .filter(|(_, p)| p.req.tp == tp)
            .map(|(id, _)| *id)
            .collect();
        for id in ids {
            self.answer_parked_one(cx, o, b, id);
        }
    }

    fn answer_parked_one(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, id: u64) {
        let Some(br) = self.broker_mut(b) else { return };
        let Some(p) = br.parked.remove(&id) else {
            return;
        };
        let resp = match br.replicas.get(&p.req.tp) {
            Some(r) if r.is_leader => fetch_data(r, &p.req),
            _ => FetchResponse {
                tp: p.req.tp,
                gen: p.req.gen,
                result: Err(ErrorCode::NotLeaderOrFollower),
            },
        };
        let size = resp_size(&resp);
        send_fetch_response(cx, o, b, p.from, resp, size);
    }

    fn fetch_wait_expired(
        &mut self,
        cx: &Ctx,
        o: &mut ClusterOut,
        b: u32,
        id: u64,
        incarnation: u64,
    ) {
        if self
            .broker(b)
            .is_some_and(|br| br.incarnation == incarnation && br.up)
        {
            self.answer_parked_one(cx, o, b, id);
        }
    }

    /// Follower: sends the next fetch to the leader it believes in.
    fn follower_fetch(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, tp: Tp, gen: u64) {
        let Some(br) = self.broker(b) else { return };
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
        if let Some(r) = self.broker_mut(b).and_then(|x| x.replicas.get_mut(&tp)) {
            r.fetch_sent_us = Some(cx.now_us);
        }
    }

    /// A fetch got no answer: start a new fetch loop.
    fn fetch_timeout(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, tp: Tp, gen: u64) {
        let Some(br) = self.broker_mut(b) else { return };
        let Some(r) = br.replicas.get_mut(&tp) else {
            return;
        };
        if r.fetch_gen != gen || r.is_leader || !br.up {
            return;
        }
        r.fetch_gen += 1;
        r.fetch_sent_us = None;
        let gen = r.fetch_gen;
        o.timer(
            cx.now_us,
            ClusterTimer::FollowerFetch { broker: b, tp, gen },
        );
    }

    /// Follower: appends fetched batches and schedules the next fetch.
    fn handle_fetch_response(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, resp: FetchResponse) {
        let tp = resp.tp;
        let log_replication = cx.log.replication;
        let Some(br) = self.broker_mut(b) else { return };
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
                o.timer(
                    cx.now_us + slow,
                    ClusterTimer::FollowerFetch { broker: b, tp, gen },
                );
            }
            Ok(FetchData {
                batches,
                high_watermark: leader_hw,
                diverging: None,
            }) => {
                let from = r.leo;
                for bt in batches {
                    if bt.base_offset >= r.leo {
                        r.push(bt);
                    }
                }
                r.hw = r.hw.max(leader_hw.min(r.leo));
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
                o.timer(
                    cx.now_us + slow,
                    ClusterTimer::FollowerFetch { broker: b, tp, gen },
                );
            }
            Err(_) => {
                o.timer(
                    cx.now_us + cx.timing.fetch_backoff_us.max(slow),
                    ClusterTimer::FollowerFetch { broker: b, tp, gen },
                );
            }
        }
    }

    /// Controller: records a new ISR and tells the leader (reference §6: ISR changes go through
    /// the controller, so an isolated leader cannot shrink its ISR).
    fn set_isr(&mut self, cx: &Ctx, o: &mut ClusterOut, tp: Tp, isr: Vec<u32>, reason: String) {
        let Some(meta) = self.parts.get_mut(&tp) else {
            return;
        };
        if meta.isr == isr {
            return;
        }
        meta.isr = isr.clone();
        o.log(LogEvent::IsrChanged {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            isr: isr.clone(),
            reason,
        });
        if let Some(l) = meta.leader {
            if let Some(r) = self.broker_mut(l).and_then(|br| br.replicas.get_mut(&tp)) {
                if r.is_leader {
                    r.isr = isr;
                }
            }
            self.maybe_advance_hw(cx, o, l, tp);
        }
    }

    /// Periodic ISR shrink (`replica.lag.time.max.ms`).
    fn isr_check(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, incarnation: u64) {
        let Some(br) = self.broker(b) else { return };
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
            self.fetch_timeout(cx, o, b, tp, gen);
        }
        let Some(br) = self.broker(b) else { return };
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
                self.set_isr(
                    cx,
                    o,
                    tp,
                    isr,
                    format!("broker(s) {out:?} lagged more than replica.lag.time.max.ms"),
                );
            }
        }
        o.timer(
            now + lag / 2,
            ClusterTimer::IsrCheck {
                broker: b,
                incarnation,
            },
        );
    }

    /// A broker became unreachable to the controller (crash or isolation): fence it after the
    /// session timeout.
    fn broker_lost(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        self.pending_checks += 1;
        o.timer(
            cx.now_us + cx.timing.session_timeout_us,
            ClusterTimer::ControllerCheck { broker: b },
        );
    }

    /// Controller: fence `b` if it is still unreachable, and re-elect its partitions.
    fn controller_check(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        self.pending_checks = self.pending_checks.saturating_sub(1);
        if cx.net.controller_reachable(b) || self.fenced.contains(&b) {
            return;
        }
        self.fence(cx, o, b);
    }

    /// The partitions with a replica on broker `b`, in partition order.
    fn partitions_hosted_by(&self, b: u32) -> Vec<Tp> {
        self.parts
            .iter()
            .filter(|(_, m)| m.replicas.contains(&b))
            .map(|(tp, _)| *tp)
            .collect()
    }

    fn fence(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        self.fenced.insert(b);
        o.log(LogEvent::BrokerFenced { broker: b });
        let tps = self.partitions_hosted_by(b);
        for tp in tps {
            let Some(meta) = self.parts.get(&tp).cloned() else {
                continue;
            };
            let mut isr: Vec<u32> = meta.isr.iter().copied().filter(|x| *x != b).collect();
            if meta.leader == Some(b) {
                let unclean_ok = cx
                    .topics
                    .get(tp.topic as usize)
                    .is_some_and(|t| t.config.unclean_leader_election);
                let clean = meta
                    .replicas
                    .iter()
                    .copied()
                    .find(|r| isr.contains(r) && !self.fenced.contains(r));
                let (leader, unclean) = match clean {
                    Some(l) => (Some(l), false),
                    None if unclean_ok => (
                        meta.replicas
                            .iter()
                            .copied()
                            .find(|r| !self.fenced.contains(r)),
                        true,
                    ),
                    None => (None, false),
                };
                if isr.is_empty() {
                    // KRaft keeps the last ISR member when no one else is left.
                    isr = if unclean {
                        leader.into_iter().collect()
                    } else {
                        vec![b]
                    };
                }
                if unclean {
                    isr = leader.into_iter().collect();
                }
                self.elect(cx, o, tp, leader, isr, unclean);
            } else if meta.isr.contains(&b) && !isr.is_empty() {
                self.set_isr(cx, o, tp, isr, format!("broker {b} fenced"));
            }
        }
    }

    fn elect(
        &mut self,
        cx: &Ctx,
        o: &mut ClusterOut,
        tp: Tp,
        leader: Option<u32>,
        isr: Vec<u32>,
        unclean: bool,
    ) {
        let Some(meta) = self.parts.get_mut(&tp) else {
            return;
        };
        meta.leader = leader;
        meta.leader_epoch += 1;
        let isr_changed = meta.isr != isr;
        meta.isr = isr.clone();
        let (epoch, replicas) = (meta.leader_epoch, meta.replicas.clone());
        o.log(LogEvent::LeaderElected {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            leader,
            leader_epoch: epoch,
            unclean,
        });
        if isr_changed {
            o.log(LogEvent::IsrChanged {
                topic: cx.topic_name(tp),
                partition: tp.partition,
                isr,
                reason: "leader election".into(),
            });
        }
        // The new leader first, then the followers (they truncate against it).
        if let Some(l) = leader {
            self.sync_replica(cx, o, l, tp);
        }
        for r in replicas {
            if Some(r) != leader {
                self.sync_replica(cx, o, r, tp);
            }
        }
    }

    /// A broker can reach the controller again (restart or heal): unfence it, elect it where a
    /// partition has no leader and it is eligible, and sync all its replicas.
    fn broker_back(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        if self.fenced.remove(&b) {
            o.log(LogEvent::BrokerUnfenced { broker: b });
        }
        let tps = self.partitions_hosted_by(b);
        for tp in &tps {
            let Some(meta) = self.parts.get(tp).cloned() else {
                continue;
            };
            if meta.leader.is_none() {
                let unclean_ok = cx
                    .topics
                    .get(tp.topic as usize)
                    .is_some_and(|t| t.config.unclean_leader_election);
                if meta.isr.contains(&b) {
                    self.elect(cx, o, *tp, Some(b), meta.isr.clone(), false);
                } else if unclean_ok {
                    self.elect(cx, o, *tp, Some(b), vec![b], true);
                }
            }
        }
        for tp in tps {
            self.sync_replica(cx, o, b, tp);
        }
    }

    /// `Fault::Crash`: the process stops; volatile state is lost, the log stays.
    fn crash(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        let Some(br) = self.broker_mut(b) else { return };
        if !br.up {
            return;
        }
        br.up = false;
        br.incarnation += 1;
        br.pending.clear();
        br.parked.clear();
        for r in br.replicas.values_mut() {
            r.fetch_gen += 1;
        }
        self.broker_lost(cx, o, b);
    }

    /// `Fault::Restart`: the broker starts again; it re-registers and becomes a follower (or the
    /// leader where it is the only eligible replica). Its replicas forget their roles.
    fn restart(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        let Some(br) = self.broker_mut(b) else { return };
        if br.up {
            return;
        }
        br.up = true;
        let incarnation = br.incarnation;
        for r in br.replicas.values_mut() {
            r.is_leader = false;
            r.leader = None;
            r.leader_epoch = -1;
            r.isr.clear();
            r.followers.clear();
        }
        // A restarted broker that the controller had not fenced yet is a new incarnation:
        // its partitions are re-elected first.
        if !self.fenced.contains(&b) {
            self.fence(cx, o, b);
        }
        self.broker_back(cx, o, b);
        o.timer(
            cx.now_us + cx.timing.lag_time_max_us / 2,
            ClusterTimer::IsrCheck {
                broker: b,
                incarnation,
            },
        );
    }

    /// `Fault::Isolate`: the network now cuts broker `b` off; `was_reachable` says whether the
    /// controller could hear it until now.
    fn isolated(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32, was_reachable: bool) {
        if self.broker(b).is_some() && was_reachable {
            self.broker_lost(cx, o, b);
        }
    }

    /// `Fault::Heal`: the network no longer isolates broker `b`.
    fn healed(&mut self, cx: &Ctx, o: &mut ClusterOut, b: u32) {
        if self.broker(b).is_some_and(|x| x.up) {
            self.broker_back(cx, o, b);
        }
    }

    /// Idle check: every live, reachable replica has caught up and every HW equals its LEO.
    pub fn settled(&self, cx: &Ctx) -> bool {
        if self.pending_checks > 0 {
            return false;
        }
        for (tp, meta) in &self.parts {
            let Some(l) = meta.leader else { continue };
            let Some(lr) = self.broker(l).and_then(|b| b.replicas.get(tp)) else {
                continue;
            };
            if !self.broker(l).is_some_and(|b| b.up) {
                continue;
            }
            if lr.is_leader && lr.hw < lr.leo && meta.isr.iter().all(|x| !cx.net.cut(l, *x)) {
                return false;
            }
            for &f in &meta.replicas {
                if f == l || cx.net.cut(l, f) || cx.net.down.contains(&f) {
                    continue;
                }
                if let Some(fr) = self.broker(f).and_then(|b| b.replicas.get(tp)) {
                    if fr.leo != lr.leo {
                        return false;
                    }
                }
                // A healthy, reachable follower that is not in the ISR yet is still rejoining.
                let healthy = self.broker(f).is_some_and(|b| b.slow_fetch_us == 0)
                    && !self.fenced.contains(&f)
                    && cx.net.controller_reachable(l);
                if healthy && !meta.isr.contains(&f) {
                    return false;
                }
            }
        }
        self.brokers.iter().all(|b| b.pending.is_empty() || !b.up)
    }
}

fn fetch_data(r: &Replica, req: &FetchRequest) -> FetchResponse {
    // replica.fetch.max.bytes = 1 MiB, at least one batch. The log is in offset order, so the
    // first batch to send is found by binary search (a fetch costs the same at any log length).
    let mut out = Vec::new();
    let mut size = 0usize;
    let first = r.log.partition_point(|x| x.last_offset < req.fetch_offset);
    for bt in &r.log[first..] {
        if !out.is_empty() && size + bt.bytes.len() > 1_048_576 {
            break;
        }
        size += bt.bytes.len();
        out.push(bt.clone());
    }
    FetchResponse {
        tp: req.tp,
        gen: req.gen,
        result: Ok(FetchData {
            batches: out,
            high_watermark: r.hw,
            diverging: None,
        }),
    }
}

fn resp_size(r: &FetchResponse) -> usize {
    80 + match &r.result {
        Ok(d) => d.batches.iter().map(|x| x.bytes.len()).sum(),
        Err(_) => 0,
    }
}

fn send_fetch_response(
    cx: &Ctx,
    o: &mut ClusterOut,
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

fn send_produce_response(o: &mut ClusterOut, b: u32, resp: ProduceResponse) {
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
mod tests {
    use super::*;
    use kwire::{BatchSpec, Codec, Compression, Record};

    #[test]
    fn fast_append_stores_the_same_bytes_as_the_wire_crate() {
        let records: Vec<Record> = (0..20)
            .map(|i| Record {
                timestamp_ms: 1_700_000_000_000 + i,
                key: Some(format!("k{i}").into_bytes()),
                value: Some(b"some value some value some value".to_vec()),
                headers: vec![],
            })
            .collect();
        for codec in Codec::ALL {
            let spec = BatchSpec {
                compression: Compression {
                    codec,
                    ..Default::default()
                },
                ..Default::default()
            };
            let enc = kwire::encode_batch(&spec, &records).unwrap();
            let topic = kwire::broker::TopicConfig::default();
            let ctx = AppendContext {
                log_end_offset: 42,
                leader_epoch: 3,
                now_ms: 1_700_000_000_100,
            };
            let fast = append(&enc.bytes, &topic, &ctx).unwrap();
            let full =
                kwire::broker::append(&enc.bytes, &topic, &ctx, &DecodeLimits::default()).unwrap();
            assert_eq!(fast, full, "{codec:?}");
            let mut bad = enc.bytes.clone();
            let n = bad.len();
            bad[n - 1] ^= 1;
            assert_eq!(
                wire_error(&append(&bad, &topic, &ctx).unwrap_err()),
                ErrorCode::CorruptMessage
            );
        }
    }
}
