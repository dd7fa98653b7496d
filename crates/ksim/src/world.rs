//! Shared driver state: the clock, the event queue, the network, the log, the seeded RNG, metrics
//! and topic metadata. Node state machines (brokers, controller, producer) get `&mut World` to
//! schedule events and send messages; only the driver pops events.

use crate::broker::{FetchRequest, FetchResponse};
use crate::error::SimError;
use crate::log::{LogEntry, LogEvent};
use crate::metrics::MetricsState;
use crate::network::Network;
use crate::producer::{ProduceRequest, ProduceResponse};
use crate::queue::EventQueue;
use crate::rng::Rng;
use crate::scenario::{LogOptions, TopicSpec};
use crate::view::{TopicConfigSource, TopicConfigView};
use kwire::broker::{TimestampType, TopicCompression, TopicConfig as WireTopicConfig};
use std::collections::BTreeMap;
use std::sync::Arc;

/// A topic-partition, by topic index (creation order) and partition number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Tp {
    pub topic: u32,
    pub partition: u32,
}

/// Parsed topic configuration (AK `LogConfig`, reference §1.8, §2.3, §6). The validation and
/// storage part is the wire crate's [`kwire::broker::TopicConfig`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TopicConfig {
    pub min_insync_replicas: u32,
    pub unclean_leader_election: bool,
    pub wire: WireTopicConfig,
}

impl TopicConfig {
    /// Validates Kafka topic configs; unknown names are `INVALID_CONFIG`.
    pub fn parse(raw: &BTreeMap<String, String>) -> Result<TopicConfig, SimError> {
        let mut c = TopicConfig {
            min_insync_replicas: 1,
            unclean_leader_election: false,
            wire: WireTopicConfig::default(),
        };
        for (k, v) in raw {
            let bad =
                || SimError::InvalidTopicConfig(format!("Invalid value {v} for configuration {k}"));
            let int = || v.trim().parse::<i64>().map_err(|_| bad());
            match k.as_str() {
                "min.insync.replicas" => {
                    let n = int()?;
                    if n < 1 {
                        return Err(bad());
                    }
                    c.min_insync_replicas = n.min(u32::MAX as i64) as u32;
                }
                "unclean.leader.election.enable" => {
                    c.unclean_leader_election = match v.trim() {
                        "true" => true,
                        "false" => false,
                        _ => return Err(bad()),
                    }
                }
                "compression.type" => {
                    c.wire.compression = TopicCompression::from_name(v.trim()).ok_or_else(bad)?;
                }
                "max.message.bytes" => {
                    let n = int()?;
                    if n < 0 {
                        return Err(bad());
                    }
                    c.wire.max_message_bytes = n as usize;
                }
                "message.timestamp.type" => {
                    c.wire.timestamp_type = match v.trim() {
                        "CreateTime" => TimestampType::CreateTime,
                        "LogAppendTime" => TimestampType::LogAppendTime,
                        _ => return Err(bad()),
                    }
                }
                "message.timestamp.difference.max.ms" => {
                    let n = int()?;
                    c.wire.timestamp_before_max_ms = n;
                    c.wire.timestamp_after_max_ms = n;
                }
                "message.timestamp.before.max.ms" => c.wire.timestamp_before_max_ms = int()?,
                "message.timestamp.after.max.ms" => c.wire.timestamp_after_max_ms = int()?,
                "cleanup.policy" => {
                    c.wire.compacted = match v.trim() {
                        "delete" => false,
                        "compact" | "compact,delete" | "delete,compact" => true,
                        _ => return Err(bad()),
                    }
                }
                "retention.ms" | "segment.bytes" | "retention.bytes" => {
                    int()?;
                }
                _ => {
                    return Err(SimError::InvalidTopicConfig(format!(
                        "Unknown topic config name: {k}"
                    )))
                }
            }
        }
        Ok(c)
    }
}

/// Every topic config the brokers accept (`TopicConfig::parse`), with Kafka 3.6's default
/// (AK `LogConfig`; reference §1.8 for `max.message.bytes` and the timestamp window, §2.3 for
/// `compression.type`, §6 for `min.insync.replicas` and `unclean.leader.election.enable`), in the
/// order the view lists them. A topic-level value overrides the cluster's default for topics,
/// which overrides these.
pub const TOPIC_CONFIG_DEFAULTS: &[(&str, &str)] = &[
    ("min.insync.replicas", "1"),
    ("compression.type", "producer"),
    ("unclean.leader.election.enable", "false"),
    ("max.message.bytes", "1048588"),
    ("message.timestamp.type", "CreateTime"),
    ("message.timestamp.before.max.ms", "9223372036854775807"),
    ("message.timestamp.after.max.ms", "9223372036854775807"),
    ("message.timestamp.difference.max.ms", "9223372036854775807"),
    ("cleanup.policy", "delete"),
    ("retention.ms", "604800000"),
    ("retention.bytes", "-1"),
    ("segment.bytes", "1073741824"),
];

/// Kafka 3.6's default for a topic config ([`TOPIC_CONFIG_DEFAULTS`]), `None` for a name the
/// simulation does not know (the broker would answer `INVALID_CONFIG`).
pub fn topic_config_default(name: &str) -> Option<&'static str> {
    TOPIC_CONFIG_DEFAULTS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, d)| *d)
}

#[derive(Debug, Clone)]
pub(crate) struct Topic {
    pub spec: TopicSpec,
    pub config: TopicConfig,
}

impl Topic {
    /// The effective value and source of every known topic config: set on the topic, else the
    /// cluster's default for topics, else Kafka's default (reference §2.3, §6).
    pub fn config_view(&self, cluster_defaults: &BTreeMap<String, String>) -> Vec<TopicConfigView> {
        TOPIC_CONFIG_DEFAULTS
            .iter()
            .map(|(name, default)| {
                let (value, source) = if let Some(v) = self.spec.configs.get(*name) {
                    (v.trim(), TopicConfigSource::Topic)
                } else if let Some(v) = cluster_defaults.get(*name) {
                    (v.trim(), TopicConfigSource::Broker)
                } else {
                    (*default, TopicConfigSource::Default)
                };
                TopicConfigView {
                    name: (*name).to_string(),
                    value: value.to_string(),
                    source,
                }
            })
            .collect()
    }
}

/// Kafka's topic name rule (AK `Topic.validate`): 1–249 characters of `[a-zA-Z0-9._-]`, not `.`/`..`.
pub fn validate_topic_name(name: &str) -> Result<(), SimError> {
    if name.is_empty() {
        return Err(SimError::InvalidTopic(
            "Topic name is illegal, it can't be empty".into(),
        ));
    }
    if name == "." || name == ".." {
        return Err(SimError::InvalidTopic(
            "Topic name cannot be \".\" or \"..\"".into(),
        ));
    }
    if name.len() > 249 {
        return Err(SimError::InvalidTopic(format!(
            "Topic name is illegal, it can't be longer than 249 characters, topic name: {name}"
        )));
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
    {
        return Err(SimError::InvalidTopic(format!(
            "Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'"
        )));
    }
    Ok(())
}

/// Network payloads.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    Produce(Arc<ProduceRequest>),
    ProduceResponse(ProduceResponse),
    Fetch(FetchRequest),
    FetchResponse(FetchResponse),
}

impl Payload {
    pub fn kind(&self) -> &'static str {
        match self {
            Payload::Produce(_) => "Produce",
            Payload::ProduceResponse(_) => "ProduceResponse",
            Payload::Fetch(_) => "Fetch",
            Payload::FetchResponse(_) => "FetchResponse",
        }
    }

    /// The request number and batch codec(s) the UI labels a message with (`WireMessage`).
    pub fn tag(&self) -> (Option<u64>, Option<String>) {
        match self {
            Payload::Produce(r) => {
                let mut codecs: Vec<&'static str> = Vec::new();
                for part in &r.parts {
                    if let Ok(c) = kwire::batch::decode_header(&part.bytes).and_then(|h| h.codec())
                    {
                        if !codecs.contains(&c.name()) {
                            codecs.push(c.name());
                        }
                    }
                }
                (Some(r.req_id), Some(codecs.join("+")))
            }
            Payload::ProduceResponse(r) => (Some(r.req_id), None),
            _ => (None, None),
        }
    }
}

/// Everything that can be scheduled.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    Arrive {
        msg_id: u64,
        from: u32,
        to: u32,
        payload: Payload,
    },
    ProducerWake,
    ProducerRequestTimeout {
        req_id: u64,
    },
    ProducerConnectionReset {
        req_id: u64,
    },
    MetadataRefreshed,
    Generator {
        gen_id: u64,
        token: u64,
    },
    FlushTimeout {
        flush_id: u64,
    },
    ControllerCheck {
        broker: u32,
    },
    IsrCheck {
        broker: u32,
        incarnation: u64,
    },
    DelayedProduceTimeout {
        broker: u32,
        pending_id: u64,
        incarnation: u64,
    },
    FetchWaitExpired {
        broker: u32,
        parked_id: u64,
        incarnation: u64,
    },
    FollowerFetch {
        broker: u32,
        tp: Tp,
        gen: u64,
    },
}

/// The event log with its size limit.
#[derive(Debug, Clone)]
pub(crate) struct EventLog {
    pub entries: Vec<LogEntry>,
    pub options: LogOptions,
    pub truncated: bool,
}

impl EventLog {
    pub fn push(&mut self, time_us: u64, event: LogEvent) {
        if self.truncated {
            return;
        }
        if self.entries.len() >= self.options.max_entries {
            self.truncated = true;
            self.entries.push(LogEntry {
                time_us,
                event: LogEvent::LogTruncated {
                    max_entries: self.options.max_entries,
                },
            });
            return;
        }
        self.entries.push(LogEntry { time_us, event });
    }
}

#[derive(Debug, Clone)]
pub(crate) struct World {
    pub now_us: u64,
    pub queue: EventQueue<Event>,
    pub net: Network,
    pub log: EventLog,
    pub rng: Rng,
    pub metrics: MetricsState,
    pub topics: Vec<Topic>,
    pub start_time_ms: i64,
    /// node → (offset_ms, drift_ppm)
    pub clocks: BTreeMap<u32, (i64, i64)>,
    pub lag_time_max_us: u64,
    pub fetch_wait_max_us: u64,
    pub fetch_backoff_us: u64,
    pub session_timeout_us: u64,
}

impl World {
    pub fn log(&mut self, event: LogEvent) {
        self.log.push(self.now_us, event);
    }

    /// The node's wall clock in ms (simulation start + elapsed, plus its offset and drift).
    pub fn node_time_ms(&self, node: u32) -> i64 {
        let elapsed_ms = (self.now_us / 1000) as i64;
        let (offset, drift) = self.clocks.get(&node).copied().unwrap_or((0, 0));
        self.start_time_ms
            .saturating_add(elapsed_ms)
            .saturating_add(offset)
            .saturating_add(elapsed_ms.saturating_mul(drift) / 1_000_000)
    }

    pub fn topic_name(&self, tp: Tp) -> String {
        self.topics
            .get(tp.topic as usize)
            .map(|t| t.spec.name.clone())
            .unwrap_or_default()
    }

    pub fn schedule(&mut self, time_us: u64, event: Event) {
        self.queue.push(time_us.max(self.now_us), event);
    }

    /// Sends `payload` over the link `from → to`; `force_drop` loses it (fault rules).
    pub fn send(
        &mut self,
        from: u32,
        to: u32,
        payload: Payload,
        size_bytes: usize,
        detail: String,
        force_drop: bool,
    ) {
        let kind = payload.kind();
        let tag = payload.tag();
        let (msg_id, arrival, dropped) = self.net.transmit(
            self.now_us,
            &mut self.rng,
            from,
            to,
            kind,
            size_bytes,
            detail,
            tag,
            force_drop,
        );
        if dropped {
            let reason = if force_drop {
                "fault rule"
            } else {
                "random loss"
            };
            self.log(LogEvent::NetworkDropped {
                from,
                to,
                what: kind.into(),
                reason: reason.into(),
            });
            return;
        }
        self.schedule(
            arrival,
            Event::Arrive {
                msg_id,
                from,
                to,
                payload,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listed_defaults_are_what_the_parser_assumes_when_nothing_is_set() {
        let listed: BTreeMap<String, String> = TOPIC_CONFIG_DEFAULTS
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        assert_eq!(
            TopicConfig::parse(&listed).unwrap(),
            TopicConfig::parse(&BTreeMap::new()).unwrap()
        );
        assert_eq!(
            TopicConfig::parse(&BTreeMap::new()).unwrap().wire,
            WireTopicConfig::default()
        );
    }
}
