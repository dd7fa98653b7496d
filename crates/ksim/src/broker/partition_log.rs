//! One replica's log as a Kafka 3.6 broker keeps it: a list of segments, the last one active,
//! that roll by `segment.bytes` and `segment.ms` and are deleted whole by the retention task
//! (`retention.ms`, `retention.bytes`), which moves the log start offset forward. Plus the
//! playground's own memory rule: past the record-bytes budget the oldest committed batches drop
//! their payload bytes, and past [`MAX_DROPPED_HEADERS`] such batches per replica their headers
//! are folded into one summary per segment. Nothing is removed silently: a dropped batch keeps
//! its offsets and size, a folded run keeps its offsets, batch and record counts and bytes.
//!
//! Kafka sources (3.6): `UnifiedLog.maybeRoll`, `LogSegment.shouldRoll` (roll when
//! `size + incoming > segment.bytes`, or the segment is not empty and the incoming batch's max
//! timestamp is `segment.ms` past the segment's first batch's — `LogSegment.timeWaitedForRoll`;
//! the new segment starts at the log end offset, `LocalLog.roll`); `UnifiedLog.deleteOldSegments`
//! (log start offset breach, then `deleteRetentionSizeBreachedSegments`, then
//! `deleteRetentionMsBreachedSegments`; oldest first, stopping at the first segment that stays,
//! never past the high watermark; all deletable ⇒ roll an empty active segment first,
//! `UnifiedLog.deleteSegments`; the log start offset becomes the first remaining segment's base
//! offset, `UnifiedLog.maybeIncrementLogStartOffset`).
//!
//! Simplifications: no `segment.jitter.ms` (0 in Kafka by default) and no index-full roll
//! (`segment.index.bytes`); segment files are not renamed `.deleted` and removed
//! `file.delete.delay.ms` later — they are gone at once, as reads see it in Kafka.

pub(crate) use crate::proto::Folded;
use crate::proto::StoredBatch;
use std::collections::VecDeque;
use std::sync::Arc;

/// Payload-dropped batches a replica keeps with their headers; older ones are folded into
/// their segment's [`Folded`] summary. Not a Kafka rule: it bounds the playground's memory.
pub const MAX_DROPPED_HEADERS: usize = 4096;

/// What the budget counts for a held batch besides its bytes: its header in memory (about the
/// size of a `StoredBatch`; a constant, so that native and wasm runs count alike).
pub const BATCH_HEADER_COST_BYTES: u64 = 96;

/// Memory a held batch counts against the record-bytes budget.
fn held_cost(b: &StoredBatch) -> u64 {
    b.bytes.len() as u64 + BATCH_HEADER_COST_BYTES
}

/// One segment: its base offset, when it was made, its timestamps and size, the folded
/// prefix and the batches after it, in offset order.
#[derive(Debug, Clone)]
pub(crate) struct Segment {
    pub base_offset: i64,
    /// Broker time (ms) when the segment was made (`LogSegment.created`).
    created_ms: i64,
    /// The first batch's max timestamp (`LogSegment.rollingBasedTimestamp`).
    rolling_timestamp_ms: Option<i64>,
    /// The largest record timestamp (`LogSegment.maxTimestampSoFar`), −1 before any.
    max_timestamp_ms: i64,
    pub size_bytes: u64,
    pub folded: Folded,
    pub batches: VecDeque<StoredBatch>,
}

impl Segment {
    fn new(base_offset: i64, now_ms: i64) -> Segment {
        Segment {
            base_offset,
            created_ms: now_ms,
            rolling_timestamp_ms: None,
            max_timestamp_ms: -1,
            size_bytes: 0,
            folded: Folded {
                end_offset: base_offset,
                ..Folded::default()
            },
            batches: VecDeque::new(),
        }
    }

    fn batch_count(&self) -> u64 {
        self.folded.batches + self.batches.len() as u64
    }

    /// `LogSegment.largestTimestamp`: the max record timestamp, else the file's time.
    fn largest_timestamp_ms(&self) -> i64 {
        if self.max_timestamp_ms >= 0 {
            self.max_timestamp_ms
        } else {
            self.created_ms
        }
    }
}

/// A new active segment and the config that rolled it (`segment.bytes` or `segment.ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Rolled {
    pub base_offset: i64,
    pub by: &'static str,
}

/// The topic configs that shape a log (AK `LogConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentRules {
    pub segment_bytes: u64,
    pub segment_ms: i64,
    /// −1: unlimited.
    pub retention_ms: i64,
    /// Negative: unlimited.
    pub retention_bytes: i64,
}

impl SegmentRules {
    /// Kafka 3.6's defaults (AK `LogConfig`): 1 GiB, 7 days, 7 days, unlimited.
    pub const KAFKA_DEFAULTS: SegmentRules = SegmentRules {
        segment_bytes: 1 << 30,
        segment_ms: 604_800_000,
        retention_ms: 604_800_000,
        retention_bytes: -1,
    };
}

/// Why segments were deleted (`UnifiedLog.deleteOldSegments`' three passes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeleteReason {
    LogStartOffset,
    RetentionBytes,
    RetentionMs,
}

impl DeleteReason {
    pub fn name(self) -> &'static str {
        match self {
            DeleteReason::LogStartOffset => "log start offset",
            DeleteReason::RetentionBytes => "retention.bytes",
            DeleteReason::RetentionMs => "retention.ms",
        }
    }
}

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Deleted {
    pub segments: u32,
    pub batches: u64,
    pub size_bytes: u64,
    pub log_start_offset: i64,
    pub reason: DeleteReason,
}

/// Where an offset is in the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup {
    /// In a folded run of segment `segment`.
    Folded { segment: usize },
    /// Batch `index` of segment `segment`.
    Batch { segment: usize, index: usize },
    /// Past the end.
    End,
}

/// A replica's log; see the module docs.
#[derive(Debug, Clone, Default)]
pub(crate) struct PartitionLog {
    segments: VecDeque<Segment>,
    log_start_offset: i64,
    /// Batches deleted by retention (so a batch's number in the whole log stays put).
    deleted_batches: u64,
    /// Memory of held batches (payload not dropped): their bytes and [`BATCH_HEADER_COST_BYTES`]
    /// each.
    held_bytes: u64,
    /// Payload-dropped batches that still have their header.
    dropped_headers: usize,
    /// Batches whose payload was dropped, folded ones included.
    dropped_batches: u64,
}

impl PartitionLog {
    pub fn log_start_offset(&self) -> i64 {
        self.log_start_offset
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    pub fn held_bytes(&self) -> u64 {
        self.held_bytes
    }

    pub fn dropped_batches(&self) -> u64 {
        self.dropped_batches
    }

    /// Bytes of every segment (held, dropped and folded), as `UnifiedLog.size` counts them.
    pub fn size_bytes(&self) -> u64 {
        self.segments.iter().map(|s| s.size_bytes).sum()
    }

    /// Batches since the log start offset, folded ones included.
    pub fn batch_count(&self) -> u64 {
        self.segments.iter().map(Segment::batch_count).sum()
    }

    /// Batches deleted by retention before the first segment.
    pub fn deleted_batches(&self) -> u64 {
        self.deleted_batches
    }

    /// Batches with a header, oldest first (folded runs are skipped).
    pub fn batches(&self) -> impl DoubleEndedIterator<Item = &StoredBatch> {
        self.segments.iter().flat_map(|s| s.batches.iter())
    }

    /// The batch with number `n` in the whole log (deleted and folded batches counted), if it
    /// still has a header.
    pub fn get(&self, n: u64) -> Option<&StoredBatch> {
        let mut n = n.checked_sub(self.deleted_batches)?;
        for s in &self.segments {
            if n < s.batch_count() {
                return n
                    .checked_sub(s.folded.batches)
                    .and_then(|i| s.batches.get(i as usize));
            }
            n -= s.batch_count();
        }
        None
    }

    /// The newest `n` batches with a header, oldest first, with their number in the whole log.
    pub fn newest(&self, n: usize) -> Vec<(u64, &StoredBatch)> {
        let mut out = Vec::with_capacity(n.min(self.batch_count() as usize));
        let mut next = self.deleted_batches + self.batch_count();
        'outer: for s in self.segments.iter().rev() {
            for b in s.batches.iter().rev() {
                if out.len() == n {
                    break 'outer;
                }
                next -= 1;
                out.push((next, b));
            }
            next -= s.folded.batches;
        }
        out.reverse();
        out
    }

    /// The offset after the newest batch whose payload was dropped (the log start offset when
    /// none was): below it, record bytes are gone from the playground's memory.
    pub fn payload_dropped_below(&self) -> i64 {
        let mut below = self.log_start_offset;
        for s in &self.segments {
            if s.folded.batches > 0 {
                below = below.max(s.folded.end_offset);
            }
            let k = s.batches.partition_point(|b| b.payload_dropped());
            if k > 0 {
                below = below.max(s.batches[k - 1].last_offset + 1);
            }
            if k < s.batches.len() {
                break;
            }
        }
        below
    }

    /// Where the first batch with `last_offset >= offset` is.
    pub fn lookup(&self, offset: i64) -> Lookup {
        let seg = self
            .segments
            .partition_point(|s| s.base_offset <= offset)
            .saturating_sub(1);
        for (i, s) in self.segments.iter().enumerate().skip(seg) {
            if offset < s.folded.end_offset && s.folded.batches > 0 {
                return Lookup::Folded { segment: i };
            }
            let index = s.batches.partition_point(|b| b.last_offset < offset);
            if index < s.batches.len() {
                return Lookup::Batch { segment: i, index };
            }
        }
        Lookup::End
    }

    /// The folded run of segment `i`.
    pub fn folded(&self, i: usize) -> Option<Folded> {
        self.segments.get(i).map(|s| s.folded)
    }

    /// Batches with a header from the `n`-th one on (counted as `batches()` counts them), in
    /// offset order; costs one step per segment to find the start, not one per batch.
    pub fn batches_after(&self, n: usize) -> impl Iterator<Item = &StoredBatch> {
        let mut left = n;
        let mut segment = self.segments.len();
        for (i, s) in self.segments.iter().enumerate() {
            if left < s.batches.len() {
                segment = i;
                break;
            }
            left -= s.batches.len();
        }
        self.batches_from(segment, left)
    }

    /// Batches with a header from `(segment, index)` on, in offset order.
    pub fn batches_from(&self, segment: usize, index: usize) -> impl Iterator<Item = &StoredBatch> {
        self.segments
            .iter()
            .skip(segment)
            .enumerate()
            .flat_map(move |(k, s)| s.batches.iter().skip(if k == 0 { index } else { 0 }))
    }

    /// Appends `b` at the log end, rolling a new segment first when `LogSegment.shouldRoll`
    /// says so; the rolled segment's base offset and the config that rolled it.
    pub fn push(&mut self, b: StoredBatch, now_ms: i64, rules: &SegmentRules) -> Option<Rolled> {
        let size = b.bytes_len_stored() as u64;
        let mut rolled = None;
        let roll = match self.segments.back() {
            None => Some(""),
            Some(s) => {
                let waited = match s.rolling_timestamp_ms {
                    Some(t) if t >= 0 => b.max_timestamp_ms - t,
                    _ => now_ms - s.created_ms,
                };
                if s.size_bytes + size > rules.segment_bytes {
                    Some("segment.bytes")
                } else if s.size_bytes > 0 && waited > rules.segment_ms {
                    Some("segment.ms")
                } else {
                    None
                }
            }
        };
        if let Some(reason) = roll {
            if self.segments.back().is_some() {
                rolled = Some(Rolled {
                    base_offset: b.base_offset,
                    by: reason,
                });
            }
            self.segments.push_back(Segment::new(b.base_offset, now_ms));
        }
        let s = self
            .segments
            .back_mut()
            .expect("a segment was just ensured");
        if s.size_bytes == 0 && s.rolling_timestamp_ms.is_none() {
            s.rolling_timestamp_ms = Some(b.max_timestamp_ms);
        }
        s.max_timestamp_ms = s.max_timestamp_ms.max(b.max_timestamp_ms);
        s.size_bytes += b.bytes_len_stored() as u64;
        if b.payload_dropped() {
            // A follower copying a batch the leader already dropped the payload of.
            self.dropped_headers += 1;
            self.dropped_batches += 1;
        } else {
            self.held_bytes += held_cost(&b);
        }
        s.batches.push_back(b);
        if self.dropped_headers > MAX_DROPPED_HEADERS {
            self.fold_headers();
        }
        rolled
    }

    /// Appends a folded run that the leader answered a fetch with (a follower far behind,
    /// fetching offsets whose headers the leader folded): `run.end_offset` is where it ends.
    pub fn push_folded(&mut self, run: Folded, now_ms: i64) {
        if self.segments.back().is_none_or(|s| !s.batches.is_empty()) {
            let base = self.end_offset();
            self.segments.push_back(Segment::new(base, now_ms));
        }
        let s = self
            .segments
            .back_mut()
            .expect("a segment was just ensured");
        s.folded.batches += run.batches;
        s.folded.records += run.records;
        s.folded.size_bytes += run.size_bytes;
        s.folded.end_offset = run.end_offset;
        s.size_bytes += run.size_bytes;
        self.dropped_batches += run.batches;
    }

    /// The offset after the last batch (folded runs included).
    pub fn end_offset(&self) -> i64 {
        match self.segments.back() {
            None => self.log_start_offset,
            Some(s) => s
                .batches
                .back()
                .map_or(s.folded.end_offset, |b| b.last_offset + 1),
        }
    }

    /// Drops everything from `offset` on (batch-aligned, as `UnifiedLog.truncateTo`). A cut
    /// inside a folded run keeps the run up to `offset` and scales its counts (they are
    /// estimates then).
    pub fn truncate_to(&mut self, offset: i64) {
        while self.segments.len() > 1
            && self
                .segments
                .back()
                .is_some_and(|s| s.base_offset >= offset)
        {
            let s = self.segments.pop_back().expect("checked");
            self.forget(&s);
        }
        let Some(s) = self.segments.back_mut() else {
            return;
        };
        while s.batches.back().is_some_and(|b| b.last_offset >= offset) {
            let b = s.batches.pop_back().expect("checked");
            s.size_bytes -= b.bytes_len_stored() as u64;
            if b.payload_dropped() {
                self.dropped_headers -= 1;
                self.dropped_batches -= 1;
            } else {
                self.held_bytes -= held_cost(&b);
            }
        }
        if s.batches.is_empty() && s.folded.end_offset > offset {
            let span = (s.folded.end_offset - s.base_offset).max(1) as u128;
            let keep = (offset - s.base_offset).max(0) as u128;
            let scale = |v: u64| (v as u128 * keep / span) as u64;
            let f = s.folded;
            let folded = Folded {
                batches: scale(f.batches),
                records: scale(f.records),
                size_bytes: scale(f.size_bytes),
                end_offset: offset.max(s.base_offset),
            };
            s.size_bytes -= f.size_bytes - folded.size_bytes;
            self.dropped_batches -= f.batches - folded.batches;
            s.folded = folded;
        }
    }

    /// Takes a removed segment out of the counters.
    fn forget(&mut self, s: &Segment) {
        self.dropped_batches -= s.folded.batches;
        for b in &s.batches {
            if b.payload_dropped() {
                self.dropped_headers -= 1;
                self.dropped_batches -= 1;
            } else {
                self.held_bytes -= held_cost(b);
            }
        }
    }

    /// Deletes every segment and starts again, empty, at `offset`
    /// (`UnifiedLog.truncateFullyAndStartAt`: the log start offset becomes `offset`).
    pub fn truncate_fully_and_start_at(&mut self, offset: i64, now_ms: i64) {
        self.deleted_batches += self.batch_count();
        self.segments.clear();
        self.held_bytes = 0;
        self.dropped_headers = 0;
        self.dropped_batches = 0;
        self.log_start_offset = offset;
        self.segments.push_back(Segment::new(offset, now_ms));
    }

    /// Moves the log start offset forward (a follower learning the leader's, as
    /// `ReplicaFetcherThread.processPartitionData` does); segments wholly below it go at the
    /// next retention pass.
    pub fn maybe_increment_log_start_offset(&mut self, offset: i64) {
        self.log_start_offset = self.log_start_offset.max(offset.min(self.end_offset()));
    }

    /// One pass of `UnifiedLog.deleteOldSegments` at broker time `now_ms`, never past
    /// `high_watermark`: the log-start-offset, size and time rules in Kafka's order, each
    /// deleting whole segments from the oldest and stopping at the first that stays.
    pub fn delete_old_segments(
        &mut self,
        now_ms: i64,
        high_watermark: i64,
        rules: &SegmentRules,
    ) -> Vec<Deleted> {
        let mut out = Vec::new();
        let start = self.log_start_offset;
        if let Some(d) = self.delete_while(
            now_ms,
            high_watermark,
            DeleteReason::LogStartOffset,
            |_, next| next.is_some_and(|n| n <= start),
        ) {
            out.push(d);
        }
        if rules.retention_bytes >= 0 && self.size_bytes() >= rules.retention_bytes as u64 {
            let mut diff = self.size_bytes() - rules.retention_bytes as u64;
            if let Some(d) = self.delete_while(
                now_ms,
                high_watermark,
                DeleteReason::RetentionBytes,
                |s, _| {
                    if diff >= s.size_bytes {
                        diff -= s.size_bytes;
                        true
                    } else {
                        false
                    }
                },
            ) {
                out.push(d);
            }
        }
        if rules.retention_ms >= 0 {
            if let Some(d) =
                self.delete_while(now_ms, high_watermark, DeleteReason::RetentionMs, |s, _| {
                    now_ms - s.largest_timestamp_ms() > rules.retention_ms
                })
            {
                out.push(d);
            }
        }
        out
    }

    /// `LocalLog.deletableSegments` and `UnifiedLog.deleteSegments` for one predicate.
    fn delete_while(
        &mut self,
        now_ms: i64,
        high_watermark: i64,
        reason: DeleteReason,
        mut predicate: impl FnMut(&Segment, Option<i64>) -> bool,
    ) -> Option<Deleted> {
        let end = self.end_offset();
        let mut n = 0;
        for (i, s) in self.segments.iter().enumerate() {
            let next = self.segments.get(i + 1).map(|x| x.base_offset);
            let last_and_empty = next.is_none() && s.size_bytes == 0;
            if last_and_empty || high_watermark < next.unwrap_or(end) || !predicate(s, next) {
                break;
            }
            n += 1;
        }
        if n == 0 {
            return None;
        }
        if n == self.segments.len() {
            // Deleting every segment: roll an empty active one at the log end first.
            self.segments.push_back(Segment::new(end, now_ms));
        }
        let mut d = Deleted {
            segments: n as u32,
            batches: 0,
            size_bytes: 0,
            log_start_offset: 0,
            reason,
        };
        for _ in 0..n {
            let s = self.segments.pop_front().expect("counted");
            d.batches += s.batch_count();
            d.size_bytes += s.size_bytes;
            self.deleted_batches += s.batch_count();
            self.forget(&s);
        }
        let first = self.segments.front().map_or(end, |s| s.base_offset);
        self.log_start_offset = self.log_start_offset.max(first);
        d.log_start_offset = self.log_start_offset;
        Some(d)
    }

    /// Drops the payload of the oldest held batches below `below_offset` until at most
    /// `keep_bytes` are held, then folds the oldest headers past [`MAX_DROPPED_HEADERS`].
    /// Returns (batches, bytes) dropped.
    pub fn drop_payloads(&mut self, below_offset: i64, keep_bytes: u64) -> (u64, u64) {
        let (mut batches, mut bytes) = (0u64, 0u64);
        'outer: for s in self.segments.iter_mut() {
            for b in s.batches.iter_mut() {
                if self.held_bytes <= keep_bytes || b.last_offset >= below_offset {
                    break 'outer;
                }
                if b.payload_dropped() {
                    continue;
                }
                let n = b.bytes.len() as u64;
                self.held_bytes -= held_cost(b);
                b.drop_payload();
                self.dropped_headers += 1;
                self.dropped_batches += 1;
                batches += 1;
                bytes += n;
            }
        }
        self.fold_headers();
        (batches, bytes)
    }

    /// Folds the oldest payload-dropped headers into their segment's summary while more than
    /// [`MAX_DROPPED_HEADERS`] are kept.
    ///
    /// A segment before the active one only ever loses batches, so the room its batch list
    /// no longer uses is given back as it empties: a `VecDeque` keeps its capacity, and
    /// otherwise every rolled segment would keep room for all the batches it once held until
    /// retention deletes it (7 days by Kafka's default), which made a long run's memory rise
    /// by about 10 MB per virtual hour at 10,000 events/s.
    fn fold_headers(&mut self) {
        let active = self.segments.len().saturating_sub(1);
        for (i, s) in self.segments.iter_mut().enumerate() {
            while self.dropped_headers > MAX_DROPPED_HEADERS
                && s.batches.front().is_some_and(|b| b.payload_dropped())
            {
                let b = s.batches.pop_front().expect("checked");
                s.folded.batches += 1;
                s.folded.records += b.records as u64;
                s.folded.size_bytes += b.bytes_len_stored() as u64;
                s.folded.end_offset = b.last_offset + 1;
                self.dropped_headers -= 1;
            }
            if i < active && s.batches.len() <= s.batches.capacity() / 4 {
                s.batches.shrink_to_fit();
            }
            if self.dropped_headers <= MAX_DROPPED_HEADERS {
                break;
            }
        }
    }
}

impl StoredBatch {
    /// Whether the playground dropped this batch's record bytes (its header stays).
    pub fn payload_dropped(&self) -> bool {
        self.bytes.len() != self.size_bytes as usize
    }

    /// The batch's size as stored, also after its payload was dropped.
    pub fn bytes_len_stored(&self) -> usize {
        self.size_bytes as usize
    }

    fn drop_payload(&mut self) {
        self.bytes = Arc::from(&[][..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kwire::Codec;

    fn batch(offset: i64) -> StoredBatch {
        StoredBatch {
            base_offset: offset,
            last_offset: offset,
            leader_epoch: 0,
            bytes: Arc::from(vec![0u8; 100]),
            size_bytes: 100,
            codec: Codec::None,
            records: 1,
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            max_timestamp_ms: 0,
            recompressed: false,
            msg_ids: Default::default(),
        }
    }

    #[test]
    fn a_rolled_segment_gives_back_the_room_of_the_headers_folded_out_of_it() {
        // Segments of 20,000 batches; a third segment is active.
        let rules = SegmentRules {
            segment_bytes: 20_000 * 100,
            ..SegmentRules::KAFKA_DEFAULTS
        };
        let mut log = PartitionLog::default();
        for offset in 0..40_010 {
            log.push(batch(offset), 0, &rules);
        }
        assert_eq!(log.segment_count(), 3);
        let (dropped, _) = log.drop_payloads(40_010, 0);
        assert_eq!(dropped, 40_010);
        // Everything was dropped; all but the newest MAX_DROPPED_HEADERS headers are folded,
        // so nothing is left of the first segment and some of the second.
        let kept: Vec<(usize, usize)> = log
            .segments
            .iter()
            .map(|s| (s.batches.len(), s.batches.capacity()))
            .collect();
        assert_eq!(kept[0].0, 0, "{kept:?}");
        assert_eq!(kept[1].0 + kept[2].0, MAX_DROPPED_HEADERS, "{kept:?}");
        for (len, capacity) in &kept[..2] {
            assert!(*capacity <= 2 * len.max(&1), "{kept:?}");
        }
        // What is still known of them stays: offsets, counts and sizes.
        assert_eq!(log.batch_count(), 40_010);
        assert_eq!(log.size_bytes(), 40_010 * 100);
        assert_eq!(log.lookup(10), Lookup::Folded { segment: 0 });
    }
}
