//! Property tests: arbitrary records round-trip through every codec, and no input — random,
//! truncated or mutated (with a recomputed CRC so the decoder goes past the CRC check) — makes
//! the decoder, the layout, the decompressors or the broker panic.

use kwire::batch::write_crc;
use kwire::broker::{append, AppendContext, TopicCompression, TopicConfig};
use kwire::codec::{decompress, framing_spans, Codec};
use kwire::layout::layout_batches;
use kwire::{
    decode_batch, decode_batches, encode_batch, BatchSpec, Compression, DecodeLimits, Record,
    RecordHeader, SnappyFraming,
};
use proptest::prelude::*;

fn bytes(max: usize) -> impl Strategy<Value = Option<Vec<u8>>> {
    prop_oneof![
        1 => Just(None),
        1 => Just(Some(Vec::new())),
        4 => proptest::collection::vec(any::<u8>(), 0..max).prop_map(Some),
        2 => "[a-z{}\":, ]{0,80}".prop_map(|s| Some(s.into_bytes())),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (
        prop_oneof![any::<i64>(), 1_600_000_000_000i64..1_800_000_000_000],
        bytes(40),
        bytes(300),
        proptest::collection::vec((".{0,12}", bytes(20)), 0..20),
    )
        .prop_map(|(timestamp_ms, key, value, headers)| Record {
            timestamp_ms,
            key,
            value,
            headers: headers
                .into_iter()
                .map(|(key, value)| RecordHeader { key, value })
                .collect(),
        })
}

fn codec() -> impl Strategy<Value = Codec> {
    prop::sample::select(Codec::ALL.to_vec())
}

fn compression() -> impl Strategy<Value = Compression> {
    (
        codec(),
        prop::option::of(-1i32..14),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(codec, level, xerial, skip)| Compression {
            codec,
            level,
            snappy_framing: if xerial {
                SnappyFraming::Xerial
            } else {
                SnappyFraming::Raw
            },
            skip_if_larger: skip,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_records_round_trip_through_every_codec(
        records in proptest::collection::vec(record(), 1..40),
        compression in compression(),
        producer_id in any::<i64>(),
        producer_epoch in any::<i16>(),
        base_sequence in any::<i32>(),
        transactional in any::<bool>(),
    ) {
        let spec = BatchSpec { producer_id, producer_epoch, base_sequence, transactional, compression, ..BatchSpec::default() };
        let enc = encode_batch(&spec, &records).unwrap();
        let (dec, used) = decode_batch(&enc.bytes, &DecodeLimits::default()).unwrap();
        prop_assert_eq!(used, enc.bytes.len());
        prop_assert_eq!(dec.header.codec().unwrap(), enc.codec);
        if !compression.skip_if_larger {
            prop_assert_eq!(enc.codec, compression.codec);
        }
        prop_assert_eq!((dec.header.producer_id, dec.header.producer_epoch, dec.header.base_sequence),
                        (producer_id, producer_epoch, base_sequence));
        prop_assert_eq!(dec.header.attributes & 0x10 != 0, transactional);
        prop_assert_eq!(dec.header.max_timestamp, records.iter().map(|r| r.timestamp_ms).max().unwrap());
        prop_assert_eq!(dec.records.len(), records.len());
        for (i, (got, want)) in dec.records.iter().zip(&records).enumerate() {
            prop_assert_eq!(got.offset_delta, i as i32);
            prop_assert_eq!(dec.header.base_timestamp.wrapping_add(got.timestamp_delta), want.timestamp_ms);
            prop_assert_eq!(&got.key, &want.key);
            prop_assert_eq!(&got.value, &want.value);
            prop_assert_eq!(&got.headers, &want.headers);
        }
        let layout = layout_batches(&enc.bytes, &DecodeLimits::default()).unwrap();
        let covered: usize = layout[0].fields.iter().map(|f| f.end - f.start).sum();
        prop_assert_eq!(covered, enc.bytes.len());
    }

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..400)) {
        let limits = DecodeLimits { max_decompressed_bytes: 1 << 20, max_records: 10_000 };
        let _ = decode_batches(&data, &limits);
        let _ = layout_batches(&data, &limits);
        for codec in Codec::ALL {
            let _ = decompress(codec, &data, 1 << 20);
            let _ = framing_spans(codec, &data, 1 << 20);
        }
    }

    #[test]
    fn mutated_batches_never_panic(
        records in proptest::collection::vec(record(), 1..8),
        compression in compression(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
        fix_crc in any::<bool>(),
        truncate in any::<bool>(),
        topic_codec in prop::sample::select(TopicCompression::ALL.to_vec()),
    ) {
        let spec = BatchSpec { compression, ..BatchSpec::default() };
        let mut bytes = encode_batch(&spec, &records).unwrap().bytes;
        for (at, v) in edits {
            let i = at.index(bytes.len());
            bytes[i] = v;
        }
        if fix_crc && bytes.len() >= 61 {
            write_crc(&mut bytes);
        }
        if truncate {
            bytes.truncate(cut.index(bytes.len() + 1));
        }
        let limits = DecodeLimits { max_decompressed_bytes: 1 << 20, max_records: 10_000 };
        let _ = decode_batches(&bytes, &limits);
        let _ = layout_batches(&bytes, &limits);
        let topic = TopicConfig { compression: topic_codec, ..TopicConfig::default() };
        let ctx = AppendContext { log_end_offset: 5, leader_epoch: 1, now_ms: 0 };
        let _ = append(&bytes, &topic, &ctx, &limits);
        if bytes.len() > 61 {
            for codec in Codec::ALL {
                let _ = decompress(codec, &bytes[61..], 1 << 20);
                let _ = framing_spans(codec, &bytes[61..], 1 << 20);
            }
        }
    }
}

#[test]
fn decompression_bombs_stop_at_the_limit_for_every_codec() {
    let bomb = vec![Record {
        timestamp_ms: 0,
        key: None,
        value: Some(vec![0; 4 << 20]),
        headers: vec![],
    }];
    let limits = DecodeLimits {
        max_decompressed_bytes: 1 << 20,
        max_records: 10,
    };
    for codec in [Codec::Gzip, Codec::Snappy, Codec::Lz4, Codec::Zstd] {
        let spec = BatchSpec {
            compression: Compression {
                codec,
                ..Compression::default()
            },
            ..BatchSpec::default()
        };
        let enc = encode_batch(&spec, &bomb).unwrap();
        assert!(
            enc.bytes.len() < 300_000,
            "{codec:?}: {} bytes",
            enc.bytes.len()
        );
        let err = decode_batch(&enc.bytes, &limits).unwrap_err();
        assert_eq!(
            err,
            kwire::WireError::DecompressionLimit {
                limit_bytes: 1 << 20
            },
            "{codec:?}"
        );
        assert!(layout_batches(&enc.bytes, &limits).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Our own LZ4 block compressor against lz4_flex's decoder: small alphabets and repeated
    /// runs make long matches, sizes go past one 64 KiB block.
    #[test]
    fn lz4_blocks_round_trip_through_an_independent_decoder(
        pieces in proptest::collection::vec((proptest::collection::vec(0u8..4, 1..300), 1usize..40), 1..60),
    ) {
        let mut input = Vec::new();
        for (piece, times) in pieces {
            for _ in 0..times {
                input.extend_from_slice(&piece);
            }
        }
        input.truncate(140_000);
        let mut block = Vec::new();
        kwire::codec::lz4_block::compress_block(&input, &mut block);
        prop_assert_eq!(lz4_flex::block::decompress(&block, input.len()).unwrap(), input.clone());
        let frame = kwire::codec::lz4::compress(&input);
        prop_assert_eq!(decompress(Codec::Lz4, &frame, 1 << 20).unwrap(), input);
    }
}
