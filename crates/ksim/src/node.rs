//! The node API that the producer, the brokers and the controller share, in the shape of
//! quinn-proto and str0m: a node never touches the world. The driver hands it an input together
//! with a read-only [`Ctx`] (the virtual time, topic metadata, link properties, clocks), the node
//! changes only its own state and queues [`Output`]s (a message to send, a timer to set, a log
//! entry, or the return of a blocking application call), and the driver drains them with the
//! node's `poll_output()` after every input, in the order they were queued. The order matters: it
//! is the order in which the driver schedules events, so it is part of the deterministic log.

use crate::log::LogEvent;
use crate::network::Network;
use crate::proto::{ControllerRequest, MetadataUpdate, Payload, Tp};
use crate::scenario::LogOptions;
use crate::topic::Topic;
use std::collections::{BTreeMap, VecDeque};

/// A node clock's deviation from the simulation's clock (`cluster.clocks` of the scenario).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ClockSkew {
    pub offset_ms: i64,
    pub drift_ppm: i64,
}

/// Every node's wall clock: the scenario's start time plus elapsed virtual time, plus the node's
/// offset and drift.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeClocks {
    pub start_time_ms: i64,
    pub skew: BTreeMap<u32, ClockSkew>,
}

impl NodeClocks {
    /// The node's wall clock in ms at virtual time `now_us`.
    pub fn node_time_ms(&self, node: u32, now_us: u64) -> i64 {
        let elapsed_ms = (now_us / 1000) as i64;
        let s = self.skew.get(&node).copied().unwrap_or_default();
        self.start_time_ms
            .saturating_add(elapsed_ms)
            .saturating_add(s.offset_ms)
            .saturating_add(elapsed_ms.saturating_mul(s.drift_ppm) / 1_000_000)
    }
}

/// Broker and controller timing settings of the cluster, in µs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct BrokerTiming {
    /// `replica.lag.time.max.ms`.
    pub lag_time_max_us: u64,
    /// `replica.fetch.wait.max.ms`.
    pub fetch_wait_max_us: u64,
    /// `replica.fetch.backoff.ms`.
    pub fetch_backoff_us: u64,
    /// `broker.session.timeout.ms`.
    pub session_timeout_us: u64,
    /// `log.retention.check.interval.ms`: how often each broker's retention task runs.
    pub retention_check_interval_us: u64,
    /// The playground's record-bytes budget, this broker's share (not a Kafka setting; see
    /// `ClusterSpec::record_bytes_budget_mb`).
    pub record_bytes_budget_per_broker: u64,
}

/// What a node may read while it handles an input. Nothing in it can be changed by the node.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ctx<'a> {
    pub now_us: u64,
    /// Topics by index ([`Tp::topic`]), with their configuration.
    pub topics: &'a [Topic],
    pub log: &'a LogOptions,
    /// Link latencies, bandwidths, isolation and which brokers are down.
    pub net: &'a Network,
    pub clocks: &'a NodeClocks,
    pub timing: &'a BrokerTiming,
}

impl Ctx<'_> {
    /// The index ([`Tp::topic`]) of the topic called `name`, if the cluster has it.
    pub fn topic_index(&self, name: &str) -> Option<u32> {
        self.topics
            .iter()
            .position(|t| t.spec.name == name)
            .map(|i| i as u32)
    }

    pub fn topic_name(&self, tp: Tp) -> String {
        self.topics
            .get(tp.topic as usize)
            .map(|t| t.spec.name.clone())
            .unwrap_or_default()
    }

    /// The node's own wall clock in ms.
    pub fn node_time_ms(&self, node: u32) -> i64 {
        self.clocks.node_time_ms(node, self.now_us)
    }
}

/// A message a node hands to the network.
#[derive(Debug, Clone)]
pub(crate) struct Transmit {
    pub from: u32,
    pub to: u32,
    pub payload: Payload,
    /// Its encoded size on the wire.
    pub size_bytes: usize,
    /// A one-line description for the network view.
    pub detail: String,
}

/// An application call blocked inside the producer (`flush()`, or `poll(1)` after a
/// `BufferError`), named by the application loop that made it; handed back in
/// [`Output::Resume`] when the call returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Waiter {
    pub loop_id: u64,
    pub token: u64,
}

/// What a node asks the driver to do, generic over the node's own timer type.
#[derive(Debug, Clone)]
pub(crate) enum Output<T> {
    Transmit(Transmit),
    /// Call the node back with `Input::Timer(timer)` at `at_us` (not before now).
    Timer {
        at_us: u64,
        timer: T,
    },
    Log(LogEvent),
    /// A blocking application call returned: the application loop goes on.
    Resume(Waiter),
    /// Metadata from the controller for a broker (delivered at once).
    ToBroker {
        broker: u32,
        update: MetadataUpdate,
    },
    /// A broker's request to the controller (delivered at once).
    ToController(ControllerRequest),
    /// A broker counter for the metrics (the producer keeps its own counters instead, since it
    /// updates them for every record).
    Metric(BrokerMetric),
}

impl<T> Output<T> {
    /// The same output with its timer (if it is one) mapped, e.g. into the driver's event.
    pub fn map_timer<U>(self, f: impl FnOnce(T) -> U) -> Output<U> {
        match self {
            Output::Transmit(t) => Output::Transmit(t),
            Output::Timer { at_us, timer } => Output::Timer {
                at_us,
                timer: f(timer),
            },
            Output::Log(e) => Output::Log(e),
            Output::Resume(w) => Output::Resume(w),
            Output::ToBroker { broker, update } => Output::ToBroker { broker, update },
            Output::ToController(r) => Output::ToController(r),
            Output::Metric(m) => Output::Metric(m),
        }
    }
}

/// What brokers count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BrokerMetric {
    /// A leader appended this many records (duplicates never are).
    RecordsAppended(u64),
    /// A leader recognised a retried batch it already has (idempotence, KIP-98).
    DuplicateDetected,
}

/// A node's queue of outputs, drained by the driver through the node's `poll_output()`.
#[derive(Debug, Clone)]
pub(crate) struct Outbox<T>(VecDeque<Output<T>>);

impl<T> Default for Outbox<T> {
    fn default() -> Self {
        Outbox(VecDeque::new())
    }
}

impl<T> Outbox<T> {
    pub fn log(&mut self, event: LogEvent) {
        self.0.push_back(Output::Log(event));
    }
    pub fn timer(&mut self, at_us: u64, timer: T) {
        self.0.push_back(Output::Timer { at_us, timer });
    }
    pub fn transmit(&mut self, t: Transmit) {
        self.0.push_back(Output::Transmit(t));
    }
    pub fn push(&mut self, o: Output<T>) {
        self.0.push_back(o);
    }
    pub fn pop(&mut self) -> Option<Output<T>> {
        self.0.pop_front()
    }
    /// Takes every queued output out, leaving the outbox empty.
    pub fn take(&mut self) -> std::collections::vec_deque::IntoIter<Output<T>> {
        std::mem::take(&mut self.0).into_iter()
    }

    /// Moves every output of `other` behind this outbox's own.
    pub fn append(&mut self, other: &mut Outbox<T>) {
        self.0.append(&mut other.0);
    }
}

/// A stand-in for the driver's world in node unit tests: what a [`Ctx`] borrows, with a clock
/// the test moves by hand, and helpers to read what a node queued.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use crate::scenario::{ClusterSpec, TopicSpec};
    use crate::topic::TopicConfig;

    pub struct TestWorld {
        pub now_us: u64,
        pub topics: Vec<Topic>,
        pub log: LogOptions,
        pub net: Network,
        pub clocks: NodeClocks,
        pub timing: BrokerTiming,
    }

    impl TestWorld {
        /// Three brokers, one topic `t` with `partitions` partitions and these topic configs.
        pub fn new(partitions: u32, configs: &[(&str, &str)]) -> TestWorld {
            let spec = TopicSpec {
                name: "t".into(),
                partitions,
                replication_factor: 3,
                configs: configs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            };
            let config = TopicConfig::parse(&spec.configs).expect("valid test topic configs");
            TestWorld {
                now_us: 0,
                topics: vec![Topic { spec, config }],
                log: LogOptions::default(),
                net: Network::new(&ClusterSpec::default(), 7),
                clocks: NodeClocks::default(),
                timing: BrokerTiming {
                    lag_time_max_us: 30_000_000,
                    fetch_wait_max_us: 500_000,
                    fetch_backoff_us: 1_000_000,
                    session_timeout_us: 9_000_000,
                    retention_check_interval_us: 300_000_000,
                    record_bytes_budget_per_broker: 128 << 20,
                },
            }
        }

        pub fn cx(&self) -> Ctx<'_> {
            Ctx {
                now_us: self.now_us,
                topics: &self.topics,
                log: &self.log,
                net: &self.net,
                clocks: &self.clocks,
                timing: &self.timing,
            }
        }
    }

    /// The payloads of the transmits among `outputs`, in order.
    pub fn transmits<T>(outputs: &[Output<T>]) -> Vec<&Transmit> {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Transmit(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// The log events among `outputs`, in order.
    pub fn logs<T>(outputs: &[Output<T>]) -> Vec<&LogEvent> {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Log(e) => Some(e),
                _ => None,
            })
            .collect()
    }

    /// The timers among `outputs`, in order.
    pub fn timers<T: Copy>(outputs: &[Output<T>]) -> Vec<(u64, T)> {
        outputs
            .iter()
            .filter_map(|o| match o {
                Output::Timer { at_us, timer } => Some((*at_us, *timer)),
                _ => None,
            })
            .collect()
    }
}
