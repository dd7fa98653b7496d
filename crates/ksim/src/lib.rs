//! Deterministic simulation of a Kafka 3.6 cluster and a producer (librdkafka 2.3 as in
//! confluent-kafka Python, or the Java 3.6 client) on a virtual clock, in microseconds.
//!
//! Facts and sources: `docs/kafka-sources.md` in this repository (the § numbers below).
//!
//! # Shape (sans-IO, one driver)
//! Brokers, the controller and the producer are state machines; the [`Simulation`] driver owns
//! one event queue ordered by (time, sequence number), the network links and the log. The only
//! randomness is a seeded generator; no wall clock; no hash-map iteration. The same scenario gives
//! the same log byte for byte, natively and in wasm.
//!
//! # Public API
//! - [`Scenario`] (serde, unknown fields rejected): `version`, `seed`, `cluster`, `topics`,
//!   `producer {profile, config}`, `actions: [{at_ms, action}]`, `faults: [{at_ms, fault}]`,
//!   `limits`, `log`.
//! - [`Action`] (`type` tag): `create_topic`, `produce`, `produce_many`, `poll`, `flush`,
//!   `set_producer_config`, `set_topic_config`, `inject_fault`.
//! - [`Fault`] (`kind` tag): `drop_next_request`, `drop_next_response`, `fail_next_produce`,
//!   `delay_link`, `random_loss`, `crash`, `restart`, `isolate`, `heal`, `slow_follower`.
//! - [`Simulation::new`] → `Result<Simulation, SimError>`; `Simulation: Clone` (snapshots; batch
//!   bytes are shared `Arc<[u8]>`); [`Simulation::apply`] performs an action now and appends it to
//!   the scenario; [`Simulation::step`], [`Simulation::run_until`],
//!   [`Simulation::run_until_idle`], [`Simulation::next_event_time_us`], [`Simulation::log`],
//!   [`Simulation::view`], [`Simulation::scenario`], [`Simulation::log_hash`],
//!   [`Simulation::batch_bytes`], [`Simulation::segments`], [`Simulation::metrics`].
//! - Python-like helpers: [`Simulation::produce`] (fails with [`SimError::QueueFull`] =
//!   `BufferError`), [`Simulation::poll`], [`Simulation::flush`] (returns what is still queued).
//! - Outcomes and variants: [`Simulation::outcome`] ([`Outcome`]: acknowledged, lost,
//!   duplicated and out-of-order records against the final committed log, requests, wire bytes,
//!   batching, latency, throughput); [`variant`] runs a scenario with settings changed, two ways
//!   ([`variant::compare`]) or over a list of values ([`variant::sweep`]), bounded.
//! - Typed errors: [`SimError`] (bad input, with Kafka/librdkafka names and texts) and
//!   [`ErrorCode`] (what brokers and the client report, docs/kafka-sources.md §8).
//!
//! # SIMPLIFICATIONS
//! These are deliberate and shown to learners; [`SIMPLIFICATIONS`] has the complete list, one
//! sentence each, for the UI to quote:
//! - **Controller**: an abstract, always-available KRaft quorum. It fences a broker that cannot
//!   reach it after `broker.session.timeout.ms` (default 9 s) and elects leaders instantly;
//!   metadata reaches every broker that can hear the controller at once. An isolated broker keeps
//!   its stale view (and keeps accepting acks=1 writes as a zombie leader).
//! - **Replication**: followers fetch each partition separately (Kafka groups partitions per
//!   broker pair), with long polling (`replica.fetch.wait.max.ms`). Logs survive crashes
//!   entirely. Segments roll and retention deletes them as in Kafka 3.6
//!   (`broker::partition_log`), without `segment.jitter.ms`, index-size rolls or delayed file
//!   deletes; nearing the playground's record-bytes budget the oldest committed batches drop their
//!   payload (offsets and sizes stay) and the run pauses if that is not enough. Placement is
//!   round-robin. Topics a producer's Metadata request names are auto-created
//!   (`auto.create.topics.enable`).
//! - **Producer**: no InitProducerId round trip (producer id 1000 at creation); metadata is
//!   refreshed (one round trip reading the controller's view) only after errors; retried batches
//!   are resent with the same records; backpressure = "no new request while the link to the broker
//!   is busy sending"; `poll()` never blocks; an application's `flush()` does not delay later
//!   scenario actions (actions are a timeline, not a program) — use `produce_many` with
//!   `mode: sync` for a truly synchronous loop.
//! - **Network**: FIFO links with latency and optional bandwidth; no TCP windows; a crashed
//!   broker resets the producer's connections after one link latency (`_TRANSPORT`); a dropped
//!   message is noticed only by timeouts.
//! - **Brokers** validate and store real batches (`kwire::broker::append`); CreateTime timestamp
//!   checks use each node's own clock.
//! - **Serializers**: the first call for a subject is the registry's POST (TopicNameStrategy);
//!   confluent-kafka 2.16.1's default strategy first asks `GET /associations/…` and falls back
//!   to `<topic>-value` on the 404 a Confluent Platform 7 registry gives, a round trip this
//!   model leaves out. A failure is named as `SerializingProducer` raises it
//!   (`ValueSerializationError`); a program that calls the serializer itself, as the exported
//!   code and Confluent's examples do, gets the exception inside (fastavro's `ValueError` or
//!   `TypeError`, or `SchemaRegistryError`).
//! - **Bounded**: every run stops at `limits.max_events` / `limits.max_time_ms` and logs why.
//!
//! # Checks
//! - `cargo test -p ksim`: behaviour scenarios (`examples/*.json` in, asserted outcome out), the
//!   property test over random fault schedules (`KSIM_SEEDS=5000` for more seeds), partition
//!   mapping against librdkafka's fixtures, no panics on extreme input, replay determinism.
//! - `node crates/ksim-wasm/run.mjs check`: every example gives the same log hash in wasm as
//!   natively (`kplay run --json`).
//! - `tests/oracle/test_mock_cluster.py`: request counts, offsets, duplicates and reordering
//!   against librdkafka's mock cluster.

pub mod bench;
pub mod broker;
pub mod config;
mod controller;
pub mod error;
pub mod latency;
pub mod log;
pub mod metrics;
pub mod network;
mod node;
pub mod outcome;
pub mod partitioner;
pub mod producer;
mod proto;
pub mod queue;
mod registry;
pub mod rng;
pub mod same_event;
pub mod scenario;
pub mod serde_format;
pub mod serde_view;
pub mod sim;
mod topic;
pub mod variant;
mod variant_serializer;
pub mod view;

pub use config::{
    ConfigEntry, ConfigSource, DefaultRow, Partitioner, ProducerSettings, CLIENT_DEFAULTS,
};
pub use error::{ErrorAction, ErrorCode, SimError};
pub use log::{LogEntry, LogEvent, PartitionResult, SealReason};
pub use metrics::{CodecCompression, Metrics};
pub use network::{WireMessage, PRODUCER, RECENT_DELIVERED_OTHER, RECENT_DELIVERED_PRODUCE};
pub use outcome::{Outcome, OutcomeScan};
pub use proto::{DeliveryReport, PartitionMeta, SrError, StoredBatch, TimestampKind};
pub use registry::{HTTP_OVERHEAD_BYTES, SCHEMA_REGISTRY};
pub use scenario::*;
pub use sim::{
    pad_value, Checkpoint, InFlightBatch, MemoryUse, RunOutcome, Simulation, Step, StopReason,
    MAX_BROKERS, MAX_PARTITIONS, PRODUCER_ID, VALUE_PAD_FILL,
};
pub use topic::{topic_config_default, validate_topic_name, TOPIC_CONFIG_DEFAULTS};
pub use view::*;

/// The simplifications of the model, one sentence each, for the UI's help text (the same list as
/// the `SIMPLIFICATIONS` section of these docs, with more detail in each module's docs).
pub const SIMPLIFICATIONS: &[&str] = &[
    "The controller is an always-available KRaft quorum: it fences a broker that cannot reach it after broker.session.timeout.ms (9 s) and elects leaders instantly.",
    "Metadata from the controller reaches every broker that can hear it at once; an isolated broker keeps its stale view and may act as a zombie leader.",
    "Followers fetch each partition separately (real brokers group partitions per broker pair); empty fetches wait replica.fetch.wait.max.ms (500 ms).",
    "Logs survive crashes entirely (as if flushed to disk), and there is no producer-id expiration. Segments roll by segment.bytes and segment.ms and the retention task deletes them by retention.ms and retention.bytes as Kafka 3.6 does, without segment.jitter.ms, index-size rolls or the delayed file delete.",
    "The playground's own memory budget (cluster.record_bytes_budget_mb, 128 MiB by default): nearing it (past three quarters of a broker's share) the oldest committed batches drop their record bytes (offsets and sizes stay; Kafka would keep them until retention.ms), and past 4,096 such batches per replica their headers fold into one summary per segment. A run whose uncommitted and buffered bytes alone would pass the budget pauses itself.",
    "Replicas are placed round-robin: partition p has replicas p, p+1, ... (mod N), the first leads.",
    "The producer gets its producer id instantly at creation (no InitProducerId round trip) and refreshes metadata only after errors, with one round trip reading the controller's current view.",
    "A retried batch is resent with the same records (librdkafka may re-batch non-idempotent retries).",
    "librdkafka's backpressure is modelled as: no new ProduceRequest to a broker while the link to it is still busy sending.",
    "After an epoch bump, batches whose outcome is unknown fail instead of being resent under the new epoch.",
    "poll() never blocks, and an application's flush() does not delay later scenario actions: actions are a timeline, not a program (produce_many with mode sync is a truly synchronous loop).",
    "Links are FIFO pipes with latency and optional bandwidth, no TCP windows; a lost message is noticed only by timeouts, except that a crashed broker resets the producer's connections after one link latency.",
    "The producer's connections are up when the scenario starts; a broken one is re-established, only while the producer has messages for that broker, with the client's reconnect backoff and one round trip per attempt (TCP connect and ApiVersions as one exchange).",
    "While a partition with messages has no leader, or its leader's connection is down, the producer asks for metadata again after retry.backoff.ms, doubling up to retry.backoff.max.ms (librdkafka's leader query stops as soon as metadata names any leader).",
    "The producer reads a connection's responses in request order (a response that overtook a lost one waits), and a request timeout tears the connection down: the other requests on it fail with _TRANSPORT and are retried.",
    "With idempotence, a partition that saw a retriable error resends its retry batches one at a time before any new batch (as the Java client does), so a retry always stays inside the broker's 5-batch window.",
    "Java's buffer.memory is exhausted immediately (no max.block.ms wait): produce() fails like librdkafka's queue-full error.",
    "A message for a topic the producer does not know yet waits for metadata in both profiles; Java's send() would block for it up to max.block.ms (60 s) and then throw, here it returns at once and the message fails with _MSG_TIMED_OUT after message.timeout.ms / delivery.timeout.ms.",
    "Java's built-in partitioner (KIP-794) moves its sticky partition after batch.size bytes, but picks the next one uniformly at random: adaptive partitioning by broker queue sizes (partitioner.adaptive.partitioning.enable) is not modelled.",
    "Brokers create a topic a Metadata request names when auto.create.topics.enable is on (the Kafka 3.6 default), with num.partitions and default.replication.factor, instantly and without a CreateTopics round trip to the controller.",
    "Java's RecordTooLargeException (a single record above max.request.size) is raised by send() here instead of reaching the callback.",
    "Delivery reports report acks=0 offsets as None (the Java client's callback gets -1).",
    "The broker validates the timestamps of a batch with its own node clock; clocks may have an offset and a drift.",
    "The Schema Registry is always up and its HTTP calls are never lost (TCP would retransmit; no HTTP timeouts are modelled); each call costs one round trip on its own link (schema_registry.latency_ms), with 160 B counted for HTTP headers.",
    "While a produce action's serializer waits for the Schema Registry, the application's later calls (produce, produce_many, poll, flush, set_producer_config, set_serializer) wait and then run in order; a produce_many loop blocks alone.",
    "The serializer's first call for a subject is the registry's POST; confluent-kafka 2.16.1's default subject strategy first asks GET /associations and falls back to <topic>-value on the 404, one more round trip that is left out.",
    "A serializer failure is named as SerializingProducer raises it (ValueSerializationError); a program that calls the serializer itself, as the exported code does, gets the exception inside: fastavro's ValueError or TypeError, or SchemaRegistryError.",
    "The registry compares schemas by their JSON with whitespace removed and members sorted (Confluent uses Avro's Schema.toString, which also normalises a few spellings); registry error details use the playground's wording and leave out the old schema.",
];
