//! Size limits on scenarios that arrive from a link or a file, beyond what `ksim` validates, so a
//! hostile link cannot make the page allocate without bound when it loads or runs.

use ksim::{Action, Scenario};
use std::fmt;

/// Most partitions over all topics (initial and `create_topic` actions).
pub const MAX_TOTAL_PARTITIONS: u64 = 4096;
/// Largest `produce_many.value_size_bytes` (librdkafka's `message.max.bytes` default).
pub const MAX_VALUE_SIZE_BYTES: usize = 1_000_000;
/// Largest `log.max_entries`.
pub const MAX_LOG_ENTRIES: usize = 2_000_000;

/// A limit a scenario exceeds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BoundsError {
    TooManyPartitions {
        total: u64,
    },
    ValueTooLarge {
        bytes: usize,
    },
    LogTooLarge {
        entries: usize,
    },
    /// `value_size_bytes` with a non-ASCII value template: the cut could split a character
    /// (`ksim` would panic on it; refused here until it handles it).
    PaddedValueNotAscii,
}

impl fmt::Display for BoundsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BoundsError::TooManyPartitions { total } => write!(
                f,
                "{total} partitions in total (at most {MAX_TOTAL_PARTITIONS})"
            ),
            BoundsError::ValueTooLarge { bytes } => write!(
                f,
                "value_size_bytes {bytes} (at most {MAX_VALUE_SIZE_BYTES})"
            ),
            BoundsError::LogTooLarge { entries } => {
                write!(f, "log.max_entries {entries} (at most {MAX_LOG_ENTRIES})")
            }
            BoundsError::PaddedValueNotAscii => write!(
                f,
                "produce_many with value_size_bytes needs a value template of plain ASCII characters"
            ),
        }
    }
}

/// Checks a scenario against the limits above.
pub fn check(s: &Scenario) -> Result<(), BoundsError> {
    let mut total: u64 = s.topics.iter().map(|t| u64::from(t.partitions)).sum();
    for a in &s.actions {
        match &a.action {
            Action::CreateTopic(t) => total = total.saturating_add(u64::from(t.partitions)),
            Action::ProduceMany {
                value_size_bytes: Some(n),
                ..
            } if *n > MAX_VALUE_SIZE_BYTES => {
                return Err(BoundsError::ValueTooLarge { bytes: *n });
            }
            Action::ProduceMany {
                value,
                value_size_bytes: Some(_),
                ..
            } if !value.is_ascii() => return Err(BoundsError::PaddedValueNotAscii),
            _ => {}
        }
    }
    if total > MAX_TOTAL_PARTITIONS {
        return Err(BoundsError::TooManyPartitions { total });
    }
    if s.log.max_entries > MAX_LOG_ENTRIES {
        return Err(BoundsError::LogTooLarge {
            entries: s.log.max_entries,
        });
    }
    Ok(())
}
