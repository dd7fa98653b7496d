//! Milestone-1 path: 3 brokers, a topic, one keyed event, run until idle.

use ksim::*;

fn scenario() -> Scenario {
    Scenario {
        topics: vec![TopicSpec {
            name: "payments".into(),
            partitions: 6,
            replication_factor: 3,
            ..Default::default()
        }],
        ..Default::default()
    }
}

#[test]
fn keyed_event_lands_at_offset_0_in_crc32_partition() {
    let mut sim = Simulation::new(scenario()).unwrap();
    sim.produce("payments", Some("Alice"), Some("paid 200 to Bob"))
        .unwrap();
    let out = sim.run_until_idle(100_000);
    assert_eq!(out.stopped, StopReason::Idle, "{out:?}");
    let p = partitioner::crc32_partition(b"Alice", 6);
    let reports = sim.poll();
    assert_eq!(reports.len(), 1);
    assert_eq!(reports[0].partition, p);
    assert_eq!(reports[0].offset, Some(0));
    assert_eq!(reports[0].error, None);
    let view = sim.view();
    let part = view
        .partitions
        .iter()
        .find(|x| x.topic == "payments" && x.partition == p)
        .unwrap();
    for r in &part.replicas {
        assert_eq!(r.log_end_offset, 1, "replica {} {:?}", r.broker, r);
        // Followers learn the high watermark with their next fetch response.
        assert_eq!(
            r.high_watermark,
            if r.is_leader { 1 } else { r.high_watermark }
        );
    }
    assert!(part
        .replicas
        .iter()
        .any(|r| r.is_leader && r.high_watermark == 1));
    assert_eq!(sim.committed_records("payments", p).len(), 1);
    for e in sim.log() {
        println!("{}", e.describe());
    }
}

#[test]
fn topic_validation_is_typed() {
    let mut sim = Simulation::new(scenario()).unwrap();
    let bad = |name: &str, partitions: u32, rf: u32| {
        Action::CreateTopic(TopicSpec {
            name: name.into(),
            partitions,
            replication_factor: rf,
            ..Default::default()
        })
    };
    assert!(matches!(
        sim.apply(bad("..", 1, 1)),
        Err(SimError::InvalidTopic(_))
    ));
    assert!(matches!(
        sim.apply(bad("a b", 1, 1)),
        Err(SimError::InvalidTopic(_))
    ));
    assert!(matches!(
        sim.apply(bad(&"x".repeat(250), 1, 1)),
        Err(SimError::InvalidTopic(_))
    ));
    assert!(matches!(
        sim.apply(bad("ok", 1, 4)),
        Err(SimError::InvalidReplicationFactor(_))
    ));
    assert!(matches!(
        sim.apply(bad("ok", 0, 1)),
        Err(SimError::InvalidPartitions(_))
    ));
    assert!(matches!(
        sim.apply(bad("payments", 1, 1)),
        Err(SimError::TopicAlreadyExists(_))
    ));
    assert!(sim.apply(bad("ok", 2, 3)).is_ok());
    assert!(matches!(
        sim.produce("nope", None, Some("x")),
        Err(SimError::UnknownTopicOrPartition(_))
    ));
}

#[test]
fn replaying_the_recorded_scenario_gives_the_same_log() {
    let mut sim = Simulation::new(scenario()).unwrap();
    sim.produce("payments", Some("k1"), Some("v1")).unwrap();
    sim.run_until(3_000);
    sim.produce("payments", Some("k2"), Some("v2")).unwrap();
    sim.run_until_idle(100_000);
    let mut again = Simulation::new(sim.scenario().clone()).unwrap();
    again.run_until_idle(100_000);
    assert_eq!(sim.log_hash(), again.log_hash());
}
