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
        sim.produce("bad name!", None, Some("x")),
        Err(SimError::InvalidTopic(_))
    ));
}

#[test]
fn produce_to_an_unknown_topic_waits_for_the_broker_to_auto_create_it() {
    // Kafka 3.6: auto.create.topics.enable=true, num.partitions=1, default.replication.factor=1.
    let mut sim = Simulation::new(scenario()).unwrap();
    sim.produce("orders", Some("k"), Some("v")).unwrap();
    sim.run_until_idle(100_000);
    assert!(sim.log().iter().any(|e| matches!(
        &e.event,
        LogEvent::TopicCreated { topic, partitions: 1, replication_factor: 1, auto_created: true, .. }
            if topic == "orders"
    )));
    let r = sim.poll();
    assert_eq!(
        (r[0].topic.as_str(), r[0].error, r[0].offset),
        ("orders", None, Some(0))
    );

    // Switched off, the message waits for the topic and fails when message.timeout.ms runs out.
    let mut sc = scenario();
    sc.cluster.auto_create_topics_enable = false;
    sc.producer
        .config
        .insert("message.timeout.ms".into(), "500".into());
    let mut sim = Simulation::new(sc).unwrap();
    sim.produce("orders", Some("k"), Some("v")).unwrap();
    sim.run_until_idle(100_000);
    let r = sim.poll();
    assert_eq!(r[0].error, Some(ErrorCode::MsgTimedOut));
    assert!(r[0].latency_us >= 500_000);
    assert!(sim.view().topics.iter().all(|t| t.name != "orders"));
}

#[test]
fn without_auto_creation_the_topic_is_believed_missing_after_the_propagation_time() {
    // librdkafka does not believe "no such topic" for topic.metadata.propagation.max.ms (30 s)
    // after it first named the topic; the next Metadata response then marks it non-existent,
    // its waiting messages fail with UNKNOWN_TOPIC_OR_PART and produce() raises _UNKNOWN_TOPIC
    // (rdkafka_topic.c, rd_kafka_topic_set_notexists; rdkafka_msg.c, rd_kafka_msg_partitioner).
    let mut sc = scenario();
    sc.cluster.auto_create_topics_enable = false;
    let mut sim = Simulation::new(sc).unwrap();
    sim.produce("orders", Some("k"), Some("v")).unwrap();
    sim.run_until_idle(1_000_000);
    let r = sim.poll();
    assert_eq!(r[0].error, Some(ErrorCode::UnknownTopicOrPartition));
    // After 30 s, at the first leader query past it (at most retry.backoff.max.ms = 1 s later),
    // not after message.timeout.ms (300 s).
    assert!(
        (30_000_000..31_300_000).contains(&r[0].latency_us),
        "{}",
        r[0].latency_us
    );
    let again = sim.produce("orders", Some("k"), Some("v"));
    assert!(
        matches!(&again, Err(SimError::UnknownTopic(m)) if m.contains("orders")),
        "{again:?}"
    );
    // Creating the topic makes it known again.
    sim.apply(Action::CreateTopic(TopicSpec {
        name: "orders".into(),
        ..TopicSpec::default()
    }))
    .unwrap();
    sim.produce("orders", Some("k"), Some("v")).unwrap();
    sim.run_until_idle(1_000_000);
    assert_eq!(sim.poll()[0].error, None);
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
    // Through JSON (the share format), after stepping one event at a time before an action.
    let mut stepped = Simulation::new(scenario()).unwrap();
    stepped.step();
    stepped.produce("payments", Some("k3"), Some("v3")).unwrap();
    for _ in 0..5 {
        stepped.step();
    }
    stepped.produce("payments", Some("k4"), Some("v4")).unwrap();
    stepped.run_until_idle(100_000);
    let json = stepped.scenario().to_json();
    let mut replay = Simulation::from_json(&json).unwrap();
    replay.run_until_idle(100_000);
    assert_eq!(stepped.log_hash(), replay.log_hash(), "{json}");
}

#[test]
fn bad_input_is_typed_and_runs_are_bounded() {
    let mut sc = scenario();
    sc.producer
        .config
        .insert("enable.idempotence".into(), "true".into());
    sc.producer
        .config
        .insert("max.in.flight.requests.per.connection".into(), "6".into());
    assert_eq!(
        Simulation::new(sc).unwrap_err(),
        SimError::Config(
            "Failed to create producer: `max.in.flight` must be set <= 5 when `enable.idempotence` is true".into()
        )
    );
    let mut sc = scenario();
    sc.producer.config.insert("linger.ms".into(), "abc".into());
    assert!(matches!(Simulation::new(sc), Err(SimError::Config(_))));
    let mut sc = scenario();
    sc.producer
        .config
        .insert("no.such.thing".into(), "1".into());
    assert_eq!(
        Simulation::new(sc).unwrap_err(),
        SimError::Config("No such configuration property: \"no.such.thing\"".into())
    );
    let mut sc = scenario();
    sc.actions.push(TimedAction {
        at_ms: -1.0,
        action: Action::Poll,
    });
    assert!(matches!(
        Simulation::new(sc),
        Err(SimError::InvalidScenario(_))
    ));
    let mut sc = scenario();
    sc.cluster.brokers = 10;
    assert!(matches!(
        Simulation::new(sc),
        Err(SimError::InvalidScenario(_))
    ));
    // The settings of auto-created topics: num.partitions at least 1 (Kafka's own bound), both
    // within what the playground runs.
    for (partitions, rf) in [(0, 1), (257, 1), (1, 0), (1, 10)] {
        let mut sc = scenario();
        sc.cluster.num_partitions = partitions;
        sc.cluster.default_replication_factor = rf;
        assert!(
            matches!(Simulation::new(sc), Err(SimError::InvalidScenario(_))),
            "num.partitions {partitions}, default.replication.factor {rf}"
        );
    }
    let mut sc = scenario();
    sc.cluster.num_partitions = 256;
    sc.cluster.default_replication_factor = 9;
    assert!(Simulation::new(sc).is_ok());
    let mut sc = scenario();
    sc.faults.push(TimedFault {
        at_ms: 0.0,
        fault: Fault::Crash { broker: 4 },
    });
    assert!(matches!(
        Simulation::new(sc),
        Err(SimError::InvalidScenario(_))
    ));
    assert!(matches!(
        Scenario::from_json(r#"{"version":1,"seeed":3}"#),
        Err(SimError::Parse(_))
    ));
    // A run that would go on: bounded by limits.max_events, and said so in the log.
    let mut sc = scenario();
    sc.limits.max_events = 50;
    sc.actions.push(TimedAction {
        at_ms: 0.0,
        action: Action::ProduceMany {
            topic: "payments".into(),
            count: 1000,
            rate_per_sec: Some(100.0),
            key: None,
            key_count: None,
            value: "x".into(),
            value_size_bytes: None,
            mode: ProduceMode::Async,
        },
    });
    let mut sim = Simulation::new(sc).unwrap();
    assert_eq!(sim.run_until_idle(1_000_000).stopped, StopReason::MaxEvents);
    assert!(matches!(
        sim.log().last().map(|e| &e.event),
        Some(LogEvent::RunLimit { .. })
    ));
}

#[test]
fn set_producer_config_applies_and_is_recorded() {
    let mut sim = Simulation::new(scenario()).unwrap();
    assert!(sim
        .apply(Action::SetProducerConfig {
            name: "acks".into(),
            value: "7x".into()
        })
        .is_err());
    sim.apply(Action::SetProducerConfig {
        name: "acks".into(),
        value: "0".into(),
    })
    .unwrap();
    sim.produce("payments", Some("k"), Some("v")).unwrap();
    sim.run_until_idle(10_000);
    assert_eq!(sim.poll()[0].offset, None, "acks=0 now");
    assert_eq!(
        sim.scenario().actions.len(),
        3,
        "failed actions are not recorded"
    );
    let flushed = sim.flush(Some(1000.0)).unwrap();
    assert_eq!(flushed, 0);
}

#[test]
fn padding_never_splits_a_character() {
    assert_eq!(
        pad_value("ab".into(), Some(5)),
        format!("ab{}", &VALUE_PAD_FILL[..3])
    );
    assert_eq!(pad_value("ключ".into(), Some(3)), "к");
    assert_eq!(pad_value("x".into(), None), "x");
}

#[test]
fn produce_rejects_a_message_above_message_max_bytes() {
    let mut sc = scenario();
    sc.producer
        .config
        .insert("message.max.bytes".into(), "1000".into());
    let mut sim = Simulation::new(sc).unwrap();
    let big = "x".repeat(2000);
    assert!(matches!(
        sim.produce("payments", None, Some(&big)),
        Err(SimError::MsgSizeTooLarge(_))
    ));
    assert!(sim.produce("payments", None, Some("small")).is_ok());
}

#[test]
fn view_lists_what_happens_next() {
    let mut sim = Simulation::new(scenario()).unwrap();
    sim.produce("payments", Some("Alice"), Some("x")).unwrap();
    let v = sim.view();
    assert_eq!(
        v.upcoming.first().map(|u| u.time_us),
        sim.next_event_time_us()
    );
    assert!(
        v.upcoming.iter().any(|u| u.description.contains("linger")),
        "{:?}",
        v.upcoming
    );
    sim.run_until(5_500);
    let v = sim.view();
    assert!(
        v.upcoming.iter().any(|u| u
            .description
            .starts_with("Produce from the producer arrives")),
        "{:?}",
        v.upcoming
    );
    assert_eq!(v.producer.in_flight.len(), 1);
    assert_eq!(v.network.iter().filter(|m| m.kind == "Produce").count(), 1);
}
