//! The leader epoch cache of one replica (KIP-101, KIP-279; Kafka 3.6
//! `org.apache.kafka.storage.internals.epoch.LeaderEpochFileCache`): for each leader epoch that
//! wrote to the log, the offset where it started. Leaders add their epoch at their log end when
//! they take over (`Partition.makeLeader` → `maybeAssignEpochStartOffset`); every appended batch
//! of a newer epoch adds an entry; truncation drops the entries at or past the new end.
//!
//! [`EpochCache::end_offset_for`] answers "where did epoch E end?" exactly as
//! `LeaderEpochFileCache.endOffsetFor` does. Followers send the epoch of their last fetched batch
//! with every Fetch, and the leader uses this answer to tell them where their log diverges
//! (KIP-595's `DivergingEpoch`, used for replication since Kafka 2.7 / KAFKA-10554).

pub use crate::proto::{EpochEndOffset, UNDEFINED_EPOCH, UNDEFINED_EPOCH_OFFSET};

/// One entry: `epoch` started writing at `start_offset`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EpochEntry {
    pub epoch: i32,
    pub start_offset: i64,
}

/// Epoch entries in increasing epoch and start offset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EpochCache {
    entries: Vec<EpochEntry>,
}

impl EpochCache {
    pub fn latest_epoch(&self) -> Option<i32> {
        self.entries.last().map(|e| e.epoch)
    }

    /// Records that `epoch` starts at `start_offset` if it is newer than the latest epoch
    /// (`LeaderEpochFileCache.assign`); entries that start after it are dropped first.
    pub fn assign(&mut self, epoch: i32, start_offset: i64) {
        if epoch < 0 || self.latest_epoch().is_some_and(|e| e >= epoch) {
            return;
        }
        while self
            .entries
            .last()
            .is_some_and(|e| e.start_offset > start_offset)
        {
            self.entries.pop();
        }
        self.entries.push(EpochEntry {
            epoch,
            start_offset,
        });
    }

    /// Drops every entry that starts at or after `end_offset` (`truncateFromEnd`).
    pub fn truncate_from_end(&mut self, end_offset: i64) {
        while self
            .entries
            .last()
            .is_some_and(|e| e.start_offset >= end_offset)
        {
            self.entries.pop();
        }
    }

    /// `LeaderEpochFileCache.endOffsetFor(requestedEpoch, logEndOffset)`.
    pub fn end_offset_for(&self, requested: i32, log_end_offset: i64) -> EpochEndOffset {
        let undefined = EpochEndOffset {
            epoch: UNDEFINED_EPOCH,
            end_offset: UNDEFINED_EPOCH_OFFSET,
        };
        if requested == UNDEFINED_EPOCH {
            return undefined;
        }
        if self.latest_epoch() == Some(requested) {
            return EpochEndOffset {
                epoch: requested,
                end_offset: log_end_offset,
            };
        }
        // The first entry of a later epoch ends the requested one.
        let Some(higher) = self.entries.iter().position(|e| e.epoch > requested) else {
            return undefined;
        };
        let end_offset = self.entries[higher].start_offset;
        match higher.checked_sub(1) {
            // Older than every known epoch: it ended where the first known one started.
            None => EpochEndOffset {
                epoch: requested,
                end_offset,
            },
            Some(floor) => EpochEndOffset {
                epoch: self.entries[floor].epoch,
                end_offset,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cache(entries: &[(i32, i64)]) -> EpochCache {
        let mut c = EpochCache::default();
        for (e, s) in entries {
            c.assign(*e, *s);
        }
        c
    }

    #[test]
    fn end_offsets_follow_leader_epoch_file_cache() {
        let c = cache(&[(0, 0), (2, 10), (4, 25)]);
        let at = |e| c.end_offset_for(e, 30);
        assert_eq!(
            at(4),
            EpochEndOffset {
                epoch: 4,
                end_offset: 30
            },
            "latest: the log end"
        );
        assert_eq!(
            at(2),
            EpochEndOffset {
                epoch: 2,
                end_offset: 25
            }
        );
        assert_eq!(
            at(3),
            EpochEndOffset {
                epoch: 2,
                end_offset: 25
            },
            "unknown: the epoch below"
        );
        assert_eq!(
            at(0),
            EpochEndOffset {
                epoch: 0,
                end_offset: 10
            }
        );
        assert_eq!(at(UNDEFINED_EPOCH).epoch, UNDEFINED_EPOCH);
        assert_eq!(
            at(5).end_offset,
            UNDEFINED_EPOCH_OFFSET,
            "newer than any epoch"
        );
        let late = cache(&[(3, 7)]);
        assert_eq!(
            late.end_offset_for(1, 9),
            EpochEndOffset {
                epoch: 1,
                end_offset: 7
            },
            "older than every epoch: where the first known one starts"
        );
    }

    #[test]
    fn assign_keeps_epochs_increasing_and_truncation_drops_the_tail() {
        let mut c = cache(&[(0, 0), (1, 5)]);
        c.assign(1, 9);
        c.assign(0, 12);
        assert_eq!(
            c.latest_epoch(),
            Some(1),
            "older or equal epochs are ignored"
        );
        c.assign(3, 4);
        assert_eq!(
            c.entries,
            [
                EpochEntry {
                    epoch: 0,
                    start_offset: 0
                },
                EpochEntry {
                    epoch: 3,
                    start_offset: 4
                }
            ],
            "a new epoch starting earlier replaces the entries after it"
        );
        c.truncate_from_end(4);
        assert_eq!(c.latest_epoch(), Some(0));
        c.truncate_from_end(0);
        assert_eq!(c.latest_epoch(), None);
    }
}
