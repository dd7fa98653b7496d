//! Any text through the share-link decoder, raw and as a version-1 payload (so the fuzzer
//! reaches inflate and the JSON layers). It must return, never panic; a link that decodes must
//! re-encode to a link that decodes to the same scenario.
#![no_main]

use kshare::{base64url, decode_link, encode_link};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = decode_link(&text);
    let packed = miniz_oxide_free_pack(data);
    if let Ok(d) = decode_link(&packed) {
        let again = decode_link(&encode_link(&d.scenario, &d.ui_state)).expect("re-encoded link");
        assert_eq!(again.scenario, d.scenario);
    }
});

/// A version-1 link around the raw bytes as zlib "stored" blocks (no compressor needed here).
fn miniz_oxide_free_pack(data: &[u8]) -> String {
    let mut z = vec![0x78, 0x01];
    let mut chunks = data.chunks(65_535).peekable();
    if chunks.peek().is_none() {
        z.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(c) = chunks.next() {
        let last = chunks.peek().is_none();
        let n = c.len() as u16;
        z.push(u8::from(last));
        z.extend_from_slice(&n.to_le_bytes());
        z.extend_from_slice(&(!n).to_le_bytes());
        z.extend_from_slice(c);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    z.extend_from_slice(&((b << 16) | a).to_be_bytes());
    format!("s=1.{}", base64url::encode(&z))
}
