//! `kplay run` reports the playground's memory-budget pause as an error with its reason and a
//! distinct exit code (4), not as an abort or a success.

use std::process::Command;

#[test]
fn a_run_that_reaches_the_memory_budget_is_an_error_that_says_why() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/memory-budget-pause.json"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args(["run", file])
        .output()
        .expect("kplay runs");
    assert_eq!(out.status.code(), Some(4));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("memory budget") && err.contains("1 MiB"),
        "{err}"
    );
    assert!(
        err.contains("Reset, lower the rate, or raise the budget"),
        "{err}"
    );
    let log = String::from_utf8_lossy(&out.stdout);
    assert!(log.contains("stopped: MemoryBudget"), "{log}");
}
