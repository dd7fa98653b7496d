//! The outcome of a run, computed by the core from a finished (or paused) [`Simulation`]: what
//! the application was told (delivery reports), what the cluster's final committed log holds,
//! and what it cost (requests, bytes, batching, latency, throughput). "Run both ways" and the
//! sweep (`crate::variant`, `kplay compare`, `kplay sweep`) compare these numbers; the UI only
//! renders them.
//!
//! # Identifying an application message
//! The producer numbers every accepted `produce()` call (`Msg::id`, 0, 1, 2, … in call order).
//! That number travels with the records as bookkeeping beside the bytes — in each
//! ProduceRequest batch and in each stored batch ([`MsgIds`]), copied to followers by their
//! fetches, truncated with the batch, never on the wire format and never in the event log — so
//! a record in the final log is known to be *that* call, not merely one with the same key and
//! value. Successful delivery reports mark their message in an [`IdSet`].
//!
//! - **lost**: acknowledged (a delivery report without error) but not in the final committed
//!   log, e.g. acks=1 and a leader crash before a follower copied the batch (Kafka's
//!   documentation of `acks`: "the record will be lost" if the leader fails right after
//!   acknowledging, <https://kafka.apache.org/36/documentation.html#producerconfigs_acks>).
//! - **duplicated**: extra copies of a message in the log, e.g. a retry after a lost response
//!   without idempotence (KIP-98's motivation,
//!   <https://cwiki.apache.org/confluence/display/KAFKA/KIP-98+-+Exactly+Once+Delivery+and+Transactional+Messaging>).
//! - **out of order**: records placed after a record of the same key that was produced later
//!   (records without a key: of the same partition, where Kafka orders them). Kafka keeps the
//!   order of a partition's writes as they are appended; a retried batch can land behind later
//!   ones when `max.in.flight.requests.per.connection` > 1 without idempotence
//!   (<https://kafka.apache.org/36/documentation.html#producerconfigs_max.in.flight.requests.per.connection>).
//!
//! The final committed log of a partition is its leader's log below the high watermark (without a
//! leader, the first in-sync replica's), as [`Simulation::committed_records`] reads it.
//!
//! # Memory
//! Per stored batch, the message numbers cost one small value when they are consecutive (a
//! one-partition batch) and 8 bytes per record otherwise, shared by all replicas (`Arc`); the
//! acknowledged set is one bit per produced message, in 512-byte chunks shared between
//! snapshots. Computing the outcome decodes each committed batch once and holds one bit per
//! produced message plus one entry per distinct (partition, key): with the variant bound of
//! [`crate::variant::MAX_RECORDS_PER_RUN`] records, at most about 1 M entries.
//!
//! Records whose batches retention deleted, or whose headers the memory budget folded away, can no
//! longer be identified: they are counted in [`Outcome::unverifiable_records`], and a lost count
//! may then include them.

use crate::metrics::MetricsState;
use crate::proto::StoredBatch;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

/// The producer's numbers of a batch's messages, in record order (bookkeeping beside the bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MsgIds {
    /// `first, first + 1, …, first + count − 1`.
    Range { first: u64, count: u32 },
    /// Any other sequence (a batch of one partition of several).
    List(Arc<[u64]>),
}

impl Default for MsgIds {
    fn default() -> Self {
        MsgIds::Range { first: 0, count: 0 }
    }
}

impl MsgIds {
    /// The numbers of `ids`, compactly when they are consecutive.
    pub fn of(ids: impl Iterator<Item = u64> + Clone) -> MsgIds {
        let mut it = ids.clone();
        let Some(first) = it.next() else {
            return MsgIds::default();
        };
        let mut count: u32 = 1;
        for id in it {
            if id != first + count as u64 {
                return MsgIds::List(ids.collect());
            }
            count += 1;
        }
        MsgIds::Range { first, count }
    }

    /// The number of record `i`.
    pub fn get(&self, i: usize) -> Option<u64> {
        match self {
            MsgIds::Range { first, count } => (i < *count as usize).then(|| first + i as u64),
            MsgIds::List(v) => v.get(i).copied(),
        }
    }
}

/// Ids per chunk of an [`IdSet`].
const CHUNK_WORDS: usize = 64;
const CHUNK_IDS: u64 = CHUNK_WORDS as u64 * 64;

/// A set of message numbers: one bit each, in chunks of 4,096 shared between clones
/// (copy-on-write), so a snapshot of the simulation does not copy it. A chunk whose ids are all
/// in the set is kept as [`Chunk::Full`], without its bits, and full chunks at the front are only
/// counted: delivery reports mostly come in id order, so a long run without losses keeps a few
/// partial chunks at the end instead of one bit per message ever acknowledged (at 10,000 records/s,
/// 4.5 MB per virtual hour, which a tab at the fastest speed gathered at over 100 MB per real
/// hour). After an id that is never acknowledged, later full chunks cost a marker each (16 bytes
/// per 4,096 ids). Not a Kafka rule: the playground's own memory bound.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct IdSet {
    /// Chunks `0..full_prefix` are full and not stored.
    full_prefix: usize,
    /// Chunk `full_prefix + i` is `chunks[i]`; `None`: no id of it in the set.
    chunks: VecDeque<Option<Chunk>>,
}

/// The ids of one chunk of an [`IdSet`].
#[derive(Debug, Clone, PartialEq, Eq)]
enum Chunk {
    /// Some, not all (never all ones: that is `Full`).
    Bits(Arc<[u64; CHUNK_WORDS]>),
    Full,
}

impl IdSet {
    /// Adds `id`; whether it was new.
    pub fn insert(&mut self, id: u64) -> bool {
        let c = (id / CHUNK_IDS) as usize;
        if c < self.full_prefix {
            return false;
        }
        let i = c - self.full_prefix;
        if self.chunks.len() <= i {
            self.chunks.resize(i + 1, None);
        }
        let slot = &mut self.chunks[i];
        let (w, bit) = (((id % CHUNK_IDS) / 64) as usize, id % 64);
        let bits = match slot.get_or_insert_with(|| Chunk::Bits(Arc::new([0; CHUNK_WORDS]))) {
            Chunk::Full => return false,
            Chunk::Bits(bits) => Arc::make_mut(bits),
        };
        let new = bits[w] & (1 << bit) == 0;
        bits[w] |= 1 << bit;
        if bits[w] == u64::MAX && bits.iter().all(|x| *x == u64::MAX) {
            *slot = Some(Chunk::Full);
            while let Some(Some(Chunk::Full)) = self.chunks.front() {
                self.chunks.pop_front();
                self.full_prefix += 1;
            }
        }
        new
    }

    pub fn contains(&self, id: u64) -> bool {
        let c = (id / CHUNK_IDS) as usize;
        if c < self.full_prefix {
            return true;
        }
        let (w, bit) = (((id % CHUNK_IDS) / 64) as usize, id % 64);
        match self.chunks.get(c - self.full_prefix) {
            Some(Some(Chunk::Full)) => true,
            Some(Some(Chunk::Bits(bits))) => bits[w] & (1 << bit) != 0,
            _ => false,
        }
    }

    /// Calls `f` with every id in the set, in increasing order.
    pub fn for_each(&self, mut f: impl FnMut(u64)) {
        for id in 0..self.full_prefix as u64 * CHUNK_IDS {
            f(id);
        }
        for (i, chunk) in self.chunks.iter().enumerate() {
            let first = (self.full_prefix + i) as u64 * CHUNK_IDS;
            match chunk {
                None => {}
                Some(Chunk::Full) => (first..first + CHUNK_IDS).for_each(&mut f),
                Some(Chunk::Bits(bits)) => {
                    for (w, word) in bits.iter().enumerate() {
                        let mut rest = *word;
                        while rest != 0 {
                            let bit = rest.trailing_zeros() as u64;
                            rest &= rest - 1;
                            f(first + w as u64 * 64 + bit);
                        }
                    }
                }
            }
        }
    }

    /// Chunks stored (partial or full, after the counted full prefix).
    #[cfg(test)]
    fn stored_chunks(&self) -> usize {
        self.chunks.len()
    }
}

/// What a run delivered, lost, duplicated and reordered, and what it cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    /// Virtual time at which the outcome was taken.
    pub elapsed_ms: f64,
    /// Accepted `produce()` calls.
    pub records_produced: u64,
    /// Records with a delivery report without error (Kafka's "delivered"; acks=0 reports success
    /// when the request is written).
    pub records_acknowledged: u64,
    /// Records whose delivery report carries an error.
    pub records_failed: u64,
    /// Distinct application messages in the final committed log.
    pub records_in_log: u64,
    /// Acknowledged but not in the final committed log.
    pub records_lost: u64,
    /// Extra copies of a message in the final committed log (a message there twice counts 1).
    pub records_duplicated: u64,
    /// Records in the log after a later-produced record of the same key (without a key: of the
    /// same partition). The key is read from the stored bytes, so records whose bytes the
    /// memory budget dropped (`MemoryUse::payload_dropped_batches`) are not checked for order;
    /// loss and duplicates are (the message numbers stay with the batch).
    pub records_out_of_order: u64,
    /// Records that can no longer be identified (deleted by retention, or folded by the memory
    /// budget): loss among them cannot be told.
    pub unverifiable_records: u64,
    /// ProduceRequests sent, retries included.
    pub produce_requests: u64,
    /// Bytes of the ProduceRequests sent (batches and request framing), retries included.
    pub wire_bytes: u64,
    /// Batches the producer sealed.
    pub batches: u64,
    /// Mean records per sealed batch (0 without batches).
    pub records_per_batch: f64,
    /// Delivery latency (produce() to the report) of acknowledged records, from the bounded
    /// histogram (`crate::latency`): exact below 256 µs, within 0.4 % above.
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    /// Records acknowledged per second, from the run's start to the last successful report.
    pub records_per_s: f64,
}

/// One partition's final committed log, as the outcome reads it.
pub(crate) struct CommittedLog<'a> {
    /// The replica's log: its batches with a header, in offset order.
    pub log: &'a crate::broker::partition_log::PartitionLog,
    /// The high watermark: records at and above it are not committed.
    pub high_watermark: i64,
    /// Records below the log start offset (deleted by retention) and in folded runs.
    pub unidentifiable_records: u64,
}

/// Computes the outcome from the producer's counters and every partition's committed log.
pub(crate) fn compute(now_us: u64, stats: &MetricsState, logs: &[CommittedLog<'_>]) -> Outcome {
    let mut scan = OutcomeScan::default();
    scan.step(logs, usize::MAX);
    scan.finish(now_us, stats)
}

/// The outcome's pass over the committed logs, resumable: [`OutcomeScan::step`] reads at most
/// a given number of batches, so a page can spread a long run's pass over frames (one pass of a
/// 100,000-record run decodes every batch: tens of ms in wasm). Between steps the logs must not
/// change (the run has ended).
#[derive(Debug, Clone, Default)]
pub struct OutcomeScan {
    /// Where the pass is: partition, then batch.
    log: usize,
    batch: usize,
    seen: IdSet,
    in_log: u64,
    duplicated: u64,
    out_of_order: u64,
    unverifiable: u64,
    /// The newest message number placed so far per key of the current partition.
    newest: BTreeMap<Option<Vec<u8>>, u64>,
    done: bool,
}

impl OutcomeScan {
    /// Reads at most `max_batches` more batches; whether the pass is complete.
    pub(crate) fn step(&mut self, logs: &[CommittedLog<'_>], max_batches: usize) -> bool {
        let limits = kwire::DecodeLimits::default();
        let mut budget = max_batches;
        while let Some(log) = logs.get(self.log) {
            if self.batch == 0 {
                self.unverifiable += log.unidentifiable_records;
                self.newest.clear();
            }
            for b in log.log.batches_after(self.batch) {
                if budget == 0 {
                    return false;
                }
                budget -= 1;
                self.batch += 1;
                self.read(b, log.high_watermark, &limits);
            }
            self.log += 1;
            self.batch = 0;
        }
        self.done = true;
        true
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    fn read(&mut self, b: &StoredBatch, high_watermark: i64, limits: &kwire::DecodeLimits) {
        let keys: Option<Vec<Option<Vec<u8>>>> = if b.payload_dropped() {
            None
        } else {
            kwire::decode_batch(&b.bytes, limits)
                .ok()
                .map(|(d, _)| d.records.into_iter().map(|r| r.key).collect())
        };
        for i in 0..b.records as usize {
            let offset = b.base_offset + i as i64;
            if offset >= high_watermark {
                break;
            }
            let Some(id) = b.msg_ids.get(i) else {
                self.unverifiable += 1;
                continue;
            };
            if !self.seen.insert(id) {
                self.duplicated += 1;
                continue;
            }
            self.in_log += 1;
            let Some(key) = keys.as_ref().and_then(|k| k.get(i)) else {
                continue;
            };
            match self.newest.get_mut(key) {
                Some(n) if *n > id => self.out_of_order += 1,
                Some(n) => *n = id,
                None => {
                    self.newest.insert(key.clone(), id);
                }
            }
        }
    }

    /// The outcome, from the pass so far and the producer's counters.
    pub(crate) fn finish(&self, now_us: u64, stats: &MetricsState) -> Outcome {
        let mut lost = 0u64;
        stats.acked.for_each(|id| {
            if !self.seen.contains(id) {
                lost += 1;
            }
        });
        let ms = |p: f64| stats.latencies.quantile_us(p).map(|us| us / 1000.0);
        Outcome {
            elapsed_ms: now_us as f64 / 1000.0,
            records_produced: stats.records_produced,
            records_acknowledged: stats.records_delivered,
            records_failed: stats.records_failed,
            records_in_log: self.in_log,
            records_lost: lost,
            records_duplicated: self.duplicated,
            records_out_of_order: self.out_of_order,
            unverifiable_records: self.unverifiable,
            produce_requests: stats.produce_requests,
            wire_bytes: stats.produce_request_bytes,
            batches: stats.batches,
            records_per_batch: if stats.batches > 0 {
                stats.records_batched as f64 / stats.batches as f64
            } else {
                0.0
            },
            latency_p50_ms: ms(0.5),
            latency_p99_ms: ms(0.99),
            records_per_s: if stats.last_delivered_us > 0 {
                stats.records_delivered as f64 * 1e6 / stats.last_delivered_us as f64
            } else {
                0.0
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn msg_ids_are_compact_when_consecutive_and_exact_otherwise() {
        let r = MsgIds::of([7u64, 8, 9].into_iter());
        assert_eq!(r, MsgIds::Range { first: 7, count: 3 });
        assert_eq!((r.get(0), r.get(2), r.get(3)), (Some(7), Some(9), None));
        let l = MsgIds::of([1u64, 4, 7].into_iter());
        assert!(matches!(l, MsgIds::List(_)));
        assert_eq!((l.get(1), l.get(3)), (Some(4), None));
    }

    #[test]
    fn id_set_counts_each_id_once_and_clones_share_until_written() {
        let mut s = IdSet::default();
        assert!(s.insert(5));
        assert!(!s.insert(5));
        assert!(s.insert(100_000));
        let snapshot = s.clone();
        s.insert(6);
        assert!(s.contains(6) && !snapshot.contains(6));
        assert!(snapshot.contains(100_000) && !snapshot.contains(99_999));
    }

    /// A long run's acknowledgements, in order but for a few missing ones and a few late ones:
    /// the set answers like a plain set of every id, and stores only the chunks that are not
    /// full, whatever the run's length.
    #[test]
    fn id_set_keeps_full_chunks_without_their_bits() {
        let n = 40 * CHUNK_IDS;
        let missing = |id: u64| id == 5 * CHUNK_IDS + 17 || id == 30 * CHUNK_IDS + 4000;
        let mut s = IdSet::default();
        let mut late = Vec::new();
        for id in 0..n {
            if missing(id) {
                continue;
            }
            if id % 9_999 == 3 {
                late.push(id); // acknowledged after later ids
                continue;
            }
            assert!(s.insert(id));
            if late.len() > 3 {
                for l in late.drain(..) {
                    assert!(s.insert(l));
                }
            }
        }
        for l in late.drain(..) {
            assert!(s.insert(l));
        }
        assert!(!s.insert(3), "a full chunk already holds every id of it");
        for id in (0..n + 10)
            .step_by(7)
            .chain([5 * CHUNK_IDS + 17, 30 * CHUNK_IDS + 4000])
        {
            assert_eq!(s.contains(id), id < n && !missing(id), "id {id}");
        }
        let mut all = Vec::new();
        s.for_each(|id| all.push(id));
        let expected: Vec<u64> = (0..n).filter(|id| !missing(*id)).collect();
        assert_eq!(all, expected);
        // Chunks 5 and 30 stay partial: 0..5 are only counted, 5..40 are stored, the other 33
        // of them as `Full` (a marker each, no bits).
        assert_eq!(s.stored_chunks(), 35);
        let partial = s
            .chunks
            .iter()
            .filter(|c| matches!(c, Some(Chunk::Bits(_))))
            .count();
        assert_eq!(partial, 2);
    }
}
