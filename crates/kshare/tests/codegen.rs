//! Client code export: exact non-default configs, the loop shape per mode, and string literals
//! that survive hostile input in both languages.

use kshare::codegen::{java, java_str, non_default_config, python, python_str};
use ksim::{Action, ClientProfile, HeaderSpec, ProduceMode, ProducerSpec, Scenario, TimedAction};

const HOSTILE: &str =
    "He said \"hi\"\n'x' \\ \\n \\u0022 \"\"\" {i} \r\t\u{0} \u{7f} é ☃ 😀 \u{202e} */ </script>";

/// Reverses the escapes `python_str` and `java_str` write (a test-side decoder).
fn unescape(lit: &str) -> String {
    let inner = &lit[1..lit.len() - 1];
    let mut out = String::new();
    let mut units: Vec<u16> = Vec::new();
    let mut it = inner.chars().peekable();
    let flush_units = |units: &mut Vec<u16>, out: &mut String| {
        if !units.is_empty() {
            out.push_str(&String::from_utf16(units).unwrap());
            units.clear();
        }
    };
    while let Some(c) = it.next() {
        if c != '\\' {
            flush_units(&mut units, &mut out);
            out.push(c);
            continue;
        }
        let e = it.next().unwrap();
        let hex = |it: &mut std::iter::Peekable<std::str::Chars>, n: usize| {
            let h: String = (0..n).map(|_| it.next().unwrap()).collect();
            u32::from_str_radix(&h, 16).unwrap()
        };
        match e {
            'u' => {
                units.push(hex(&mut it, 4) as u16);
                continue;
            }
            _ => flush_units(&mut units, &mut out),
        }
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            'x' => out.push(char::from_u32(hex(&mut it, 2)).unwrap()),
            'U' => out.push(char::from_u32(hex(&mut it, 8)).unwrap()),
            other => panic!("unexpected escape \\{other}"),
        }
    }
    flush_units(&mut units, &mut out);
    out
}

#[test]
fn string_literals_round_trip_hostile_text_in_ascii() {
    for lit in [python_str(HOSTILE), java_str(HOSTILE)] {
        assert!(lit.is_ascii(), "{lit}");
        assert!(!lit.contains('\n') && !lit.contains('\r'), "{lit}");
        assert_eq!(unescape(&lit), HOSTILE, "{lit}");
        // Every quote inside is escaped: the literal ends only at its last character.
        let inner = &lit[1..lit.len() - 1];
        let mut backslashes = 0;
        for c in inner.chars() {
            if c == '"' {
                assert!(backslashes % 2 == 1, "unescaped quote in {lit}");
            }
            backslashes = if c == '\\' { backslashes + 1 } else { 0 };
        }
    }
    assert_eq!(python_str("a\"b\\c\nd☃"), r#""a\"b\\c\nd\u2603""#);
    assert_eq!(java_str("a\"b\\c\nd😀"), r#""a\"b\\c\nd\ud83d\ude00""#);
}

#[test]
fn java_never_writes_a_unicode_escape_that_javac_would_turn_into_a_quote_or_newline() {
    let lit = java_str(HOSTILE).to_ascii_lowercase();
    // javac decodes \uXXXX before lexing, so these would end the literal or the line. A user's
    // own "\u0022" text must come out with its backslash doubled.
    for bad in ["\\u000a", "\\u000d", "\\u0022", "\\u005c"] {
        let mut from = 0;
        while let Some(i) = lit[from..].find(bad) {
            let at = from + i;
            let preceding = lit[..at].chars().rev().take_while(|c| *c == '\\').count();
            assert!(preceding % 2 == 1, "{bad} is live in {lit}");
            from = at + 1;
        }
    }
}

fn spec(profile: ClientProfile, pairs: &[(&str, &str)]) -> ProducerSpec {
    ProducerSpec {
        profile,
        config: pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

#[test]
fn only_settings_that_differ_from_the_clients_defaults_are_written() {
    let rdk = spec(
        ClientProfile::Librdkafka,
        &[
            ("acks", "all"),
            ("linger.ms", "5"),
            ("enable.idempotence", "false"),
            ("linger.ms", "5"),
            ("batch.num.messages", "100"),
            ("client.id", "svc"),
            ("bootstrap.servers", "x:1"),
        ],
    );
    assert_eq!(
        non_default_config(&rdk),
        [
            ("batch.num.messages".to_string(), "100".to_string()),
            ("client.id".into(), "svc".into())
        ]
    );
    let j = spec(
        ClientProfile::Java,
        &[
            ("acks", "all"),
            ("enable.idempotence", "true"),
            ("linger.ms", "10"),
        ],
    );
    assert_eq!(
        non_default_config(&j),
        [("linger.ms".to_string(), "10".to_string())]
    );
}

fn scenario(actions: Vec<Action>) -> Scenario {
    let mut s = Scenario {
        name: HOSTILE.into(),
        ..Scenario::default()
    };
    s.topics.push(ksim::TopicSpec {
        name: "t".into(),
        partitions: 2,
        ..Default::default()
    });
    s.producer.config.insert("linger.ms".into(), "0".into());
    s.producer.config.insert("client.id".into(), HOSTILE.into());
    s.actions = actions
        .into_iter()
        .enumerate()
        .map(|(i, action)| TimedAction {
            at_ms: i as f64 * 10.0,
            action,
        })
        .collect();
    s
}

fn many(mode: ProduceMode) -> Action {
    Action::ProduceMany {
        topic: "t".into(),
        count: 7,
        rate_per_sec: None,
        key: Some("k{i}".into()),
        key_count: Some(3),
        value: HOSTILE.into(),
        value_size_bytes: Some(300),
        mode,
    }
}

#[test]
fn the_python_loop_matches_the_mode() {
    let a = python(&scenario(vec![many(ProduceMode::Async)]));
    assert!(a.contains("for i in range(7):"), "{a}");
    assert!(
        a.contains("key = \"k{i}\".replace(\"{i}\", str(i % 3))"),
        "{a}"
    );
    assert!(
        a.contains("except BufferError:\n                producer.poll(1)"),
        "{a}"
    );
    assert!(a.contains("        producer.poll(0)\n"), "{a}");
    assert!(a.contains("value = padded(value, 300)"), "{a}");
    assert!(a.contains("\"linger.ms\": 0,"), "{a}");
    let s = python(&scenario(vec![many(ProduceMode::Sync)]));
    assert!(
        s.contains("on_delivery=on_delivery)\n        producer.flush()"),
        "{s}"
    );
    assert!(!s.contains("producer.poll(1)"), "{s}");
    assert!(s.is_ascii());
}

#[test]
fn a_single_produce_with_headers_partition_and_timestamp() {
    let s = scenario(vec![
        Action::Produce {
            topic: "t".into(),
            key: Some(HOSTILE.into()),
            value: None,
            headers: vec![HeaderSpec {
                key: "trace".into(),
                value: Some("1".into()),
            }],
            partition: Some(1),
            timestamp_ms: Some(1_700_000_000_123),
        },
        Action::Flush {
            timeout_ms: Some(2500.0),
        },
        Action::SetProducerConfig {
            name: "acks".into(),
            value: HOSTILE.into(),
        },
    ]);
    let p = python(&s);
    assert!(p.contains(&format!(
        "producer.produce(\"t\", key={}, value=None, headers=[(\"trace\", \"1\".encode())], partition=1, timestamp=1700000000123, on_delivery=on_delivery)",
        python_str(HOSTILE)
    )), "{p}");
    assert!(p.contains("producer.flush(2.5)"), "{p}");
    assert!(
        p.contains("a real application creates a new Producer"),
        "{p}"
    );
    let j = java(&s);
    assert!(
        j.contains(&format!(
            "new ProducerRecord<>(\"t\", 1, 1700000000123L, {}, null);",
            java_str(HOSTILE)
        )),
        "{j}"
    );
    assert!(
        j.contains("record.headers().add(\"trace\", \"1\".getBytes(StandardCharsets.UTF_8));"),
        "{j}"
    );
    assert!(j.contains("props.put(\"client.id\", "), "{j}");
    assert!(j.is_ascii());
    // Every line of the output that holds user text holds it inside a literal: no raw newline
    // from the input can start a new line of code.
    for line in p.lines().chain(j.lines()) {
        assert!(!line.starts_with("'x'"), "{line}");
    }
}

#[test]
fn java_translates_librdkafka_names_and_says_what_has_no_equivalent() {
    let mut s = scenario(vec![many(ProduceMode::Sync)]);
    s.producer
        .config
        .insert("queue.buffering.max.ms".into(), "20".into());
    s.producer
        .config
        .insert("batch.num.messages".into(), "10".into());
    s.producer.config.insert("acks".into(), "1".into());
    s.producer.config.remove("linger.ms");
    let j = java(&s);
    assert!(j.contains("props.put(\"linger.ms\", \"20\");"), "{j}");
    assert!(j.contains("props.put(\"acks\", \"1\");"), "{j}");
    assert!(
        j.contains("// librdkafka setting \"batch.num.messages\" = \"10\" has no Java equivalent."),
        "{j}"
    );
    assert!(j.contains("onDelivery).get(); // synchronous"), "{j}");
}

#[test]
fn pauses_count_the_time_a_paced_loop_already_slept() {
    let mut s = scenario(vec![]);
    s.actions = vec![
        TimedAction {
            at_ms: 0.0,
            action: Action::ProduceMany {
                topic: "t".into(),
                count: 100,
                rate_per_sec: Some(1000.0),
                key: None,
                key_count: None,
                value: "v{i}".into(),
                value_size_bytes: None,
                mode: ProduceMode::Async,
            },
        },
        TimedAction {
            at_ms: 150.0,
            action: Action::Flush { timeout_ms: None },
        },
    ];
    let p = python(&s);
    assert!(
        p.contains("        time.sleep(0.001)\n    time.sleep(0.050)\n    producer.flush()"),
        "{p}"
    );
    assert!(java(&s).contains("Thread.sleep(50);"));
}
