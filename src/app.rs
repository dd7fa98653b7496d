//! The root component: owns the simulation, the playback clock and the rewind checkpoints, and
//! routes what the learner does to `ksim`. All Kafka behaviour stays in `ksim`.

use crate::clock::Ticker;
use crate::components::cluster_panel::ClusterPanel;
use crate::components::event_log::{window_for, EventLog, Row};
use crate::components::inspector::{BatchRef, Inspector};
use crate::components::logs_panel::LogsPanel;
use crate::components::network_panel::NetworkPanel;
use crate::components::produce_form::ProduceForm;
use crate::components::producer_panel::{ProducerPanel, ReportsPanel};
use crate::components::topic_form::TopicForm;
use crate::records::{DecodeCache, PartitionLog};
use ksim::{Action, Scenario, SimError, Simulation};
use std::rc::Rc;
use yew::prelude::*;

/// Playback speeds, as virtual milliseconds per real second (log scale).
const SPEEDS: [(f64, &str); 6] = [
    (1.0, "1/1000×"),
    (10.0, "1/100×"),
    (100.0, "1/10×"),
    (1000.0, "1× (real time)"),
    (10_000.0, "10×"),
    (100_000.0, "100×"),
];
const DEFAULT_SPEED: usize = 1;

pub enum Msg {
    Tick(f64),
    TogglePlay,
    StepEvent,
    SetSpeed(usize),
    Reset,
    CreateTopic(ksim::TopicSpec),
    Act(Action),
    LogScroll(usize),
    Inspect(BatchRef),
    CloseInspector,
    LogFilter(String),
}

/// Which form the last core error belongs to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Topic,
    Produce,
    Other,
}

pub struct App {
    sim: Simulation,
    playing: bool,
    speed: usize,
    ticker: Option<Ticker>,
    error: Option<(Origin, SimError)>,
    /// A new Rc per change lets child components skip re-rendering when nothing changed.
    view: Rc<ksim::View>,
    logs: Rc<Vec<PartitionLog>>,
    decode_cache: DecodeCache,
    log_scroll_row: usize,
    log_filter: String,
    /// Indices of log entries matching the filter (all entries when the filter is empty).
    log_matches: Vec<usize>,
    /// The batch open in the inspector, with a snapshot of its bytes.
    inspected: Option<(BatchRef, Rc<Vec<u8>>)>,
}

fn default_scenario() -> Scenario {
    Scenario::default()
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

impl App {
    fn refresh(&mut self) {
        let view = self.sim.view();
        let logs = self.decode_cache.partition_logs(&self.sim, &view);
        if *self.logs != logs {
            self.logs = Rc::new(logs);
        }
        self.view = Rc::new(view);
        self.refilter();
    }

    /// Extends the filtered index with entries logged since the last refresh.
    fn refilter(&mut self) {
        let log = self.sim.log();
        let start = self.log_matches.last().map_or(0, |i| i + 1);
        if self.log_filter.is_empty() {
            self.log_matches.extend(start..log.len());
        } else {
            let needle = self.log_filter.to_lowercase();
            self.log_matches.extend(
                (start..log.len())
                    .filter(|&i| log[i].event.describe().to_lowercase().contains(&needle)),
            );
        }
    }

    fn log_rows(&self) -> (usize, Vec<Row>) {
        let (first, last) = window_for(self.log_scroll_row, self.log_matches.len());
        let log = self.sim.log();
        let rows = self.log_matches[first..last]
            .iter()
            .map(|&i| Row {
                index: i,
                time_ms: log[i].time_us as f64 / 1000.0,
                text: log[i].event.describe(),
            })
            .collect();
        (first, rows)
    }

    fn follow_log(&self) -> bool {
        self.log_scroll_row + crate::components::event_log::VISIBLE_ROWS + 2
            >= self.log_matches.len()
    }

    fn set_playing(&mut self, ctx: &Context<Self>, playing: bool) {
        self.playing = playing;
        self.ticker = if playing {
            let link = ctx.link().clone();
            Ticker::start(33, move |elapsed_ms| {
                link.send_message(Msg::Tick(elapsed_ms))
            })
        } else {
            None
        };
    }

    fn apply(&mut self, origin: Origin, action: Action) {
        match self.sim.apply(action) {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some((origin, e)),
        }
        self.refresh();
    }

    fn error_for(&self, origin: Origin) -> Option<SimError> {
        self.error
            .as_ref()
            .filter(|(o, _)| *o == origin)
            .map(|(_, e)| e.clone())
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let sim = Simulation::new(default_scenario()).expect("the default scenario is valid");
        let view = Rc::new(sim.view());
        let mut app = App {
            sim,
            playing: false,
            speed: DEFAULT_SPEED,
            ticker: None,
            error: None,
            view,
            logs: Rc::default(),
            decode_cache: DecodeCache::default(),
            log_scroll_row: 0,
            log_filter: String::new(),
            log_matches: Vec::new(),
            inspected: None,
        };
        app.refresh();
        if !prefers_reduced_motion() {
            app.set_playing(ctx, true);
        }
        app
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Tick(elapsed_ms) => {
                let advance_us = (elapsed_ms * SPEEDS[self.speed].0).round() as u64;
                let target = self.sim.now_us().saturating_add(advance_us.max(1));
                self.sim.run_until(target);
                self.refresh();
            }
            Msg::TogglePlay => self.set_playing(ctx, !self.playing),
            Msg::StepEvent => {
                self.set_playing(ctx, false);
                self.sim.step();
                self.refresh();
            }
            Msg::SetSpeed(i) => self.speed = i.min(SPEEDS.len() - 1),
            Msg::Reset => {
                if let Ok(sim) = Simulation::new(default_scenario()) {
                    self.sim = sim;
                    self.error = None;
                    self.log_matches.clear();
                    self.refresh();
                }
            }
            Msg::CreateTopic(spec) => self.apply(Origin::Topic, Action::CreateTopic(spec)),
            Msg::Act(action) => {
                let origin = match action {
                    Action::Produce { .. } | Action::Poll | Action::Flush { .. } => Origin::Produce,
                    _ => Origin::Other,
                };
                self.apply(origin, action)
            }
            Msg::LogScroll(row) => self.log_scroll_row = row,
            Msg::Inspect(b) => {
                self.inspected = self
                    .sim
                    .batch_bytes(&b.topic, b.partition, b.broker, b.index)
                    .map(|bytes| (b, Rc::new(bytes.to_vec())));
            }
            Msg::CloseInspector => self.inspected = None,
            Msg::LogFilter(filter) => {
                self.log_filter = filter;
                self.log_matches.clear();
                self.refilter();
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let view = self.view.clone();
        let mut topics: Vec<String> = Vec::new();
        for p in &view.partitions {
            if topics.last() != Some(&p.topic) {
                topics.push(p.topic.clone());
            }
        }
        let (first, rows) = self.log_rows();
        let now_ms = self.sim.now_us() as f64 / 1000.0;
        let on_speed = link.callback(|e: Event| {
            let v = e
                .target_unchecked_into::<web_sys::HtmlSelectElement>()
                .value();
            Msg::SetSpeed(v.parse().unwrap_or(DEFAULT_SPEED))
        });
        html! {
            <>
            <header class="topbar">
                <div class="brand">
                    <h1>{ "Kafka Producer Playground" }</h1>
                    <small>{ "A simulated Kafka 3.6 cluster and a librdkafka producer, on real bytes" }</small>
                </div>
                <div class="controls" role="toolbar" aria-label="Playback">
                    <button onclick={link.callback(|_| Msg::TogglePlay)} aria-pressed={self.playing.to_string()}>
                        { if self.playing { "Pause" } else { "Play" } }
                    </button>
                    <button onclick={link.callback(|_| Msg::StepEvent)}>{ "Step" }</button>
                    <label class="sr-only" for="speed">{ "Speed" }</label>
                    <select id="speed" onchange={on_speed} title="Playback speed">
                        { for SPEEDS.iter().enumerate().map(|(i, (_, name))| html! {
                            <option value={i.to_string()} selected={i == self.speed}>{ *name }</option>
                        }) }
                    </select>
                    <button onclick={link.callback(|_| Msg::Reset)}>{ "Reset" }</button>
                    <span class="clock" aria-live="off" title="Virtual time since the start">
                        { format!("t = {now_ms:.3} ms") }
                    </span>
                </div>
            </header>
            if let Some((Origin::Other, e)) = &self.error {
                <div class="banner" role="alert"><strong>{ "Not done: " }</strong><span>{ e.to_string() }</span></div>
            }
            <main>
                <section class="panel" aria-labelledby="h-producer">
                    <h2 id="h-producer">{ "Producer" }</h2>
                    <h3>{ "Create a topic" }</h3>
                    <TopicForm on_create={link.callback(Msg::CreateTopic)} error={self.error_for(Origin::Topic)}
                        broker_count={view.brokers.len() as u32} />
                    <h3>{ "Produce an event" }</h3>
                    <ProduceForm topics={topics} on_action={link.callback(Msg::Act)} error={self.error_for(Origin::Produce)} />
                </section>
                <div class="column">
                    <ProducerPanel view={view.clone()} />
                    <NetworkPanel view={view.clone()} />
                    <ReportsPanel view={view.clone()} />
                </div>
                <div class="column">
                    <ClusterPanel view={view.clone()} />
                    <LogsPanel logs={self.logs.clone()} on_inspect={link.callback(Msg::Inspect)} />
                </div>
                if let Some((b, bytes)) = &self.inspected {
                    <Inspector batch={b.clone()} bytes={bytes.clone()} on_close={link.callback(|_| Msg::CloseInspector)} />
                }
                <EventLog total={self.log_matches.len()} first={first} rows={rows}
                    filter={self.log_filter.clone()} on_filter={link.callback(Msg::LogFilter)}
                    on_scroll={link.callback(Msg::LogScroll)} follow={self.follow_log()} />
            </main>
            </>
        }
    }
}
