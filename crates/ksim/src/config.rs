//! Producer configuration with each client's names, defaults and validation (docs/kafka-sources.md §3).
//!
//! [`ProducerSettings::from_spec`] turns the user's config dict into effective settings, exactly
//! like creating `confluent_kafka.Producer(conf)` (librdkafka profile) or `new KafkaProducer(props)`
//! (Java profile): unknown names and out-of-range values are rejected, idempotence adjusts unset
//! properties and rejects explicit conflicts with librdkafka's texts (docs/kafka-sources.md §3.2; librdkafka
//! `rd_kafka_conf_finalize`, `rd_kafka_topic_conf_finalize`). Each effective value records where it came from, so the UI can say which
//! client a default belongs to.

use crate::error::SimError;
use crate::scenario::{ClientProfile, ProducerSpec};
use kwire::Codec;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Key → partition mapping (docs/kafka-sources.md §3, partitioner).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Partitioner {
    /// librdkafka default: `crc32(key) % n`; null/empty keys random (sticky).
    ConsistentRandom,
    /// `crc32(key) % n` for every key, also empty/null.
    Consistent,
    /// Java-compatible: `(murmur2(key) & 0x7fffffff) % n`; null keys random (sticky).
    Murmur2Random,
    /// murmur2 for every key.
    Murmur2,
    /// Random partition per message (sticky for `sticky.partitioning.linger.ms`).
    Random,
    /// Java 3.6 built-in: murmur2 for keys; null keys sticky, switching after `batch.size` bytes.
    JavaBuiltIn,
}

/// Where an effective value came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConfigSource {
    /// The client's default (the profile says which client).
    Default,
    /// Set by the user.
    User,
    /// Adjusted automatically (e.g. by `enable.idempotence`).
    Adjusted,
}

/// One effective configuration value, for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigEntry {
    pub name: String,
    pub value: String,
    pub source: ConfigSource,
}

/// The effective producer settings the simulation uses.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerSettings {
    pub profile: ClientProfile,
    pub client_id: String,
    /// −1 (all), 0 or 1; other values are sent and the broker answers `INVALID_REQUIRED_ACKS`.
    pub acks: i16,
    pub enable_idempotence: bool,
    pub retries: u32,
    pub retry_backoff_ms: u64,
    /// librdkafka 2.3 and Java 3.7+: exponential backoff cap; Java 3.6 is constant (= backoff).
    pub retry_backoff_max_ms: u64,
    /// `linger.ms` in microseconds (librdkafka accepts fractions).
    pub linger_us: u64,
    /// librdkafka `batch.num.messages`; Java has no such limit (u32::MAX).
    pub batch_num_messages: u32,
    pub batch_size_bytes: usize,
    /// librdkafka `message.max.bytes` / Java `max.request.size`.
    pub message_max_bytes: usize,
    pub max_in_flight: u32,
    /// librdkafka `message.timeout.ms` / Java `delivery.timeout.ms` (0 = infinite, librdkafka).
    pub message_timeout_ms: u64,
    /// librdkafka `topic.metadata.propagation.max.ms` (default 30 000): how long after the
    /// producer first names a topic a Metadata response saying it does not exist is not believed
    /// (`rd_kafka_topic_set_notexists`). `None` for Java, whose messages wait until their
    /// timeout.
    pub metadata_propagation_max_ms: Option<u64>,
    /// Sent in the ProduceRequest as the broker's acks=all wait (`timeoutMs`).
    pub request_timeout_ms: u64,
    /// Client-side request timeout: librdkafka `socket.timeout.ms`, Java `request.timeout.ms`.
    pub socket_timeout_ms: u64,
    /// `reconnect.backoff.ms`: the first wait before reconnecting to a broker.
    pub reconnect_backoff_ms: u64,
    /// `reconnect.backoff.max.ms`: the longest wait before reconnecting.
    pub reconnect_backoff_max_ms: u64,
    /// `socket.connection.setup.timeout.ms`: how long a connection attempt may take (Java: its
    /// first value; Java grows it up to `socket.connection.setup.timeout.max.ms`).
    pub connection_setup_timeout_ms: u64,
    pub compression: Codec,
    pub compression_level: Option<i32>,
    pub queue_max_messages: u64,
    pub queue_max_kbytes: u64,
    pub partitioner: Partitioner,
    pub sticky_linger_ms: u64,
    /// Java `partitioner.ignore.keys`: keyed records are partitioned the sticky way too.
    pub ignore_keys: bool,
    /// Every effective value with its source, sorted by name.
    pub entries: Vec<ConfigEntry>,
}

struct Def {
    name: &'static str,
    aliases: &'static [&'static str],
    default: &'static str,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    Int(i64, i64),
    Float(f64, f64),
    Bool,
    Enum(&'static [&'static str]),
    Str,
    /// Accepted and ignored (e.g. `bootstrap.servers`).
    Ignored,
}

const CODECS: &[&str] = &["none", "gzip", "snappy", "lz4", "zstd"];

/// librdkafka 2.3 producer properties modelled here (RDK `CONFIGURATION.md`).
const RDK: &[Def] = &[
    Def {
        name: "client.id",
        aliases: &[],
        default: "rdkafka",
        kind: Kind::Str,
    },
    Def {
        name: "request.required.acks",
        aliases: &["acks"],
        default: "-1",
        kind: Kind::Int(-1, 1000),
    },
    Def {
        name: "enable.idempotence",
        aliases: &[],
        default: "false",
        kind: Kind::Bool,
    },
    Def {
        name: "message.send.max.retries",
        aliases: &["retries"],
        default: "2147483647",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "retry.backoff.ms",
        aliases: &[],
        default: "100",
        kind: Kind::Int(1, 300000),
    },
    Def {
        name: "retry.backoff.max.ms",
        aliases: &[],
        default: "1000",
        kind: Kind::Int(1, 300000),
    },
    Def {
        name: "queue.buffering.max.ms",
        aliases: &["linger.ms"],
        default: "5",
        kind: Kind::Float(0.0, 900000.0),
    },
    Def {
        name: "batch.num.messages",
        aliases: &[],
        default: "10000",
        kind: Kind::Int(1, 1000000),
    },
    Def {
        name: "batch.size",
        aliases: &[],
        default: "1000000",
        kind: Kind::Int(1, 2147483647),
    },
    Def {
        name: "message.max.bytes",
        aliases: &[],
        default: "1000000",
        kind: Kind::Int(1000, 1000000000),
    },
    Def {
        name: "max.in.flight.requests.per.connection",
        aliases: &["max.in.flight"],
        default: "1000000",
        kind: Kind::Int(1, 1000000),
    },
    Def {
        name: "topic.metadata.propagation.max.ms",
        aliases: &[],
        default: "30000",
        kind: Kind::Int(0, 3600000),
    },
    Def {
        name: "message.timeout.ms",
        aliases: &["delivery.timeout.ms"],
        default: "300000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "request.timeout.ms",
        aliases: &[],
        default: "30000",
        kind: Kind::Int(1, 900000),
    },
    Def {
        name: "socket.timeout.ms",
        aliases: &[],
        default: "60000",
        kind: Kind::Int(10, 300000),
    },
    Def {
        name: "reconnect.backoff.ms",
        aliases: &[],
        default: "100",
        kind: Kind::Int(0, 3600000),
    },
    Def {
        name: "reconnect.backoff.max.ms",
        aliases: &[],
        default: "10000",
        kind: Kind::Int(0, 3600000),
    },
    Def {
        name: "socket.connection.setup.timeout.ms",
        aliases: &[],
        default: "30000",
        kind: Kind::Int(1000, 2147483647),
    },
    Def {
        name: "compression.codec",
        aliases: &["compression.type"],
        default: "none",
        kind: Kind::Enum(CODECS),
    },
    Def {
        name: "compression.level",
        aliases: &[],
        default: "-1",
        kind: Kind::Int(-1, 12),
    },
    Def {
        name: "queue.buffering.max.messages",
        aliases: &[],
        default: "100000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "queue.buffering.backpressure.threshold",
        aliases: &[],
        default: "1",
        kind: Kind::Int(1, 1000000),
    },
    Def {
        name: "queue.buffering.max.kbytes",
        aliases: &[],
        default: "1048576",
        kind: Kind::Int(1, 2147483647),
    },
    Def {
        name: "partitioner",
        aliases: &[],
        default: "consistent_random",
        kind: Kind::Enum(&[
            "random",
            "consistent",
            "consistent_random",
            "murmur2",
            "murmur2_random",
        ]),
    },
    Def {
        name: "sticky.partitioning.linger.ms",
        aliases: &[],
        default: "10",
        kind: Kind::Int(0, 900000),
    },
    Def {
        name: "queue.buffering.backpressure.threshold",
        aliases: &[],
        default: "1",
        kind: Kind::Int(1, 1000000),
    },
    Def {
        name: "bootstrap.servers",
        aliases: &["metadata.broker.list"],
        default: "",
        kind: Kind::Ignored,
    },
];

/// Java 3.6 producer properties modelled here (Kafka `ProducerConfig`'s `CONFIG` definition, docs/kafka-sources.md §3).
const JAVA: &[Def] = &[
    Def {
        name: "client.id",
        aliases: &[],
        default: "producer-1",
        kind: Kind::Str,
    },
    Def {
        name: "acks",
        aliases: &[],
        default: "all",
        kind: Kind::Enum(&["all", "-1", "0", "1"]),
    },
    Def {
        name: "enable.idempotence",
        aliases: &[],
        default: "true",
        kind: Kind::Bool,
    },
    Def {
        name: "retries",
        aliases: &[],
        default: "2147483647",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "retry.backoff.ms",
        aliases: &[],
        default: "100",
        kind: Kind::Int(0, i64::MAX),
    },
    Def {
        name: "linger.ms",
        aliases: &[],
        default: "0",
        kind: Kind::Int(0, i64::MAX),
    },
    Def {
        name: "batch.size",
        aliases: &[],
        default: "16384",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "max.request.size",
        aliases: &[],
        default: "1048576",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "max.in.flight.requests.per.connection",
        aliases: &[],
        default: "5",
        kind: Kind::Int(1, 2147483647),
    },
    Def {
        name: "delivery.timeout.ms",
        aliases: &[],
        default: "120000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "reconnect.backoff.ms",
        aliases: &[],
        default: "50",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "reconnect.backoff.max.ms",
        aliases: &[],
        default: "1000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "socket.connection.setup.timeout.ms",
        aliases: &[],
        default: "10000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "request.timeout.ms",
        aliases: &[],
        default: "30000",
        kind: Kind::Int(0, 2147483647),
    },
    Def {
        name: "compression.type",
        aliases: &[],
        default: "none",
        kind: Kind::Enum(CODECS),
    },
    Def {
        name: "buffer.memory",
        aliases: &[],
        default: "33554432",
        kind: Kind::Int(0, i64::MAX),
    },
    Def {
        name: "partitioner.ignore.keys",
        aliases: &[],
        default: "false",
        kind: Kind::Bool,
    },
    Def {
        name: "bootstrap.servers",
        aliases: &[],
        default: "",
        kind: Kind::Ignored,
    },
];

fn rd_err(msg: String) -> SimError {
    SimError::Config(msg)
}

/// Validated raw values: canonical name → (value, source).
type Values = BTreeMap<&'static str, (String, ConfigSource)>;

fn resolve(
    defs: &'static [Def],
    user: &BTreeMap<String, String>,
    java: bool,
) -> Result<Values, SimError> {
    let mut vals: Values = BTreeMap::new();
    for d in defs {
        vals.insert(d.name, (d.default.to_string(), ConfigSource::Default));
    }
    for (k, v) in user {
        let Some(d) = defs
            .iter()
            .find(|d| d.name == k || d.aliases.contains(&k.as_str()))
        else {
            if k.starts_with("test.mock.") {
                continue;
            }
            return Err(rd_err(if java {
                format!("Unknown producer config \"{k}\" (not modelled by the Java 3.6 profile)")
            } else {
                format!("No such configuration property: \"{k}\"")
            }));
        };
        let bad = || {
            rd_err(if java {
                format!("Invalid value {v} for configuration {}", d.name)
            } else {
                format!(
                    "Invalid value \"{v}\" for configuration property \"{}\"",
                    d.name
                )
            })
        };
        let range = |lo: String, hi: String| {
            rd_err(if java {
                format!("Invalid value {v} for configuration {}: Value must be in range [{lo},...,{hi}]", d.name)
            } else {
                format!(
                    "Configuration property \"{}\" value {v} is outside allowed range {lo}..{hi}",
                    d.name
                )
            })
        };
        let val = v.trim().to_string();
        match d.kind {
            Kind::Int(lo, hi) => {
                let n: i64 = match (val.as_str(), java) {
                    ("all", false) if d.name == "request.required.acks" => -1,
                    _ => val.parse().map_err(|_| bad())?,
                };
                if n < lo || n > hi {
                    return Err(range(lo.to_string(), hi.to_string()));
                }
                vals.insert(d.name, (n.to_string(), ConfigSource::User));
            }
            Kind::Float(lo, hi) => {
                let n: f64 = val.parse().map_err(|_| bad())?;
                if !n.is_finite() || n < lo || n > hi {
                    return Err(range(format!("{lo}"), format!("{hi}")));
                }
                vals.insert(d.name, (val, ConfigSource::User));
            }
            Kind::Bool => {
                let b = match val.to_ascii_lowercase().as_str() {
                    "true" | "1" => "true",
                    "false" | "0" => "false",
                    _ => return Err(bad()),
                };
                vals.insert(d.name, (b.to_string(), ConfigSource::User));
            }
            Kind::Enum(options) => {
                let lower = val.to_ascii_lowercase();
                if !options.contains(&lower.as_str()) {
                    return Err(bad());
                }
                vals.insert(d.name, (lower, ConfigSource::User));
            }
            Kind::Str => {
                vals.insert(d.name, (val, ConfigSource::User));
            }
            Kind::Ignored => {}
        }
    }
    Ok(vals)
}

fn int(vals: &Values, name: &str) -> i64 {
    vals.get(name)
        .and_then(|(v, _)| v.parse().ok())
        .unwrap_or(0)
}

fn text<'a>(vals: &'a Values, name: &str) -> &'a str {
    vals.get(name).map(|(v, _)| v.as_str()).unwrap_or("")
}

fn is_user(vals: &Values, name: &str) -> bool {
    matches!(vals.get(name), Some((_, ConfigSource::User)))
}

impl ProducerSettings {
    /// Validates a producer spec like the client does at creation.
    pub fn from_spec(spec: &ProducerSpec) -> Result<ProducerSettings, SimError> {
        match spec.profile {
            ClientProfile::Librdkafka => Self::librdkafka(&spec.config),
            ClientProfile::Java => Self::java(&spec.config),
        }
    }

    /// librdkafka 2.3 (docs/kafka-sources.md §3, §3.2).
    fn librdkafka(user: &BTreeMap<String, String>) -> Result<ProducerSettings, SimError> {
        let mut vals = resolve(RDK, user, false)?;
        let idem = text(&vals, "enable.idempotence") == "true";
        if idem {
            // Explicit conflicts fail with librdkafka's exact texts (`rd_kafka_topic_conf_finalize`, docs/kafka-sources.md §3.2).
            if is_user(&vals, "request.required.acks") && int(&vals, "request.required.acks") != -1
            {
                return Err(rd_err(
                    "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true".into(),
                ));
            }
            if is_user(&vals, "max.in.flight.requests.per.connection")
                && int(&vals, "max.in.flight.requests.per.connection") > 5
            {
                return Err(rd_err(
                    "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true"
                        .into(),
                ));
            }
            if is_user(&vals, "message.send.max.retries")
                && int(&vals, "message.send.max.retries") < 1
            {
                return Err(rd_err(
                    "Failed to create producer: `retries` must be set >= 1 when `enable.idempotence` is true".into(),
                ));
            }
            if is_user(&vals, "queue.buffering.backpressure.threshold")
                && int(&vals, "queue.buffering.backpressure.threshold") > 1
            {
                return Err(rd_err(
                    "Failed to create producer: `queue.buffering.backpressure.threshold` must be set to 1 when `enable.idempotence` is true".into(),
                ));
            }
            // Unset ones are adjusted automatically.
            for (name, v) in [
                ("request.required.acks", "-1"),
                ("max.in.flight.requests.per.connection", "5"),
                ("message.send.max.retries", "2147483647"),
            ] {
                if !is_user(&vals, name) {
                    vals.insert(name, (v.to_string(), ConfigSource::Adjusted));
                }
            }
        }
        let mut linger_ms: f64 = text(&vals, "queue.buffering.max.ms").parse().unwrap_or(5.0);
        // `rd_kafka_conf_finalize`: message.timeout.ms must exceed linger.ms; an unset linger.ms
        // is lowered to fit instead.
        let message_timeout_ms = int(&vals, "message.timeout.ms") as f64;
        if message_timeout_ms != 0.0 && message_timeout_ms <= linger_ms {
            if is_user(&vals, "queue.buffering.max.ms") {
                return Err(rd_err(
                    "Failed to create producer: `message.timeout.ms` must be greater than `linger.ms`"
                        .into(),
                ));
            }
            linger_ms = message_timeout_ms - 0.1;
        }
        // sticky.partitioning.linger.ms defaults to twice linger.ms (`rd_kafka_conf_finalize`),
        // so linger.ms = 0 means a random partition for every record without a key.
        let sticky_linger_ms = if is_user(&vals, "sticky.partitioning.linger.ms") {
            int(&vals, "sticky.partitioning.linger.ms") as u64
        } else {
            (2.0 * linger_ms).min(900_000.0) as u64
        };
        let codec = Codec::from_name(text(&vals, "compression.codec")).unwrap_or(Codec::None);
        let level = int(&vals, "compression.level");
        let partitioner = match text(&vals, "partitioner") {
            "random" => Partitioner::Random,
            "consistent" => Partitioner::Consistent,
            "murmur2" => Partitioner::Murmur2,
            "murmur2_random" => Partitioner::Murmur2Random,
            _ => Partitioner::ConsistentRandom,
        };
        Ok(ProducerSettings {
            profile: ClientProfile::Librdkafka,
            client_id: text(&vals, "client.id").to_string(),
            acks: int(&vals, "request.required.acks").clamp(-1, 1000) as i16,
            enable_idempotence: idem,
            retries: int(&vals, "message.send.max.retries") as u32,
            retry_backoff_ms: int(&vals, "retry.backoff.ms") as u64,
            retry_backoff_max_ms: int(&vals, "retry.backoff.max.ms") as u64,
            linger_us: (linger_ms * 1000.0).round() as u64,
            batch_num_messages: int(&vals, "batch.num.messages") as u32,
            batch_size_bytes: int(&vals, "batch.size") as usize,
            message_max_bytes: int(&vals, "message.max.bytes") as usize,
            max_in_flight: int(&vals, "max.in.flight.requests.per.connection") as u32,
            message_timeout_ms: int(&vals, "message.timeout.ms") as u64,
            metadata_propagation_max_ms: Some(
                int(&vals, "topic.metadata.propagation.max.ms") as u64
            ),
            request_timeout_ms: int(&vals, "request.timeout.ms") as u64,
            socket_timeout_ms: int(&vals, "socket.timeout.ms") as u64,
            reconnect_backoff_ms: int(&vals, "reconnect.backoff.ms") as u64,
            reconnect_backoff_max_ms: int(&vals, "reconnect.backoff.max.ms") as u64,
            connection_setup_timeout_ms: int(&vals, "socket.connection.setup.timeout.ms") as u64,
            compression: codec,
            compression_level: if level < 0 { None } else { Some(level as i32) },
            // 0 disables the limit (librdkafka CONFIGURATION.md).
            queue_max_messages: match int(&vals, "queue.buffering.max.messages") {
                0 => u64::MAX,
                n => n as u64,
            },
            queue_max_kbytes: int(&vals, "queue.buffering.max.kbytes") as u64,
            partitioner,
            sticky_linger_ms,
            ignore_keys: false,
            entries: entries(&vals),
        })
    }

    /// Java 3.6 (docs/kafka-sources.md §3, §3.2, §4.1).
    fn java(user: &BTreeMap<String, String>) -> Result<ProducerSettings, SimError> {
        let mut vals = resolve(JAVA, user, true)?;
        let acks = match text(&vals, "acks") {
            "all" | "-1" => -1,
            "0" => 0,
            _ => 1,
        };
        let retries = int(&vals, "retries");
        let inflight = int(&vals, "max.in.flight.requests.per.connection");
        let mut idem = text(&vals, "enable.idempotence") == "true";
        if idem {
            let conflict = acks != -1 || retries < 1 || inflight > 5;
            if conflict && is_user(&vals, "enable.idempotence") {
                let which = if inflight > 5 {
                    "Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer."
                } else if retries < 1 {
                    "Must set retries to non-zero when using the idempotent producer."
                } else {
                    "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence."
                };
                return Err(rd_err(format!("ConfigException: {which}")));
            }
            if conflict {
                // Defaulted idempotence is silently turned off (ProducerConfig L512–560).
                idem = false;
                vals.insert(
                    "enable.idempotence",
                    ("false".into(), ConfigSource::Adjusted),
                );
            }
        }
        let linger_ms = (int(&vals, "linger.ms") as u64).min(900_000_000);
        let request_timeout_ms = (int(&vals, "request.timeout.ms") as u64).min(900_000_000);
        let mut delivery_ms = (int(&vals, "delivery.timeout.ms") as u64).min(2_147_483_647);
        if delivery_ms < linger_ms + request_timeout_ms {
            if is_user(&vals, "delivery.timeout.ms") {
                return Err(rd_err(
                    "ConfigException: delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms"
                        .into(),
                ));
            }
            delivery_ms = linger_ms + request_timeout_ms;
            vals.insert(
                "delivery.timeout.ms",
                (delivery_ms.to_string(), ConfigSource::Adjusted),
            );
        }
        let codec = Codec::from_name(text(&vals, "compression.type")).unwrap_or(Codec::None);
        let batch_size = int(&vals, "batch.size") as usize;
        let memory = int(&vals, "buffer.memory") as u64;
        Ok(ProducerSettings {
            profile: ClientProfile::Java,
            client_id: text(&vals, "client.id").to_string(),
            acks,
            enable_idempotence: idem,
            retries: retries as u32,
            retry_backoff_ms: (int(&vals, "retry.backoff.ms") as u64).min(900_000_000),
            retry_backoff_max_ms: (int(&vals, "retry.backoff.ms") as u64).min(900_000_000),
            linger_us: linger_ms * 1000,
            batch_num_messages: u32::MAX,
            // batch.size = 0 disables batching: one record per batch.
            batch_size_bytes: batch_size.max(1),
            message_max_bytes: int(&vals, "max.request.size") as usize,
            max_in_flight: inflight as u32,
            message_timeout_ms: delivery_ms,
            metadata_propagation_max_ms: None,
            request_timeout_ms,
            socket_timeout_ms: request_timeout_ms,
            reconnect_backoff_ms: (int(&vals, "reconnect.backoff.ms") as u64).min(900_000_000),
            reconnect_backoff_max_ms: (int(&vals, "reconnect.backoff.max.ms") as u64)
                .min(900_000_000),
            connection_setup_timeout_ms: (int(&vals, "socket.connection.setup.timeout.ms") as u64)
                .min(900_000_000),
            compression: codec,
            compression_level: None,
            queue_max_messages: u64::MAX,
            queue_max_kbytes: memory / 1024,
            partitioner: Partitioner::JavaBuiltIn,
            sticky_linger_ms: 0,
            ignore_keys: text(&vals, "partitioner.ignore.keys") == "true",
            entries: entries(&vals),
        })
    }
}

fn entries(vals: &Values) -> Vec<ConfigEntry> {
    vals.iter()
        .filter(|(k, _)| !k.contains("bootstrap") && !k.ends_with(".note"))
        .map(|(k, (v, s))| ConfigEntry {
            name: k.to_string(),
            value: v.clone(),
            source: *s,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(pairs: &[(&str, &str)]) -> ProducerSpec {
        ProducerSpec {
            profile: ClientProfile::Librdkafka,
            config: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn librdkafka_defaults() {
        let s = ProducerSettings::from_spec(&spec(&[])).unwrap();
        assert_eq!(s.acks, -1);
        assert!(!s.enable_idempotence);
        assert_eq!(s.linger_us, 5000);
        assert_eq!(s.batch_num_messages, 10000);
        assert_eq!(s.max_in_flight, 1_000_000);
        assert_eq!(s.message_timeout_ms, 300_000);
    }

    #[test]
    fn idempotence_conflicts_use_librdkafka_texts() {
        let e =
            ProducerSettings::from_spec(&spec(&[("enable.idempotence", "true"), ("acks", "1")]))
                .unwrap_err();
        assert_eq!(
            e,
            SimError::Config(
                "Failed to create producer: `acks` must be set to `all` when `enable.idempotence` is true".into()
            )
        );
        let s = ProducerSettings::from_spec(&spec(&[("enable.idempotence", "true")])).unwrap();
        assert_eq!(s.max_in_flight, 5);
        assert_eq!(s.acks, -1);
    }

    #[test]
    fn java_defaults_and_silent_idempotence_off() {
        let j = |pairs: &[(&str, &str)]| {
            ProducerSettings::from_spec(&ProducerSpec {
                profile: ClientProfile::Java,
                config: pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
        };
        let s = j(&[]).unwrap();
        assert!(s.enable_idempotence);
        assert_eq!(s.linger_us, 0);
        assert_eq!(s.batch_size_bytes, 16384);
        assert!(!j(&[("acks", "1")]).unwrap().enable_idempotence);
        assert!(j(&[("acks", "1"), ("enable.idempotence", "true")]).is_err());
    }

    #[test]
    fn librdkafka_checks_what_rd_kafka_conf_finalize_checks() {
        let r = |c: &[(&str, &str)]| {
            ProducerSettings::from_spec(&ProducerSpec {
                profile: ClientProfile::Librdkafka,
                config: c
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            })
        };
        let err = |c| r(c).unwrap_err().to_string();
        assert!(err(&[("message.timeout.ms", "5"), ("linger.ms", "5")])
            .ends_with("`message.timeout.ms` must be greater than `linger.ms`"));
        let adjusted = r(&[("message.timeout.ms", "3")]).unwrap();
        assert_eq!(
            adjusted.linger_us, 2900,
            "an unset linger.ms is lowered below the timeout"
        );
        assert!(err(&[
            ("enable.idempotence", "true"),
            ("queue.buffering.backpressure.threshold", "2")
        ])
        .ends_with("must be set to 1 when `enable.idempotence` is true"));
        assert_eq!(
            r(&[("queue.buffering.max.messages", "0")])
                .unwrap()
                .queue_max_messages,
            u64::MAX,
            "0 means no limit"
        );
        assert_eq!(
            r(&[("linger.ms", "0")]).unwrap().sticky_linger_ms,
            0,
            "2 × linger.ms"
        );
        assert_eq!(r(&[("linger.ms", "30")]).unwrap().sticky_linger_ms, 60);
        let set = r(&[("linger.ms", "30"), ("sticky.partitioning.linger.ms", "7")]).unwrap();
        assert_eq!(set.sticky_linger_ms, 7);
    }

    #[test]
    fn setting_names_resolve_through_aliases_to_both_clients() {
        assert_eq!(librdkafka_name("linger.ms"), Some("queue.buffering.max.ms"));
        assert_eq!(lecture_name("queue.buffering.max.ms"), "linger.ms");
        assert_eq!(lecture_name("batch.num.messages"), "batch.num.messages");
        assert_eq!(java_name("linger.ms"), Some("linger.ms"));
        assert_eq!(java_name("message.timeout.ms"), Some("delivery.timeout.ms"));
        assert_eq!(java_name("acks"), Some("acks"));
        assert_eq!(java_name("message.max.bytes"), Some("max.request.size"));
        assert_eq!(java_name("batch.num.messages"), None, "librdkafka only");
        for s in SAME_SETTINGS {
            assert_eq!(librdkafka_name(s.librdkafka), Some(s.librdkafka), "{s:?}");
            assert!(
                JAVA.iter().any(|d| d.name == s.java),
                "{} is not a Java 3.6 setting here",
                s.java
            );
        }
    }
}

/// A librdkafka 2.3 setting and the Java 3.6 producer setting with the same meaning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SameSetting {
    pub librdkafka: &'static str,
    pub java: &'static str,
}

/// The settings both clients have with the same meaning (docs/kafka-sources.md §3; librdkafka
/// `CONFIGURATION.md`, Kafka `ProducerConfig`). The one list that the settings panel and the
/// Java code export read. librdkafka's `message.max.bytes` caps a request like Java's
/// `max.request.size`; `request.timeout.ms` is only the broker's acks wait in librdkafka.
pub const SAME_SETTINGS: &[SameSetting] = &[
    SameSetting {
        librdkafka: "client.id",
        java: "client.id",
    },
    SameSetting {
        librdkafka: "request.required.acks",
        java: "acks",
    },
    SameSetting {
        librdkafka: "enable.idempotence",
        java: "enable.idempotence",
    },
    SameSetting {
        librdkafka: "message.send.max.retries",
        java: "retries",
    },
    SameSetting {
        librdkafka: "retry.backoff.ms",
        java: "retry.backoff.ms",
    },
    SameSetting {
        librdkafka: "queue.buffering.max.ms",
        java: "linger.ms",
    },
    SameSetting {
        librdkafka: "batch.size",
        java: "batch.size",
    },
    SameSetting {
        librdkafka: "message.max.bytes",
        java: "max.request.size",
    },
    SameSetting {
        librdkafka: "max.in.flight.requests.per.connection",
        java: "max.in.flight.requests.per.connection",
    },
    SameSetting {
        librdkafka: "message.timeout.ms",
        java: "delivery.timeout.ms",
    },
    SameSetting {
        librdkafka: "request.timeout.ms",
        java: "request.timeout.ms",
    },
    SameSetting {
        librdkafka: "compression.codec",
        java: "compression.type",
    },
    SameSetting {
        librdkafka: "reconnect.backoff.ms",
        java: "reconnect.backoff.ms",
    },
    SameSetting {
        librdkafka: "reconnect.backoff.max.ms",
        java: "reconnect.backoff.max.ms",
    },
    SameSetting {
        librdkafka: "socket.connection.setup.timeout.ms",
        java: "socket.connection.setup.timeout.ms",
    },
];

/// The librdkafka name of a setting given by its name or one of its aliases (`linger.ms` →
/// `queue.buffering.max.ms`); `None` for a name librdkafka does not have.
pub fn librdkafka_name(name: &str) -> Option<&'static str> {
    RDK.iter()
        .find(|d| d.name == name || d.aliases.contains(&name))
        .map(|d| d.name)
}

/// The canonical name `profile`'s client gives a setting named `name` or one of its aliases
/// (librdkafka: `linger.ms` → `queue.buffering.max.ms`); `None` for a name that client does not
/// have. Two names with the same canonical name set the same property.
pub fn canonical_name(profile: ClientProfile, name: &str) -> Option<&'static str> {
    let defs = match profile {
        ClientProfile::Librdkafka => RDK,
        ClientProfile::Java => JAVA,
    };
    defs.iter()
        .find(|d| d.name == name || d.aliases.contains(&name))
        .map(|d| d.name)
}

/// The name the lecture and confluent-kafka programs use for a librdkafka setting: its alias
/// where it has one (`queue.buffering.max.ms` → `linger.ms`), else the name itself.
pub fn lecture_name(name: &str) -> &str {
    RDK.iter()
        .find(|d| d.name == name || d.aliases.contains(&name))
        .and_then(|d| d.aliases.first().copied())
        .unwrap_or(name)
}

/// The Java 3.6 setting with the same meaning as `name` (a librdkafka name, one of its aliases,
/// or already a Java name), from [`SAME_SETTINGS`].
pub fn java_name(name: &str) -> Option<&'static str> {
    let rdk = librdkafka_name(name);
    SAME_SETTINGS
        .iter()
        .find(|s| Some(s.librdkafka) == rdk || s.java == name)
        .map(|s| s.java)
}

/// One row of the "which client does this default belong to" table (docs/kafka-sources.md §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DefaultRow {
    pub concept: &'static str,
    pub java_name: &'static str,
    pub java_3_6_default: &'static str,
    pub librdkafka_name: &'static str,
    pub librdkafka_2_3_default: &'static str,
    pub note: &'static str,
}

/// Java 3.6 vs librdkafka 2.3 producer defaults (docs/kafka-sources.md §3, §3.1, §9), so the UI can say
/// which client each default in a lecture belongs to.
pub const CLIENT_DEFAULTS: &[DefaultRow] = &[
    DefaultRow { concept: "acks", java_name: "acks", java_3_6_default: "all", librdkafka_name: "request.required.acks (acks)", librdkafka_2_3_default: "-1 (all)", note: "Java ≤ 2.8 defaulted to 1; librdkafka < 1.0 to 1" },
    DefaultRow { concept: "idempotence", java_name: "enable.idempotence", java_3_6_default: "true", librdkafka_name: "enable.idempotence", librdkafka_2_3_default: "false", note: "Java ≥ 3.0 (effective since 3.0.1/3.1.1/3.2.0); silently off if acks/retries/max.in.flight conflict and it was not set explicitly" },
    DefaultRow { concept: "retries", java_name: "retries", java_3_6_default: "2147483647", librdkafka_name: "message.send.max.retries (retries)", librdkafka_2_3_default: "2147483647", note: "" },
    DefaultRow { concept: "retry backoff", java_name: "retry.backoff.ms", java_3_6_default: "100 (constant)", librdkafka_name: "retry.backoff.ms / retry.backoff.max.ms", librdkafka_2_3_default: "100 / 1000 (exponential, ±20 % jitter)", note: "Java got exponential backoff in 3.7" },
    DefaultRow { concept: "delivery deadline", java_name: "delivery.timeout.ms", java_3_6_default: "120000", librdkafka_name: "message.timeout.ms (delivery.timeout.ms)", librdkafka_2_3_default: "300000", note: "" },
    DefaultRow { concept: "request timeout", java_name: "request.timeout.ms", java_3_6_default: "30000", librdkafka_name: "request.timeout.ms / socket.timeout.ms", librdkafka_2_3_default: "30000 / 60000", note: "librdkafka's request.timeout.ms is only the broker's acks wait" },
    DefaultRow { concept: "linger", java_name: "linger.ms", java_3_6_default: "0", librdkafka_name: "queue.buffering.max.ms (linger.ms)", librdkafka_2_3_default: "5", note: "Java 4.0 changed it to 5" },
    DefaultRow { concept: "batch size (bytes)", java_name: "batch.size", java_3_6_default: "16384", librdkafka_name: "batch.size", librdkafka_2_3_default: "1000000", note: "" },
    DefaultRow { concept: "batch size (messages)", java_name: "—", java_3_6_default: "—", librdkafka_name: "batch.num.messages", librdkafka_2_3_default: "10000", note: "" },
    DefaultRow { concept: "request size cap", java_name: "max.request.size", java_3_6_default: "1048576", librdkafka_name: "message.max.bytes", librdkafka_2_3_default: "1000000", note: "" },
    DefaultRow { concept: "in flight", java_name: "max.in.flight.requests.per.connection", java_3_6_default: "5", librdkafka_name: "max.in.flight.requests.per.connection (max.in.flight)", librdkafka_2_3_default: "1000000", note: "idempotence caps it at 5 in both" },
    DefaultRow { concept: "buffering", java_name: "buffer.memory", java_3_6_default: "33554432", librdkafka_name: "queue.buffering.max.messages / .kbytes", librdkafka_2_3_default: "100000 / 1048576", note: "" },
    DefaultRow { concept: "compression", java_name: "compression.type", java_3_6_default: "none", librdkafka_name: "compression.codec (compression.type)", librdkafka_2_3_default: "none", note: "" },
    DefaultRow { concept: "client id", java_name: "client.id", java_3_6_default: "producer-<N>", librdkafka_name: "client.id", librdkafka_2_3_default: "rdkafka", note: "" },
    DefaultRow { concept: "partitioner", java_name: "(built-in)", java_3_6_default: "murmur2; sticky for null keys", librdkafka_name: "partitioner", librdkafka_2_3_default: "consistent_random (crc32)", note: "murmur2_random reproduces Java's keyed mapping" },
];
