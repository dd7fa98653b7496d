//! The driver: owns the world (event queue, network, log), the cluster and the producer, runs the
//! scenario's timeline of actions and faults, and exposes the public [`Simulation`] API.

mod checkpoint;
pub use checkpoint::Checkpoint;

use crate::broker::Cluster;
use crate::config::ProducerSettings;
use crate::error::{ErrorCode, SimError};
use crate::log::{LogEntry, LogEvent};
use crate::metrics::{Metrics, MetricsState};
use crate::network::{LossRule, Network, PRODUCER};
use crate::producer::Producer;
use crate::queue::EventQueue;
use crate::rng::Rng;
use crate::scenario::{
    ms_to_us, Action, Fault, ProduceMode, ProducerSpec, Scenario, TimedAction, TopicSpec,
    SCENARIO_VERSION,
};
use crate::view::*;
use crate::world::{validate_topic_name, Event, EventLog, Payload, Topic, TopicConfig, Tp, World};
use kwire::{Record, RecordHeader};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Largest partition count per topic accepted by the playground.
pub const MAX_PARTITIONS: u32 = 256;
/// Largest broker count.
pub const MAX_BROKERS: u32 = 9;
/// Cluster durations above this (ms) are capped (about 11.5 days of virtual time).
pub const MAX_SETTING_MS: u64 = 1_000_000_000;
/// Largest `count`/`after` of an injected error and largest generated value.
pub const MAX_FAULT_COUNT: u32 = 100_000;
/// Largest `value_size_bytes` of `produce_many` (10 MB).
pub const MAX_VALUE_BYTES: usize = 10_000_000;
/// The producer id handed out by the (simulated) InitProducerId.
pub const PRODUCER_ID: i64 = 1000;

/// What one [`Simulation::step`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub time_us: u64,
    /// Log entries added by this step.
    pub new_log_entries: usize,
}

/// Why a run stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    /// Reached the requested time.
    ReachedTime,
    /// Nothing left to do (see [`Simulation::is_idle`]).
    Idle,
    /// The caller's event budget was used up.
    EventBudget,
    /// The scenario's `limits.max_events` was reached.
    MaxEvents,
    /// The scenario's `limits.max_time_ms` was reached.
    MaxTime,
}

/// Result of a bounded run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOutcome {
    pub events: u64,
    pub stopped: StopReason,
    pub time_us: u64,
}

/// The per-step copy of a generator's counters.
struct GenStep {
    count: u64,
    next_i: u64,
    interval_us: u64,
    mode: ProduceMode,
}

#[derive(Debug, Clone)]
struct Gen {
    topic: String,
    topic_idx: Option<u32>,
    /// Templates split at `{i}`.
    key_parts: Option<Vec<String>>,
    value_parts: Vec<String>,
    count: u64,
    next_i: u64,
    interval_us: u64,
    key_count: Option<u64>,
    value_size_bytes: Option<usize>,
    mode: ProduceMode,
    token: u64,
}

/// A committed record: (offset, key, value).
pub type CommittedRecord = (i64, Option<Vec<u8>>, Option<Vec<u8>>);

/// The simulation. `Clone` is a snapshot (batch bytes are shared, not copied).
#[derive(Debug, Clone)]
pub struct Simulation {
    scenario: Scenario,
    producer_spec: ProducerSpec,
    w: World,
    cluster: Cluster,
    producer: Producer,
    action_times_us: Vec<u64>,
    fault_times_us: Vec<u64>,
    actions_done: usize,
    faults_done: usize,
    gens: BTreeMap<u64, Gen>,
    next_gen: u64,
    events_processed: u64,
    last_event_us: Option<u64>,
    max_events: u64,
    max_time_us: u64,
    limit: Option<StopReason>,
}

fn sorted_stable<T: Clone>(
    items: &[T],
    time: impl Fn(&T) -> f64,
    what: &str,
) -> Result<(Vec<T>, Vec<u64>), SimError> {
    let mut v: Vec<(u64, T)> = Vec::with_capacity(items.len());
    for it in items {
        v.push((ms_to_us(time(it), what)?, it.clone()));
    }
    v.sort_by_key(|x| x.0);
    Ok((
        v.iter().map(|x| x.1.clone()).collect(),
        v.iter().map(|x| x.0).collect(),
    ))
}

/// Joins template parts with the number `n` where `{i}` was, reserving `capacity` bytes.
fn fill(parts: &[String], n: u64, capacity: usize) -> Vec<u8> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut v = n;
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let mut out =
        Vec::with_capacity(capacity.max(parts.iter().map(|p| p.len()).sum::<usize>() + 20));
    for (k, p) in parts.iter().enumerate() {
        if k > 0 {
            out.extend_from_slice(&digits[at..]);
        }
        out.extend_from_slice(p.as_bytes());
    }
    out
}

/// Filler that `produce_many` appends to reach `value_size_bytes` (compressible, like real text).
pub const VALUE_PAD_FILL: &str =
    " lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor";

/// Pads UTF-8 bytes with [`VALUE_PAD_FILL`] to `size` bytes or cuts them at a character boundary.
fn pad_bytes(mut v: Vec<u8>, size: Option<usize>) -> Vec<u8> {
    if let Some(n) = size {
        while v.len() < n {
            let take = (n - v.len()).min(VALUE_PAD_FILL.len());
            v.extend_from_slice(&VALUE_PAD_FILL.as_bytes()[..take]);
        }
        let mut cut = n.min(v.len());
        // Never split a character: step back over UTF-8 continuation bytes (0b10xx_xxxx).
        while cut > 0 && cut < v.len() && v[cut] & 0xC0 == 0x80 {
            cut -= 1;
        }
        v.truncate(cut);
    }
    v
}

/// `produce_many`'s value: the filled template padded with [`VALUE_PAD_FILL`] (repeated) to
/// exactly `size` bytes, or cut to `size` bytes (at a character boundary, so possibly shorter).
pub fn pad_value(s: String, size: Option<usize>) -> String {
    let v = pad_bytes(s.into_bytes(), size);
    String::from_utf8(v).unwrap_or_default()
}

impl Simulation {
    /// Validates the scenario, creates the cluster, its topics and the producer (failing like
    /// `Producer(conf)` on bad configuration).
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        let mut scenario = scenario;
        if scenario.version != SCENARIO_VERSION {
            return Err(SimError::InvalidScenario(format!(
                "version {} is not supported (expected {SCENARIO_VERSION})",
                scenario.version
            )));
        }
        let c = &scenario.cluster;
        if c.brokers == 0 || c.brokers > MAX_BROKERS {
            return Err(SimError::InvalidScenario(format!(
                "brokers must be 1..={MAX_BROKERS}, got {}",
                c.brokers
            )));
        }
        ms_to_us(c.link.latency_ms, "cluster.link.latency_ms")?;
        for l in &c.links {
            ms_to_us(l.latency_ms, "cluster.links.latency_ms")?;
            if l.from > c.brokers || l.to > c.brokers {
                return Err(SimError::InvalidScenario(format!(
                    "link {}->{}: unknown node",
                    l.from, l.to
                )));
            }
        }
        for clk in &c.clocks {
            if clk.node > c.brokers {
                return Err(SimError::InvalidScenario(format!(
                    "clock for unknown node {}",
                    clk.node
                )));
            }
        }
        let max_time_us = ms_to_us(scenario.limits.max_time_ms, "limits.max_time_ms")?;
        let (actions, action_times_us) = sorted_stable(
            &scenario.actions,
            |a: &TimedAction| a.at_ms,
            "actions.at_ms",
        )?;
        let (faults, fault_times_us) =
            sorted_stable(&scenario.faults, |f| f.at_ms, "faults.at_ms")?;
        for f in &faults {
            validate_fault(&f.fault, c.brokers)?;
        }
        scenario.actions = actions;
        scenario.faults = faults;
        let settings = ProducerSettings::from_spec(&scenario.producer)?;
        let w = World {
            now_us: 0,
            queue: EventQueue::default(),
            net: Network::new(&scenario.cluster),
            log: EventLog {
                entries: Vec::new(),
                options: scenario.log.clone(),
                truncated: false,
            },
            rng: Rng::new(scenario.seed),
            metrics: MetricsState::default(),
            topics: Vec::new(),
            start_time_ms: c.start_time_ms,
            clocks: c
                .clocks
                .iter()
                .map(|k| (k.node, (k.offset_ms, k.drift_ppm)))
                .collect(),
            lag_time_max_us: c.replica_lag_time_max_ms.clamp(1, MAX_SETTING_MS) * 1000,
            fetch_wait_max_us: c.replica_fetch_wait_max_ms.min(MAX_SETTING_MS) * 1000,
            fetch_backoff_us: c.replica_fetch_backoff_ms.min(MAX_SETTING_MS) * 1000,
            session_timeout_us: c.session_timeout_ms.min(MAX_SETTING_MS) * 1000,
        };
        let mut sim = Simulation {
            producer_spec: scenario.producer.clone(),
            cluster: Cluster::new(c.brokers),
            producer: Producer::new(settings, PRODUCER_ID),
            w,
            action_times_us,
            fault_times_us,
            actions_done: 0,
            faults_done: 0,
            gens: BTreeMap::new(),
            next_gen: 0,
            events_processed: 0,
            last_event_us: None,
            max_events: scenario.limits.max_events,
            max_time_us,
            limit: None,
            scenario,
        };
        sim.cluster.start(&mut sim.w);
        for t in sim.scenario.topics.clone() {
            sim.create_topic(t)?;
        }
        let s = &sim.producer.settings;
        let ev = LogEvent::ProducerCreated {
            client_id: s.client_id.clone(),
            profile: format!("{:?}", s.profile).to_lowercase(),
            producer_id: (sim.producer.producer_id >= 0).then_some(sim.producer.producer_id),
            idempotence: s.enable_idempotence,
        };
        sim.w.log(ev);
        Ok(sim)
    }

    /// Parses JSON and builds the simulation.
    pub fn from_json(text: &str) -> Result<Simulation, SimError> {
        Simulation::new(Scenario::from_json(text)?)
    }

    /// The scenario, including every action applied so far (the unit of sharing).
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    pub fn now_us(&self) -> u64 {
        self.w.now_us
    }

    pub fn log(&self) -> &[LogEntry] {
        &self.w.log.entries
    }

    /// The run limit (`limits.max_time_ms` or `limits.max_events` of the scenario) that stopped
    /// the simulation, if one did: no event is processed after it.
    pub fn stopped_by_limit(&self) -> Option<StopReason> {
        self.limit
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// FNV-1a 64 over the JSON of every log entry (stable across platforms; for replay checks).
    pub fn log_hash(&self) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for e in &self.w.log.entries {
            for b in serde_json::to_vec(e)
                .unwrap_or_default()
                .into_iter()
                .chain([b'\n'])
            {
                h ^= b as u64;
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h
    }

    /// Time of the next thing that will happen (action, fault or queued event).
    pub fn next_event_time_us(&self) -> Option<u64> {
        [
            self.action_times_us.get(self.actions_done),
            self.fault_times_us.get(self.faults_done),
        ]
        .into_iter()
        .flatten()
        .copied()
        .chain(self.w.queue.peek_time_us())
        .min()
    }

    /// Nothing left to do: no pending actions, faults or application loops; the producer has
    /// nothing queued or in flight; every reachable replica caught up; no controller work pending.
    /// Periodic timers (ISR checks, follower long polls) do not count.
    pub fn is_idle(&self) -> bool {
        self.actions_done >= self.scenario.actions.len()
            && self.faults_done >= self.scenario.faults.len()
            && self.gens.is_empty()
            && self.producer.idle()
            && self.producer.flush.is_none()
            && self.cluster.settled(&self.w)
    }

    /// Processes exactly one action, fault or event. `None` when nothing is left or a scenario
    /// limit was reached (logged as `RunLimit`).
    pub fn step(&mut self) -> Option<Step> {
        if self.limit.is_some() {
            return None;
        }
        let ta = self.action_times_us.get(self.actions_done).copied();
        let tf = self.fault_times_us.get(self.faults_done).copied();
        let tq = self.w.queue.peek_time_us();
        let t = [ta, tf, tq].into_iter().flatten().min()?;
        if t > self.max_time_us {
            self.hit_limit(
                StopReason::MaxTime,
                format!(
                    "limits.max_time_ms = {} reached",
                    self.max_time_us as f64 / 1000.0
                ),
            );
            return None;
        }
        if self.events_processed >= self.max_events {
            self.hit_limit(
                StopReason::MaxEvents,
                format!("limits.max_events = {} reached", self.max_events),
            );
            return None;
        }
        self.events_processed += 1;
        let before = self.w.log.entries.len();
        self.w.now_us = t;
        self.last_event_us = Some(t);
        if ta == Some(t) {
            let a = self.scenario.actions[self.actions_done].action.clone();
            self.actions_done += 1;
            if let Err(e) = self.execute(&a) {
                self.log_action_failed(&a, &e);
            }
        } else if tf == Some(t) {
            let f = self.scenario.faults[self.faults_done].fault.clone();
            self.faults_done += 1;
            self.fire_fault(&f);
        } else if let Some((_, ev)) = self.w.queue.pop() {
            self.dispatch(ev);
        }
        Some(Step {
            time_us: t,
            new_log_entries: self.w.log.entries.len() - before,
        })
    }

    fn hit_limit(&mut self, reason: StopReason, text: String) {
        self.limit = Some(reason);
        self.w.log(LogEvent::RunLimit { reason: text });
    }

    fn log_action_failed(&mut self, a: &Action, e: &SimError) {
        let name = serde_json::to_value(a)
            .ok()
            .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
            .unwrap_or_default();
        if !matches!(e, SimError::QueueFull) {
            self.w.log(LogEvent::ActionFailed {
                action: name,
                error: e.to_string(),
            });
        }
    }

    /// Runs every event up to and including `time_us`, then sets the clock to `time_us`.
    pub fn run_until(&mut self, time_us: u64) -> RunOutcome {
        self.run_until_at_most(time_us, u64::MAX)
    }

    /// Like [`Simulation::run_until`], but processes at most `max_events` events. When that
    /// budget ends the run first (`StopReason::EventBudget`), the clock stays at the last event
    /// processed and a later call goes on from there: splitting a run this way gives the same
    /// log as running it at once (the UI splits runs across animation frames).
    pub fn run_until_at_most(&mut self, time_us: u64, max_events: u64) -> RunOutcome {
        let start = self.events_processed;
        while self.next_event_time_us().is_some_and(|t| t <= time_us) {
            if self.events_processed - start >= max_events {
                return RunOutcome {
                    events: self.events_processed - start,
                    stopped: StopReason::EventBudget,
                    time_us: self.w.now_us,
                };
            }
            if self.step().is_none() {
                break;
            }
        }
        let stopped = self.limit.unwrap_or(StopReason::ReachedTime);
        if self.limit.is_none() && self.w.now_us < time_us {
            self.w.now_us = time_us;
        }
        RunOutcome {
            events: self.events_processed - start,
            stopped,
            time_us: self.w.now_us,
        }
    }

    /// Runs until [`Simulation::is_idle`], at most `max_events` events (and the scenario limits).
    pub fn run_until_idle(&mut self, max_events: u64) -> RunOutcome {
        let start = self.events_processed;
        loop {
            if self.is_idle() {
                return RunOutcome {
                    events: self.events_processed - start,
                    stopped: StopReason::Idle,
                    time_us: self.w.now_us,
                };
            }
            if self.events_processed - start >= max_events {
                return RunOutcome {
                    events: self.events_processed - start,
                    stopped: StopReason::EventBudget,
                    time_us: self.w.now_us,
                };
            }
            if self.step().is_none() {
                let stopped = self.limit.unwrap_or(StopReason::Idle);
                return RunOutcome {
                    events: self.events_processed - start,
                    stopped,
                    time_us: self.w.now_us,
                };
            }
        }
    }

    /// Performs a user action now and records it in the scenario, so that replaying the scenario
    /// reproduces the session. If events already ran at this exact microsecond, the action is
    /// placed 1 µs later (scenario actions run before other events of their microsecond).
    pub fn apply(&mut self, action: Action) -> Result<(), SimError> {
        if let Action::InjectFault { fault } = &action {
            validate_fault(fault, self.cluster.brokers.len() as u32)?;
        }
        let mut t = self.w.now_us;
        if self.last_event_us == Some(t) {
            t += 1;
        }
        if self.next_event_time_us().is_some_and(|n| n < t) {
            self.run_until(t - 1);
        }
        self.w.now_us = t;
        self.last_event_us = Some(t);
        let result = self.execute(&action);
        match &result {
            Ok(()) | Err(SimError::QueueFull) => {
                let at = self.actions_done;
                self.scenario.actions.insert(
                    at,
                    TimedAction {
                        at_ms: t as f64 / 1000.0,
                        action,
                    },
                );
                self.action_times_us.insert(at, t);
                self.actions_done += 1;
            }
            Err(_) => {}
        }
        result
    }

    /// Python `producer.produce(...)` at the current time (records the action).
    pub fn produce(
        &mut self,
        topic: &str,
        key: Option<&str>,
        value: Option<&str>,
    ) -> Result<(), SimError> {
        self.apply(Action::Produce {
            topic: topic.into(),
            key: key.map(Into::into),
            value: value.map(Into::into),
            headers: Vec::new(),
            partition: None,
            timestamp_ms: None,
        })
    }

    /// Python `producer.poll(0)`: serves ready delivery reports and returns them.
    pub fn poll(&mut self) -> Vec<crate::producer::DeliveryReport> {
        let ready = self.producer.ready_reports.len();
        if self.apply(Action::Poll).is_err() {
            return Vec::new();
        }
        let n = self.producer.served_reports.len();
        self.producer
            .served_reports
            .iter()
            .skip(n.saturating_sub(ready))
            .cloned()
            .collect()
    }

    /// Python `producer.flush(timeout)`: runs the simulation until the queue is empty or the
    /// timeout expires (bounded by the scenario limits) and returns what is still queued.
    pub fn flush(&mut self, timeout_ms: Option<f64>) -> Result<u64, SimError> {
        self.apply(Action::Flush { timeout_ms })?;
        while self.producer.flush.is_some() {
            if self.step().is_none() {
                break;
            }
        }
        Ok(self.producer.outq_len())
    }

    /// `len(producer)`.
    pub fn producer_len(&self) -> u64 {
        self.producer.outq_len()
    }

    fn topic_index(&self, name: &str) -> Result<u32, SimError> {
        self.w
            .topics
            .iter()
            .position(|t| t.spec.name == name)
            .map(|i| i as u32)
            .ok_or_else(|| {
                SimError::UnknownTopicOrPartition(format!("topic {name} does not exist"))
            })
    }

    fn create_topic(&mut self, spec: TopicSpec) -> Result<(), SimError> {
        validate_topic_name(&spec.name)?;
        if self.w.topics.iter().any(|t| t.spec.name == spec.name) {
            return Err(SimError::TopicAlreadyExists(format!(
                "Topic '{}' already exists.",
                spec.name
            )));
        }
        if spec.partitions == 0 || spec.partitions > MAX_PARTITIONS {
            return Err(SimError::InvalidPartitions(format!(
                "Number of partitions must be 1..={MAX_PARTITIONS}, got {}",
                spec.partitions
            )));
        }
        let n = self.cluster.brokers.len() as u32;
        if spec.replication_factor == 0 || spec.replication_factor > n {
            return Err(SimError::InvalidReplicationFactor(format!(
                "Replication factor: {} larger than available brokers: {n}.",
                spec.replication_factor
            )));
        }
        let mut raw = self.scenario.cluster.topic_defaults.clone();
        raw.extend(spec.configs.clone());
        let config = TopicConfig::parse(&raw)?;
        let idx = self.w.topics.len() as u32;
        self.w.topics.push(Topic {
            spec: spec.clone(),
            config,
        });
        let assignment =
            self.cluster
                .create_topic(&mut self.w, idx, spec.partitions, spec.replication_factor);
        for (tp, meta) in &self.cluster.parts {
            if tp.topic == idx {
                self.producer.leaders.insert(*tp, meta.leader);
            }
        }
        self.w.log(LogEvent::TopicCreated {
            topic: spec.name.clone(),
            partitions: spec.partitions,
            replication_factor: spec.replication_factor,
            assignment,
        });
        Ok(())
    }

    fn execute(&mut self, a: &Action) -> Result<(), SimError> {
        match a {
            Action::CreateTopic(spec) => self.create_topic(spec.clone()),
            Action::Produce {
                topic,
                key,
                value,
                headers,
                partition,
                timestamp_ms,
            } => {
                let idx = self.topic_index(topic)?;
                let record = Record {
                    timestamp_ms: timestamp_ms.unwrap_or_else(|| self.w.node_time_ms(PRODUCER)),
                    key: key.as_ref().map(|k| k.as_bytes().to_vec()),
                    value: value.as_ref().map(|v| v.as_bytes().to_vec()),
                    headers: headers
                        .iter()
                        .map(|h| RecordHeader {
                            key: h.key.clone(),
                            value: h.value.as_ref().map(|v| v.as_bytes().to_vec()),
                        })
                        .collect(),
                };
                self.produce_record(idx, *partition, record).map(|_| ())
            }
            Action::ProduceMany {
                topic,
                count,
                rate_per_sec,
                key,
                key_count,
                value,
                value_size_bytes,
                mode,
            } => {
                self.topic_index(topic)?;
                if value_size_bytes.is_some_and(|n| n > MAX_VALUE_BYTES) {
                    return Err(SimError::InvalidScenario(format!(
                        "value_size_bytes must be <= {MAX_VALUE_BYTES}"
                    )));
                }
                let interval_us = match rate_per_sec {
                    Some(r) if r.is_finite() && *r > 0.0 => ((1e6 / r).round() as u64).max(1),
                    Some(r) => {
                        return Err(SimError::InvalidScenario(format!(
                            "rate_per_sec {r} must be > 0"
                        )))
                    }
                    None => 1,
                };
                let id = self.next_gen;
                self.next_gen += 1;
                self.gens.insert(
                    id,
                    Gen {
                        topic: topic.clone(),
                        topic_idx: None,
                        key_parts: key
                            .as_ref()
                            .map(|k| k.split("{i}").map(str::to_string).collect()),
                        value_parts: value.split("{i}").map(str::to_string).collect(),
                        count: *count,
                        next_i: 0,
                        interval_us,
                        key_count: *key_count,
                        value_size_bytes: *value_size_bytes,
                        mode: *mode,
                        token: 0,
                    },
                );
                self.run_gen(id, 0);
                Ok(())
            }
            Action::Poll => {
                self.producer.poll(&mut self.w);
                Ok(())
            }
            Action::Flush { timeout_ms } => {
                let t = match timeout_ms {
                    Some(ms) => Some(ms_to_us(*ms, "flush timeout_ms")?),
                    None => None,
                };
                self.producer.flush_start(&mut self.w, t, None);
                Ok(())
            }
            Action::SetProducerConfig { name, value } => {
                let mut spec = self.producer_spec.clone();
                spec.config.insert(name.clone(), value.clone());
                let settings = ProducerSettings::from_spec(&spec)?;
                self.producer_spec = spec;
                self.producer
                    .set_settings(&mut self.w, settings, PRODUCER_ID);
                self.w.log(LogEvent::ConfigChanged {
                    name: name.clone(),
                    value: value.clone(),
                });
                Ok(())
            }
            Action::SetTopicConfig { topic, name, value } => {
                let idx = self.topic_index(topic)? as usize;
                let mut raw = self.scenario.cluster.topic_defaults.clone();
                raw.extend(self.w.topics[idx].spec.configs.clone());
                raw.insert(name.clone(), value.clone());
                let config = TopicConfig::parse(&raw)?;
                let t = &mut self.w.topics[idx];
                t.spec.configs.insert(name.clone(), value.clone());
                t.config = config;
                self.w.log(LogEvent::TopicConfigChanged {
                    topic: topic.clone(),
                    name: name.clone(),
                    value: value.clone(),
                });
                Ok(())
            }
            Action::InjectFault { fault } => {
                validate_fault(fault, self.cluster.brokers.len() as u32)?;
                self.fire_fault(fault);
                Ok(())
            }
        }
    }

    fn produce_record(
        &mut self,
        topic: u32,
        partition: Option<u32>,
        record: Record,
    ) -> Result<u64, SimError> {
        let partitions = self
            .w
            .topics
            .get(topic as usize)
            .map(|t| t.spec.partitions)
            .unwrap_or(0);
        match self
            .producer
            .produce(&mut self.w, topic, partitions, partition, record)
        {
            Ok((id, _)) => Ok(id),
            Err(e) => {
                if e == SimError::QueueFull {
                    let ev = LogEvent::ProduceFailed {
                        topic: self.w.topic_name(Tp {
                            topic,
                            partition: 0,
                        }),
                        error: ErrorCode::QueueFull,
                    };
                    self.w.log(ev);
                }
                Err(e)
            }
        }
    }

    fn schedule_gen(&mut self, id: u64, at_us: u64) -> u64 {
        let Some(g) = self.gens.get_mut(&id) else {
            return 0;
        };
        g.token += 1;
        let token = g.token;
        self.w
            .schedule(at_us, Event::Generator { gen_id: id, token });
        token
    }

    /// One iteration of an application loop (`ProduceMany`).
    fn run_gen(&mut self, id: u64, token: u64) {
        let Some(g) = self.gens.get(&id) else {
            return;
        };
        if g.token != token {
            return;
        }
        let g = GenStep {
            count: g.count,
            next_i: g.next_i,
            interval_us: g.interval_us,
            mode: g.mode,
        };
        if g.next_i >= g.count {
            self.gens.remove(&id);
            return;
        }
        let i = g.next_i;
        let Some(full) = self.gens.get(&id) else {
            return;
        };
        let key_i = full
            .key_count
            .filter(|k| *k > 0)
            .map(|k| i % k)
            .unwrap_or(i);
        let key = full.key_parts.as_ref().map(|k| fill(k, key_i, 0));
        let value = pad_bytes(
            fill(&full.value_parts, i, full.value_size_bytes.unwrap_or(0)),
            full.value_size_bytes,
        );
        let topic = match full.topic_idx {
            Some(t) => t,
            None => match self.topic_index(&full.topic) {
                Ok(t) => {
                    if let Some(g) = self.gens.get_mut(&id) {
                        g.topic_idx = Some(t);
                    }
                    t
                }
                Err(_) => {
                    self.gens.remove(&id);
                    return;
                }
            },
        };
        let record = Record {
            timestamp_ms: self.w.node_time_ms(PRODUCER),
            key,
            value: Some(value),
            headers: Vec::new(),
        };
        let now = self.w.now_us;
        match self.produce_record(topic, None, record) {
            Ok(_) => {
                if let Some(g) = self.gens.get_mut(&id) {
                    g.next_i += 1;
                }
                match g.mode {
                    ProduceMode::Async => {
                        self.producer.poll(&mut self.w);
                        self.schedule_gen(id, now + g.interval_us);
                    }
                    ProduceMode::NoPoll => {
                        self.schedule_gen(id, now + g.interval_us);
                    }
                    ProduceMode::Sync => {
                        let token = self.gens.get_mut(&id).map(|g| {
                            g.token += 1;
                            g.token
                        });
                        if let Some(token) = token {
                            self.producer
                                .flush_start(&mut self.w, None, Some((id, token)));
                        }
                    }
                }
            }
            Err(SimError::QueueFull) => match g.mode {
                ProduceMode::NoPoll => {
                    if let Some(g) = self.gens.get_mut(&id) {
                        g.next_i += 1;
                    }
                    self.schedule_gen(id, now + g.interval_us);
                }
                _ => {
                    // except BufferError: producer.poll(1); retry
                    if self.producer.poll(&mut self.w) > 0 {
                        self.schedule_gen(id, now + 1);
                    } else {
                        let token = self.schedule_gen(id, now + 1_000_000);
                        self.producer.poll_waiters.push((id, token));
                    }
                }
            },
            Err(e) => {
                self.gens.remove(&id);
                self.w.log(LogEvent::ActionFailed {
                    action: "produce_many".into(),
                    error: e.to_string(),
                });
            }
        }
    }

    fn fire_fault(&mut self, f: &Fault) {
        self.w.log(LogEvent::FaultFired { fault: f.clone() });
        let w = &mut self.w;
        match f {
            Fault::DropNextRequest { broker, count } => {
                let n = w.net.drop_next_request.entry(*broker).or_default();
                *n = n.saturating_add(*count)
            }
            Fault::DropNextResponse { broker, count } => {
                let n = w.net.drop_next_response.entry(*broker).or_default();
                *n = n.saturating_add(*count)
            }
            Fault::FailNextProduce {
                broker,
                error,
                count,
                after,
            } => {
                if let (Some(e), Some(b)) = (
                    ErrorCode::from_name(error),
                    self.cluster
                        .brokers
                        .get_mut((*broker as usize).wrapping_sub(1)),
                ) {
                    for _ in 0..*after {
                        b.fail_next.push_back(None);
                    }
                    for _ in 0..*count {
                        b.fail_next.push_back(Some(e));
                    }
                }
            }
            Fault::DelayLink { from, to, delay_ms } => {
                w.net.link_mut(*from, *to).extra_delay_us =
                    ms_to_us(*delay_ms, "delay").unwrap_or(0);
            }
            Fault::RandomLoss {
                probability,
                from,
                to,
            } => {
                w.net.loss.retain(|r| !(r.from == *from && r.to == *to));
                if *probability > 0.0 {
                    w.net.loss.push(LossRule {
                        probability: *probability,
                        from: *from,
                        to: *to,
                    });
                }
            }
            Fault::Crash { broker } => {
                self.cluster.crash(w, *broker);
                // The producer sees its connections reset after one link latency.
                for req_id in self.producer.requests_to(*broker) {
                    let lat = w.net.latency_us(*broker, PRODUCER);
                    w.schedule(w.now_us + lat, Event::ProducerConnectionReset { req_id });
                }
            }
            Fault::Restart { broker } => self.cluster.restart(w, *broker),
            Fault::Isolate {
                broker,
                include_producer,
            } => self.cluster.isolate(w, *broker, *include_producer),
            Fault::Heal { broker } => self.cluster.heal(w, *broker),
            Fault::SlowFollower { broker, delay_ms } => {
                if let Some(b) = self
                    .cluster
                    .brokers
                    .get_mut((*broker as usize).wrapping_sub(1))
                {
                    b.slow_fetch_us = ms_to_us(*delay_ms, "delay").unwrap_or(0);
                }
            }
        }
    }

    fn dispatch(&mut self, ev: Event) {
        let w = &mut self.w;
        match ev {
            Event::Arrive {
                msg_id,
                from,
                to,
                payload,
            } => {
                let msg = w.net.in_flight.remove(&msg_id);
                let reason = if w.net.down.contains(&to) {
                    Some("broker down")
                } else if w.net.down.contains(&from) {
                    Some("sender crashed before delivery")
                } else if w.net.cut(from, to) {
                    Some("network partition")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    if let Some(m) = msg {
                        w.net.note_dropped(m, w.now_us);
                    }
                    w.log(LogEvent::NetworkDropped {
                        from,
                        to,
                        what: payload.kind().into(),
                        reason: reason.into(),
                    });
                    // A request to a dead broker: the connection is refused (reset) on the way back.
                    if let (Payload::Produce(req), true) = (&payload, w.net.down.contains(&to)) {
                        let lat = w.net.latency_us(to, from);
                        w.schedule(
                            w.now_us + lat,
                            Event::ProducerConnectionReset { req_id: req.req_id },
                        );
                    }
                    return;
                }
                if let Some(m) = msg {
                    w.net.note_delivered(m);
                }
                match payload {
                    Payload::Produce(req) => self.cluster.handle_produce(w, to, &req),
                    Payload::ProduceResponse(resp) => self.producer.handle_response(w, from, resp),
                    Payload::Fetch(req) => self.cluster.handle_fetch(w, to, from, req),
                    Payload::FetchResponse(resp) => self.cluster.handle_fetch_response(w, to, resp),
                }
            }
            Event::ProducerWake => self.producer.wake(w),
            Event::ProducerRequestTimeout { req_id } => {
                self.producer.request_failed(w, req_id, ErrorCode::TimedOut)
            }
            Event::ProducerConnectionReset { req_id } => {
                self.producer
                    .request_failed(w, req_id, ErrorCode::Transport)
            }
            Event::MetadataRefreshed => {
                let leaders = self
                    .cluster
                    .parts
                    .iter()
                    .map(|(tp, m)| (*tp, m.leader))
                    .collect();
                self.producer.metadata_refreshed(w, leaders);
            }
            Event::Generator { gen_id, token } => self.run_gen(gen_id, token),
            Event::FlushTimeout { flush_id } => self.producer.flush_timeout(w, flush_id),
            Event::ControllerCheck { broker } => self.cluster.controller_check(w, broker),
            Event::IsrCheck {
                broker,
                incarnation,
            } => self.cluster.isr_check(w, broker, incarnation),
            Event::DelayedProduceTimeout {
                broker,
                pending_id,
                incarnation,
            } => self
                .cluster
                .delayed_produce_timeout(w, broker, pending_id, incarnation),
            Event::FetchWaitExpired {
                broker,
                parked_id,
                incarnation,
            } => self
                .cluster
                .fetch_wait_expired(w, broker, parked_id, incarnation),
            Event::FollowerFetch { broker, tp, gen } => {
                self.cluster.follower_fetch(w, broker, tp, gen)
            }
        }
    }

    /// Current metrics.
    pub fn metrics(&self) -> Metrics {
        let n = &self.w.net;
        self.w.metrics.snapshot(
            self.w.now_us,
            n.messages_sent,
            n.bytes_sent,
            n.messages_dropped,
        )
    }

    /// The bytes of one stored batch (`index` as in [`BatchView::index`]).
    pub fn batch_bytes(
        &self,
        topic: &str,
        partition: u32,
        broker: u32,
        index: usize,
    ) -> Option<Arc<[u8]>> {
        let tp = Tp {
            topic: self.topic_index(topic).ok()?,
            partition,
        };
        let r = self.cluster.broker(broker)?.replicas.get(&tp)?;
        r.log.get(index).map(|b| b.bytes.clone())
    }

    /// The bytes of batch `index` of in-flight ProduceRequest `req_id` (`InFlightView`), with its
    /// topic and partition: what the inspector shows for a packet on the wire.
    pub fn in_flight_batch_bytes(
        &self,
        req_id: u64,
        index: usize,
    ) -> Option<(String, u32, Arc<[u8]>)> {
        let b = self.producer.inflight.get(&req_id)?.batches.get(index)?;
        Some((self.w.topic_name(b.tp), b.tp.partition, b.bytes.clone()))
    }

    /// Every partition's log as a segment file (concatenated batches), taken from the leader or,
    /// without a leader, from the replica with the highest high watermark.
    pub fn segments(&self) -> Vec<(String, u32, Vec<u8>)> {
        let mut out = Vec::new();
        for (tp, meta) in &self.cluster.parts {
            let pick = meta.leader.or_else(|| {
                meta.replicas.iter().copied().max_by_key(|b| {
                    self.cluster
                        .broker(*b)
                        .and_then(|x| x.replicas.get(tp))
                        .map(|r| r.hw)
                        .unwrap_or(-1)
                })
            });
            let Some(r) = pick
                .and_then(|b| self.cluster.broker(b))
                .and_then(|b| b.replicas.get(tp))
            else {
                continue;
            };
            let mut bytes = Vec::new();
            for b in &r.log {
                bytes.extend_from_slice(&b.bytes);
            }
            out.push((self.w.topic_name(*tp), tp.partition, bytes));
        }
        out
    }

    /// The committed log of a partition as seen by its leader: (offset, key, value) of every
    /// record below the high watermark. Decodes the stored batches.
    pub fn committed_records(&self, topic: &str, partition: u32) -> Vec<CommittedRecord> {
        let Ok(t) = self.topic_index(topic) else {
            return Vec::new();
        };
        let tp = Tp {
            topic: t,
            partition,
        };
        let Some(meta) = self.cluster.parts.get(&tp) else {
            return Vec::new();
        };
        let pick = meta.leader.or_else(|| meta.isr.first().copied());
        let Some(r) = pick
            .and_then(|b| self.cluster.broker(b))
            .and_then(|b| b.replicas.get(&tp))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for b in &r.log {
            if let Ok((d, _)) = kwire::decode_batch(&b.bytes, &kwire::DecodeLimits::default()) {
                for rec in d.records {
                    let off = d.header.base_offset + rec.offset_delta as i64;
                    if off < r.hw {
                        out.push((off, rec.key, rec.value));
                    }
                }
            }
        }
        out
    }

    /// The plain state snapshot for the UI.
    pub fn view(&self) -> View {
        let w = &self.w;
        let brokers = self
            .cluster
            .brokers
            .iter()
            .map(|b| BrokerView {
                id: b.id,
                up: b.up,
                isolated: w.net.isolated.contains_key(&b.id),
                producer_cut: w.net.isolated.get(&b.id).copied().unwrap_or(false),
                fenced: self.cluster.fenced.contains(&b.id),
            })
            .collect();
        let partitions = self
            .cluster
            .parts
            .iter()
            .map(|(tp, meta)| PartitionView {
                topic: w.topic_name(*tp),
                partition: tp.partition,
                leader: meta.leader,
                leader_epoch: meta.leader_epoch,
                isr: meta.isr.clone(),
                replicas: meta
                    .replicas
                    .iter()
                    .filter_map(|b| {
                        let r = self.cluster.broker(*b)?.replicas.get(tp)?;
                        Some(ReplicaView {
                            broker: *b,
                            is_leader: r.is_leader,
                            leader_epoch: r.leader_epoch,
                            log_end_offset: r.leo,
                            high_watermark: r.hw,
                            batch_count: r.log.len(),
                            batches: r
                                .log
                                .iter()
                                .enumerate()
                                .skip(r.log.len().saturating_sub(crate::view::VIEW_MAX_BATCHES))
                                .map(|(index, x)| BatchView {
                                    index,
                                    base_offset: x.base_offset,
                                    last_offset: x.last_offset,
                                    records: x.records,
                                    size_bytes: x.bytes.len(),
                                    codec: x.codec.name().into(),
                                    leader_epoch: x.leader_epoch,
                                    producer_id: x.producer_id,
                                    producer_epoch: x.producer_epoch,
                                    base_sequence: x.base_sequence,
                                    max_timestamp_ms: x.max_timestamp_ms,
                                    recompressed: x.recompressed,
                                })
                                .collect(),
                        })
                    })
                    .collect(),
            })
            .collect();
        let p = &self.producer;
        let s = &p.settings;
        let open_batches = p
            .parts
            .iter()
            .map(|(tp, q)| {
                let count_fill = q.queue.len() as f64 / s.batch_num_messages.max(1) as f64;
                let byte_fill = q.queue_bytes as f64 / s.batch_size_bytes.max(1) as f64;
                OpenBatchView {
                    topic: w.topic_name(*tp),
                    partition: tp.partition,
                    leader: p.leaders.get(tp).copied().flatten(),
                    records: q.queue.len(),
                    bytes: q.queue_bytes,
                    linger_deadline_us: q.queue.front().map(|m| m.enqueued_us + s.linger_us),
                    retry_batches: q
                        .retry
                        .iter()
                        .map(|b| (b.msgs.len() as u32, b.base_sequence, b.next_try_us))
                        .collect(),
                    fill_ratio: count_fill.max(byte_fill).min(1.0),
                    next_sequence: q.next_seq,
                }
            })
            .collect();
        let in_flight = p
            .inflight
            .iter()
            .map(|(id, i)| InFlightView {
                req_id: *id,
                broker: i.broker,
                sent_us: i.sent_us,
                batches: i
                    .batches
                    .iter()
                    .map(|b| {
                        (
                            w.topic_name(b.tp),
                            b.tp.partition,
                            b.msgs.len() as u32,
                            b.base_sequence,
                            b.attempts,
                        )
                    })
                    .collect(),
            })
            .collect();
        View {
            time_us: w.now_us,
            next_event_us: self.next_event_time_us(),
            brokers,
            partitions,
            topics: w
                .topics
                .iter()
                .map(|t| TopicView {
                    name: t.spec.name.clone(),
                    configs: t.config_view(&self.scenario.cluster.topic_defaults),
                })
                .collect(),
            producer: ProducerView {
                client_id: s.client_id.clone(),
                profile: format!("{:?}", s.profile).to_lowercase(),
                producer_id: p.producer_id,
                producer_epoch: p.producer_epoch,
                queued_msgs: p.outq_len(),
                flushing: p.flush.is_some(),
                open_batches,
                in_flight,
                config: s.entries.clone(),
            },
            network: w.net.in_flight.values().cloned().collect(),
            network_dropped: w.net.recent_dropped.iter().cloned().collect(),
            network_delivered: {
                let mut d: Vec<crate::network::WireMessage> = w
                    .net
                    .recent_produce
                    .iter()
                    .chain(&w.net.recent_other)
                    .cloned()
                    .collect();
                d.sort_by_key(|m| (m.arrival_us, m.id));
                d
            },
            delivery_reports: p
                .ready_reports
                .iter()
                .chain(p.served_reports.iter().rev().take(200))
                .cloned()
                .collect(),
            metrics: self.metrics(),
            upcoming: self.upcoming(40),
        }
    }

    /// The next `n` things that will happen, with a reason each (stale timers left out).
    fn upcoming(&self, n: usize) -> Vec<UpcomingView> {
        let name = |node: u32| {
            if node == PRODUCER {
                "the producer".to_string()
            } else {
                format!("broker {node}")
            }
        };
        let mut out: Vec<UpcomingView> = Vec::new();
        for (i, a) in self
            .scenario
            .actions
            .iter()
            .enumerate()
            .skip(self.actions_done)
            .take(n)
        {
            let kind = serde_json::to_value(&a.action)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_default();
            let time_us = self.action_times_us.get(i).copied().unwrap_or(0);
            out.push(UpcomingView {
                time_us,
                description: format!("scenario action: {kind}"),
            });
        }
        for (i, f) in self
            .scenario
            .faults
            .iter()
            .enumerate()
            .skip(self.faults_done)
            .take(n)
        {
            let time_us = self.fault_times_us.get(i).copied().unwrap_or(0);
            let text = serde_json::to_string(&f.fault).unwrap_or_default();
            out.push(UpcomingView {
                time_us,
                description: format!("scheduled fault: {text}"),
            });
        }
        for (time_us, ev) in self.w.queue.iter_sorted() {
            if out.len() >= 3 * n {
                break;
            }
            let description = match ev {
                Event::Arrive {
                    from, to, payload, ..
                } => {
                    format!(
                        "{} from {} arrives at {}",
                        payload.kind(),
                        name(*from),
                        name(*to)
                    )
                }
                Event::ProducerWake => "producer checks linger, retry backoff and timeouts".into(),
                Event::ProducerRequestTimeout { req_id } => {
                    if !self.producer.inflight.contains_key(req_id) {
                        continue;
                    }
                    format!("request #{req_id} times out if still unanswered (socket.timeout.ms)")
                }
                Event::ProducerConnectionReset { req_id } => {
                    format!("producer notices the reset of request #{req_id}")
                }
                Event::MetadataRefreshed => "producer receives fresh metadata".into(),
                Event::Generator { .. } => "the application loop calls produce() again".into(),
                Event::FlushTimeout { .. } => "flush() gives up (timeout)".into(),
                Event::ControllerCheck { broker } => {
                    format!("controller fences broker {broker} if it is still silent (broker.session.timeout.ms)")
                }
                Event::IsrCheck { broker, .. } => {
                    format!("broker {broker} checks follower lag (replica.lag.time.max.ms)")
                }
                Event::DelayedProduceTimeout { broker, .. } => {
                    format!("an acks=all wait on broker {broker} may time out")
                }
                Event::FetchWaitExpired { broker, .. } => {
                    format!("broker {broker} answers a parked fetch (replica.fetch.wait.max.ms)")
                }
                Event::FollowerFetch { broker, tp, .. } => {
                    format!(
                        "follower {broker} fetches {}-{}",
                        self.w.topic_name(*tp),
                        tp.partition
                    )
                }
            };
            out.push(UpcomingView {
                time_us,
                description,
            });
        }
        out.sort_by_key(|u| u.time_us);
        out.truncate(n);
        out
    }
}

fn validate_fault(f: &Fault, brokers: u32) -> Result<(), SimError> {
    let check = |b: u32| {
        if b == 0 || b > brokers {
            Err(SimError::InvalidScenario(format!(
                "fault refers to broker {b}, brokers are 1..={brokers}"
            )))
        } else {
            Ok(())
        }
    };
    let node = |n: u32| {
        if n > brokers {
            Err(SimError::InvalidScenario(format!(
                "fault refers to node {n}, nodes are 0 (producer) and 1..={brokers}"
            )))
        } else {
            Ok(())
        }
    };
    match f {
        Fault::DropNextRequest { broker, .. }
        | Fault::DropNextResponse { broker, .. }
        | Fault::Crash { broker }
        | Fault::Restart { broker }
        | Fault::Isolate { broker, .. }
        | Fault::Heal { broker } => check(*broker),
        Fault::FailNextProduce {
            broker,
            error,
            count,
            after,
        } => {
            check(*broker)?;
            if *count > MAX_FAULT_COUNT || *after > MAX_FAULT_COUNT {
                return Err(SimError::InvalidScenario(format!(
                    "fail_next_produce count/after must be <= {MAX_FAULT_COUNT}"
                )));
            }
            ErrorCode::from_name(error)
                .map(|_| ())
                .ok_or_else(|| SimError::InvalidScenario(format!("unknown error name {error}")))
        }
        Fault::SlowFollower { broker, delay_ms } => {
            check(*broker)?;
            ms_to_us(*delay_ms, "slow_follower delay_ms").map(|_| ())
        }
        Fault::DelayLink { from, to, delay_ms } => {
            node(*from)?;
            node(*to)?;
            ms_to_us(*delay_ms, "delay_link delay_ms").map(|_| ())
        }
        Fault::RandomLoss {
            probability,
            from,
            to,
        } => {
            if !(0.0..=1.0).contains(probability) {
                return Err(SimError::InvalidScenario(format!(
                    "probability {probability} must be in 0..=1"
                )));
            }
            if let Some(n) = from {
                node(*n)?;
            }
            if let Some(n) = to {
                node(*n)?;
            }
            Ok(())
        }
    }
}
