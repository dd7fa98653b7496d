//! A sweep: the current scenario once per value of one setting (`ksim::variant`, the same runs
//! as `kplay sweep`), with progress and cancel. The runs go to a background thread
//! (`sweep_worker`, a Web Worker running this same wasm) so they get a core of their own and
//! the page's frames stay free; where no worker can start, they run here a piece per animation
//! frame instead. Either way the numbers are the core's (`ksim::variant::SweepRow`); this module
//! only schedules the runs.

use crate::sweep_worker::{SweepReport, SweepRequest, SweepWorker};
use ksim::variant::{prepare_sweep, PreparedVariant, Sweep, SweepRow, VariantError, VariantRunner};
use ksim::Scenario;
use yew::Callback;

/// The settings the sweep form offers (the lecture's batching and delivery trade-offs), with
/// values to start from.
pub const SETTINGS: [SweepChoice; 6] = [
    SweepChoice {
        name: "linger.ms",
        values: "0,5,20,100",
    },
    SweepChoice {
        name: "batch.size",
        values: "1000,16384,100000,1000000",
    },
    SweepChoice {
        name: "batch.num.messages",
        values: "1,10,100,10000",
    },
    SweepChoice {
        name: "compression.type",
        values: "none,gzip,snappy,lz4,zstd",
    },
    SweepChoice {
        name: "acks",
        values: "0,1,all",
    },
    SweepChoice {
        name: "max.in.flight",
        values: "1,2,5",
    },
];

/// A setting the form offers and its starting values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SweepChoice {
    pub name: &'static str,
    pub values: &'static str,
}

/// Events a piece of a run may process before the job checks the frame's deadline again.
pub const PIECE_EVENTS: u64 = 2_000;

/// Where a running sweep is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepProgress {
    /// 0-based index of the value being run.
    pub value_index: usize,
    pub values: usize,
    /// The value being run.
    pub value: String,
    /// Events of that run so far.
    pub events: u64,
}

/// A sweep in progress or finished.
pub struct SweepJob {
    pub sweep: Sweep,
    runs: Runs,
    pub rows: Vec<SweepRow>,
}

/// Where the runs happen.
enum Runs {
    /// In this thread, a piece at a time (`SweepJob::advance`).
    Here {
        pending: Vec<PreparedVariant>,
        running: Option<Box<VariantRunner>>,
    },
    /// In a worker, which reports rows and progress (`SweepJob::receive`). The prepared runs are
    /// kept so that the sweep can move here if the worker fails to start.
    Worker {
        /// Held for its lifetime: dropping it terminates the worker.
        _worker: SweepWorker,
        prepared: Vec<PreparedVariant>,
        ready: bool,
        events: u64,
        finished: bool,
    },
}

/// What a worker's report changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Received {
    /// Progress or a row: draw it.
    Progress,
    /// The worker could not start: the runs continue in this thread, a piece per frame.
    MovedHere,
    /// The sweep has finished.
    Done,
    /// A run failed in the worker; the rows so far stay.
    Failed(String),
}

impl SweepJob {
    /// Validates every value against `scenario` (nothing runs if one is bad) and starts, in
    /// this thread.
    pub fn start(scenario: &Scenario, name: &str, values: &str) -> Result<SweepJob, VariantError> {
        let sweep = Sweep::new(name, values.split(','))?;
        let mut pending = prepare_sweep(scenario, &sweep)?;
        pending.reverse();
        Ok(SweepJob {
            sweep,
            runs: Runs::Here {
                pending,
                running: None,
            },
            rows: Vec::new(),
        })
    }

    /// Validates as `start` does, then hands the runs to a background worker that reports to
    /// `on_report`; stays in this thread if no worker can be made.
    pub fn start_in_worker(
        scenario: &Scenario,
        name: &str,
        values: &str,
        on_report: Callback<SweepReport>,
    ) -> Result<SweepJob, VariantError> {
        let mut job = SweepJob::start(scenario, name, values)?;
        let request = SweepRequest {
            scenario: scenario.clone(),
            setting: name.to_string(),
            values: values.to_string(),
        };
        if let Some(worker) = SweepWorker::spawn(&request, on_report) {
            let Runs::Here { pending, .. } = std::mem::replace(
                &mut job.runs,
                Runs::Here {
                    pending: Vec::new(),
                    running: None,
                },
            ) else {
                unreachable!("start runs here")
            };
            job.runs = Runs::Worker {
                _worker: worker,
                prepared: pending,
                ready: false,
                events: 0,
                finished: false,
            };
        }
        Ok(job)
    }

    /// Whether the runs need `advance` on every frame (they are in this thread).
    pub fn runs_here(&self) -> bool {
        matches!(self.runs, Runs::Here { .. })
    }

    /// Takes a report from the worker.
    pub fn receive(&mut self, report: SweepReport) -> Received {
        let Runs::Worker {
            prepared,
            ready,
            events,
            finished,
            ..
        } = &mut self.runs
        else {
            return Received::Progress;
        };
        if *finished {
            return Received::Done;
        }
        match report {
            SweepReport::Ready => {
                *ready = true;
                Received::Progress
            }
            SweepReport::Progress { events: e, .. } => {
                *events = e;
                Received::Progress
            }
            SweepReport::Row(row) => {
                self.rows.push(row);
                *events = 0;
                Received::Progress
            }
            SweepReport::Done => {
                *finished = true;
                Received::Done
            }
            SweepReport::Failed(why) if !*ready => {
                web_sys::console::warn_1(
                    &format!("sweep worker did not start ({why}); running in the page").into(),
                );
                let pending = std::mem::take(prepared);
                self.runs = Runs::Here {
                    pending,
                    running: None,
                };
                Received::MovedHere
            }
            SweepReport::Failed(why) => {
                *finished = true;
                Received::Failed(why)
            }
        }
    }

    /// Runs pieces here while `more()` says there is time; whether the sweep has finished.
    pub fn advance(&mut self, mut more: impl FnMut() -> bool) -> Result<bool, VariantError> {
        let Runs::Here { pending, running } = &mut self.runs else {
            return Ok(self.is_done());
        };
        while more() {
            if running.is_none() {
                match pending.pop() {
                    Some(p) => *running = Some(Box::new(VariantRunner::new(p)?)),
                    None => return Ok(true),
                }
            }
            let runner = running.as_mut().expect("set above");
            if runner.advance(PIECE_EVENTS) {
                let value = &self.sweep.values[self.rows.len()];
                self.rows.push(SweepRow::of(value, &runner.result()));
                *running = None;
            }
        }
        Ok(self.is_done())
    }

    /// Stops: what has not run will not (a worker is terminated); the rows so far stay.
    pub fn cancel(&mut self) {
        self.runs = Runs::Here {
            pending: Vec::new(),
            running: None,
        };
    }

    pub fn is_done(&self) -> bool {
        match &self.runs {
            Runs::Here { pending, running } => running.is_none() && pending.is_empty(),
            Runs::Worker { finished, .. } => *finished,
        }
    }

    /// Where the sweep is, while it runs.
    pub fn progress(&self) -> Option<SweepProgress> {
        if self.is_done() {
            return None;
        }
        let i = self.rows.len();
        let events = match &self.runs {
            Runs::Here { running, .. } => running.as_ref().map_or(0, |r| r.events()),
            Runs::Worker { events, .. } => *events,
        };
        Some(SweepProgress {
            value_index: i.min(self.sweep.values.len().saturating_sub(1)),
            values: self.sweep.values.len(),
            value: self.sweep.values.get(i).cloned().unwrap_or_default(),
            events,
        })
    }
}

/// The index of the value among `values` that the producer uses now (`current`, its effective
/// value from the view), if it is one of them: "all" and "-1" are the same acks.
pub fn current_index(values: &[String], current: Option<&str>) -> Option<usize> {
    let current = current?;
    let same = |a: &str, b: &str| {
        let norm = |s: &str| match s.trim() {
            "-1" => "all".to_string(),
            s => s.to_ascii_lowercase(),
        };
        norm(a) == norm(b)
    };
    values.iter().position(|v| same(v, current))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 3,000 events at 10,000/s on one partition of RF 3.
    fn scenario() -> Scenario {
        Scenario::from_json(
            r#"{"seed": 3, "topics": [{"name": "t", "partitions": 1, "replication_factor": 3}],
                "actions": [{"at_ms": 0, "action": {"type": "produce_many", "topic": "t",
                "count": 3000, "rate_per_sec": 10000, "value": "event {i}"}}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn a_sweep_in_pieces_gives_the_rows_kplay_sweep_gives() {
        let sc = scenario();
        let mut job = SweepJob::start(&sc, "linger.ms", "0, 5,50").unwrap();
        let mut frames = 0;
        let mut seen = Vec::new();
        loop {
            let mut pieces = 0;
            let done = job
                .advance(|| {
                    pieces += 1;
                    pieces <= 1
                })
                .unwrap();
            frames += 1;
            if done {
                break;
            }
            let p = job.progress().unwrap();
            assert_eq!(p.values, 3);
            seen.push(p.value_index);
        }
        assert!(frames > 6, "spread over frames: {frames}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "in order: {seen:?}");
        assert_eq!(job.progress(), None);
        let whole = ksim::variant::sweep(&sc, &Sweep::parse("linger.ms=0,5,50").unwrap()).unwrap();
        assert_eq!(job.rows, whole, "the same numbers as the CLI's sweep");
        assert_eq!(
            job.rows
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>(),
            ["0", "5", "50"]
        );
    }

    #[test]
    fn bad_input_runs_nothing_and_says_why() {
        let sc = scenario();
        for (name, values, says) in [
            ("linger.ms", "0,banana", "linger.ms=banana is not valid"),
            (
                "no.such.setting",
                "1,2",
                "unknown setting \"no.such.setting\"",
            ),
            ("acks", "0,,1", "a value is empty"),
            (
                "linger.ms",
                "1,2,3,4,5,6,7,8,9,10,11,12,13",
                "13 values, at most 12",
            ),
        ] {
            let err = SweepJob::start(&sc, name, values).err().expect("refused");
            assert!(err.to_string().contains(says), "{name}={values}: {err}");
        }
    }

    #[test]
    fn the_current_value_is_found_among_the_values() {
        let v: Vec<String> = ["0", "1", "all"].iter().map(|s| s.to_string()).collect();
        assert_eq!(current_index(&v, Some("-1")), Some(2));
        assert_eq!(current_index(&v, Some("1")), Some(1));
        assert_eq!(current_index(&v, Some("5")), None);
        assert_eq!(current_index(&v, None), None);
    }
}
