//! Indexes over the event log that follow it as it grows while playing and goes back after a
//! rewind, looking only at the entries that are new: which entries match the event log's
//! filter (and how far the panel is scrolled), and the times of fired faults (the marks under
//! the scrubber).
//!
//! The core keeps only the newest entries of a long run (`Simulation::log`; older ones are
//! dropped from the front, `Simulation::log_dropped`), so `log().len()` stops growing while the
//! run goes on and an index into `log()` names another entry after every drop. Everything here
//! counts in entry numbers of the whole run instead: `log()[i]` is entry `log_dropped() + i`.

use crate::components::event_log::{window_for, Row};
use ksim::{LogEvent, Scenario, Simulation};
use std::ops::Range;
use std::rc::Rc;

/// Where a snapshot left the event log: what the event-log panel shows of it (see `slots`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LogMark {
    /// Entries of the run so far (`Simulation::log_end`): the panel lists those before it.
    pub end: u64,
    /// Entries dropped from the front before the retained ones (`Simulation::log_dropped`).
    pub dropped: u64,
}

impl LogMark {
    pub fn of(sim: &Simulation) -> LogMark {
        LogMark {
            end: sim.log_end(),
            dropped: sim.log_dropped(),
        }
    }
}

/// The rows of the event-log panel: how many entries it lists, and the window of them in view.
#[derive(Debug, Default, PartialEq)]
pub struct LogPage {
    /// Entries listed (matching the filter, still held by the core, up to the snapshot).
    pub total: usize,
    /// Position among them of the first row in `rows`.
    pub first: usize,
    pub rows: Vec<Row>,
}

/// The event-log panel's filter, the entries matching it, and its scroll position.
#[derive(Debug, Default)]
pub struct EventIndex {
    filter: String,
    /// Entry numbers of the retained entries matching the filter (all of them when the filter
    /// is empty), oldest first.
    matches: Vec<u64>,
    /// The entries looked at are those from `from` (older ones were dropped, or not held when
    /// the index started) up to `scanned` (the number of the next one to look at).
    from: u64,
    scanned: u64,
    /// How many rows above the newest entry the panel is scrolled (0 = following).
    pub scroll_row: usize,
}

impl EventIndex {
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Forgets every entry (another timeline: its log is another log).
    pub fn clear(&mut self) {
        self.matches.clear();
        self.from = 0;
        self.scanned = 0;
    }

    /// A new filter (case-insensitive text): the index is rebuilt from the retained entries and
    /// the panel follows the newest matching entries again.
    pub fn set_filter(&mut self, filter: String, sim: &Simulation) {
        self.filter = filter;
        self.clear();
        self.follow(sim);
        self.scroll_row = 0;
    }

    /// Keeps the index in step with the log: new entries are looked at, entries dropped from
    /// the front leave, and after a rewind the entries past the moment shown go (those before
    /// it are the same entries of the same run) while older ones the rewound log holds again
    /// come back.
    pub fn follow(&mut self, sim: &Simulation) {
        let (first, end) = (sim.log_dropped(), sim.log_end());
        if self.scanned > end {
            let keep = self.matches.partition_point(|&n| n < end);
            self.matches.truncate(keep);
            self.scanned = end;
            self.from = self.from.min(end);
        }
        if first > self.from {
            let gone = self.matches.partition_point(|&n| n < first);
            self.matches.drain(..gone);
            self.from = first;
            self.scanned = self.scanned.max(first);
        } else if first < self.from {
            let back = self.matching(sim, first..self.from);
            self.matches.splice(..0, back);
            self.from = first;
        }
        let new = self.matching(sim, self.scanned..end);
        self.matches.extend(new);
        self.scanned = end;
    }

    /// The numbers of the entries in `range` (all held by `sim`) that match the filter.
    fn matching(&self, sim: &Simulation, range: Range<u64>) -> Vec<u64> {
        let first = sim.log_dropped();
        let entries = &sim.log()[(range.start - first) as usize..(range.end - first) as usize];
        let numbered = entries.iter().zip(range);
        if self.filter.is_empty() {
            return numbered.map(|(_, n)| n).collect();
        }
        let needle = self.filter.to_lowercase();
        numbered
            .filter(|(e, _)| e.event.describe().to_lowercase().contains(&needle))
            .map(|(_, n)| n)
            .collect()
    }

    /// The rows the panel shows for the snapshot `shown` (see `slots`): the matching entries
    /// before its end that the core still holds (the simulation may have moved on since the
    /// index followed it, dropping some or rewinding), and the window of them around the scroll
    /// position.
    pub fn rows(&self, shown: LogMark, sim: &Simulation) -> LogPage {
        let (log, first) = (sim.log(), sim.log_dropped());
        let held_end = shown.end.min(sim.log_end());
        let lo = self.matches.partition_point(|&n| n < first);
        let hi = self.matches.partition_point(|&n| n < held_end).max(lo);
        let listed = &self.matches[lo..hi];
        let (top, bottom) = window_for(self.scroll_row, listed.len());
        let rows = listed[top..bottom]
            .iter()
            .map(|&n| {
                let e = &log[(n - first) as usize];
                Row {
                    index: n,
                    time_ms: e.time_us as f64 / 1000.0,
                    text: e.event.describe(),
                }
            })
            .collect();
        LogPage {
            total: listed.len(),
            first: top,
            rows,
        }
    }
}

/// `LogEvent::kind` of a fired fault, as `Simulation::log_counts` counts it.
const FAULT_FIRED: &str = "fault_fired";

/// Virtual times of the faults fired so far, marked under the scrubber.
#[derive(Debug, Default)]
pub struct FaultMarks {
    /// In the order they fired (so by time).
    marks: Rc<Vec<u64>>,
    /// Entries of the run accounted for: the number of the next one to look at.
    scanned: u64,
}

impl FaultMarks {
    pub fn marks(&self) -> Rc<Vec<u64>> {
        self.marks.clone()
    }

    /// Forgets every mark (another timeline).
    pub fn clear(&mut self) {
        self.marks = Rc::default();
        self.scanned = 0;
    }

    /// Adds the faults among the new entries. The core counts the faults of the whole run
    /// (`Simulation::log_counts`), so a rewind keeps exactly the marks of the faults fired
    /// before the moment shown, and faults whose entries were dropped before they were looked
    /// at (the page jumped far ahead in one go: a link to a late moment, a replay, a long seek)
    /// are taken from the scenario. The marks keep their `Rc` when nothing changed, so the
    /// controls are not rendered again.
    pub fn follow(&mut self, sim: &Simulation) {
        let fired = sim.log_counts().get(FAULT_FIRED).copied().unwrap_or(0) as usize;
        let (log, first, end) = (sim.log(), sim.log_dropped(), sim.log_end());
        if self.marks.len() > fired {
            Rc::make_mut(&mut self.marks).truncate(fired);
        }
        self.scanned = self.scanned.min(end);
        let start = self.scanned.max(first);
        let new: Vec<u64> = log[(start - first) as usize..]
            .iter()
            .filter(|e| matches!(e.event, LogEvent::FaultFired { .. }))
            .map(|e| e.time_us)
            .collect();
        let before = fired.saturating_sub(new.len());
        if self.marks.len() != before {
            self.marks = Rc::new(fault_times_in_scenario(sim.scenario(), before));
        }
        if !new.is_empty() {
            Rc::make_mut(&mut self.marks).extend(new);
        }
        self.scanned = end;
    }
}

/// The times of the first `n` faults of `scenario` to fire: its scheduled faults and its
/// `inject_fault` actions, by time (the core fires both in time order). Only for faults whose
/// log entries are gone; an `inject_fault` action the core refused (it names a broker the
/// cluster does not have) would be counted as fired here.
fn fault_times_in_scenario(scenario: &Scenario, n: usize) -> Vec<u64> {
    let faults = scenario.faults.iter().map(|f| f.at_ms);
    let injected = scenario.actions.iter().filter_map(|a| match a.action {
        ksim::Action::InjectFault { .. } => Some(a.at_ms),
        _ => None,
    });
    let mut times: Vec<u64> = faults
        .chain(injected)
        .filter_map(|ms| ksim::scenario::ms_to_us(ms, "").ok())
        .collect();
    times.sort_unstable();
    times.truncate(n);
    times
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::Timeline;
    use ksim::{Action, Fault, TimedFault};

    /// The default preset with a topic, an event produced, and broker 1 crashed at 30 ms.
    fn run() -> Simulation {
        let mut s = kshare::presets::default_scenario();
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3.min(s.cluster.brokers),
            ..Default::default()
        });
        s.faults.push(TimedFault {
            at_ms: 30.0,
            fault: Fault::Crash { broker: 1 },
        });
        let mut sim = Simulation::new(s).expect("the preset runs");
        sim.produce("payments", Some("Alice"), Some("x")).unwrap();
        sim
    }

    /// A run whose log keeps only its newest `max_entries` entries: 200 events produced over
    /// 200 ms (a few hundred log entries), broker 1 crashed at 30 ms and restarted at 40 ms.
    fn long_run(max_entries: usize) -> Scenario {
        let mut s = kshare::presets::default_scenario();
        s.log.max_entries = max_entries;
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3.min(s.cluster.brokers),
            ..Default::default()
        });
        s.faults.push(TimedFault {
            at_ms: 30.0,
            fault: Fault::Crash { broker: 1 },
        });
        s.faults.push(TimedFault {
            at_ms: 40.0,
            fault: Fault::Restart { broker: 1 },
        });
        s.actions.push(ksim::TimedAction {
            at_ms: 0.0,
            action: Action::ProduceMany {
                topic: "payments".into(),
                count: 200,
                rate_per_sec: Some(1000.0),
                key: None,
                key_count: None,
                value: "event-{i}".into(),
                value_size_bytes: None,
                mode: Default::default(),
            },
        });
        s
    }

    /// The same run with every entry kept: entry `n` of a run is `full.log()[n]`.
    fn full_log(s: &Scenario, until_us: u64) -> Simulation {
        let mut s = s.clone();
        s.log.max_entries = 1_000_000;
        let mut sim = Simulation::new(s).unwrap();
        sim.run_until(until_us);
        sim
    }

    #[test]
    fn the_filter_follows_a_growing_and_a_rewound_log() {
        let mut sim = run();
        let mut index = EventIndex::default();
        index.set_filter("ProduceRequest".into(), &sim);
        sim.run_until(20_000);
        index.follow(&sim);
        let expected: Vec<u64> = (0..sim.log().len() as u64)
            .filter(|&i| {
                sim.log()[i as usize]
                    .event
                    .describe()
                    .contains("ProduceRequest")
            })
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(index.matches, expected);
        // Case does not matter; a new filter scrolls back to the newest entry.
        index.scroll_row = 3;
        index.set_filter("producerequest".into(), &sim);
        assert_eq!(index.matches, expected);
        assert_eq!(index.scroll_row, 0);
        // A rewind: entries past the moment shown go.
        let mut earlier = run();
        earlier.run_until(sim.log()[expected[0] as usize].time_us - 1);
        index.follow(&earlier);
        assert!(index.matches.is_empty());
        let page = index.rows(LogMark::of(&earlier), &earlier);
        assert_eq!((page.total, page.first, page.rows.len()), (0, 0, 0));
    }

    #[test]
    fn rows_never_show_more_than_the_page_does() {
        let mut sim = run();
        while sim.log().len() < 4 {
            sim.step().unwrap();
        }
        let shown = LogMark::of(&sim);
        sim.run_until(20_000);
        let mut index = EventIndex::default();
        index.follow(&sim);
        // The panel's snapshot is older than the simulation: only the entries it had.
        let page = index.rows(shown, &sim);
        assert_eq!(page.total, shown.end as usize);
        assert!(page.total < sim.log().len());
        assert_eq!(page.rows.last().unwrap().index, shown.end - 1);
        assert_eq!(
            page.rows[1].text,
            sim.log()[page.rows[1].index as usize].event.describe()
        );
    }

    #[test]
    fn the_index_keeps_following_new_entries_after_older_ones_are_dropped() {
        let scenario = long_run(50);
        let full = full_log(&scenario, 200_000);
        let mut sim = Simulation::new(scenario).unwrap();
        let mut all = EventIndex::default();
        let mut requests = EventIndex::default();
        requests.set_filter("ProduceRequest".into(), &sim);
        let mut drops = 0;
        for ms in 1..=200 {
            let dropped = sim.log_dropped();
            sim.run_until(ms * 1000);
            drops += usize::from(sim.log_dropped() > dropped);
            all.follow(&sim);
            requests.follow(&sim);
            let (first, end) = (sim.log_dropped(), sim.log_end());
            assert_eq!(all.matches, (first..end).collect::<Vec<_>>(), "at {ms} ms");
            let expected: Vec<u64> = (first..end)
                .filter(|&n| {
                    full.log()[n as usize]
                        .event
                        .describe()
                        .contains("ProduceRequest")
                })
                .collect();
            assert_eq!(requests.matches, expected, "at {ms} ms");
            // Following: the last row is the newest entry, and every row says what its entry
            // of the run says.
            let page = all.rows(LogMark::of(&sim), &sim);
            assert_eq!(page.total, sim.log().len());
            if let Some(last) = page.rows.last() {
                assert_eq!(last.index, end - 1);
            }
            for row in page
                .rows
                .iter()
                .chain(&requests.rows(LogMark::of(&sim), &sim).rows)
            {
                assert_eq!(row.text, full.log()[row.index as usize].event.describe());
                assert_eq!(
                    row.time_ms * 1000.0,
                    full.log()[row.index as usize].time_us as f64
                );
            }
        }
        assert!(drops >= 3, "the log dropped entries {drops} times");
        assert!(sim.log_dropped() > 200 && sim.log().len() <= 75);
    }

    #[test]
    fn the_event_log_says_how_many_entries_were_dropped_once_some_are() {
        use crate::components::event_log::dropped_note;
        let mut sim = Simulation::new(long_run(50)).unwrap();
        while sim.log_dropped() == 0 {
            assert_eq!(dropped_note(LogMark::of(&sim)), None, "nothing dropped yet");
            sim.step().unwrap();
        }
        sim.run_until(200_000);
        let note = dropped_note(LogMark::of(&sim)).unwrap();
        assert!(note.starts_with(&format!("{} older entries dropped", sim.log_dropped())));
        assert!(note.contains(&format!("the newest {} are kept", sim.log().len())));
    }

    #[test]
    fn a_snapshot_taken_before_a_drop_shows_only_the_entries_still_held() {
        let scenario = long_run(50);
        let full = full_log(&scenario, 200_000);
        let mut sim = Simulation::new(scenario).unwrap();
        sim.run_until(100_000);
        let shown = LogMark::of(&sim);
        let mut index = EventIndex::default();
        index.follow(&sim);
        // The simulation moves on and drops some of the snapshot's entries before it is drawn.
        while sim.log_dropped() <= shown.dropped {
            sim.step().unwrap();
        }
        let page = index.rows(shown, &sim);
        assert_eq!(page.total, (shown.end - sim.log_dropped()) as usize);
        for row in &page.rows {
            assert!(row.index >= sim.log_dropped() && row.index < shown.end);
            assert_eq!(row.text, full.log()[row.index as usize].event.describe());
        }
    }

    #[test]
    fn a_rewind_after_drops_keeps_the_entries_before_the_moment_shown() {
        let scenario = long_run(50);
        let full = full_log(&scenario, 200_000);
        let mut t = Timeline::from_scenario(scenario, 0).unwrap();
        let mut index = EventIndex::default();
        let mut marks = FaultMarks::default();
        for ms in (10..=200).step_by(10) {
            t.forward_to(ms * 1000);
            index.follow(&t.sim);
            marks.follow(&t.sim);
        }
        assert_eq!(*marks.marks(), [30_000, 40_000]);
        t.seek(35_000);
        index.follow(&t.sim);
        marks.follow(&t.sim);
        let (first, end) = (t.sim.log_dropped(), t.sim.log_end());
        assert!(end < full.log().len() as u64);
        assert_eq!(index.matches, (first..end).collect::<Vec<_>>());
        for row in index.rows(LogMark::of(&t.sim), &t.sim).rows {
            assert_eq!(row.text, full.log()[row.index as usize].event.describe());
        }
        assert_eq!(*marks.marks(), [30_000], "the restart at 40 ms is not yet");
        // Forward again: the same entries come back, with the restart.
        t.forward_to(200_000);
        index.follow(&t.sim);
        marks.follow(&t.sim);
        assert_eq!(
            index.matches,
            (t.sim.log_dropped()..t.sim.log_end()).collect::<Vec<_>>()
        );
        assert_eq!(*marks.marks(), [30_000, 40_000]);
    }

    #[test]
    fn fault_marks_come_from_fired_faults_and_start_over_after_a_rewind() {
        let mut sim = run();
        let mut marks = FaultMarks::default();
        marks.follow(&sim);
        assert!(marks.marks().is_empty());
        sim.run_until(50_000);
        marks.follow(&sim);
        let same = marks.marks();
        assert_eq!(*same, [30_000]);
        let fired = sim
            .log()
            .iter()
            .find(|e| matches!(e.event, LogEvent::FaultFired { .. }));
        assert_eq!(fired.unwrap().event.kind(), FAULT_FIRED);
        marks.follow(&sim);
        assert!(
            Rc::ptr_eq(&same, &marks.marks()),
            "nothing new, the same marks"
        );
        let mut earlier = run();
        earlier.run_until(29_999);
        marks.follow(&earlier);
        assert!(marks.marks().is_empty());
    }

    #[test]
    fn fault_marks_stay_when_their_entries_are_dropped() {
        let mut sim = Simulation::new(long_run(50)).unwrap();
        let mut marks = FaultMarks::default();
        for ms in 1..=200 {
            sim.run_until(ms * 1000);
            marks.follow(&sim);
        }
        assert!(!sim
            .log()
            .iter()
            .any(|e| matches!(e.event, LogEvent::FaultFired { .. })));
        assert_eq!(*marks.marks(), [30_000, 40_000]);
    }

    #[test]
    fn fault_marks_of_entries_dropped_before_they_were_seen_come_from_the_scenario() {
        let mut scenario = long_run(50);
        scenario.faults.push(TimedFault {
            at_ms: 500.0,
            fault: Fault::Crash { broker: 2 },
        });
        let mut sim = Simulation::new(scenario).unwrap();
        sim.run_until(60_000);
        // A fault the learner injected (an action of the scenario), then a long jump.
        sim.apply(Action::InjectFault {
            fault: Fault::Crash { broker: 3 },
        })
        .unwrap();
        let injected_at = sim.now_us();
        sim.run_until(200_000);
        let fault_entries = |sim: &Simulation| {
            sim.log()
                .iter()
                .filter(|e| matches!(e.event, LogEvent::FaultFired { .. }))
                .count()
        };
        assert_eq!(fault_entries(&sim), 0, "all three were dropped");
        let mut marks = FaultMarks::default();
        marks.follow(&sim);
        assert_eq!(*marks.marks(), [30_000, 40_000, injected_at]);
        // The fault at 500 ms is not yet fired; then it is, and seen in the log.
        sim.run_until(500_000);
        assert_eq!(fault_entries(&sim), 1);
        marks.follow(&sim);
        assert_eq!(*marks.marks(), [30_000, 40_000, injected_at, 500_000]);
    }
}
