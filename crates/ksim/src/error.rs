//! Typed errors: [`SimError`] for bad input (scenario, configuration, actions) and [`ErrorCode`]
//! for what brokers and the client report, with Kafka's and librdkafka's names (docs/kafka-sources.md §8).

use serde::{Deserialize, Serialize};
use std::fmt;

/// Defines [`ErrorCode`] from one table, so a variant, its codes and names are written once:
/// `Variant = code, "KafkaName"` plus `/ "rdkafka_name"` where librdkafka names it otherwise.
/// The table's order is the enum's order (`Ord`) and the order `from_name` searches in.
macro_rules! error_codes {
    (@or $rdkafka:literal $kafka:literal) => { $rdkafka };
    (@or $kafka:literal) => { $kafka };
    ($(
        $(#[$doc:meta])*
        $variant:ident = $code:literal, $kafka:literal $(/ $rdkafka:literal)?;
    )*) => {
        /// Errors a broker returns in a ProduceResponse and local client errors of librdkafka
        /// (docs/kafka-sources.md §8). `code()` is the protocol code (negative for librdkafka-local errors).
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(rename_all = "SCREAMING_SNAKE_CASE")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every variant, in declaration order.
            const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The Kafka protocol code, or librdkafka's negative code for local errors.
            pub fn code(self) -> i32 {
                match self {
                    $(ErrorCode::$variant => $code,)*
                }
            }

            /// Java `Errors` name (what a broker log and the Java client say).
            pub fn kafka_name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $kafka,)*
                }
            }

            /// The name librdkafka (and so Python's `KafkaError.name()`) gives the error.
            pub fn rdkafka_name(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => error_codes!(@or $($rdkafka)? $kafka),)*
                }
            }
        }
    };
}

error_codes! {
    UnknownServerError = -1, "UNKNOWN_SERVER_ERROR" / "UNKNOWN";
    /// A fetch below the log start offset (or past the log end).
    OffsetOutOfRange = 1, "OFFSET_OUT_OF_RANGE";
    CorruptMessage = 2, "CORRUPT_MESSAGE" / "INVALID_MSG";
    UnknownTopicOrPartition = 3, "UNKNOWN_TOPIC_OR_PARTITION" / "UNKNOWN_TOPIC_OR_PART";
    LeaderNotAvailable = 5, "LEADER_NOT_AVAILABLE";
    NotLeaderOrFollower = 6, "NOT_LEADER_OR_FOLLOWER" / "NOT_LEADER_FOR_PARTITION";
    RequestTimedOut = 7, "REQUEST_TIMED_OUT";
    /// A batch larger than the topic's `segment.bytes` (`RecordBatchTooLargeException`).
    RecordListTooLarge = 18, "RECORD_LIST_TOO_LARGE";
    MessageTooLarge = 10, "MESSAGE_TOO_LARGE" / "MSG_SIZE_TOO_LARGE";
    NotEnoughReplicas = 19, "NOT_ENOUGH_REPLICAS";
    NotEnoughReplicasAfterAppend = 20, "NOT_ENOUGH_REPLICAS_AFTER_APPEND";
    InvalidRequiredAcks = 21, "INVALID_REQUIRED_ACKS";
    InvalidTimestamp = 32, "INVALID_TIMESTAMP";
    OutOfOrderSequenceNumber = 45, "OUT_OF_ORDER_SEQUENCE_NUMBER";
    InvalidProducerEpoch = 47, "INVALID_PRODUCER_EPOCH";
    KafkaStorageError = 56, "KAFKA_STORAGE_ERROR";
    InvalidRecord = 87, "INVALID_RECORD";
    UnsupportedCompressionType = 76, "UNSUPPORTED_COMPRESSION_TYPE";
    /// librdkafka `_MSG_TIMED_OUT` (−192): `message.timeout.ms` expired.
    MsgTimedOut = -192, "TimeoutException" / "_MSG_TIMED_OUT";
    /// librdkafka `_QUEUE_FULL` (−184): Python raises `BufferError`.
    QueueFull = -184, "BufferExhaustedException" / "_QUEUE_FULL";
    /// librdkafka `_TIMED_OUT` (−185): a request got no response within `socket.timeout.ms`.
    TimedOut = -185, "TimeoutException" / "_TIMED_OUT";
    /// librdkafka `_TRANSPORT` (−195): the connection to the broker broke.
    Transport = -195, "NetworkException" / "_TRANSPORT";
    /// librdkafka `_INVALID_ARG` (−186): bad configuration.
    InvalidArg = -186, "ConfigException" / "_INVALID_ARG";
    /// librdkafka `_UNKNOWN_TOPIC` (−188): the cluster does not have the topic
    /// (`rd_kafka_msg_partitioner` on a topic in state `notexists`).
    UnknownTopic = -188, "UnknownTopicOrPartitionException" / "_UNKNOWN_TOPIC";
    /// librdkafka `_UNKNOWN_PARTITION` (−190): the topic has no such partition.
    UnknownPartition = -190, "UnknownTopicOrPartitionException" / "_UNKNOWN_PARTITION";
    /// librdkafka `_FATAL` (−150): the producer raised a fatal error (`rd_kafka_fatal_error()`
    /// names the cause); nothing can be produced any more.
    Fatal = -150, "KafkaException" / "_FATAL";
    /// librdkafka `_PURGE_QUEUE` (−152): the message was purged from the queue before it was
    /// sent (a fatal error purges every queued message).
    PurgeQueue = -152, "KafkaException" / "_PURGE_QUEUE";
}

/// What the client does with an error on a ProduceResponse (librdkafka `rd_kafka_handle_Produce_error`,
/// docs/kafka-sources.md §5.4 and §8).
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
    /// Parses a Kafka or librdkafka error name (as used in fault definitions).
    pub fn from_name(name: &str) -> Option<ErrorCode> {
        Self::ALL
            .iter()
            .copied()
            .find(|e| e.kafka_name() == name || e.rdkafka_name() == name)
    }

    /// librdkafka's producer action for this error (docs/kafka-sources.md §8, §5.4).
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
    /// librdkafka `_UNKNOWN_PARTITION` (−190) raised by `produce()` for a partition the topic
    /// does not have (`rd_kafka_msg_partitioner` / `rd_kafka_producev`; Python: `KafkaException`
    /// with "Local: Unknown partition").
    UnknownPartition(String),
    /// librdkafka `_UNKNOWN_TOPIC` (−188) raised by `produce()` for a topic the producer has
    /// marked non-existent (`rd_kafka_msg_partitioner`, topic state `notexists`; Python:
    /// `KafkaException` with "Local: Unknown topic").
    UnknownTopic(String),
    /// librdkafka `_INVALID_ARG` at producer creation, with librdkafka's text (docs/kafka-sources.md §3.2),
    /// or a Java `ConfigException` text for the Java profile.
    Config(String),
    /// librdkafka `_QUEUE_FULL`: Python's `produce()` raises `BufferError: Local: Queue full`.
    QueueFull,
    /// librdkafka `_FATAL` raised by `produce()` after a fatal error (`rd_kafka_check_produce`:
    /// "Producing not allowed since a previous fatal error was raised"; Python:
    /// `KafkaException`). The text names the cause.
    Fatal(String),
    /// librdkafka `MSG_SIZE_TOO_LARGE` raised by `produce()`: the message alone exceeds
    /// `message.max.bytes` (Python: `KafkaException`).
    MsgSizeTooLarge(String),
    /// An impossible scenario (e.g. broker count outside 1..=9, negative time, unknown broker).
    InvalidScenario(String),
    /// The scenario file could not be parsed.
    Parse(String),
    /// confluent-kafka's `KeySerializationError` / `ValueSerializationError` (both subclasses
    /// of `SerializationError`, `confluent_kafka/error.py`; `SerializingProducer.produce` wraps
    /// whatever the serializer raised): the serializer failed before `produce()`, nothing was
    /// queued. The text starts with the exception's name.
    Serialization(String),
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
            SimError::UnknownPartition(m) => {
                write!(f, "_UNKNOWN_PARTITION: Local: Unknown partition ({m})")
            }
            SimError::UnknownTopic(m) => write!(f, "_UNKNOWN_TOPIC: Local: Unknown topic ({m})"),
            SimError::Config(m) => write!(f, "_INVALID_ARG: {m}"),
            SimError::QueueFull => write!(f, "BufferError: Local: Queue full"),
            SimError::Fatal(m) => write!(
                f,
                "_FATAL: Producing not allowed since a previous fatal error was raised: {m}"
            ),
            SimError::MsgSizeTooLarge(m) => write!(f, "MSG_SIZE_TOO_LARGE: {m}"),
            SimError::InvalidScenario(m) => write!(f, "invalid scenario: {m}"),
            SimError::Parse(m) => write!(f, "cannot parse scenario: {m}"),
            SimError::Serialization(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SimError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_round_trips_its_names() {
        assert_eq!(ErrorCode::ALL.len(), 27);
        for &e in ErrorCode::ALL {
            // librdkafka names are unique: name → variant → name gives the same variant.
            assert_eq!(ErrorCode::from_name(e.rdkafka_name()), Some(e), "{e:?}");
            // Java names are not (TimeoutException is both MsgTimedOut and TimedOut): the name
            // comes back, and the variant does wherever the name is its own.
            let back = ErrorCode::from_name(e.kafka_name()).unwrap();
            assert_eq!(back.kafka_name(), e.kafka_name(), "{e:?}");
            if ErrorCode::ALL
                .iter()
                .filter(|o| o.kafka_name() == e.kafka_name())
                .count()
                == 1
            {
                assert_eq!(back, e);
            }
            let json = serde_json::to_string(&e).unwrap();
            assert_eq!(serde_json::from_str::<ErrorCode>(&json).unwrap(), e);
        }
        assert!(
            ErrorCode::ALL.windows(2).all(|w| w[0] < w[1]),
            "ALL is in declaration order"
        );
        assert_eq!(
            ErrorCode::from_name("TimeoutException"),
            Some(ErrorCode::MsgTimedOut)
        );
        assert_eq!(ErrorCode::from_name("NOT_A_KAFKA_ERROR"), None);
        assert_eq!(
            ErrorCode::NotLeaderOrFollower.to_string(),
            "NOT_LEADER_FOR_PARTITION (6)"
        );
        assert_eq!(
            serde_json::to_string(&ErrorCode::NotEnoughReplicasAfterAppend).unwrap(),
            "\"NOT_ENOUGH_REPLICAS_AFTER_APPEND\""
        );
    }
}
