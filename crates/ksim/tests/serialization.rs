//! Serializers and the Schema Registry, scenario in, what a user sees out (issue 14).

use ksim::{LogEvent, Scenario, SerdeFormat, SimError, Simulation, StopReason};
use std::path::PathBuf;

fn example(name: &str) -> Simulation {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../examples/{name}.json"));
    let mut sim = Simulation::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(sim.run_until_idle(1_000_000).stopped, StopReason::Idle);
    sim
}

fn events(sim: &Simulation, kind: &str) -> Vec<LogEvent> {
    sim.log()
        .iter()
        .filter(|e| e.event.kind() == kind)
        .map(|e| e.event.clone())
        .collect()
}

const V1: &str = r#"{"type":"record","name":"Payment","fields":[{"name":"id","type":"string"},{"name":"amount","type":"double"}]}"#;

/// One topic `t` written by `value_format` (Avro with schema `v1`), the given actions.
fn scenario(
    value_format: &str,
    actions: serde_json::Value,
    registry: serde_json::Value,
) -> Scenario {
    let serializer = match value_format {
        "avro" => serde_json::json!([{"topic": "t", "value_format": "avro", "value_schema": "v1"}]),
        f => serde_json::json!([{"topic": "t", "value_format": f}]),
    };
    let s = serde_json::json!({
        "cluster": {"brokers": 1},
        "topics": [{"name": "t", "partitions": 1, "replication_factor": 1}, {"name": "other", "partitions": 1, "replication_factor": 1}],
        "schemas": [{"name": "v1", "schema": V1}],
        "schema_registry": registry,
        "serializers": serializer,
        "actions": actions,
    });
    Scenario::from_json(&s.to_string()).unwrap()
}

fn produce(at_ms: f64, topic: &str, value: &str) -> serde_json::Value {
    serde_json::json!({"at_ms": at_ms, "action": {"type": "produce", "topic": topic, "value": value}})
}

#[test]
fn the_registry_holds_the_evolution_and_the_last_rejection() {
    let sim = example("schema-evolution");
    let r = sim
        .view()
        .schema_registry
        .expect("the scenario has a registry");
    assert_eq!(r.subjects.len(), 1);
    let s = &r.subjects[0];
    assert_eq!(s.subject, "payments-value");
    assert_eq!(
        (s.compatibility.as_str(), s.compatibility_is_subject_level),
        ("FORWARD", true)
    );
    let versions: Vec<(u32, u32)> = s
        .versions
        .iter()
        .map(|v| (v.version, v.schema_id))
        .collect();
    assert_eq!(versions, [(1, 1), (2, 2)], "v3 and v4 were rejected");
    let rej = r.last_rejection.expect("v4 was rejected");
    assert_eq!((rej.http_status, rej.error_code), (409, 409));
    assert!(
        rej.message.contains("'status'") && rej.message.contains("FORWARD"),
        "{}",
        rej.message
    );
    // Both accepted versions' records read back through the registry, each with its own id.
    let records = sim.committed_records("payments", 0);
    assert_eq!(records.len(), 2, "the v3 record was never produced");
    let first = sim.deserialize("payments", false, records[0].2.as_deref().unwrap());
    assert_eq!(first.schema_id, Some(1));
    assert!(first.text.unwrap().contains("\"pay-1\""));
    let second = sim.deserialize("payments", false, records[1].2.as_deref().unwrap());
    assert_eq!(second.schema_id, Some(2));
    assert!(
        second.text.as_deref().unwrap().contains("USD"),
        "{second:?}"
    );
    assert_eq!(
        events(&sim, "serialization_failed").len(),
        1,
        "the v3 produce"
    );
}

#[test]
fn a_value_that_does_not_match_fails_before_produce_and_queues_nothing() {
    let sim = example("avro-type-error");
    let failed = events(&sim, "serialization_failed");
    assert_eq!(failed.len(), 2);
    for f in &failed {
        let LogEvent::SerializationFailed { error, field, .. } = f else {
            unreachable!()
        };
        assert_eq!(
            (error.as_str(), field.as_str()),
            ("ValueSerializationError", "amount")
        );
    }
    assert_eq!(events(&sim, "produce_called").len(), 1);
    assert_eq!(sim.committed_records("payments", 0).len(), 1);
}

#[test]
fn the_registry_is_called_once_per_schema_and_avro_is_smaller_than_json() {
    let sim = example("json-vs-avro");
    assert_eq!(events(&sim, "serializer_blocked").len(), 1);
    let r = sim.view().schema_registry.unwrap();
    assert_eq!(
        r.serializer_cache_hits, 100,
        "every Avro record used the cached id"
    );
    let size = |topic: &str| {
        events(&sim, "produce_called")
            .iter()
            .find_map(|e| match e {
                LogEvent::ProduceCalled {
                    topic: t,
                    value_bytes,
                    ..
                } if t == topic => Some(*value_bytes),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(size("payments-json"), 88);
    assert_eq!(size("payments-avro"), 26);
    let json = sim.committed_records("payments-json", 0);
    let v = sim.deserialize("payments-json", false, json[0].2.as_deref().unwrap());
    assert_eq!(v.deserializer, SerdeFormat::Json);
    assert_eq!(
        v.text.as_deref(),
        Some(
            r#"{"payment_id": "pay-0", "amount": 12.5, "timestamp": 1700000000000, "status": "SETTLED"}"#
        )
    );
    let avro = sim.committed_records("payments-avro", 0);
    let v = sim.deserialize("payments-avro", false, avro[0].2.as_deref().unwrap());
    assert_eq!(v.spans[0].what, "magic byte 0 (Confluent wire format)");
    assert_eq!((v.spans[1].start, v.spans[1].end), (1, 5));
    assert!(v.spans.iter().any(|s| s.path == "amount"), "{:?}", v.spans);
}

#[test]
fn a_json_record_in_an_avro_topic_is_an_invalid_magic_byte_for_the_avro_deserializer() {
    let actions = serde_json::json!([
        produce(0.0, "t", r#"{"id": "a", "amount": 1.5}"#),
        {"at_ms": 10, "action": {"type": "set_serializer", "topic": "t", "value_format": "json"}},
        produce(10.0, "t", r#"{"id": "b", "amount": 2.5}"#),
    ]);
    let mut sim =
        Simulation::new(scenario("avro", actions.clone(), serde_json::json!({}))).unwrap();
    sim.run_until_idle(100_000);
    let records = sim.committed_records("t", 0);
    assert_eq!(records.len(), 2, "Kafka takes both formats into one topic");
    let v = sim.deserialize("t", false, records[1].2.as_deref().unwrap());
    assert_eq!(
        v.error.as_deref(),
        Some("SerializationError: Invalid magic byte")
    );
    let mut java = scenario("avro", actions, serde_json::json!({}));
    java.producer.profile = ksim::ClientProfile::Java;
    let mut j = Simulation::new(java).unwrap();
    j.run_until_idle(100_000);
    assert_eq!(
        j.deserialize("t", false, records[1].2.as_deref().unwrap())
            .error
            .as_deref(),
        Some("SerializationException: Unknown magic byte!")
    );
}

#[test]
fn later_application_calls_wait_while_the_serializer_blocks() {
    // The Avro produce at 0 blocks for 2 × 5 ms; the string produce at 1 ms runs after it.
    let actions = serde_json::json!([
        produce(0.0, "t", r#"{"id": "a", "amount": 1.5}"#),
        produce(1.0, "other", "plain"),
    ]);
    let mut sim = Simulation::new(scenario(
        "avro",
        actions,
        serde_json::json!({"latency_ms": 5}),
    ))
    .unwrap();
    sim.run_until_idle(100_000);
    let calls: Vec<(u64, String)> = sim
        .log()
        .iter()
        .filter_map(|e| match &e.event {
            LogEvent::ProduceCalled { topic, .. } => Some((e.time_us, topic.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        calls,
        [(10_000, "t".to_string()), (10_000, "other".to_string())]
    );
}

#[test]
fn without_auto_registration_an_unknown_subject_is_a_404_inside_the_serialization_error() {
    let actions = serde_json::json!([produce(0.0, "t", r#"{"id": "a", "amount": 1.5}"#)]);
    let mut sim = Simulation::new(scenario(
        "avro",
        actions,
        serde_json::json!({"auto_register_schemas": false}),
    ))
    .unwrap();
    sim.run_until_idle(100_000);
    let failed = events(&sim, "serialization_failed");
    let [LogEvent::SerializationFailed { message, .. }] = failed.as_slice() else {
        panic!("{failed:?}")
    };
    assert_eq!(
        message,
        "SchemaRegistryError: Subject 't-value' not found. (HTTP status code 404, SR code 40401)"
    );
    assert!(events(&sim, "produce_called").is_empty());
}

#[test]
fn json_text_that_is_not_json_fails_in_the_serializer() {
    let actions = serde_json::json!([produce(0.0, "t", "{amount: 1}")]);
    let mut sim = Simulation::new(scenario("json", actions, serde_json::json!({}))).unwrap();
    sim.run_until_idle(100_000);
    let failed = events(&sim, "serialization_failed");
    let [LogEvent::SerializationFailed { error, message, .. }] = failed.as_slice() else {
        panic!("{failed:?}")
    };
    assert_eq!(error, "ValueSerializationError");
    assert!(
        message.starts_with("JSONDecodeError: key must be a string"),
        "{message}"
    );
    // The public API says so too.
    let mut sim = Simulation::new(scenario(
        "json",
        serde_json::json!([]),
        serde_json::json!({}),
    ))
    .unwrap();
    assert!(matches!(
        sim.produce("t", None, Some("not json")),
        Err(SimError::Serialization(m)) if m.starts_with("ValueSerializationError: JSONDecodeError")
    ));
}

#[test]
fn bad_schemas_and_names_are_refused_before_anything_runs() {
    let mut s = scenario("avro", serde_json::json!([]), serde_json::json!({}));
    s.schemas[0].schema =
        r#"{"type":"record","name":"P","fields":[{"name":"amount","type":"dubble"}]}"#.into();
    let Err(SimError::InvalidScenario(m)) = Simulation::new(s) else {
        panic!()
    };
    assert!(
        m.starts_with("schemas[0] (v1): ") && m.contains("amount"),
        "{m}"
    );
    let mut s = scenario("avro", serde_json::json!([]), serde_json::json!({}));
    s.serializers[0].value_schema = Some("v9".into());
    assert!(Simulation::new(s).is_err());
    let mut s = scenario(
        "avro",
        serde_json::json!([]),
        serde_json::json!({"compatibility": "SIDEWAYS"}),
    );
    assert!(Simulation::new(s.clone()).is_err());
    s.schema_registry = None;
    let one = s.schemas[0].clone();
    s.schemas = (0..=ksim::MAX_SCHEMAS)
        .map(|i| ksim::SchemaSpec {
            name: format!("s{i}"),
            ..one.clone()
        })
        .collect();
    s.serializers.clear();
    assert!(Simulation::new(s).is_err(), "more than MAX_SCHEMAS schemas");
}

#[test]
fn the_same_event_in_the_other_format_is_what_the_other_topic_holds() {
    // json-vs-avro sends each payment to both topics: the Avro record's JSON form is the JSON
    // record's bytes, and the JSON record's Avro form is the Avro record's size.
    let sim = example("json-vs-avro");
    let json = sim.committed_records("payments-json", 0);
    let avro = sim.committed_records("payments-avro", 0);
    for i in [0, 57, 99] {
        let j = json[i].2.as_deref().unwrap();
        let a = avro[i].2.as_deref().unwrap();
        let from_avro = sim.same_event("payments-avro", a).expect("an Avro value");
        assert_eq!(from_avro.json_text.as_bytes(), j, "record {i}");
        assert_eq!(
            (from_avro.json_bytes, from_avro.avro_bytes),
            (j.len(), a.len())
        );
        assert_eq!(
            (from_avro.schema_id, from_avro.subject.as_str()),
            (1, "payments-avro-value")
        );
        let from_json = sim
            .same_event("payments-json", j)
            .expect("fits the registered schema");
        assert_eq!(
            (from_json.json_bytes, from_json.avro_bytes),
            (j.len(), a.len())
        );
    }
    let batch = sim
        .same_event("payments-avro", avro[0].2.as_deref().unwrap())
        .unwrap()
        .batch_of_such_events();
    assert!(batch
        .rows
        .iter()
        .all(|r| r.avro_batch_bytes < r.json_batch_bytes));
    // A plain-string topic has no other format.
    let plain = example("sync-producer");
    let t = &plain.view().topics[0].name;
    let v = plain.committed_records(t, 0);
    assert!(plain.same_event(t, v[0].2.as_deref().unwrap()).is_none());
}

#[test]
fn avro_serializer_converts_a_numeric_string_for_a_double_as_fastavro_does() {
    // confluent-kafka's AvroSerializer calls fastavro's writer with strict=False, which writes
    // float("12.50") for a double; "12,50" is what float() cannot read.
    let actions = serde_json::json!([
        produce(0.0, "t", r#"{"id": "a", "amount": "12.50"}"#),
        produce(10.0, "t", r#"{"id": "b", "amount": "12,50"}"#),
    ]);
    let mut sim = Simulation::new(scenario("avro", actions, serde_json::json!({}))).unwrap();
    sim.run_until_idle(100_000);
    let records = sim.committed_records("t", 0);
    assert_eq!(records.len(), 1);
    let v = sim.deserialize("t", false, records[0].2.as_deref().unwrap());
    assert_eq!(v.text.as_deref(), Some(r#"{"id": "a", "amount": 12.5}"#));
    let failed = events(&sim, "serialization_failed");
    let [LogEvent::SerializationFailed { field, message, .. }] = failed.as_slice() else {
        panic!("{failed:?}")
    };
    assert_eq!(field, "amount");
    assert!(
        message.contains("could not convert string to float: '12,50'"),
        "{message}"
    );
}

#[test]
fn the_python_avro_deserializer_wants_more_than_the_header() {
    let actions = serde_json::json!([produce(0.0, "t", r#"{"id": "a", "amount": 1.5}"#)]);
    let mut sim = Simulation::new(scenario("avro", actions, serde_json::json!({}))).unwrap();
    sim.run_until_idle(100_000);
    // "alice" as a value: 5 bytes, the size of the header alone.
    let v = sim.deserialize("t", false, b"alice");
    assert_eq!(
        v.error.as_deref(),
        Some(
            "SerializationError: Expecting data framing of length 6 bytes or more but total \
             data size is 5 bytes. This message was not produced with a Confluent Schema \
             Registry serializer"
        )
    );
}

#[test]
fn the_java_serializer_converts_only_numbers_between_numeric_types() {
    // KafkaAvroSerializer writes through Avro's GenericDatumWriter: ((Number) datum).longValue()
    // for a long, a cast for everything else (tests/fixtures/codegen/avro-java-no-conversion.json).
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/codegen/avro-java-no-conversion.json");
    let mut sim = Simulation::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
    sim.run_until_idle(100_000);
    let values: Vec<String> = sim
        .committed_records("readings", 0)
        .iter()
        .map(|r| {
            let v = sim.deserialize("readings", false, r.2.as_deref().unwrap());
            v.text.unwrap()
        })
        .collect();
    assert_eq!(
        values,
        [
            r#"{"id": "r-1", "amount": 1.5, "count": 3, "ok": true, "note": null}"#,
            r#"{"id": "r-3", "amount": 2.5, "count": 12, "ok": true, "note": null}"#,
            r#"{"id": "r-5", "amount": 0.25, "count": 5, "ok": false, "note": "last"}"#,
        ]
    );
    let refused: Vec<String> = events(&sim, "serialization_failed")
        .into_iter()
        .map(|e| match e {
            LogEvent::SerializationFailed { field, .. } => field,
            _ => unreachable!(),
        })
        .collect();
    assert_eq!(refused, ["amount", "ok"]);
}
