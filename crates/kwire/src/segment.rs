//! A partition's log as a Kafka leader stores it: a `.log` segment is the stored batches
//! concatenated, each exactly as returned by [`crate::broker::append`]
//! (docs/kafka-sources.md §1.1, §2.3).
//! There is no file header; `kafka-dump-log.sh --files 00000000000000000000.log` reads it.

use crate::batch::{decode_batches, decode_header, DecodedBatch};
use crate::error::WireError;
use crate::DecodeLimits;

/// The file name Kafka gives a segment: the base offset zero-padded to 20 digits + `.log`.
pub fn segment_file_name(base_offset: i64) -> String {
    format!("{base_offset:020}.log")
}

/// One log segment being written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogSegment {
    base_offset: i64,
    next_offset: i64,
    bytes: Vec<u8>,
}

impl LogSegment {
    /// An empty segment whose first batch will start at `base_offset`.
    pub fn new(base_offset: i64) -> LogSegment {
        LogSegment {
            base_offset,
            next_offset: base_offset,
            bytes: Vec::new(),
        }
    }

    /// Appends a stored batch. Its baseOffset must be the segment's next offset (offsets are
    /// dense within a partition) — otherwise `INVALID_RECORD`.
    pub fn append(&mut self, stored_batch: &[u8]) -> Result<(), WireError> {
        let header = decode_header(stored_batch)?;
        if header.size_bytes() != stored_batch.len() {
            return Err(WireError::InvalidRecord(format!(
                "batch declares {} bytes but {} were given",
                header.size_bytes(),
                stored_batch.len()
            )));
        }
        if header.base_offset != self.next_offset {
            return Err(WireError::InvalidRecord(format!(
                "batch starts at offset {} but the log ends at {}",
                header.base_offset, self.next_offset
            )));
        }
        self.bytes.extend_from_slice(stored_batch);
        self.next_offset = header.last_offset() + 1;
        Ok(())
    }

    pub fn base_offset(&self) -> i64 {
        self.base_offset
    }
    /// The log end offset: the offset the next record will get.
    pub fn next_offset(&self) -> i64 {
        self.next_offset
    }
    pub fn size_bytes(&self) -> usize {
        self.bytes.len()
    }
    /// The `.log` file contents.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
    /// Kafka's file name for this segment.
    pub fn file_name(&self) -> String {
        segment_file_name(self.base_offset)
    }
}

/// Reads a `.log` segment back: every batch, CRC-checked and decoded.
pub fn read_segment(bytes: &[u8], limits: &DecodeLimits) -> Result<Vec<DecodedBatch>, WireError> {
    decode_batches(bytes, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::broker::{append, AppendContext, TopicConfig};
    use crate::{encode_batch, BatchSpec, Codec, Compression, Record};

    #[test]
    fn stored_batches_concatenate_into_a_readable_segment() {
        let mut seg = LogSegment::new(0);
        let topic = TopicConfig::default();
        for (i, codec) in Codec::ALL.into_iter().enumerate() {
            let records: Vec<Record> = (0..=i as i64)
                .map(|j| Record {
                    timestamp_ms: 1000 + j,
                    value: Some(vec![b'v'; 50]),
                    ..Record::default()
                })
                .collect();
            let spec = BatchSpec {
                compression: Compression {
                    codec,
                    ..Compression::default()
                },
                ..BatchSpec::default()
            };
            let sent = encode_batch(&spec, &records).unwrap().bytes;
            let ctx = AppendContext {
                log_end_offset: seg.next_offset(),
                leader_epoch: 0,
                now_ms: 1000,
            };
            let stored = append(&sent, &topic, &ctx, &DecodeLimits::default()).unwrap();
            seg.append(&stored.bytes).unwrap();
        }
        assert_eq!(seg.next_offset(), 15);
        assert_eq!(seg.file_name(), "00000000000000000000.log");
        let batches = read_segment(seg.bytes(), &DecodeLimits::default()).unwrap();
        let firsts: Vec<i64> = batches.iter().map(|b| b.header.base_offset).collect();
        assert_eq!(firsts, vec![0, 1, 3, 6, 10]);
        assert_eq!(batches[4].header.codec().unwrap(), Codec::Zstd);
        // A batch with the wrong base offset is refused; a torn tail is an error on read.
        let first = &seg.bytes()[..batches[0].header.size_bytes()];
        assert!(seg.clone().append(first).is_err());
        assert!(read_segment(
            &seg.bytes()[..seg.size_bytes() - 1],
            &DecodeLimits::default()
        )
        .is_err());
    }
}
