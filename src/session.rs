//! The learner's session: the timeline (the simulation and its rewind checkpoints), whether it
//! plays, the open lesson, the errors shown, and the share link. Everything the learner does
//! that changes it is an [`Action`]; [`Session::reduce`] applies one and says in an [`Outcome`]
//! what the page must do about it (take a new snapshot, write the link to the URL, start or stop
//! the playback clock). No markup and no browser here: the app (`app.rs`) owns the clock, the
//! DOM and storage and carries the outcome out, so every decision is tested natively. All Kafka
//! behaviour stays in `ksim`; this only routes actions to it.

use crate::components::controls::Control;
use crate::timeline::Timeline;
use kshare::{CompareSides, SweepSpec, UiState};
use ksim::{ClientProfile, ClusterSpec, Scenario, SimError, Simulation, TopicSpec};
use std::rc::Rc;

/// Events processed at most by "Next report" before it gives up.
const NEXT_REPORT_MAX_EVENTS: u32 = 200_000;
/// Events a rewind replays at once before it goes on a piece per frame (a fraction of a second
/// in the browser).
const SEEK_AT_ONCE_EVENTS: u64 = 50_000;

/// Which form the last core error belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Topic,
    Produce,
    /// A producer setting (its name), a topic setting (`topic:<topic>/<name>`; topic names
    /// cannot contain `/`) or a cluster setting (`cluster:<name>`).
    Setting(String),
    /// The serializer form.
    Serializer,
    Other,
}

/// An error from the core, shown next to the form it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct FormError {
    pub origin: Origin,
    pub error: SimError,
}

/// What the learner (or the embedding page, or the URL) asks of the session.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Play, pause, step, seek, reset (the playback controls and their shortcuts). The speed,
    /// the help and copying are the page's own: for them the core is only shown again (the
    /// link is brought up to date for copying).
    Control(Control),
    /// Start playing (the embedding page, autoplay).
    Play,
    /// Stop playing (the embedding page).
    Pause,
    /// The scenario's run limit stopped the simulation while it played.
    RunLimitReached,
    /// The page changed how it shows the session (speed, help): show the core again.
    Refresh,
    CreateTopic(TopicSpec),
    /// An action from a form, the lesson or the fault panel.
    Act(ksim::Action),
    SetConfig {
        name: String,
        value: String,
    },
    SetTopicConfig {
        topic: String,
        name: String,
        value: String,
    },
    SetProfile(ClientProfile),
    SetBrokers(u32),
    /// A cluster setting of the settings panel (one of [`CLUSTER_SETTINGS`]) as typed; like the
    /// broker count, a changed cluster replays the session.
    SetCluster {
        name: String,
        value: String,
    },
    /// The serializer form: the program now serializes `topic`'s values with `format`; for Avro,
    /// with the schema `schema_text` (added to the scenario's schemas under a name of its own if
    /// it is new, which replays the session, then switched to by a `set_serializer` action).
    SetSerializer {
        topic: String,
        format: ksim::SerdeFormat,
        schema_text: String,
    },
    /// A share link from the embedding page: opened even when it is the current one.
    LoadLink(String),
    /// The URL's fragment changed (a pasted link); our own fragment is not a new link.
    FragmentChanged(String),
    /// The text of a scenario file the learner opened.
    OpenFile(String),
    SelectLesson(Option<String>),
    /// Runs the open lesson's "try this" steps.
    TryLesson,
    /// Brings the link up to date now, even while playing (before copying it).
    SyncLink,
    /// "Run both ways" ran with these sides: the link carries them from now on.
    RanComparison(CompareSides),
    /// "Sweep a setting" ran with this setting and values: the link carries them.
    RanSweep(SweepSpec),
}

/// The comparison and sweep the share link carries: the last ones run, or those a link opened.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Variants {
    pub compare: Option<CompareSides>,
    pub sweep: Option<SweepSpec>,
    /// Counts the links that opened a comparison or sweep: when it changes, the panels fill
    /// their fields from here and run them (what a course author embedding one expects).
    pub opened: u32,
}

/// What the page must do after an action.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The simulation moved or changed: take a snapshot and show it (see `slots`).
    pub refresh: bool,
    /// The link was brought up to date: write it to the URL (outside an embed).
    pub write_link: bool,
    /// Playback was set to this (the clock starts or stops, its pace is measured anew).
    pub playback: Option<bool>,
    /// The timeline was replaced (another scenario, or a replay with a changed one): what was
    /// derived from the old one (the inspector, the event-log index) goes.
    pub new_timeline: bool,
    /// Another scenario was opened: the metrics history and the partition logs start over.
    pub new_scenario: bool,
}

/// How the session starts, and whether it shows a moment a link chose.
pub struct Start {
    pub session: Session,
    /// A link that shows a moment opens paused there, so the learner sees what its author saw.
    pub at_linked_moment: bool,
}

/// The learner's session (see the module's documentation).
pub struct Session {
    pub timeline: Timeline,
    pub playing: bool,
    pub lesson: Option<&'static str>,
    /// The last error from the core, for the form it came from.
    pub error: Option<FormError>,
    /// A problem with a link or file, shown in a banner; the scenario open before stays open.
    pub load_error: Option<String>,
    /// The fragment last written or loaded.
    pub fragment: String,
    /// The scenario as of the last link update, for the code export (not cloned on every
    /// frame).
    pub scenario: Rc<Scenario>,
    /// An action changed the scenario while playing; the link and code export follow on pause.
    link_stale: bool,
    /// `?readonly=1`: the learner's actions are ignored.
    readonly: bool,
    pub variants: Variants,
}

/// The cluster settings the settings panel changes, by the name it shows: Kafka's broker config
/// names, and the playground's own record-bytes budget under its scenario name.
pub const CLUSTER_SETTINGS: [&str; 5] = [
    "record_bytes_budget_mb",
    "log.retention.check.interval.ms",
    "auto.create.topics.enable",
    "num.partitions",
    "default.replication.factor",
];

/// A cluster setting's value as the settings panel shows it (`None` for a name it does not
/// have).
pub fn cluster_setting(c: &ClusterSpec, name: &str) -> Option<String> {
    Some(match name {
        "record_bytes_budget_mb" => c.record_bytes_budget_mb.to_string(),
        "log.retention.check.interval.ms" => c.log_retention_check_interval_ms.to_string(),
        "auto.create.topics.enable" => c.auto_create_topics_enable.to_string(),
        "num.partitions" => c.num_partitions.to_string(),
        "default.replication.factor" => c.default_replication_factor.to_string(),
        _ => return None,
    })
}

/// The cluster with one setting changed to what the learner typed. Only the text is read here
/// (a whole number, or true/false); the range is the core's to check when the scenario is built.
fn with_cluster_setting(
    mut c: ClusterSpec,
    name: &str,
    value: &str,
) -> Result<ClusterSpec, SimError> {
    let text = value.trim();
    let whole = |what: &str| {
        SimError::InvalidScenario(format!("{name} must be a whole number{what}, got “{text}”"))
    };
    match name {
        "record_bytes_budget_mb" => {
            c.record_bytes_budget_mb = text.parse().map_err(|_| whole(" of MiB"))?
        }
        "log.retention.check.interval.ms" => {
            c.log_retention_check_interval_ms =
                text.parse().map_err(|_| whole(" of milliseconds"))?
        }
        "num.partitions" => c.num_partitions = text.parse().map_err(|_| whole(""))?,
        "default.replication.factor" => {
            c.default_replication_factor = text.parse().map_err(|_| whole(""))?
        }
        "auto.create.topics.enable" => {
            c.auto_create_topics_enable = match text {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(SimError::InvalidScenario(format!(
                        "{name} must be true or false, got “{text}”"
                    )))
                }
            }
        }
        _ => {
            return Err(SimError::InvalidScenario(format!(
                "no cluster setting named {name}"
            )))
        }
    }
    Ok(c)
}

/// The scenario a fresh page (and Reset outside a lesson) opens: the preset plus the lecture's
/// topic `payments` (3 partitions, replication factor 3), so the prefilled event produces at
/// once. The topic is part of the scenario (not the preset), so old links, which store only
/// their differences from the preset, open exactly as before. So are the core's run limits
/// (`ksim::Limits::default()`: far enough for a tab left playing for hours), which replace the
/// preset's older 20 M events / 1 hour.
pub fn default_scenario() -> Scenario {
    let mut s = kshare::presets::default_scenario();
    s.limits = ksim::Limits::default();
    if s.topics.is_empty() {
        s.topics.push(TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 3.min(s.cluster.brokers.max(1)),
            ..Default::default()
        });
    }
    s
}

/// A decoded link: its scenario, the moment it shows, and its lesson (when this app knows it).
struct LinkParts {
    scenario: Scenario,
    time_us: u64,
    lesson: Option<&'static str>,
    compare: Option<CompareSides>,
    sweep: Option<SweepSpec>,
}

impl LinkParts {
    fn of(d: kshare::Decoded) -> LinkParts {
        let lesson = d
            .ui_state
            .lesson
            .as_deref()
            .and_then(kshare::lessons::get)
            .map(|l| l.id);
        LinkParts {
            time_us: d.ui_state.time_us(),
            scenario: d.scenario,
            lesson,
            compare: d.ui_state.compare,
            sweep: d.ui_state.sweep,
        }
    }
}

/// The lesson's scenario, or the default one outside a lesson.
fn lesson_scenario(lesson: Option<&'static kshare::lessons::Lesson>) -> Scenario {
    lesson.map_or_else(default_scenario, |l| l.scenario())
}

impl Session {
    /// What a page opens: the link in `fragment`, else the lesson `?lesson=` names, else the
    /// default scenario. A bad link, or a scenario that cannot run, opens the default one with a
    /// banner saying why.
    pub fn start(fragment: &str, lesson: Option<&str>, readonly: bool) -> Start {
        let mut load_error = None;
        let parts = if fragment.is_empty() {
            let lesson = lesson.and_then(kshare::lessons::get);
            LinkParts {
                scenario: lesson_scenario(lesson),
                time_us: 0,
                lesson: lesson.map(|l| l.id),
                compare: None,
                sweep: None,
            }
        } else {
            match kshare::decode_link(fragment) {
                Ok(d) => LinkParts::of(d),
                Err(e) => {
                    load_error = Some(format!("{e} The default scenario is open instead."));
                    LinkParts {
                        scenario: default_scenario(),
                        time_us: 0,
                        lesson: None,
                        compare: None,
                        sweep: None,
                    }
                }
            }
        };
        let at_linked_moment = parts.time_us > 0;
        let variants = Variants {
            opened: u32::from(parts.compare.is_some() || parts.sweep.is_some()),
            compare: parts.compare,
            sweep: parts.sweep,
        };
        let timeline = match Timeline::from_scenario(parts.scenario, parts.time_us) {
            Ok(t) => t,
            Err(e) => {
                load_error = Some(format!(
                    "This scenario cannot run: {e} The default scenario is open instead."
                ));
                Timeline::from_scenario(default_scenario(), 0)
                    .expect("the default scenario is valid")
            }
        };
        let session = Session {
            scenario: Rc::new(timeline.sim.scenario().clone()),
            timeline,
            playing: false,
            lesson: parts.lesson,
            error: None,
            load_error,
            fragment: String::new(),
            link_stale: false,
            readonly,
            variants,
        };
        Start {
            session,
            at_linked_moment,
        }
    }

    pub fn sim(&self) -> &Simulation {
        &self.timeline.sim
    }

    /// The core error for the form `origin`, if the last one came from there.
    pub fn error_for(&self, origin: &Origin) -> Option<SimError> {
        self.error
            .as_ref()
            .filter(|e| e.origin == *origin)
            .map(|e| e.error.clone())
    }

    /// The core error for a setting (its name, see `Origin::Setting`), if the last one came
    /// from one.
    pub fn setting_error(&self) -> Option<(String, SimError)> {
        match &self.error {
            Some(FormError {
                origin: Origin::Setting(name),
                error,
            }) => Some((name.clone(), error.clone())),
            _ => None,
        }
    }

    /// The share link's fragment for the scenario and the moment shown now.
    fn link_fragment(&self) -> String {
        let ui = UiState {
            time_ms: self.sim().now_us() as f64 / 1000.0,
            panel: None,
            lesson: self.lesson.map(str::to_string),
            compare: self.variants.compare.clone(),
            sweep: self.variants.sweep.clone(),
        };
        kshare::encode_link(self.sim().scenario(), &ui)
    }

    /// Applies one action (see the module's documentation).
    pub fn reduce(&mut self, action: Action) -> Outcome {
        let mut out = Outcome::default();
        // Doing something else gives up a rewind still replaying (controls decide their own).
        if !matches!(
            action,
            Action::Control(_)
                | Action::Refresh
                | Action::SyncLink
                | Action::RunLimitReached
                | Action::RanComparison(_)
                | Action::RanSweep(_)
        ) {
            self.timeline.cancel_rewind();
        }
        match action {
            Action::Control(c) => self.control(c, &mut out),
            Action::Play => self.set_playing(true, &mut out),
            Action::Pause => self.set_playing(false, &mut out),
            Action::RunLimitReached => {
                self.set_playing(false, &mut out);
                out.refresh = true;
            }
            Action::Refresh => self.changed(&mut out),
            Action::CreateTopic(spec) => {
                self.apply(Origin::Topic, ksim::Action::CreateTopic(spec), &mut out)
            }
            Action::Act(action) => {
                let origin = match action {
                    ksim::Action::Produce { .. }
                    | ksim::Action::Poll
                    | ksim::Action::Flush { .. } => Origin::Produce,
                    _ => Origin::Other,
                };
                self.apply(origin, action, &mut out)
            }
            Action::SetConfig { name, value } => self.apply(
                Origin::Setting(name.clone()),
                ksim::Action::SetProducerConfig { name, value },
                &mut out,
            ),
            Action::SetTopicConfig { topic, name, value } => self.apply(
                Origin::Setting(format!("topic:{topic}/{name}")),
                ksim::Action::SetTopicConfig { topic, name, value },
                &mut out,
            ),
            Action::SetSerializer {
                topic,
                format,
                schema_text,
            } => self.set_serializer(topic, format, schema_text, &mut out),
            Action::SetProfile(profile) => {
                let mut scenario = self.sim().scenario().clone();
                scenario.producer.profile = profile;
                self.rebuild(Origin::Setting("profile".into()), scenario, &mut out);
            }
            Action::SetBrokers(n) => {
                let mut scenario = self.sim().scenario().clone();
                scenario.cluster.brokers = n;
                self.rebuild(Origin::Other, scenario, &mut out);
            }
            Action::SetCluster { name, value } => {
                if self.readonly {
                    return out;
                }
                let origin = Origin::Setting(format!("cluster:{name}"));
                let mut scenario = self.sim().scenario().clone();
                match with_cluster_setting(scenario.cluster.clone(), &name, &value) {
                    Ok(cluster) => {
                        scenario.cluster = cluster;
                        self.rebuild(origin, scenario, &mut out);
                    }
                    Err(error) => {
                        self.error = Some(FormError { origin, error });
                        out.refresh = true;
                    }
                }
            }
            Action::LoadLink(fragment) => self.load_link(&fragment, &mut out),
            Action::FragmentChanged(fragment) => {
                if fragment != self.fragment {
                    self.load_link(&fragment, &mut out);
                }
            }
            Action::OpenFile(text) => match Scenario::from_json(&text) {
                Ok(scenario) => {
                    if let Err(e) = self.open(scenario, 0, None, &mut out) {
                        self.load_error = Some(format!("This scenario file cannot run: {e}"));
                    }
                }
                Err(e) => {
                    self.load_error = Some(format!("This file is not a playground scenario: {e}"))
                }
            },
            Action::SelectLesson(id) => {
                let lesson = id.as_deref().and_then(kshare::lessons::get);
                if let Err(e) =
                    self.open(lesson_scenario(lesson), 0, lesson.map(|l| l.id), &mut out)
                {
                    self.load_error = Some(e.to_string());
                }
            }
            Action::TryLesson => {
                if let Some(l) = self.lesson.and_then(kshare::lessons::get) {
                    let steps = l.try_this();
                    if let Err(error) = self.timeline.with_sim(|sim| steps.apply_to(sim)) {
                        self.error = Some(FormError {
                            origin: Origin::Other,
                            error,
                        });
                    }
                    out.refresh = true;
                    self.sync_link(&mut out);
                }
            }
            Action::SyncLink => self.sync_link(&mut out),
            Action::RanComparison(sides) => {
                self.variants.compare = Some(sides);
                self.variants_changed(&mut out);
            }
            Action::RanSweep(sweep) => {
                self.variants.sweep = Some(sweep);
                self.variants_changed(&mut out);
            }
        }
        out
    }

    fn control(&mut self, c: Control, out: &mut Outcome) {
        if !matches!(
            c,
            Control::Seek(_) | Control::Speed(_) | Control::Help | Control::CopyLink
        ) {
            self.timeline.cancel_rewind();
        }
        match c {
            Control::TogglePlay => self.set_playing(!self.playing, out),
            Control::StepForward => {
                self.set_playing(false, out);
                let _ = self.timeline.step();
            }
            Control::StepBack => {
                self.set_playing(false, out);
                self.timeline.step_back();
            }
            Control::NextReport => {
                self.set_playing(false, out);
                self.timeline.step_to_next_report(NEXT_REPORT_MAX_EVENTS);
            }
            Control::Seek(t) => {
                self.set_playing(false, out);
                self.timeline.begin_seek(t.min(self.timeline.head_time_us));
                // Short rewinds arrive at once; a longer one goes on a piece per frame (the
                // page shows its progress) instead of freezing the tab.
                self.timeline.continue_rewind(SEEK_AT_ONCE_EVENTS);
            }
            Control::Reset => {
                let lesson = self.lesson.and_then(kshare::lessons::get);
                if let Err(e) = self.open(lesson_scenario(lesson), 0, lesson.map(|l| l.id), out) {
                    self.load_error = Some(e.to_string());
                }
            }
            // Copying is the page's own; the link it copies is brought up to date.
            Control::CopyLink => {
                self.sync_link(out);
                return;
            }
            // The page's own: nothing in the session changes, the core is shown again.
            Control::Speed(_) | Control::Help => {}
        }
        self.changed(out);
    }

    /// After a control: show the core again, and the link follows unless it plays.
    fn changed(&mut self, out: &mut Outcome) {
        out.refresh = true;
        if !self.playing {
            self.sync_link(out);
        }
    }

    fn set_playing(&mut self, playing: bool, out: &mut Outcome) {
        self.playing = playing;
        out.playback = Some(playing);
        if !playing && self.link_stale {
            self.link_stale = false;
            self.sync_link(out);
        }
    }

    /// The link carries a new comparison or sweep: now, or on pause while playing.
    fn variants_changed(&mut self, out: &mut Outcome) {
        if self.playing {
            self.link_stale = true;
        } else {
            self.sync_link(out);
        }
    }

    /// Brings the code export's scenario and the link up to date.
    fn sync_link(&mut self, out: &mut Outcome) {
        if *self.scenario != *self.sim().scenario() {
            self.scenario = Rc::new(self.sim().scenario().clone());
        }
        self.fragment = self.link_fragment();
        out.write_link = true;
    }

    /// Opens a scenario (from a link, a file or a lesson) at `time_us`. When it cannot run,
    /// nothing changes.
    fn open(
        &mut self,
        scenario: Scenario,
        time_us: u64,
        lesson: Option<&'static str>,
        out: &mut Outcome,
    ) -> Result<(), SimError> {
        self.timeline = Timeline::from_scenario(scenario, time_us)?;
        self.lesson = lesson;
        // Another scenario: the comparison and sweep of the old one no longer go in its link.
        self.variants.compare = None;
        self.variants.sweep = None;
        self.error = None;
        self.load_error = None;
        out.new_timeline = true;
        out.new_scenario = true;
        out.refresh = true;
        self.sync_link(out);
        Ok(())
    }

    /// Opens a share link, paused at the moment it shows. A bad link changes nothing but the
    /// banner.
    fn load_link(&mut self, fragment: &str, out: &mut Outcome) {
        match kshare::decode_link(fragment) {
            Ok(d) => {
                let parts = LinkParts::of(d);
                match self.open(parts.scenario, parts.time_us, parts.lesson, out) {
                    Err(e) => self.load_error = Some(e.to_string()),
                    Ok(()) if parts.compare.is_some() || parts.sweep.is_some() => {
                        self.variants.compare = parts.compare;
                        self.variants.sweep = parts.sweep;
                        self.variants.opened += 1;
                        self.sync_link(out);
                    }
                    Ok(()) => {}
                }
                self.set_playing(false, out);
            }
            Err(e) => self.load_error = Some(e.to_string()),
        }
    }

    /// Applies a learner's action now (recorded in the scenario at this virtual time).
    fn apply(&mut self, origin: Origin, action: ksim::Action, out: &mut Outcome) {
        if self.readonly {
            return;
        }
        self.error = match self.timeline.apply(action) {
            Ok(()) => None,
            Err(error) => Some(FormError { origin, error }),
        };
        out.refresh = true;
        // While playing, the link and the code export (encoding and generating the whole
        // scenario) wait for the pause: a learner clicking poll() or produce() while it plays
        // gets the next frame, not a stall.
        if self.playing {
            self.link_stale = true;
        } else {
            self.sync_link(out);
        }
    }

    /// See [`Action::SetSerializer`]. An Avro schema the scenario does not have yet is added as
    /// `<record name>` (or `<record name>_2`, …: names are unique) and the session replays with it,
    /// so the core validates it (its message appears at the form); the switch itself is an
    /// action at the current time, as a program builds a new serializer mid-run.
    fn set_serializer(
        &mut self,
        topic: String,
        format: ksim::SerdeFormat,
        schema_text: String,
        out: &mut Outcome,
    ) {
        if self.readonly {
            return;
        }
        let origin = Origin::Serializer;
        let mut value_schema = None;
        if format == ksim::SerdeFormat::Avro {
            let known = self
                .sim()
                .scenario()
                .schemas
                .iter()
                .find(|s| s.schema.trim() == schema_text.trim())
                .map(|s| s.name.clone());
            let name = match known {
                Some(name) => name,
                None => {
                    let mut scenario = self.sim().scenario().clone();
                    let base = schema_name(&schema_text);
                    let mut name = base.clone();
                    let mut n = 2;
                    while scenario.schemas.iter().any(|s| s.name == name) {
                        name = format!("{base}_{n}");
                        n += 1;
                    }
                    scenario.schemas.push(ksim::SchemaSpec {
                        name: name.clone(),
                        schema: schema_text,
                    });
                    self.rebuild(origin.clone(), scenario, out);
                    if self.error.is_some() {
                        return;
                    }
                    name
                }
            };
            value_schema = Some(name);
        }
        self.apply(
            origin,
            ksim::Action::SetSerializer(ksim::TopicSerializers {
                topic,
                value_format: format,
                value_schema,
                ..Default::default()
            }),
            out,
        );
    }

    /// Replays the session with a changed scenario (another client profile, broker count or
    /// cluster setting) up to the current virtual time. On an error nothing changes and the error is shown.
    fn rebuild(&mut self, origin: Origin, scenario: Scenario, out: &mut Outcome) {
        match Timeline::from_scenario(scenario, self.sim().now_us()) {
            Ok(t) => {
                self.timeline = t;
                self.error = None;
                out.new_timeline = true;
            }
            Err(error) => self.error = Some(FormError { origin, error }),
        }
        out.refresh = true;
        self.sync_link(out);
    }
}

/// A name for a schema the learner typed: its record's `name` (letters, digits, `_`), else
/// `schema`.
fn schema_name(text: &str) -> String {
    let name = match kavro::Schema::parse(text) {
        Ok(schema) => match &schema.root {
            kavro::schema::Node::Named(id) => schema.named(*id).name.unqualified().to_string(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    };
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .take(48)
        .collect();
    if clean.is_empty() {
        "schema".into()
    } else {
        clean.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event_index::LogMark;
    use crate::records::DecodeCache;
    use crate::slots::{Drawing, Slots};

    fn produce(key: &str) -> Action {
        Action::Act(ksim::Action::Produce {
            topic: "payments".into(),
            key: Some(key.into()),
            value: Some("Made a payment of $200 to Bob".into()),
            headers: Vec::new(),
            partition: None,
            timestamp_ms: None,
        })
    }

    fn fresh() -> Session {
        let mut s = Session::start("", None, false).session;
        s.reduce(Action::Refresh);
        s
    }

    /// The page as the app drives it: the session and the slots the panels show.
    struct Page {
        session: Session,
        slots: Slots,
        cache: DecodeCache,
    }

    impl Page {
        fn new(session: Session) -> Page {
            let slots = Slots::new(Rc::new(session.sim().view()), false);
            let mut page = Page {
                session,
                slots,
                cache: DecodeCache::default(),
            };
            page.act(Action::Refresh);
            page
        }

        /// Reduces an action and carries out its outcome as `App` does.
        fn act(&mut self, action: Action) -> Outcome {
            let out = self.session.reduce(action);
            if out.new_scenario {
                self.slots.start_over();
            }
            let sim = &self.session.timeline.sim;
            let drawing = Drawing {
                log: sim.log(),
                narrow: false,
            };
            if out.playback == Some(false) && self.slots.round_open() {
                self.slots.publish_all(drawing);
            }
            if out.refresh {
                let view = sim.view();
                let logs = self.cache.partition_logs(sim, &view);
                self.slots.take(view, logs, None, LogMark::of(sim));
                self.slots.show(self.session.playing, drawing);
            }
            out
        }

        /// Whether the panels show the newest snapshot.
        fn panels_current(&self) -> bool {
            let v = &self.slots.latest.view;
            Rc::ptr_eq(&self.slots.shown.producer.0, v)
                && Rc::ptr_eq(&self.slots.shown.reports.0, v)
                && Rc::ptr_eq(&self.slots.shown.cluster.0, v)
                && self.slots.shown.log == LogMark::of(self.session.sim())
                && self.slots.shown.logs.len() == self.slots.latest.logs.len()
        }
    }

    #[test]
    fn an_action_while_paused_is_recorded_and_shown_in_every_panel_with_its_link() {
        let mut page = Page::new(fresh());
        let before = page.session.fragment.clone();
        let out = page.act(produce("Alice"));
        assert_eq!(page.session.sim().scenario().actions.len(), 1);
        assert!(out.refresh && out.write_link);
        assert!(page.panels_current());
        assert!(!page.slots.round_open());
        // The link and the code export hold the new action.
        assert_ne!(page.session.fragment, before);
        assert_eq!(page.session.scenario.actions.len(), 1);
        let decoded = kshare::decode_link(&page.session.fragment).unwrap();
        assert_eq!(decoded.scenario, *page.session.sim().scenario());
    }

    #[test]
    fn an_action_while_playing_waits_for_the_pause_to_update_the_link() {
        let mut page = Page::new(fresh());
        assert_eq!(page.act(Action::Play).playback, Some(true));
        let before = page.session.fragment.clone();
        let out = page.act(produce("Alice"));
        assert!(out.refresh && !out.write_link);
        assert_eq!(page.session.fragment, before);
        // Published in the next frames' slots, not at once.
        assert!(page.slots.round_open());
        assert!(!page.panels_current());
        let out = page.act(Action::Pause);
        assert!(out.write_link);
        assert_eq!(page.session.scenario.actions.len(), 1);
        assert_ne!(page.session.fragment, before);
        assert!(page.panels_current(), "a paused page shows one moment");
    }

    #[test]
    fn a_lesson_reset_restores_the_lessons_scenario() {
        let lesson = kshare::lessons::all()[0];
        let mut page = Page::new(fresh());
        page.act(Action::SelectLesson(Some(lesson.id.into())));
        assert_eq!(page.session.lesson, Some(lesson.id));
        page.act(Action::TryLesson);
        page.act(Action::Control(Control::Seek(u64::MAX)));
        assert_ne!(*page.session.sim().scenario(), lesson.scenario());
        page.act(Action::Control(Control::Reset));
        assert_eq!(page.session.lesson, Some(lesson.id));
        assert_eq!(*page.session.sim().scenario(), lesson.scenario());
        assert_eq!(page.session.sim().now_us(), 0);
        assert!(page.panels_current());
        // Outside a lesson, Reset opens the default scenario.
        page.act(Action::SelectLesson(None));
        page.act(produce("Alice"));
        page.act(Action::Control(Control::Reset));
        assert_eq!(*page.session.sim().scenario(), default_scenario());
    }

    #[test]
    fn a_bad_link_leaves_the_scenario_open_and_says_why() {
        let mut page = Page::new(fresh());
        page.act(produce("Alice"));
        let scenario = page.session.sim().scenario().clone();
        let fragment = page.session.fragment.clone();
        let out = page.act(Action::FragmentChanged("s=1.not-a-link".into()));
        assert!(page.session.load_error.is_some());
        assert_eq!(*page.session.sim().scenario(), scenario);
        assert_eq!(page.session.fragment, fragment);
        assert!(!out.write_link && !out.new_timeline);
        // A good link opens, paused, and clears the banner.
        let mut other = default_scenario();
        other.seed = scenario.seed.wrapping_add(1);
        let link = kshare::encode_link(
            &other,
            &UiState {
                time_ms: 0.0,
                panel: None,
                lesson: None,
                ..Default::default()
            },
        );
        page.act(Action::Play);
        let out = page.act(Action::LoadLink(link));
        assert_eq!(out.playback, Some(false));
        assert!(out.new_scenario);
        assert_eq!(page.session.load_error, None);
        assert_eq!(*page.session.sim().scenario(), other);
        assert!(page.panels_current());
    }

    #[test]
    fn our_own_fragment_is_not_a_new_link() {
        let mut s = fresh();
        s.reduce(produce("Alice"));
        let own = s.fragment.clone();
        assert_eq!(s.reduce(Action::FragmentChanged(own)), Outcome::default());
        assert_eq!(s.sim().scenario().actions.len(), 1);
    }

    #[test]
    fn a_bad_link_at_start_opens_the_default_scenario_with_a_banner() {
        let start = Session::start("s=1.####", Some("batching"), false);
        assert!(!start.at_linked_moment);
        let s = start.session;
        assert!(s
            .load_error
            .as_deref()
            .unwrap()
            .ends_with("The default scenario is open instead."));
        assert_eq!(*s.sim().scenario(), default_scenario());
        assert_eq!(s.lesson, None);
        // Without a link, `?lesson=` opens the lesson.
        let s = Session::start("", Some("batching"), false).session;
        assert_eq!(s.lesson, Some("batching"));
        assert_eq!(s.load_error, None);
    }

    #[test]
    fn a_link_to_a_moment_opens_there() {
        let mut s = fresh();
        s.reduce(produce("Alice"));
        s.reduce(Action::Control(Control::Seek(u64::MAX)));
        s.timeline.forward_to(30_000);
        s.reduce(Action::SyncLink);
        let start = Session::start(&s.fragment, None, false);
        assert!(start.at_linked_moment);
        assert_eq!(start.session.sim().now_us(), 30_000);
        assert_eq!(start.session.sim().scenario(), s.sim().scenario());
    }

    #[test]
    fn a_failing_action_marks_its_form_and_the_next_good_one_clears_it() {
        let mut s = fresh();
        s.reduce(Action::SetConfig {
            name: "linger.ms".into(),
            value: "not a number".into(),
        });
        let (name, _) = s.setting_error().expect("a setting error");
        assert_eq!(name, "linger.ms");
        assert_eq!(s.error_for(&Origin::Produce), None);
        s.reduce(produce("Alice"));
        assert_eq!(s.error, None);
        s.reduce(Action::CreateTopic(TopicSpec {
            name: "payments".into(),
            partitions: 1,
            replication_factor: 1,
            ..Default::default()
        }));
        assert!(s.error_for(&Origin::Topic).is_some(), "the topic exists");
    }

    #[test]
    fn a_read_only_page_ignores_the_learners_actions() {
        let mut s = Session::start("", None, true).session;
        assert_eq!(s.reduce(produce("Alice")), Outcome::default());
        assert!(s.sim().scenario().actions.is_empty());
    }

    #[test]
    fn stepping_pauses_and_next_report_stops_at_a_report() {
        let mut s = fresh();
        s.reduce(produce("Alice"));
        s.reduce(Action::Play);
        let out = s.reduce(Action::Control(Control::NextReport));
        assert_eq!(out.playback, Some(false));
        assert!(!s.playing && out.write_link);
        // It stopped at the moment of the first report.
        let report = s
            .sim()
            .log()
            .iter()
            .find(|e| matches!(e.event, ksim::LogEvent::DeliveryReport { .. }))
            .expect("a report");
        assert_eq!(report.time_us, s.sim().now_us());
        // Back one event goes to the previous moment in the log.
        let now = s.sim().now_us();
        s.reduce(Action::Control(Control::StepBack));
        assert!(s.sim().now_us() < now);
    }

    #[test]
    fn back_one_event_goes_to_the_previous_moment_even_when_its_entries_were_dropped() {
        let mut scenario = default_scenario();
        scenario.log.max_entries = 2;
        let mut s = fresh();
        s.timeline = Timeline::from_scenario(scenario, 0).unwrap();
        s.reduce(produce("Alice"));
        s.reduce(produce("Bob"));
        s.timeline.forward_to(40_000);
        // Every moment something was logged at, from a run that keeps its whole log.
        let mut full = s.sim().scenario().clone();
        full.log.max_entries = 1_000_000;
        let mut reference = Simulation::new(full).unwrap();
        reference.run_until(40_000);
        let mut moments: Vec<u64> = reference.log().iter().map(|e| e.time_us).collect();
        moments.dedup();
        let mut backs = 0;
        while let Some(&previous) = moments.iter().rev().find(|&&t| t < s.sim().now_us()) {
            s.reduce(Action::Control(Control::StepBack));
            assert_eq!(s.sim().now_us(), previous, "after {backs} steps back");
            backs += 1;
        }
        assert!(backs > 5, "{backs} moments");
    }

    fn set_cluster(s: &mut Session, name: &str, value: &str) -> Outcome {
        s.reduce(Action::SetCluster {
            name: name.into(),
            value: value.into(),
        })
    }

    #[test]
    fn a_cluster_setting_replays_the_session_and_bad_input_says_why_at_the_field() {
        let mut s = fresh();
        s.reduce(produce("Alice"));
        s.reduce(Action::Control(Control::Seek(u64::MAX)));
        s.timeline.forward_to(20_000);
        let defaults = ClusterSpec::default();
        for name in CLUSTER_SETTINGS {
            assert!(cluster_setting(&defaults, name).is_some(), "{name}");
        }
        assert_eq!(
            cluster_setting(&defaults, "log.retention.check.interval.ms").as_deref(),
            Some("300000")
        );
        for (name, value) in [
            ("record_bytes_budget_mb", "256"),
            ("log.retention.check.interval.ms", "10000"),
            ("auto.create.topics.enable", "false"),
            ("num.partitions", "4"),
            ("default.replication.factor", "2"),
        ] {
            let out = set_cluster(&mut s, name, &format!(" {value} "));
            assert!(
                out.new_timeline && !out.new_scenario && out.write_link,
                "{name}"
            );
            assert_eq!(s.error, None, "{name}");
            assert_eq!(s.sim().now_us(), 20_000, "replayed to the same moment");
            assert_eq!(s.sim().scenario().actions.len(), 1);
            assert_eq!(
                cluster_setting(&s.sim().scenario().cluster, name).as_deref(),
                Some(value)
            );
        }
        let c = &s.sim().scenario().cluster;
        assert_eq!(
            (
                c.record_bytes_budget_mb,
                c.num_partitions,
                c.auto_create_topics_enable
            ),
            (256, 4, false)
        );
        let link = kshare::decode_link(&s.fragment).unwrap();
        assert_eq!(link.scenario.cluster, *c, "the link carries the cluster");

        // Text that is no number, and numbers the core refuses: the error names the field, and
        // nothing changes.
        let before = s.sim().scenario().clone();
        for (name, value, says) in [
            (
                "record_bytes_budget_mb",
                "lots",
                "record_bytes_budget_mb must be a whole number of MiB, got “lots”",
            ),
            (
                "record_bytes_budget_mb",
                "0",
                "cluster.record_bytes_budget_mb must be 1..=4096, got 0",
            ),
            (
                "record_bytes_budget_mb",
                "5000",
                "cluster.record_bytes_budget_mb must be 1..=4096, got 5000",
            ),
            (
                "log.retention.check.interval.ms",
                "-5",
                "log.retention.check.interval.ms must be a whole number of milliseconds, got “-5”",
            ),
            (
                "log.retention.check.interval.ms",
                "0",
                "cluster.log_retention_check_interval_ms must be 1..=",
            ),
            (
                "auto.create.topics.enable",
                "yes",
                "auto.create.topics.enable must be true or false, got “yes”",
            ),
            (
                "num.partitions",
                "0",
                "cluster.num_partitions (num.partitions) must be 1..=256, got 0",
            ),
            (
                "default.replication.factor",
                "1.5",
                "default.replication.factor must be a whole number, got “1.5”",
            ),
        ] {
            let out = set_cluster(&mut s, name, value);
            assert!(!out.new_timeline, "{name}={value}");
            let (origin, error) = s.setting_error().expect("an error");
            assert_eq!(origin, format!("cluster:{name}"));
            let SimError::InvalidScenario(text) = error else {
                panic!("{error:?}");
            };
            assert!(text.starts_with(says), "{name}={value}: {text}");
            assert_eq!(
                *s.sim().scenario(),
                before,
                "{name}={value} changed nothing"
            );
        }
    }

    #[test]
    fn raising_the_budget_replays_to_the_same_moment_and_plays_on_past_the_pause() {
        use crate::components::budget_banner::budget_pause;
        let mut s = crate::components::budget_banner::tests::paused_session();
        let paused_at = s.sim().now_us();
        set_cluster(&mut s, "record_bytes_budget_mb", "64");
        assert_eq!(s.error, None);
        assert_eq!(s.sim().now_us(), paused_at, "replayed to the moment shown");
        assert!(budget_pause(s.sim(), true).is_none());
        s.timeline.forward_to(paused_at + 500_000);
        assert_eq!(
            s.sim().stopped_by_limit(),
            None,
            "64 MiB holds what 1 MiB could not"
        );
        assert_eq!(s.sim().now_us(), paused_at + 500_000);
        // Back to 1 MiB: the replay reaches the same moment, and playing on pauses again.
        set_cluster(&mut s, "record_bytes_budget_mb", "1");
        s.timeline.forward_to(s.sim().now_us() + 500_000);
        assert!(budget_pause(s.sim(), true).is_some());
        assert!(s.sim().now_us() < paused_at + 500_000);
    }

    #[test]
    fn another_broker_count_replays_the_session_and_a_bad_one_changes_nothing() {
        let mut s = fresh();
        s.reduce(produce("Alice"));
        s.reduce(Action::Control(Control::Seek(u64::MAX)));
        s.timeline.forward_to(20_000);
        let out = s.reduce(Action::SetBrokers(4));
        assert!(out.new_timeline && !out.new_scenario);
        assert_eq!(s.sim().scenario().cluster.brokers, 4);
        assert_eq!(s.sim().now_us(), 20_000);
        assert_eq!(s.sim().scenario().actions.len(), 1);
        let out = s.reduce(Action::SetBrokers(0));
        assert!(!out.new_timeline);
        assert_eq!(s.sim().scenario().cluster.brokers, 4);
        assert!(s.error_for(&Origin::Other).is_some());
    }

    #[test]
    fn a_comparison_that_ran_goes_in_the_link_and_a_link_with_one_opens_it() {
        let lesson = "acks-and-leader-crash";
        let mut s = Session::start("", Some(lesson), false).session;
        let sides = CompareSides {
            a: vec!["acks=1".into()],
            b: vec!["acks=all".into()],
        };
        let out = s.reduce(Action::RanComparison(sides.clone()));
        assert!(out.write_link && !out.refresh, "only the link changes");
        let d = kshare::decode_link(&s.fragment).unwrap();
        assert_eq!(d.ui_state.compare.as_ref(), Some(&sides));
        // Opening that link fills the comparison and asks the panel to run it.
        let start = Session::start(&s.fragment, None, false).session;
        assert_eq!(start.variants.compare.as_ref(), Some(&sides));
        assert_eq!(start.variants.opened, 1);
        assert_eq!(start.lesson, Some(lesson));
        let mut other = Session::start("", None, false).session;
        other.reduce(Action::LoadLink(s.fragment.clone()));
        assert_eq!(other.variants.compare.as_ref(), Some(&sides));
        assert_eq!(other.variants.opened, 1);
        // Another lesson: the old comparison leaves the link.
        other.reduce(Action::SelectLesson(Some("batching".into())));
        assert_eq!(other.variants.compare, None);
        assert_eq!(
            kshare::decode_link(&other.fragment)
                .unwrap()
                .ui_state
                .compare,
            None
        );
    }

    #[test]
    fn the_serializer_form_adds_the_schema_once_and_switches_the_topic_to_avro() {
        let mut s = fresh();
        let v1 = r#"{"type": "record", "name": "Payment", "fields": [{"name": "id", "type": "string"}, {"name": "amount", "type": "double"}]}"#;
        s.reduce(Action::SetSerializer {
            topic: "payments".into(),
            format: ksim::SerdeFormat::Avro,
            schema_text: v1.into(),
        });
        assert_eq!(s.error, None);
        let sc = s.sim().scenario();
        assert_eq!(sc.schemas.len(), 1);
        assert_eq!(sc.schemas[0].name, "payment", "named for its record");
        let view = s.sim().view();
        assert_eq!(view.serializers.len(), 1);
        assert_eq!(view.serializers[0].value_format, ksim::SerdeFormat::Avro);
        assert_eq!(view.serializers[0].value_schema.as_deref(), Some("payment"));
        // The same schema again is not added twice; JSON needs no schema.
        s.reduce(Action::SetSerializer {
            topic: "payments".into(),
            format: ksim::SerdeFormat::Avro,
            schema_text: format!("  {v1}\n"),
        });
        s.reduce(Action::SetSerializer {
            topic: "payments".into(),
            format: ksim::SerdeFormat::Json,
            schema_text: String::new(),
        });
        assert_eq!(s.sim().scenario().schemas.len(), 1);
        assert_eq!(
            s.sim().view().serializers[0].value_format,
            ksim::SerdeFormat::Json
        );
        // A schema that is not Avro: the core's message at the form, and nothing changes.
        let before = s.sim().scenario().clone();
        s.reduce(Action::SetSerializer {
            topic: "payments".into(),
            format: ksim::SerdeFormat::Avro,
            schema_text: r#"{"type": "record", "name": "Bad", "fields": [{"name": "x", "type": "decimal128"}]}"#.into(),
        });
        let err = s
            .error_for(&Origin::Serializer)
            .expect("refused at the form");
        assert!(err.to_string().contains("decimal128"), "{err}");
        assert_eq!(s.sim().scenario(), &before);
    }
}
