//! Golden event logs: the full log of every scenario in `examples/`, run until idle, compared
//! line for line with `tests/golden/example-<name>.log.golden` (one JSON log entry per line, the
//! same JSON that `Simulation::log_hash` hashes). The lessons' logs (each lesson with its "try
//! this" steps performed) are written beside them by kshare's `golden_lesson_logs` test, because
//! the lessons live in kshare.
//!
//! These guard the simulation core: a change in behaviour shows up as a diff of `golden/`, and
//! the commit that makes it says why in Kafka's terms. When a change is intended, regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p ksim --test golden_logs` and review `git diff`.

mod golden_support;

use golden_support::{assert_no_mismatches, check_golden, golden_dir, golden_text};
use ksim::Simulation;
use std::fs;
use std::path::PathBuf;

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_example_logs_exactly_its_golden_log() {
    let mut files: Vec<PathBuf> = fs::read_dir(manifest().join("../../examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 28,
        "examples/ lost scenarios: {}",
        files.len()
    );
    let mut mismatches = Vec::new();
    for p in &files {
        let name = p.file_stem().unwrap().to_string_lossy();
        let mut sim = Simulation::from_json(&fs::read_to_string(p).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let out = sim.run_until_idle(5_000_000);
        let golden = golden_dir().join(format!("example-{name}.log.golden"));
        if let Some(d) = check_golden(&golden, &golden_text(&sim, out.stopped)) {
            mismatches.push(d);
        }
    }
    assert_no_mismatches(&mismatches);
}
