//! Every lesson: its "try this" step makes its check pass; the untouched preset does not.

use kshare::lessons;
use ksim::Simulation;

const BUDGET_EVENTS: u64 = 2_000_000;

fn run(sim: &mut Simulation) {
    sim.run_until_idle(BUDGET_EVENTS);
}

#[test]
fn lessons_follow_the_lecture_order() {
    let ids: Vec<&str> = lessons::all().iter().map(|l| l.id).collect();
    assert_eq!(
        ids,
        [
            "events-vs-commands",
            "anatomy-of-an-event",
            "topics-and-partitions",
            "retention",
            "async-vs-sync",
            "delivery-callbacks",
            "client-id",
            "retries-and-idempotence",
            "acks-and-leader-crash",
            "batching",
            "compression",
            "serialization"
        ]
    );
    for l in lessons::all() {
        let sentences = l.text.matches(". ").count() + 1;
        assert!(
            (2..=6).contains(&sentences),
            "{}: {sentences} sentences",
            l.id
        );
        assert!(!l.try_this().steps.is_empty(), "{}", l.id);
    }
}

#[test]
fn following_try_this_passes_every_check() {
    for l in lessons::all() {
        let mut sim = Simulation::new(l.scenario()).unwrap();
        l.try_this()
            .apply_to(&mut sim)
            .unwrap_or_else(|e| panic!("{}: {e}", l.id));
        run(&mut sim);
        let r = l.check(&sim);
        assert!(r.passed, "{}: {}", l.id, r.message);
    }
}

#[test]
fn the_untouched_preset_does_not_pass() {
    for l in lessons::all() {
        let mut sim = Simulation::new(l.scenario()).unwrap();
        run(&mut sim);
        let r = l.check(&sim);
        assert!(
            !r.passed,
            "{}: passed without the step: {}",
            l.id, r.message
        );
        assert!(!r.message.is_empty());
    }
}

#[test]
fn a_wrong_answer_to_the_quiz_is_named() {
    let l = lessons::get("events-vs-commands").unwrap();
    let mut sim = Simulation::new(l.scenario()).unwrap();
    for q in l.quiz {
        sim.produce("events", None, Some(q.value)).unwrap();
    }
    sim.flush(None).unwrap();
    let r = l.check(&sim);
    assert!(!r.passed);
    assert!(r.message.contains("Statement B"), "{}", r.message);
}

#[test]
fn a_shared_lesson_session_replays_to_the_same_log() {
    const UNTIL_US: u64 = 30_000_000;
    for l in lessons::all() {
        let mut sim = Simulation::new(l.scenario()).unwrap();
        l.try_this().apply_to(&mut sim).unwrap();
        sim.run_until(UNTIL_US);
        let ui = kshare::UiState {
            time_ms: UNTIL_US as f64 / 1000.0,
            panel: None,
            lesson: Some(l.id.into()),
            ..Default::default()
        };
        let d = kshare::decode_link(&kshare::encode_link(sim.scenario(), &ui)).unwrap();
        let mut replay = Simulation::new(d.scenario).unwrap();
        replay.run_until(d.ui_state.time_us());
        assert_eq!(replay.log_hash(), sim.log_hash(), "{}", l.id);
        assert_eq!(l.check(&replay), l.check(&sim), "{}", l.id);
    }
}
