//! No input makes the link decoder panic: random text, and real links mutated (bytes flipped,
//! cut, spliced), also after base64 (mutating the compressed and the JSON layers).

use kshare::{base64url, decode_link, encode_link, presets, UiState};
use proptest::prelude::*;

const LINK_BYTES: &[u8] = b"ABCxyz019-_.=#&+/";
const JSON_BYTES: &[u8] = b"{}[]\":,0123456789e-.nultrfsa \\";

fn sample_link() -> String {
    let mut s = presets::default_scenario();
    s.topics.push(ksim::TopicSpec {
        name: "t".into(),
        partitions: 3,
        ..Default::default()
    });
    s.producer.config.insert("acks".into(), "1".into());
    encode_link(
        &s,
        &UiState {
            time_ms: 3.0,
            panel: Some("log".into()),
            lesson: None,
            ..Default::default()
        },
    )
}

fn envelope_json() -> Vec<u8> {
    let link = sample_link();
    let packed = base64url::decode(&link["s=1.".len()..]).unwrap();
    miniz_oxide::inflate::decompress_to_vec_zlib(&packed).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_text_never_panics(s in "\\PC{0,300}") {
        let _ = decode_link(&s);
        let _ = decode_link(&format!("s=1.{s}"));
    }

    #[test]
    fn mutated_links_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6), cut in any::<usize>()) {
        let link = sample_link();
        let mut b = link.into_bytes();
        for (at, byte) in &edits {
            let i = at % b.len();
            b[i] = LINK_BYTES[*byte as usize % LINK_BYTES.len()];
        }
        b.truncate(cut % (b.len() + 1));
        let _ = decode_link(&String::from_utf8_lossy(&b));
    }

    #[test]
    fn mutated_json_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8)) {
        let mut j = envelope_json();
        for (at, byte) in &edits {
            let i = at % j.len();
            j[i] = JSON_BYTES[*byte as usize % JSON_BYTES.len()];
        }
        let packed = miniz_oxide::deflate::compress_to_vec_zlib(&j, 1);
        let _ = decode_link(&format!("s=1.{}", base64url::encode(&packed)));
    }
}
