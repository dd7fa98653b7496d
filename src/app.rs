//! The root component: owns the timeline (simulation + rewind checkpoints) and the playback
//! clock, and routes what the learner does to `ksim`. All Kafka behaviour stays in `ksim`.

use crate::clock::{Frame, Ticker};
use crate::components::cluster_panel::ClusterPanel;
use crate::components::code_panel::CodePanel;
use crate::components::controls::{Control, Controls, DEFAULT_SPEED, SPEEDS};
use crate::components::event_log::{window_for, EventLog, Row};
use crate::components::fault_panel::FaultPanel;
use crate::components::generator_form::GeneratorForm;
use crate::components::help::Help;
use crate::components::inspector::{BatchRef, Inspector};
use crate::components::lesson_panel::LessonPanel;
use crate::components::logs_panel::LogsPanel;
use crate::components::metrics_panel::MetricsPanel;
use crate::components::network_panel::NetworkPanel;
use crate::components::produce_form::ProduceForm;
use crate::components::producer_panel::{ProducerPanel, ReportsPanel};
use crate::components::scene_svg::SceneSvg;
use crate::components::settings_panel::SettingsPanel;
use crate::components::share_bar::ShareBar;
use crate::components::topic_form::TopicForm;
use crate::components::Snapshot;
use crate::embed::{EmbedBridge, EmbedCommand};
use crate::frame_budget::{Pace, SIM_BUDGET_MS};
use crate::keyboard::KeyListener;
use crate::records::DecodeCache;
use crate::scene::Target;
use crate::share::{DisplayOptions, HashListener};
use crate::slots::{Drawing, Slots};
use crate::theme::{Theme, ThemeSwitch};
use crate::timeline::Timeline;
use kshare::UiState;
use ksim::{Action, ClientProfile, LogEvent, Scenario, SimError, Simulation};
use std::rc::Rc;
use yew::prelude::*;

/// Events processed at most by "Next report" before it gives up.
const NEXT_REPORT_MAX_EVENTS: u32 = 200_000;
/// Logs up to this many entries are hashed on every pause (a few milliseconds); longer ones on
/// request, so pausing a long run never freezes the page while its whole log is serialised.
const HASH_ON_PAUSE_MAX_ENTRIES: usize = 20_000;

pub enum Msg {
    Tick(Frame),
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
    /// A batch or packet clicked in the live view or the sequence diagram.
    InspectTarget(Target),
    CloseInspector,
    SetTheme(Theme),
    /// A share link or fragment to open (pasted link, embedding page).
    LoadLink(String),
    OpenFile(String),
    SelectLesson(Option<String>),
    TryLesson,
    CopyLink,
    CopyEmbed,
    CopyCode(String),
    Download,
    Status(String),
    Embed(EmbedCommand),
    /// Compute the log hash of a long log (see `HASH_ON_PAUSE_MAX_ENTRIES`).
    ComputeHash,
    DismissHint,
}

/// The callbacks handed to child components, made once: a new callback on every render would
/// make every component's properties differ on every frame, so each would render again (and
/// reset text typed into its inputs).
struct Callbacks {
    control: Callback<Control>,
    theme: Callback<Theme>,
    help_close: Callback<()>,
    select_lesson: Callback<Option<String>>,
    try_lesson: Callback<()>,
    act: Callback<Action>,
    create_topic: Callback<ksim::TopicSpec>,
    set_config: Callback<(String, String)>,
    set_profile: Callback<ClientProfile>,
    set_brokers: Callback<u32>,
    set_topic_config: Callback<(String, String, String)>,
    copy_link: Callback<()>,
    copy_embed: Callback<()>,
    download: Callback<()>,
    open_file: Callback<String>,
    inspect: Callback<BatchRef>,
    inspect_target: Callback<Target>,
    close_inspector: Callback<()>,
    log_filter: Callback<String>,
    log_scroll: Callback<usize>,
    compute_hash: Callback<()>,
    copy_code: Callback<String>,
}

impl Callbacks {
    fn new(link: &yew::html::Scope<App>) -> Callbacks {
        Callbacks {
            control: link.callback(Msg::Control),
            theme: link.callback(Msg::SetTheme),
            help_close: link.callback(|_| Msg::Control(Control::Help)),
            select_lesson: link.callback(Msg::SelectLesson),
            try_lesson: link.callback(|_| Msg::TryLesson),
            act: link.callback(Msg::Act),
            create_topic: link.callback(Msg::CreateTopic),
            set_config: link.callback(|(n, v)| Msg::SetConfig(n, v)),
            set_profile: link.callback(Msg::SetProfile),
            set_brokers: link.callback(Msg::SetBrokers),
            set_topic_config: link.callback(|(t, n, v)| Msg::SetTopicConfig(t, n, v)),
            copy_link: link.callback(|_| Msg::CopyLink),
            copy_embed: link.callback(|_| Msg::CopyEmbed),
            download: link.callback(|_| Msg::Download),
            open_file: link.callback(Msg::OpenFile),
            inspect: link.callback(Msg::Inspect),
            inspect_target: link.callback(Msg::InspectTarget),
            close_inspector: link.callback(|_| Msg::CloseInspector),
            log_filter: link.callback(Msg::LogFilter),
            log_scroll: link.callback(Msg::LogScroll),
            compute_hash: link.callback(|_| Msg::ComputeHash),
            copy_code: link.callback(Msg::CopyCode),
        }
    }
}

/// Which form the last core error belongs to.
#[derive(Clone, PartialEq, Eq)]
enum Origin {
    Topic,
    Produce,
    /// A producer setting (its name) or a topic setting (`topic:<topic>/<name>`; topic names
    /// cannot contain `/`).
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
    /// The newest snapshot of the core and what each part of the page shows of it.
    slots: Slots,
    decode_cache: DecodeCache,
    /// How many rows above the newest entry the event log is scrolled (0 = following).
    log_scroll_row: usize,
    log_filter: String,
    /// Indices of log entries matching the filter (all entries when the filter is empty).
    log_matches: Vec<usize>,
    /// The batch open in the inspector, with a snapshot of its bytes.
    inspected: Option<(BatchRef, Rc<Vec<u8>>)>,
    /// Times of fired faults (marks on the scrubber) and how much of the log was scanned for them.
    fault_marks: Rc<Vec<u64>>,
    marks_scanned: usize,
    options: DisplayOptions,
    lesson: Option<&'static str>,
    /// The fragment last written or loaded (our own `hashchange` is not a new link).
    fragment: String,
    /// The scenario as of the last change, for the code export (not cloned on every frame).
    scenario: Rc<Scenario>,
    /// A problem with a link or file, shown in a banner; the default scenario is open instead.
    load_error: Option<String>,
    share_status: Option<String>,
    _hash: Option<HashListener>,
    embed: Option<EmbedBridge>,
    /// The log hash shown while paused, for (log length, virtual time) since the last refresh:
    /// hashing serialises the whole log, so it is not redone on every render (typing in a form).
    log_hash: std::cell::RefCell<Option<((usize, u64), AttrValue)>>,
    callbacks: Callbacks,
    /// An action changed the scenario while playing; the link and code export follow on pause.
    link_stale: bool,
    /// Whether the simulation keeps up with the chosen speed.
    pace: Pace,
    /// The first-visit hint (never in an embed; dismissed once for good).
    show_hint: bool,
}

/// Browser storage key remembering that the first-visit hint was dismissed.
const HINT_STORAGE_KEY: &str = "kafka-playground-hint-dismissed";

fn hint_dismissed() -> bool {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(HINT_STORAGE_KEY).ok().flatten())
        .is_some()
}

/// The scenario a fresh page (and Reset outside a lesson) opens: the preset plus the lecture's
/// topic `payments` (3 partitions, replication factor 3), so the prefilled event produces at
/// once. The topic is part of the scenario (not the preset), so old links, which store only
/// their differences from the preset, open exactly as before.
fn default_scenario() -> Scenario {
    let mut s = kshare::presets::default_scenario();
    if s.topics.is_empty() {
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3.min(s.cluster.brokers.max(1)),
            ..Default::default()
        });
    }
    s
}

/// A decoded link's scenario, the moment it shows, and its lesson (when this app knows it).
fn link_parts(d: kshare::Decoded) -> (Scenario, u64, Option<&'static str>) {
    let lesson = d
        .ui_state
        .lesson
        .as_deref()
        .and_then(kshare::lessons::get)
        .map(|l| l.id);
    (d.scenario, d.ui_state.time_us(), lesson)
}

/// What to open at start-up: the link in the fragment, else `?lesson=`, else the default.
/// Returns the scenario, the time to show, the lesson, and a banner text for a bad link.
fn initial_state(
    options: &DisplayOptions,
    fragment: &str,
) -> (Scenario, u64, Option<&'static str>, Option<String>) {
    if !fragment.is_empty() {
        return match kshare::decode_link(fragment) {
            Ok(d) => {
                let (scenario, time_us, lesson) = link_parts(d);
                (scenario, time_us, lesson, None)
            }
            Err(e) => (
                default_scenario(),
                0,
                None,
                Some(format!("{e} The default scenario is open instead.")),
            ),
        };
    }
    if let Some(l) = options.lesson.as_deref().and_then(kshare::lessons::get) {
        return (l.scenario(), 0, Some(l.id), None);
    }
    (default_scenario(), 0, None, None)
}

/// A phone-sized window: the live view stacks the producer above the brokers.
fn narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < 640.0)
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
    fn sim(&self) -> &Simulation {
        &self.timeline.sim
    }

    /// Shows a panel? Everything outside an embed; in an embed the compact defaults (the
    /// lesson, the live view, the sequence diagram) plus those `?panel=` adds.
    fn shows(&self, panel: &str) -> bool {
        if !self.options.embed || self.options.panels.iter().any(|p| p == panel) {
            return true;
        }
        match panel {
            "lesson" => true,
            // The drawing the lesson is about: request/response timing in the sequence
            // diagram (the lecture's batching picture), the cluster's state in the live view.
            "live" | "sequence" => {
                let timing = matches!(
                    self.lesson,
                    Some(
                        "batching"
                            | "async-vs-sync"
                            | "delivery-callbacks"
                            | "retries-and-idempotence"
                    )
                );
                (panel == "sequence") == timing
            }
            _ => false,
        }
    }

    fn ui_state(&self) -> UiState {
        UiState {
            time_ms: self.sim().now_us() as f64 / 1000.0,
            panel: None,
            lesson: self.lesson.map(str::to_string),
        }
    }

    fn link_fragment(&self) -> String {
        kshare::encode_link(self.sim().scenario(), &self.ui_state())
    }

    /// After anything that changes the scenario or the position: refresh the code export and
    /// keep the URL current (not inside an embed, whose URL belongs to the course page).
    fn after_change(&mut self) {
        if *self.scenario != *self.sim().scenario() {
            self.scenario = Rc::new(self.sim().scenario().clone());
        }
        self.fragment = self.link_fragment();
        if !self.options.embed {
            crate::share::replace_fragment(&self.fragment);
        }
    }

    /// Opens a scenario (from a link, a file or a lesson) at `time_us`.
    fn open(
        &mut self,
        scenario: Scenario,
        time_us: u64,
        lesson: Option<&'static str>,
    ) -> Result<(), SimError> {
        self.timeline = Timeline::from_scenario(scenario, time_us)?;
        self.lesson = lesson;
        self.error = None;
        self.load_error = None;
        self.inspected = None;
        self.log_matches.clear();
        self.slots.start_over();
        self.refresh();
        self.after_change();
        Ok(())
    }

    fn load_link(&mut self, ctx: &Context<Self>, fragment: &str) {
        match kshare::decode_link(fragment) {
            Ok(d) => {
                let (scenario, t, lesson) = link_parts(d);
                if let Err(e) = self.open(scenario, t, lesson) {
                    self.load_error = Some(e.to_string());
                }
                self.set_playing(ctx, false);
            }
            Err(e) => self.load_error = Some(e.to_string()),
        }
    }
    /// Takes a snapshot of the core and shows it: paused (stepping, seeking, actions), in every
    /// panel at once; while playing, in the next frames' slots (see `slots`).
    fn refresh(&mut self) {
        self.log_hash.borrow_mut().take();
        self.snapshot();
        let drawing = Drawing {
            log: self.timeline.sim.log(),
            narrow: narrow_screen(),
        };
        self.slots.show(self.playing, drawing);
    }

    /// Shows the last snapshot in every slot and ends the round.
    fn publish_all(&mut self) {
        let drawing = Drawing {
            log: self.timeline.sim.log(),
            narrow: narrow_screen(),
        };
        self.slots.publish_all(drawing);
    }

    /// Takes a snapshot of the core: view, decoded partition logs, metrics history, lesson check,
    /// event-log index and fault marks. Nothing on the page changes until slots are published.
    fn snapshot(&mut self) {
        let check = self
            .lesson
            .and_then(kshare::lessons::get)
            .map(|l| l.check(&self.timeline.sim));
        let view = self.timeline.sim.view();
        let logs = self.decode_cache.partition_logs(&self.timeline.sim, &view);
        self.refilter();
        self.scan_marks();
        self.slots.take(view, logs, check, self.log_matches.len());
    }

    /// One animation frame of playback: publish as many slots of the current round as the frame
    /// budget allows, taking a new snapshot when the previous round is complete. Returns false
    /// when this frame has no budget: then nothing is rendered, not even the clock.
    fn publish_some(&mut self, frame: Frame) -> bool {
        let n = self
            .slots
            .frame_allowance(frame.elapsed_ms, frame.previous_work_ms);
        if n == 0 {
            return false;
        }
        if !self.slots.round_open() {
            self.snapshot();
            self.slots.start_round();
        }
        let drawing = Drawing {
            log: self.timeline.sim.log(),
            narrow: narrow_screen(),
        };
        self.slots.publish_next(n, drawing);
        true
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
                (start..log.len())
                    .filter(|&i| log[i].event.describe().to_lowercase().contains(&needle)),
            );
        }
    }

    /// Event-log entries (matching the filter) the page shows: as of the last `Events` slot,
    /// and never more than there are (a rewind shortens the log).
    fn shown_log_entries(&self) -> usize {
        self.slots.shown.log_entries.min(self.log_matches.len())
    }

    fn log_rows(&self) -> (usize, Vec<Row>) {
        let (first, last) = window_for(self.log_scroll_row, self.shown_log_entries());
        let log = self.sim().log();
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

    /// The core's log hash while paused: from the cache, or computed now when the log is short
    /// enough or `compute` asks for it.
    fn paused_log_hash(&self, compute: bool) -> Option<AttrValue> {
        let key = (self.sim().log().len(), self.sim().now_us());
        let mut cache = self.log_hash.borrow_mut();
        match &*cache {
            Some((k, hash)) if *k == key => Some(hash.clone()),
            _ if compute || key.0 <= HASH_ON_PAUSE_MAX_ENTRIES => {
                let hash = AttrValue::from(format!("{:016x}", self.sim().log_hash()));
                *cache = Some((key, hash.clone()));
                Some(hash)
            }
            _ => None,
        }
    }

    fn set_playing(&mut self, ctx: &Context<Self>, playing: bool) {
        self.playing = playing;
        self.pace.reset();
        self.ticker = if playing {
            let link = ctx.link().clone();
            Ticker::start(move |frame| link.send_message(Msg::Tick(frame)))
        } else {
            None
        };
        if !playing {
            // A paused page shows one moment in every panel, whatever round was under way.
            if self.slots.round_open() {
                self.publish_all();
            }
            if self.link_stale {
                self.link_stale = false;
                self.after_change();
            }
        }
    }

    fn apply(&mut self, origin: Origin, action: Action) {
        if self.options.readonly {
            return;
        }
        match self.timeline.apply(action) {
            Ok(()) => self.error = None,
            Err(e) => self.error = Some((origin, e)),
        }
        self.refresh();
        // While playing, the link and the code export (encoding and generating the whole
        // scenario) wait for the pause: a learner clicking poll() or produce() while it plays
        // gets the next frame, not a stall.
        if self.playing {
            self.link_stale = true;
        } else {
            self.after_change();
        }
    }

    /// Opens the inspector on what was clicked in the live view or the sequence diagram: a
    /// stored batch, or a ProduceRequest's batch — its bytes while on the wire, afterwards the
    /// batch it wrote (found through the response's base offset in the event log).
    fn inspect_target(&mut self, t: Target) {
        let (topic, partition, broker, index, in_flight) = match t {
            Target::Stored {
                topic,
                partition,
                broker,
                index,
            } => (topic, partition, broker, index, None),
            Target::Request { req_id } => {
                if let Some(ksim::InFlightBatch {
                    topic,
                    partition,
                    bytes,
                }) = self.sim().in_flight_batch_bytes(req_id, 0)
                {
                    let broker = self
                        .slots
                        .latest
                        .view
                        .producer
                        .in_flight
                        .iter()
                        .find(|r| r.req_id == req_id)
                        .map_or(0, |r| r.broker);
                    self.inspected = Some((
                        BatchRef {
                            topic,
                            partition,
                            broker,
                            index: 0,
                            in_flight: Some(req_id),
                        },
                        Rc::new(bytes.to_vec()),
                    ));
                    return;
                }
                let written = self.sim().log().iter().rev().find_map(|e| match &e.event {
                    LogEvent::ResponseReceived {
                        req_id: r,
                        broker,
                        results,
                    } if *r == req_id => results.iter().find_map(|p| {
                        Some((p.topic.clone(), p.partition, *broker, p.base_offset?))
                    }),
                    _ => None,
                });
                let Some((topic, partition, broker, base)) = written else {
                    return;
                };
                let index = self
                    .slots
                    .latest
                    .view
                    .partitions
                    .iter()
                    .filter(|p| p.topic == topic && p.partition == partition)
                    .flat_map(|p| &p.replicas)
                    .filter(|r| r.broker == broker)
                    .flat_map(|r| &r.batches)
                    .find(|b| b.base_offset == base)
                    .map(|b| b.index);
                let Some(index) = index else { return };
                (topic, partition, broker, index, None)
            }
        };
        self.inspected = self
            .sim()
            .batch_bytes(&topic, partition, broker, index)
            .map(|bytes| {
                (
                    BatchRef {
                        topic,
                        partition,
                        broker,
                        index,
                        in_flight,
                    },
                    Rc::new(bytes.to_vec()),
                )
            });
    }

    fn error_for(&self, origin: Origin) -> Option<SimError> {
        self.error
            .as_ref()
            .filter(|(o, _)| *o == origin)
            .map(|(_, e)| e.clone())
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
        self.after_change();
    }

    fn control(&mut self, ctx: &Context<Self>, c: Control) {
        match c {
            Control::TogglePlay => self.set_playing(ctx, !self.playing),
            Control::StepForward => {
                self.set_playing(ctx, false);
                let _ = self.timeline.step();
            }
            Control::StepBack => {
                self.set_playing(ctx, false);
                let now = self.sim().now_us();
                let previous = self
                    .sim()
                    .log()
                    .iter()
                    .rev()
                    .map(|e| e.time_us)
                    .find(|&t| t < now);
                self.timeline.seek(previous.unwrap_or(0));
            }
            Control::NextReport => {
                self.set_playing(ctx, false);
                self.timeline.step_to_next_report(NEXT_REPORT_MAX_EVENTS);
            }
            Control::Speed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                self.pace.reset();
            }
            Control::Seek(t) => {
                self.set_playing(ctx, false);
                self.timeline.seek(t.min(self.timeline.head_time_us));
            }
            Control::Reset => {
                let (scenario, lesson) = match self.lesson.and_then(kshare::lessons::get) {
                    Some(l) => (l.scenario(), Some(l.id)),
                    None => (default_scenario(), None),
                };
                if let Err(e) = self.open(scenario, 0, lesson) {
                    self.load_error = Some(e.to_string());
                }
            }
            Control::Help => self.show_help = !self.show_help,
            Control::CopyLink => {
                ctx.link().send_message(Msg::CopyLink);
                return;
            }
        }
        self.refresh();
        if !self.playing {
            self.after_change();
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let options = DisplayOptions::from_location();
        let fragment = crate::share::current_fragment();
        let (scenario, time_us, lesson, mut load_error) = initial_state(&options, &fragment);
        let timeline = match Timeline::from_scenario(scenario, time_us) {
            Ok(t) => t,
            Err(e) => {
                load_error = Some(format!(
                    "This scenario cannot run: {e} The default scenario is open instead."
                ));
                Timeline::from_scenario(default_scenario(), 0)
                    .expect("the default scenario is valid")
            }
        };
        let keys = {
            let link = ctx.link().clone();
            KeyListener::install(move |c| link.send_message(Msg::Control(c)))
        };
        let hash = {
            let link = ctx.link().clone();
            HashListener::install(move |f| link.send_message(Msg::LoadLink(f)))
        };
        let embed = {
            let link = ctx.link().clone();
            EmbedBridge::install(move |c| link.send_message(Msg::Embed(c)))
        };
        if options.embed {
            if let Some(body) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.body())
            {
                let _ = body.class_list().add_1("embedded");
            }
        }
        let view = Rc::new(timeline.sim.view());
        let scenario = Rc::new(timeline.sim.scenario().clone());
        let link_time = time_us > 0;
        let mut app = App {
            timeline,
            playing: false,
            speed: options.speed.unwrap_or(DEFAULT_SPEED).min(SPEEDS.len() - 1),
            ticker: None,
            _keys: keys,
            error: None,
            show_help: false,
            theme: Theme::load(),
            slots: Slots::new(view, narrow_screen()),
            decode_cache: DecodeCache::default(),
            log_scroll_row: 0,
            log_filter: String::new(),
            log_matches: Vec::new(),
            inspected: None,
            fault_marks: Rc::default(),
            marks_scanned: 0,
            options,
            lesson,
            fragment: String::new(),
            scenario,
            load_error,
            share_status: None,
            _hash: hash,
            embed,
            log_hash: Default::default(),
            callbacks: Callbacks::new(ctx.link()),
            link_stale: false,
            pace: Pace::default(),
            show_hint: false,
        };
        app.show_hint = !app.options.embed && !hint_dismissed();
        app.refresh();
        app.after_change();
        // A link that shows a moment opens paused there, so the learner sees what the author saw.
        let autoplay = app
            .options
            .autoplay
            .unwrap_or(!prefers_reduced_motion() && !link_time);
        if autoplay {
            app.set_playing(ctx, true);
        }
        app
    }

    fn rendered(&mut self, _ctx: &Context<Self>, _first_render: bool) {
        if let Some(e) = &self.embed {
            e.report_height();
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: Self::Message) -> bool {
        match msg {
            Msg::Tick(frame) => {
                let wanted_us = (frame.elapsed_ms * SPEEDS[self.speed].0).round() as u64;
                let start = self.sim().now_us();
                let target = start.saturating_add(wanted_us.max(1));
                // The simulation never skips an event; what does not fit in this frame's share
                // of real time waits for the next frame (virtual time then runs slower than
                // chosen, and the controls say so).
                let deadline = crate::clock::now_ms() + SIM_BUDGET_MS;
                self.timeline
                    .forward_within(target, || crate::clock::now_ms() < deadline);
                if self.sim().stopped_by_limit().is_some() {
                    // The scenario's run limit stopped the simulation (the event log says
                    // which): nothing more will happen, so playback stops too.
                    self.set_playing(ctx, false);
                    self.refresh();
                    return true;
                }
                let behind = self.pace.behind();
                self.pace
                    .frame(frame.elapsed_ms, wanted_us, self.sim().now_us() - start);
                // The page shows the newest state panel by panel, within the frame budget.
                return self.publish_some(frame) || behind != self.pace.behind();
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
            Msg::SetConfig(name, value) => self.apply(
                Origin::Setting(name.clone()),
                Action::SetProducerConfig { name, value },
            ),
            Msg::SetTopicConfig(topic, name, value) => self.apply(
                Origin::Setting(format!("topic:{topic}/{name}")),
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
                self.slots.set_log_entries(self.log_matches.len());
                // Follow the newest matching entries again.
                self.log_scroll_row = 0;
            }
            Msg::Inspect(b) => {
                self.inspected = self
                    .sim()
                    .batch_bytes(&b.topic, b.partition, b.broker, b.index)
                    .map(|bytes| (b, Rc::new(bytes.to_vec())));
            }
            Msg::InspectTarget(t) => self.inspect_target(t),
            Msg::CloseInspector => self.inspected = None,
            Msg::SetTheme(t) => {
                self.theme = t;
                t.apply_and_store();
            }
            Msg::LoadLink(fragment) => {
                if fragment != self.fragment {
                    self.load_link(ctx, &fragment);
                }
            }
            Msg::OpenFile(text) => match Scenario::from_json(&text) {
                Ok(scenario) => {
                    if let Err(e) = self.open(scenario, 0, None) {
                        self.load_error = Some(format!("This scenario file cannot run: {e}"));
                    }
                }
                Err(e) => {
                    self.load_error = Some(format!("This file is not a playground scenario: {e}"))
                }
            },
            Msg::SelectLesson(id) => {
                let lesson = id.as_deref().and_then(kshare::lessons::get);
                let scenario = lesson.map_or_else(default_scenario, |l| l.scenario());
                if let Err(e) = self.open(scenario, 0, lesson.map(|l| l.id)) {
                    self.load_error = Some(e.to_string());
                }
            }
            Msg::TryLesson => {
                if let Some(l) = self.lesson.and_then(kshare::lessons::get) {
                    let steps = l.try_this();
                    if let Err(e) = self.timeline.with_sim(|sim| steps.apply_to(sim)) {
                        self.error = Some((Origin::Other, e));
                    }
                    self.refresh();
                    self.after_change();
                }
            }
            Msg::CopyLink => {
                self.after_change();
                let url = crate::share::url_with(&self.fragment, "");
                let link = ctx.link().clone();
                let long = kshare::exceeds_share_limit(&url);
                crate::share::copy_to_clipboard(&url, move |ok| {
                    link.send_message(Msg::Status(match (ok, long) {
                        (true, false) => "Link copied.".into(),
                        (true, true) => "Link copied, but it is longer than 2,000 characters: chat tools may cut it. Download the scenario instead.".into(),
                        (false, _) => "The browser did not allow copying; select the address bar instead.".into(),
                    }))
                });
            }
            Msg::CopyEmbed => {
                let snippet = crate::share::embed_snippet(
                    &crate::share::url_with(&self.fragment, "?embed=1"),
                    &crate::share::url_with(&self.fragment, ""),
                );
                let link = ctx.link().clone();
                crate::share::copy_to_clipboard(&snippet, move |ok| {
                    link.send_message(Msg::Status(if ok {
                        "Embed code copied.".into()
                    } else {
                        "Copying was not allowed.".into()
                    }))
                });
            }
            Msg::CopyCode(code) => {
                let link = ctx.link().clone();
                crate::share::copy_to_clipboard(&code, move |ok| {
                    link.send_message(Msg::Status(if ok {
                        "Code copied.".into()
                    } else {
                        "Copying was not allowed.".into()
                    }))
                });
            }
            Msg::Download => {
                crate::share::download(
                    "kafka-playground-scenario.json",
                    &self.sim().scenario().to_json(),
                );
            }
            Msg::Status(s) => self.share_status = Some(s),
            Msg::DismissHint => {
                self.show_hint = false;
                if let Some(s) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
                    let _ = s.set_item(HINT_STORAGE_KEY, "1");
                }
            }
            Msg::ComputeHash => {
                self.paused_log_hash(true);
            }
            Msg::Embed(c) => match c {
                EmbedCommand::Load(link) => self.load_link(ctx, &link),
                EmbedCommand::Play => self.set_playing(ctx, true),
                EmbedCommand::Pause => self.set_playing(ctx, false),
                EmbedCommand::Reset => self.control(ctx, Control::Reset),
            },
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let cb = &self.callbacks;
        // Topics and brokers as the settings, faults and forms show them (the `Side` slot).
        let view = self.slots.shown.side.clone();
        let mut topics: Vec<String> = Vec::new();
        for p in &view.partitions {
            if topics.last() != Some(&p.topic) {
                topics.push(p.topic.clone());
            }
        }
        let (first, rows) = self.log_rows();
        let scenario = self.sim().scenario();
        let editable = !self.options.readonly;
        // A scenario file dropped anywhere on the page opens like "Open scenario file".
        let on_drop = {
            let open = cb.open_file.clone();
            let embed = self.options.embed;
            Callback::from(move |e: DragEvent| {
                e.prevent_default();
                if embed {
                    return;
                }
                if let Some(file) = e
                    .data_transfer()
                    .and_then(|d| d.files())
                    .and_then(|f| f.get(0))
                {
                    crate::share::read_file(file, open.clone());
                }
            })
        };
        let header = if self.options.embed {
            html! {
                <header class="embed-bar">
                    <strong>{ "Kafka Producer Playground" }</strong>
                    <Controls playing={self.playing} speed={self.speed} now_us={self.sim().now_us()}
                        head_us={self.timeline.head_time_us} events={self.sim().events_processed()} marks={self.fault_marks.clone()} achieved_speed={self.pace.behind()} on={cb.control.clone()} />
                    <a href={crate::share::url_with(&self.fragment, "")} target="_blank" rel="noopener">{ "Open in full playground ↗" }</a>
                </header>
            }
        } else {
            html! {
                <header class="topbar">
                    <div class="brand">
                        <h1>{ "Kafka Producer Playground" }</h1>
                        <small>{ "A simulated Kafka 3.6 cluster and producer, on real record-batch bytes" }</small>
                    </div>
                    <Controls playing={self.playing} speed={self.speed} now_us={self.sim().now_us()}
                        head_us={self.timeline.head_time_us} events={self.sim().events_processed()} marks={self.fault_marks.clone()} achieved_speed={self.pace.behind()} on={cb.control.clone()} />
                    <ThemeSwitch theme={self.theme} on_change={cb.theme.clone()} />
                </header>
            }
        };
        html! {
            <>
            { header }
            if let Some(e) = &self.load_error {
                <div class="banner" role="alert"><strong>{ "Not opened: " }</strong><span>{ e }</span></div>
            }
            if let Some((Origin::Other, e)) = &self.error {
                <div class="banner" role="alert"><strong>{ "Not done: " }</strong><span>{ e.to_string() }</span></div>
            }
            <main ondragover={Callback::from(|e: DragEvent| e.prevent_default())} ondrop={on_drop}>
                if self.show_help {
                    <Help on_close={cb.help_close.clone()} />
                }
                if self.shows("live") || self.shows("sequence") {
                    <section class="panel stage" aria-labelledby="h-live">
                        if self.show_hint {
                            <div class="first-hint" role="note" aria-label="Where to start">
                                <p><strong>{ "Start here: " }</strong>{ "press " }<strong>{ "Produce" }</strong>
                                    { " and watch the event below: it waits in an open batch for linger.ms, flies to its partition's leader as a ProduceRequest, and the ack comes back. Space pauses, → steps one event." }</p>
                                <button onclick={ctx.link().callback(|_| Msg::DismissHint)} aria-label="Dismiss the hint">{ "Dismiss" }</button>
                            </div>
                        }
                        if self.shows("live") {
                            <div class="panel-head">
                                <h2 id="h-live">{ "Live view" }</h2>
                                <span class="hint">{ "Moves with virtual time: Pause freezes it, Step moves one event. Click a packet or a log bar to see its bytes." }</span>
                            </div>
                            <SceneSvg scene={self.slots.shown.live.clone()} label={self.slots.shown.live_label.clone()}
                                class="live" on_target={cb.inspect_target.clone()} />
                        }
                        if self.shows("sequence") {
                            <h3 id="h-sequence">{ "Sequence diagram" }</h3>
                            <div class="seq-scroll" tabindex="0">
                                <SceneSvg scene={self.slots.shown.sequence.clone()}
                                    label={self.slots.shown.sequence_label.clone()}
                                    class="sequence" on_target={cb.inspect_target.clone()} scroll_to_end=true />
                            </div>
                        }
                    </section>
                }
                <div class="column">
                    if self.shows("lesson") {
                        <LessonPanel lesson={self.lesson} check={self.slots.shown.check.clone()} on_select={cb.select_lesson.clone()}
                            on_try={cb.try_lesson.clone()} on_action={cb.act.clone()} topics={topics.clone()} />
                    }
                    if self.shows("producer") && editable {
                        <section class="panel" aria-labelledby="h-producer">
                            <h2 id="h-producer">{ "Your producer code" }</h2>
                            <h3>{ "Produce an event" }</h3>
                            <ProduceForm topics={topics.clone()} on_action={cb.act.clone()} error={self.error_for(Origin::Produce)} />
                            <details>
                                <summary>{ "Produce many events" }</summary>
                                <GeneratorForm topics={topics.clone()} on_action={cb.act.clone()} />
                            </details>
                            <h3>{ "Create a topic" }</h3>
                            <TopicForm on_create={cb.create_topic.clone()} error={self.error_for(Origin::Topic)}
                                broker_count={view.brokers.len() as u32} />
                        </section>
                    }
                    if self.shows("settings") && editable {
                        <SettingsPanel view={self.slots.shown.side.clone()} profile={scenario.producer.profile}
                            broker_count={scenario.cluster.brokers}
                            on_set={cb.set_config.clone()}
                            on_profile={cb.set_profile.clone()} on_brokers={cb.set_brokers.clone()}
                            on_topic_config={cb.set_topic_config.clone()}
                            error={match &self.error { Some((Origin::Setting(n), e)) => Some((n.clone(), e.clone())), _ => None }} />
                    }
                    if self.shows("share") && !self.options.embed {
                        <ShareBar link={crate::share::url_with(&self.fragment, "")} status={self.share_status.clone()}
                            on_copy_link={cb.copy_link.clone()} on_copy_embed={cb.copy_embed.clone()}
                            on_download={cb.download.clone()} on_open_file={cb.open_file.clone()} />
                    }
                </div>
                <div class="column">
                    if self.shows("producer") { <ProducerPanel view={self.slots.shown.producer.clone()} /> }
                    if self.shows("network") { <NetworkPanel view={self.slots.shown.network.clone()} /> }
                    if self.shows("reports") { <ReportsPanel view={self.slots.shown.reports.clone()} /> }
                    if self.shows("faults") && editable {
                        <FaultPanel view={Snapshot(self.slots.shown.side.clone())} on_action={cb.act.clone()} />
                    }
                </div>
                <div class="column">
                    if self.shows("cluster") { <ClusterPanel view={self.slots.shown.cluster.clone()} /> }
                    if self.shows("logs") { <LogsPanel logs={self.slots.shown.logs.clone()} on_inspect={cb.inspect.clone()} /> }
                </div>
                if let Some((b, bytes)) = &self.inspected {
                    <Inspector batch={b.clone()} bytes={bytes.clone()} on_close={cb.close_inspector.clone()} />
                }
                if self.shows("metrics") {
                    <MetricsPanel now={self.slots.shown.metrics.clone()} history={self.slots.shown.samples.clone()} />
                }
                if self.shows("events") {
                    <EventLog total={self.shown_log_entries()} first={first} rows={rows}
                        filter={self.log_filter.clone()} on_filter={cb.log_filter.clone()}
                        on_scroll={cb.log_scroll.clone()}
                        hash={if self.playing { None } else { self.paused_log_hash(false) }}
                        hash_on_request={!self.playing} on_hash={cb.compute_hash.clone()} />
                }
                if self.shows("code") {
                    <CodePanel scenario={self.scenario.clone()} on_copy={cb.copy_code.clone()} />
                }
            </main>
            </>
        }
    }
}
