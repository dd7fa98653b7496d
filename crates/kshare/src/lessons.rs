//! Lessons in the lecture's order. Each is a preset scenario (`lessons/<id>.json`, also a share
//! link base, see [`crate::presets`]), a short text, a "try this" step as data the UI can show
//! and perform, and a check computed only from the simulation's log, view and scenario.
//!
//! Typical UI flow: `Simulation::new(lesson.scenario())`, show `text` and `try_this().instruction`,
//! the learner does it (or presses a button that calls [`TryThis::apply_to`]), the simulation
//! runs, and [`Lesson::check`] says whether the point of the lesson is now visible.

use ksim::{
    Action, ConfigSource, Fault, HeaderSpec, LogEvent, ProduceMode, Scenario, SealReason, SimError,
    Simulation,
};
use serde::Serialize;
use std::collections::BTreeMap;

/// One statement of the events-vs-commands exercise, with its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct QuizItem {
    pub label: &'static str,
    pub statement: &'static str,
    /// The value the `Produce <label>` button sends.
    pub value: &'static str,
    pub is_event: bool,
    pub why: &'static str,
}

/// A lesson.
#[derive(Debug, Clone, Copy)]
pub struct Lesson {
    /// URL-safe id (`?lesson=<id>`), also the preset id.
    pub id: &'static str,
    pub title: &'static str,
    /// 2–5 sentences: the Kafka 3.6 / librdkafka 2.3 facts, and where the lecture or this
    /// simulator differs from Kafka.
    pub text: &'static str,
    /// The lesson's preset scenario as JSON.
    pub scenario_json: &'static str,
    /// Statements with answers (the events-vs-commands exercise; empty elsewhere).
    pub quiz: &'static [QuizItem],
    try_instruction: &'static str,
    try_control: &'static str,
    try_steps: fn() -> Vec<TryStep>,
    check: fn(&Simulation) -> CheckResult,
}

/// One thing the learner does: wait `after_ms` of virtual time, then perform `action`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TryStep {
    pub after_ms: f64,
    pub action: Action,
}

/// The "try this" step: what to do, which control, and the same as actions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TryThis {
    /// What the learner does, in words.
    pub instruction: &'static str,
    /// The control to use (a form, button or setting in the playground).
    pub control: &'static str,
    pub steps: Vec<TryStep>,
}

impl TryThis {
    /// Performs the steps on a simulation through its public API: runs `after_ms`, then
    /// `apply`s the action. A `BufferError` (queue full) is not a failure of the step.
    pub fn apply_to(&self, sim: &mut Simulation) -> Result<(), SimError> {
        for s in &self.steps {
            if s.after_ms > 0.0 {
                let us = ksim::ms_to_us(s.after_ms, "after_ms")?;
                sim.run_until(sim.now_us().saturating_add(us));
            }
            match sim.apply(s.action.clone()) {
                Ok(()) | Err(SimError::QueueFull) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Whether a lesson's point is visible in the simulation, and what the simulator saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub passed: bool,
    pub message: String,
}

fn pass(message: String) -> CheckResult {
    CheckResult {
        passed: true,
        message,
    }
}

fn fail(message: String) -> CheckResult {
    CheckResult {
        passed: false,
        message,
    }
}

impl Lesson {
    /// The preset scenario.
    pub fn scenario(&self) -> Scenario {
        Scenario::from_json(self.scenario_json).unwrap_or_default()
    }

    /// The "try this" step.
    pub fn try_this(&self) -> TryThis {
        TryThis {
            instruction: self.try_instruction,
            control: self.try_control,
            steps: (self.try_steps)(),
        }
    }

    /// Evaluates the lesson's check from the simulation's log, view and scenario only.
    pub fn check(&self, sim: &Simulation) -> CheckResult {
        (self.check)(sim)
    }
}

/// Every lesson, in the lecture's order.
pub fn all() -> &'static [Lesson] {
    &LESSONS
}

/// The lesson with this id.
pub fn get(id: &str) -> Option<&'static Lesson> {
    all().iter().find(|l| l.id == id)
}

// ---------------------------------------------------------------- helpers --

fn step(after_ms: f64, action: Action) -> TryStep {
    TryStep { after_ms, action }
}

fn set(name: &str, value: &str) -> Action {
    Action::SetProducerConfig {
        name: name.into(),
        value: value.into(),
    }
}

fn produce(topic: &str, key: Option<&str>, value: &str) -> Action {
    Action::Produce {
        topic: topic.into(),
        key: key.map(Into::into),
        value: Some(value.into()),
        headers: Vec::new(),
        partition: None,
        timestamp_ms: None,
    }
}

fn many(topic: &str, count: u64, value: &str, mode: ProduceMode) -> Action {
    Action::ProduceMany {
        topic: topic.into(),
        count,
        rate_per_sec: None,
        key: None,
        key_count: None,
        value: value.into(),
        value_size_bytes: None,
        mode,
    }
}

fn flush() -> Action {
    Action::Flush { timeout_ms: None }
}

fn text(b: &Option<Vec<u8>>) -> Option<String> {
    b.as_ref().map(|v| String::from_utf8_lossy(v).into_owned())
}

/// Committed (below the high watermark) values of every partition of `topic`.
fn committed(sim: &Simulation, topic: &str) -> Vec<(u32, i64, Option<String>, Option<String>)> {
    let parts: Vec<u32> = sim
        .view()
        .partitions
        .iter()
        .filter(|p| p.topic == topic)
        .map(|p| p.partition)
        .collect();
    let mut out = Vec::new();
    for p in parts {
        for (off, k, v) in sim.committed_records(topic, p) {
            out.push((p, off, text(&k), text(&v)));
        }
    }
    out
}

fn effective(sim: &Simulation, name: &str) -> Option<(String, ConfigSource)> {
    sim.view()
        .producer
        .config
        .iter()
        .find(|e| e.name == name)
        .map(|e| (e.value.clone(), e.source))
}

// ------------------------------------------------------------------ quiz --

const QUIZ: &[QuizItem] = &[
    QuizItem {
        label: "A",
        statement: "Alice placed order 4711.",
        value: "OrderPlaced: order 4711 by Alice",
        is_event: true,
        why: "A fact in the past tense: it happened, nobody can refuse it, any number of services may react to it.",
    },
    QuizItem {
        label: "B",
        statement: "Ship order 4711 to Alice!",
        value: "ShipOrder: order 4711 to Alice",
        is_event: false,
        why: "A command: it asks one receiver to do something in the future, and the receiver may refuse or fail.",
    },
    QuizItem {
        label: "C",
        statement: "Payment of 49.90 EUR for order 4711 was received.",
        value: "PaymentReceived: 49.90 EUR for order 4711",
        is_event: true,
        why: "A fact that already happened: an event, even though it will probably trigger the shipping.",
    },
];

fn check_events(sim: &Simulation) -> CheckResult {
    let values: Vec<String> = committed(sim, "events")
        .into_iter()
        .filter_map(|r| r.3)
        .collect();
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    for q in QUIZ {
        let there = values.iter().any(|v| v == q.value);
        if q.is_event && !there {
            missing.push(q.label);
        }
        if !q.is_event && there {
            wrong.push(q.label);
        }
    }
    if !wrong.is_empty() {
        return fail(format!(
            "Statement {} is in the events topic, but it is a command: it asks for something to happen.",
            wrong.join(", ")
        ));
    }
    if !missing.is_empty() {
        return fail(format!(
            "Statement(s) {} are events and are not in the topic yet.",
            missing.join(", ")
        ));
    }
    pass("The topic holds exactly the events A and C: facts that happened. B is a command.".into())
}

// ------------------------------------------------------------- anatomy --

fn check_anatomy(sim: &Simulation) -> CheckResult {
    let v = sim.view();
    for p in v.partitions.iter().filter(|p| p.topic == "events") {
        let Some(leader) = p.replicas.iter().find(|r| r.is_leader) else {
            continue;
        };
        for b in &leader.batches {
            let Some(bytes) = sim.batch_bytes("events", p.partition, leader.broker, b.index) else {
                continue;
            };
            let Ok((d, _)) = kwire::decode_batch(&bytes, &kwire::DecodeLimits::default()) else {
                continue;
            };
            for r in &d.records {
                if r.key.is_some() && r.value.is_some() && !r.headers.is_empty() {
                    let ts = d.header.base_timestamp + r.timestamp_delta;
                    return pass(format!(
                        "Stored at offset {}: key {:?}, value {:?}, timestamp {ts} ms (CreateTime), {} header(s) starting with {:?}.",
                        d.header.base_offset + i64::from(r.offset_delta),
                        text(&r.key).unwrap_or_default(),
                        text(&r.value).unwrap_or_default(),
                        r.headers.len(),
                        r.headers[0].key
                    ));
                }
            }
        }
    }
    fail("No stored event has a key, a value and a header yet.".into())
}

// ----------------------------------------------------------- partitions --

fn check_retention(sim: &Simulation) -> CheckResult {
    let deleted = sim.log().iter().find_map(|e| match &e.event {
        LogEvent::SegmentsDeleted {
            broker,
            topic,
            segments,
            log_start_offset,
            reason,
            ..
        } if topic == "clicks" => Some((*broker, *segments, *log_start_offset, reason.clone())),
        _ => None,
    });
    let Some((broker, segments, start, reason)) = deleted else {
        return fail("No segment was deleted: with Kafka's defaults (retention.ms 7 days, retention.bytes unlimited) the log keeps everything.".into());
    };
    let view = sim.view();
    let Some(leader) = view
        .partitions
        .iter()
        .find(|p| p.topic == "clicks")
        .and_then(|p| p.replicas.iter().find(|r| r.is_leader))
    else {
        return fail("The partition has no leader.".into());
    };
    pass(format!(
        "Broker {broker} deleted {segments} whole segment(s) by {reason}: the log start offset is {start}, the leader keeps offsets {}..{} in {} segment(s), and the next record still gets offset {}.",
        leader.log_start_offset,
        leader.log_end_offset - 1,
        leader.segment_count,
        leader.log_end_offset
    ))
}

fn check_partitions(sim: &Simulation) -> CheckResult {
    let mut by_key: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    for (p, _, k, _) in committed(sim, "orders") {
        if let Some(k) = k.filter(|k| !k.is_empty()) {
            by_key.entry(k).or_default().push(p);
        }
    }
    let repeated: Vec<_> = by_key.iter().filter(|(_, ps)| ps.len() >= 2).collect();
    if repeated.len() < 2 {
        return fail("Produce several events for each of at least two keys.".into());
    }
    if let Some((k, ps)) = by_key.iter().find(|(_, ps)| ps.iter().any(|p| *p != ps[0])) {
        return fail(format!("Key {k} went to different partitions {ps:?}."));
    }
    let n = sim
        .view()
        .partitions
        .iter()
        .filter(|p| p.topic == "orders")
        .count() as u32;
    let mapping: Vec<String> = by_key
        .iter()
        .map(|(k, ps)| {
            format!(
                "{k} → {} (crc32 % {n} = {})",
                ps[0],
                ksim::partitioner::crc32_partition(k.as_bytes(), n)
            )
        })
        .collect();
    pass(format!("Same key, same partition: {}.", mapping.join(", ")))
}

// ------------------------------------------------------------ async/sync --

struct LoopStats {
    delivered: usize,
    requests: usize,
    elapsed_us: u64,
}

fn loop_stats(sim: &Simulation, from_us: u64, to_us: u64) -> LoopStats {
    let mut s = LoopStats {
        delivered: 0,
        requests: 0,
        elapsed_us: 0,
    };
    for e in sim
        .log()
        .iter()
        .filter(|e| e.time_us >= from_us && e.time_us < to_us)
    {
        match &e.event {
            LogEvent::RequestSent { .. } => s.requests += 1,
            LogEvent::DeliveryReport { error: None, .. } => {
                s.delivered += 1;
                s.elapsed_us = e.time_us - from_us;
            }
            _ => {}
        }
    }
    s
}

fn check_async_sync(sim: &Simulation) -> CheckResult {
    let loops: Vec<(u64, u64, ProduceMode)> = sim
        .scenario()
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Action::ProduceMany { count, mode, .. } => {
                Some(((a.at_ms * 1000.0).round() as u64, *count, *mode))
            }
            _ => None,
        })
        .collect();
    let sync = loops.iter().find(|l| l.2 == ProduceMode::Sync);
    let asyn = loops.iter().find(|l| l.2 == ProduceMode::Async);
    let (Some(sync), Some(asyn)) = (sync, asyn) else {
        return fail("Run one synchronous and one asynchronous loop of the same size.".into());
    };
    if asyn.0 < sync.0 {
        return fail("Run the synchronous loop first, then the asynchronous one.".into());
    }
    let s = loop_stats(sim, sync.0, asyn.0);
    let a = loop_stats(sim, asyn.0, u64::MAX);
    if s.delivered as u64 != sync.1 {
        return fail(format!(
            "The synchronous loop delivered {} of {} events before the asynchronous loop started: let it finish first.",
            s.delivered, sync.1
        ));
    }
    if (a.delivered as u64) < asyn.1 {
        return fail(format!(
            "The asynchronous loop has delivered {} of {} events so far.",
            a.delivered, asyn.1
        ));
    }
    let ms = |us: u64| us as f64 / 1000.0;
    let summary = format!(
        "sync: {} events, {} ProduceRequests, {:.1} ms; async: {} events, {} ProduceRequests, {:.1} ms",
        s.delivered,
        s.requests,
        ms(s.elapsed_us),
        a.delivered,
        a.requests,
        ms(a.elapsed_us)
    );
    if a.requests < s.requests && a.elapsed_us < s.elapsed_us {
        pass(format!(
            "{summary}. Waiting for each ack costs a round trip per event."
        ))
    } else {
        fail(format!(
            "{summary}: the async loop should need fewer requests and less time."
        ))
    }
}

// -------------------------------------------------------------- callbacks --

fn check_callbacks(sim: &Simulation) -> CheckResult {
    let (mut with_offset, mut without) = (0, 0);
    for e in sim.log() {
        if let LogEvent::DeliveryReport {
            error: None,
            offset,
            ..
        } = &e.event
        {
            match offset {
                Some(_) => with_offset += 1,
                None => without += 1,
            }
        }
    }
    if with_offset == 0 || without == 0 {
        return fail(format!(
            "{with_offset} report(s) with an offset, {without} without: send some events with acks=0 too."
        ));
    }
    pass(format!(
        "{with_offset} delivery report(s) carry the offset the leader assigned; {without} report(s) from acks=0 say \"success\" with offset None: the producer never heard from the broker (fire-and-forget)."
    ))
}

// -------------------------------------------------------------- client.id --

fn check_client_id(sim: &Simulation) -> CheckResult {
    let Some((id, source)) = effective(sim, "client.id") else {
        return fail("The producer has no client.id setting.".into());
    };
    if source != ConfigSource::User {
        return fail(format!(
            "client.id is still the default {id:?}: name the application."
        ));
    }
    let changed_at = sim.log().iter().rev().find_map(|e| match &e.event {
        LogEvent::ConfigChanged { name, .. } if name == "client.id" => Some(e.time_us),
        _ => None,
    });
    let after = sim
        .log()
        .iter()
        .filter(|e| matches!(e.event, LogEvent::RequestSent { .. }))
        .filter(|e| changed_at.is_none_or(|t| e.time_us >= t))
        .count();
    if after == 0 {
        return fail(format!(
            "client.id is {id:?}; now produce an event so a request carries it."
        ));
    }
    pass(format!(
        "{after} ProduceRequest(s) were sent as client {id:?}: broker request logs, quotas and metrics name this application."
    ))
}

// ------------------------------------------------------------ idempotence --

fn check_idempotence(sim: &Simulation) -> CheckResult {
    let order: Vec<String> = committed(sim, "events")
        .into_iter()
        .filter_map(|r| r.3)
        .collect();
    let retried = sim
        .log()
        .iter()
        .any(|e| matches!(e.event, LogEvent::RetryScheduled { .. }));
    let idem = effective(sim, "enable.idempotence").is_some_and(|(v, _)| v == "true");
    let shown = order.join(", ");
    if order.len() < 3 {
        return fail(format!(
            "The log holds [{shown}] so far: run until A, B and C are written."
        ));
    }
    if order != ["A", "B", "C"] {
        return fail(format!(
            "The log order is {shown}: B's retry was appended after C, which was already in flight."
        ));
    }
    if !retried || !idem {
        return fail("A, B, C in order, but without a retry and idempotence the lesson's failure did not happen.".into());
    }
    let out_of_order = sim
        .log()
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                LogEvent::ProduceRejected {
                    error: ksim::ErrorCode::OutOfOrderSequenceNumber,
                    ..
                }
            )
        })
        .count();
    pass(format!(
        "Log order A, B, C despite B's retry: the broker checks each batch's sequence number and refused {out_of_order} batch(es) that arrived ahead of B (OUT_OF_ORDER_SEQUENCE_NUMBER); the producer resent them after B."
    ))
}

// ------------------------------------------------------------------ acks --

fn check_acks(sim: &Simulation) -> CheckResult {
    let crashed = sim.log().iter().any(|e| {
        matches!(
            &e.event,
            LogEvent::FaultFired {
                fault: Fault::Crash { .. }
            }
        )
    });
    if !crashed {
        return fail("Let the leader crash (run past 5 ms).".into());
    }
    let v = sim.view();
    let mut acked = 0;
    let mut lost = Vec::new();
    for r in &v.delivery_reports {
        let (None, Some(off)) = (&r.error, r.offset) else {
            continue;
        };
        acked += 1;
        let present = sim
            .committed_records(&r.topic, r.partition)
            .iter()
            .any(|(o, _, val)| *o == off && text(val) == r.value);
        if !present {
            lost.push(format!(
                "{:?} (acked at offset {off})",
                r.value.clone().unwrap_or_default()
            ));
        }
    }
    if !lost.is_empty() {
        return fail(format!(
            "Acknowledged but lost after the leader crash: {}. With acks=1 only the leader had it.",
            lost.join(", ")
        ));
    }
    if acked == 0 {
        return fail(
            "No acknowledged event yet: run until the producer gets its delivery report.".into(),
        );
    }
    pass(format!(
        "{acked} acknowledged event(s), none lost: with acks=all the leader answers only after every in-sync replica has the record, so the new leader has it."
    ))
}

// -------------------------------------------------------------- batching --

fn check_batching(sim: &Simulation) -> CheckResult {
    let mut counts: BTreeMap<&'static str, u32> = BTreeMap::new();
    for e in sim.log() {
        if let LogEvent::BatchSealed { reason, .. } = &e.event {
            let name = match reason {
                SealReason::Linger => "time (linger.ms)",
                SealReason::Count => "count (batch.num.messages)",
                SealReason::Full => "size (batch.size)",
                SealReason::Flush => "flush()",
                SealReason::Piggyback => "piggyback",
            };
            *counts.entry(name).or_default() += 1;
        }
    }
    let needed = [
        "time (linger.ms)",
        "count (batch.num.messages)",
        "size (batch.size)",
    ];
    let seen: Vec<String> = counts.iter().map(|(k, n)| format!("{n} by {k}")).collect();
    let missing: Vec<&str> = needed
        .iter()
        .copied()
        .filter(|k| !counts.contains_key(k))
        .collect();
    if missing.is_empty() {
        pass(format!("Batches closed {}.", seen.join(", ")))
    } else {
        fail(format!(
            "Batches closed so far: {}. Still to see: {}.",
            if seen.is_empty() {
                "none".into()
            } else {
                seen.join(", ")
            },
            missing.join(", ")
        ))
    }
}

// ----------------------------------------------------------- compression --

fn check_compression(sim: &Simulation) -> CheckResult {
    let mut per_codec: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let mut recompressed = 0;
    for e in sim.log() {
        match &e.event {
            LogEvent::BatchSealed {
                codec,
                size_bytes,
                uncompressed_bytes,
                ..
            } => {
                let c = per_codec.entry(codec.clone()).or_default();
                c.0 += *uncompressed_bytes as u64;
                c.1 += *size_bytes as u64;
            }
            LogEvent::Appended {
                recompressed: true, ..
            } => recompressed += 1,
            _ => {}
        }
    }
    let ratios: Vec<String> = per_codec
        .iter()
        .map(|(c, (u, s))| format!("{c} {:.2}", *u as f64 / (*s).max(1) as f64))
        .collect();
    let compressed = per_codec.keys().any(|c| c != "none");
    let summary = format!("records bytes ÷ batch bytes: {}", ratios.join(", "));
    if !compressed {
        return fail(format!(
            "{summary}. Set the producer's compression.type to a codec."
        ));
    }
    if recompressed == 0 {
        return fail(format!(
            "{summary}. Now set the topic's compression.type to a different codec and produce again."
        ));
    }
    pass(format!(
        "{summary}; the broker recompressed {recompressed} batch(es) because the topic's codec differed from the producer's."
    ))
}

// --------------------------------------------------------- serialization --

/// Value bytes of the records produce() accepted for `topic` (from `produce_called`).
fn value_sizes(sim: &Simulation, topic: &str) -> Vec<usize> {
    sim.log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::ProduceCalled {
                topic: t,
                value_bytes,
                ..
            } if t == topic => Some(*value_bytes),
            _ => None,
        })
        .collect()
}

/// A record schema's fields: each name, and whether it has a default.
type Fields = Vec<(String, bool)>;

/// Field names of a record schema, with whether each has a default.
fn fields_of(schema: &str) -> Fields {
    let Ok(serde_json::Value::Object(o)) = serde_json::from_str::<serde_json::Value>(schema) else {
        return Vec::new();
    };
    o.get("fields")
        .and_then(|f| f.as_array())
        .map(|fs| {
            fs.iter()
                .filter_map(|f| {
                    let name = f.get("name")?.as_str()?.to_string();
                    Some((name, f.get("default").is_some()))
                })
                .collect()
        })
        .unwrap_or_default()
}

fn check_serialization(sim: &Simulation) -> CheckResult {
    let (json, avro) = (
        value_sizes(sim, "payments-json"),
        value_sizes(sim, "payments-avro"),
    );
    let avg = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let sizes = format!(
        "JSON {} record(s), {:.1} bytes per value; Avro {} record(s), {:.1} bytes per value (5 of them the magic byte and the schema id)",
        json.len(),
        avg(&json),
        avro.len(),
        avg(&avro)
    );
    let view = sim.view();
    let versions: Vec<(u32, u32, Fields)> = view
        .schema_registry
        .iter()
        .flat_map(|r| r.subjects.iter())
        .filter(|s| s.subject == AVRO_SUBJECT)
        .flat_map(|s| s.versions.iter())
        .map(|v| (v.version, v.schema_id, fields_of(&v.schema)))
        .collect();
    // What each version changed against the one before: (version, id, added, removed).
    let mut added_with_default = None;
    let mut removed = None;
    for w in versions.windows(2) {
        let (old, new) = (&w[0].2, &w[1].2);
        let plus: Vec<&(String, bool)> = new
            .iter()
            .filter(|f| !old.iter().any(|o| o.0 == f.0))
            .collect();
        let minus: Vec<&String> = old
            .iter()
            .filter(|o| !new.iter().any(|f| f.0 == o.0))
            .map(|o| &o.0)
            .collect();
        if !plus.is_empty() && minus.is_empty() && plus.iter().all(|f| f.1) {
            added_with_default.get_or_insert((w[1].0, w[1].1, plus[0].0.clone()));
        }
        if plus.is_empty() && !minus.is_empty() {
            removed.get_or_insert((w[1].0, w[1].1, minus[0].clone()));
        }
    }
    let rejected = |level: &str, rule: &str| {
        sim.log().iter().find_map(|e| match &e.event {
            LogEvent::SchemaRejected {
                subject,
                http_status: 409,
                message,
                ..
            } if subject == AVRO_SUBJECT
                && message.contains(&format!("{{compatibility: '{level}'}}"))
                && message.contains(rule) =>
            {
                message
                    .split("additionalInfo:'")
                    .nth(1)
                    .and_then(|m| m.split('\'').next())
                    .map(str::to_string)
            }
            _ => None,
        })
    };
    let missing_default = rejected("BACKWARD", "READER_FIELD_MISSING_DEFAULT_VALUE");
    let raised = sim.log().iter().any(|e| {
        matches!(&e.event, LogEvent::SerializationFailed { topic, error, message, .. }
            if topic == "payments-avro" && error == "ValueSerializationError" && message.contains("HTTP status code 409"))
    });
    let forward_removal = rejected("FORWARD", "READER_FIELD_MISSING_DEFAULT_VALUE");
    let mut missing = Vec::new();
    if json.is_empty() || avro.is_empty() {
        missing.push("send the same payment as JSON to payments-json and as Avro to payments-avro");
    }
    if added_with_default.is_none() {
        missing.push("register a schema that adds a field with a default (accepted under BACKWARD as version 2)");
    }
    if missing_default.is_none() || !raised {
        missing.push("produce with a schema that adds a field without a default (the registry answers 409 and produce() raises ValueSerializationError)");
    }
    if forward_removal.is_none() {
        missing.push("set the subject to FORWARD and register a schema without a field that has no default (rejected)");
    }
    if removed.is_none() {
        missing.push("register the same removal under BACKWARD (accepted)");
    }
    if !missing.is_empty() {
        return fail(format!("{sizes}. Still to do: {}.", missing.join("; ")));
    }
    let (av, aid, af) = added_with_default.unwrap_or_default();
    let (rv, rid, rf) = removed.unwrap_or_default();
    pass(format!(
        "{sizes}. Subject {AVRO_SUBJECT}: version {av} (id {aid}) added {af} with a default, accepted under BACKWARD; adding {} without a default was rejected with HTTP 409 and produce() raised ValueSerializationError, nothing queued; removing {} was rejected under FORWARD (a reader of the old schema needs it), and version {rv} (id {rid}) without {rf} was accepted under BACKWARD.",
        missing_default.unwrap_or_default(),
        forward_removal.unwrap_or_default(),
    ))
}

// ----------------------------------------------------------------- steps --

fn steps_events() -> Vec<TryStep> {
    QUIZ.iter()
        .filter(|q| q.is_event)
        .map(|q| step(0.0, produce("events", Some("order-4711"), q.value)))
        .chain([step(0.0, flush())])
        .collect()
}

fn steps_anatomy() -> Vec<TryStep> {
    vec![
        step(
            0.0,
            Action::Produce {
                topic: "events".into(),
                key: Some("Alice".into()),
                value: Some("{\"page\": \"/cart\", \"ms\": 412}".into()),
                headers: vec![HeaderSpec {
                    key: "trace-id".into(),
                    value: Some("4bf92f35".into()),
                }],
                partition: None,
                timestamp_ms: Some(1_700_000_000_000),
            },
        ),
        step(0.0, flush()),
    ]
}

fn steps_partitions() -> Vec<TryStep> {
    vec![
        step(
            0.0,
            Action::ProduceMany {
                topic: "orders".into(),
                count: 12,
                rate_per_sec: None,
                key: Some("customer-{i}".into()),
                key_count: Some(3),
                value: "order {i}".into(),
                value_size_bytes: None,
                mode: ProduceMode::Async,
            },
        ),
        step(100.0, flush()),
    ]
}

fn steps_retention() -> Vec<TryStep> {
    vec![
        step(
            16_000.0,
            Action::SetTopicConfig {
                topic: "clicks".into(),
                name: "retention.bytes".into(),
                value: "8000".into(),
            },
        ),
        // The retention task runs at 30 s, 40 s, …: wait past the first run.
        step(15_000.0, Action::Poll),
    ]
}

fn steps_async() -> Vec<TryStep> {
    vec![
        step(1000.0, many("events", 50, "async {i}", ProduceMode::Async)),
        step(1.0, flush()),
    ]
}

fn steps_callbacks() -> Vec<TryStep> {
    vec![
        step(100.0, set("acks", "0")),
        step(
            0.0,
            many("events", 5, "fire-and-forget {i}", ProduceMode::Async),
        ),
        step(1.0, flush()),
    ]
}

fn steps_client_id() -> Vec<TryStep> {
    vec![
        step(0.0, set("client.id", "checkout-service")),
        step(50.0, produce("payments", Some("p-2"), "paid")),
        step(0.0, flush()),
    ]
}

fn steps_idempotence() -> Vec<TryStep> {
    vec![step(0.0, set("enable.idempotence", "true"))]
}

fn steps_acks() -> Vec<TryStep> {
    vec![step(0.0, set("acks", "all"))]
}

fn steps_batching() -> Vec<TryStep> {
    vec![
        step(100.0, set("batch.num.messages", "10")),
        step(0.0, many("events", 50, "count {i}", ProduceMode::Async)),
        step(100.0, set("batch.num.messages", "10000")),
        step(0.0, set("batch.size", "5000")),
        step(
            0.0,
            Action::ProduceMany {
                topic: "events".into(),
                count: 50,
                rate_per_sec: None,
                key: None,
                key_count: None,
                value: "size {i}".into(),
                value_size_bytes: Some(500),
                mode: ProduceMode::Async,
            },
        ),
    ]
}

fn steps_compression() -> Vec<TryStep> {
    let loop_of = |v: &str| Action::ProduceMany {
        topic: "events".into(),
        count: 100,
        rate_per_sec: None,
        key: None,
        key_count: None,
        value: v.into(),
        value_size_bytes: Some(200),
        mode: ProduceMode::Async,
    };
    let mut steps = Vec::new();
    for codec in ["gzip", "snappy", "lz4", "zstd"] {
        steps.push(step(100.0, set("compression.type", codec)));
        steps.push(step(0.0, loop_of(&format!("{codec} {{i}}"))));
    }
    steps.push(step(100.0, set("compression.type", "lz4")));
    steps.push(step(
        0.0,
        Action::SetTopicConfig {
            topic: "events".into(),
            name: "compression.type".into(),
            value: "zstd".into(),
        },
    ));
    steps.push(step(0.0, loop_of("lz4 to a zstd topic {i}")));
    steps.push(step(100.0, flush()));
    steps
}

/// The lecture's payment event in each format's own spelling: JSON as the Python dict
/// `json.dumps` gets, Avro in the Avro specification's JSON encoding (the decimal's two bytes
/// `0x04e2` = 1250 cents as code points, the union branch named).
const PAYMENT_JSON: &str = r#"{"payment_id": "pay-{i}", "amount": 12.50, "timestamp": 1700000000000, "status": "SETTLED", "note": "Made a payment of $12.50 to Bob"}"#;
const PAYMENT_AVRO: &str = r#"{"payment_id": "pay-{i}", "amount": "\u0004\u00e2", "timestamp": 1700000000000, "status": "SETTLED", "note": {"string": "Made a payment of $12.50 to Bob"}}"#;
/// The Avro topic's subject (TopicNameStrategy).
const AVRO_SUBJECT: &str = "payments-avro-value";

fn avro_serializer(schema: &str) -> Action {
    Action::SetSerializer(ksim::TopicSerializers {
        topic: "payments-avro".into(),
        value_format: ksim::SerdeFormat::Avro,
        value_schema: Some(schema.into()),
        ..Default::default()
    })
}

fn steps_serialization() -> Vec<TryStep> {
    let loop_of = |topic: &str, value: &str| Action::ProduceMany {
        topic: topic.into(),
        count: 20,
        rate_per_sec: None,
        key: Some("user-{i}".into()),
        key_count: Some(5),
        value: value.into(),
        value_size_bytes: None,
        mode: ProduceMode::Async,
    };
    let compat = |level: &str| Action::SetCompatibility {
        subject: Some(AVRO_SUBJECT.into()),
        level: level.into(),
    };
    let register = || Action::RegisterSchema {
        subject: AVRO_SUBJECT.into(),
        schema: "payment_v4_without_status".into(),
    };
    vec![
        // The same 20 events in both formats.
        step(30.0, loop_of("payments-json", PAYMENT_JSON)),
        step(0.0, loop_of("payments-avro", PAYMENT_AVRO)),
        // Add a field with a default: BACKWARD accepts it as version 2.
        step(30.0, avro_serializer("payment_v2_currency")),
        step(
            0.0,
            produce(
                "payments-avro",
                Some("bob"),
                r#"{"payment_id": "pay-v2", "amount": "\u0004\u00e2", "currency": "USD", "timestamp": 1700000000000, "status": "SETTLED", "note": null}"#,
            ),
        ),
        // Add a field without a default: 409, raised as ValueSerializationError.
        step(20.0, avro_serializer("payment_v3_country_no_default")),
        step(
            0.0,
            produce(
                "payments-avro",
                Some("bob"),
                r#"{"payment_id": "pay-v3", "amount": "\u0004\u00e2", "currency": "USD", "country": "DE", "timestamp": 1700000000000, "status": "SETTLED", "note": null}"#,
            ),
        ),
        // Remove a field (status, no default): FORWARD refuses it, BACKWARD accepts it.
        step(20.0, compat("FORWARD")),
        step(0.0, register()),
        step(10.0, compat("BACKWARD")),
        step(0.0, register()),
        step(10.0, flush()),
    ]
}

// --------------------------------------------------------------- lessons --

static LESSONS: [Lesson; 12] = [
    Lesson {
        id: "events-vs-commands",
        title: "Events vs commands",
        text: "An event is a fact that already happened (past tense); a command asks one receiver to do something and may be refused. Kafka stores events in an append-only log that any number of consumers read independently; nothing in Kafka enforces the difference, it is a design choice. Which of A, B and C are events? Publish only those to the events topic.",
        scenario_json: include_str!("../lessons/events-vs-commands.json"),
        quiz: QUIZ,
        try_instruction: "Press \"Produce A\" and \"Produce C\" (the events), not B, then Flush.",
        try_control: "Quiz buttons Produce A / B / C, then Flush",
        try_steps: steps_events,
        check: check_events,
    },
    Lesson {
        id: "anatomy-of-an-event",
        title: "Anatomy of an event",
        text: "A Kafka record has an optional key (used for partitioning and compaction), a value, a timestamp and optional headers (key/value metadata such as a trace id); Kafka treats key and value as plain bytes. The producer sets the timestamp (CreateTime) unless the topic uses LogAppendTime. The broker assigns the offset on append. This simulator sends headers as text only.",
        scenario_json: include_str!("../lessons/anatomy-of-an-event.json"),
        quiz: &[],
        try_instruction: "Produce an event with key Alice, a JSON value, a header trace-id and an explicit timestamp, then Flush.",
        try_control: "Produce form: key, value, headers, timestamp",
        try_steps: steps_anatomy,
        check: check_anatomy,
    },
    Lesson {
        id: "topics-and-partitions",
        title: "Topics and partitions",
        text: "A topic is split into partitions; order is guaranteed only within one partition. librdkafka's default partitioner (consistent_random) maps a key to crc32(key) % partitions, so equal keys always land in the same partition; events without a key go to a random partition that stays the same for a short while (sticky). The Java client uses murmur2 instead of crc32, so the two clients put the same key in different partitions unless librdkafka is set to murmur2_random.",
        scenario_json: include_str!("../lessons/topics-and-partitions.json"),
        quiz: &[],
        try_instruction: "Produce 12 events with keys customer-0, customer-1, customer-2 (key_count 3) and watch where each key lands.",
        try_control: "Produce many: key template customer-{i}, key count 3",
        try_steps: steps_partitions,
        check: check_partitions,
    },
    Lesson {
        id: "retention",
        title: "Retention: segments and the log start offset",
        text: "A partition's log is kept in segments: new batches go to the active segment, which rolls when it would pass segment.bytes (1 GiB by default) or is segment.ms (7 days) old. Every log.retention.check.interval.ms (5 minutes) each broker deletes whole old segments, by age (retention.ms, 7 days) or while the log would stay above retention.bytes (unlimited by default), and the log start offset moves up to the first segment left. Offsets are never reused: the next record still gets the next offset, and a consumer asking for a deleted offset gets OFFSET_OUT_OF_RANGE. This lesson makes segments 4,000 bytes and checks every 10 s so you can watch it happen.",
        scenario_json: include_str!("../lessons/retention.json"),
        quiz: &[],
        try_instruction: "Set the topic's retention.bytes to 8000, wait for the next retention check, and watch the log start offset move.",
        try_control: "Topic config: retention.bytes = 8000",
        try_steps: steps_retention,
        check: check_retention,
    },
    Lesson {
        id: "async-vs-sync",
        title: "Asynchronous vs synchronous producer",
        text: "produce() only puts the event into a local queue and returns at once; delivery reports are served by poll() or flush(). A \"synchronous\" producer calls flush() after every produce(), so each event waits a full round trip and travels in its own request. The asynchronous loop (produce + poll(0)) lets events share batches and requests. Confluent-kafka has no send().get(); flush() per event is the synchronous idiom.",
        scenario_json: include_str!("../lessons/async-vs-sync.json"),
        quiz: &[],
        try_instruction: "After the synchronous loop has finished, run the same 50 events as an asynchronous loop and compare requests and time.",
        try_control: "Produce many: mode async",
        try_steps: steps_async,
        check: check_async_sync,
    },
    Lesson {
        id: "delivery-callbacks",
        title: "Delivery callbacks and fire-and-forget",
        text: "The delivery callback on_delivery(err, msg) runs inside poll() or flush(), once per event, with err None on success and msg.offset() set by the broker. With acks=0 the broker sends no response: librdkafka reports success as soon as the request is written, and msg.offset() is None. Fire-and-forget means the application never learns whether the event was stored.",
        scenario_json: include_str!("../lessons/delivery-callbacks.json"),
        quiz: &[],
        try_instruction: "Set acks to 0 and send 5 more events; compare their delivery reports with the first five.",
        try_control: "Producer config: acks = 0, then Produce many",
        try_steps: steps_callbacks,
        check: check_callbacks,
    },
    Lesson {
        id: "client-id",
        title: "client.id",
        text: "client.id is a name the producer sends in every request header; brokers use it in request logs, metrics and quotas, so an operator can see which application sent what. librdkafka's default is rdkafka and Java 3.6's is producer-1, -2, … — useless for telling services apart. It does not have to be unique and has no effect on delivery.",
        scenario_json: include_str!("../lessons/client-id.json"),
        quiz: &[],
        try_instruction: "Set client.id to checkout-service and produce another event.",
        try_control: "Producer config: client.id",
        try_steps: steps_client_id,
        check: check_client_id,
    },
    Lesson {
        id: "retries-and-idempotence",
        title: "Retries and idempotence",
        text: "With several requests in flight, a retried batch can land behind later ones: A, B, C become A, C, B when B fails with a retriable error. The idempotent producer gives each batch a producer id and sequence number; the broker rejects C as out of order, so the producer waits for what is in flight, bumps its epoch and resends B then C with new sequence numbers, and the broker drops duplicates from lost acks. enable.idempotence defaults to false in librdkafka 2.3 (as the lecture says) but to true in the Java client since 3.0 (effective since 3.0.1/3.2.0).",
        scenario_json: include_str!("../lessons/retries-and-idempotence.json"),
        quiz: &[],
        try_instruction: "Set enable.idempotence to true before the run, then run and read the log order.",
        try_control: "Producer config: enable.idempotence = true",
        try_steps: steps_idempotence,
        check: check_idempotence,
    },
    Lesson {
        id: "acks-and-leader-crash",
        title: "acks 0, 1, all and a leader crash",
        text: "acks=0: no answer, nothing known. acks=1: the leader answers as soon as it wrote the record, so if it crashes before a follower copied it, a new leader without the record takes over and the acknowledged record is gone. acks=all: the leader answers only when all in-sync replicas have it (at least min.insync.replicas, default 1). Both clients default to acks=all (librdkafka since 1.0, Java since 3.0). Here the controller elects a new leader after broker.session.timeout.ms (9 s); meanwhile the producer sends nothing to the dead broker, it only tries to reconnect (reconnect.backoff.ms, doubling) and waits for metadata that names the new leader.",
        scenario_json: include_str!("../lessons/acks-and-leader-crash.json"),
        quiz: &[],
        try_instruction: "Run it once as is (the acknowledged event is lost), then reset, set acks to all and run again.",
        try_control: "Producer config: acks = all",
        try_steps: steps_acks,
        check: check_acks,
    },
    Lesson {
        id: "batching",
        title: "Batching",
        text: "The producer groups events per partition into batches. In librdkafka a batch is sent when linger.ms (default 5) has passed since its oldest event, or it holds batch.num.messages (10000) events, or batch.size (1,000,000) bytes, or flush() is called. Java 3.6 has no count limit: batch.size (16384) and linger.ms (0) decide. Each librdkafka ProduceRequest carries one partition; Java's carries one batch per partition of the same broker.",
        scenario_json: include_str!("../lessons/batching.json"),
        quiz: &[],
        try_instruction: "Set batch.num.messages to 10 and send 50 events quickly; then set it back to 10000, set batch.size to 5000 and send 50 events of 500 bytes.",
        try_control: "Producer config: batch.num.messages, batch.size; Produce many",
        try_steps: steps_batching,
        check: check_batching,
    },
    Lesson {
        id: "compression",
        title: "Compression",
        text: "The producer compresses whole batches (gzip, snappy, lz4, zstd), so bigger batches compress better; compressing costs producer CPU and saves network and disk, which pays off when the network is the bottleneck, while lz4 or snappy suit cases where (de)compression speed matters. The topic's compression.type defaults to producer (keep the batch as sent); any other codec makes the broker decompress and recompress every batch that differs. Java 3.6 and librdkafka have no per-codec level setting except librdkafka's compression.level; Kafka 3.8 added levels.",
        scenario_json: include_str!("../lessons/compression.json"),
        quiz: &[],
        try_instruction: "Send 100 events with the producer's compression.type set to gzip, then snappy, lz4 and zstd, and compare the ratios; then set the topic's compression.type to zstd and send 100 lz4 events.",
        try_control: "Producer config: compression.type; Topic config: compression.type",
        try_steps: steps_compression,
        check: check_compression,
    },
    Lesson {
        id: "serialization",
        title: "Serialization: JSON vs Avro",
        text: "Serialization is the client library's job, not Kafka's: the application's serializer turns the event into bytes before produce(), and the broker stores and serves those bytes without looking at them. JSON (json.dumps) is readable but repeats every field name in every record; Avro is compact and binary because the schema carries the names and types, and Confluent's wire format puts a magic byte 0 and the 4-byte schema id in front of it. The Schema Registry keeps each subject's versions (subject <topic>-value by default) and checks every new schema against the subject's compatibility level, BACKWARD by default: a reader with the new schema must read data written with the old, so a new field needs a default; FORWARD is the other way round. Mixing formats in one topic is allowed by Kafka but breaks consumers, so one topic should keep one format. Here the registry is a single node without authentication or deletes, and one HTTP call is modelled as one round trip on the simulated network.",
        scenario_json: include_str!("../lessons/serialization.json"),
        quiz: &[],
        try_instruction: "Send 20 events as JSON and 20 as Avro and compare value_bytes; then switch the Avro serializer to a schema that adds currency with a default, then to one that adds country without a default; then set the subject to FORWARD and register a schema without status, and register it again under BACKWARD.",
        try_control: "Produce many to payments-json and payments-avro; Serializers: value schema; Schema Registry: compatibility, register schema",
        try_steps: steps_serialization,
        check: check_serialization,
    },
];
