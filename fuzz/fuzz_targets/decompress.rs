//! Any bytes through each decompressor and framing parser; the first byte picks the codec.
//! Output must stay under the limit whatever the input declares.
#![no_main]

use kwire::codec::{decompress, framing_spans, Codec};
use libfuzzer_sys::fuzz_target;

const LIMIT_BYTES: usize = 1 << 20;

fuzz_target!(|data: &[u8]| {
    let Some((&which, payload)) = data.split_first() else {
        return;
    };
    let codec = Codec::ALL[1 + (which as usize % 4)];
    if let Ok(out) = decompress(codec, payload, LIMIT_BYTES) {
        assert!(out.len() <= LIMIT_BYTES);
    }
    let _ = framing_spans(codec, payload, LIMIT_BYTES);
});
