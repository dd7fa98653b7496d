//! The record batch v2 envelope: 61-byte header, CRC-32C, records section
//! (docs/kafka-sources.md §1.1–1.3; Kafka `DefaultRecordBatch`).

use crate::codec::{compress, decompress, Codec, Compression};
use crate::error::WireError;
use crate::record::{read_record, write_record, DecodedRecord, Record};
use crate::DecodeLimits;

/// Size of the batch header; records start here (`DefaultRecordBatch.RECORDS_OFFSET`,
/// docs/kafka-sources.md §1.1).
pub const HEADER_SIZE_BYTES: usize = 61;
/// `LOG_OVERHEAD`: baseOffset (8) + batchLength (4); batchLength counts the bytes after these.
pub const LOG_OVERHEAD_BYTES: usize = 12;
/// Byte offset where the CRC-32C coverage begins (attributes).
pub const CRC_START: usize = 21;

/// Attribute bit 3: LogAppendTime.
pub const ATTR_LOG_APPEND_TIME: i16 = 0x08;
/// Attribute bit 4: transactional.
pub const ATTR_TRANSACTIONAL: i16 = 0x10;
/// Attribute bit 5: control batch.
pub const ATTR_CONTROL: i16 = 0x20;

/// The decoded 61-byte header of a v2 batch (docs/kafka-sources.md §1.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchHeader {
    pub base_offset: i64,
    pub batch_length: i32,
    pub partition_leader_epoch: i32,
    pub magic: i8,
    pub crc: u32,
    pub attributes: i16,
    pub last_offset_delta: i32,
    pub base_timestamp: i64,
    pub max_timestamp: i64,
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    pub records_count: i32,
}

impl BatchHeader {
    /// Codec from attribute bits 0–2.
    pub fn codec(&self) -> Result<Codec, WireError> {
        Codec::from_id((self.attributes & 0x07) as u8)
    }
    /// Total size of the batch on disk and on the wire: 12 + batchLength.
    pub fn size_bytes(&self) -> usize {
        LOG_OVERHEAD_BYTES + self.batch_length.max(0) as usize
    }
    /// Offset of the last record: baseOffset + lastOffsetDelta.
    pub fn last_offset(&self) -> i64 {
        self.base_offset + self.last_offset_delta as i64
    }
}

/// Producer-side fields of a batch: the idempotence triple and the framing choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchSpec {
    /// −1 when the producer is not idempotent (docs/kafka-sources.md §1.1).
    pub producer_id: i64,
    pub producer_epoch: i16,
    pub base_sequence: i32,
    /// librdkafka and kafka-python write 0, the Java client −1 (docs/kafka-sources.md §1.1).
    pub partition_leader_epoch: i32,
    pub transactional: bool,
    pub compression: Compression,
}

impl Default for BatchSpec {
    fn default() -> Self {
        BatchSpec {
            producer_id: -1,
            producer_epoch: -1,
            base_sequence: -1,
            partition_leader_epoch: 0,
            transactional: false,
            compression: Compression::default(),
        }
    }
}

/// An encoded batch and the numbers a learner wants to see about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedBatch {
    pub bytes: Vec<u8>,
    /// Size of the records section before compression.
    pub uncompressed_records_bytes: usize,
    /// The codec actually written (may be `None` when compression did not help,
    /// docs/kafka-sources.md §2.2).
    pub codec: Codec,
}

/// Builds a v2 batch with baseOffset 0 and offset deltas 0..n−1; the first record's timestamp is
/// the base timestamp. The CRC-32C is back-filled over bytes 21..end
/// (docs/kafka-sources.md §1.3).
pub fn encode_batch(spec: &BatchSpec, records: &[Record]) -> Result<EncodedBatch, WireError> {
    if records.is_empty() {
        return Err(WireError::InvalidRecord(
            "a batch needs at least one record".into(),
        ));
    }
    let base_timestamp = records[0].timestamp_ms;
    let max_timestamp = records
        .iter()
        .map(|r| r.timestamp_ms)
        .max()
        .unwrap_or(base_timestamp);
    let mut raw = Vec::new();
    for (i, r) in records.iter().enumerate() {
        write_record(
            &mut raw,
            r,
            r.timestamp_ms.wrapping_sub(base_timestamp),
            i as i32,
        );
    }
    let uncompressed_records_bytes = raw.len();
    let mut codec = spec.compression.codec;
    let mut payload = compress(&raw, &spec.compression)?;
    // librdkafka `rd_kafka_msgset_writer_compress`: `if (ciov.iov_len > len)` send uncompressed
    // (strictly larger; docs/kafka-sources.md §2.2).
    if codec != Codec::None && spec.compression.skip_if_larger && payload.len() > raw.len() {
        codec = Codec::None;
        payload = raw;
    }
    let mut attributes = codec as i16;
    if spec.transactional {
        attributes |= ATTR_TRANSACTIONAL;
    }
    let total = HEADER_SIZE_BYTES + payload.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&0i64.to_be_bytes());
    out.extend_from_slice(&((total - LOG_OVERHEAD_BYTES) as i32).to_be_bytes());
    out.extend_from_slice(&spec.partition_leader_epoch.to_be_bytes());
    out.push(2);
    out.extend_from_slice(&0u32.to_be_bytes()); // CRC, back-filled below
    out.extend_from_slice(&attributes.to_be_bytes());
    out.extend_from_slice(&((records.len() - 1) as i32).to_be_bytes());
    out.extend_from_slice(&base_timestamp.to_be_bytes());
    out.extend_from_slice(&max_timestamp.to_be_bytes());
    out.extend_from_slice(&spec.producer_id.to_be_bytes());
    out.extend_from_slice(&spec.producer_epoch.to_be_bytes());
    out.extend_from_slice(&spec.base_sequence.to_be_bytes());
    out.extend_from_slice(&(records.len() as i32).to_be_bytes());
    out.extend_from_slice(&payload);
    write_crc(&mut out);
    Ok(EncodedBatch {
        bytes: out,
        uncompressed_records_bytes,
        codec,
    })
}

/// Recomputes and stores the CRC-32C of a complete batch (bytes 21..end).
pub fn write_crc(batch: &mut [u8]) {
    let crc = crc32c::crc32c(&batch[CRC_START..]);
    batch[17..21].copy_from_slice(&crc.to_be_bytes());
}

fn be<const N: usize>(buf: &[u8], at: usize) -> [u8; N] {
    let mut a = [0u8; N];
    a.copy_from_slice(&buf[at..at + N]);
    a
}

/// Parses the 61-byte header without checking the CRC.
pub fn decode_header(buf: &[u8]) -> Result<BatchHeader, WireError> {
    if buf.len() < HEADER_SIZE_BYTES {
        return Err(WireError::Truncated {
            needed_bytes: HEADER_SIZE_BYTES,
            available_bytes: buf.len(),
            field: "batch header",
        });
    }
    Ok(BatchHeader {
        base_offset: i64::from_be_bytes(be(buf, 0)),
        batch_length: i32::from_be_bytes(be(buf, 8)),
        partition_leader_epoch: i32::from_be_bytes(be(buf, 12)),
        magic: buf[16] as i8,
        crc: u32::from_be_bytes(be(buf, 17)),
        attributes: i16::from_be_bytes(be(buf, 21)),
        last_offset_delta: i32::from_be_bytes(be(buf, 23)),
        base_timestamp: i64::from_be_bytes(be(buf, 27)),
        max_timestamp: i64::from_be_bytes(be(buf, 35)),
        producer_id: i64::from_be_bytes(be(buf, 43)),
        producer_epoch: i16::from_be_bytes(be(buf, 51)),
        base_sequence: i32::from_be_bytes(be(buf, 53)),
        records_count: i32::from_be_bytes(be(buf, 57)),
    })
}

/// A fully decoded batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedBatch {
    pub header: BatchHeader,
    pub records: Vec<DecodedRecord>,
    /// Size of the records section after decompression.
    pub uncompressed_records_bytes: usize,
}

/// The header of the batch at the start of `buf` and the batch's bytes, after the checks every
/// reader needs before trusting the header: magic 2, a batchLength that covers the header, and
/// a declared size the buffer really holds. The CRC is not checked here.
pub fn batch_envelope(buf: &[u8]) -> Result<(BatchHeader, &[u8]), WireError> {
    let header = decode_header(buf)?;
    if header.magic != 2 {
        return Err(WireError::UnsupportedMagic(header.magic));
    }
    if header.batch_length < (HEADER_SIZE_BYTES - LOG_OVERHEAD_BYTES) as i32 {
        return Err(WireError::InvalidRecord(format!(
            "batchLength {} is smaller than the header",
            header.batch_length
        )));
    }
    let size = header.size_bytes();
    let Some(batch) = buf.get(..size) else {
        return Err(WireError::Truncated {
            needed_bytes: size,
            available_bytes: buf.len(),
            field: "batch",
        });
    };
    Ok((header, batch))
}

/// Decodes the batch at the start of `buf` and returns it with the number of bytes it used.
/// Checks magic, the declared length against the buffer, the CRC (`CORRUPT_MESSAGE`) and that the
/// record count matches the records really present.
pub fn decode_batch(buf: &[u8], limits: &DecodeLimits) -> Result<(DecodedBatch, usize), WireError> {
    let (header, batch) = batch_envelope(buf)?;
    let size = batch.len();
    let actual_crc = crc32c::crc32c(&batch[CRC_START..]);
    if actual_crc != header.crc {
        return Err(WireError::CorruptMessage {
            expected_crc: header.crc,
            actual_crc,
        });
    }
    if header.records_count < 0 || header.records_count as usize > limits.max_records {
        return Err(WireError::InvalidRecord(format!(
            "records count {} out of range",
            header.records_count
        )));
    }
    let codec = header.codec()?;
    let raw = decompress(
        codec,
        &batch[HEADER_SIZE_BYTES..],
        limits.max_decompressed_bytes,
    )?;
    let mut pos = 0;
    // Each record is at least 7 bytes: cap the allocation by what the bytes can hold.
    let mut records = Vec::with_capacity((header.records_count as usize).min(raw.len() / 7 + 1));
    for _ in 0..header.records_count {
        records.push(read_record(&raw, &mut pos)?);
    }
    if pos != raw.len() {
        return Err(WireError::InvalidRecord(format!(
            "{} bytes follow the {} declared records",
            raw.len() - pos,
            header.records_count
        )));
    }
    Ok((
        DecodedBatch {
            header,
            records,
            uncompressed_records_bytes: raw.len(),
        },
        size,
    ))
}

/// Decodes every batch in `buf` (a log segment or a captured records field).
pub fn decode_batches(buf: &[u8], limits: &DecodeLimits) -> Result<Vec<DecodedBatch>, WireError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (b, used) = decode_batch(&buf[pos..], limits)?;
        out.push(b);
        pos += used;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::RecordHeader;

    #[test]
    fn uncompressed_batch_round_trips_with_valid_crc() {
        let records = vec![
            Record {
                timestamp_ms: 1_700_000_000_000,
                key: Some(b"Alice".to_vec()),
                value: Some(b"Made a payment of $200 to Bob".to_vec()),
                headers: vec![RecordHeader {
                    key: "trace".into(),
                    value: None,
                }],
            },
            Record {
                timestamp_ms: 1_700_000_000_007,
                key: None,
                value: None,
                headers: vec![],
            },
        ];
        let enc = encode_batch(&BatchSpec::default(), &records).unwrap();
        let (dec, used) = decode_batch(&enc.bytes, &DecodeLimits::default()).unwrap();
        assert_eq!(used, enc.bytes.len());
        assert_eq!(dec.header.records_count, 2);
        assert_eq!(dec.header.last_offset_delta, 1);
        assert_eq!(dec.header.max_timestamp, 1_700_000_000_007);
        assert_eq!(dec.records[1].timestamp_delta, 7);
        assert_eq!(dec.records[0].key.as_deref(), Some(&b"Alice"[..]));
        assert_eq!(dec.records[1].value, None);
        let mut bad = enc.bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        assert!(matches!(
            decode_batch(&bad, &DecodeLimits::default()),
            Err(WireError::CorruptMessage { .. })
        ));
    }

    #[test]
    fn every_codec_round_trips_and_marks_its_attribute_bits() {
        let records: Vec<Record> = (0..50)
            .map(|i| Record {
                timestamp_ms: 1_700_000_000_000 + i,
                key: Some(format!("user-{}", i % 5).into_bytes()),
                value: Some(
                    format!("{{\"event\":\"payment\",\"amount\":{i}}}")
                        .repeat(3)
                        .into_bytes(),
                ),
                headers: vec![],
            })
            .collect();
        let plain = encode_batch(&BatchSpec::default(), &records).unwrap();
        for codec in Codec::ALL {
            for framing in [crate::SnappyFraming::Raw, crate::SnappyFraming::Xerial] {
                let compression = Compression {
                    codec,
                    snappy_framing: framing,
                    ..Compression::default()
                };
                let spec = BatchSpec {
                    compression,
                    ..BatchSpec::default()
                };
                let enc = encode_batch(&spec, &records).unwrap();
                let (dec, _) = decode_batch(&enc.bytes, &DecodeLimits::default()).unwrap();
                assert_eq!(dec.header.codec().unwrap(), codec);
                assert_eq!(dec.records.len(), 50);
                assert_eq!(dec.records[49].value, records[49].value);
                if codec != Codec::None {
                    assert!(
                        enc.bytes.len() < plain.bytes.len() / 2,
                        "{codec:?} did not compress"
                    );
                }
            }
        }
    }

    #[test]
    fn compression_that_does_not_help_falls_back_to_none_when_asked() {
        let records = vec![Record {
            timestamp_ms: 1,
            key: None,
            value: Some(b"x".to_vec()),
            headers: vec![],
        }];
        for codec in [Codec::Gzip, Codec::Snappy, Codec::Lz4, Codec::Zstd] {
            let compression = Compression {
                codec,
                skip_if_larger: true,
                ..Compression::default()
            };
            let enc = encode_batch(
                &BatchSpec {
                    compression,
                    ..BatchSpec::default()
                },
                &records,
            )
            .unwrap();
            assert_eq!(enc.codec, Codec::None);
            let compression = Compression {
                codec,
                ..Compression::default()
            };
            let enc = encode_batch(
                &BatchSpec {
                    compression,
                    ..BatchSpec::default()
                },
                &records,
            )
            .unwrap();
            assert_eq!(enc.codec, codec);
        }
    }
}
