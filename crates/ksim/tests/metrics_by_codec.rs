//! Compression metrics split by codec: after `compression.type` changes mid-run, each codec's
//! batches keep their own sizes and ratio, and the split adds up to the totals.

use ksim::{Action, ProduceMode, Scenario, Simulation, TimedAction, TopicSpec};

fn produce_many(at_ms: f64, count: u64) -> TimedAction {
    TimedAction {
        at_ms,
        action: Action::ProduceMany {
            topic: "payments".into(),
            count,
            rate_per_sec: Some(1000.0),
            key: None,
            key_count: Some(10),
            value: r#"{"payment_id": {i}, "from": "Alice", "to": "Bob", "amount_cents": 20000, "currency": "EUR"}"#.into(),
            value_size_bytes: None,
            mode: ProduceMode::Async,
        },
    }
}

#[test]
fn each_codec_keeps_its_own_ratio_and_the_split_adds_up() {
    let mut s = Scenario::default();
    s.topics.push(TopicSpec {
        name: "payments".into(),
        partitions: 1,
        replication_factor: 1,
        ..Default::default()
    });
    s.producer
        .config
        .insert("compression.type".into(), "gzip".into());
    s.producer.config.insert("linger.ms".into(), "50".into());
    s.actions.push(produce_many(0.0, 200));
    s.actions.push(TimedAction {
        at_ms: 1000.0,
        action: Action::SetProducerConfig {
            name: "compression.type".into(),
            value: "lz4".into(),
        },
    });
    s.actions.push(produce_many(1100.0, 200));
    let mut sim = Simulation::new(s).unwrap();
    sim.run_until_idle(10_000_000);
    let m = sim.metrics();
    let codecs: Vec<&str> = m
        .compression_by_codec
        .iter()
        .map(|c| c.codec.as_str())
        .collect();
    assert_eq!(codecs, ["gzip", "lz4"], "{m:?}");
    for c in &m.compression_by_codec {
        assert!(c.batches > 0);
        assert!(c.ratio > 1.5, "{} compresses this JSON: {c:?}", c.codec);
        assert!((c.ratio - c.bytes_uncompressed as f64 / c.bytes_compressed as f64).abs() < 1e-9);
    }
    let sum =
        |f: fn(&ksim::CodecCompression) -> u64| m.compression_by_codec.iter().map(f).sum::<u64>();
    assert_eq!(sum(|c| c.batches), m.batches);
    assert_eq!(sum(|c| c.bytes_uncompressed), m.bytes_uncompressed);
    assert_eq!(sum(|c| c.bytes_compressed), m.bytes_compressed);
    // gzip (deflate) packs this JSON tighter than lz4.
    assert!(
        m.compression_by_codec[0].ratio > m.compression_by_codec[1].ratio,
        "{m:?}"
    );
}
