//! Any bytes through kavro's decoder, with and without the layout and with Confluent framing,
//! against fixed schemas chosen by the first byte: each call returns a value or a typed error,
//! never panics. A decoded value must encode back to exactly the bytes read. Run with
//! `-rss_limit_mb` to catch allocations that do not follow the input size.
#![no_main]

use kavro::{binary, decode_framed, Schema};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const SCHEMAS: [&str; 4] = [
    // The lecture's payment event.
    r#"{"type":"record","name":"Payment","fields":[
        {"name":"payment_id","type":"string"},{"name":"amount","type":"double"},
        {"name":"currency","type":"string"},
        {"name":"timestamp","type":{"type":"long","logicalType":"timestamp-millis"}},
        {"name":"status","type":{"type":"enum","name":"Status","symbols":["PENDING","SETTLED"]}},
        {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}}]}"#,
    // Recursion through a union, zero-byte items, maps of arrays, fixed.
    r#"{"type":"record","name":"Node","fields":[
        {"name":"next","type":["null","Node"]},
        {"name":"nulls","type":{"type":"array","items":"null"}},
        {"name":"m","type":{"type":"map","values":{"type":"array","items":["int","string"]}}},
        {"name":"h","type":{"type":"fixed","name":"H","size":4}},
        {"name":"b","type":"boolean"},{"name":"f","type":"float"}]}"#,
    r#"{"type":"array","items":{"type":"record","name":"Empty","fields":[]}}"#,
    r#"["null","long","bytes",{"type":"map","values":"Empty2"},
        {"type":"record","name":"Empty2","fields":[]}]"#,
];

fn schemas() -> &'static [Schema] {
    static S: OnceLock<Vec<Schema>> = OnceLock::new();
    S.get_or_init(|| {
        SCHEMAS
            .iter()
            .map(|t| Schema::parse(t).unwrap_or_else(|e| panic!("{e}")))
            .collect()
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let schema = &schemas()[which as usize % SCHEMAS.len()];
    if let Ok(value) = binary::decode(schema, rest) {
        // Blocks may be written differently (negative counts, several blocks), so compare the
        // values, not the bytes.
        let again = binary::encode(schema, &value).expect("a decoded value encodes");
        assert_eq!(binary::decode(schema, &again).ok(), Some(value));
    }
    if let Ok(d) = binary::decode_with_layout(schema, rest, 0) {
        assert!(d.spans.len() <= binary::MAX_SPANS + 1);
        assert!(d.spans.iter().all(|s| s.start <= s.end && s.end <= rest.len()));
    }
    let _ = decode_framed(schema, data);
});
