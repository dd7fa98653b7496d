//! Rewind checkpoints that do not copy the event log.
//!
//! A long run's state is mostly its event log (up to `LogOptions::max_entries`, 200,000 entries
//! by default), and copying it for every checkpoint stalls a browser frame for hundreds of
//! milliseconds. The log is append-only and a run is deterministic, so the log of a checkpoint
//! is a prefix of the log of any later state of the same run: a checkpoint keeps only its log's
//! counts and hash (and last entry, as a check) and takes the entries back from a later state
//! when it is restored — as many of the newest as the later state still holds. Not a Kafka rule; a property of this simulator (ARCHITECTURE.md, determinism).

use super::Simulation;
use crate::log::LogEntry;

/// A snapshot of a simulation without its log entries; see the module docs.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    sim: Simulation,
    last_entry: Option<LogEntry>,
}

impl Simulation {
    /// A checkpoint of the current state that shares nothing mutable with it and does not copy
    /// the event log's entries.
    pub fn checkpoint(&mut self) -> Checkpoint {
        let without = self.w.log.without_entries();
        let log = std::mem::replace(&mut self.w.log, without);
        let sim = self.clone();
        self.w.log = log;
        Checkpoint {
            sim,
            last_entry: self.w.log.entries().last().cloned(),
        }
    }
}

impl Checkpoint {
    /// Virtual time of the checkpoint.
    pub fn now_us(&self) -> u64 {
        self.sim.now_us()
    }

    /// The checkpointed state, with its log entries taken from `later`, a state of the same run
    /// at the same time or later (as many of the newest as `later` still holds; none when it has
    /// dropped them all). `None` when `later` is earlier or visibly does not continue this
    /// checkpoint's log (shorter, or another entry where the checkpoint's last one was): the
    /// caller then replays from the start instead. The check is cheap, not a proof:
    /// callers pass states of the same run (the UI's timeline clears its checkpoints whenever
    /// the scenario changes).
    pub fn restore(&self, later: &Simulation) -> Option<Simulation> {
        if later.now_us() < self.now_us() {
            return None;
        }
        let mut sim = self.sim.clone();
        sim.w
            .log
            .restore_entries(&later.w.log, self.last_entry.as_ref())
            .then_some(sim)
    }
}
