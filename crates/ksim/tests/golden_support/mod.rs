//! Golden event log helpers, shared by ksim's `golden_logs` test and kshare's
//! `golden_lesson_logs` test (which includes this file by path).

use ksim::{Simulation, StopReason};
use std::fs;
use std::path::Path;

/// The directory of the golden logs: `crates/ksim/tests/golden/`.
/// (`CARGO_MANIFEST_DIR` is `crates/ksim` or `crates/kshare`: both reach it the same way.)
pub fn golden_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ksim/tests/golden")
}

/// The log as golden text: one JSON entry per line, then the run's outcome.
pub fn golden_text(sim: &Simulation, stopped: StopReason) -> String {
    let mut out = String::new();
    for e in sim.log() {
        let json = serde_json::to_string(e).expect("log entries serialize");
        assert!(
            json.contains(&format!("\"kind\":\"{}\"", e.event.kind())),
            "LogEvent::kind names the JSON tag: {json}"
        );
        out.push_str(&json);
        out.push('\n');
    }
    out.push_str(&format!(
        "# stopped: {stopped:?} at {} us after {} events; log hash {:016x}\n",
        sim.now_us(),
        sim.events_processed(),
        sim.log_hash()
    ));
    out
}

/// Compares `actual` with the golden file (or writes it under `UPDATE_GOLDEN`); returns a
/// description of the first difference.
pub fn check_golden(path: &Path, actual: &str) -> Option<String> {
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        if fs::read_to_string(path).ok().as_deref() != Some(actual) {
            fs::write(path, actual).unwrap();
        }
        return None;
    }
    let expected = match fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            return Some(format!(
                "{}: {e} (UPDATE_GOLDEN=1 writes it)",
                path.display()
            ))
        }
    };
    if expected == actual {
        return None;
    }
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let at = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    Some(format!(
        "{}: first difference at line {} ({} lines expected, {} actual)\n  expected: {}\n  actual:   {}",
        path.display(),
        at + 1,
        e.len(),
        a.len(),
        e.get(at).unwrap_or(&"<end>"),
        a.get(at).unwrap_or(&"<end>")
    ))
}

/// Fails the test with every golden log that differs.
pub fn assert_no_mismatches(mismatches: &[String]) {
    assert!(
        mismatches.is_empty(),
        "{} golden log(s) differ (intended? UPDATE_GOLDEN=1 and explain the diff in the commit):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
