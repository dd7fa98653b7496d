//! Any bytes compressed with each codec (and framing) must decompress to themselves: this
//! exercises the encoders, including our own LZ4 block compressor.
#![no_main]

use kwire::codec::{compress, decompress, Codec, Compression, SnappyFraming};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&which, payload)) = data.split_first() else {
        return;
    };
    let compression = Compression {
        codec: Codec::ALL[which as usize % 5],
        level: Some((which >> 3) as i32 % 12),
        snappy_framing: if which & 0x80 != 0 {
            SnappyFraming::Xerial
        } else {
            SnappyFraming::Raw
        },
        skip_if_larger: false,
    };
    let packed = compress(payload, &compression).expect("compress accepts any input");
    let back = decompress(compression.codec, &packed, payload.len()).expect("own output decodes");
    assert_eq!(back, payload);
});
