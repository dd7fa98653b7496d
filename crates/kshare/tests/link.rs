//! Share links: round trips reproduce the session's log, old links keep decoding, bad input
//! becomes a typed error.

use kshare::link::{LINK_VERSION, MAX_INFLATED_BYTES};
use kshare::{
    base64url, decode_link, encode_link, exceeds_share_limit, presets, LinkError, UiState,
};
use ksim::{Action, Fault, Scenario, Simulation, TopicSpec};
use serde_json::{json, Value};

/// A link from a raw envelope (what a tampering user could write).
fn raw_link(version: u32, envelope: &Value) -> String {
    raw_text_link(version, &envelope.to_string())
}

fn raw_text_link(version: u32, json: &str) -> String {
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(json.as_bytes(), 6);
    format!("s={version}.{}", base64url::encode(&packed))
}

fn full(scenario: Value) -> Value {
    json!({"base": null, "diff": scenario, "ui": {}})
}

fn topic(name: &str, partitions: u32) -> TopicSpec {
    TopicSpec {
        name: name.into(),
        partitions,
        replication_factor: 3,
        ..TopicSpec::default()
    }
}

/// A session as the UI drives it: actions applied between runs, a fault, config changes.
fn session() -> Simulation {
    let mut sim = Simulation::new(presets::default_scenario()).unwrap();
    sim.apply(Action::CreateTopic(topic("orders", 3))).unwrap();
    sim.run_until(2_000);
    sim.apply(Action::SetProducerConfig {
        name: "linger.ms".into(),
        value: "2".into(),
    })
    .unwrap();
    for (k, v) in [("Alice", "A"), ("Bob", "B"), ("Carol", "C")] {
        sim.produce("orders", Some(k), Some(v)).unwrap();
        sim.run_until(sim.now_us() + 300);
    }
    sim.apply(Action::InjectFault {
        fault: Fault::Crash { broker: 2 },
    })
    .unwrap();
    sim.apply(Action::ProduceMany {
        topic: "orders".into(),
        count: 20,
        rate_per_sec: Some(1000.0),
        key: Some("k{i}".into()),
        key_count: Some(4),
        value: "event-{i}".into(),
        value_size_bytes: Some(100),
        mode: ksim::ProduceMode::Async,
    })
    .unwrap();
    sim.run_until(40_000);
    sim.poll();
    sim.run_until(60_000);
    sim
}

#[test]
fn share_then_reload_reproduces_the_same_event_log() {
    let sim = session();
    let ui = UiState {
        time_ms: sim.now_us() as f64 / 1000.0,
        panel: Some("log".into()),
        lesson: None,
        ..Default::default()
    };
    let link = encode_link(sim.scenario(), &ui);
    assert!(link.starts_with("s=1."), "{link}");
    let d = decode_link(&format!("https://example.org/play/?embed=1#{link}")).unwrap();
    assert_eq!(&d.scenario, sim.scenario());
    assert_eq!(d.ui_state, ui);
    assert_eq!(d.migrated_from, None);
    let mut replay = Simulation::new(d.scenario).unwrap();
    replay.run_until(d.ui_state.time_us());
    assert_eq!(replay.log().len(), sim.log().len());
    assert_eq!(replay.log_hash(), sim.log_hash());
}

#[test]
fn ui_time_converts_back_to_the_exact_microsecond() {
    for us in [0u64, 1, 999, 1_234_567, 4_000_000_001, 999_999_999_999] {
        let ui = UiState {
            time_ms: us as f64 / 1000.0,
            ..UiState::default()
        };
        assert_eq!(ui.time_us(), us);
    }
}

#[test]
fn only_differences_from_the_preset_are_encoded() {
    let untouched = encode_link(&presets::default_scenario(), &UiState::default());
    let sim = session();
    let changed = encode_link(sim.scenario(), &UiState::default());
    assert!(
        untouched.len() < 120,
        "{} chars: {untouched}",
        untouched.len()
    );
    assert!(untouched.len() < changed.len());
    assert!(!exceeds_share_limit(&format!(
        "https://example.org/#{changed}"
    )));
}

#[test]
fn a_lesson_link_is_a_diff_against_the_lesson() {
    for l in kshare::lessons::all() {
        let ui = UiState {
            lesson: Some(l.id.into()),
            ..UiState::default()
        };
        let s = presets::get(l.id).unwrap().scenario();
        let link = encode_link(&s, &ui);
        assert!(link.len() < 160, "{}: {link}", l.id);
        let d = decode_link(&link).unwrap();
        assert_eq!(d.scenario, s);
        assert_eq!(d.ui_state.lesson.as_deref(), Some(l.id));
    }
}

#[test]
fn a_changed_link_bandwidth_round_trips() {
    let mut s = presets::default_scenario();
    s.cluster.link.bandwidth_bytes_per_ms = Some(1000);
    let d = decode_link(&encode_link(&s, &UiState::default())).unwrap();
    assert_eq!(d.scenario, s);
}

#[test]
fn old_link_versions_are_migrated() {
    let v0 = json!({"scenario": {"version": 1, "seed": 9, "cluster": {"brokers": 1},
                    "topics": [{"name": "t", "partitions": 2, "replication_factor": 1}]},
                    "t_us": 1500, "panel": "cluster"});
    let link = format!("s=0.{}", base64url::encode(v0.to_string().as_bytes()));
    let d = decode_link(&link).unwrap();
    assert_eq!(d.migrated_from, Some(0));
    assert_eq!(d.scenario.seed, 9);
    assert_eq!(d.scenario.topics[0].partitions, 2);
    assert_eq!(d.ui_state.time_ms, 1.5);
    assert_eq!(d.ui_state.panel.as_deref(), Some("cluster"));
}

/// Every released link version has fixtures in tests/fixtures/links/: `NAME.link` holds the
/// link, `NAME.json` the scenario it must decode to. They are decoded forever.
#[test]
fn fixture_links_of_every_released_version_decode() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/links");
    let mut versions_seen = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "link"))
    {
        let link = std::fs::read_to_string(path).unwrap();
        let expected_path = path.with_extension("json");
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
        let d = decode_link(link.trim()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let got = serde_json::to_value(&d.scenario).unwrap();
        assert_eq!(got, expected["scenario"], "{}", path.display());
        assert_eq!(
            serde_json::to_value(&d.ui_state).unwrap(),
            expected["ui_state"]
        );
        let v: u32 = link.trim()["s=".len()..]
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        versions_seen.push(v);
    }
    for v in 0..=LINK_VERSION {
        assert!(
            versions_seen.contains(&v),
            "no fixture link for version {v}"
        );
    }
}

#[test]
fn a_link_from_a_newer_playground_says_so() {
    let e = decode_link(&raw_link(LINK_VERSION + 1, &full(json!({})))).unwrap_err();
    assert_eq!(
        e,
        LinkError::NewerVersion {
            found: LINK_VERSION + 1,
            supported: LINK_VERSION
        }
    );
    assert!(
        e.to_string().contains("newer version of the playground"),
        "{e}"
    );
}

fn err(input: &str) -> LinkError {
    decode_link(input).expect_err(input)
}

#[test]
fn malformed_links_give_typed_errors_with_clear_messages() {
    let good = encode_link(&session().scenario().clone(), &UiState::default());
    assert_eq!(err(""), LinkError::MissingPayload);
    assert_eq!(err("#foo=bar"), LinkError::MissingPayload);
    assert!(matches!(err("s="), LinkError::BadVersion(_)));
    assert!(matches!(err("s=1"), LinkError::BadVersion(_)));
    assert!(matches!(err("s=x.abc"), LinkError::BadVersion(_)));
    assert!(matches!(err("s=99999999999.abc"), LinkError::BadVersion(_)));
    assert!(matches!(err("s=1.ab+c"), LinkError::BadBase64(_)));
    assert!(matches!(err("s=1.Zm9vYmFy"), LinkError::BadCompression(_)));
    // Truncated: every cut of a real link fails cleanly.
    for cut in (good.len() / 2..good.len() - 1).step_by(7) {
        let e = err(&good[..cut]);
        assert!(
            matches!(e, LinkError::BadBase64(_) | LinkError::BadCompression(_)),
            "cut at {cut}: {e:?}"
        );
    }
    let e = err(&good[..good.len() - 8]);
    assert!(e.to_string().starts_with("This link is damaged"), "{e}");
}

#[test]
fn tampering_is_detected_or_harmless() {
    let scenario = session().scenario().clone();
    let good = encode_link(&scenario, &UiState::default());
    let body_start = "s=1.".len();
    for i in body_start..good.len() {
        for sub in ['A', 'z', '_'] {
            let mut t: Vec<char> = good.chars().collect();
            if t[i] == sub {
                continue;
            }
            t[i] = sub;
            let t: String = t.into_iter().collect();
            if let Ok(d) = decode_link(&t) {
                assert_eq!(
                    d.scenario, scenario,
                    "tampered at {i} decoded to another scenario"
                );
            }
        }
    }
}

#[test]
fn a_decompression_bomb_is_refused() {
    let bomb = vec![b' '; 4 * MAX_INFLATED_BYTES];
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&bomb, 9);
    let link = format!("s=1.{}", base64url::encode(&packed));
    assert!(link.len() < 30_000);
    assert_eq!(
        err(&link),
        LinkError::TooLarge {
            limit_bytes: MAX_INFLATED_BYTES
        }
    );
    let v0 = format!(
        "s=0.{}",
        base64url::encode(&vec![b' '; MAX_INFLATED_BYTES + 3])
    );
    assert!(matches!(
        err(&v0),
        LinkError::TooLong { .. } | LinkError::TooLarge { .. }
    ));
}

#[test]
fn wrong_types_huge_numbers_and_unknown_fields_are_refused() {
    for (scenario, needle) in [
        (json!({"seed": "seven"}), "invalid type"),
        (json!({"seed": -1}), "invalid value"),
        (
            json!({"cluster": {"brokers": 99999999999u64}}),
            "invalid value",
        ),
        (json!({"cluster": {"brokerz": 3}}), "unknown field"),
        (
            json!({"actions": [{"at_ms": 0, "action": {"type": "rm_rf"}}]}),
            "unknown variant",
        ),
    ] {
        let e = err(&raw_link(1, &full(scenario.clone())));
        assert!(matches!(e, LinkError::BadJson(_)), "{scenario}: {e:?}");
        assert!(e.to_string().contains(needle), "{scenario}: {e}");
    }
    let e = err(&raw_text_link(
        1,
        r#"{"base":null,"diff":{"seed":1e400},"ui":{}}"#,
    ));
    assert!(e.to_string().contains("number out of range"), "{e}");
    let e = err(&raw_text_link(
        1,
        r#"{"base":null,"diff":{"seed":184467440737095516150},"ui":{}}"#,
    ));
    assert!(matches!(e, LinkError::BadJson(_)), "{e:?}");
    let e = err(&raw_link(
        1,
        &json!({"base": null, "diff": {}, "ui": {}, "eval": "x"}),
    ));
    assert!(e.to_string().contains("unknown field `eval`"), "{e}");
}

#[test]
fn impossible_scenarios_are_rejected_with_the_simulators_text() {
    let e = err(&raw_link(1, &full(json!({"cluster": {"brokers": 0}}))));
    assert_eq!(
        e.to_string(),
        "This link's scenario cannot run: invalid scenario: brokers must be 1..=9, got 0"
    );
    let e = err(&raw_link(
        1,
        &full(json!({"actions": [{"at_ms": 1e300, "action": {"type": "poll"}}]})),
    ));
    assert!(matches!(e, LinkError::Rejected(_)), "{e:?}");
    let many = (0..20)
        .map(|i| json!({"name": format!("t{i}"), "partitions": 256, "replication_factor": 1}))
        .collect::<Vec<_>>();
    let e = err(&raw_link(1, &full(json!({"topics": many}))));
    assert!(matches!(e, LinkError::OutOfBounds(_)), "{e:?}");
    // A padded value cut inside a multi-byte character would crash the simulator when it runs.
    let cut = json!({"topics": [{"name": "t"}], "actions": [{"at_ms": 0, "action":
        {"type": "produce_many", "topic": "t", "count": 1, "value": "ééé", "value_size_bytes": 3}}]});
    let e = err(&raw_link(1, &full(cut)));
    assert!(e.to_string().contains("plain ASCII"), "{e}");
}

#[test]
fn scripts_in_strings_stay_inert_text() {
    let script = "<script>alert(1)</script>\"'`${x}";
    // In a name or a value: kept verbatim as data (the UI only ever sets text).
    let mut s = presets::default_scenario();
    s.name = script.into();
    s.topics.push(topic("t", 1));
    s.actions.push(ksim::TimedAction {
        at_ms: 0.0,
        action: Action::Produce {
            topic: "t".into(),
            key: Some(script.into()),
            value: Some(script.into()),
            headers: vec![],
            partition: None,
            timestamp_ms: None,
        },
    });
    let d = decode_link(&encode_link(&s, &UiState::default())).unwrap();
    assert_eq!(d.scenario.name, script);
    // Where Kafka forbids it (a topic name), the simulator's error says so.
    let e = err(&raw_link(1, &full(json!({"topics": [{"name": script}]}))));
    assert!(e.to_string().contains("INVALID_TOPIC_EXCEPTION"), "{e}");
    // As a panel or lesson name: refused.
    let e = err(&raw_link(
        1,
        &json!({"base": null, "ui": {"panel": "<b>x</b>"}}),
    ));
    assert!(matches!(e, LinkError::BadUiState(_)), "{e:?}");
    let e = err(&raw_link(
        1,
        &json!({"base": null, "ui": {"lesson": "javascript:alert(1)"}}),
    ));
    assert!(matches!(e, LinkError::BadUiState(_)), "{e:?}");
}

#[test]
fn ui_values_a_link_could_not_carry_are_left_out_when_encoding() {
    let ui = UiState {
        time_ms: f64::NAN,
        panel: Some("Log Panel".into()),
        lesson: Some("no-such-lesson".into()),
        ..Default::default()
    };
    let d = decode_link(&encode_link(&presets::default_scenario(), &ui)).unwrap();
    assert_eq!(d.ui_state, UiState::default());
}

#[test]
fn presets_are_checked_by_fingerprint() {
    let e = err(&raw_link(
        1,
        &json!({"base": "default", "base_fnv32": "00000000", "ui": {}}),
    ));
    assert_eq!(e, LinkError::PresetChanged("default".into()));
    let e = err(&raw_link(1, &json!({"base": "nope", "ui": {}})));
    assert_eq!(e, LinkError::UnknownPreset("nope".into()));
}

#[test]
fn the_share_limit_is_2000_characters() {
    assert!(!exceeds_share_limit(&"x".repeat(2000)));
    assert!(exceeds_share_limit(&"x".repeat(2001)));
    let mut s: Scenario = presets::default_scenario();
    s.topics.push(topic("t", 1));
    for i in 0..300 {
        s.actions.push(ksim::TimedAction {
            at_ms: i as f64,
            action: Action::Produce {
                topic: "t".into(),
                key: Some(format!("key-{i}-{}", i * 7919 % 1013)),
                value: Some(format!("v{}", i * 104729 % 7919)),
                headers: vec![],
                partition: None,
                timestamp_ms: None,
            },
        });
    }
    assert!(exceeds_share_limit(&encode_link(&s, &UiState::default())));
}

#[test]
fn a_run_past_the_record_bytes_budget_replays_from_its_link_to_the_same_hash() {
    // 1 MiB budget, 3,000 events of ~1 KB: brokers drop old payloads while the run goes on.
    let text = r#"{"seed":5,"cluster":{"brokers":3,"record_bytes_budget_mb":1},
        "topics":[{"name":"t","partitions":1,"replication_factor":3}],
        "producer":{"config":{"linger.ms":0}},
        "actions":[{"at_ms":0,"action":{"type":"produce_many","topic":"t","count":3000,
            "rate_per_sec":1000,"value":"v{i}","value_size_bytes":1000}}]}"#;
    let mut sim = Simulation::from_json(text).unwrap();
    sim.run_until(2_500_000);
    assert!(
        sim.memory().payload_dropped_batches > 500,
        "{:?}",
        sim.memory()
    );
    let ui = UiState {
        time_ms: sim.now_us() as f64 / 1000.0,
        ..UiState::default()
    };
    let d = decode_link(&encode_link(sim.scenario(), &ui)).unwrap();
    let mut replay = Simulation::new(d.scenario).unwrap();
    replay.run_until(d.ui_state.time_us());
    assert_eq!(replay.log_hash(), sim.log_hash());
    assert_eq!(replay.memory(), sim.memory());
}

/// A record schema of about `bytes` bytes of text (fields `f0`, `f1`, … with docs).
fn big_schema(bytes: usize) -> String {
    let mut fields = Vec::new();
    let mut len = 60;
    let mut i = 0;
    while len < bytes - 120 {
        let f = format!(
            r#"{{"name": "f{i}", "type": ["null", "string"], "default": null, "doc": "field {i} of a wide \"event\""}}"#
        );
        len += f.len() + 2;
        fields.push(f);
        i += 1;
    }
    format!(
        r#"{{"type": "record", "name": "Wide", "fields": [{}]}}"#,
        fields.join(", ")
    )
}

/// Formats and schemas travel in links, and the bound holds: the largest schema kavro accepts
/// (64 KiB) makes a link of a few tens of kilobytes (zlib'd JSON: above SHARE_WARN_CHARS, so
/// the page offers a file, far below MAX_LINK_INPUT_CHARS), and the most schema text a
/// scenario may hold (MAX_SCHEMA_TOTAL_BYTES) stays inside MAX_INFLATED_BYTES.
#[test]
fn schemas_and_serializers_round_trip_in_links_within_the_bounds() {
    let schema = big_schema(kavro::schema::MAX_SCHEMA_TEXT_BYTES);
    assert!(schema.len() <= kavro::schema::MAX_SCHEMA_TEXT_BYTES);
    assert!(schema.len() > kavro::schema::MAX_SCHEMA_TEXT_BYTES - 200);
    let per_schema = ksim::MAX_SCHEMA_TOTAL_BYTES / schema.len();
    let mut s = ksim::Scenario {
        topics: vec![topic("payments", 1)],
        schemas: (0..per_schema.max(1))
            .map(|i| ksim::SchemaSpec {
                name: format!("wide{i}"),
                schema: schema.clone(),
            })
            .collect(),
        schema_registry: Some(ksim::SchemaRegistrySpec::default()),
        serializers: vec![ksim::TopicSerializers {
            topic: "payments".into(),
            value_format: ksim::SerdeFormat::Avro,
            value_schema: Some("wide0".into()),
            ..Default::default()
        }],
        ..Default::default()
    };
    Simulation::new(s.clone()).expect("a valid scenario at the bounds");
    let link = encode_link(&s, &UiState::default());
    assert!(
        link.len() < kshare::link::MAX_LINK_INPUT_CHARS,
        "{}",
        link.len()
    );
    let inflated = serde_json::to_string(&s).unwrap().len();
    assert!(inflated < MAX_INFLATED_BYTES, "{inflated}");
    let d = decode_link(&link).unwrap();
    assert_eq!(d.scenario, s);
    // One 64 KiB schema alone.
    s.schemas.truncate(1);
    let one = encode_link(&s, &UiState::default());
    assert!(
        exceeds_share_limit(&one) && one.len() < 64 * 1024,
        "{}",
        one.len()
    );
    assert_eq!(decode_link(&one).unwrap().scenario, s);
}

#[test]
fn a_link_carries_a_comparison_and_a_sweep_and_stays_version_1_without_them() {
    let lesson = "acks-and-leader-crash";
    let s = presets::get(lesson).unwrap().scenario();
    let ui = UiState {
        lesson: Some(lesson.into()),
        panel: Some("compare".into()),
        compare: Some(kshare::CompareSides {
            a: vec!["acks=1".into()],
            b: vec!["acks=all".into(), "linger.ms=5".into()],
        }),
        sweep: Some(kshare::SweepSpec {
            name: "linger.ms".into(),
            values: vec!["0".into(), "5".into(), "20".into()],
        }),
        ..UiState::default()
    };
    let link = encode_link(&s, &ui);
    assert!(link.starts_with("s=2."), "{link}");
    let d = decode_link(&link).unwrap();
    assert_eq!(d.ui_state, ui);
    assert_eq!(d.migrated_from, None);
    // Without them the link is the version 1 an older playground opens.
    let plain = UiState {
        compare: None,
        sweep: None,
        ..ui
    };
    assert!(encode_link(&s, &plain).starts_with("s=1."));
}

#[test]
fn a_comparison_or_sweep_that_cannot_run_is_refused_with_its_reason() {
    let env = |ui: Value| {
        raw_link(
            2,
            &json!({"base": null, "diff": {"topics": [{"name": "t", "partitions": 1}]}, "ui": ui}),
        )
    };
    let msg = |ui: Value| decode_link(&env(ui)).unwrap_err().to_string();
    let m = msg(json!({"compare": {"a": ["lingr.ms=5"], "b": []}}));
    assert!(
        m.contains("comparison or sweep cannot run")
            && m.contains("side A")
            && m.contains("unknown setting \"lingr.ms\""),
        "{m}"
    );
    let m = msg(json!({"compare": {"a": [], "b": ["acks=maybe"]}}));
    assert!(
        m.contains("side B") && m.contains("acks=maybe is not valid"),
        "{m}"
    );
    let nine: Vec<String> = (0..9).map(|i| format!("linger.ms={i}")).collect();
    assert!(msg(json!({"compare": {"a": nine, "b": []}})).contains("at most 8 per side"));
    let m = msg(json!({"compare": {"a": ["x".repeat(200) + "=1"], "b": []}}));
    assert!(m.contains("longer than 120 characters"), "{m}");
    let thirteen: Vec<String> = (0..13).map(|i| i.to_string()).collect();
    assert!(
        msg(json!({"sweep": {"name": "linger.ms", "values": thirteen}}))
            .contains("sweep: at most 12 values")
    );
    assert!(
        msg(json!({"sweep": {"name": "acks", "values": ["1", "maybe"]}}))
            .contains("sweep: acks=maybe is not valid")
    );
    // An unknown field inside is an error too, and HTML is only ever data.
    assert!(matches!(
        decode_link(&env(json!({"compare": {"a": [], "b": [], "c": 1}}))),
        Err(LinkError::BadJson(_))
    ));
    let m = msg(json!({"compare": {"a": ["<script>alert(1)</script>=1"], "b": []}}));
    assert!(m.contains("unknown setting"), "{m}");
    // An encoder never writes what would be refused.
    let bad = UiState {
        compare: Some(kshare::CompareSides {
            a: vec!["lingr.ms=5".into()],
            b: vec![],
        }),
        ..UiState::default()
    };
    let link = encode_link(&presets::default_scenario(), &bad);
    assert!(link.starts_with("s=1."));
    assert_eq!(decode_link(&link).unwrap().ui_state.compare, None);
}
