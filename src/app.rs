//! The root component: owns the timeline (simulation + rewind checkpoints) and the playback
//! clock, and routes what the learner does to `ksim`. All Kafka behaviour stays in `ksim`.

use crate::clock::Ticker;
use crate::components::cluster_panel::ClusterPanel;
use crate::components::controls::{Control, Controls, DEFAULT_SPEED, SPEEDS};
use crate::components::event_log::{window_for, EventLog, Row, VISIBLE_ROWS};
use crate::components::fault_panel::FaultPanel;
use crate::components::generator_form::GeneratorForm;
use crate::components::metrics_panel::{MetricsPanel, Sample};
use crate::components::help::Help;
use crate::components::inspector::{BatchRef, Inspector};
use crate::components::logs_panel::LogsPanel;
use crate::components::network_panel::NetworkPanel;
use crate::components::produce_form::ProduceForm;
use crate::components::producer_panel::{ProducerPanel, ReportsPanel};
use crate::components::settings_panel::SettingsPanel;
use crate::components::topic_form::TopicForm;
use crate::keyboard::KeyListener;
use crate::records::{DecodeCache, PartitionLog};
use crate::theme::{Theme, ThemeSwitch};
use crate::timeline::Timeline;
use ksim::{Action, ClientProfile, LogEvent, Scenario, SimError, Simulation};
use std::rc::Rc;
use yew::prelude::*;

/// Events processed at most by "Next report" before it gives up.
const NEXT_REPORT_MAX_EVENTS: u32 = 200_000;
/// Metric samples kept for the charts; when full, every other one is dropped.
const MAX_SAMPLES: usize = 240;

pub enum Msg {
    Tick(f64),
    Control(Control),
    CreateTopic(ksim::TopicSpec),
    Act(Action),
    SetConfig(String, String),
    SetTopicConfig(String, String, String),
    SetProfile(ClientProfile),
    SetBrokers(u32),
    LogScroll(usize),
    LogFilter(String),
    Inspect(BatchRef),
    CloseInspector,
    SetTheme(Theme),
}

/// Which form the last core error belongs to.
#[derive(Clone, PartialEq, Eq)]
enum Origin {
    Topic,
    Produce,
    /// A producer setting (its name) or a topic setting (`topic:<name>`).
    Setting(String),
    Other,
}

pub struct App {
    timeline: Timeline,
    playing: bool,
    speed: usize,
    ticker: Option<Ticker>,
    _keys: Option<KeyListener>,
    error: Option<(Origin, SimError)>,
    show_help: bool,
    theme: Theme,
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
    samples: Rc<Vec<Sample>>,
    /// Times of fired faults (marks on the scrubber) and how much of the log was scanned for them.
    fault_marks: Rc<Vec<u64>>,
    marks_scanned: usize,
}

fn default_scenario() -> Scenario {
    Scenario::default()
}

fn prefers_reduced_motion() -> bool {
    web_sys::window()
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .is_some_and(|m| m.matches())
}

impl App {
    fn sim(&self) -> &Simulation {
        &self.timeline.sim
    }

    fn refresh(&mut self) {
        let view = self.timeline.sim.view();
        let logs = self.decode_cache.partition_logs(&self.timeline.sim, &view);
        if *self.logs != logs {
            self.logs = Rc::new(logs);
        }
        self.sample(&view);
        self.view = Rc::new(view);
        self.refilter();
        self.scan_marks();
    }

    /// Adds a metrics sample when virtual time moved forward; a rewind restarts the history.
    fn sample(&mut self, view: &ksim::View) {
        let samples = Rc::make_mut(&mut self.samples);
        if samples.last().is_some_and(|s| s.time_us > view.time_us) {
            samples.clear();
        }
        if samples.last().is_none_or(|s| s.time_us < view.time_us) {
            samples.push(Sample { time_us: view.time_us, metrics: view.metrics.clone() });
            if samples.len() > MAX_SAMPLES {
                let mut i = 0;
                samples.retain(|_| {
                    i += 1;
                    i % 2 == 1
                });
            }
        }
    }

    fn scan_marks(&mut self) {
        let log = self.timeline.sim.log();
        if self.marks_scanned > log.len() {
            self.marks_scanned = 0;
            self.fault_marks = Rc::default();
        }
        let new: Vec<u64> = log[self.marks_scanned..]
            .iter()
            .filter(|e| matches!(e.event, LogEvent::FaultFired { .. }))
            .map(|e| e.time_us)
            .collect();
        self.marks_scanned = log.len();
        if !new.is_empty() {
            Rc::make_mut(&mut self.fault_marks).extend(new);
        }
    }

    /// Keeps the filtered index in step with the log (which can also shrink after a rewind).
    fn refilter(&mut self) {
        let log = self.timeline.sim.log();
        while self.log_matches.last().is_some_and(|&i| i >= log.len()) {
            self.log_matches.pop();
        }
        let start = self.log_matches.last().map_or(0, |i| i + 1);
        if self.log_filter.is_empty() {
            self.log_matches.extend(start..log.len());
        } else {
            let needle = self.log_filter.to_lowercase();
            self.log_matches.extend(
                (start..log.len()).filter(|&i| log[i].event.describe().to_lowercase().contains(&needle)),
            );
        }
    }

    fn log_rows(&self) -> (usize, Vec<Row>) {
        let (first, last) = window_for(self.log_scroll_row, self.log_matches.len());
        let log = self.sim().log();
        let rows = self.log_matches[first..last]
            .iter()
            .map(|&i| Row { index: i, time_ms: log[i].time_us as f64 / 1000.0, text: log[i].event.describe() })
            .collect();
        (first, rows)
    }

    fn follow_log(&self) -> bool {
        self.log_scroll_row + VISIBLE_ROWS + 2 >= self.log_matches.len()
    }

    fn set_playing(&mut self, ctx: &Context<Self>, playing: bool) {
        self.playing = playing;
        self.ticker = if playing {
            let link = ctx.link().clone();
            Ticker::start(33, move |elapsed_ms| link.send_message(Msg::Tick(elapsed_ms)))
        } else {
            None
        };
    }

    fn apply(&mut self, origin: Origin, action: Action) {
        match self.timeline.apply(action) {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some((origin, e)),
        }
        self.refresh();
    }

    fn error_for(&self, origin: Origin) -> Option<SimError> {
        self.error.as_ref().filter(|(o, _)| *o == origin).map(|(_, e)| e.clone())
    }

    /// Replays the session with a changed scenario (another client profile or broker count) up
    /// to the current virtual time. On an error nothing changes and the error is shown.
    fn rebuild(&mut self, origin: Origin, scenario: Scenario) {
        match Timeline::from_scenario(scenario, self.sim().now_us()) {
            Ok(t) => {
                self.timeline = t;
                self.error = None;
                self.inspected = None;
                self.log_matches.clear();
            }
            Err(e) => self.error = Some((origin, e)),
        }
        self.refresh();
    }

    fn control(&mut self, ctx: &Context<Self>, c: Control) {
        match c {
            Control::TogglePlay => self.set_playing(ctx, !self.playing),
            Control::StepForward => {
                self.set_playing(ctx, false);
                self.timeline.step();
            }
            Control::StepBack => {
                self.set_playing(ctx, false);
                let now = self.sim().now_us();
                let previous = self.sim().log().iter().rev().map(|e| e.time_us).find(|&t| t < now);
                self.timeline.seek(previous.unwrap_or(0));
            }
            Control::NextReport => {
                self.set_playing(ctx, false);
                let reports = |sim: &Simulation| {
                    sim.log().iter().filter(|e| matches!(e.event, LogEvent::DeliveryReport { .. })).count()
                };
                let before = reports(self.sim());
                for _ in 0..NEXT_REPORT_MAX_EVENTS {
                    if self.sim().next_event_time_us().is_none() {
                        break;
                    }
                    self.timeline.step();
                    if reports(self.sim()) > before {
                        break;
                    }
                }
            }
            Control::Speed(i) => self.speed = i.min(SPEEDS.len() - 1),
            Control::Seek(t) => {
                self.set_playing(ctx, false);
                self.timeline.seek(t.min(self.timeline.head_time_us));
            }
            Control::Reset => {
                if let Ok(sim) = Simulation::new(default_scenario()) {
                    self.timeline = Timeline::new(sim);
                    self.error = None;
                    self.inspected = None;
                    self.log_matches.clear();
                }
            }
            Control::Help => self.show_help = !self.show_help,
        }
        self.refresh();
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let sim = Simulation::new(default_scenario()).expect("the default scenario is valid");
        let view = Rc::new(sim.view());
        let keys = {
            let link = ctx.link().clone();
            KeyListener::install(move |c| link.send_message(Msg::Control(c)))
        };
        let mut app = App {
            timeline: Timeline::new(sim),
            playing: false,
            speed: DEFAULT_SPEED,
            ticker: None,
            _keys: keys,
            error: None,
            show_help: false,
            theme: Theme::load(),
            view,
            logs: Rc::default(),
            decode_cache: DecodeCache::default(),
            log_scroll_row: 0,
            log_filter: String::new(),
            log_matches: Vec::new(),
            inspected: None,
            samples: Rc::default(),
            fault_marks: Rc::default(),
            marks_scanned: 0,
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
                let target = self.sim().now_us().saturating_add(advance_us.max(1));
                self.timeline.forward_to(target);
                self.refresh();
            }
            Msg::Control(c) => self.control(ctx, c),
            Msg::CreateTopic(spec) => self.apply(Origin::Topic, Action::CreateTopic(spec)),
            Msg::Act(action) => {
                let origin = match action {
                    Action::Produce { .. } | Action::Poll | Action::Flush { .. } => Origin::Produce,
                    _ => Origin::Other,
                };
                self.apply(origin, action)
            }
            Msg::SetConfig(name, value) => {
                self.apply(Origin::Setting(name.clone()), Action::SetProducerConfig { name, value })
            }
            Msg::SetTopicConfig(topic, name, value) => self.apply(
                Origin::Setting(format!("topic:{name}")),
                Action::SetTopicConfig { topic, name, value },
            ),
            Msg::SetProfile(profile) => {
                let mut scenario = self.sim().scenario().clone();
                scenario.producer.profile = profile;
                self.rebuild(Origin::Setting("profile".into()), scenario);
            }
            Msg::SetBrokers(n) => {
                let mut scenario = self.sim().scenario().clone();
                scenario.cluster.brokers = n;
                self.rebuild(Origin::Other, scenario);
            }
            Msg::LogScroll(row) => self.log_scroll_row = row,
            Msg::LogFilter(filter) => {
                self.log_filter = filter;
                self.log_matches.clear();
                self.refilter();
            }
            Msg::Inspect(b) => {
                self.inspected = self
                    .sim()
                    .batch_bytes(&b.topic, b.partition, b.broker, b.index)
                    .map(|bytes| (b, Rc::new(bytes.to_vec())));
            }
            Msg::CloseInspector => self.inspected = None,
            Msg::SetTheme(t) => {
                self.theme = t;
                t.apply_and_store();
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
        let scenario = self.sim().scenario();
        html! {
            <>
            <header class="topbar">
                <div class="brand">
                    <h1>{ "Kafka Producer Playground" }</h1>
                    <small>{ "A simulated Kafka 3.6 cluster and producer, on real record-batch bytes" }</small>
                </div>
                <Controls playing={self.playing} speed={self.speed} now_us={self.sim().now_us()}
                    head_us={self.timeline.head_time_us} marks={self.fault_marks.clone()} on={link.callback(Msg::Control)} />
                <ThemeSwitch theme={self.theme} on_change={link.callback(Msg::SetTheme)} />
            </header>
            if let Some((Origin::Other, e)) = &self.error {
                <div class="banner" role="alert"><strong>{ "Not done: " }</strong><span>{ e.to_string() }</span></div>
            }
            <main>
                if self.show_help {
                    <Help on_close={link.callback(|_| Msg::Control(Control::Help))} />
                }
                <div class="column">
                    <section class="panel" aria-labelledby="h-producer">
                        <h2 id="h-producer">{ "Your producer code" }</h2>
                        <h3>{ "Create a topic" }</h3>
                        <TopicForm on_create={link.callback(Msg::CreateTopic)} error={self.error_for(Origin::Topic)}
                            broker_count={view.brokers.len() as u32} />
                        <h3>{ "Produce an event" }</h3>
                        <ProduceForm topics={topics.clone()} on_action={link.callback(Msg::Act)} error={self.error_for(Origin::Produce)} />
                        <details>
                            <summary>{ "Produce many events" }</summary>
                            <GeneratorForm topics={topics} on_action={link.callback(Msg::Act)} />
                        </details>
                    </section>
                    <SettingsPanel view={view.clone()} profile={scenario.producer.profile}
                        broker_count={scenario.cluster.brokers}
                        on_set={link.callback(|(n, v)| Msg::SetConfig(n, v))}
                        on_profile={link.callback(Msg::SetProfile)} on_brokers={link.callback(Msg::SetBrokers)}
                        on_topic_config={link.callback(|(t, n, v)| Msg::SetTopicConfig(t, n, v))}
                        error={match &self.error { Some((Origin::Setting(n), e)) => Some((n.clone(), e.clone())), _ => None }} />
                </div>
                <div class="column">
                    <ProducerPanel view={view.clone()} />
                    <NetworkPanel view={view.clone()} />
                    <ReportsPanel view={view.clone()} />
                    <FaultPanel view={view.clone()} on_action={link.callback(Msg::Act)} />
                </div>
                <div class="column">
                    <ClusterPanel view={view.clone()} />
                    <LogsPanel logs={self.logs.clone()} on_inspect={link.callback(Msg::Inspect)} />
                </div>
                if let Some((b, bytes)) = &self.inspected {
                    <Inspector batch={b.clone()} bytes={bytes.clone()} on_close={link.callback(|_| Msg::CloseInspector)} />
                }
                <MetricsPanel now={Rc::new(view.metrics.clone())} history={self.samples.clone()} />
                <EventLog total={self.log_matches.len()} first={first} rows={rows}
                    filter={self.log_filter.clone()} on_filter={link.callback(Msg::LogFilter)}
                    on_scroll={link.callback(Msg::LogScroll)} follow={self.follow_log()} />
            </main>
            </>
        }
    }
}
