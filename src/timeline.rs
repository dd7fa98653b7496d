//! Rewinding. The head scenario (every action the learner applied) is the truth; any earlier
//! moment is reached by replaying it, starting from the nearest checkpoint (a copy of the
//! simulation without its event log's entries, taken while playing forward; when a checkpoint is
//! restored its entries come back from the current state, as many as it still holds: the core
//! keeps only a long run's newest entries, see `ksim::Checkpoint`). Checkpoints are only valid
//! for the head scenario they were taken under, so a new action clears them; doing something
//! after rewinding branches the timeline (the actions that came later are dropped).

use ksim::{Action, Checkpoint, LogEvent, Scenario, SimError, Simulation, Step, StopReason};

/// Checkpoints kept at most; when full, every other one is dropped and the spacing doubles.
const MAX_CHECKPOINTS: usize = 48;
/// Record bytes the checkpoints may hold together (as `ksim::Simulation::memory` counts them,
/// every replica counted: an over-estimate, since checkpoints share most batches with each
/// other and with the live run). Past it, every other checkpoint goes and the spacing doubles.
/// A checkpoint keeps the batches of its moment alive after the live run dropped their bytes
/// under the record-bytes budget, so without this bound old checkpoints would multiply that
/// budget (a tab reached 1.4 GB at 10,000 events/s in three minutes).
pub const CHECKPOINT_BUDGET_BYTES: u64 = 128 << 20;
/// Events between checkpoints at first (doubled each time they are thinned).
const EVENTS_PER_CHECKPOINT: u64 = 2_000;

/// What a checkpoint of `sim` holds, as the core counts it.
fn record_bytes(sim: &Simulation) -> u64 {
    let m = sim.memory();
    m.broker_record_bytes + m.producer_record_bytes
}

pub struct Timeline {
    pub sim: Simulation,
    /// Furthest virtual time reached under the current head scenario.
    pub head_time_us: u64,
    /// Without their log entries (see `ksim::Checkpoint`): taking one never stalls playback.
    checkpoints: Vec<Checkpoint>,
    /// Each checkpoint's record bytes (`ksim::MemoryUse`), in step with `checkpoints`.
    checkpoint_bytes: Vec<u64>,
    events_at_last_checkpoint: u64,
    /// Events between checkpoints now.
    spacing_events: u64,
    /// [`CHECKPOINT_BUDGET_BYTES`] (smaller in tests).
    checkpoint_budget_bytes: u64,
    /// A rewind being replayed in pieces (`begin_seek`).
    rewinding: Option<Rewind>,
    /// The most checkpoints held at once, and the most record bytes held at once by more than
    /// two of them (the start and the newest are always kept).
    #[cfg(test)]
    most_held: (usize, u64),
}

/// A rewind in progress as the controls show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewindPosition {
    /// The replay's virtual time so far.
    pub replayed_us: u64,
    /// The moment the rewind goes to.
    pub target_us: u64,
}

/// A rewind in progress: the replay and where it goes.
struct Rewind {
    sim: Simulation,
    target_us: u64,
}

impl Timeline {
    pub fn new(mut sim: Simulation) -> Timeline {
        Timeline {
            head_time_us: sim.now_us(),
            checkpoints: vec![sim.checkpoint()],
            checkpoint_bytes: vec![record_bytes(&sim)],
            sim,
            events_at_last_checkpoint: 0,
            spacing_events: EVENTS_PER_CHECKPOINT,
            checkpoint_budget_bytes: CHECKPOINT_BUDGET_BYTES,
            rewinding: None,
            #[cfg(test)]
            most_held: (1, 0),
        }
    }

    /// Starts over from a scenario (replaying its actions up to `until_us`).
    pub fn from_scenario(scenario: Scenario, until_us: u64) -> Result<Timeline, SimError> {
        let sim = Simulation::new(scenario)?;
        let mut t = Timeline::new(sim);
        // Opening at 0 runs nothing yet, so a lesson's "before the run" steps come first.
        if until_us > 0 {
            t.forward_to(until_us);
        }
        Ok(t)
    }

    /// True when the simulation shows an earlier moment than the furthest one reached.
    pub fn rewound(&self) -> bool {
        self.sim.now_us() < self.head_time_us
    }

    fn after_forward(&mut self) {
        self.head_time_us = self.head_time_us.max(self.sim.now_us());
        let processed = self.sim.events_processed();
        // Evenly spaced by events; when there are too many or they hold too much, every other
        // one goes and the spacing doubles, so they stay evenly spread over the whole run,
        // bounded in number and bytes, and the cost of taking them stays a constant share of the
        // simulation's own work.
        //
        // Room is made before a checkpoint is taken, not after: a checkpoint copies the state's
        // bookkeeping (in a long run at 10,000 events/s about 28 MB of batch headers, besides
        // the record bytes it keeps alive), and the wasm heap never shrinks, so holding the
        // checkpoint that is about to go beside the new one would raise the tab's memory for
        // good. The same checkpoints are kept as when thinning after the new one is in.
        if processed >= self.events_at_last_checkpoint + self.spacing_events {
            self.events_at_last_checkpoint = processed;
            if self
                .checkpoints
                .last()
                .is_none_or(|c| c.now_us() < self.sim.now_us())
            {
                let bytes = record_bytes(&self.sim);
                while self.checkpoints.len() >= 2
                    && (self.checkpoints.len() + 1 > MAX_CHECKPOINTS
                        || self.checkpoint_bytes.iter().sum::<u64>() + bytes
                            > self.checkpoint_budget_bytes)
                {
                    self.thin_checkpoints();
                }
                self.checkpoints.push(self.sim.checkpoint());
                self.checkpoint_bytes.push(bytes);
                #[cfg(test)]
                {
                    let held = self.checkpoint_use();
                    self.most_held.0 = self.most_held.0.max(held.0);
                    if held.0 > 2 {
                        self.most_held.1 = self.most_held.1.max(held.1);
                    }
                }
            }
        }
    }

    /// Drops every other checkpoint, keeping the first (at the start), and doubles the
    /// spacing. Called before the newest one is taken, which then comes after those kept.
    fn thin_checkpoints(&mut self) {
        let keep = |i: usize| i.is_multiple_of(2);
        let mut i = 0;
        self.checkpoints.retain(|_| {
            i += 1;
            keep(i - 1)
        });
        let mut i = 0;
        self.checkpoint_bytes.retain(|_| {
            i += 1;
            keep(i - 1)
        });
        self.spacing_events = self.spacing_events.saturating_mul(2);
    }

    /// Checkpoints held, and their record bytes.
    #[cfg(test)]
    pub fn checkpoint_use(&self) -> (usize, u64) {
        (self.checkpoints.len(), self.checkpoint_bytes.iter().sum())
    }

    /// Runs forward to `time_us`.
    pub fn forward_to(&mut self, time_us: u64) {
        self.sim.run_until(time_us);
        self.after_forward();
    }

    /// Like `forward_to`, but in chunks of `EVENTS_PER_CHECK` events, asking `keep_going`
    /// between chunks; stops early when it says no (between two events, so nothing is lost or
    /// reordered: the next call goes on from there).
    pub fn forward_within(&mut self, time_us: u64, mut keep_going: impl FnMut() -> bool) {
        const EVENTS_PER_CHECK: u64 = 64;
        while self
            .sim
            .run_until_at_most(time_us, EVENTS_PER_CHECK)
            .stopped
            == StopReason::EventBudget
            && keep_going()
        {}
        self.after_forward();
    }

    /// Processes exactly one event; `None` when nothing is left or a run limit stopped it.
    pub fn step(&mut self) -> Option<Step> {
        let step = self.sim.step();
        self.after_forward();
        step
    }

    /// "Next report": steps until a step logs a delivery report, at most `max_events` steps.
    /// Only each step's new log entries are looked at, so a long log is never rescanned.
    /// Returns whether a report came; otherwise it stopped because nothing was left to do, a
    /// run limit was reached, or `max_events` ran out.
    pub fn step_to_next_report(&mut self, max_events: u32) -> bool {
        for _ in 0..max_events {
            let Some(step) = self.step() else {
                return false;
            };
            let log = self.sim.log();
            let new = &log[log.len().saturating_sub(step.new_log_entries)..];
            if new
                .iter()
                .any(|e| matches!(e.event, LogEvent::DeliveryReport { .. }))
            {
                return true;
            }
        }
        false
    }

    /// Shows the state at `time_us` (earlier or later than now), all at once.
    pub fn seek(&mut self, time_us: u64) {
        self.begin_seek(time_us);
        while self.continue_rewind(u64::MAX).is_some() {}
    }

    /// Starts showing the state at `time_us`: forward at once; backward by replaying from the
    /// nearest checkpoint before it (or the start), which [`Timeline::continue_rewind`] carries
    /// out in pieces so a long replay never freezes the page. The shown state stays as it was
    /// until the replay arrives.
    pub fn begin_seek(&mut self, time_us: u64) {
        self.rewinding = None;
        if time_us >= self.sim.now_us() {
            self.forward_to(time_us);
            return;
        }
        let start = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.now_us() <= time_us)
            .and_then(|c| c.restore(&self.sim))
            .or_else(|| Simulation::new(self.sim.scenario().clone()).ok());
        if let Some(sim) = start {
            self.rewinding = Some(Rewind {
                target_us: time_us,
                sim,
            });
        }
    }

    /// Replays at most `max_events` more of a rewind begun by [`Timeline::begin_seek`]; when it
    /// arrives, it becomes the shown state. `Some(where it is)` while it goes on, `None` when
    /// there is none (any more).
    pub fn continue_rewind(&mut self, max_events: u64) -> Option<RewindPosition> {
        let r = self.rewinding.as_mut()?;
        let out = r.sim.run_until_at_most(r.target_us, max_events);
        if out.stopped == StopReason::EventBudget {
            return self.rewind_position();
        }
        let r = self.rewinding.take().expect("checked above");
        self.sim = r.sim;
        None
    }

    /// Where a rewind in progress is: the replay's virtual time and the moment it goes to.
    pub fn rewind_position(&self) -> Option<RewindPosition> {
        self.rewinding.as_ref().map(|r| RewindPosition {
            replayed_us: r.sim.now_us(),
            target_us: r.target_us,
        })
    }

    /// Gives up a rewind in progress (the learner did something else): the shown state stays.
    pub fn cancel_rewind(&mut self) {
        self.rewinding = None;
    }

    /// "Back one event": shows the previous moment something was logged at (the state after
    /// the last entry before now), or the start. The core keeps only the newest entries (and a
    /// rewound state only those it could take back, plus those since its checkpoint), so when
    /// the log holds none before now, the stretch before now is replayed from the newest
    /// checkpoint before it, then from older ones and finally from the start, until one does.
    pub fn step_back(&mut self) {
        let now = self.sim.now_us();
        let mut previous = self
            .sim
            .log()
            .iter()
            .rev()
            .map(|e| e.time_us)
            .find(|&t| t < now);
        if previous.is_none() && now > 0 {
            let starts = self.checkpoints.iter().rev().filter(|c| c.now_us() < now);
            let mut replays = starts.filter_map(|c| c.restore(&self.sim)).chain(
                std::iter::once_with(|| Simulation::new(self.sim.scenario().clone()).ok())
                    .flatten(),
            );
            previous = replays.find_map(|mut sim| {
                sim.run_until(now - 1);
                sim.log().last().map(|e| e.time_us)
            });
        }
        self.seek(previous.unwrap_or(0));
    }

    /// Lets `f` drive the simulation directly (a lesson's "try this" steps), then treats the
    /// result as the new head.
    pub fn with_sim<T>(&mut self, f: impl FnOnce(&mut Simulation) -> T) -> T {
        if self.rewound() {
            let now = self.sim.now_us();
            let mut scenario = self.sim.scenario().clone();
            scenario.actions.retain(|a| a.at_ms * 1000.0 <= now as f64);
            if let Ok(branch) = Timeline::from_scenario(scenario, now) {
                *self = branch;
            }
        }
        let out = f(&mut self.sim);
        self.head_time_us = self.sim.now_us();
        self.checkpoints.clear();
        self.checkpoint_bytes.clear();
        let checkpoint = self.sim.checkpoint();
        self.checkpoints.push(checkpoint);
        self.checkpoint_bytes.push(record_bytes(&self.sim));
        self.events_at_last_checkpoint = self.sim.events_processed();
        self.spacing_events = EVENTS_PER_CHECKPOINT;
        out
    }

    /// Applies a learner's action now. After a rewind this branches: the actions that came later
    /// are dropped and the session continues from here.
    pub fn apply(&mut self, action: Action) -> Result<(), SimError> {
        if self.rewound() {
            let now = self.sim.now_us();
            let mut scenario = self.sim.scenario().clone();
            scenario.actions.retain(|a| a.at_ms * 1000.0 <= now as f64);
            let mut branch = Timeline::from_scenario(scenario, now)?;
            branch.sim.apply(action)?;
            *self = branch;
            return Ok(());
        }
        self.sim.apply(action)?;
        self.head_time_us = self.head_time_us.max(self.sim.now_us());
        // Checkpoints do not know this action: keep only the newest, which is now.
        self.checkpoints.clear();
        self.checkpoint_bytes.clear();
        let checkpoint = self.sim.checkpoint();
        self.checkpoints.push(checkpoint);
        self.checkpoint_bytes.push(record_bytes(&self.sim));
        self.events_at_last_checkpoint = self.sim.events_processed();
        self.spacing_events = EVENTS_PER_CHECKPOINT;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_report(e: &ksim::LogEntry) -> bool {
        matches!(e.event, LogEvent::DeliveryReport { .. })
    }

    /// The default preset's scenario with two events produced at once.
    fn two_events() -> Timeline {
        let mut scenario = kshare::presets::default_scenario();
        if scenario.topics.is_empty() {
            scenario.topics.push(ksim::TopicSpec {
                name: "payments".into(),
                partitions: 3,
                replication_factor: 1,
                ..Default::default()
            });
        }
        let mut t = Timeline::from_scenario(scenario, 0).expect("the preset runs");
        for key in ["Alice", "Bob"] {
            t.apply(Action::Produce {
                topic: "payments".into(),
                key: Some(key.into()),
                value: Some("Made a payment".into()),
                headers: Vec::new(),
                partition: None,
                timestamp_ms: None,
            })
            .expect("produce");
        }
        t
    }

    #[test]
    fn next_report_stops_at_the_first_step_that_logs_a_report() {
        // Where the first report comes, found one step at a time.
        let mut reference = two_events();
        let mut steps = 0;
        while !reference.sim.log().iter().any(is_report) {
            reference.step().expect("a report comes");
            steps += 1;
        }
        let mut t = two_events();
        let start = t.sim.events_processed();
        assert!(t.step_to_next_report(200_000));
        assert_eq!(t.sim.events_processed() - start, steps);
        assert_eq!(t.sim.now_us(), reference.sim.now_us());
        assert_eq!(t.sim.log().len(), reference.sim.log().len());
        // And the next one goes on from there to the next report, not past it.
        let reports = t.sim.log().iter().filter(|e| is_report(e)).count();
        if t.step_to_next_report(200_000) {
            let log = t.sim.log();
            assert!(log.iter().filter(|e| is_report(e)).count() > reports);
        }
    }

    /// The default preset with 20,000 events at 100,000/s and a log of `max_entries`.
    fn busy(max_entries: usize) -> Scenario {
        let mut scenario = kshare::presets::default_scenario();
        scenario.log.max_entries = max_entries;
        scenario.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 1,
            ..Default::default()
        });
        scenario.actions.push(ksim::TimedAction {
            at_ms: 0.0,
            action: Action::ProduceMany {
                topic: "payments".into(),
                count: 20_000,
                rate_per_sec: Some(100_000.0),
                key: None,
                key_count: None,
                value: "event-{i}".into(),
                value_size_bytes: None,
                mode: Default::default(),
            },
        });
        scenario
    }

    #[test]
    fn checkpoints_stay_evenly_spread_and_bounded_in_number_when_the_log_drops_entries() {
        let mut t = Timeline::from_scenario(busy(50), 0).unwrap();
        for ms in 1..=300 {
            t.forward_to(ms * 1_000);
        }
        let events = t.sim.events_processed();
        assert!(t.sim.log().len() < 80 && events > 16_000, "{events} events");
        let times: Vec<u64> = t.checkpoints.iter().map(|c| c.now_us()).collect();
        assert!(
            times.len() >= 5 && times.len() <= MAX_CHECKPOINTS,
            "{times:?}"
        );
        assert!(t.most_held.0 <= MAX_CHECKPOINTS, "{:?}", t.most_held);
        assert!(times.windows(2).all(|w| w[0] < w[1]));
        // Evenly spread over the run (not bunched at its start), so a rewind anywhere replays
        // at most about a spacing's worth of events.
        let gaps: Vec<u64> = times.windows(2).map(|w| w[1] - w[0]).collect();
        let (min, max) = (*gaps.iter().min().unwrap(), *gaps.iter().max().unwrap());
        assert!(max <= min * 3, "gaps {gaps:?}");
        // A rewind starts from the newest checkpoint before it and shows the same moment as a
        // replay from the start.
        let target = (times[3] + times[4]) / 2;
        t.seek(target);
        let mut replay = Simulation::new(t.sim.scenario().clone()).unwrap();
        replay.run_until(target);
        assert_eq!(t.sim.log_hash(), replay.log_hash());
        assert_eq!(t.sim.log_end(), replay.log_end());
        let (a, b) = (t.sim.log(), replay.log());
        let n = a.len().min(b.len());
        assert!(n > 0);
        assert_eq!(a[a.len() - n..], b[b.len() - n..]);
    }

    #[test]
    fn checkpoints_stay_within_their_byte_budget_and_still_rewind_exactly() {
        let mut unbounded = Timeline::from_scenario(busy(200_000), 0).unwrap();
        for ms in 1..=300 {
            unbounded.forward_to(ms * 1_000);
        }
        let held = unbounded.sim.memory().broker_record_bytes;
        let budget = held / 2;
        let mut t = Timeline::from_scenario(busy(200_000), 0).unwrap();
        t.checkpoint_budget_bytes = budget;
        for ms in 1..=300 {
            t.forward_to(ms * 1_000);
        }
        let (count, bytes) = t.checkpoint_use();
        assert!(count >= 2, "the start and a recent one stay: {count}");
        assert!(
            bytes <= budget || count == 2,
            "{count} checkpoints hold {bytes} B of {budget}"
        );
        // Also while a new one is taken: the ones it replaces are gone before it is made.
        let (most, most_bytes) = t.most_held;
        assert!(most <= MAX_CHECKPOINTS, "{most} held at once");
        assert!(
            most_bytes <= budget,
            "{most_bytes} B of {budget} held at once by more than two"
        );
        assert!(
            unbounded.checkpoint_use().1 > budget,
            "without the bound they would hold more: {:?}",
            unbounded.checkpoint_use()
        );
        let target = t.sim.now_us() / 3;
        t.seek(target);
        let mut replay = Simulation::new(t.sim.scenario().clone()).unwrap();
        replay.run_until(target);
        assert_eq!(t.sim.log_hash(), replay.log_hash());
    }

    #[test]
    fn a_long_rewind_replays_in_pieces_showing_progress_and_arrives_at_the_same_state() {
        let mut t = Timeline::from_scenario(busy(200_000), 0).unwrap();
        t.forward_to(300_000);
        let (now, events) = (t.sim.now_us(), t.sim.events_processed());
        let target = now / 2;
        t.begin_seek(target);
        let mut last = 0;
        let mut pieces = 0;
        while let Some(at) = t.continue_rewind(500) {
            assert_eq!(at.target_us, target);
            assert!(
                (last..target).contains(&at.replayed_us),
                "progress {last} → {}",
                at.replayed_us
            );
            last = at.replayed_us;
            pieces += 1;
            assert_eq!(t.rewind_position(), Some(at));
            // Until it arrives, the page keeps showing where it was.
            assert_eq!((t.sim.now_us(), t.sim.events_processed()), (now, events));
        }
        assert!(pieces > 3, "replayed in {pieces} pieces");
        assert_eq!(t.rewind_position(), None);
        let mut replay = Simulation::new(t.sim.scenario().clone()).unwrap();
        replay.run_until(target);
        assert_eq!(
            (t.sim.now_us(), t.sim.log_hash()),
            (replay.now_us(), replay.log_hash())
        );
        // Given up half-way, the shown state stays.
        t.forward_to(now);
        t.begin_seek(target / 2);
        assert!(t.continue_rewind(100).is_some());
        t.cancel_rewind();
        assert_eq!(t.rewind_position(), None);
        assert_eq!(t.sim.now_us(), now);
    }

    #[test]
    fn next_report_gives_up_when_nothing_is_left_or_the_budget_runs_out() {
        let mut t = two_events();
        assert!(
            !t.step_to_next_report(1),
            "one step is not enough for an ack"
        );
        assert_eq!(t.sim.events_processed(), 1);
        while t.step_to_next_report(200_000) {}
        // Both events reported, then nothing left: it stops instead of spinning.
        assert_eq!(t.sim.log().iter().filter(|e| is_report(e)).count(), 2);
        let processed = t.sim.events_processed();
        assert!(!t.step_to_next_report(200_000));
        assert!(t.sim.events_processed() - processed < 200_000);
    }
}
