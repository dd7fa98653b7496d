//! The compatibility table of `tests/oracle/test_avro.py` (where fastavro's resolution confirms
//! every verdict), one schema pair per rule of the Avro specification's "Schema Resolution",
//! checked here without Python: BACKWARD = the new schema reads data written with the old;
//! FORWARD = the old reads the new (Confluent docs, "Schema Evolution and Compatibility").

use kavro::compat::IncompatibilityType;
use kavro::{can_read, check_level, CompatibilityLevel, Schema};

struct Case {
    rule: &'static str,
    old: &'static str,
    new: &'static str,
    backward: bool,
    forward: bool,
}

const TABLE: &[Case] = &[
    Case {
        rule: "field added with default",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]}"#,
        backward: true,
        forward: true,
    },
    Case {
        rule: "field added without default",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "field removed that had a default",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string", "default": "x"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        backward: true,
        forward: true,
    },
    Case {
        rule: "field removed that had no default",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "b", "type": "string"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "int to long",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "long to float",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "float"}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "float to double",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "float"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double"}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "int to double",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double"}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "long to int",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "double to float",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "float"}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "double to long",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "double"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "long"}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "string to bytes",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "bytes"}]}"#,
        backward: true,
        forward: true,
    },
    Case {
        rule: "int to string",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}"#,
        backward: false,
        forward: false,
    },
    Case {
        rule: "enum symbol added",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "enum symbol removed",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"]}}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "enum symbol added, readers have an enum default",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN"], "default": "RED"}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "c", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"], "default": "RED"}}]}"#,
        backward: true,
        forward: true,
    },
    Case {
        rule: "field made nullable",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string"], "default": null}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "field made not nullable",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string"], "default": null}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "string"}]}"#,
        backward: false,
        forward: true,
    },
    Case {
        rule: "union branch added",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string"]}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": ["null", "string", "int"]}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "nullable field added with default null",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "a", "type": "int"}, {"name": "note", "type": ["null", "string"], "default": null}]}"#,
        backward: true,
        forward: true,
    },
    Case {
        rule: "record renamed without alias",
        old: r#"{"type": "record", "name": "Payment", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "Transfer", "fields": [{"name": "a", "type": "int"}]}"#,
        backward: false,
        forward: false,
    },
    Case {
        rule: "record renamed with alias",
        old: r#"{"type": "record", "name": "Payment", "fields": [{"name": "a", "type": "int"}]}"#,
        new: r#"{"type": "record", "name": "Transfer", "fields": [{"name": "a", "type": "int"}], "aliases": ["Payment"]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "field renamed without alias",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "amount", "type": "double"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "total", "type": "double"}]}"#,
        backward: false,
        forward: false,
    },
    Case {
        rule: "field renamed with alias",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "amount", "type": "double"}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "total", "type": "double", "aliases": ["amount"]}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "fixed size changed",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "h", "type": {"type": "fixed", "name": "Hash", "size": 4}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "h", "type": {"type": "fixed", "name": "Hash", "size": 8}}]}"#,
        backward: false,
        forward: false,
    },
    Case {
        rule: "array items int to long",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "xs", "type": {"type": "array", "items": "int"}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "xs", "type": {"type": "array", "items": "long"}}]}"#,
        backward: true,
        forward: false,
    },
    Case {
        rule: "map values string to bytes",
        old: r#"{"type": "record", "name": "R", "fields": [{"name": "m", "type": {"type": "map", "values": "string"}}]}"#,
        new: r#"{"type": "record", "name": "R", "fields": [{"name": "m", "type": {"type": "map", "values": "bytes"}}]}"#,
        backward: true,
        forward: true,
    },
];

fn parse(rule: &str, text: &str) -> Schema {
    Schema::parse(text).unwrap_or_else(|e| panic!("{rule}: {e}"))
}

#[test]
fn every_rule_gives_the_spec_verdict_at_every_level() {
    for c in TABLE {
        let (old, new) = (parse(c.rule, c.old), parse(c.rule, c.new));
        let earlier = std::slice::from_ref(&old);
        let expect = [
            (CompatibilityLevel::Backward, c.backward),
            (CompatibilityLevel::Forward, c.forward),
            (CompatibilityLevel::Full, c.backward && c.forward),
            (CompatibilityLevel::BackwardTransitive, c.backward),
            (CompatibilityLevel::ForwardTransitive, c.forward),
            (CompatibilityLevel::FullTransitive, c.backward && c.forward),
            (CompatibilityLevel::None, true),
        ];
        for (level, want) in expect {
            let got = check_level(level, &new, earlier);
            assert_eq!(
                got.is_ok(),
                want,
                "{} under {}: {got:?}",
                c.rule,
                level.name()
            );
        }
    }
}

fn reason(rule: &str, reader_is_new: bool) -> IncompatibilityType {
    let c = TABLE
        .iter()
        .find(|c| c.rule == rule)
        .expect("a rule of the table");
    let (old, new) = (parse(c.rule, c.old), parse(c.rule, c.new));
    let (reader, writer) = if reader_is_new {
        (&new, &old)
    } else {
        (&old, &new)
    };
    can_read(reader, writer).expect_err(rule).kind
}

#[test]
fn each_failure_names_the_rule_java_would() {
    use IncompatibilityType::*;
    assert_eq!(
        reason("field added without default", true),
        ReaderFieldMissingDefaultValue
    );
    assert_eq!(
        reason("field removed that had no default", false),
        ReaderFieldMissingDefaultValue
    );
    assert_eq!(reason("long to int", true), TypeMismatch);
    assert_eq!(reason("enum symbol removed", true), MissingEnumSymbols);
    assert_eq!(reason("enum symbol added", false), MissingEnumSymbols);
    assert_eq!(reason("field made nullable", false), TypeMismatch);
    assert_eq!(reason("union branch added", false), MissingUnionBranch);
    assert_eq!(reason("record renamed without alias", true), NameMismatch);
    assert_eq!(reason("record renamed with alias", false), NameMismatch);
    assert_eq!(reason("fixed size changed", true), FixedSizeMismatch);
}

#[test]
fn the_reason_says_which_field_and_why() {
    let c = TABLE
        .iter()
        .find(|c| c.rule == "field added without default")
        .unwrap();
    let e = check_level(
        CompatibilityLevel::Backward,
        &parse(c.rule, c.new),
        &[parse(c.rule, c.old)],
    )
    .unwrap_err();
    assert_eq!(e.reason.path, "b");
    assert_eq!(
        e.to_string(),
        "incompatible under BACKWARD: the new schema cannot read data written with earlier \
         schema #1: READER_FIELD_MISSING_DEFAULT_VALUE: field 'b' has no default in the reader \
         and is missing in the writer (at b)"
    );
}
