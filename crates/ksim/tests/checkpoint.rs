//! Rewind checkpoints (`Simulation::checkpoint`) leave the log out and take it back from a later
//! state of the same run: a restored checkpoint must be indistinguishable from running the
//! scenario to that moment, and a checkpoint must refuse a log that does not continue its own.
//! Likewise a run split into event budgets (`run_until_at_most`, how the UI spreads a run over
//! animation frames) must log exactly what one run logs.

use ksim::{Action, ProduceMode, Scenario, Simulation, TimedAction, TopicSpec};

fn scenario(topic: &str) -> Scenario {
    let mut s = Scenario::default();
    s.topics.push(TopicSpec {
        name: topic.into(),
        partitions: 3,
        replication_factor: 3,
        ..Default::default()
    });
    s.actions.push(TimedAction {
        at_ms: 0.0,
        action: Action::ProduceMany {
            topic: topic.into(),
            count: 400,
            rate_per_sec: Some(2000.0),
            key: None,
            key_count: Some(7),
            value: "event-{i}".into(),
            value_size_bytes: None,
            mode: ProduceMode::Async,
        },
    });
    s
}

#[test]
fn a_restored_checkpoint_equals_the_run_up_to_its_moment() {
    let mut sim = Simulation::new(scenario("t")).unwrap();
    sim.run_until(60_000);
    let checkpoint = sim.checkpoint();
    assert_eq!(checkpoint.now_us(), sim.now_us());
    let (log_len, hash, view) = (sim.log().len(), sim.log_hash(), sim.view());
    assert!(
        log_len > 100,
        "the run must have logged something: {log_len}"
    );

    // The checkpointed state keeps running unchanged: taking a checkpoint lends the log out only.
    sim.run_until(150_000);
    assert!(sim.log().len() > log_len);

    let mut restored = checkpoint
        .restore(&sim)
        .expect("a later state of the same run");
    assert_eq!(restored.log().len(), log_len);
    assert_eq!(restored.log_hash(), hash);
    assert_eq!(restored.view(), view);

    // Running the restored state on reaches exactly where the original went.
    restored.run_until(150_000);
    assert_eq!(restored.log_hash(), sim.log_hash());
    assert_eq!(restored.view(), sim.view());
}

#[test]
fn a_checkpoint_refuses_a_log_that_does_not_continue_its_own() {
    let mut sim = Simulation::new(scenario("t")).unwrap();
    sim.run_until(60_000);
    let early = sim.clone();
    let checkpoint = sim.checkpoint();
    // An earlier state of the same run has fewer entries.
    assert!(checkpoint.restore(&early_state(&early)).is_none());
    // Another run (another topic) logs different entries.
    let mut other = Simulation::new(scenario("u")).unwrap();
    other.run_until(150_000);
    assert!(checkpoint.restore(&other).is_none());
}

fn early_state(sim: &Simulation) -> Simulation {
    let mut s = Simulation::new(sim.scenario().clone()).unwrap();
    s.run_until(30_000);
    s
}

#[test]
fn a_run_split_into_event_budgets_logs_the_same_as_one_run() {
    let mut whole = Simulation::new(scenario("t")).unwrap();
    whole.run_until(150_000);
    let mut split = Simulation::new(scenario("t")).unwrap();
    let mut chunks = 0;
    while split.run_until_at_most(150_000, 7).stopped == ksim::StopReason::EventBudget {
        chunks += 1;
    }
    assert!(
        chunks > 10,
        "the budget must split the run: {chunks} chunks"
    );
    assert_eq!(split.now_us(), whole.now_us());
    assert_eq!(split.log_hash(), whole.log_hash());
    assert_eq!(split.view(), whole.view());
}
