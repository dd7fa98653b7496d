//! Golden event logs of the lessons: each lesson's preset with its "try this" steps performed
//! (as the UI's "Do it for me" does), run until idle, compared with
//! `crates/ksim/tests/golden/lesson-<id>.log.golden` beside the examples' logs (see ksim's
//! `golden_logs` test for the format). Regenerate intended changes with `UPDATE_GOLDEN=1`.

#[path = "../../ksim/tests/golden_support/mod.rs"]
mod golden_support;

use golden_support::{assert_no_mismatches, check_golden, golden_dir, golden_text};
use kshare::lessons;
use ksim::Simulation;

#[test]
fn every_lesson_after_try_this_logs_exactly_its_golden_log() {
    let mut mismatches = Vec::new();
    for l in lessons::all() {
        let mut sim = Simulation::new(l.scenario()).unwrap();
        l.try_this()
            .apply_to(&mut sim)
            .unwrap_or_else(|e| panic!("{}: {e}", l.id));
        let out = sim.run_until_idle(2_000_000);
        let golden = golden_dir().join(format!("lesson-{}.log.golden", l.id));
        if let Some(d) = check_golden(&golden, &golden_text(&sim, out.stopped)) {
            mismatches.push(d);
        }
    }
    assert_no_mismatches(&mismatches);
}
