//! Variants of a scenario: the same scenario and seed with some producer settings changed, run
//! to the end and summed up as an [`Outcome`]. A **comparison** runs two variants ("Run both
//! ways", `kplay compare`) and says their differences in words; a **sweep** runs one setting over
//! a list of values (`kplay sweep`, the UI's trade-off curves).
//!
//! A setting is `NAME=VALUE` with a producer configuration name of the scenario's client
//! (librdkafka 2.3 or Java 3.6, aliases included: `linger.ms`, `batch.size`,
//! `batch.num.messages`, `compression.type`, `acks`, `max.in.flight`, `enable.idempotence`, …),
//! validated as the client validates its configuration (`crate::config`), or one of the
//! pseudo-settings `profile=librdkafka|java`, `mode=async|sync|no-poll` (how the loops call the
//! client) and `value.serializer=string|json|avro` (the same events through another value
//! serializer: `crate::variant_serializer`).
//! A variant's value holds for the whole run: it replaces the setting at creation (under any of
//! its names) and the scenario's own `set_producer_config` actions for it are left out (each
//! one is named in [`PreparedVariant::notes`]).
//!
//! # Bounds
//! - [`MAX_SWEEP_VALUES`] (12) values per sweep: a plot stays readable, and 12 runs of the
//!   largest scenario stay within seconds;
//! - [`MAX_SETTINGS_PER_VARIANT`] (8) settings per variant side;
//! - [`MAX_RECORDS_PER_RUN`] (1,000,000) records a scenario's actions may produce: at the
//!   simulation's ~1.8 M records/s in wasm (BENCHMARKS.md) one run takes about half a second, a
//!   full sweep a few seconds, and the outcome's memory (one bit per message, one entry per key)
//!   stays a few MB;
//! - [`MAX_EVENTS_PER_RUN`] (50,000,000) events per run, beside the scenario's own limits: a run
//!   that has not settled by then stops, and its outcome says so.
//!
//! Bad input (an unknown setting, an invalid value, too many values or records) is a
//! [`VariantError`] naming it, and nothing runs.

use crate::config::{canonical_name, ProducerSettings};
use crate::error::SimError;
use crate::outcome::{Outcome, OutcomeScan};
use crate::scenario::{Action, ClientProfile, ProduceMode, Scenario};
use crate::sim::{Simulation, StopReason};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Most values one sweep runs.
pub const MAX_SWEEP_VALUES: usize = 12;
/// Most settings one side of a comparison changes.
pub const MAX_SETTINGS_PER_VARIANT: usize = 8;
/// Most records a variant's scenario may produce (`produce` actions and `produce_many` counts).
pub const MAX_RECORDS_PER_RUN: u64 = 1_000_000;
/// Most events one variant run processes.
pub const MAX_EVENTS_PER_RUN: u64 = 50_000_000;

/// The pseudo-setting that picks the client profile.
pub const PROFILE_SETTING: &str = "profile";
/// Not a client setting: how the application's `produce_many` loops call the client —
/// `async` (`produce(); poll(0)` per event), `sync` (`produce(); flush()` per event, the
/// lecture's synchronous producer) or `no-poll`. It sets every loop of the scenario, so "Run
/// both ways" can show the lecture's synchronous vs asynchronous contrast on one scenario.
pub const MODE_SETTING: &str = "mode";

pub use crate::variant_serializer::SERIALIZER_SETTING;

/// One `NAME=VALUE`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setting {
    pub name: String,
    pub value: String,
}

impl fmt::Display for Setting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

impl Setting {
    /// Parses `NAME=VALUE` (spaces around either are trimmed).
    pub fn parse(text: &str) -> Result<Setting, VariantError> {
        let (name, value) = text
            .split_once('=')
            .ok_or_else(|| VariantError::Syntax(text.to_string()))?;
        let (name, value) = (name.trim(), value.trim());
        if name.is_empty() || value.is_empty() {
            return Err(VariantError::Syntax(text.to_string()));
        }
        Ok(Setting {
            name: name.into(),
            value: value.into(),
        })
    }
}

/// The settings one side changes (none: the scenario as it is).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Variant {
    pub settings: Vec<Setting>,
}

impl Variant {
    /// The variant of `NAME=VALUE` texts.
    pub fn parse<'a>(texts: impl IntoIterator<Item = &'a str>) -> Result<Variant, VariantError> {
        let settings = texts
            .into_iter()
            .map(Setting::parse)
            .collect::<Result<Vec<_>, _>>()?;
        if settings.len() > MAX_SETTINGS_PER_VARIANT {
            return Err(VariantError::TooManySettings {
                given: settings.len(),
                max: MAX_SETTINGS_PER_VARIANT,
            });
        }
        Ok(Variant { settings })
    }

    /// `acks=1, linger.ms=5`, or "as the scenario" for no settings.
    pub fn label(&self) -> String {
        if self.settings.is_empty() {
            return "as the scenario".into();
        }
        let parts: Vec<String> = self.settings.iter().map(Setting::to_string).collect();
        parts.join(", ")
    }
}

/// One setting over a list of values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sweep {
    pub name: String,
    pub values: Vec<String>,
}

impl Sweep {
    /// Parses `NAME=v1,v2,…` (at most [`MAX_SWEEP_VALUES`] values).
    pub fn parse(text: &str) -> Result<Sweep, VariantError> {
        let s = Setting::parse(text)?;
        Sweep::new(&s.name, s.value.split(','))
    }

    pub fn new<'a>(
        name: &str,
        values: impl IntoIterator<Item = &'a str>,
    ) -> Result<Sweep, VariantError> {
        let values: Vec<String> = values.into_iter().map(|v| v.trim().to_string()).collect();
        if values.iter().any(String::is_empty) || values.is_empty() {
            return Err(VariantError::EmptyValue {
                name: name.to_string(),
            });
        }
        if values.len() > MAX_SWEEP_VALUES {
            return Err(VariantError::TooManyValues {
                name: name.to_string(),
                given: values.len(),
                max: MAX_SWEEP_VALUES,
            });
        }
        Ok(Sweep {
            name: name.trim().to_string(),
            values,
        })
    }

    /// The variant of value `i`.
    pub fn variant(&self, i: usize) -> Variant {
        Variant {
            settings: vec![Setting {
                name: self.name.clone(),
                value: self.values[i].clone(),
            }],
        }
    }
}

/// Why a variant cannot run (nothing ran).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariantError {
    /// Not `NAME=VALUE`.
    Syntax(String),
    /// A sweep value or a setting's value is empty.
    EmptyValue {
        name: String,
    },
    /// The scenario's client has no setting of this name.
    UnknownSetting {
        name: String,
        profile: ClientProfile,
    },
    /// The client refuses the value (its own message).
    InvalidValue {
        name: String,
        value: String,
        message: String,
    },
    /// The settings together make a configuration the client refuses (its own message).
    Conflict {
        variant: String,
        message: String,
    },
    TooManyValues {
        name: String,
        given: usize,
        max: usize,
    },
    TooManySettings {
        given: usize,
        max: usize,
    },
    TooManyRecords {
        records: u64,
        max: u64,
    },
    /// The scenario itself does not run.
    Scenario(SimError),
}

impl fmt::Display for VariantError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VariantError::Syntax(t) => write!(f, "expected NAME=VALUE, got {t:?}"),
            VariantError::EmptyValue { name } => write!(f, "{name}: a value is empty"),
            VariantError::UnknownSetting { name, profile } => write!(
                f,
                "unknown setting {name:?}: the {} producer has no setting of that name",
                profile_name(*profile)
            ),
            VariantError::InvalidValue {
                name,
                value,
                message,
            } => write!(f, "{name}={value} is not valid: {message}"),
            VariantError::Conflict { variant, message } => {
                write!(
                    f,
                    "{variant}: the client refuses this configuration: {message}"
                )
            }
            VariantError::TooManyValues { name, given, max } => {
                write!(f, "{name}: {given} values, at most {max} per sweep")
            }
            VariantError::TooManySettings { given, max } => {
                write!(f, "{given} settings, at most {max} per side")
            }
            VariantError::TooManyRecords { records, max } => write!(
                f,
                "the scenario produces {records} records, at most {max} per variant run"
            ),
            VariantError::Scenario(e) => write!(f, "the scenario does not run: {e}"),
        }
    }
}

impl std::error::Error for VariantError {}

fn profile_name(p: ClientProfile) -> &'static str {
    match p {
        ClientProfile::Librdkafka => "librdkafka 2.3",
        ClientProfile::Java => "Java 3.6",
    }
}

/// The canonical name of a setting for `profile`; `max.in.flight` is accepted for both clients.
fn setting_canonical(profile: ClientProfile, name: &str) -> Option<&'static str> {
    let alias = match (profile, name) {
        (ClientProfile::Java, "max.in.flight") => Some("max.in.flight.requests.per.connection"),
        _ => None,
    };
    canonical_name(profile, name).or(alias)
}

/// The name a setting is written under in the scenario for `profile`.
fn setting_written_name(profile: ClientProfile, name: &str) -> String {
    match (profile, name) {
        (ClientProfile::Java, "max.in.flight") => "max.in.flight.requests.per.connection".into(),
        _ => name.into(),
    }
}

/// Records the scenario's actions produce.
pub fn records_produced_by(scenario: &Scenario) -> u64 {
    scenario
        .actions
        .iter()
        .map(|a| match &a.action {
            Action::Produce { .. } => 1,
            Action::ProduceMany { count, .. } => *count,
            _ => 0,
        })
        .fold(0u64, u64::saturating_add)
}

/// A variant ready to run: its scenario, label and what applying it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedVariant {
    pub label: String,
    pub variant: Variant,
    pub scenario: Scenario,
    /// What applying the variant left out of the scenario (its own actions for the same setting).
    pub notes: Vec<String>,
}

/// Applies `variant` to `scenario`, validating each setting and the result as the client does.
pub fn prepare(scenario: &Scenario, variant: &Variant) -> Result<PreparedVariant, VariantError> {
    if variant.settings.len() > MAX_SETTINGS_PER_VARIANT {
        return Err(VariantError::TooManySettings {
            given: variant.settings.len(),
            max: MAX_SETTINGS_PER_VARIANT,
        });
    }
    let records = records_produced_by(scenario);
    if records > MAX_RECORDS_PER_RUN {
        return Err(VariantError::TooManyRecords {
            records,
            max: MAX_RECORDS_PER_RUN,
        });
    }
    let mut sc = scenario.clone();
    let mut notes = Vec::new();
    // The profile first: the other names are that client's.
    for s in variant
        .settings
        .iter()
        .filter(|s| s.name == PROFILE_SETTING)
    {
        sc.producer.profile = match s.value.to_ascii_lowercase().as_str() {
            "librdkafka" => ClientProfile::Librdkafka,
            "java" => ClientProfile::Java,
            _ => {
                return Err(VariantError::InvalidValue {
                    name: s.name.clone(),
                    value: s.value.clone(),
                    message: "the profile is librdkafka or java".into(),
                })
            }
        };
    }
    for s in variant.settings.iter().filter(|s| s.name == MODE_SETTING) {
        let mode = match s.value.to_ascii_lowercase().as_str() {
            "async" => ProduceMode::Async,
            "sync" => ProduceMode::Sync,
            "no-poll" | "no_poll" => ProduceMode::NoPoll,
            _ => {
                return Err(VariantError::InvalidValue {
                    name: s.name.clone(),
                    value: s.value.clone(),
                    message: "the mode is async, sync or no-poll".into(),
                })
            }
        };
        let mut loops = 0;
        for a in &mut sc.actions {
            if let Action::ProduceMany { mode: m, .. } = &mut a.action {
                *m = mode;
                loops += 1;
            }
        }
        if loops == 0 {
            notes.push(format!(
                "{s} changes nothing here: the scenario has no produce_many loop"
            ));
        }
    }
    for s in variant
        .settings
        .iter()
        .filter(|s| s.name == SERIALIZER_SETTING)
    {
        crate::variant_serializer::apply(&mut sc, s, &mut notes)?;
    }
    let profile = sc.producer.profile;
    for s in variant.settings.iter().filter(|s| {
        s.name != PROFILE_SETTING && s.name != MODE_SETTING && s.name != SERIALIZER_SETTING
    }) {
        let canonical =
            setting_canonical(profile, &s.name).ok_or_else(|| VariantError::UnknownSetting {
                name: s.name.clone(),
                profile,
            })?;
        let written = setting_written_name(profile, &s.name);
        // The value alone, as the client checks it.
        let mut alone = sc.producer.clone();
        alone.config.clear();
        alone.config.insert(written.clone(), s.value.clone());
        if let Err(e) = ProducerSettings::from_spec(&alone) {
            return Err(VariantError::InvalidValue {
                name: s.name.clone(),
                value: s.value.clone(),
                message: e.to_string(),
            });
        }
        sc.producer
            .config
            .retain(|k, _| setting_canonical(profile, k) != Some(canonical));
        sc.producer.config.insert(written, s.value.clone());
        let before = sc.actions.len();
        let mut left_out = Vec::new();
        sc.actions.retain(|a| match &a.action {
            Action::SetProducerConfig { name, value }
                if setting_canonical(profile, name) == Some(canonical) =>
            {
                left_out.push(format!(
                    "left out the scenario's set_producer_config {name}={value} at {} ms, so {s} holds for the whole run",
                    a.at_ms
                ));
                false
            }
            _ => true,
        });
        debug_assert_eq!(before - sc.actions.len(), left_out.len());
        notes.extend(left_out);
    }
    if let Err(e) = ProducerSettings::from_spec(&sc.producer) {
        return Err(VariantError::Conflict {
            variant: variant.label(),
            message: e.to_string(),
        });
    }
    Ok(PreparedVariant {
        label: variant.label(),
        variant: variant.clone(),
        scenario: sc,
        notes,
    })
}

/// One finished variant run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VariantRun {
    pub label: String,
    pub variant: Variant,
    /// How the run ended: `idle` (everything settled) or the limit that stopped it.
    pub stopped: StopReason,
    pub events: u64,
    pub outcome: Outcome,
    pub notes: Vec<String>,
}

/// Runs a prepared variant a piece at a time (the UI spreads a run over frames), then takes
/// its outcome in pieces too (the pass over the committed logs decodes every batch).
#[derive(Debug, Clone)]
pub struct VariantRunner {
    prepared: PreparedVariant,
    sim: Simulation,
    events: u64,
    stopped: Option<StopReason>,
    scan: OutcomeScan,
}

/// Committed batches the outcome's pass reads per `max_events` of a piece: a batch decode
/// costs about as much as this many simulation events.
const EVENTS_PER_SCANNED_BATCH: u64 = 16;

impl VariantRunner {
    pub fn new(prepared: PreparedVariant) -> Result<VariantRunner, VariantError> {
        let sim = Simulation::new(prepared.scenario.clone()).map_err(VariantError::Scenario)?;
        Ok(VariantRunner {
            prepared,
            sim,
            events: 0,
            stopped: None,
            scan: OutcomeScan::default(),
        })
    }

    /// Processes at most `max_events` more events, or the same amount of the outcome's pass once
    /// the run has stopped; whether the run and its outcome are complete.
    pub fn advance(&mut self, max_events: u64) -> bool {
        if self.stopped.is_none() {
            let budget = max_events.min(MAX_EVENTS_PER_RUN - self.events);
            let r = self.sim.run_until_idle(budget);
            self.events += r.events;
            match r.stopped {
                StopReason::EventBudget if self.events < MAX_EVENTS_PER_RUN => return false,
                other => self.stopped = Some(other),
            }
            return false;
        }
        if self.scan.is_done() {
            return true;
        }
        let batches = (max_events / EVENTS_PER_SCANNED_BATCH).max(1);
        self.sim.outcome_step(
            &mut self.scan,
            usize::try_from(batches).unwrap_or(usize::MAX),
        )
    }

    /// Events processed so far, and virtual time reached.
    pub fn events(&self) -> u64 {
        self.events
    }

    pub fn now_us(&self) -> u64 {
        self.sim.now_us()
    }

    /// The simulation as it is now.
    pub fn simulation(&self) -> &Simulation {
        &self.sim
    }

    /// The run's result (the numbers so far if it has not ended).
    pub fn result(&self) -> VariantRun {
        let mut notes = self.prepared.notes.clone();
        let stopped = self.stopped.unwrap_or(StopReason::EventBudget);
        if stopped != StopReason::Idle {
            notes.push(format!(
                "the run did not settle: it stopped after {} events at {:.1} ms ({}), so these are the numbers so far",
                self.events,
                self.sim.now_us() as f64 / 1000.0,
                stop_words(stopped)
            ));
        }
        VariantRun {
            label: self.prepared.label.clone(),
            variant: self.prepared.variant.clone(),
            stopped,
            events: self.events,
            outcome: if self.scan.is_done() {
                self.sim.outcome_of(&self.scan)
            } else {
                self.sim.outcome()
            },
            notes,
        }
    }
}

fn stop_words(s: StopReason) -> &'static str {
    match s {
        StopReason::ReachedTime => "reached the requested time",
        StopReason::Idle => "settled",
        StopReason::EventBudget => "the variant run's event limit",
        StopReason::MaxEvents => "the scenario's limits.max_events",
        StopReason::MaxTime => "the scenario's limits.max_time_ms",
        StopReason::MemoryBudget => "the playground's memory budget",
    }
}

/// Prepares and runs one variant to its end.
pub fn run(scenario: &Scenario, variant: &Variant) -> Result<VariantRun, VariantError> {
    let mut r = VariantRunner::new(prepare(scenario, variant)?)?;
    r.advance(u64::MAX);
    Ok(r.result())
}

/// Two variants of one scenario and seed, and their differences in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: VariantRun,
    pub b: VariantRun,
    pub differences: Vec<Difference>,
}

/// One number that differs between the sides, said in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Difference {
    /// The [`Outcome`] field it is about (`records_lost`, `produce_requests`, …).
    pub metric: String,
    pub text: String,
}

/// Validates both variants (nothing runs if either is bad), then runs them.
pub fn compare(scenario: &Scenario, a: &Variant, b: &Variant) -> Result<Comparison, VariantError> {
    let (pa, pb) = (prepare(scenario, a)?, prepare(scenario, b)?);
    let (mut ra, mut rb) = (VariantRunner::new(pa)?, VariantRunner::new(pb)?);
    ra.advance(u64::MAX);
    rb.advance(u64::MAX);
    Ok(Comparison::of(ra.result(), rb.result()))
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn count_or_none(n: u64, one: &str, many: &str) -> String {
    if n == 0 {
        "none".into()
    } else {
        plural(n, one, many)
    }
}

/// Whether two measured values differ by more than half a percent (or one is missing).
fn differs(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => (x - y).abs() > 0.005 * x.abs().max(y.abs()),
        (None, None) => false,
        _ => true,
    }
}

fn ms_text(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x:.2} ms"),
        None => "none (nothing acknowledged)".into(),
    }
}

/// Records per second in words: whole numbers from 100 up, more digits below.
pub fn rate_text(per_s: f64) -> String {
    if per_s >= 100.0 {
        format!("{per_s:.0} records/s")
    } else if per_s >= 1.0 {
        format!("{per_s:.1} records/s")
    } else {
        format!("{per_s:.3} records/s")
    }
}

/// Bytes in words: `812 B`, `3.4 KB`, `1.20 MB` (decimal units).
pub fn bytes_text(n: u64) -> String {
    match n {
        0..=999 => format!("{n} B"),
        1000..=999_999 => format!("{:.1} KB", n as f64 / 1e3),
        _ => format!("{:.2} MB", n as f64 / 1e6),
    }
}

impl Comparison {
    /// The comparison of two finished runs.
    pub fn of(a: VariantRun, b: VariantRun) -> Comparison {
        let differences = differences(&a, &b);
        Comparison { a, b, differences }
    }
}

fn differences(a: &VariantRun, b: &VariantRun) -> Vec<Difference> {
    let (x, y) = (&a.outcome, &b.outcome);
    let (la, lb) = (&a.label, &b.label);
    let mut out = Vec::new();
    let mut push = |metric: &str, text: String| {
        out.push(Difference {
            metric: metric.into(),
            text,
        })
    };
    if x.records_lost != y.records_lost {
        push(
            "records_lost",
            format!(
                "{la} lost {}; {lb} lost {}.",
                count_or_none(
                    x.records_lost,
                    "acknowledged record",
                    "acknowledged records"
                ),
                count_or_none(
                    y.records_lost,
                    "acknowledged record",
                    "acknowledged records"
                ),
            ),
        );
    }
    if x.records_duplicated != y.records_duplicated {
        push(
            "records_duplicated",
            format!(
                "{la} left {} in the log; {lb} {}.",
                count_or_none(
                    x.records_duplicated,
                    "duplicate record",
                    "duplicate records"
                ),
                count_or_none(y.records_duplicated, "duplicate", "duplicates"),
            ),
        );
    }
    if x.records_out_of_order != y.records_out_of_order {
        push(
            "records_out_of_order",
            format!(
                "{la} put {} out of order for their key; {lb} {}.",
                count_or_none(x.records_out_of_order, "record", "records"),
                count_or_none(y.records_out_of_order, "record", "records"),
            ),
        );
    }
    if x.records_acknowledged != y.records_acknowledged {
        push(
            "records_acknowledged",
            format!(
                "{la} had {} acknowledged; {lb} {}.",
                plural(x.records_acknowledged, "record", "records"),
                y.records_acknowledged
            ),
        );
    }
    if x.records_failed != y.records_failed {
        push(
            "records_failed",
            format!(
                "{la} reported {} as failed; {lb} {}.",
                count_or_none(x.records_failed, "record", "records"),
                count_or_none(y.records_failed, "record", "records"),
            ),
        );
    }
    if x.produce_requests != y.produce_requests {
        push(
            "produce_requests",
            format!(
                "{la} sent {}; {lb} {}.",
                plural(x.produce_requests, "ProduceRequest", "ProduceRequests"),
                y.produce_requests
            ),
        );
    }
    if differs(Some(x.wire_bytes as f64), Some(y.wire_bytes as f64)) {
        push(
            "wire_bytes",
            format!(
                "{la} put {} of ProduceRequests on the wire; {lb} {}.",
                bytes_text(x.wire_bytes),
                bytes_text(y.wire_bytes)
            ),
        );
    }
    if differs(Some(x.records_per_batch), Some(y.records_per_batch)) {
        push(
            "records_per_batch",
            format!(
                "{la} averaged {:.1} records per batch; {lb} {:.1}.",
                x.records_per_batch, y.records_per_batch
            ),
        );
    }
    if differs(x.latency_p50_ms, y.latency_p50_ms) {
        push(
            "latency_p50_ms",
            format!(
                "Median delivery latency: {la} {}, {lb} {}.",
                ms_text(x.latency_p50_ms),
                ms_text(y.latency_p50_ms)
            ),
        );
    }
    if differs(x.latency_p99_ms, y.latency_p99_ms) {
        push(
            "latency_p99_ms",
            format!(
                "99th percentile delivery latency: {la} {}, {lb} {}.",
                ms_text(x.latency_p99_ms),
                ms_text(y.latency_p99_ms)
            ),
        );
    }
    if differs(Some(x.records_per_s), Some(y.records_per_s)) {
        push(
            "records_per_s",
            format!(
                "Throughput: {la} {}, {lb} {}.",
                rate_text(x.records_per_s),
                rate_text(y.records_per_s)
            ),
        );
    }
    out
}

/// One row of a sweep (`kplay sweep`'s stable columns first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepRow {
    pub value: String,
    pub produce_requests: u64,
    pub records_per_batch: f64,
    pub wire_bytes: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    /// Records with a successful delivery report.
    pub records_delivered: u64,
    pub records_per_s: f64,
    pub records_lost: u64,
    pub records_duplicated: u64,
    pub records_out_of_order: u64,
    pub stopped: StopReason,
}

impl SweepRow {
    pub fn of(value: &str, run: &VariantRun) -> SweepRow {
        let o = &run.outcome;
        SweepRow {
            value: value.to_string(),
            produce_requests: o.produce_requests,
            records_per_batch: o.records_per_batch,
            wire_bytes: o.wire_bytes,
            latency_p50_ms: o.latency_p50_ms,
            latency_p99_ms: o.latency_p99_ms,
            records_delivered: o.records_acknowledged,
            records_per_s: o.records_per_s,
            records_lost: o.records_lost,
            records_duplicated: o.records_duplicated,
            records_out_of_order: o.records_out_of_order,
            stopped: run.stopped,
        }
    }
}

/// Validates every value of a sweep (nothing runs if one is bad) and prepares its runs.
pub fn prepare_sweep(
    scenario: &Scenario,
    sweep: &Sweep,
) -> Result<Vec<PreparedVariant>, VariantError> {
    if sweep.values.len() > MAX_SWEEP_VALUES {
        return Err(VariantError::TooManyValues {
            name: sweep.name.clone(),
            given: sweep.values.len(),
            max: MAX_SWEEP_VALUES,
        });
    }
    (0..sweep.values.len())
        .map(|i| prepare(scenario, &sweep.variant(i)))
        .collect()
}

/// Runs a sweep: one row per value, in the order given.
pub fn sweep(scenario: &Scenario, sweep: &Sweep) -> Result<Vec<SweepRow>, VariantError> {
    let prepared = prepare_sweep(scenario, sweep)?;
    let mut rows = Vec::new();
    for (value, p) in sweep.values.iter().zip(prepared) {
        let mut r = VariantRunner::new(p)?;
        r.advance(u64::MAX);
        rows.push(SweepRow::of(value, &r.result()));
    }
    Ok(rows)
}
