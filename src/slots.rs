//! How a snapshot of the core reaches the page. A snapshot (`Latest`: the view, the decoded
//! partition logs, the metrics history, the lesson check) is taken once per round; the page is
//! cut into slots (one panel, or one partition's log) that each show a snapshot of their own
//! (`Shown`). While playing, the slots of a round are published in a fixed order, as many per
//! frame as `frame_budget` allows; paused, after a step or a seek, all at once, so every panel
//! shows the same moment (ARCHITECTURE.md, "every frame stays on time").
//!
//! Nothing here touches the browser: the app passes in what drawing needs (`Drawing`), so the
//! whole path is tested natively.

use crate::components::metrics_panel::Sample;
use crate::components::Snapshot;
use crate::event_index::LogMark;
use crate::frame_budget::FrameBudget;
use crate::records::PartitionLog;
use crate::scene::Scene;
use kshare::CheckResult;
use ksim::{LogEntry, Metrics, View};
use std::rc::Rc;
use yew::AttrValue;

/// Metric samples kept for the charts; when full, every other one is dropped.
const MAX_SAMPLES: usize = 240;

/// A part of the page that is refreshed on its own: one panel, or one partition's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Slot {
    /// The live view and the sequence diagram (positions are functions of virtual time).
    Live,
    Producer,
    Network,
    Reports,
    Cluster,
    PartitionLog(usize),
    Metrics,
    Events,
    /// Settings, faults and the lesson check: they change rarely.
    Side,
}

/// Slots before the partition logs in a round (the panels in view first).
const LEADING_SLOTS: [Slot; 5] = [
    Slot::Live,
    Slot::Producer,
    Slot::Network,
    Slot::Reports,
    Slot::Cluster,
];
/// Slots after them.
const TRAILING_SLOTS: [Slot; 3] = [Slot::Metrics, Slot::Events, Slot::Side];

/// How many slots a round has with `partitions` partition logs.
pub fn slot_count(partitions: usize) -> usize {
    LEADING_SLOTS.len() + partitions + TRAILING_SLOTS.len()
}

/// The slot at `position` of a round with `partitions` partition logs.
pub fn slot_at(position: usize, partitions: usize) -> Slot {
    if let Some(s) = LEADING_SLOTS.get(position) {
        return *s;
    }
    let p = position - LEADING_SLOTS.len();
    if p < partitions {
        return Slot::PartitionLog(p);
    }
    TRAILING_SLOTS[(p - partitions).min(TRAILING_SLOTS.len() - 1)]
}

/// Whether the settings, fault and form panels (topic list, broker states, producer and topic
/// configs, the topics' serializers) would show something else for `new` than for `old`.
fn side_changed(old: &View, new: &View) -> bool {
    old.producer.config != new.producer.config
        || old.serializers != new.serializers
        || old.topics != new.topics
        || old.brokers != new.brokers
        || old.partitions.len() != new.partitions.len()
}

/// What drawing the live view and the sequence diagram needs besides the snapshot: the event
/// log as it is now (send reasons, arrows) and the window's shape.
#[derive(Clone, Copy)]
pub struct Drawing<'a> {
    pub log: &'a [LogEntry],
    /// A phone-sized window: the live view stacks the producer above the brokers.
    pub narrow: bool,
}

/// The newest snapshot of the core; nothing on the page changes until slots are published.
pub struct Latest {
    pub view: Rc<View>,
    pub logs: Vec<Rc<PartitionLog>>,
    /// The metrics history, one sample per snapshot at a later virtual time.
    pub samples: Rc<Vec<Sample>>,
    pub check: Option<CheckResult>,
    /// Where the event log was (the panel lists the entries before its end).
    pub log: LogMark,
}

/// The snapshot each slot shows.
pub struct Shown {
    pub live: Rc<Scene>,
    pub live_label: AttrValue,
    pub sequence: Rc<Scene>,
    pub sequence_label: AttrValue,
    pub producer: Snapshot<View>,
    pub network: Snapshot<View>,
    pub reports: Snapshot<View>,
    pub cluster: Snapshot<View>,
    pub side: Rc<View>,
    pub logs: Rc<Vec<Rc<PartitionLog>>>,
    pub metrics: Rc<Metrics>,
    pub samples: Rc<Vec<Sample>>,
    /// Where the event log was in the snapshot the event-log panel shows.
    pub log: LogMark,
    pub check: Option<CheckResult>,
}

impl Shown {
    fn new(view: &Rc<View>, narrow: bool) -> Shown {
        Shown {
            live: Rc::new(crate::live_layout::layout(view, narrow, &[])),
            live_label: AttrValue::from(crate::live_layout::summary(view)),
            sequence: Rc::default(),
            sequence_label: AttrValue::from("Sequence diagram"),
            producer: Snapshot(view.clone()),
            network: Snapshot(view.clone()),
            reports: Snapshot(view.clone()),
            cluster: Snapshot(view.clone()),
            side: view.clone(),
            logs: Rc::default(),
            metrics: Rc::new(view.metrics.clone()),
            samples: Rc::default(),
            log: LogMark::default(),
            check: None,
        }
    }
}

/// The newest snapshot, what each slot shows, and the frame budget between them.
pub struct Slots {
    pub latest: Latest,
    pub shown: Shown,
    budget: FrameBudget,
}

impl Slots {
    /// Every slot showing `view` (the partition logs and the sequence diagram come with the
    /// first snapshot).
    pub fn new(view: Rc<View>, narrow: bool) -> Slots {
        Slots {
            shown: Shown::new(&view, narrow),
            latest: Latest {
                view,
                logs: Vec::new(),
                samples: Rc::default(),
                check: None,
                log: LogMark::default(),
            },
            budget: FrameBudget::new(slot_count(0)),
        }
    }

    fn slots(&self) -> usize {
        slot_count(self.latest.logs.len())
    }

    /// Forgets the metrics history and the partition logs (another scenario was opened).
    pub fn start_over(&mut self) {
        self.latest.samples = Rc::default();
        self.latest.logs.clear();
    }

    /// Takes a new snapshot. Partition logs equal to the previous snapshot's keep their `Rc`
    /// (their tables are not rendered again); partitions no longer where they were (another
    /// scenario, a topic gone) leave the page at once, the rest wait for their slots.
    pub fn take(
        &mut self,
        view: View,
        logs: Vec<PartitionLog>,
        check: Option<CheckResult>,
        log: LogMark,
    ) {
        let latest = &mut self.latest;
        latest.logs = logs
            .into_iter()
            .enumerate()
            .map(|(i, log)| match latest.logs.get(i) {
                Some(old) if **old == log => old.clone(),
                _ => Rc::new(log),
            })
            .collect();
        let same = self
            .shown
            .logs
            .iter()
            .zip(&latest.logs)
            .take_while(|(a, b)| a.topic == b.topic && a.partition == b.partition)
            .count();
        if self.shown.logs.len() > same {
            Rc::make_mut(&mut self.shown.logs).truncate(same);
        }
        sample(Rc::make_mut(&mut latest.samples), &view);
        latest.view = Rc::new(view);
        latest.check = check;
        latest.log = log;
    }

    /// Shows the snapshot just taken: paused, in every slot at once; while playing, in the next
    /// frames' slots, so an action clicked while it plays does not render the whole page in
    /// one frame.
    pub fn show(&mut self, playing: bool, drawing: Drawing) {
        if playing {
            self.budget.start_round(self.slots());
        } else {
            self.publish_all(drawing);
        }
    }

    /// Whether a round is under way (some slots do not show the newest snapshot yet).
    pub fn round_open(&self) -> bool {
        self.budget.round_open()
    }

    /// Starts a round for a snapshot just taken while playing.
    pub fn start_round(&mut self) {
        self.budget.start_round(self.slots());
    }

    /// Shows the newest snapshot in every slot and ends the round.
    pub fn publish_all(&mut self, drawing: Drawing) {
        let partitions = self.latest.logs.len();
        for position in 0..slot_count(partitions) {
            self.publish(slot_at(position, partitions), drawing);
        }
        self.budget.finish_round();
    }

    /// How many slots this animation frame may publish (see `FrameBudget::frame`).
    pub fn frame_allowance(&mut self, elapsed_ms: f64, previous_work_ms: Option<f64>) -> usize {
        self.budget.frame(elapsed_ms, previous_work_ms)
    }

    /// The estimated display frame time (see `FrameBudget::frame_ms`).
    pub fn frame_ms(&self) -> f64 {
        self.budget.frame_ms()
    }

    /// Publishes up to `n` slots of the round, in order.
    pub fn publish_next(&mut self, n: usize, drawing: Drawing) {
        let partitions = self.latest.logs.len();
        for _ in 0..n {
            match self.budget.next_slot(slot_count(partitions)) {
                Some(position) => self.publish(slot_at(position, partitions), drawing),
                None => break,
            }
        }
    }

    /// Shows the newest snapshot in one slot.
    fn publish(&mut self, slot: Slot, drawing: Drawing) {
        let latest = &self.latest;
        let shown = &mut self.shown;
        match slot {
            Slot::Live => {
                let reasons = crate::live_layout::send_reasons(drawing.log);
                shown.live = Rc::new(crate::live_layout::layout(
                    &latest.view,
                    drawing.narrow,
                    &reasons,
                ));
                shown.live_label = AttrValue::from(crate::live_layout::summary(&latest.view));
                shown.sequence = Rc::new(crate::sequence_layout::layout(&latest.view, drawing.log));
                let (start, end) = crate::sequence_layout::window(&latest.view);
                shown.sequence_label = AttrValue::from(format!(
                    "Sequence diagram: the application, the producer and each broker, from {} to {}",
                    crate::scene::duration(start),
                    crate::scene::duration(end)
                ));
            }
            Slot::Producer => shown.producer = Snapshot(latest.view.clone()),
            Slot::Network => shown.network = Snapshot(latest.view.clone()),
            Slot::Reports => shown.reports = Snapshot(latest.view.clone()),
            Slot::Cluster => shown.cluster = Snapshot(latest.view.clone()),
            Slot::PartitionLog(i) => {
                // `take` already cut the shown list where it stops matching this one.
                let logs = Rc::make_mut(&mut shown.logs);
                match latest.logs.get(i) {
                    Some(log) if i < logs.len() => logs[i] = log.clone(),
                    Some(log) if i == logs.len() => logs.push(log.clone()),
                    _ => *logs = latest.logs.clone(),
                }
            }
            Slot::Metrics => {
                if *shown.metrics != latest.view.metrics {
                    shown.metrics = Rc::new(latest.view.metrics.clone());
                }
                shown.samples = latest.samples.clone();
            }
            Slot::Events => shown.log = latest.log,
            Slot::Side => {
                // Republished only when what these panels show changed: a settings field being
                // typed into while playing keeps its text.
                if side_changed(&shown.side, &latest.view) {
                    shown.side = latest.view.clone();
                }
                shown.check = latest.check.clone();
            }
        }
    }
}

/// Adds a metrics sample when virtual time moved forward; a rewind restarts the history.
fn sample(samples: &mut Vec<Sample>, view: &View) {
    if samples.last().is_some_and(|s| s.time_us > view.time_us) {
        samples.clear();
    }
    if samples.last().is_none_or(|s| s.time_us < view.time_us) {
        samples.push(Sample {
            time_us: view.time_us,
            metrics: view.metrics.clone(),
        });
        if samples.len() > MAX_SAMPLES {
            let mut i = 0;
            samples.retain(|_| {
                i += 1;
                i % 2 == 1
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::DecodeCache;
    use ksim::Simulation;

    fn sim() -> Simulation {
        let mut s = kshare::presets::default_scenario();
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 1,
            ..Default::default()
        });
        Simulation::new(s).expect("the preset runs")
    }

    /// Takes a snapshot of `sim` as the app does.
    fn take(slots: &mut Slots, sim: &Simulation, cache: &mut DecodeCache) {
        let view = sim.view();
        let logs = cache.partition_logs(sim, &view);
        slots.take(view, logs, None, LogMark::of(sim));
    }

    fn drawing(sim: &Simulation) -> Drawing<'_> {
        Drawing {
            log: sim.log(),
            narrow: false,
        }
    }

    /// Which panels show the newest snapshot's view.
    fn up_to_date(slots: &Slots) -> [bool; 4] {
        let v = &slots.latest.view;
        [
            Rc::ptr_eq(&slots.shown.producer.0, v),
            Rc::ptr_eq(&slots.shown.network.0, v),
            Rc::ptr_eq(&slots.shown.reports.0, v),
            Rc::ptr_eq(&slots.shown.cluster.0, v),
        ]
    }

    #[test]
    fn the_order_is_panels_in_view_then_each_partition_then_the_rest() {
        let order: Vec<Slot> = (0..slot_count(2)).map(|p| slot_at(p, 2)).collect();
        assert_eq!(
            order,
            [
                Slot::Live,
                Slot::Producer,
                Slot::Network,
                Slot::Reports,
                Slot::Cluster,
                Slot::PartitionLog(0),
                Slot::PartitionLog(1),
                Slot::Metrics,
                Slot::Events,
                Slot::Side,
            ]
        );
    }

    #[test]
    fn paused_every_slot_shows_the_new_snapshot_at_once() {
        let mut sim = sim();
        let mut cache = DecodeCache::default();
        let mut slots = Slots::new(Rc::new(sim.view()), false);
        sim.produce("payments", Some("Alice"), Some("x")).unwrap();
        sim.run_until(50_000);
        take(&mut slots, &sim, &mut cache);
        slots.show(false, drawing(&sim));
        assert_eq!(up_to_date(&slots), [true; 4]);
        assert!(!slots.round_open());
        assert_eq!(slots.shown.logs.len(), 3);
        assert_eq!(slots.shown.log, LogMark::of(&sim));
        assert_eq!(*slots.shown.metrics, slots.latest.view.metrics);
    }

    #[test]
    fn playing_the_slots_follow_in_order_within_the_budget() {
        let mut sim = sim();
        let mut cache = DecodeCache::default();
        let mut slots = Slots::new(Rc::new(sim.view()), false);
        take(&mut slots, &sim, &mut cache);
        slots.show(false, drawing(&sim));
        sim.run_until(20_000);
        take(&mut slots, &sim, &mut cache);
        slots.show(true, drawing(&sim));
        assert!(slots.round_open());
        assert_eq!(
            up_to_date(&slots),
            [false; 4],
            "nothing shown before a frame"
        );
        // Live, Producer, Network.
        slots.publish_next(3, drawing(&sim));
        assert_eq!(up_to_date(&slots), [true, true, false, false]);
        slots.publish_next(100, drawing(&sim));
        assert_eq!(up_to_date(&slots), [true; 4]);
        assert!(!slots.round_open());
    }

    #[test]
    fn the_event_log_shows_its_snapshots_entries_until_its_slot_is_published() {
        let mut scenario = kshare::presets::default_scenario();
        scenario.log.max_entries = 50;
        scenario.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 1,
            ..Default::default()
        });
        let mut sim = Simulation::new(scenario).unwrap();
        for i in 0..40 {
            sim.produce("payments", Some(&format!("k{i}")), Some("x"))
                .unwrap();
            sim.run_until(sim.now_us() + 2_000);
        }
        assert!(sim.log_dropped() > 0);
        let mut cache = DecodeCache::default();
        let mut slots = Slots::new(Rc::new(sim.view()), false);
        let mut events = crate::event_index::EventIndex::default();
        events.follow(&sim);
        take(&mut slots, &sim, &mut cache);
        slots.show(false, drawing(&sim));
        let before = events.rows(slots.shown.log, &sim);
        let newest = before.rows.last().unwrap().clone();
        assert_eq!(newest.index, sim.log_end() - 1);
        // Playing on: entries are dropped and new ones come, but the event log keeps showing
        // the moment of its snapshot until its slot's turn (the newest row stays the same).
        while sim.log_dropped() < slots.shown.log.dropped + 20 {
            sim.produce("payments", Some("late"), Some("x")).unwrap();
            sim.run_until(sim.now_us() + 2_000);
        }
        events.follow(&sim);
        take(&mut slots, &sim, &mut cache);
        slots.show(true, drawing(&sim));
        slots.publish_next(3, drawing(&sim));
        let page = events.rows(slots.shown.log, &sim);
        assert_eq!(page.rows.last(), Some(&newest));
        slots.publish_next(100, drawing(&sim));
        let page = events.rows(slots.shown.log, &sim);
        let last = page.rows.last().unwrap();
        assert_eq!(last.index, sim.log_end() - 1);
        assert_eq!(last.text, sim.log().last().unwrap().event.describe());
    }

    #[test]
    fn an_unchanged_partition_log_keeps_its_snapshot_and_a_gone_one_leaves_at_once() {
        let sim = sim();
        let mut cache = DecodeCache::default();
        let mut slots = Slots::new(Rc::new(sim.view()), false);
        take(&mut slots, &sim, &mut cache);
        slots.show(false, drawing(&sim));
        let before = slots.latest.logs.clone();
        take(&mut slots, &sim, &mut cache);
        assert!(before
            .iter()
            .zip(&slots.latest.logs)
            .all(|(a, b)| Rc::ptr_eq(a, b)));
        // Another scenario without partitions: the shown logs go before any slot is published.
        let empty = Simulation::new(kshare::presets::default_scenario()).unwrap();
        let view = empty.view();
        slots.take(view, Vec::new(), None, LogMark::default());
        slots.show(true, drawing(&empty));
        assert!(slots.shown.logs.is_empty());
    }

    #[test]
    fn a_rewind_restarts_the_metrics_history() {
        let mut sim = sim();
        let mut cache = DecodeCache::default();
        let mut slots = Slots::new(Rc::new(sim.view()), false);
        for t in [10_000, 20_000, 30_000] {
            sim.run_until(t);
            take(&mut slots, &sim, &mut cache);
        }
        assert_eq!(slots.latest.samples.len(), 3);
        // The same moment again adds nothing; an earlier one starts over.
        take(&mut slots, &sim, &mut cache);
        assert_eq!(slots.latest.samples.len(), 3);
        let mut earlier = self::sim();
        earlier.run_until(5_000);
        take(&mut slots, &earlier, &mut cache);
        assert_eq!(slots.latest.samples.len(), 1);
    }

    #[test]
    fn the_metrics_history_halves_when_full() {
        let mut samples = Vec::new();
        let mut view = sim().view();
        for t in 1..=(MAX_SAMPLES as u64 + 1) {
            view.time_us = t;
            sample(&mut samples, &view);
        }
        assert_eq!(samples.len(), MAX_SAMPLES / 2 + 1);
        assert_eq!(samples[0].time_us, 1);
        assert_eq!(samples[1].time_us, 3);
    }
}
