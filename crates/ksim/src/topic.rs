//! Topics as the brokers hold them: the spec, the parsed configuration (AK `LogConfig`), Kafka 3.6's
//! defaults for every topic config the simulation knows, and Kafka's topic name rule.

use crate::error::SimError;
use crate::scenario::TopicSpec;
use crate::view::{TopicConfigSource, TopicConfigView};
use kwire::broker::{TimestampType, TopicCompression, TopicConfig as WireTopicConfig};
use std::collections::BTreeMap;

/// Parsed topic configuration (AK `LogConfig`, docs/kafka-sources.md §1.8, §2.3, §6). The validation and
/// storage part is the wire crate's [`kwire::broker::TopicConfig`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TopicConfig {
    pub min_insync_replicas: u32,
    pub unclean_leader_election: bool,
    /// `segment.bytes`: a batch larger than one segment is refused (RECORD_LIST_TOO_LARGE); a
    /// segment rolls before it would grow past it.
    pub segment_bytes: usize,
    /// `segment.ms`: a segment rolls once a batch is this much newer than its first batch.
    pub segment_ms: i64,
    /// `retention.ms`: segments whose newest record is older are deleted; −1 keeps them.
    pub retention_ms: i64,
    /// `retention.bytes`: the oldest segments are deleted while the log stays at least this
    /// big without them; negative keeps them.
    pub retention_bytes: i64,
    pub wire: WireTopicConfig,
}

impl TopicConfig {
    /// The configs that shape the log's segments and retention.
    pub fn segment_rules(&self) -> crate::broker::SegmentRules {
        crate::broker::SegmentRules {
            segment_bytes: self.segment_bytes as u64,
            segment_ms: self.segment_ms,
            retention_ms: self.retention_ms,
            retention_bytes: self.retention_bytes,
        }
    }

    /// Validates Kafka topic configs; unknown names are `INVALID_CONFIG`.
    pub fn parse(raw: &BTreeMap<String, String>) -> Result<TopicConfig, SimError> {
        let mut c = TopicConfig {
            min_insync_replicas: 1,
            unclean_leader_election: false,
            segment_bytes: 1 << 30,
            segment_ms: 604_800_000,
            retention_ms: 604_800_000,
            retention_bytes: -1,
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
                "segment.bytes" => {
                    // LogConfig: at least 14 bytes (the smallest legacy record).
                    let n = int()?;
                    if n < 14 {
                        return Err(bad());
                    }
                    c.segment_bytes = n.min(i32::MAX as i64) as usize;
                }
                // LogConfig: segment.ms at least 1, retention.ms at least −1 (−1 = unlimited),
                // retention.bytes any long (negative = unlimited).
                "segment.ms" => {
                    let n = int()?;
                    if n < 1 {
                        return Err(bad());
                    }
                    c.segment_ms = n;
                }
                "retention.ms" => {
                    let n = int()?;
                    if n < -1 {
                        return Err(bad());
                    }
                    c.retention_ms = n;
                }
                "retention.bytes" => c.retention_bytes = int()?,
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
/// (AK `LogConfig`; docs/kafka-sources.md §1.8 for `max.message.bytes` and the timestamp window, §2.3 for
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
    ("segment.ms", "604800000"),
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
    /// cluster's default for topics, else Kafka's default (docs/kafka-sources.md §2.3, §6).
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
