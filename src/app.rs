//! The root component: a thin shell around the learner's session (`session`, a reducer tested
//! natively) and the path from its snapshots to the panels (`slots`). It owns the browser side:
//! the playback clock, the URL, the clipboard, storage, and the DOM it renders. All Kafka
//! behaviour stays in `ksim`.

use crate::clock::{AfterPaint, Frame, Ticker};
use crate::components::budget_banner::{budget_pause, BudgetBanner};
use crate::components::cluster_panel::ClusterPanel;
use crate::components::code_panel::CodePanel;
use crate::components::comparison_panel::ComparisonPanel;
use crate::components::controls::{Control, Controls, DEFAULT_SPEED, SPEEDS};
use crate::components::event_log::EventLog;
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
use crate::components::registry_panel::RegistryPanel;
use crate::components::scene_svg::SceneSvg;
use crate::components::serializer_form::SerializerForm;
use crate::components::settings_panel::SettingsPanel;
use crate::components::share_bar::ShareBar;
use crate::components::sweep_panel::SweepPanel;
use crate::components::topic_form::TopicForm;
use crate::components::Snapshot;
use crate::embed::{EmbedBridge, EmbedCommand};
use crate::event_index::{EventIndex, FaultMarks, LogMark};
use crate::frame_budget::{sim_budget_ms, Pace, AFTER_PAINT_MARGIN_MS};
use crate::inspect::{self, Found, Inspected};
use crate::keyboard::KeyListener;
use crate::records::DecodeCache;
use crate::scene::Target;
use crate::session::{self, Origin, Session};
use crate::share::{DisplayOptions, HashListener};
use crate::slots::{Drawing, Slots};
use crate::theme::{Theme, ThemeSwitch};
use ksim::{Action, ClientProfile, Simulation};
use std::rc::Rc;
use yew::prelude::*;

/// Real time a frame may spend replaying a long rewind.
const REWIND_FRAME_MS: f64 = 12.0;
/// Events replayed between two looks at the clock during a rewind.
const REWIND_PIECE_EVENTS: u64 = 2_000;

pub enum Msg {
    Tick(Frame),
    /// A playing frame's rendering is done (`Ticker::start_with_after_paint`).
    AfterPaint(AfterPaint),
    /// A frame while a long rewind replays (`Timeline::continue_rewind`).
    RewindTick,
    Control(Control),
    CreateTopic(ksim::TopicSpec),
    Act(Action),
    SetConfig(String, String),
    SetSerializer(String, ksim::SerdeFormat, String),
    SetTopicConfig(String, String, String),
    SetProfile(ClientProfile),
    SetBrokers(u32),
    SetCluster(String, String),
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
    DismissHint,
    /// A comparison or sweep ran: the session puts it in the link.
    Ran(session::Action),
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
    set_serializer: Callback<(String, ksim::SerdeFormat, String)>,
    set_profile: Callback<ClientProfile>,
    set_brokers: Callback<u32>,
    set_cluster: Callback<(String, String)>,
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
    copy_code: Callback<String>,
    ran_comparison: Callback<kshare::CompareSides>,
    ran_sweep: Callback<kshare::SweepSpec>,
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
            set_serializer: link.callback(|(t, f, s)| Msg::SetSerializer(t, f, s)),
            set_profile: link.callback(Msg::SetProfile),
            set_brokers: link.callback(Msg::SetBrokers),
            set_cluster: link.callback(|(n, v)| Msg::SetCluster(n, v)),
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
            copy_code: link.callback(Msg::CopyCode),
            ran_comparison: link.callback(|s| Msg::Ran(session::Action::RanComparison(s))),
            ran_sweep: link.callback(|s| Msg::Ran(session::Action::RanSweep(s))),
        }
    }
}

pub struct App {
    /// The learner's session: timeline, playing, lesson, errors, link.
    session: Session,
    speed: usize,
    ticker: Option<Ticker>,
    /// Runs while a long rewind replays, a piece per frame.
    rewind_ticker: Option<Ticker>,
    _keys: Option<KeyListener>,
    show_help: bool,
    theme: Theme,
    /// The newest snapshot of the core and what each part of the page shows of it.
    slots: Slots,
    decode_cache: DecodeCache,
    /// The event log's filter, matching entries and scroll position.
    events: EventIndex,
    /// The batch open in the inspector, with a snapshot of its bytes.
    inspected: Option<Inspected>,
    /// Times of fired faults, marked on the scrubber.
    fault_marks: FaultMarks,
    options: DisplayOptions,
    share_status: Option<String>,
    _hash: Option<HashListener>,
    embed: Option<EmbedBridge>,
    callbacks: Callbacks,
    /// Whether the simulation keeps up with the chosen speed.
    pace: Pace,
    /// Real time the simulation took in the previous frame (for `sim_budget_ms`).
    last_sim_ms: f64,
    /// The virtual time the last frame wanted and did not reach: the simulation is behind the
    /// chosen speed, and goes on after the frame's rendering (`Msg::AfterPaint`).
    behind_target_us: Option<u64>,
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

/// A phone-sized window: the live view stacks the producer above the brokers.
fn narrow_screen() -> bool {
    web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|w| w.as_f64())
        .is_some_and(|w| w < 640.0)
}

/// What drawing the live view and the sequence diagram needs from the page now.
fn drawing(sim: &Simulation) -> Drawing<'_> {
    Drawing {
        log: sim.log(),
        narrow: narrow_screen(),
    }
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
        self.session.sim()
    }

    /// Shows a panel? Everything outside an embed; in an embed the compact defaults (the
    /// lesson, the live view, the sequence diagram) plus those `?panel=` adds.
    fn shows(&self, panel: &str) -> bool {
        if !self.options.embed || self.options.panels.iter().any(|p| p == panel) {
            return true;
        }
        // A link that carries a comparison or a sweep shows it.
        let v = &self.session.variants;
        if v.opened > 0
            && ((panel == "compare" && v.compare.is_some())
                || (panel == "sweep" && v.sweep.is_some()))
        {
            return true;
        }
        match panel {
            "lesson" => true,
            // The drawing the lesson is about: request/response timing in the sequence
            // diagram (the lecture's batching picture), the cluster's state in the live view.
            "live" | "sequence" => {
                let timing = matches!(
                    self.session.lesson,
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

    /// Carries out what the learner asked for: the session decides (`Session::reduce`), the
    /// page follows (clock, snapshot, URL).
    fn run(&mut self, ctx: &Context<Self>, action: session::Action) {
        let out = self.session.reduce(action);
        if out.new_timeline {
            self.inspected = None;
            self.events.clear();
            self.fault_marks.clear();
        }
        if out.new_scenario {
            self.slots.start_over();
        }
        if let Some(playing) = out.playback {
            self.set_clock(ctx, playing);
        }
        // A rewind too long for one go goes on a piece per frame, the page staying live.
        let rewinding = self.session.timeline.rewind_position().is_some();
        if rewinding && self.rewind_ticker.is_none() {
            let link = ctx.link().clone();
            self.rewind_ticker = Ticker::start(move |_| link.send_message(Msg::RewindTick));
        } else if !rewinding {
            self.rewind_ticker = None;
        }
        if out.refresh {
            self.refresh();
        }
        // Not inside an embed, whose URL belongs to the course page.
        if out.write_link && !self.options.embed {
            crate::share::replace_fragment(&self.session.fragment);
        }
    }

    /// Takes a snapshot of the core and shows it: paused (stepping, seeking, actions), in every
    /// panel at once; while playing, in the next frames' slots (see `slots`).
    fn refresh(&mut self) {
        self.snapshot();
        let playing = self.session.playing;
        self.slots
            .show(playing, drawing(&self.session.timeline.sim));
    }

    /// Shows the last snapshot in every slot and ends the round.
    fn publish_all(&mut self) {
        self.slots.publish_all(drawing(&self.session.timeline.sim));
    }

    /// Takes a snapshot of the core: view, decoded partition logs, metrics history, lesson check,
    /// event-log index and fault marks. Nothing on the page changes until slots are published.
    fn snapshot(&mut self) {
        let check = self
            .session
            .lesson
            .and_then(kshare::lessons::get)
            .map(|l| l.check(&self.session.timeline.sim));
        let view = self.session.timeline.sim.view();
        let logs = self
            .decode_cache
            .partition_logs(&self.session.timeline.sim, &view);
        let sim = &self.session.timeline.sim;
        self.events.follow(sim);
        self.fault_marks.follow(sim);
        self.slots.take(view, logs, check, LogMark::of(sim));
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
        self.slots
            .publish_next(n, drawing(&self.session.timeline.sim));
        true
    }

    /// When the scenario's run limit stopped the simulation (the event log says which),
    /// nothing more will happen, so playback stops too; returns whether it did.
    fn stop_at_run_limit(&mut self, ctx: &Context<Self>) -> bool {
        let stopped = self.sim().stopped_by_limit().is_some();
        if stopped {
            self.run(ctx, session::Action::RunLimitReached);
        }
        stopped
    }

    /// Starts or stops the playback clock (the session said to play or to pause).
    fn set_clock(&mut self, ctx: &Context<Self>, playing: bool) {
        self.pace.reset();
        self.behind_target_us = None;
        self.ticker = if playing {
            let (link, after) = (ctx.link().clone(), ctx.link().clone());
            Ticker::start_with_after_paint(
                move |frame| link.send_message(Msg::Tick(frame)),
                // Through Yew's queue, so it runs after a render Yew deferred to a later task.
                move |a| after.send_message(Msg::AfterPaint(a)),
            )
        } else {
            None
        };
        // A paused page shows one moment in every panel, whatever round was under way.
        if !playing && self.slots.round_open() {
            self.publish_all();
        }
    }

    fn control(&mut self, ctx: &Context<Self>, c: Control) {
        match c {
            Control::Speed(i) => {
                self.speed = i.min(SPEEDS.len() - 1);
                self.pace.reset();
                self.behind_target_us = None;
                self.run(ctx, session::Action::Refresh);
            }
            Control::Help => {
                self.show_help = !self.show_help;
                self.run(ctx, session::Action::Refresh);
            }
            Control::CopyLink => ctx.link().send_message(Msg::CopyLink),
            c => self.run(ctx, session::Action::Control(c)),
        }
    }
}

impl Component for App {
    type Message = Msg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let options = DisplayOptions::from_location();
        let fragment = crate::share::current_fragment();
        let start = Session::start(&fragment, options.lesson.as_deref(), options.readonly);
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
        let view = Rc::new(start.session.sim().view());
        let mut app = App {
            session: start.session,
            speed: options.speed.unwrap_or(DEFAULT_SPEED).min(SPEEDS.len() - 1),
            ticker: None,
            rewind_ticker: None,
            _keys: keys,
            show_help: false,
            theme: Theme::load(),
            slots: Slots::new(view, narrow_screen()),
            decode_cache: DecodeCache::default(),
            events: EventIndex::default(),
            inspected: None,
            fault_marks: FaultMarks::default(),
            options,
            share_status: None,
            _hash: hash,
            embed,
            callbacks: Callbacks::new(ctx.link()),
            pace: Pace::default(),
            last_sim_ms: 0.0,
            behind_target_us: None,
            show_hint: false,
        };
        app.show_hint = !app.options.embed && !hint_dismissed();
        app.run(ctx, session::Action::Refresh);
        // A link that shows a moment opens paused there, so the learner sees what the author saw.
        let autoplay = app
            .options
            .autoplay
            .unwrap_or(!prefers_reduced_motion() && !start.at_linked_moment);
        if autoplay {
            app.run(ctx, session::Action::Play);
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
                let began = crate::clock::now_ms();
                let deadline = began + sim_budget_ms(frame.previous_work_ms, self.last_sim_ms);
                self.session
                    .timeline
                    .forward_within(target, || crate::clock::now_ms() < deadline);
                self.last_sim_ms = crate::clock::now_ms() - began;
                self.behind_target_us = (self.sim().now_us() < target).then_some(target);
                if self.stop_at_run_limit(ctx) {
                    return true;
                }
                let behind = self.pace.behind();
                self.pace
                    .frame(frame.elapsed_ms, wanted_us, self.sim().now_us() - start);
                // The page shows the newest state panel by panel, within the frame budget.
                return self.publish_some(frame) || behind != self.pace.behind();
            }
            Msg::AfterPaint(a) => {
                let Some(target) = self.behind_target_us.filter(|_| self.ticker.is_some()) else {
                    return false;
                };
                let deadline = a.frame_began_ms + self.slots.frame_ms() - AFTER_PAINT_MARGIN_MS;
                let start = self.sim().now_us();
                if crate::clock::now_ms() < deadline {
                    self.session
                        .timeline
                        .forward_within(target, || crate::clock::now_ms() < deadline);
                }
                let now_us = self.sim().now_us();
                self.pace.advanced_after_paint(now_us - start);
                if now_us >= target {
                    self.behind_target_us = None;
                }
                return self.stop_at_run_limit(ctx);
            }
            Msg::RewindTick => {
                let deadline = crate::clock::now_ms() + REWIND_FRAME_MS;
                let mut done = None;
                while crate::clock::now_ms() < deadline {
                    done = self.session.timeline.continue_rewind(REWIND_PIECE_EVENTS);
                    if done.is_none() {
                        break;
                    }
                }
                if done.is_none() {
                    self.rewind_ticker = None;
                    self.refresh();
                }
                return true;
            }
            Msg::Control(c) => self.control(ctx, c),
            Msg::CreateTopic(spec) => self.run(ctx, session::Action::CreateTopic(spec)),
            Msg::Act(action) => self.run(ctx, session::Action::Act(action)),
            Msg::SetSerializer(topic, format, schema_text) => self.run(
                ctx,
                session::Action::SetSerializer {
                    topic,
                    format,
                    schema_text,
                },
            ),
            Msg::SetConfig(name, value) => {
                self.run(ctx, session::Action::SetConfig { name, value })
            }
            Msg::SetTopicConfig(topic, name, value) => {
                self.run(ctx, session::Action::SetTopicConfig { topic, name, value })
            }
            Msg::SetProfile(profile) => self.run(ctx, session::Action::SetProfile(profile)),
            Msg::SetBrokers(n) => self.run(ctx, session::Action::SetBrokers(n)),
            Msg::SetCluster(name, value) => {
                self.run(ctx, session::Action::SetCluster { name, value })
            }
            Msg::LogScroll(row) => self.events.scroll_row = row,
            Msg::LogFilter(filter) => {
                self.events.set_filter(filter, &self.session.timeline.sim);
            }
            Msg::Inspect(b) => self.inspected = inspect::stored(self.sim(), b),
            Msg::InspectTarget(t) => {
                match inspect::clicked(self.sim(), &self.slots.latest.view, t) {
                    Found::Batch(i) => self.inspected = Some(i),
                    Found::Gone => self.inspected = None,
                    Found::Nothing => {}
                }
            }
            Msg::CloseInspector => self.inspected = None,
            Msg::SetTheme(t) => {
                self.theme = t;
                t.apply_and_store();
            }
            Msg::LoadLink(fragment) => self.run(ctx, session::Action::FragmentChanged(fragment)),
            Msg::OpenFile(text) => self.run(ctx, session::Action::OpenFile(text)),
            Msg::SelectLesson(id) => self.run(ctx, session::Action::SelectLesson(id)),
            Msg::TryLesson => self.run(ctx, session::Action::TryLesson),
            Msg::Ran(a) => self.run(ctx, a),
            Msg::CopyLink => {
                self.run(ctx, session::Action::SyncLink);
                let url = crate::share::url_with(&self.session.fragment, "");
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
                    &crate::share::url_with(&self.session.fragment, "?embed=1"),
                    &crate::share::url_with(&self.session.fragment, ""),
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
            Msg::Embed(c) => match c {
                EmbedCommand::Load(link) => self.run(ctx, session::Action::LoadLink(link)),
                EmbedCommand::Play => self.run(ctx, session::Action::Play),
                EmbedCommand::Pause => self.run(ctx, session::Action::Pause),
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
        let log_page = self.events.rows(self.slots.shown.log, self.sim());
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
                    <Controls playing={self.session.playing} speed={self.speed} now_us={self.sim().now_us()}
                        head_us={self.session.timeline.head_time_us} events={self.sim().events_processed()} marks={self.fault_marks.marks()} achieved_speed={self.pace.behind()} rewinding={self.session.timeline.rewind_position()} on={cb.control.clone()} />
                    <a href={crate::share::url_with(&self.session.fragment, "")} target="_blank" rel="noopener">{ "Open in full playground ↗" }</a>
                </header>
            }
        } else {
            html! {
                <header class="topbar">
                    <div class="brand">
                        <h1>{ "Kafka Producer Playground" }</h1>
                        <small>{ "A simulated Kafka 3.6 cluster and producer, on real record-batch bytes" }</small>
                    </div>
                    <Controls playing={self.session.playing} speed={self.speed} now_us={self.sim().now_us()}
                        head_us={self.session.timeline.head_time_us} events={self.sim().events_processed()} marks={self.fault_marks.marks()} achieved_speed={self.pace.behind()} rewinding={self.session.timeline.rewind_position()} on={cb.control.clone()} />
                    <ThemeSwitch theme={self.theme} on_change={cb.theme.clone()} />
                </header>
            }
        };
        html! {
            <>
            { header }
            if let Some(e) = &self.session.load_error {
                <div class="banner" role="alert"><strong>{ "Not opened: " }</strong><span>{ e }</span></div>
            }
            if let Some(e) = self.session.error_for(&Origin::Other) {
                <div class="banner" role="alert"><strong>{ "Not done: " }</strong><span>{ e.to_string() }</span></div>
            }
            if let Some(pause) = budget_pause(self.sim(), self.shows("settings") && editable) {
                <BudgetBanner {pause} on={cb.control.clone()} />
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
                        <LessonPanel lesson={self.session.lesson} check={self.slots.shown.check.clone()} on_select={cb.select_lesson.clone()}
                            on_try={cb.try_lesson.clone()} on_action={cb.act.clone()} topics={topics.clone()} />
                    }
                    if self.shows("producer") && editable {
                        <section class="panel" aria-labelledby="h-producer">
                            <h2 id="h-producer">{ "Your producer code" }</h2>
                            <h3>{ "Produce an event" }</h3>
                            <ProduceForm topics={topics.clone()} on_action={cb.act.clone()} error={self.session.error_for(&Origin::Produce)}
                                serializers={view.serializers.clone()} />
                            <details>
                                <summary>{ "Produce many events" }</summary>
                                <GeneratorForm topics={topics.clone()} on_action={cb.act.clone()} />
                            </details>
                            <details>
                                <summary>{ "Serialize values (JSON, Avro)" }</summary>
                                <SerializerForm topics={topics.clone()} current={view.serializers.clone()} on_set={cb.set_serializer.clone()}
                                    error={self.session.error_for(&Origin::Serializer).map(|e| e.to_string())} />
                            </details>
                            <h3>{ "Create a topic" }</h3>
                            <TopicForm on_create={cb.create_topic.clone()} error={self.session.error_for(&Origin::Topic)}
                                broker_count={view.brokers.len() as u32} />
                        </section>
                    }
                    if self.shows("settings") && editable {
                        <SettingsPanel view={self.slots.shown.side.clone()} profile={scenario.producer.profile}
                            broker_count={scenario.cluster.brokers} cluster={scenario.cluster.clone()}
                            on_set={cb.set_config.clone()}
                            on_profile={cb.set_profile.clone()} on_brokers={cb.set_brokers.clone()}
                            on_cluster={cb.set_cluster.clone()}
                            on_topic_config={cb.set_topic_config.clone()}
                            error={self.session.setting_error()} />
                    }
                    if self.shows("share") && !self.options.embed {
                        <ShareBar link={crate::share::url_with(&self.session.fragment, "")} status={self.share_status.clone()}
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
                    if self.shows("registry") { <RegistryPanel view={self.slots.shown.cluster.clone()} /> }
                    if self.shows("logs") { <LogsPanel logs={self.slots.shown.logs.clone()} on_inspect={cb.inspect.clone()} /> }
                </div>
                if let Some(i) = &self.inspected {
                    <Inspector batch={i.batch.clone()} content={i.content.clone()} values={i.values.clone()} on_close={cb.close_inspector.clone()} />
                }
                if self.shows("metrics") {
                    <MetricsPanel now={self.slots.shown.metrics.clone()} history={self.slots.shown.samples.clone()} />
                }
                if self.shows("compare") {
                    <ComparisonPanel scenario={Snapshot(self.session.scenario.clone())} lesson={self.session.lesson}
                        opened={self.session.variants.compare.clone().filter(|_| self.session.variants.opened > 0).map(|c| (self.session.variants.opened, c))}
                        on_run={cb.ran_comparison.clone()} />
                }
                if self.shows("sweep") {
                    <SweepPanel scenario={Snapshot(self.session.scenario.clone())}
                        opened={self.session.variants.sweep.clone().filter(|_| self.session.variants.opened > 0).map(|s| (self.session.variants.opened, s))}
                        on_run={cb.ran_sweep.clone()} />
                }
                if self.shows("events") {
                    <EventLog total={log_page.total} first={log_page.first} rows={log_page.rows}
                        filter={self.events.filter().to_string()} on_filter={cb.log_filter.clone()}
                        on_scroll={cb.log_scroll.clone()}
                        hash={format!("{:016x}", self.sim().log_hash())} log={self.slots.shown.log} />
                }
                if self.shows("code") {
                    <CodePanel scenario={self.session.scenario.clone()} on_copy={cb.copy_code.clone()} />
                }
            </main>
            </>
        }
    }
}
