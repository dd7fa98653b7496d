//! Long runs: the event log keeps only its newest entries, yet its hash, its counts and the
//! checkpoints behave as if it kept everything.

use ksim::{Action, LogOptions, ProduceMode, Scenario, Simulation, TimedAction, TopicSpec};

fn busy(max_entries: usize) -> Scenario {
    let mut s = Scenario::default();
    s.topics.push(TopicSpec {
        name: "t".into(),
        partitions: 3,
        replication_factor: 3,
        ..Default::default()
    });
    s.actions.push(TimedAction {
        at_ms: 0.0,
        action: Action::ProduceMany {
            topic: "t".into(),
            count: 2000,
            rate_per_sec: Some(2000.0),
            key: Some("k{i}".into()),
            key_count: Some(50),
            value: "event-{i}".into(),
            value_size_bytes: None,
            mode: ProduceMode::Async,
        },
    });
    s.log = LogOptions {
        max_entries,
        ..LogOptions::default()
    };
    s
}

fn run(s: Scenario) -> Simulation {
    let mut sim = Simulation::new(s).unwrap();
    sim.run_until_idle(10_000_000);
    sim
}

#[test]
fn a_bounded_log_keeps_the_newest_entries_and_the_hash_and_counts_of_all() {
    let full = run(busy(1_000_000));
    let small = run(busy(500));
    assert!(
        full.log().len() > 5_000,
        "the run must outgrow the small log"
    );
    assert_eq!(full.log_dropped(), 0);
    assert!(
        small.log().len() >= 500 && small.log().len() <= 750,
        "{}",
        small.log().len()
    );
    assert_eq!(small.log_end(), full.log().len() as u64);
    assert_eq!(
        small.log_dropped() + small.log().len() as u64,
        small.log_end()
    );
    assert_eq!(
        small.log(),
        &full.log()[small.log_dropped() as usize..],
        "the retained entries are the newest ones"
    );
    assert_eq!(
        small.log_hash(),
        full.log_hash(),
        "the hash covers dropped entries"
    );
    assert_eq!(small.log_counts(), full.log_counts());
    let reports = full
        .log()
        .iter()
        .filter(|e| matches!(e.event, ksim::LogEvent::DeliveryReport { .. }))
        .count() as u64;
    assert_eq!(small.log_counts().get("delivery_report"), Some(&reports));
    assert_eq!(small.log_counts().values().sum::<u64>(), small.log_end());
}

#[test]
fn a_checkpoint_of_a_bounded_log_restores_and_replays_to_the_same_hash() {
    let mut sim = Simulation::new(busy(500)).unwrap();
    sim.run_until(300_000);
    let (end, hash) = (sim.log_end(), sim.log_hash());
    let cp = sim.checkpoint();
    sim.run_until(305_000);
    let mut restored = cp
        .restore(&sim)
        .expect("the later state still holds the newest entries");
    assert_eq!((restored.log_end(), restored.log_hash()), (end, hash));
    restored.run_until_idle(10_000_000);
    sim.run_until_idle(10_000_000);
    let late = cp
        .restore(&sim)
        .expect("restores after its entries were dropped too");
    assert!(late.log().is_empty(), "with an empty log window");
    assert_eq!((late.log_end(), late.log_hash()), (end, hash));
    assert_eq!(restored.log_hash(), sim.log_hash());
    assert_eq!(restored.log_end(), sim.log_end());
}
