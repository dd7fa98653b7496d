//! Indexes over the event log that follow it as it grows while playing and shrinks after a
//! rewind, looking only at the entries that are new: which entries match the event log's
//! filter (and how far the panel is scrolled), and the times of fired faults (the marks under
//! the scrubber).

use crate::components::event_log::{window_for, Row};
use ksim::{LogEntry, LogEvent};
use std::rc::Rc;

/// The event-log panel's filter, the entries matching it, and its scroll position.
#[derive(Debug, Default)]
pub struct EventIndex {
    filter: String,
    /// Indices of log entries matching the filter (all entries when the filter is empty).
    matches: Vec<usize>,
    /// How many rows above the newest entry the panel is scrolled (0 = following).
    pub scroll_row: usize,
}

impl EventIndex {
    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// Entries matching the filter.
    pub fn len(&self) -> usize {
        self.matches.len()
    }

    /// Forgets every entry (another timeline: its log is another log).
    pub fn clear(&mut self) {
        self.matches.clear();
    }

    /// A new filter (case-insensitive text): the index is rebuilt and the panel follows the
    /// newest matching entries again.
    pub fn set_filter(&mut self, filter: String, log: &[LogEntry]) {
        self.filter = filter;
        self.matches.clear();
        self.follow(log);
        self.scroll_row = 0;
    }

    /// Keeps the index in step with the log (which can also shrink after a rewind).
    pub fn follow(&mut self, log: &[LogEntry]) {
        while self.matches.last().is_some_and(|&i| i >= log.len()) {
            self.matches.pop();
        }
        let start = self.matches.last().map_or(0, |i| i + 1);
        if self.filter.is_empty() {
            self.matches.extend(start..log.len());
        } else {
            let needle = self.filter.to_lowercase();
            self.matches.extend(
                (start..log.len())
                    .filter(|&i| log[i].event.describe().to_lowercase().contains(&needle)),
            );
        }
    }

    /// The rows the panel shows when `shown` matching entries are on the page (see `slots`;
    /// never more than there are, since a rewind shortens the log): the first row's position
    /// and the rows of the window around the scroll position.
    pub fn rows(&self, shown: usize, log: &[LogEntry]) -> (usize, Vec<Row>) {
        let (first, last) = window_for(self.scroll_row, shown.min(self.matches.len()));
        let rows = self.matches[first..last]
            .iter()
            .map(|&i| Row {
                index: i,
                time_ms: log[i].time_us as f64 / 1000.0,
                text: log[i].event.describe(),
            })
            .collect();
        (first, rows)
    }
}

/// Virtual times of the faults fired so far, marked under the scrubber.
#[derive(Debug, Default)]
pub struct FaultMarks {
    marks: Rc<Vec<u64>>,
    /// How much of the log was scanned for them.
    scanned: usize,
}

impl FaultMarks {
    pub fn marks(&self) -> Rc<Vec<u64>> {
        self.marks.clone()
    }

    /// Adds the faults among the new entries; a shorter log (a rewind) starts over. The marks
    /// keep their `Rc` when nothing was fired, so the controls are not rendered again.
    pub fn follow(&mut self, log: &[LogEntry]) {
        if self.scanned > log.len() {
            self.scanned = 0;
            self.marks = Rc::default();
        }
        let new: Vec<u64> = log[self.scanned..]
            .iter()
            .filter(|e| matches!(e.event, LogEvent::FaultFired { .. }))
            .map(|e| e.time_us)
            .collect();
        self.scanned = log.len();
        if !new.is_empty() {
            Rc::make_mut(&mut self.marks).extend(new);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ksim::Simulation;

    /// The default preset with a topic, an event produced, and broker 1 crashed at 30 ms.
    fn run() -> Simulation {
        let mut s = kshare::presets::default_scenario();
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3.min(s.cluster.brokers),
            ..Default::default()
        });
        s.faults.push(ksim::TimedFault {
            at_ms: 30.0,
            fault: ksim::Fault::Crash { broker: 1 },
        });
        let mut sim = Simulation::new(s).expect("the preset runs");
        sim.produce("payments", Some("Alice"), Some("x")).unwrap();
        sim
    }

    #[test]
    fn the_filter_follows_a_growing_and_a_rewound_log() {
        let mut sim = run();
        let mut index = EventIndex::default();
        index.set_filter("ProduceRequest".into(), sim.log());
        sim.run_until(20_000);
        index.follow(sim.log());
        let expected: Vec<usize> = (0..sim.log().len())
            .filter(|&i| sim.log()[i].event.describe().contains("ProduceRequest"))
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(index.matches, expected);
        // Case does not matter; a new filter scrolls back to the newest entry.
        index.scroll_row = 3;
        index.set_filter("producerequest".into(), sim.log());
        assert_eq!(index.matches, expected);
        assert_eq!(index.scroll_row, 0);
        // A rewind: entries past the shorter log go.
        let short = &sim.log()[..expected[0]];
        index.follow(short);
        assert_eq!(index.len(), 0);
        let (first, rows) = index.rows(100, short);
        assert_eq!((first, rows.len()), (0, 0));
    }

    #[test]
    fn rows_never_show_more_than_the_page_does() {
        let mut sim = run();
        sim.run_until(20_000);
        let mut index = EventIndex::default();
        index.follow(sim.log());
        let (first, rows) = index.rows(2, sim.log());
        assert_eq!(first, 0);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].index, 1);
        assert_eq!(rows[1].text, sim.log()[1].event.describe());
    }

    #[test]
    fn fault_marks_come_from_fired_faults_and_start_over_after_a_rewind() {
        let mut sim = run();
        let mut marks = FaultMarks::default();
        marks.follow(sim.log());
        assert!(marks.marks().is_empty());
        sim.run_until(50_000);
        marks.follow(sim.log());
        let same = marks.marks();
        assert_eq!(*same, [30_000]);
        marks.follow(sim.log());
        assert!(
            Rc::ptr_eq(&same, &marks.marks()),
            "nothing new, the same marks"
        );
        marks.follow(&sim.log()[..1]);
        assert!(marks.marks().is_empty());
    }
}
