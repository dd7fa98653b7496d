//! Segments and retention as a Kafka 3.6 broker applies them (`LogSegment.shouldRoll`,
//! `UnifiedLog.deleteOldSegments`), and the playground's record-bytes budget. Each test is a
//! scenario in and what Kafka would report out: segments, the log start offset, what the
//! follower does when the leader deleted what it needs.

use ksim::{LogEvent, ReplicaView, Simulation, StopReason};
use serde_json::json;

/// One topic `t` (1 partition, RF 3) with `configs`, `cluster` merged into the cluster, and
/// `count` events of ~`value_bytes` at `rate` events/s; linger.ms=0, so one batch per event.
fn scenario(
    configs: serde_json::Value,
    cluster: serde_json::Value,
    count: u64,
    rate: f64,
    value_bytes: usize,
) -> serde_json::Value {
    let mut c = json!({ "brokers": 3 });
    for (k, v) in cluster.as_object().unwrap() {
        c[k] = v.clone();
    }
    json!({
        "seed": 3,
        "cluster": c,
        "topics": [{ "name": "t", "partitions": 1, "replication_factor": 3, "configs": configs }],
        "producer": { "config": { "linger.ms": 0, "acks": "all" } },
        "actions": [{ "at_ms": 0, "action": { "type": "produce_many", "topic": "t", "count": count,
            "rate_per_sec": rate, "value": "v{i}", "value_size_bytes": value_bytes } }],
        "log": { "per_message": false, "replication": false }
    })
}

fn run(s: &serde_json::Value, until_ms: u64) -> Simulation {
    let mut sim = Simulation::from_json(&s.to_string()).expect("the scenario is valid");
    sim.run_until(until_ms * 1000);
    sim
}

fn replica(sim: &Simulation, broker: u32) -> ReplicaView {
    sim.view().partitions[0]
        .replicas
        .iter()
        .find(|r| r.broker == broker)
        .cloned()
        .unwrap()
}

fn leader(sim: &Simulation) -> ReplicaView {
    let v = sim.view();
    v.partitions[0]
        .replicas
        .iter()
        .find(|r| r.is_leader)
        .cloned()
        .unwrap()
}

fn deletions(sim: &Simulation) -> Vec<(u32, String, i64)> {
    sim.log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::SegmentsDeleted {
                broker,
                reason,
                log_start_offset,
                ..
            } => Some((*broker, reason.clone(), *log_start_offset)),
            _ => None,
        })
        .collect()
}

#[test]
fn segments_roll_when_the_next_batch_would_pass_segment_bytes() {
    // Each batch of one ~500-byte record is a little over 500 bytes: two fit in 1,200 bytes.
    let s = scenario(
        json!({ "segment.bytes": "1200" }),
        json!({}),
        10,
        100.0,
        500,
    );
    let sim = run(&s, 1_000);
    let l = leader(&sim);
    assert_eq!(l.log_end_offset, 10);
    assert_eq!(l.segment_count, 5, "two batches per segment");
    let rolls: Vec<i64> = sim
        .log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::SegmentRolled {
                broker,
                base_offset,
                ..
            } if *broker == l.broker => Some(*base_offset),
            _ => None,
        })
        .collect();
    assert_eq!(
        rolls,
        vec![2, 4, 6, 8],
        "each new segment starts at the log end offset"
    );
    assert_eq!(
        l.log_start_offset, 0,
        "Kafka's default retention keeps everything"
    );
}

#[test]
fn segments_roll_by_segment_ms_measured_from_the_first_batch_timestamp() {
    // One event every 400 ms, segment.ms = 1000: a batch more than 1 s newer than the
    // segment's first batch rolls a new segment (offsets 0,1,2 → 3 rolls at 1.2 s).
    let s = scenario(json!({ "segment.ms": "1000" }), json!({}), 7, 2.5, 50);
    let sim = run(&s, 5_000);
    let l = leader(&sim);
    assert_eq!(l.log_end_offset, 7);
    assert_eq!(l.segment_count, 3, "segments start at offsets 0, 3 and 6");
}

#[test]
fn retention_bytes_deletes_the_oldest_whole_segments_at_the_retention_task() {
    // 20 batches of ~500 B, segments of two; retention.bytes = 4,000: the task keeps the
    // smallest tail of whole segments that is still at least 4,000 bytes... as Kafka's
    // `diff - segment.size >= 0` rule does. The task first runs 30 s after start.
    let s = scenario(
        json!({ "segment.bytes": "1200", "retention.bytes": "4000" }),
        json!({ "log_retention_check_interval_ms": 10000 }),
        20,
        100.0,
        500,
    );
    let early = run(&s, 29_000);
    assert_eq!(
        leader(&early).log_start_offset,
        0,
        "nothing before the first run at 30 s"
    );
    let sim = run(&s, 31_000);
    let l = leader(&sim);
    let batch_bytes = l.batches[0].size_bytes as i64;
    // 10 segments of 2 batches: size = 20·b; diff = 20·b − 4000; whole segments of 2·b go
    // while they fit in diff.
    let diff = 20 * batch_bytes - 4000;
    let deleted_segments = diff / (2 * batch_bytes);
    assert_eq!(l.log_start_offset, deleted_segments * 2);
    assert!(
        l.log_size_bytes as i64 >= 4000,
        "never below retention.bytes"
    );
    assert_eq!(l.batch_count, 20, "batch numbers stay put after deletion");
    assert_eq!(l.batches.len() as i64, 20 - deleted_segments * 2);
    let d = deletions(&sim);
    assert_eq!(d.len(), 3, "each broker's own retention task: {d:?}");
    assert!(d
        .iter()
        .all(|(_, r, start)| r == "retention.bytes" && *start == l.log_start_offset));
}

#[test]
fn retention_ms_deletes_every_expired_segment_and_rolls_an_empty_active_one() {
    // Everything is produced in the first 200 ms; retention.ms = 10 s; the task runs at 30 s:
    // every segment (the active one too, since the high watermark is at the log end) expired.
    let s = scenario(
        json!({ "segment.bytes": "1200", "retention.ms": "10000" }),
        json!({}),
        20,
        100.0,
        500,
    );
    let sim = run(&s, 31_000);
    let l = leader(&sim);
    assert_eq!(
        l.log_start_offset, 20,
        "the log start offset is the log end offset"
    );
    assert_eq!(l.log_end_offset, 20, "offsets are never reused");
    assert_eq!(l.segment_count, 1, "one empty active segment");
    assert!(l.batches.is_empty());
    assert_eq!(deletions(&sim)[0].1, "retention.ms");
}

#[test]
fn a_follower_behind_the_leaders_log_start_starts_again_there() {
    // Follower 2 is down while the leader writes 20 batches and deletes them by retention.ms;
    // when it comes back its fetch offset is below the leader's log start: OFFSET_OUT_OF_RANGE,
    // and it truncates fully and starts at the leader's log start offset
    // (`AbstractFetcherThread.fetchOffsetAndTruncate`).
    let mut s = scenario(
        json!({ "segment.bytes": "1200", "retention.ms": "10000" }),
        json!({}),
        20,
        100.0,
        500,
    );
    s["faults"] = json!([
        { "at_ms": 0, "fault": { "kind": "crash", "broker": 2 } },
        { "at_ms": 40000, "fault": { "kind": "restart", "broker": 2 } }
    ]);
    let sim = run(&s, 60_000);
    let l = leader(&sim);
    assert_eq!(l.log_start_offset, 20);
    let f = replica(&sim, 2);
    assert_eq!((f.log_start_offset, f.log_end_offset), (20, 20));
    assert!(sim.log().iter().any(|e| matches!(
        e.event,
        LogEvent::Truncated {
            broker: 2,
            to_offset: 20,
            ..
        }
    )));
    assert!(
        sim.view().partitions[0].isr.contains(&2),
        "and rejoins the ISR"
    );
}

#[test]
fn past_the_record_bytes_budget_old_batches_keep_offsets_and_sizes_but_not_bytes() {
    // 1 MiB budget over 3 brokers (~350 KB each); 3,000 batches of ~1 KB per replica.
    let s = scenario(
        json!({}),
        json!({ "record_bytes_budget_mb": 1 }),
        3000,
        1000.0,
        1000,
    );
    let mut sim = Simulation::from_json(&s.to_string()).unwrap();
    let out = sim.run_until_idle(10_000_000);
    assert_eq!(
        out.stopped,
        StopReason::Idle,
        "the run goes on past the budget"
    );
    assert_eq!(sim.metrics().records_delivered, 3000);
    let l = leader(&sim);
    assert_eq!(l.log_end_offset, 3000);
    assert!(
        l.payload_dropped_batches > 1000,
        "{}",
        l.payload_dropped_batches
    );
    let m = sim.memory();
    assert!(m.broker_record_bytes <= m.budget_bytes, "{m:?}");
    // The oldest batch in the view: header kept, bytes gone, said so.
    let oldest_listed = &l.batches[0];
    assert!(oldest_listed.payload_dropped || l.payload_dropped_below <= oldest_listed.base_offset);
    assert!(l.payload_dropped_below > 1000);
    let newest = l.batches.last().unwrap();
    assert!(!newest.payload_dropped);
    assert!(sim.batch_bytes("t", 0, l.broker, newest.index).is_some());
    assert!(
        sim.batch_bytes("t", 0, l.broker, 0).is_none(),
        "batch 0's bytes were dropped"
    );
    assert!(sim
        .log()
        .iter()
        .any(|e| matches!(e.event, LogEvent::RecordBytesDropped { .. })));
    // Replay gives the same log hash.
    let mut again = Simulation::from_json(&s.to_string()).unwrap();
    again.run_until_idle(10_000_000);
    assert_eq!(again.log_hash(), sim.log_hash());
}

#[test]
fn many_dropped_batches_fold_into_a_summary_and_a_far_behind_follower_catches_up_past_it() {
    // 20,000 batches of ~1 KB with a 16 MiB budget: more than 4,096 payload-dropped batches
    // per replica, so the oldest headers fold. Follower 3 is down for 9 s (out of
    // the ISR after replica.lag.time.max.ms = 500 ms, so the high watermark moves on) and must
    // still catch up to the log end and rejoin the ISR.
    let mut s = scenario(
        json!({}),
        json!({ "record_bytes_budget_mb": 16, "replica_lag_time_max_ms": 500 }),
        20_000,
        2000.0,
        1000,
    );
    s["faults"] = json!([
        { "at_ms": 0, "fault": { "kind": "crash", "broker": 3 } },
        { "at_ms": 9000, "fault": { "kind": "restart", "broker": 3 } }
    ]);
    let sim = run(&s, 30_000);
    let l = leader(&sim);
    assert_eq!(l.log_end_offset, 20_000);
    assert_eq!(l.batch_count, 20_000, "folded batches still count");
    assert_eq!(l.batches.last().unwrap().index, 19_999);
    assert!(l.payload_dropped_batches > ksim::broker::MAX_DROPPED_HEADERS as u64);
    let f = replica(&sim, 3);
    assert_eq!(
        f.log_end_offset, 20_000,
        "the follower caught up past the folded run"
    );
    assert!(
        f.payload_dropped_batches > ksim::broker::MAX_DROPPED_HEADERS as u64,
        "it took the leader's folded run as its own: {}",
        f.payload_dropped_batches
    );
    assert_eq!(f.batch_count, l.batch_count);
    assert!(sim.view().partitions[0].isr.contains(&3));
}

#[test]
fn a_run_whose_uncommitted_bytes_alone_pass_the_budget_pauses_itself() {
    // Every broker is down: the producer buffers everything it is given (librdkafka's queue
    // allows 1 GB), far past a 1 MiB budget. The run stops with MemoryBudget instead of
    // growing without bound, and says why and what to do.
    let mut s = scenario(
        json!({}),
        json!({ "record_bytes_budget_mb": 1 }),
        5_000,
        10_000.0,
        1000,
    );
    s["faults"] = json!([
        { "at_ms": 0, "fault": { "kind": "crash", "broker": 1 } },
        { "at_ms": 0, "fault": { "kind": "crash", "broker": 2 } },
        { "at_ms": 0, "fault": { "kind": "crash", "broker": 3 } }
    ]);
    let mut sim = Simulation::from_json(&s.to_string()).unwrap();
    let out = sim.run_until_idle(10_000_000);
    assert_eq!(out.stopped, StopReason::MemoryBudget);
    assert_eq!(sim.stopped_by_limit(), Some(StopReason::MemoryBudget));
    let m = sim.memory();
    assert!(m.producer_record_bytes > m.budget_bytes);
    assert!(
        m.producer_record_bytes < m.budget_bytes + 200_000,
        "paused soon after: {m:?}"
    );
    let last = sim.log().last().unwrap().event.describe();
    assert!(
        last.contains("memory budget") && last.contains("Reset"),
        "{last}"
    );
}
