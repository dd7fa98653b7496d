//! What [`Simulation::outcome`] reads: the producer's counters and each partition's final
//! committed log (`crate::outcome` computes the numbers).

use super::Simulation;
use crate::outcome::{compute, CommittedLog, Outcome, OutcomeScan};

impl Simulation {
    /// The run's outcome now (see `crate::outcome`): take it once the run is idle or stopped,
    /// or at any moment for the numbers so far. Costs one decode of every committed batch.
    pub fn outcome(&self) -> Outcome {
        compute(self.w.now_us, &self.producer.stats, &self.committed_logs())
    }

    /// One piece of the outcome's pass (see [`OutcomeScan`]): reads at most `max_batches`
    /// committed batches; whether the pass is complete. For a run that has ended.
    pub fn outcome_step(&self, scan: &mut OutcomeScan, max_batches: usize) -> bool {
        scan.step(&self.committed_logs(), max_batches)
    }

    /// The outcome from a pass made by [`Simulation::outcome_step`].
    pub fn outcome_of(&self, scan: &OutcomeScan) -> Outcome {
        scan.finish(self.w.now_us, &self.producer.stats)
    }

    /// Each partition's committed log: the leader's, or without one the first in-sync replica's
    /// (as `committed_records`).
    fn committed_logs(&self) -> Vec<CommittedLog<'_>> {
        let mut logs = Vec::new();
        for (tp, meta) in &self.controller.parts {
            let pick = meta.leader.or_else(|| meta.isr.first().copied());
            let Some(r) = pick
                .and_then(|b| self.broker(b))
                .and_then(|b| b.replicas.get(tp))
            else {
                continue;
            };
            let folded: u64 = (0..r.log.segment_count())
                .filter_map(|i| r.log.folded(i))
                .map(|f| f.records)
                .sum();
            logs.push(CommittedLog {
                log: &r.log,
                high_watermark: r.hw,
                unidentifiable_records: r.log.log_start_offset().max(0) as u64 + folded,
            });
        }
        logs
    }
}
