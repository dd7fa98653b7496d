//! Variants, comparisons and sweeps (`ksim::variant`) on scenarios as data: `tests/variants/`
//! holds the scenarios and three tables — sweep trends that must hold as physics, comparisons
//! with what each side must show, and bad input that must be refused before anything runs.

use ksim::variant::{self, Sweep, SweepRow, Variant, VariantError};
use ksim::{Outcome, Scenario};
use serde::Deserialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/variants")
}

fn scenario(rel: &str) -> Scenario {
    let path = dir().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    Scenario::from_json(&text).unwrap_or_else(|e| panic!("{path:?}: {e}"))
}

fn table<T: for<'a> Deserialize<'a>>(name: &str) -> Vec<T> {
    let text = std::fs::read_to_string(dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn with_fixed(s: &Scenario, fixed: &[String]) -> Scenario {
    let v = Variant::parse(fixed.iter().map(String::as_str)).unwrap();
    variant::prepare(s, &v).unwrap().scenario
}

fn metric(row: &SweepRow, name: &str) -> f64 {
    let v = serde_json::to_value(row).unwrap();
    v[name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} is not a number in {v}"))
}

#[derive(Deserialize)]
struct Trend {
    why: String,
    scenario: String,
    sweep: String,
    #[serde(default)]
    fixed: Vec<String>,
    falls: Vec<String>,
    rises: Vec<String>,
}

#[test]
fn sweep_trends_hold_as_physics() {
    for t in table::<Trend>("trends.json") {
        let sc = with_fixed(&scenario(&t.scenario), &t.fixed);
        let sweep = Sweep::parse(&t.sweep).unwrap();
        let rows = variant::sweep(&sc, &sweep).unwrap();
        assert_eq!(rows.len(), sweep.values.len());
        let produced = variant::records_produced_by(&sc);
        for r in &rows {
            assert_eq!(
                r.records_delivered, produced,
                "{}: {} delivers all",
                t.why, r.value
            );
            assert_eq!(
                r.records_lost + r.records_duplicated,
                0,
                "{}: {}",
                t.why,
                r.value
            );
        }
        for (names, rising) in [(&t.falls, false), (&t.rises, true)] {
            for name in names {
                let series: Vec<f64> = rows.iter().map(|r| metric(r, name)).collect();
                for w in series.windows(2) {
                    let ok = if rising { w[1] > w[0] } else { w[1] < w[0] };
                    assert!(
                        ok,
                        "{}: {name} must {} as {} goes {:?}: {series:?}",
                        t.why,
                        if rising { "rise" } else { "fall" },
                        sweep.name,
                        sweep.values
                    );
                }
            }
        }
    }
}

#[derive(Deserialize)]
struct Compared {
    why: String,
    scenario: String,
    a: Vec<String>,
    b: Vec<String>,
    a_expect: serde_json::Map<String, Value>,
    b_expect: serde_json::Map<String, Value>,
    #[serde(default)]
    says: Option<String>,
}

fn check_side(why: &str, side: &str, o: &Outcome, expect: &serde_json::Map<String, Value>) {
    let got = serde_json::to_value(o).unwrap();
    for (k, v) in expect {
        assert_eq!(&got[k], v, "{why}: side {side}: {k} in {got}");
    }
}

#[test]
fn comparisons_show_what_each_side_does() {
    for c in table::<Compared>("comparisons.json") {
        let sc = scenario(&c.scenario);
        let a = Variant::parse(c.a.iter().map(String::as_str)).unwrap();
        let b = Variant::parse(c.b.iter().map(String::as_str)).unwrap();
        let cmp = variant::compare(&sc, &a, &b).unwrap();
        check_side(&c.why, "a", &cmp.a.outcome, &c.a_expect);
        check_side(&c.why, "b", &cmp.b.outcome, &c.b_expect);
        assert_eq!(cmp.a.label, c.a.join(", "));
        if let Some(says) = &c.says {
            assert!(
                cmp.differences.iter().any(|d| &d.text == says),
                "{}: expected {says:?} among {:#?}",
                c.why,
                cmp.differences
            );
        }
        // Same seed and actions: each side is exactly the plain run of its variant.
        let again = variant::run(&sc, &a).unwrap();
        assert_eq!(again.outcome, cmp.a.outcome, "{}: deterministic", c.why);
    }
}

#[derive(Deserialize)]
struct Bad {
    why: String,
    sweep: String,
    #[serde(default)]
    set: Vec<String>,
    error_names: Vec<String>,
}

#[test]
fn bad_input_is_refused_with_its_name() {
    let base = scenario("steady-lz4.json");
    for b in table::<Bad>("bad_input.json") {
        let sc = with_fixed(&base, &b.set);
        let err = Sweep::parse(&b.sweep)
            .and_then(|s| variant::prepare_sweep(&sc, &s).map(|_| ()))
            .expect_err(&b.why);
        let text = err.to_string();
        for n in &b.error_names {
            assert!(
                text.contains(n.as_str()),
                "{}: {n:?} not in {text:?}",
                b.why
            );
        }
    }
}

#[test]
fn too_many_records_is_refused_before_running() {
    let mut sc = scenario("steady-lz4.json");
    if let ksim::Action::ProduceMany { count, .. } = &mut sc.actions[0].action {
        *count = variant::MAX_RECORDS_PER_RUN + 1;
    }
    let err = variant::run(&sc, &Variant::default()).unwrap_err();
    assert!(matches!(err, VariantError::TooManyRecords { .. }), "{err}");
    assert!(err.to_string().contains("1000001"), "{err}");
}

#[test]
fn a_variant_holds_for_the_whole_run() {
    // The batching lesson's kind of session: the scenario sets linger.ms itself later.
    let mut sc = scenario("steady-lz4.json");
    sc.actions.insert(
        0,
        ksim::TimedAction {
            at_ms: 0.0,
            action: ksim::Action::SetProducerConfig {
                name: "queue.buffering.max.ms".into(),
                value: "100".into(),
            },
        },
    );
    let v = Variant::parse(["linger.ms=0"]).unwrap();
    let p = variant::prepare(&sc, &v).unwrap();
    assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    assert!(
        p.notes[0].contains("queue.buffering.max.ms=100"),
        "{:?}",
        p.notes
    );
    let plain = variant::run(&scenario("steady-lz4.json"), &v).unwrap();
    let run = variant::run(&sc, &v).unwrap();
    assert_eq!(run.outcome.produce_requests, plain.outcome.produce_requests);
}

/// The outcome taken a piece at a time (as the page does, spreading a run's end over frames)
/// equals the outcome taken at once: on a run with thousands of committed batches, and on one
/// whose log has rolled into many segments (the pass resumes across segment boundaries).
#[test]
fn an_outcome_taken_in_pieces_equals_one_taken_at_once() {
    use ksim::variant::{prepare, run, Variant, VariantRunner};
    for (file, setting, piece_events) in [
        ("steady-lz4.json", "linger.ms=0", 500),
        (
            "../../../../examples/retention-segments.json",
            "linger.ms=5",
            20,
        ),
    ] {
        let sc = scenario(file);
        let v = Variant::parse([setting]).unwrap();
        let whole = run(&sc, &v).unwrap();
        let mut r = VariantRunner::new(prepare(&sc, &v).unwrap()).unwrap();
        let mut pieces = 0;
        while !r.advance(piece_events) {
            pieces += 1;
        }
        assert!(pieces > 10, "{file}: {pieces} pieces");
        assert!(
            whole.outcome.batches > 20,
            "{file}: {} batches",
            whole.outcome.batches
        );
        assert_eq!(r.result(), whole, "{file}");
    }
}

#[test]
fn value_serializer_carries_each_value_over_as_the_same_application_value() {
    let lesson = scenario("../../../kshare/lessons/serialization.json");
    let value_of = |sc: &Scenario, topic: &str| {
        sc.actions
            .iter()
            .find_map(|a| match &a.action {
                ksim::Action::Produce {
                    topic: t,
                    value: Some(v),
                    ..
                } if t == topic => Some(v.clone()),
                _ => None,
            })
            .unwrap()
    };
    let format_of = |sc: &Scenario, topic: &str| {
        let t = sc.serializers.iter().find(|t| t.topic == topic).unwrap();
        (t.value_format, t.value_schema.clone())
    };
    // To Avro: the JSON topic takes the lesson's one Avro schema, its dict written in Avro's
    // JSON encoding (decimal bytes, the union tagged).
    let avro =
        variant::prepare(&lesson, &Variant::parse(["value.serializer=avro"]).unwrap()).unwrap();
    assert_eq!(
        format_of(&avro.scenario, "payments-json"),
        (ksim::SerdeFormat::Avro, Some("payment".into()))
    );
    let parsed = |t: &str| serde_json::from_str::<Value>(t).unwrap();
    assert_eq!(
        parsed(&value_of(&avro.scenario, "payments-json")),
        parsed(&value_of(&lesson, "payments-avro")),
        "the same payment"
    );
    // To JSON: the Avro topic's value becomes the plain dict the JSON topic already sends.
    let json =
        variant::prepare(&lesson, &Variant::parse(["value.serializer=json"]).unwrap()).unwrap();
    assert_eq!(
        format_of(&json.scenario, "payments-avro"),
        (ksim::SerdeFormat::Json, None)
    );
    assert_eq!(
        parsed(&value_of(&json.scenario, "payments-avro")),
        parsed(&value_of(&lesson, "payments-json"))
    );
    let cmp = variant::compare(
        &lesson,
        &Variant::parse(["value.serializer=json"]).unwrap(),
        &Variant::parse(["value.serializer=avro"]).unwrap(),
    )
    .unwrap();
    assert_eq!(cmp.a.outcome.records_acknowledged, 2);
    assert_eq!(cmp.b.outcome.records_acknowledged, 2);
    assert!(cmp.b.outcome.wire_bytes < cmp.a.outcome.wire_bytes);
    // Nothing to switch: said, not refused.
    let plain = scenario("steady-lz4.json");
    let p = variant::prepare(&plain, &Variant::parse(["value.serializer=avro"]).unwrap()).unwrap();
    assert_eq!(p.scenario, plain);
    assert!(p.notes[0].contains("changes nothing here"), "{:?}", p.notes);
}
