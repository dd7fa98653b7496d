//! The event log, bounded: the newest `LogOptions::max_entries` entries are kept in full; older
//! ones are dropped from the front in chunks, and what they were is kept as a count per kind and
//! in the log hash, which is updated as each entry is added ([`hash_bytes`] over every entry's
//! JSON and a newline). So the hash, the determinism check and the share-link replay check work at
//! any length and cost nothing when asked for, and memory does not grow with the run.
//!
//! Not a Kafka rule: the playground's own memory bound (ARCHITECTURE.md, "Memory").

use crate::log::{LogEntry, LogEvent};
use crate::scenario::LogOptions;
use std::collections::BTreeMap;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0100_0000_01b3;

/// Folds `bytes` into `h`: FNV-1a's multiply over 8-byte little-endian words (the tail
/// zero-padded, then its length), so a log entry costs a few multiplies rather than one per byte.
/// The same on every platform.
pub(crate) fn hash_bytes(mut h: u64, bytes: &[u8]) -> u64 {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ w).wrapping_mul(FNV_PRIME);
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 8];
    tail[..rest.len()].copy_from_slice(rest);
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(FNV_PRIME);
    (h ^ rest.len() as u64).wrapping_mul(FNV_PRIME)
}

/// The event log: retained entries, how many were dropped before them, counts and hash.
#[derive(Debug, Clone)]
pub(crate) struct EventLog {
    /// The newest entries, oldest first (between `max_entries` and 1.5 × `max_entries` of them
    /// once the log is that long: dropping in chunks keeps the cost per entry constant).
    entries: Vec<LogEntry>,
    /// Entries dropped from the front: `entries[0]` is entry number `dropped` of the run.
    dropped: u64,
    /// Entries of the run, retained or not, per kind (`LogEvent::kind`).
    counts: BTreeMap<&'static str, u64>,
    hash: u64,
    /// Reused for each entry's JSON.
    scratch: Vec<u8>,
    pub options: LogOptions,
}

impl EventLog {
    pub fn new(options: LogOptions) -> EventLog {
        EventLog {
            entries: Vec::new(),
            dropped: 0,
            counts: BTreeMap::new(),
            hash: FNV_OFFSET,
            scratch: Vec::new(),
            options,
        }
    }

    pub fn push(&mut self, time_us: u64, event: LogEvent) {
        let entry = LogEntry { time_us, event };
        self.scratch.clear();
        if serde_json::to_writer(&mut self.scratch, &entry).is_ok() {
            self.scratch.push(b'\n');
            self.hash = hash_bytes(self.hash, &self.scratch);
        }
        *self.counts.entry(entry.event.kind()).or_insert(0) += 1;
        self.entries.push(entry);
        let keep = self.options.max_entries.max(1);
        if self.entries.len() >= keep + keep.div_ceil(2) {
            let drop = self.entries.len() - keep;
            self.entries.drain(..drop);
            self.dropped += drop as u64;
        }
    }

    pub fn entries(&self) -> &[LogEntry] {
        &self.entries
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Entries of the whole run: the number the next entry will have.
    pub fn end(&self) -> u64 {
        self.dropped + self.entries.len() as u64
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn counts(&self) -> &BTreeMap<&'static str, u64> {
        &self.counts
    }

    /// This log without its entries (for a checkpoint): counts and hash stay.
    pub fn without_entries(&self) -> EventLog {
        EventLog {
            entries: Vec::new(),
            dropped: self.end(),
            counts: self.counts.clone(),
            hash: self.hash,
            scratch: Vec::new(),
            options: self.options.clone(),
        }
    }

    /// Puts back the entries of this log's run that `later` (the same run, at least as far)
    /// still holds, up to this log's end and at most `max_entries` of them — none when `later`
    /// has dropped them all (the log then starts empty, its older entries counted as dropped).
    /// `false` when `later` is shorter or visibly does not continue this log (its entry
    /// `end − 1` is held and differs from `last`).
    pub fn restore_entries(&mut self, later: &EventLog, last: Option<&LogEntry>) -> bool {
        let end = self.dropped;
        if later.end() < end {
            return false;
        }
        if end > later.dropped {
            if later.entries.get((end - 1 - later.dropped) as usize) != last {
                return false;
            }
            let start = later
                .dropped
                .max(end.saturating_sub(self.options.max_entries as u64));
            let (a, b) = (
                (start - later.dropped) as usize,
                (end - later.dropped) as usize,
            );
            self.entries = later.entries[a..b].to_vec();
            self.dropped = start;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(i: u32) -> LogEvent {
        LogEvent::BrokerFenced { broker: i }
    }

    #[test]
    fn keeps_the_newest_entries_counts_all_and_hashes_like_a_full_recomputation() {
        let options = LogOptions {
            max_entries: 8,
            ..LogOptions::default()
        };
        let mut log = EventLog::new(options);
        let mut all = Vec::new();
        for i in 0..100 {
            log.push(i as u64, event(i));
            all.push(LogEntry {
                time_us: i as u64,
                event: event(i),
            });
            assert!(
                log.entries().len() <= 12,
                "bounded: {}",
                log.entries().len()
            );
            assert_eq!(log.end(), i as u64 + 1);
            assert_eq!(log.entries(), &all[log.dropped() as usize..]);
        }
        let mut full = FNV_OFFSET;
        for e in &all {
            let mut json = serde_json::to_vec(e).unwrap();
            json.push(b'\n');
            full = hash_bytes(full, &json);
        }
        assert_eq!(log.hash(), full);
        assert_eq!(log.counts().get("broker_fenced"), Some(&100));
        assert!(log.entries().len() >= 8);
    }

    #[test]
    fn a_checkpoint_takes_its_entries_back_from_a_later_log_of_the_same_run() {
        let options = LogOptions {
            max_entries: 8,
            ..LogOptions::default()
        };
        let mut log = EventLog::new(options);
        for i in 0..20 {
            log.push(i as u64, event(i));
        }
        let mut cp = log.without_entries();
        let last = log.entries().last().cloned();
        let mut later = log.clone();
        for i in 20..23 {
            later.push(i as u64, event(i));
        }
        assert!(cp.restore_entries(&later, last.as_ref()));
        // The newest entries up to the checkpoint that `later` still holds, at most max_entries.
        let first = later.dropped().max(12);
        let expected: Vec<LogEntry> = (first..20)
            .map(|i| LogEntry {
                time_us: i,
                event: event(i as u32),
            })
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(cp.entries(), &expected[..]);
        assert_eq!(cp.dropped(), first);
        assert_eq!(cp.end(), 20);
        assert_eq!(cp.hash(), log.hash());
        // From a later log that has dropped all the checkpoint's entries, it restores with none.
        for i in 23..60 {
            later.push(i as u64, event(i));
        }
        let mut cp = log.without_entries();
        assert!(cp.restore_entries(&later, last.as_ref()));
        assert!(cp.entries().is_empty());
        assert_eq!((cp.dropped(), cp.end(), cp.hash()), (20, 20, log.hash()));
        // A log of another run (another entry where the checkpoint's last was) does not.
        let mut other = EventLog::new(log.options.clone());
        for i in 0..21 {
            other.push(i as u64 + 1, event(i));
        }
        assert!(!log.without_entries().restore_entries(&other, last.as_ref()));
    }
}
