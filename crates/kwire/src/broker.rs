//! What a Kafka 3.6 leader does with the `records` field of one partition in a ProduceRequest:
//! validate it (docs/kafka-sources.md §1.8: `UnifiedLog.analyzeAndValidateRecords`,
//! `LogValidator`), then either assign offsets in place or decompress and rebuild the batch with
//! the topic's codec (docs/kafka-sources.md §2.3).

use crate::batch::{
    decode_batch, decode_header, encode_batch, write_crc, BatchHeader, BatchSpec, DecodedBatch,
    ATTR_CONTROL, ATTR_LOG_APPEND_TIME, ATTR_TRANSACTIONAL, LOG_OVERHEAD_BYTES,
};
use crate::codec::{Codec, Compression, SnappyFraming};
use crate::error::WireError;
use crate::record::Record;
use crate::DecodeLimits;

/// Default topic `max.message.bytes`: 1 MiB + 12 (`LogConfig.DEFAULT_MAX_MESSAGE_BYTES`;
/// docs/kafka-sources.md §1.8).
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 1_048_588;
/// `RecordBatch.NO_TIMESTAMP`: a record with this timestamp skips the window check.
pub const NO_TIMESTAMP: i64 = -1;

/// Topic-level `compression.type` (docs/kafka-sources.md §2.3, Kafka `BrokerCompressionType`):
/// `producer` keeps the batch's codec, any
/// other value forces that codec (`uncompressed` ⇒ none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TopicCompression {
    #[default]
    Producer,
    Uncompressed,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

impl TopicCompression {
    pub const ALL: [TopicCompression; 6] = [
        TopicCompression::Producer,
        TopicCompression::Uncompressed,
        TopicCompression::Gzip,
        TopicCompression::Snappy,
        TopicCompression::Lz4,
        TopicCompression::Zstd,
    ];

    /// The config value (`producer`, `uncompressed`, `gzip`, `snappy`, `lz4`, `zstd`).
    pub fn name(self) -> &'static str {
        match self {
            TopicCompression::Producer => "producer",
            TopicCompression::Uncompressed => "uncompressed",
            TopicCompression::Gzip => "gzip",
            TopicCompression::Snappy => "snappy",
            TopicCompression::Lz4 => "lz4",
            TopicCompression::Zstd => "zstd",
        }
    }

    /// Parses a topic `compression.type` value.
    pub fn from_name(name: &str) -> Option<TopicCompression> {
        TopicCompression::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The codec the stored batch must have, given the codec the producer used.
    pub fn target(self, source: Codec) -> Codec {
        match self {
            TopicCompression::Producer => source,
            TopicCompression::Uncompressed => Codec::None,
            TopicCompression::Gzip => Codec::Gzip,
            TopicCompression::Snappy => Codec::Snappy,
            TopicCompression::Lz4 => Codec::Lz4,
            TopicCompression::Zstd => Codec::Zstd,
        }
    }
}

/// Topic `message.timestamp.type` (docs/kafka-sources.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimestampType {
    #[default]
    CreateTime,
    LogAppendTime,
}

/// The topic configs that decide how a produced batch is validated and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TopicConfig {
    /// `max.message.bytes`: largest batch accepted, before and after recompression.
    pub max_message_bytes: usize,
    /// `compression.type`.
    pub compression: TopicCompression,
    /// `message.timestamp.type`.
    pub timestamp_type: TimestampType,
    /// `message.timestamp.before.max.ms` (3.6 default: unlimited).
    pub timestamp_before_max_ms: i64,
    /// `message.timestamp.after.max.ms` (3.6 default: unlimited; 4.0: one hour,
    /// docs/kafka-sources.md §9).
    pub timestamp_after_max_ms: i64,
    /// `cleanup.policy=compact`: records need a key.
    pub compacted: bool,
}

impl Default for TopicConfig {
    fn default() -> Self {
        TopicConfig {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            compression: TopicCompression::Producer,
            timestamp_type: TimestampType::CreateTime,
            timestamp_before_max_ms: i64::MAX,
            timestamp_after_max_ms: i64::MAX,
            compacted: false,
        }
    }
}

/// The leader's state at append time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendContext {
    /// The log end offset: the offset the first record gets.
    pub log_end_offset: i64,
    /// The leader epoch stamped into `partitionLeaderEpoch`.
    pub leader_epoch: i32,
    /// The broker's clock (for the timestamp window and LogAppendTime).
    pub now_ms: i64,
}

/// How the stored batch was produced from the one the producer sent (docs/kafka-sources.md §2.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendMode {
    /// Kept byte for byte; only baseOffset and partitionLeaderEpoch (outside the CRC) were patched,
    /// plus the LogAppendTime bit and maxTimestamp (CRC recomputed) on a LogAppendTime topic.
    InPlace,
    /// Decompressed and rebuilt with the target codec (new CRC); producer id, epoch, sequence
    /// and the transactional flag carried over.
    Rebuilt,
}

/// What the broker did with a produced batch, for the simulation and the UI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// The batch as the leader stores it (what goes into the `.log` segment).
    pub bytes: Vec<u8>,
    pub mode: AppendMode,
    /// Why the batch was rebuilt (empty for in-place).
    pub reason: &'static str,
    pub source_codec: Codec,
    pub stored_codec: Codec,
    pub size_before_bytes: usize,
    pub size_after_bytes: usize,
    pub base_offset: i64,
    pub last_offset: i64,
    pub records_count: i32,
    /// The batch's maxTimestamp as stored (the broker clock on a LogAppendTime topic).
    pub max_timestamp: i64,
}

/// Checks one record timestamp against the CreateTime window
/// `[now − before_max_ms, now + after_max_ms]` (docs/kafka-sources.md §1.8 step 6)
/// → `INVALID_TIMESTAMP`.
/// A record with [`NO_TIMESTAMP`] is exempt, as in LogValidator.
pub fn check_timestamp(
    timestamp_ms: i64,
    now_ms: i64,
    before_max_ms: i64,
    after_max_ms: i64,
) -> Result<(), WireError> {
    if timestamp_ms == NO_TIMESTAMP {
        return Ok(());
    }
    let too_old = now_ms.saturating_sub(timestamp_ms) > before_max_ms;
    let too_new = timestamp_ms.saturating_sub(now_ms) > after_max_ms;
    if too_old || too_new {
        return Err(WireError::InvalidTimestamp {
            timestamp_ms,
            now_ms,
            reason: if too_old {
                "older than message.timestamp.before.max.ms allows"
            } else {
                "further in the future than message.timestamp.after.max.ms allows"
            },
        });
    }
    Ok(())
}

/// Checks a decoded batch's timestamps as LogValidator `validateTimestamp` does: on a CreateTime
/// topic every record must lie in the window; a client batch that claims LogAppendTime is
/// rejected otherwise. Both → `INVALID_TIMESTAMP` (docs/kafka-sources.md §1.2, §1.8).
pub fn validate_timestamps(
    batch: &DecodedBatch,
    topic: &TopicConfig,
    now_ms: i64,
) -> Result<(), WireError> {
    let claims_log_append_time = batch.header.attributes & ATTR_LOG_APPEND_TIME != 0;
    for r in &batch.records {
        let timestamp_ms = batch.header.base_timestamp.wrapping_add(r.timestamp_delta);
        if topic.timestamp_type == TimestampType::CreateTime && timestamp_ms != NO_TIMESTAMP {
            check_timestamp(
                timestamp_ms,
                now_ms,
                topic.timestamp_before_max_ms,
                topic.timestamp_after_max_ms,
            )?;
        } else if claims_log_append_time {
            return Err(WireError::InvalidTimestamp {
                timestamp_ms,
                now_ms,
                reason: "clients may not send LogAppendTime batches",
            });
        }
    }
    Ok(())
}

/// The header-level checks of docs/kafka-sources.md §1.8 for one batch from a client: baseOffset 0,
/// size vs `max.message.bytes`, CRC, lastOffsetDelta vs count, no control bit, a sequence when
/// idempotent.
pub fn validate_header(
    batch: &[u8],
    header: &BatchHeader,
    max_message_bytes: usize,
) -> Result<(), WireError> {
    if header.magic != 2 {
        return Err(WireError::UnsupportedMagic(header.magic));
    }
    if header.base_offset != 0 {
        return Err(WireError::InvalidRecord(format!(
            "baseOffset {} from a client must be 0",
            header.base_offset
        )));
    }
    if header.size_bytes() > max_message_bytes {
        return Err(WireError::MessageTooLarge {
            size_bytes: header.size_bytes(),
            max_bytes: max_message_bytes,
        });
    }
    if let Some(covered) = batch.get(crate::batch::CRC_START..header.size_bytes()) {
        let actual_crc = crc32c::crc32c(covered);
        if actual_crc != header.crc {
            return Err(WireError::CorruptMessage {
                expected_crc: header.crc,
                actual_crc,
            });
        }
    }
    let count = header.last_offset_delta as i64 + 1;
    if count <= 0 || count != header.records_count as i64 {
        return Err(WireError::InvalidRecord(format!(
            "lastOffsetDelta {} does not match recordsCount {}",
            header.last_offset_delta, header.records_count
        )));
    }
    if header.attributes & ATTR_CONTROL != 0 {
        return Err(WireError::InvalidRecord(
            "clients are not allowed to write control records".into(),
        ));
    }
    if header.producer_id >= 0 && header.base_sequence < 0 {
        return Err(WireError::InvalidRecord(format!(
            "idempotent batch of producer {} has baseSequence {}",
            header.producer_id, header.base_sequence
        )));
    }
    Ok(())
}

/// Validates the `records` field a client sent for one partition and returns the batch as the
/// leader stores it (docs/kafka-sources.md §1.8, §2.3). The field must hold exactly one v2 batch.
pub fn append(
    records_field: &[u8],
    topic: &TopicConfig,
    ctx: &AppendContext,
    limits: &DecodeLimits,
) -> Result<AppendOutcome, WireError> {
    // Steps 1–3 for every batch in the field (UnifiedLog analyzeAndValidateRecords), then 4.
    let mut pos = 0;
    let mut batches = 0;
    while pos < records_field.len() {
        let rest = &records_field[pos..];
        let header = decode_header(rest)?;
        if header.batch_length < (crate::batch::HEADER_SIZE_BYTES - LOG_OVERHEAD_BYTES) as i32 {
            return Err(WireError::InvalidRecord(format!(
                "batchLength {} is smaller than the header",
                header.batch_length
            )));
        }
        if header.size_bytes() > rest.len() {
            return Err(WireError::Truncated {
                needed_bytes: header.size_bytes(),
                available_bytes: rest.len(),
                field: "batch",
            });
        }
        validate_header(rest, &header, topic.max_message_bytes)?;
        pos += header.size_bytes();
        batches += 1;
    }
    if batches != 1 {
        return Err(WireError::InvalidRecord(format!(
            "a partition's records must hold exactly one batch, found {batches}"
        )));
    }
    let (decoded, size_before_bytes) = decode_batch(records_field, limits)?;
    validate_timestamps(&decoded, topic, ctx.now_ms)?;
    if topic.compacted && decoded.records.iter().any(|r| r.key.is_none()) {
        return Err(WireError::InvalidRecord(
            "compacted topic: every record needs a key".into(),
        ));
    }
    let header = &decoded.header;
    let source_codec = header.codec()?;
    let stored_codec = topic.compression.target(source_codec);
    let deltas_contiguous = decoded
        .records
        .iter()
        .enumerate()
        .all(|(i, r)| r.offset_delta == i as i32);
    let log_append_time = topic.timestamp_type == TimestampType::LogAppendTime;

    let (mut bytes, mode, reason) =
        if source_codec == stored_codec && (source_codec == Codec::None || deltas_contiguous) {
            (
                records_field[..size_before_bytes].to_vec(),
                AppendMode::InPlace,
                "",
            )
        } else {
            let reason = if source_codec != stored_codec {
                "topic compression.type differs from the producer's codec"
            } else {
                "inner offset deltas are not 0..n-1"
            };
            let records: Vec<Record> = decoded
                .records
                .iter()
                .map(|r| Record {
                    timestamp_ms: header.base_timestamp.wrapping_add(r.timestamp_delta),
                    key: r.key.clone(),
                    value: r.value.clone(),
                    headers: r.headers.clone(),
                })
                .collect();
            let spec = BatchSpec {
                producer_id: header.producer_id,
                producer_epoch: header.producer_epoch,
                base_sequence: header.base_sequence,
                partition_leader_epoch: ctx.leader_epoch,
                transactional: header.attributes & ATTR_TRANSACTIONAL != 0,
                // The broker is Java: xerial snappy, default levels, always the target codec.
                compression: Compression {
                    codec: stored_codec,
                    level: None,
                    snappy_framing: SnappyFraming::Xerial,
                    skip_if_larger: false,
                },
            };
            (
                encode_batch(&spec, &records)?.bytes,
                AppendMode::Rebuilt,
                reason,
            )
        };
    bytes[0..8].copy_from_slice(&ctx.log_end_offset.to_be_bytes());
    bytes[12..16].copy_from_slice(&ctx.leader_epoch.to_be_bytes());
    if log_append_time {
        let attributes = i16::from_be_bytes([bytes[21], bytes[22]]) | ATTR_LOG_APPEND_TIME;
        bytes[21..23].copy_from_slice(&attributes.to_be_bytes());
        bytes[35..43].copy_from_slice(&ctx.now_ms.to_be_bytes());
        write_crc(&mut bytes);
    }
    if bytes.len() > topic.max_message_bytes {
        return Err(WireError::MessageTooLarge {
            size_bytes: bytes.len(),
            max_bytes: topic.max_message_bytes,
        });
    }
    let stored = decode_header(&bytes)?;
    Ok(AppendOutcome {
        size_after_bytes: bytes.len(),
        bytes,
        mode,
        reason,
        source_codec,
        stored_codec,
        size_before_bytes,
        base_offset: stored.base_offset,
        last_offset: stored.last_offset(),
        records_count: stored.records_count,
        max_timestamp: stored.max_timestamp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{decode_batch, encode_batch};
    use crate::record::RecordHeader;

    fn records(n: i64) -> Vec<Record> {
        (0..n)
            .map(|i| Record {
                timestamp_ms: 1_700_000_000_000 + i,
                key: Some(format!("k{i}").into_bytes()),
                value: Some(b"payload payload payload payload".to_vec()),
                headers: vec![RecordHeader {
                    key: "h".into(),
                    value: Some(b"x".to_vec()),
                }],
            })
            .collect()
    }

    fn batch(codec: Codec, pid: i64, seq: i32) -> Vec<u8> {
        let spec = BatchSpec {
            producer_id: pid,
            producer_epoch: if pid >= 0 { 0 } else { -1 },
            base_sequence: seq,
            compression: Compression {
                codec,
                ..Compression::default()
            },
            ..BatchSpec::default()
        };
        encode_batch(&spec, &records(10)).unwrap().bytes
    }

    const CTX: AppendContext = AppendContext {
        log_end_offset: 42,
        leader_epoch: 3,
        now_ms: 1_700_000_000_500,
    };

    #[test]
    fn matching_codec_is_stored_in_place_with_only_offset_and_epoch_patched() {
        for codec in Codec::ALL {
            let sent = batch(codec, 7, 0);
            let out = append(
                &sent,
                &TopicConfig::default(),
                &CTX,
                &DecodeLimits::default(),
            )
            .unwrap();
            assert_eq!(out.mode, AppendMode::InPlace);
            assert_eq!((out.base_offset, out.last_offset), (42, 51));
            assert_eq!(
                &out.bytes[16..],
                &sent[16..],
                "{codec:?}: bytes after the epoch must be untouched"
            );
            assert_eq!(&out.bytes[12..16], &3i32.to_be_bytes());
            decode_batch(&out.bytes, &DecodeLimits::default()).unwrap(); // CRC still valid
        }
    }

    #[test]
    fn topic_codec_forces_a_rebuild_that_keeps_the_producer_state() {
        let sent = batch(Codec::Lz4, 7, 100);
        let topic = TopicConfig {
            compression: TopicCompression::Zstd,
            ..TopicConfig::default()
        };
        let out = append(&sent, &topic, &CTX, &DecodeLimits::default()).unwrap();
        assert_eq!(out.mode, AppendMode::Rebuilt);
        assert_eq!(
            (out.source_codec, out.stored_codec),
            (Codec::Lz4, Codec::Zstd)
        );
        let (stored, _) = decode_batch(&out.bytes, &DecodeLimits::default()).unwrap();
        assert_eq!(stored.header.codec().unwrap(), Codec::Zstd);
        assert_eq!(
            (
                stored.header.producer_id,
                stored.header.producer_epoch,
                stored.header.base_sequence
            ),
            (7, 0, 100)
        );
        assert_eq!(stored.header.base_offset, 42);
        assert_eq!(stored.records[9].key.as_deref(), Some(&b"k9"[..]));
        let topic = TopicConfig {
            compression: TopicCompression::Uncompressed,
            ..TopicConfig::default()
        };
        let out = append(&sent, &topic, &CTX, &DecodeLimits::default()).unwrap();
        assert_eq!(out.stored_codec, Codec::None);
        assert!(out.size_after_bytes > out.size_before_bytes);
    }

    #[test]
    fn compressed_batch_with_gapped_inner_offsets_is_rebuilt_not_rejected() {
        // docs/kafka-sources.md §1.8 step 5: the broker silently rebuilds instead of failing.
        let recs = records(3);
        let mut raw = Vec::new();
        for (i, r) in recs.iter().enumerate() {
            crate::record::write_record(&mut raw, r, 0, (i * 2) as i32);
        }
        let gzip = Compression {
            codec: Codec::Gzip,
            ..Compression::default()
        };
        let payload = crate::codec::compress(&raw, &gzip).unwrap();
        let spec = BatchSpec {
            compression: gzip,
            ..BatchSpec::default()
        };
        let mut sent = encode_batch(&spec, &recs).unwrap().bytes;
        sent.truncate(crate::batch::HEADER_SIZE_BYTES);
        sent.extend_from_slice(&payload);
        let batch_length = (sent.len() - LOG_OVERHEAD_BYTES) as i32;
        sent[8..12].copy_from_slice(&batch_length.to_be_bytes());
        write_crc(&mut sent);
        let out = append(
            &sent,
            &TopicConfig::default(),
            &CTX,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(out.mode, AppendMode::Rebuilt);
        assert_eq!(out.reason, "inner offset deltas are not 0..n-1");
        let (stored, _) = decode_batch(&out.bytes, &DecodeLimits::default()).unwrap();
        let deltas: Vec<i32> = stored.records.iter().map(|r| r.offset_delta).collect();
        assert_eq!(deltas, vec![0, 1, 2]);
        assert_eq!(stored.header.codec().unwrap(), Codec::Gzip);
    }

    #[test]
    fn log_append_time_sets_bit_3_and_the_broker_clock_with_a_fresh_crc() {
        let topic = TopicConfig {
            timestamp_type: TimestampType::LogAppendTime,
            ..TopicConfig::default()
        };
        let out = append(
            &batch(Codec::Gzip, -1, -1),
            &topic,
            &CTX,
            &DecodeLimits::default(),
        )
        .unwrap();
        assert_eq!(out.mode, AppendMode::InPlace);
        let (stored, _) = decode_batch(&out.bytes, &DecodeLimits::default()).unwrap();
        assert_eq!(stored.header.attributes, 0x09);
        assert_eq!(stored.header.max_timestamp, CTX.now_ms);
    }

    #[test]
    fn invalid_batches_get_kafkas_error_names() {
        let limits = DecodeLimits::default();
        let topic = TopicConfig::default();
        let name = |bytes: &[u8], topic: &TopicConfig| {
            append(bytes, topic, &CTX, &limits)
                .unwrap_err()
                .kafka_name()
        };
        let good = batch(Codec::None, -1, -1);
        let mut offset = good.clone();
        offset[7] = 1;
        assert_eq!(name(&offset, &topic), "INVALID_RECORD");
        let small = TopicConfig {
            max_message_bytes: 100,
            ..topic
        };
        assert_eq!(name(&good, &small), "MESSAGE_TOO_LARGE");
        let mut crc = good.clone();
        crc[70] ^= 0x40;
        assert_eq!(name(&crc, &topic), "CORRUPT_MESSAGE");
        let mut two = good.clone();
        two.extend_from_slice(&good);
        assert_eq!(name(&two, &topic), "INVALID_RECORD");
        let mut delta = good.clone();
        delta[26] = 5;
        write_crc(&mut delta);
        assert_eq!(name(&delta, &topic), "INVALID_RECORD");
        let mut control = good.clone();
        control[22] |= 0x20;
        write_crc(&mut control);
        assert_eq!(name(&control, &topic), "INVALID_RECORD");
        assert_eq!(name(&batch(Codec::None, 5, -1), &topic), "INVALID_RECORD");
        let strict = TopicConfig {
            timestamp_after_max_ms: 100,
            timestamp_before_max_ms: 100,
            ..topic
        };
        let err = append(&good, &strict, &CTX, &limits).unwrap_err();
        assert_eq!(
            (err.kafka_name(), err.kafka_code()),
            ("INVALID_TIMESTAMP", 32)
        );
        let mut lat = good.clone();
        lat[22] |= 0x08;
        write_crc(&mut lat);
        let lat_topic = TopicConfig {
            timestamp_type: TimestampType::LogAppendTime,
            ..topic
        };
        assert_eq!(name(&lat, &lat_topic), "INVALID_TIMESTAMP");
        let compact = TopicConfig {
            compacted: true,
            ..topic
        };
        let mut recs = records(1);
        recs[0].key = None;
        let nokey = encode_batch(&BatchSpec::default(), &recs).unwrap().bytes;
        assert_eq!(name(&nokey, &compact), "INVALID_RECORD");
        assert!(append(&good, &compact, &CTX, &limits).is_ok());
    }

    #[test]
    fn timestamp_window_bounds_are_inclusive() {
        assert!(check_timestamp(900, 1000, 100, 50).is_ok());
        assert!(check_timestamp(1050, 1000, 100, 50).is_ok());
        assert!(check_timestamp(899, 1000, 100, 50).is_err());
        assert!(check_timestamp(1051, 1000, 100, 50).is_err());
        assert!(check_timestamp(NO_TIMESTAMP, 1000, 0, 0).is_ok());
        assert!(check_timestamp(i64::MIN + 1, i64::MAX, i64::MAX, i64::MAX).is_ok());
    }
}
