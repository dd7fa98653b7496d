//! Scenario validation: what [`Simulation::new`](super::Simulation::new) checks before anything
//! runs, with the playground's bounds. Actions and faults are put in time order (stable, so
//! actions at the same time keep their order).

use crate::error::{ErrorCode, SimError};
use crate::scenario::{
    ms_to_us, Action, Fault, Scenario, SchemaSpec, SerdeFormat, TimedAction, TopicSerializers,
    MAX_SCHEMAS, MAX_SCHEMA_TOTAL_BYTES, SCENARIO_VERSION,
};

/// Largest partition count per topic accepted by the playground.
pub const MAX_PARTITIONS: u32 = 256;
/// Largest broker count.
pub const MAX_BROKERS: u32 = 9;
/// Cluster durations above this (ms) are capped (about 11.5 days of virtual time).
pub const MAX_SETTING_MS: u64 = 1_000_000_000;
/// Largest `count`/`after` of an injected error and largest generated value.
pub const MAX_FAULT_COUNT: u32 = 100_000;
/// The scenario's timeline in microseconds, in the order it runs.
pub(super) struct Timeline {
    pub action_times_us: Vec<u64>,
    pub fault_times_us: Vec<u64>,
    pub max_time_us: u64,
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

/// Checks the scenario's version, cluster, links, clocks, limits and faults, and sorts its
/// actions and faults by time.
pub(super) fn check_and_order(scenario: &mut Scenario) -> Result<Timeline, SimError> {
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
    if c.record_bytes_budget_mb == 0
        || c.record_bytes_budget_mb > crate::scenario::MAX_RECORD_BYTES_BUDGET_MB
    {
        return Err(SimError::InvalidScenario(format!(
            "cluster.record_bytes_budget_mb must be 1..={}, got {}",
            crate::scenario::MAX_RECORD_BYTES_BUDGET_MB,
            c.record_bytes_budget_mb
        )));
    }
    if c.log_retention_check_interval_ms == 0 || c.log_retention_check_interval_ms > MAX_SETTING_MS
    {
        return Err(SimError::InvalidScenario(format!(
            "cluster.log_retention_check_interval_ms must be 1..={MAX_SETTING_MS}, got {}",
            c.log_retention_check_interval_ms
        )));
    }
    // Kafka's `num.partitions` is at least 1 (`KafkaConfig`, `atLeast(1)`); both are bounded by
    // what the playground runs. The driver still caps the replication factor of an auto-created
    // topic at the broker count.
    if c.num_partitions == 0 || c.num_partitions > MAX_PARTITIONS {
        return Err(SimError::InvalidScenario(format!(
            "cluster.num_partitions (num.partitions) must be 1..={MAX_PARTITIONS}, got {}",
            c.num_partitions
        )));
    }
    if c.default_replication_factor == 0 || c.default_replication_factor > MAX_BROKERS {
        return Err(SimError::InvalidScenario(format!(
            "cluster.default_replication_factor (default.replication.factor) must be 1..={MAX_BROKERS}, got {}",
            c.default_replication_factor
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
    check_schemas(scenario)?;
    let max_time_us = ms_to_us(scenario.limits.max_time_ms, "limits.max_time_ms")?;
    let (actions, action_times_us) = sorted_stable(
        &scenario.actions,
        |a: &TimedAction| a.at_ms,
        "actions.at_ms",
    )?;
    let (faults, fault_times_us) = sorted_stable(&scenario.faults, |f| f.at_ms, "faults.at_ms")?;
    for f in &faults {
        validate_fault(&f.fault, c.brokers)?;
    }
    for a in &actions {
        match &a.action {
            Action::SetSerializer(s) => check_serializers(s, &scenario.schemas)?,
            Action::RegisterSchema { subject, schema } => {
                check_subject(subject)?;
                schema_text(&scenario.schemas, schema)?;
            }
            Action::SetCompatibility { subject, level } => {
                if let Some(s) = subject {
                    check_subject(s)?;
                }
                compatibility_level(level)?;
            }
            _ => {}
        }
    }
    scenario.actions = actions;
    scenario.faults = faults;
    Ok(Timeline {
        action_times_us,
        fault_times_us,
        max_time_us,
    })
}

/// Checks that a fault names existing nodes and valid values.
pub(super) fn validate_fault(f: &Fault, brokers: u32) -> Result<(), SimError> {
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

/// Longest schema name (`schemas[].name`).
pub const MAX_SCHEMA_NAME_CHARS: usize = 64;
/// Longest subject name; Confluent's registry takes any string, the playground bounds it
/// (a topic name is at most 249 characters, plus `-value`).
pub const MAX_SUBJECT_CHARS: usize = 255;

fn invalid(m: String) -> SimError {
    SimError::InvalidScenario(m)
}

/// The schemas (bounded, named once, each a valid Avro schema: kavro's message names the
/// place), the registry settings and the serializers.
fn check_schemas(scenario: &Scenario) -> Result<(), SimError> {
    if scenario.schemas.len() > MAX_SCHEMAS {
        return Err(invalid(format!(
            "at most {MAX_SCHEMAS} schemas, got {}",
            scenario.schemas.len()
        )));
    }
    let total: usize = scenario.schemas.iter().map(|s| s.schema.len()).sum();
    if total > MAX_SCHEMA_TOTAL_BYTES {
        return Err(invalid(format!(
            "the schemas hold {total} bytes of text together, at most {MAX_SCHEMA_TOTAL_BYTES}"
        )));
    }
    for (i, s) in scenario.schemas.iter().enumerate() {
        if s.name.is_empty() || s.name.chars().count() > MAX_SCHEMA_NAME_CHARS {
            return Err(invalid(format!(
                "schemas[{i}].name must be 1..={MAX_SCHEMA_NAME_CHARS} characters"
            )));
        }
        if scenario.schemas[..i].iter().any(|o| o.name == s.name) {
            return Err(invalid(format!(
                "schemas[{i}]: the name {:?} is used twice",
                s.name
            )));
        }
        if let Err(e) = kavro::Schema::parse(&s.schema) {
            return Err(invalid(format!("schemas[{i}] ({}): {e}", s.name)));
        }
    }
    if let Some(r) = &scenario.schema_registry {
        ms_to_us(r.latency_ms, "schema_registry.latency_ms")?;
        compatibility_level(&r.compatibility)?;
        for (subject, level) in &r.subjects {
            check_subject(subject)?;
            compatibility_level(level)?;
        }
    }
    for (i, s) in scenario.serializers.iter().enumerate() {
        check_serializers(s, &scenario.schemas)?;
        if scenario.serializers[..i].iter().any(|o| o.topic == s.topic) {
            return Err(invalid(format!(
                "serializers[{i}]: topic {} has serializers twice",
                s.topic
            )));
        }
    }
    Ok(())
}

/// A topic's serializers: a legal topic name, and an Avro format names a defined schema
/// (other formats name none).
pub(super) fn check_serializers(
    s: &TopicSerializers,
    schemas: &[SchemaSpec],
) -> Result<(), SimError> {
    crate::topic::validate_topic_name(&s.topic)?;
    for (field, format, schema) in [
        ("key", s.key_format, &s.key_schema),
        ("value", s.value_format, &s.value_schema),
    ] {
        match (format, schema) {
            (SerdeFormat::Avro, Some(name)) => {
                schema_text(schemas, name)?;
            }
            (SerdeFormat::Avro, None) => {
                return Err(invalid(format!(
                    "serializers for {}: {field}_format avro needs {field}_schema (the name of one of the scenario's schemas)",
                    s.topic
                )))
            }
            (_, Some(_)) => {
                return Err(invalid(format!(
                    "serializers for {}: {field}_schema is only for {field}_format avro",
                    s.topic
                )))
            }
            (_, None) => {}
        }
    }
    Ok(())
}

/// The text of the schema called `name`.
pub(super) fn schema_text<'a>(schemas: &'a [SchemaSpec], name: &str) -> Result<&'a str, SimError> {
    schemas
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.schema.as_str())
        .ok_or_else(|| {
            let known: Vec<&str> = schemas.iter().map(|s| s.name.as_str()).collect();
            invalid(format!(
                "no schema named {name:?} (the scenario's schemas: {known:?})"
            ))
        })
}

pub(super) fn check_subject(subject: &str) -> Result<(), SimError> {
    if subject.is_empty() || subject.chars().count() > MAX_SUBJECT_CHARS {
        return Err(invalid(format!(
            "a subject must be 1..={MAX_SUBJECT_CHARS} characters"
        )));
    }
    Ok(())
}

/// A compatibility level by its registry name; otherwise the registry's own 422 text
/// (`Invalid compatibility level. Valid values are none, backward, forward, full,
/// backward_transitive, forward_transitive, and full_transitive`, error code 42203).
pub(super) fn compatibility_level(name: &str) -> Result<kavro::CompatibilityLevel, SimError> {
    kavro::CompatibilityLevel::parse(name).ok_or_else(|| {
        invalid(format!(
            "{name:?}: Invalid compatibility level. Valid values are NONE, BACKWARD, FORWARD, FULL, BACKWARD_TRANSITIVE, FORWARD_TRANSITIVE and FULL_TRANSITIVE"
        ))
    })
}
