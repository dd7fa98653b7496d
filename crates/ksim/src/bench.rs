//! The benchmark workload shared by `kplay bench sim` (native) and the wasm build: 3 brokers,
//! RF 3, acks=all, lz4, linger 5 ms, `records` events of 100 bytes at 500,000 events/s of virtual
//! time, keyed over 10,000 users, 6 partitions. Big runs log per batch, not per message.

use crate::scenario::*;

/// The benchmark scenario.
pub fn bench_scenario(records: u64) -> Scenario {
    Scenario {
        name: "bench".into(),
        topics: vec![TopicSpec {
            name: "bench".into(),
            partitions: 6,
            replication_factor: 3,
            ..Default::default()
        }],
        producer: ProducerSpec {
            config: [
                ("acks", "all"),
                ("compression.type", "lz4"),
                ("linger.ms", "5"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..Default::default()
        },
        actions: vec![TimedAction {
            at_ms: 0.0,
            action: Action::ProduceMany {
                topic: "bench".into(),
                count: records,
                rate_per_sec: Some(500_000.0),
                key: Some("user-{i}".into()),
                key_count: Some(10_000),
                value: "{\"event\":{i},\"kind\":\"payment\"}".into(),
                value_size_bytes: Some(100),
                mode: ProduceMode::Async,
            },
        }],
        log: LogOptions {
            per_message: false,
            replication: false,
            max_entries: 2_000_000,
        },
        ..Default::default()
    }
}
