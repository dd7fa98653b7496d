//! `kplay sweep` and `kplay compare`: the stable columns, the words of a difference, and bad
//! input refused with exit code 2 before anything runs.

use std::process::{Command, Output};

fn kplay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args(args)
        .output()
        .expect("kplay runs")
}

fn path(rel: &str) -> String {
    format!("{}/../../{rel}", env!("CARGO_MANIFEST_DIR"))
}

const STEADY: &str = "crates/ksim/tests/variants/steady-lz4.json";

#[test]
fn sweep_json_has_one_row_per_value_with_the_contract_columns() {
    let out = kplay(&["sweep", &path(STEADY), "--set", "linger.ms=0,20", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["setting"], "linger.ms");
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for (row, value) in rows.iter().zip(["0", "20"]) {
        assert_eq!(row["value"], value);
        for col in [
            "produce_requests",
            "records_per_batch",
            "wire_bytes",
            "latency_p50_ms",
            "latency_p99_ms",
            "records_delivered",
            "records_per_s",
        ] {
            assert!(row[col].is_number(), "{col} in {row}");
        }
    }
    // Waiting 20 ms at 2,000 records/s batches: fewer requests than records.
    assert!(rows[1]["produce_requests"].as_u64() < rows[0]["produce_requests"].as_u64());
}

#[test]
fn sweep_text_prints_a_header_and_a_row_per_value() {
    let out = kplay(&[
        "sweep",
        &path(STEADY),
        "--set",
        "compression.type=none,lz4,zstd",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("value") && lines[0].contains("wire_bytes"),
        "{text}"
    );
    for (l, v) in lines[1..].iter().zip(["none", "lz4", "zstd"]) {
        assert!(l.starts_with(&format!("compression.type={v} ")), "{text}");
    }
    assert_eq!(lines.len(), 4, "{text}");
}

#[test]
fn compare_says_the_difference_in_words() {
    let lesson = path("crates/kshare/lessons/acks-and-leader-crash.json");
    let out = kplay(&["compare", &lesson, "--set", "acks=1", "--vs", "acks=all"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("== acks=1") && text.contains("== acks=all"),
        "{text}"
    );
    assert!(
        text.contains("acks=1 lost 1 acknowledged record; acks=all lost none."),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_and_runs_nothing() {
    let file = path(STEADY);
    let twelve_plus_one = format!(
        "linger.ms={}",
        (0..13).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
    );
    for (args, says) in [
        (
            vec!["sweep", &file, "--set", "lingr.ms=0,5"],
            "unknown setting \"lingr.ms\"",
        ),
        (
            vec!["sweep", &file, "--set", "acks=1,maybe"],
            "acks=maybe is not valid",
        ),
        (
            vec!["sweep", &file, "--set", twelve_plus_one.as_str()],
            "13 values, at most 12",
        ),
        (vec!["sweep", &file], "--set NAME=v1,v2,… is required"),
        (
            vec!["compare", &file, "--set", "acks=1"],
            "both sides need a setting",
        ),
        (
            vec![
                "compare",
                &file,
                "--set",
                "acks=1",
                "--vs",
                "linger.ms=fast",
            ],
            "linger.ms=fast is not valid",
        ),
        (
            vec!["sweep", "/nonexistent.json", "--set", "acks=1"],
            "cannot read",
        ),
    ] {
        let out = kplay(&args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            out.stdout.is_empty(),
            "{args:?} printed {:?}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
