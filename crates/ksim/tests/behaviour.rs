//! Data-driven behaviour tests: each case runs a scenario file from `examples/` and asserts the
//! outcome (docs/kafka-sources.md §4–8). `cargo test -p ksim --test behaviour`.

use ksim::*;
use std::path::PathBuf;

fn examples_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Runs `examples/<name>.json` until idle.
fn run(name: &str) -> Simulation {
    let (sim, stopped) = run_to_end(name);
    assert_eq!(stopped, StopReason::Idle, "{name} did not finish");
    sim
}

/// Runs `examples/<name>.json` until it stops: idle, or (the memory-budget example) paused.
fn run_to_end(name: &str) -> (Simulation, StopReason) {
    let path = examples_dir().join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut sim = Simulation::from_json(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
    let out = sim.run_until_idle(5_000_000);
    let expected = if name == "memory-budget-pause" {
        StopReason::MemoryBudget
    } else {
        StopReason::Idle
    };
    assert_eq!(out.stopped, expected, "{name}: {out:?}");
    (sim, out.stopped)
}

fn values(sim: &Simulation, topic: &str, partition: u32) -> Vec<String> {
    sim.committed_records(topic, partition)
        .into_iter()
        .map(|(_, _, v)| String::from_utf8_lossy(&v.unwrap_or_default()).into_owned())
        .collect()
}

fn reports(sim: &Simulation) -> Vec<DeliveryReport> {
    let mut r = sim.view().delivery_reports;
    r.sort_by_key(|x| x.msg_id);
    r
}

fn has(sim: &Simulation, f: impl Fn(&LogEvent) -> bool) -> bool {
    sim.log().iter().any(|e| f(&e.event))
}

#[test]
fn acks_latency_and_outcome() {
    let lat = |name: &str| {
        let sim = run(name);
        let r = reports(&sim);
        assert_eq!(r.len(), 1, "{name}");
        assert_eq!(r[0].error, None, "{name}");
        (r[0].offset, r[0].latency_us)
    };
    let (o0, l0) = lat("acks-0");
    let (o1, l1) = lat("acks-1");
    let (oa, la) = lat("acks-all");
    assert_eq!(o0, None, "acks=0 reports no offset");
    assert_eq!(o1, Some(0));
    assert_eq!(oa, Some(0));
    assert!(
        l0 < l1 && l1 < la,
        "latencies acks=0 {l0} < acks=1 {l1} < acks=all {la} µs"
    );
}

#[test]
fn not_enough_replicas_when_isr_below_min_insync() {
    let sim = run("not-enough-replicas");
    let r = reports(&sim);
    assert_eq!(r[0].error, Some(ErrorCode::NotEnoughReplicas));
    assert_eq!(r[0].error_code, Some(19));
    assert!(values(&sim, "events", 0).is_empty(), "nothing written");
}

#[test]
fn lost_ack_duplicates_without_idempotence() {
    let sim = run("lost-ack-duplicate");
    assert_eq!(values(&sim, "events", 0), ["once", "once"]);
    assert_eq!(
        reports(&sim)[0].offset,
        Some(1),
        "the report carries the retry's offset"
    );
}

#[test]
fn lost_ack_is_deduplicated_with_idempotence() {
    let sim = run("lost-ack-idempotent");
    assert_eq!(values(&sim, "events", 0), ["once"]);
    assert_eq!(
        reports(&sim)[0].offset,
        Some(0),
        "the report carries the original offset"
    );
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::DuplicateBatch {
            original_offset: 0,
            ..
        }
    )));
}

#[test]
fn retriable_error_reorders_without_idempotence() {
    let sim = run("reorder-no-idempotence");
    assert_eq!(values(&sim, "events", 0), ["A", "C", "B"]);
}

#[test]
fn idempotence_keeps_order() {
    let sim = run("reorder-idempotent");
    assert_eq!(values(&sim, "events", 0), ["A", "B", "C"]);
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::ProduceRejected {
            error: ErrorCode::OutOfOrderSequenceNumber,
            ..
        }
    )));
}

#[test]
fn acks1_loses_acknowledged_record_on_leader_crash() {
    let sim = run("acks1-leader-crash-loss");
    let r = reports(&sim);
    assert_eq!((r[0].error, r[0].offset), (None, Some(0)), "acknowledged");
    assert!(
        values(&sim, "events", 0).is_empty(),
        "but gone after failover"
    );
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::Truncated {
            broker: 1,
            to_offset: 0,
            ..
        }
    )));
    let v = sim.view();
    assert!(v.partitions[0]
        .replicas
        .iter()
        .all(|r| r.log_end_offset == 0));
}

#[test]
fn acks_all_keeps_acknowledged_record_on_leader_crash() {
    let sim = run("acks-all-leader-crash-no-loss");
    let r = reports(&sim);
    assert_eq!(r[0].error, None);
    assert_eq!(values(&sim, "events", 0), ["safe"]);
}

#[test]
fn count_based_batching_matches_the_mock_cluster() {
    // docs/kafka-sources.md §4.2: the request counts librdkafka's mock cluster gives for these
    // workloads (re-checked against the mock by tests/oracle/test_mock_cluster.py).
    for (name, expected) in [
        ("batching-flush", 1..=1),
        ("batching-count-100", 10..=10),
        ("batching-count-1", 1000..=1000),
        ("batching-bytes-20000", 6..=7),
    ] {
        let sim = run(name);
        let m = sim.metrics();
        assert_eq!(m.records_delivered, 1000, "{name}");
        assert!(
            expected.contains(&m.produce_requests),
            "{name}: {} requests",
            m.produce_requests
        );
        assert_eq!(values(&sim, "events", 0).len(), 1000);
    }
}

#[test]
fn synchronous_producer_sends_far_more_requests() {
    let sync = run("sync-producer").metrics().produce_requests;
    let asyn = run("async-producer").metrics().produce_requests;
    assert_eq!(sync, 100);
    assert!(asyn * 5 <= sync, "async {asyn} vs sync {sync}");
}

#[test]
fn java_piggybacks_partitions_per_broker() {
    let java = run("java-piggyback");
    let rdk = run("librdkafka-one-partition-per-request");
    assert!(java.metrics().produce_requests < rdk.metrics().produce_requests);
    assert!(has(
        &java,
        |e| matches!(e, LogEvent::RequestSent { batches, .. } if batches.len() > 1)
    ));
    assert!(!has(
        &rdk,
        |e| matches!(e, LogEvent::RequestSent { batches, .. } if batches.len() > 1)
    ));
}

#[test]
fn compression_shrinks_real_bytes() {
    let sim = run("compression-lz4");
    let m = sim.metrics();
    assert!(m.compression_ratio > 2.0, "{m:?}");
    let v = sim.view();
    let b = &v.partitions[0].replicas[0].batches[0];
    assert_eq!(b.codec, "lz4");
    let bytes = sim
        .batch_bytes("events", 0, v.partitions[0].replicas[0].broker, 0)
        .unwrap();
    assert_eq!(bytes.len(), b.size_bytes);
    assert_eq!(
        &bytes[0..8],
        &0i64.to_be_bytes(),
        "base offset patched to 0"
    );
}

#[test]
fn topic_compression_type_forces_recompression() {
    let sim = run("topic-recompress");
    let v = sim.view();
    for b in &v.partitions[0].replicas[0].batches {
        assert_eq!(b.codec, "zstd");
        assert!(b.recompressed);
    }
}

#[test]
fn zombie_leader_loses_acks1_writes_after_heal() {
    let sim = run("network-partition-zombie-leader");
    let r = reports(&sim);
    assert_eq!(r.len(), 20);
    assert!(r.iter().all(|x| x.error.is_none()));
    let kept = values(&sim, "events", 0);
    assert!(
        kept.len() < 20,
        "some acknowledged writes were lost: kept {kept:?}"
    );
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::Truncated { broker: 1, .. }
    )));
}

#[test]
fn skewed_producer_clock_gives_invalid_timestamp() {
    let sim = run("clock-skew-invalid-timestamp");
    assert_eq!(reports(&sim)[0].error, Some(ErrorCode::InvalidTimestamp));
}

#[test]
fn queue_full_raises_buffer_error() {
    let sim = run("queue-full-buffer-error");
    let fails = sim
        .log()
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                LogEvent::ProduceFailed {
                    error: ErrorCode::QueueFull,
                    ..
                }
            )
        })
        .count();
    assert_eq!(fails, 2);
    assert_eq!(sim.metrics().records_delivered, 3);
}

#[test]
fn every_example_is_deterministic_and_snapshots_replay() {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();
    assert!(names.len() >= 15);
    for n in names {
        let name = n.trim_end_matches(".json");
        let (a, _) = run_to_end(name);
        let (b, _) = run_to_end(name);
        assert_eq!(a.log_hash(), b.log_hash(), "{name} not deterministic");
        // A snapshot taken half-way continues exactly like the original.
        let text = std::fs::read_to_string(examples_dir().join(&n)).unwrap();
        let mut c = Simulation::from_json(&text).unwrap();
        c.run_until(a.now_us() / 2);
        let mut snap = c.clone();
        c.run_until_idle(5_000_000);
        snap.run_until_idle(5_000_000);
        assert_eq!(c.log_hash(), snap.log_hash(), "{name} snapshot diverged");
        assert_eq!(
            c.log_hash(),
            a.log_hash(),
            "{name} stepping changed the run"
        );
    }
}

#[test]
fn unclean_election_loses_acknowledged_record() {
    let sim = run("unclean-election-loss");
    let r = reports(&sim);
    assert_eq!((r[0].error, r[0].offset), (None, Some(0)));
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::LeaderElected {
            leader: Some(3),
            unclean: true,
            ..
        }
    )));
    assert!(values(&sim, "events", 0).is_empty());
}

#[test]
fn log_append_time_uses_the_broker_clock() {
    let sim = run("log-append-time");
    let v = sim.view();
    let leader = v.partitions[0]
        .replicas
        .iter()
        .find(|r| r.is_leader)
        .unwrap();
    let stored = &leader.batches[0];
    // Producer clock: start 1_700_000_000_000 ms + 0 ms; broker 1 runs 1.5 s ahead and appends at ~1 ms.
    assert_eq!(stored.max_timestamp_ms, 1_700_000_000_000 + 1500 + 1);
    let bytes = sim.batch_bytes("events", 0, leader.broker, 0).unwrap();
    assert_eq!(
        i16::from_be_bytes([bytes[21], bytes[22]]) & 0x08,
        0x08,
        "LogAppendTime bit"
    );
    // The delivery report carries the broker's time and says so, as msg.timestamp() does.
    let r = &reports(&sim)[0];
    assert_eq!(r.timestamp_type, TimestampKind::LogAppendTime);
    assert_eq!(r.timestamp_ms, stored.max_timestamp_ms);
    // On a CreateTime topic it is the producer's timestamp.
    let create = &reports(&run("acks-1"))[0];
    assert_eq!(create.timestamp_type, TimestampKind::CreateTime);
    assert_eq!(create.timestamp_ms, 1_700_000_000_000);
}

#[test]
fn slow_follower_leaves_and_rejoins_the_isr() {
    let sim = run("slow-follower-isr-shrink");
    let isr_changes: Vec<Vec<u32>> = sim
        .log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::IsrChanged { isr, .. } => Some(isr.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(isr_changes, [vec![1, 2], vec![1, 2, 3]]);
    assert_eq!(sim.metrics().records_delivered, 60);
    // REQUEST_TIMED_OUT is "possibly persisted": without idempotence the retries duplicated.
    assert!(values(&sim, "events", 0).len() > 60);
    assert!(has(&sim, |e| matches!(
        e,
        LogEvent::RetryScheduled {
            error: ErrorCode::RequestTimedOut,
            ..
        }
    )));
}

#[test]
fn random_loss_with_idempotence_keeps_exactly_once() {
    let sim = run("random-loss-idempotent");
    let m = sim.metrics();
    assert_eq!(m.records_delivered, 200);
    assert!(m.retries > 0 && m.duplicates_detected > 0, "{m:?}");
    for p in 0..2 {
        let vals = values(&sim, "events", p);
        let mut nums: Vec<u64> = vals
            .iter()
            .map(|v| v.trim_start_matches('m').parse().unwrap())
            .collect();
        let sorted = {
            let mut s = nums.clone();
            s.sort_unstable();
            s
        };
        assert_eq!(nums, sorted, "partition {p} in produce order");
        nums.dedup();
        assert_eq!(nums.len(), vals.len(), "partition {p} without duplicates");
    }
}

#[test]
fn oversized_batch_is_rejected_permanently() {
    let sim = run("message-too-large");
    let r = reports(&sim);
    assert_eq!(r.len(), 3);
    assert!(r.iter().all(|x| x.error == Some(ErrorCode::MessageTooLarge)
        && x.error_name.as_deref() == Some("MSG_SIZE_TOO_LARGE")));
    assert!(values(&sim, "events", 0).is_empty());
}

#[test]
fn compression_shortens_transfer_on_a_slow_link() {
    let none = run("bandwidth-none").metrics();
    let lz4 = run("bandwidth-lz4").metrics();
    assert_eq!(
        (none.records_delivered, lz4.records_delivered),
        (2000, 2000)
    );
    assert!(
        lz4.bytes_sent_batches * 3 < none.bytes_sent_batches,
        "{lz4:?} vs {none:?}"
    );
    let (p50_none, p50_lz4) = (none.latency_p50_ms.unwrap(), lz4.latency_p50_ms.unwrap());
    assert!(
        p50_lz4 < p50_none,
        "p50 latency lz4 {p50_lz4} ms vs none {p50_none} ms"
    );
}

#[test]
fn java_resends_an_oversized_batch_that_fits_batch_size_until_delivery_timeout() {
    // KAFKA-8350: the split by batch.size leaves a batch that fits batch.size unchanged.
    let sim = run("java-split-too-large");
    assert_eq!(sim.metrics().records_delivered, 0);
    assert!(
        values(&sim, "events", 0).is_empty(),
        "nothing is ever appended"
    );
    let rejected = sim
        .log()
        .iter()
        .filter(|e| {
            matches!(
                e.event,
                LogEvent::ProduceRejected {
                    error: ErrorCode::MessageTooLarge,
                    ..
                }
            )
        })
        .count();
    assert!(
        rejected > 100,
        "sent again and again: {rejected} rejections"
    );
    for r in reports(&sim) {
        assert_eq!(
            r.error,
            Some(ErrorCode::MsgTimedOut),
            "delivery.timeout.ms ends it"
        );
        assert!(r.latency_us >= 1_090_000, "latency {}", r.latency_us);
    }
}

#[test]
fn a_caught_up_follower_stays_in_the_isr_on_an_idle_partition() {
    // Kafka's Partition.maybeShrinkIsr drops a follower whose lastCaughtUpTimeMs is older than
    // replica.lag.time.max.ms (30 s). A follower's fetch at the leader's log end counts as caught
    // up (Replica.updateFetchState, isCaughtUp), so with no new records its empty fetches keep it
    // in the ISR: ten minutes of silence after one record change nothing.
    let sc = Scenario {
        topics: vec![TopicSpec {
            name: "quiet".into(),
            partitions: 1,
            replication_factor: 3,
            ..Default::default()
        }],
        ..Default::default()
    };
    let mut sim = Simulation::new(sc).unwrap();
    sim.produce("quiet", None, Some("only one")).unwrap();
    sim.run_until(600_000_000);
    assert!(
        sim.now_us() >= 600_000_000,
        "the run stopped early at {}",
        sim.now_us()
    );
    assert!(!has(&sim, |e| matches!(e, LogEvent::IsrChanged { .. })));
    let p = &sim.view().partitions[0];
    assert_eq!(p.isr.len(), 3, "{p:?}");
    assert_eq!(sim.poll()[0].offset, Some(0));
}
