//! Cutting batches: when a partition is ready, building its next batch on real bytes (the
//! client's header rules, its codec), and re-encoding a batch under a new epoch.

use super::client::QueueState;
use super::{PBatch, PartQ, Producer};
use crate::error::ErrorCode;
use crate::log::{LogEvent, SealReason};
use crate::node::Ctx;
use crate::proto::Tp;
use kwire::batch::HEADER_SIZE_BYTES;
use kwire::{BatchSpec, Codec, Record};
use std::sync::Arc;

impl Producer {
    /// Builds the next batch of a partition from its queue (up to the count and byte limits).
    pub(super) fn build_batch(&mut self, cx: &Ctx, tp: Tp, reason: SealReason) -> Option<PBatch> {
        // Java sends its head batch as filled; librdkafka cuts by count and bytes.
        let head_records = self.client.take_head_batch(tp);
        let s = &self.settings;
        let max_count = head_records.unwrap_or(s.batch_num_messages as usize).max(1);
        let max_bytes = s.batch_size_bytes.min(s.message_max_bytes).max(1);
        let idem = s.enable_idempotence;
        let pq = self.parts.get_mut(&tp)?;
        let mut msgs = Vec::new();
        let mut bytes = HEADER_SIZE_BYTES;
        while let Some(m) = pq.queue.front() {
            if !msgs.is_empty()
                && (msgs.len() >= max_count
                    || (head_records.is_none() && bytes + m.size_bytes > max_bytes))
            {
                break;
            }
            bytes += m.size_bytes;
            pq.queue_bytes -= m.size_bytes;
            msgs.push(pq.queue.pop_front()?);
        }
        if msgs.is_empty() {
            return None;
        }
        let base_sequence = if idem { pq.next_seq } else { -1 };
        if idem {
            pq.next_seq = pq.next_seq.wrapping_add(msgs.len() as i32);
        }
        let spec = self.batch_spec(base_sequence);
        let records: Vec<Record> = msgs
            .iter_mut()
            .map(|m| std::mem::take(&mut m.record))
            .collect();
        let enc = match kwire::encode_batch(&spec, &records) {
            Ok(e) => e,
            Err(_) => {
                let b = PBatch {
                    tp,
                    msgs,
                    records,
                    bytes: Arc::from(Vec::new()),
                    codec: Codec::None,
                    base_sequence,
                    producer_epoch: self.producer_epoch,
                    retries_used: 0,
                    attempts: 0,
                    next_try_us: 0,
                    possibly_persisted: None,
                };
                self.fail_batch(cx, b, ErrorCode::InvalidRecord);
                return None;
            }
        };
        self.stats.batches += 1;
        self.stats.records_batched += msgs.len() as u64;
        self.stats.bytes_uncompressed += enc.uncompressed_records_bytes as u64;
        self.stats.bytes_batches += enc.bytes.len() as u64;
        let totals = self.stats.by_codec.entry(enc.codec.name()).or_default();
        totals.batches += 1;
        totals.records_bytes += enc.uncompressed_records_bytes as u64;
        totals.batch_bytes += enc.bytes.len() as u64;
        self.log(LogEvent::BatchSealed {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            records: msgs.len() as u32,
            reason,
            size_bytes: enc.bytes.len(),
            uncompressed_bytes: enc.uncompressed_records_bytes,
            codec: enc.codec.name().into(),
            base_sequence,
        });
        Some(PBatch {
            tp,
            msgs,
            records,
            bytes: Arc::from(enc.bytes),
            codec: enc.codec,
            base_sequence,
            producer_epoch: self.producer_epoch,
            retries_used: 0,
            attempts: 0,
            next_try_us: 0,
            possibly_persisted: None,
        })
    }
    /// The header and codec this client writes ([`Client::batch_spec`]).
    pub(super) fn batch_spec(&self, base_sequence: i32) -> BatchSpec {
        self.client.batch_spec(
            &self.settings,
            self.producer_id,
            self.producer_epoch,
            base_sequence,
        )
    }
    /// Re-encodes a batch after an epoch bump (new epoch and sequence in the header).
    pub(super) fn reencode(&self, b: &mut PBatch, base_sequence: i32) {
        let spec = self.batch_spec(base_sequence);
        if let Ok(enc) = kwire::encode_batch(&spec, &b.records) {
            b.bytes = Arc::from(enc.bytes);
            b.codec = enc.codec;
        }
        b.base_sequence = base_sequence;
        b.producer_epoch = self.producer_epoch;
    }
    /// Whether a partition's queue is ready and why ([`Client::ready`]).
    pub(super) fn queue_ready(&self, tp: Tp, now: u64, pq: &PartQ) -> Option<SealReason> {
        let q = QueueState {
            records: pq.queue.len(),
            bytes: pq.queue_bytes,
            oldest_enqueued_us: pq.queue.front().map(|m| m.enqueued_us),
        };
        self.client
            .ready(tp, now, &q, &self.settings, self.flush.is_some())
    }
}
