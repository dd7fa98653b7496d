//! Typed errors: [`SimError`] for bad input (scenario, configuration, actions) and [`ErrorCode`]
//! for what brokers and the client report, with Kafka's and librdkafka's names (reference §8).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Errors a broker returns in a ProduceResponse and local client errors of librdkafka
/// (reference §8). `code()` is the protocol code (negative for librdkafka-local errors).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    UnknownServerError,
    CorruptMessage,
    UnknownTopicOrPartition,
    LeaderNotAvailable,
    NotLeaderOrFollower,
    RequestTimedOut,
    MessageTooLarge,
    NotEnoughReplicas,
    NotEnoughReplicasAfterAppend,
    InvalidRequiredAcks,
    InvalidTimestamp,
    OutOfOrderSequenceNumber,
    InvalidProducerEpoch,
    KafkaStorageError,
    InvalidRecord,
    UnsupportedCompressionType,
    /// librdkafka `_MSG_TIMED_OUT` (−192): `message.timeout.ms` expired.
    MsgTimedOut,
    /// librdkafka `_QUEUE_FULL` (−184): Python raises `BufferError`.
    QueueFull,
    /// librdkafka `_TIMED_OUT` (−185): a request got no response within `socket.timeout.ms`.
    TimedOut,
    /// librdkafka `_TRANSPORT` (−195): the connection to the broker broke.
    Transport,
    /// librdkafka `_INVALID_ARG` (−186): bad configuration.
    InvalidArg,
}

/// What the client does with an error on a ProduceResponse (librdkafka `rd_kafka_handle_Produce_error`,
/// reference §5.4 and §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorAction {
    /// Refresh metadata and retry; the retry does not count against `retries`.
    RefreshRetry,
    /// Retry; the data was certainly not written.
    Retry,
    /// Retry; the data may already be in the log (a retry can duplicate it without idempotence).
    RetryPossiblyPersisted,
    /// Fail the messages.
    Permanent,
}

impl ErrorCode {
    /// The Kafka protocol code, or librdkafka's negative code for local errors.
    pub fn code(self) -> i32 {
        use ErrorCode::*;
        match self {
            UnknownServerError => -1,
            CorruptMessage => 2,
            UnknownTopicOrPartition => 3,
            LeaderNotAvailable => 5,
            NotLeaderOrFollower => 6,
            RequestTimedOut => 7,
            MessageTooLarge => 10,
            NotEnoughReplicas => 19,
            NotEnoughReplicasAfterAppend => 20,
            InvalidRequiredAcks => 21,
            InvalidTimestamp => 32,
            OutOfOrderSequenceNumber => 45,
            InvalidProducerEpoch => 47,
            KafkaStorageError => 56,
            InvalidRecord => 87,
            UnsupportedCompressionType => 76,
            MsgTimedOut => -192,
            QueueFull => -184,
            TimedOut => -185,
            Transport => -195,
            InvalidArg => -186,
        }
    }

    /// Java `Errors` name (what a broker log and the Java client say).
    pub fn kafka_name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            UnknownServerError => "UNKNOWN_SERVER_ERROR",
            CorruptMessage => "CORRUPT_MESSAGE",
            UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PARTITION",
            LeaderNotAvailable => "LEADER_NOT_AVAILABLE",
            NotLeaderOrFollower => "NOT_LEADER_OR_FOLLOWER",
            RequestTimedOut => "REQUEST_TIMED_OUT",
            MessageTooLarge => "MESSAGE_TOO_LARGE",
            NotEnoughReplicas => "NOT_ENOUGH_REPLICAS",
            NotEnoughReplicasAfterAppend => "NOT_ENOUGH_REPLICAS_AFTER_APPEND",
            InvalidRequiredAcks => "INVALID_REQUIRED_ACKS",
            InvalidTimestamp => "INVALID_TIMESTAMP",
            OutOfOrderSequenceNumber => "OUT_OF_ORDER_SEQUENCE_NUMBER",
            InvalidProducerEpoch => "INVALID_PRODUCER_EPOCH",
            KafkaStorageError => "KAFKA_STORAGE_ERROR",
            InvalidRecord => "INVALID_RECORD",
            UnsupportedCompressionType => "UNSUPPORTED_COMPRESSION_TYPE",
            MsgTimedOut => "TimeoutException",
            QueueFull => "BufferExhaustedException",
            TimedOut => "TimeoutException",
            Transport => "NetworkException",
            InvalidArg => "ConfigException",
        }
    }

    /// The name librdkafka (and so Python's `KafkaError.name()`) gives the error.
    pub fn rdkafka_name(self) -> &'static str {
        use ErrorCode::*;
        match self {
            UnknownServerError => "UNKNOWN",
            CorruptMessage => "INVALID_MSG",
            UnknownTopicOrPartition => "UNKNOWN_TOPIC_OR_PART",
            NotLeaderOrFollower => "NOT_LEADER_FOR_PARTITION",
            MessageTooLarge => "MSG_SIZE_TOO_LARGE",
            MsgTimedOut => "_MSG_TIMED_OUT",
            QueueFull => "_QUEUE_FULL",
            TimedOut => "_TIMED_OUT",
            Transport => "_TRANSPORT",
            InvalidArg => "_INVALID_ARG",
            other => other.kafka_name(),
        }
    }

    /// Parses a Kafka or librdkafka error name (as used in fault definitions).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        use ErrorCode::*;
        const ALL: [ErrorCode; 21] = [
            UnknownServerError,
            CorruptMessage,
            UnknownTopicOrPartition,
            LeaderNotAvailable,
            NotLeaderOrFollower,
            RequestTimedOut,
            MessageTooLarge,
            NotEnoughReplicas,
            NotEnoughReplicasAfterAppend,
            InvalidRequiredAcks,
            InvalidTimestamp,
            OutOfOrderSequenceNumber,
            InvalidProducerEpoch,
            KafkaStorageError,
            InvalidRecord,
            UnsupportedCompressionType,
            MsgTimedOut,
            QueueFull,
            TimedOut,
            Transport,
            InvalidArg,
        ];
        ALL.into_iter()
            .find(|e| e.kafka_name() == name || e.rdkafka_name() == name)
    }

    /// librdkafka's producer action for this error (reference §8 table, §5.4).
    pub fn action(self) -> ErrorAction {
        use ErrorCode::*;
        match self {
            UnknownTopicOrPartition
            | LeaderNotAvailable
            | NotLeaderOrFollower
            | KafkaStorageError => ErrorAction::RefreshRetry,
            NotEnoughReplicas => ErrorAction::Retry,
            RequestTimedOut | NotEnoughReplicasAfterAppend | TimedOut | Transport => {
                ErrorAction::RetryPossiblyPersisted
            }
            _ => ErrorAction::Permanent,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.rdkafka_name(), self.code())
    }
}

/// Bad input: an invalid scenario, configuration or action. Never a panic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SimError {
    /// Kafka `INVALID_TOPIC_EXCEPTION` (17): topic names are 1–249 characters of `[a-zA-Z0-9._-]`
    /// and not `.` or `..` (AK `Topic.validate`).
    InvalidTopic(String),
    /// Kafka `TOPIC_ALREADY_EXISTS` (36).
    TopicAlreadyExists(String),
    /// Kafka `INVALID_PARTITIONS` (37).
    InvalidPartitions(String),
    /// Kafka `INVALID_REPLICATION_FACTOR` (38): RF must be 1..=number of brokers.
    InvalidReplicationFactor(String),
    /// Kafka `INVALID_CONFIG` (40) for a topic configuration.
    InvalidTopicConfig(String),
    /// Kafka `UNKNOWN_TOPIC_OR_PARTITION` (3).
    UnknownTopicOrPartition(String),
    /// librdkafka `_INVALID_ARG` at producer creation, with librdkafka's text (reference §3.2),
    /// or a Java `ConfigException` text for the Java profile.
    Config(String),
    /// librdkafka `_QUEUE_FULL`: Python's `produce()` raises `BufferError: Local: Queue full`.
    QueueFull,
    /// librdkafka `MSG_SIZE_TOO_LARGE` raised by `produce()`: the message alone exceeds
    /// `message.max.bytes` (Python: `KafkaException`).
    MsgSizeTooLarge(String),
    /// An impossible scenario (e.g. broker count outside 1..=9, negative time, unknown broker).
    InvalidScenario(String),
    /// The scenario file could not be parsed.
    Parse(String),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::InvalidTopic(m) => write!(f, "INVALID_TOPIC_EXCEPTION: {m}"),
            SimError::TopicAlreadyExists(m) => write!(f, "TOPIC_ALREADY_EXISTS: {m}"),
            SimError::InvalidPartitions(m) => write!(f, "INVALID_PARTITIONS: {m}"),
            SimError::InvalidReplicationFactor(m) => write!(f, "INVALID_REPLICATION_FACTOR: {m}"),
            SimError::InvalidTopicConfig(m) => write!(f, "INVALID_CONFIG: {m}"),
            SimError::UnknownTopicOrPartition(m) => write!(f, "UNKNOWN_TOPIC_OR_PART: {m}"),
            SimError::Config(m) => write!(f, "_INVALID_ARG: {m}"),
            SimError::QueueFull => write!(f, "BufferError: Local: Queue full"),
            SimError::MsgSizeTooLarge(m) => write!(f, "MSG_SIZE_TOO_LARGE: {m}"),
            SimError::InvalidScenario(m) => write!(f, "invalid scenario: {m}"),
            SimError::Parse(m) => write!(f, "cannot parse scenario: {m}"),
        }
    }
}

impl std::error::Error for SimError {}
