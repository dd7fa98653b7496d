//! The driver: owns the world (event queue, network, log) and the nodes (the producer, each
//! broker, the controller), runs the scenario's timeline of actions and faults, and exposes the
//! public [`Simulation`] API. It is the only code that holds the [`World`]: nodes get a read-only
//! [`Ctx`] and queue outputs, which `with_producer`, `with_broker` and `with_controller` carry out
//! in the order queued. Metadata between the controller and brokers is delivered at once and
//! depth first: a message's effects happen where it was queued, before the sender's later outputs.
//!
//! Beside it: `validate` (what a scenario must satisfy), `app_loop` (the `produce_many`
//! application loops), `faults` (firing faults), `view_projection` (view, "Coming up", metrics,
//! stored bytes) and `checkpoint` (rewind snapshots).

mod app_loop;
mod checkpoint;
mod deserialize;
mod event_log;
mod faults;
mod outcome_source;
mod serializer;
mod validate;
mod view_projection;
mod world;

use app_loop::AppLoop;
pub use app_loop::{pad_value, MAX_VALUE_BYTES, VALUE_PAD_FILL};
pub use checkpoint::Checkpoint;
use validate::{validate_fault, Timeline};
pub use validate::{MAX_BROKERS, MAX_FAULT_COUNT, MAX_PARTITIONS, MAX_SETTING_MS};
pub use view_projection::{CommittedRecord, InFlightBatch};

use crate::broker::{Broker, BrokerInput};
use crate::config::ProducerSettings;
use crate::controller::{Controller, ControllerInput};
use crate::error::{ErrorCode, SimError};
use crate::log::{LogEntry, LogEvent};
use crate::metrics::MetricsState;
use crate::network::{Network, PRODUCER};
use crate::node::{BrokerTiming, ClockSkew, Ctx, NodeClocks, Output};
use crate::producer::{Producer, ProducerInput, ProducerTimer, TopicRef};
use crate::proto::{Payload, Tp};
use crate::queue::EventQueue;
use crate::registry::{RegistryInput, SchemaRegistry, SCHEMA_REGISTRY};
use crate::scenario::{ms_to_us, Action, ProducerSpec, Scenario, TimedAction, TopicSpec};
use crate::topic::{validate_topic_name, Topic, TopicConfig};
use event_log::EventLog;
use kwire::{Record, RecordHeader};
use serde::{Deserialize, Serialize};
use serializer::{AppSerializers, MainProduce};
use std::collections::BTreeMap;
use world::{Event, World};

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
    /// The record bytes held by brokers and the producer would pass the playground's memory
    /// budget (`cluster.record_bytes_budget_mb`): the run pauses itself rather than run the
    /// browser tab out of memory. Reset, lower the rate, or raise the budget.
    MemoryBudget,
}

/// What the memory budget check looks at ([`Simulation::memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryUse {
    /// Record bytes the brokers hold, every replica counted (as on disk).
    pub broker_record_bytes: u64,
    /// Record bytes the producer holds (queued, in flight, or waiting for their report).
    pub producer_record_bytes: u64,
    /// `cluster.record_bytes_budget_mb` in bytes.
    pub budget_bytes: u64,
    /// Batches whose payload the brokers dropped to stay within the budget.
    pub payload_dropped_batches: u64,
}

/// The memory budget is checked every this many events (cheap, and a few events add little).
const MEMORY_CHECK_EVERY_EVENTS: u64 = 64;

/// Result of a bounded run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunOutcome {
    pub events: u64,
    pub stopped: StopReason,
    pub time_us: u64,
}

/// The simulation. `Clone` is a snapshot (batch bytes are shared, not copied).
#[derive(Debug, Clone)]
pub struct Simulation {
    scenario: Scenario,
    producer_spec: ProducerSpec,
    w: World,
    /// Brokers 1..=N, at index id − 1.
    brokers: Vec<Broker>,
    controller: Controller,
    producer: Producer,
    /// The Schema Registry, when the scenario has one (`schema_registry` or `schemas`).
    registry: Option<SchemaRegistry>,
    /// The application's serializers (key and value per topic, the Avro id cache).
    serializers: AppSerializers,
    action_times_us: Vec<u64>,
    fault_times_us: Vec<u64>,
    actions_done: usize,
    faults_done: usize,
    /// Running `produce_many` application loops, by id.
    loops: BTreeMap<u64, AppLoop>,
    next_loop: u64,
    events_processed: u64,
    last_event_us: Option<u64>,
    max_events: u64,
    max_time_us: u64,
    limit: Option<StopReason>,
}

impl Simulation {
    /// Validates the scenario, creates the cluster, its topics and the producer (failing like
    /// `Producer(conf)` on bad configuration).
    pub fn new(scenario: Scenario) -> Result<Simulation, SimError> {
        let mut scenario = scenario;
        let Timeline {
            action_times_us,
            fault_times_us,
            max_time_us,
        } = validate::check_and_order(&mut scenario)?;
        let c = &scenario.cluster;
        let settings = ProducerSettings::from_spec(&scenario.producer)?;
        let w = World {
            now_us: 0,
            queue: EventQueue::default(),
            net: Network::new(&scenario.cluster, scenario.seed),
            log: EventLog::new(scenario.log.clone()),
            broker_metrics: MetricsState::default(),
            topics: Vec::new(),
            clocks: NodeClocks {
                start_time_ms: c.start_time_ms,
                skew: c
                    .clocks
                    .iter()
                    .map(|k| {
                        let skew = ClockSkew {
                            offset_ms: k.offset_ms,
                            drift_ppm: k.drift_ppm,
                        };
                        (k.node, skew)
                    })
                    .collect(),
            },
            timing: BrokerTiming {
                lag_time_max_us: c.replica_lag_time_max_ms.clamp(1, MAX_SETTING_MS) * 1000,
                fetch_wait_max_us: c.replica_fetch_wait_max_ms.min(MAX_SETTING_MS) * 1000,
                fetch_backoff_us: c.replica_fetch_backoff_ms.min(MAX_SETTING_MS) * 1000,
                session_timeout_us: c.session_timeout_ms.min(MAX_SETTING_MS) * 1000,
                retention_check_interval_us: c
                    .log_retention_check_interval_ms
                    .clamp(1, MAX_SETTING_MS)
                    * 1000,
                record_bytes_budget_per_broker: c.record_bytes_budget_mb.saturating_mul(1 << 20)
                    / c.brokers.max(1) as u64,
            },
        };
        let registry_spec = scenario.schema_registry.clone().unwrap_or_default();
        let uses_registry = scenario.schema_registry.is_some() || !scenario.schemas.is_empty();
        let mut w = w;
        let registry = if uses_registry {
            let level = |name: &str| {
                kavro::CompatibilityLevel::parse(name)
                    .unwrap_or(kavro::CompatibilityLevel::Backward)
            };
            let subjects = registry_spec
                .subjects
                .iter()
                .map(|(s, l)| (s.clone(), level(l)))
                .collect();
            let latency_us = ms_to_us(registry_spec.latency_ms, "schema_registry.latency_ms")?;
            w.net
                .link_mut(crate::network::PRODUCER, SCHEMA_REGISTRY)
                .latency_us = latency_us;
            w.net
                .link_mut(SCHEMA_REGISTRY, crate::network::PRODUCER)
                .latency_us = latency_us;
            Some(SchemaRegistry::new(
                level(&registry_spec.compatibility),
                &subjects,
            ))
        } else {
            None
        };
        let serializers = AppSerializers::new(
            &scenario.schemas,
            &scenario.serializers,
            registry_spec.auto_register_schemas,
            scenario.producer.profile,
        );
        let mut sim = Simulation {
            registry,
            serializers,
            producer_spec: scenario.producer.clone(),
            brokers: (1..=c.brokers).map(Broker::new).collect(),
            controller: Controller::new(c.brokers),
            producer: Producer::new(settings, PRODUCER_ID, scenario.seed),
            w,
            action_times_us,
            fault_times_us,
            actions_done: 0,
            faults_done: 0,
            loops: BTreeMap::new(),
            next_loop: 0,
            events_processed: 0,
            last_event_us: None,
            max_events: scenario.limits.max_events,
            max_time_us,
            limit: None,
            scenario,
        };
        for b in 1..=sim.brokers.len() as u32 {
            sim.with_broker(b, |br, cx| br.start(cx));
        }
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

    /// The newest entries of the event log (at most 1.5 × `LogOptions::max_entries`;
    /// older ones are dropped, see [`Simulation::log_dropped`]).
    pub fn log(&self) -> &[LogEntry] {
        self.w.log.entries()
    }

    /// Entries dropped from the front of the event log: `log()[0]` is entry number
    /// `log_dropped()` of the run.
    pub fn log_dropped(&self) -> u64 {
        self.w.log.dropped()
    }

    /// Entries of the whole run, retained or not.
    pub fn log_end(&self) -> u64 {
        self.w.log.end()
    }

    /// How many entries of each kind (`LogEvent::kind`) the run logged, retained or not.
    pub fn log_counts(&self) -> &BTreeMap<&'static str, u64> {
        self.w.log.counts()
    }

    /// Record bytes held against the playground's memory budget (see [`StopReason::MemoryBudget`]).
    pub fn memory(&self) -> MemoryUse {
        MemoryUse {
            broker_record_bytes: self.broker_record_bytes(),
            producer_record_bytes: self.producer.held_bytes,
            budget_bytes: self.budget_bytes(),
            payload_dropped_batches: self
                .brokers
                .iter()
                .flat_map(|b| b.replicas.values())
                .map(|r| r.log.dropped_batches())
                .sum(),
        }
    }

    fn broker_record_bytes(&self) -> u64 {
        self.brokers.iter().map(Broker::held_bytes).sum()
    }

    fn budget_bytes(&self) -> u64 {
        self.scenario
            .cluster
            .record_bytes_budget_mb
            .saturating_mul(1 << 20)
    }

    /// The run limit (`limits.max_time_ms` or `limits.max_events` of the scenario) that stopped
    /// the simulation, if one did: no event is processed after it.
    pub fn stopped_by_limit(&self) -> Option<StopReason> {
        self.limit
    }

    pub fn events_processed(&self) -> u64 {
        self.events_processed
    }

    /// A 64-bit hash (FNV-1a's multiply over 8-byte words) of the JSON of every log entry of
    /// the run and a newline each, dropped entries included (kept up to date as entries are added: free to ask for; stable across platforms;
    /// for replay checks).
    pub fn log_hash(&self) -> u64 {
        self.w.log.hash()
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
            && self.loops.is_empty()
            && self.producer.idle()
            && self.producer.flush.is_none()
            && self.serializers.pending.is_empty()
            && self.serializers.deferred.is_empty()
            && self.settled()
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
        if self
            .events_processed
            .is_multiple_of(MEMORY_CHECK_EVERY_EVENTS)
        {
            // The cheap part of `memory()` first: most checks end here.
            if self.broker_record_bytes() + self.producer.held_bytes > self.budget_bytes() {
                let m = self.memory();
                let mib = |b: u64| b as f64 / (1 << 20) as f64;
                self.hit_limit(
                    StopReason::MemoryBudget,
                    format!(
                        "paused before the playground's memory budget for record bytes ({:.0} MiB) is exceeded: brokers hold {:.1} MiB they may not drop yet (not committed) and the producer buffers {:.1} MiB. Reset, lower the rate, or raise the budget (cluster.record_bytes_budget_mb)",
                        mib(m.budget_bytes),
                        mib(m.broker_record_bytes),
                        mib(m.producer_record_bytes)
                    ),
                );
                return None;
            }
        }
        self.events_processed += 1;
        let before = self.w.log.end();
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
            new_log_entries: (self.w.log.end() - before) as usize,
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
        self.log_failed(&name, e);
    }

    /// Logs a failed action, except the errors that have their own log entry (a full queue,
    /// a serializer's error).
    fn log_failed(&mut self, action: &str, e: &SimError) {
        if !matches!(e, SimError::QueueFull | SimError::Serialization(_)) {
            self.w.log(LogEvent::ActionFailed {
                action: action.into(),
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
            validate_fault(fault, self.brokers.len() as u32)?;
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
            Ok(()) | Err(SimError::QueueFull) | Err(SimError::Serialization(_)) => {
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
    pub fn poll(&mut self) -> Vec<crate::proto::DeliveryReport> {
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
        self.create_topic_as(spec, false)
    }

    /// Creates a topic; `auto_created` when a broker does it for a client's Metadata request.
    fn create_topic_as(&mut self, spec: TopicSpec, auto_created: bool) -> Result<(), SimError> {
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
        let n = self.brokers.len() as u32;
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
        let (partitions, rf) = (spec.partitions, spec.replication_factor);
        let assignment = self.with_controller(|c, cx| c.create_topic(cx, idx, partitions, rf));
        // SIMPLIFICATION: the producer knows a new topic's leaders at once.
        for (tp, meta) in &self.controller.parts {
            if tp.topic == idx {
                self.producer.learn_leader(*tp, meta.leader);
            }
        }
        self.w.log(LogEvent::TopicCreated {
            topic: spec.name.clone(),
            partitions: spec.partitions,
            replication_factor: spec.replication_factor,
            assignment,
            auto_created,
        });
        Ok(())
    }

    fn execute(&mut self, a: &Action) -> Result<(), SimError> {
        if self.serializers.main_blocked() && serializer::on_app_thread(a) {
            // The application thread is inside a serializer's registry call.
            self.serializers.deferred.push_back(a.clone());
            return Ok(());
        }
        match a {
            Action::CreateTopic(spec) => self.create_topic(spec.clone()),
            Action::Produce {
                topic,
                key,
                value,
                headers,
                partition,
                timestamp_ms,
            } => self.produce_serialized(MainProduce {
                topic: topic.clone(),
                key: key.clone(),
                value: value.clone(),
                headers: headers.clone(),
                partition: *partition,
                timestamp_ms: *timestamp_ms,
            }),
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
                let app_loop = AppLoop::new(
                    topic,
                    *count,
                    *rate_per_sec,
                    key.as_deref(),
                    *key_count,
                    value,
                    *value_size_bytes,
                    *mode,
                )?;
                self.start_loop(app_loop);
                Ok(())
            }
            Action::Poll => {
                self.with_producer(|p, cx| p.poll(cx));
                Ok(())
            }
            Action::Flush { timeout_ms } => {
                let t = match timeout_ms {
                    Some(ms) => Some(ms_to_us(*ms, "flush timeout_ms")?),
                    None => None,
                };
                self.with_producer(|p, cx| p.flush_start(cx, t, None));
                Ok(())
            }
            Action::SetProducerConfig { name, value } => {
                let mut spec = self.producer_spec.clone();
                spec.config.insert(name.clone(), value.clone());
                let settings = ProducerSettings::from_spec(&spec)?;
                self.producer_spec = spec;
                self.with_producer(|p, cx| p.set_settings(cx, settings, PRODUCER_ID));
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
                validate_fault(fault, self.brokers.len() as u32)?;
                self.fire_fault(fault);
                Ok(())
            }
            Action::SetSerializer(s) => self.set_serializer(s),
            Action::RegisterSchema { subject, schema } => {
                let text: std::sync::Arc<str> =
                    validate::schema_text(&self.scenario.schemas, schema)?.into();
                validate::check_subject(subject)?;
                self.with_registry(|r, cx| {
                    r.handle(
                        cx,
                        RegistryInput::AdminRegister {
                            subject: subject.clone(),
                            schema: text,
                        },
                    )
                })
            }
            Action::SetCompatibility { subject, level } => {
                let level = validate::compatibility_level(level)?;
                if let Some(s) = subject {
                    validate::check_subject(s)?;
                }
                self.with_registry(|r, cx| {
                    r.handle(
                        cx,
                        RegistryInput::SetCompatibility {
                            subject: subject.clone(),
                            level,
                        },
                    )
                })
            }
        }
    }

    /// `produce()` of serialized bytes from the main thread.
    fn produce_bytes(
        &mut self,
        call: &MainProduce,
        key: Option<Vec<u8>>,
        value: Option<Vec<u8>>,
    ) -> Result<(), SimError> {
        // A topic the cluster does not have yet is asked for by the producer's metadata
        // request (which may create it); the name must still be a legal one.
        let target = match self.topic_index(&call.topic) {
            Ok(idx) => TopicRef::Known(idx),
            Err(_) => TopicRef::Unknown(&call.topic),
        };
        let record = Record {
            timestamp_ms: call
                .timestamp_ms
                .unwrap_or_else(|| self.w.ctx().node_time_ms(PRODUCER)),
            key,
            value,
            headers: call
                .headers
                .iter()
                .map(|h| RecordHeader {
                    key: h.key.clone(),
                    value: h.value.as_ref().map(|v| v.as_bytes().to_vec()),
                })
                .collect(),
        };
        let logged = self.w.log.options.per_message;
        self.produce_record(target, call.partition, record, logged)
            .map(|_| ())
    }

    /// Runs one call of the Schema Registry, then carries out what it queued; without a
    /// registry in the scenario the call fails.
    fn with_registry(&mut self, f: impl FnOnce(&mut SchemaRegistry, &Ctx)) -> Result<(), SimError> {
        let Some(r) = self.registry.as_mut() else {
            return Err(SimError::InvalidScenario(
                "the scenario has no schema_registry".into(),
            ));
        };
        f(r, &self.w.ctx());
        let outputs: Vec<_> = r.take_outputs().collect();
        for o in outputs {
            self.w.apply(o, |t| match t {});
        }
        Ok(())
    }

    /// `produce()`; `logged`: the message is logged one by one (see `LOOP_LOGGED_MESSAGES`).
    fn produce_record(
        &mut self,
        topic: TopicRef<'_>,
        partition: Option<u32>,
        record: Record,
        logged: bool,
    ) -> Result<u64, SimError> {
        match self.with_producer(|p, cx| p.produce(cx, topic, partition, record, logged)) {
            Ok((id, _)) => Ok(id),
            Err(e) => {
                if e == SimError::QueueFull {
                    let name = match topic {
                        TopicRef::Known(t) => self.w.topic_name(Tp {
                            topic: t,
                            partition: 0,
                        }),
                        TopicRef::Unknown(name) => name.to_string(),
                    };
                    let ev = LogEvent::ProduceFailed {
                        topic: name,
                        error: ErrorCode::QueueFull,
                    };
                    self.w.log(ev);
                }
                Err(e)
            }
        }
    }

    /// Runs one producer call with the current context, then carries out what it queued.
    fn with_producer<R>(&mut self, f: impl FnOnce(&mut Producer, &Ctx) -> R) -> R {
        let r = f(&mut self.producer, &self.w.ctx());
        while let Some(o) = self.producer.poll_output() {
            self.w.apply(o, Event::Producer);
        }
        r
    }

    /// Runs one call of broker `b`, then carries out what it queued (`None` for no such broker).
    fn with_broker<R>(&mut self, b: u32, f: impl FnOnce(&mut Broker, &Ctx) -> R) -> Option<R> {
        let i = (b as usize).checked_sub(1)?;
        let cx = self.w.ctx();
        let r = f(self.brokers.get_mut(i)?, &cx);
        for o in self.brokers[i].take_outputs() {
            self.route(o.map_timer(|timer| Event::Broker { broker: b, timer }));
        }
        Some(r)
    }

    /// Runs one call of the controller, then carries out what it queued.
    fn with_controller<R>(&mut self, f: impl FnOnce(&mut Controller, &Ctx) -> R) -> R {
        let r = f(&mut self.controller, &self.w.ctx());
        for o in self.controller.take_outputs() {
            self.route(o.map_timer(Event::Controller));
        }
        r
    }

    /// Carries out one output of a broker or the controller. Their outputs are taken out of the
    /// node before any is carried out, so that what a message to another node causes happens
    /// before the sender's later outputs (as a synchronous call would).
    fn route(&mut self, output: Output<Event>) {
        match output {
            Output::ToBroker { broker, update } => {
                self.deliver(broker, BrokerInput::Metadata(update))
            }
            Output::ToController(req) => {
                self.with_controller(|c, cx| c.handle(cx, ControllerInput::Request(req)));
            }
            o => self.w.apply(o, |e| e),
        }
    }

    fn deliver(&mut self, b: u32, input: BrokerInput) {
        self.with_broker(b, |br, cx| br.handle(cx, input));
    }

    /// Whether the cluster has settled: no session timer pending, every live, reachable replica
    /// caught up, every high watermark at its log end, no acks=all request waiting.
    fn settled(&self) -> bool {
        let net = &self.w.net;
        if self.controller.pending_checks > 0 {
            return false;
        }
        for (tp, meta) in &self.controller.parts {
            let Some(l) = meta.leader else { continue };
            let Some(leader) = self.broker(l).filter(|b| b.up) else {
                continue;
            };
            let Some(lr) = leader.replicas.get(tp) else {
                continue;
            };
            if lr.is_leader && lr.hw < lr.leo && meta.isr.iter().all(|x| !net.cut(l, *x)) {
                return false;
            }
            for &f in &meta.replicas {
                if f == l || net.cut(l, f) || net.down.contains(&f) {
                    continue;
                }
                if let Some(fr) = self.broker(f).and_then(|b| b.replicas.get(tp)) {
                    if fr.leo != lr.leo {
                        return false;
                    }
                }
                // A healthy, reachable follower that is not in the ISR yet is still rejoining.
                let healthy = self.broker(f).is_some_and(|b| b.slow_fetch_us == 0)
                    && !self.controller.fenced.contains(&f)
                    && net.controller_reachable(l);
                if healthy && !meta.isr.contains(&f) {
                    return false;
                }
            }
        }
        !self.brokers.iter().any(|b| b.has_pending_produce())
    }

    fn broker(&self, id: u32) -> Option<&Broker> {
        self.brokers.get((id as usize).checked_sub(1)?)
    }

    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Arrive {
                msg_id,
                from,
                to,
                payload,
            } => {
                let w = &mut self.w;
                let msg = w.net.in_flight.remove(&msg_id);
                if let Some(reason) = w.net.fate_at_arrival(from, to) {
                    if let Some(m) = msg {
                        w.net.note_dropped(m, w.now_us);
                    }
                    w.log(LogEvent::NetworkDropped {
                        from,
                        to,
                        what: payload.kind().into(),
                        reason: reason.into(),
                    });
                    // A request or connection attempt to a dead broker: refused on the way back.
                    let to_producer =
                        matches!(payload, Payload::Produce(_) | Payload::Connect { .. });
                    if to_producer && w.net.down.contains(&to) {
                        let lat = w.net.latency_us(to, from);
                        let lost = Event::ProducerConnectionLost {
                            broker: to,
                            reason: "connection refused: the broker is down",
                        };
                        w.schedule(w.now_us + lat, lost);
                    }
                    return;
                }
                if let Some(m) = msg {
                    w.net.note_delivered(m);
                }
                match payload {
                    Payload::ProduceResponse(resp) => self.with_producer(|p, cx| {
                        p.handle(cx, ProducerInput::Response { broker: from, resp })
                    }),
                    Payload::RegistryReply(reply) => self.registry_reply(reply),
                    payload @ Payload::RegistryRequest(_) => {
                        let _ = self.with_registry(|r, cx| {
                            r.handle(cx, RegistryInput::Message { from, payload })
                        });
                    }
                    Payload::ConnectAck { attempt } => self.with_producer(|p, cx| {
                        p.handle(
                            cx,
                            ProducerInput::Connected {
                                broker: from,
                                attempt,
                            },
                        )
                    }),
                    payload => {
                        self.with_broker(to, |b, cx| {
                            b.handle(cx, BrokerInput::Message { from, payload })
                        });
                    }
                }
            }
            Event::ProducerConnectionLost { broker, reason } => self.with_producer(|p, cx| {
                p.handle(cx, ProducerInput::ConnectionLost { broker, reason })
            }),
            Event::Producer(ProducerTimer::MetadataResponse) => {
                // A Metadata request naming a topic that does not exist makes the broker create
                // it when auto.create.topics.enable is on (Kafka 3.6 default), with num.partitions
                // and default.replication.factor (`KafkaApis.handleTopicMetadataRequest`).
                let c = &self.scenario.cluster;
                if c.auto_create_topics_enable {
                    let (partitions, rf) = (
                        c.num_partitions.clamp(1, MAX_PARTITIONS),
                        c.default_replication_factor.clamp(1, c.brokers),
                    );
                    let names: Vec<String> = self
                        .producer
                        .awaiting
                        .iter()
                        .map(|a| a.topic.clone())
                        .collect();
                    for name in names {
                        if self.topic_index(&name).is_err() {
                            let spec = TopicSpec {
                                name,
                                partitions,
                                replication_factor: rf,
                                ..Default::default()
                            };
                            // Names were checked at produce(); a failure here creates nothing.
                            let _ = self.create_topic_as(spec, true);
                        }
                    }
                }
                // The Metadata response carries the controller's view as it is now.
                let leaders = self
                    .controller
                    .parts
                    .iter()
                    .map(|(tp, m)| (*tp, m.leader))
                    .collect();
                self.with_producer(|p, cx| p.handle(cx, ProducerInput::Metadata { leaders }))
            }
            Event::Producer(t) => self.with_producer(|p, cx| p.handle(cx, ProducerInput::Timer(t))),
            Event::Generator { gen_id, token } => self.run_loop(gen_id, token),
            Event::Broker { broker, timer } => {
                self.with_broker(broker, |b, cx| b.handle(cx, BrokerInput::Timer(timer)));
            }
            Event::Controller(t) => {
                self.with_controller(|c, cx| c.handle(cx, ControllerInput::Timer(t)))
            }
        }
    }
}
