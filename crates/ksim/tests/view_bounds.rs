//! The view is built every frame by the UI, so it must stay small however long the log grows:
//! replicas list only their newest batches, with the total count, and every index still reaches
//! its bytes. Latency percentiles equal nearest-rank percentiles of the sorted latencies.

use ksim::{Action, ProduceMode, Scenario, Simulation, TimedAction, TopicSpec, VIEW_MAX_BATCHES};

fn busy() -> Simulation {
    let mut s = Scenario::default();
    s.topics.push(TopicSpec {
        name: "t".into(),
        partitions: 1,
        replication_factor: 3,
        ..Default::default()
    });
    s.producer.config.insert("linger.ms".into(), "0".into());
    s.actions.push(TimedAction {
        at_ms: 0.0,
        action: Action::ProduceMany {
            topic: "t".into(),
            count: 1000,
            rate_per_sec: Some(1000.0),
            key: None,
            key_count: None,
            value: "event-{i}".into(),
            value_size_bytes: None,
            mode: ProduceMode::Async,
        },
    });
    let mut sim = Simulation::new(s).unwrap();
    sim.run_until_idle(10_000_000);
    sim
}

#[test]
fn replicas_list_only_the_newest_batches_and_their_count() {
    let sim = busy();
    let v = sim.view();
    let leader = v.partitions[0]
        .replicas
        .iter()
        .find(|r| r.is_leader)
        .unwrap();
    assert!(
        leader.batch_count > VIEW_MAX_BATCHES,
        "the scenario must outgrow the view: {}",
        leader.batch_count
    );
    assert_eq!(leader.batches.len(), VIEW_MAX_BATCHES);
    assert_eq!(leader.batches.last().unwrap().index, leader.batch_count - 1);
    assert_eq!(
        leader.batches.last().unwrap().last_offset + 1,
        leader.log_end_offset
    );
    let first = &leader.batches[0];
    let bytes = sim.batch_bytes("t", 0, leader.broker, first.index).unwrap();
    assert_eq!(bytes.len(), first.size_bytes);
    assert!(
        sim.batch_bytes("t", 0, leader.broker, 0).is_some(),
        "older batches stay reachable"
    );
}

#[test]
fn latency_percentiles_are_nearest_rank_of_the_delivery_reports_within_the_stated_precision() {
    let sim = busy();
    let m = sim.metrics();
    let mut lat: Vec<u64> = sim
        .log()
        .iter()
        .filter_map(|e| match &e.event {
            ksim::LogEvent::DeliveryReport {
                latency_us,
                error: None,
                ..
            } => Some(*latency_us),
            _ => None,
        })
        .collect();
    assert_eq!(lat.len(), 1000);
    lat.sort_unstable();
    let rank = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize] as f64 / 1000.0;
    // ksim::latency: exact below 256 µs, within 1/256 above.
    let close = |got: Option<f64>, exact: f64| {
        let got = got.unwrap();
        assert!((got - exact).abs() <= exact / 256.0, "{got} vs {exact}");
    };
    close(m.latency_p50_ms, rank(0.5));
    close(m.latency_p99_ms, rank(0.99));
    assert_eq!(m.latency_max_ms, Some(*lat.last().unwrap() as f64 / 1000.0));
}
