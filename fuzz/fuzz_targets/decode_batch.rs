//! Any bytes through the batch decoder, the annotated layout and the broker's validation.
//! The first input byte decides whether the CRC is fixed up, so the fuzzer reaches the codecs.
#![no_main]

use kwire::batch::write_crc;
use kwire::broker::{append, AppendContext, TopicCompression, TopicConfig};
use kwire::layout::layout_batches;
use kwire::{decode_batches, DecodeLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let mut bytes = rest.to_vec();
    if mode & 1 == 1 && bytes.len() >= 61 {
        // Make the declared length match and the CRC valid, so decoding goes past the checks.
        let len = (bytes.len() - 12) as i32;
        bytes[8..12].copy_from_slice(&len.to_be_bytes());
        bytes[16] = 2;
        write_crc(&mut bytes);
    }
    let limits = DecodeLimits {
        max_decompressed_bytes: 4 << 20,
        max_records: 100_000,
    };
    let _ = decode_batches(&bytes, &limits);
    let _ = layout_batches(&bytes, &limits);
    let topic = TopicConfig {
        compression: TopicCompression::ALL[(mode >> 1) as usize % TopicCompression::ALL.len()],
        ..TopicConfig::default()
    };
    let ctx = AppendContext {
        log_end_offset: 7,
        leader_epoch: 1,
        now_ms: 1_700_000_000_000,
    };
    let _ = append(&bytes, &topic, &ctx, &limits);
});
