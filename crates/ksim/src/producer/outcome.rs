//! What happens to a batch after it was sent: responses (read in request order per connection),
//! local failures (timeouts, connection resets), retries with backoff, Java's split after
//! MESSAGE_TOO_LARGE, idempotent epoch bumps, expiry after `message.timeout.ms`, and delivery
//! reports.

use super::{text, AwaitingMsg, Msg, PBatch, Producer};
use crate::error::{ErrorAction, ErrorCode};
use crate::log::LogEvent;
use crate::node::{Ctx, Output};
use crate::proto::{DeliveryReport, ProduceResponse, TimestampKind, Tp};

/// Where a delivery report says the message went.
pub(crate) struct ReportTarget {
    pub topic: String,
    pub partition: u32,
}

/// How a message ended, for its delivery report.
pub(super) enum Outcome {
    /// Written at `offset` (`None` for acks=0), at the broker's `append_time_ms` on a
    /// `LogAppendTime` topic.
    Written {
        offset: Option<i64>,
        append_time_ms: Option<i64>,
    },
    Failed(ErrorCode),
}
use kwire::batch::HEADER_SIZE_BYTES;
use kwire::Record;

impl Producer {
    /// A ProduceResponse arrived. Responses on one connection are read in request order (Kafka
    /// answers a connection's requests in order, and TCP delivers them in order): a response that
    /// overtook an older, unanswered request waits until that request is answered or fails.
    pub fn handle_response(&mut self, cx: &Ctx, broker: u32, resp: ProduceResponse) {
        if !self.inflight.contains_key(&resp.req_id) {
            return;
        }
        let older_pending = self
            .inflight
            .range(..resp.req_id)
            .any(|(_, i)| i.broker == broker);
        if older_pending {
            self.held.insert(resp.req_id, resp);
            return;
        }
        self.process_response(cx, broker, resp);
        // Responses that were waiting behind it, in order.
        loop {
            let next = self
                .inflight
                .iter()
                .find(|(_, i)| i.broker == broker)
                .map(|(id, _)| *id);
            match next.and_then(|id| self.held.remove(&id)) {
                Some(r) => self.process_response(cx, broker, r),
                None => break,
            }
        }
        self.serve(cx);
    }
    pub(super) fn process_response(&mut self, cx: &Ctx, broker: u32, resp: ProduceResponse) {
        let Some(inf) = self.take_inflight(resp.req_id) else {
            return;
        };
        let results: Vec<crate::log::PartitionResult> = resp
            .results
            .iter()
            .map(|r| crate::log::PartitionResult {
                topic: cx.topic_name(r.tp),
                partition: r.tp.partition,
                error: r.result.err(),
                base_offset: r.result.ok(),
            })
            .collect();
        self.log(LogEvent::ResponseReceived {
            req_id: resp.req_id,
            broker,
            results,
        });
        for b in inf.batches {
            let r = resp.results.iter().find(|x| x.tp == b.tp);
            match r.map_or(Err(ErrorCode::UnknownServerError), |x| x.result) {
                Ok(base) => {
                    let append_time = r.and_then(|x| x.log_append_time_ms);
                    self.complete_batch(cx, b, Some(base), append_time)
                }
                Err(e) => self.batch_error(cx, b, e),
            }
        }
    }
    /// A request failed locally: `_TIMED_OUT` (no response within the socket timeout) or
    /// `_TRANSPORT` (connection reset). A timeout tears the connection down (librdkafka
    /// disconnects), so every other request in flight on it fails with `_TRANSPORT` too, and
    /// responses held behind the timed-out one are lost with the connection.
    pub fn request_failed(&mut self, cx: &Ctx, req_id: u64, err: ErrorCode) {
        let Some(broker) = self.inflight.get(&req_id).map(|i| i.broker) else {
            return;
        };
        self.fail_request(cx, req_id, err);
        // socket.max.fails = 1: one timed-out request tears the connection down.
        self.connection_lost(cx, broker, "request timed out");
        self.request_metadata(cx);
        self.serve(cx);
    }
    pub(super) fn fail_request(&mut self, cx: &Ctx, req_id: u64, err: ErrorCode) {
        self.held.remove(&req_id);
        let Some(inf) = self.take_inflight(req_id) else {
            return;
        };
        if err == ErrorCode::TimedOut {
            self.log(LogEvent::RequestTimedOut {
                req_id,
                broker: inf.broker,
            });
        } else {
            self.log(LogEvent::ConnectionReset {
                req_id,
                broker: inf.broker,
            });
        }
        for b in inf.batches {
            self.batch_error(cx, b, err);
        }
    }
    /// Fails in-flight requests to a crashed broker with `_TRANSPORT` (connection reset).
    pub fn requests_to(&self, broker: u32) -> Vec<u64> {
        self.inflight
            .iter()
            .filter(|(_, i)| i.broker == broker)
            .map(|(id, _)| *id)
            .collect()
    }
    /// Java: a multi-record batch rejected with MESSAGE_TOO_LARGE is split into batches of at
    /// most `batch.size` (`Sender.completeBatch` → `RecordAccumulator.splitAndReenqueue` →
    /// `ProducerBatch.split(batchSize)`), which go back to the front of the partition without
    /// counting a retry and keep the big batch's sequence numbers (docs/kafka-sources.md §4.1).
    /// A batch that already fits `batch.size` but not the topic's `max.message.bytes` comes back
    /// unchanged and is sent again and again until `delivery.timeout.ms` expires it
    /// (KAFKA-8350, still open in the Kafka sources through trunk of October 2024).
    pub(super) fn split_batch(&mut self, cx: &Ctx, b: PBatch) {
        let cap = self.settings.batch_size_bytes;
        let idem = self.settings.enable_idempotence;
        let PBatch { msgs, records, .. } = b.clone();
        let mut parts: Vec<PBatch> = Vec::new();
        let mut size = HEADER_SIZE_BYTES;
        let mut seq = b.base_sequence;
        for (m, r) in msgs.into_iter().zip(records) {
            let fits = parts.last().is_some_and(|_| size + m.size_bytes <= cap);
            if !fits {
                if let Some(last) = parts.last() {
                    if idem {
                        seq = seq.wrapping_add(last.msgs.len() as i32);
                    }
                }
                parts.push(PBatch {
                    msgs: Vec::new(),
                    records: Vec::new(),
                    base_sequence: seq,
                    ..b.clone()
                });
                size = HEADER_SIZE_BYTES;
            }
            size += m.size_bytes;
            if let Some(last) = parts.last_mut() {
                last.msgs.push(m);
                last.records.push(r);
            }
        }
        for part in parts.iter_mut() {
            let base = part.base_sequence;
            self.reencode(part, base);
            part.next_try_us = cx.now_us;
            part.possibly_persisted = None;
        }
        for part in &parts {
            self.log(LogEvent::RetryScheduled {
                topic: cx.topic_name(part.tp),
                partition: part.tp.partition,
                records: part.msgs.len() as u32,
                error: ErrorCode::MessageTooLarge,
                attempt: part.attempts + 1,
                backoff_ms: 0.0,
            });
        }
        let pq = self.parts.entry(b.tp).or_default();
        if idem {
            pq.draining = true;
        }
        for part in parts.into_iter().rev() {
            pq.retry.push_front(part);
        }
    }
    pub(super) fn batch_error(&mut self, cx: &Ctx, mut b: PBatch, e: ErrorCode) {
        if e == ErrorCode::MessageTooLarge
            && self.client.splits_too_large_batches()
            && b.msgs.len() > 1
        {
            self.split_batch(cx, b);
            return;
        }
        let idem = self.settings.enable_idempotence;
        let timeout_us = self.settings.message_timeout_ms * 1000;
        let expired = timeout_us > 0
            && b.msgs
                .first()
                .is_some_and(|m| cx.now_us >= m.enqueued_us + timeout_us);
        let mut count_retry = true;
        // After a fatal error nothing is retried.
        let retry = if expired || self.fatal.is_some() {
            false
        } else if idem && e == ErrorCode::OutOfOrderSequenceNumber {
            // librdkafka `rd_kafka_handle_idempotent_Produce_error` compares the batch with the
            // next sequence it expects an ack for (docs/kafka-sources.md §5.3):
            let next_ack = self.parts.get(&b.tp).map_or(0, |p| p.next_ack_seq);
            if b.producer_epoch != self.producer_epoch || b.base_sequence > next_ack {
                // A later batch: an earlier one failed, so this one skipped sequence numbers.
                // Not at risk of duplication: drain, bump the epoch, renumber and resend,
                // without counting a retry (`rd_kafka_idemp_drain_epoch_bump`).
                count_retry = false;
                self.need_bump = true;
                true
            } else {
                // The head-of-line batch: producer and broker disagree about the sequence
                // (e.g. an unclean election lost acknowledged batches). Fatal.
                let reason = format!(
                    "ProduceRequest for {}-{} with {} message(s) failed due to sequence desynchronization with the broker (base seq {}, next expected ack {next_ack})",
                    cx.topic_name(b.tp),
                    b.tp.partition,
                    b.msgs.len(),
                    b.base_sequence
                );
                self.fail_batch(cx, b, e);
                self.set_fatal(cx, e, reason);
                return;
            }
        } else {
            match e.action() {
                ErrorAction::Permanent => false,
                ErrorAction::RefreshRetry => {
                    count_retry = false;
                    self.request_metadata(cx);
                    true
                }
                ErrorAction::Retry | ErrorAction::RetryPossiblyPersisted => {
                    b.retries_used < self.settings.retries
                }
            }
        };
        if !retry {
            // A request-level timeout is reported as the message timing out
            // (`rd_kafka_handle_Produce_error`: _TIMED_OUT → _MSG_TIMED_OUT).
            let err = if expired || e == ErrorCode::TimedOut {
                ErrorCode::MsgTimedOut
            } else {
                e
            };
            if idem && b.base_sequence >= 0 && self.fatal.is_none() {
                self.need_bump = true;
            }
            self.fail_batch(cx, b, err);
            return;
        }
        if count_retry {
            b.retries_used += 1;
        }
        if e.action() == ErrorAction::RetryPossiblyPersisted {
            b.possibly_persisted = Some(e);
        }
        let backoff = self.backoff_us(b.retries_used.max(1));
        b.next_try_us = cx.now_us + backoff;
        self.stats.retries += 1;
        self.log(LogEvent::RetryScheduled {
            topic: cx.topic_name(b.tp),
            partition: b.tp.partition,
            records: b.msgs.len() as u32,
            error: e,
            attempt: b.attempts + 1,
            backoff_ms: backoff as f64 / 1000.0,
        });
        let pq = self.parts.entry(b.tp).or_default();
        if idem {
            pq.draining = true;
            let pos = pq
                .retry
                .iter()
                .position(|x| x.base_sequence > b.base_sequence)
                .unwrap_or(pq.retry.len());
            pq.retry.insert(pos, b);
        } else {
            pq.retry.push_back(b);
        }
    }
    /// Restart sequences with a new epoch once nothing is in flight (docs/kafka-sources.md §5.3).
    /// A fatal error (`rd_kafka_idemp_set_fatal_error` → `rd_kafka_set_fatal_error`): it is
    /// logged with its cause, every queued message (not in flight) is purged with
    /// `_PURGE_QUEUE`, nothing more is sent, and every later `produce()` raises `_FATAL`. An
    /// application recovers only by creating a new producer (Reset in the playground).
    pub(super) fn set_fatal(&mut self, cx: &Ctx, cause: ErrorCode, reason: String) {
        if self.fatal.is_some() {
            return;
        }
        let text = format!("{}: {reason}", cause.rdkafka_name());
        self.fatal = Some(text);
        self.need_bump = false;
        self.log(LogEvent::FatalError {
            error: cause,
            reason,
        });
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            let Some(pq) = self.parts.get_mut(&tp) else {
                continue;
            };
            let queued: Vec<Msg> = pq.queue.drain(..).collect();
            pq.queue_bytes = 0;
            let retries: Vec<PBatch> = pq.retry.drain(..).collect();
            for m in queued {
                self.client.expired(tp, m.size_bytes);
                let record = m.record.clone();
                self.report(cx, tp, &m, &record, Outcome::Failed(ErrorCode::PurgeQueue));
            }
            for b in retries {
                self.fail_batch(cx, b, ErrorCode::PurgeQueue);
            }
        }
    }

    pub(super) fn bump_epoch(&mut self, cx: &Ctx) {
        self.need_bump = false;
        self.producer_epoch = self.producer_epoch.wrapping_add(1);
        self.log(LogEvent::EpochBumped {
            producer_id: self.producer_id,
            producer_epoch: self.producer_epoch,
        });
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            let Some(mut pq) = self.parts.remove(&tp) else {
                continue;
            };
            // A batch that may already be in the log cannot be resent under the new epoch without
            // risking a duplicate: it fails with the error that left its fate unknown.
            let (unsure, keep): (Vec<PBatch>, Vec<PBatch>) = pq
                .retry
                .drain(..)
                .partition(|b| b.possibly_persisted.is_some());
            pq.retry = keep.into();
            for b in unsure {
                let e = b.possibly_persisted.unwrap_or(ErrorCode::TimedOut);
                self.fail_batch(cx, b, e);
            }
            let mut seq = 0i32;
            for b in pq.retry.iter_mut() {
                self.reencode(b, seq);
                seq = seq.wrapping_add(b.msgs.len() as i32);
            }
            pq.next_seq = seq;
            pq.next_ack_seq = 0;
            pq.draining = false;
            self.parts.insert(tp, pq);
        }
    }
    pub(super) fn expire(&mut self, cx: &Ctx) {
        let timeout_us = self.settings.message_timeout_ms * 1000;
        if timeout_us == 0 {
            return;
        }
        let now = cx.now_us;
        let (expired, waiting): (Vec<AwaitingMsg>, Vec<AwaitingMsg>) =
            std::mem::take(&mut self.awaiting)
                .into_iter()
                .partition(|a| now >= a.msg.enqueued_us + timeout_us);
        self.awaiting = waiting;
        for a in expired {
            self.fail_awaiting(cx, a, ErrorCode::MsgTimedOut);
        }
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            while let Some(pq) = self.parts.get_mut(&tp) {
                match pq.queue.front() {
                    Some(m) if now >= m.enqueued_us + timeout_us => {}
                    _ => break,
                }
                let Some(m) = pq.queue.pop_front() else { break };
                pq.queue_bytes -= m.size_bytes;
                self.client.expired(tp, m.size_bytes);
                self.report(
                    cx,
                    tp,
                    &m,
                    &m.record,
                    Outcome::Failed(ErrorCode::MsgTimedOut),
                );
            }
            while let Some(pq) = self.parts.get_mut(&tp) {
                match pq.retry.front().and_then(|b| b.msgs.first()) {
                    Some(m) if now >= m.enqueued_us + timeout_us => {}
                    _ => break,
                }
                let Some(b) = pq.retry.pop_front() else { break };
                if self.settings.enable_idempotence {
                    self.need_bump = true;
                }
                self.fail_batch(cx, b, ErrorCode::MsgTimedOut);
            }
        }
    }
    /// Fails a message that never got a partition queue (it waited for its topic's metadata).
    pub(super) fn fail_awaiting(&mut self, cx: &Ctx, a: AwaitingMsg, e: ErrorCode) {
        self.stats.records_failed += 1;
        let target = ReportTarget {
            topic: a.topic,
            partition: a.partition.unwrap_or(0),
        };
        let record = a.msg.record.clone();
        self.report_to(cx, target, &a.msg, &record, Outcome::Failed(e));
    }
    pub(super) fn fail_batch(&mut self, cx: &Ctx, b: PBatch, e: ErrorCode) {
        self.stats.records_failed += b.msgs.len() as u64;
        self.log(LogEvent::BatchFailed {
            topic: cx.topic_name(b.tp),
            partition: b.tp.partition,
            records: b.msgs.len() as u32,
            error: e,
        });
        for (m, r) in b.msgs.iter().zip(&b.records) {
            self.report(cx, b.tp, m, r, Outcome::Failed(e));
        }
    }
    /// The batch was written (at `base`; `None` for acks=0), on a `LogAppendTime` topic at the
    /// broker's `append_time_ms`.
    pub(super) fn complete_batch(
        &mut self,
        cx: &Ctx,
        b: PBatch,
        base: Option<i64>,
        append_time_ms: Option<i64>,
    ) {
        self.stats.records_delivered += b.msgs.len() as u64;
        if b.base_sequence >= 0 && b.producer_epoch == self.producer_epoch {
            if let Some(pq) = self.parts.get_mut(&b.tp) {
                let next = b.base_sequence.wrapping_add(b.msgs.len() as i32);
                if next > pq.next_ack_seq {
                    pq.next_ack_seq = next;
                }
            }
        }
        for (i, (m, r)) in b.msgs.iter().zip(&b.records).enumerate() {
            let outcome = Outcome::Written {
                offset: base.map(|o| o + i as i64),
                append_time_ms,
            };
            self.report(cx, b.tp, m, r, outcome);
        }
    }
    pub(super) fn report(&mut self, cx: &Ctx, tp: Tp, m: &Msg, record: &Record, outcome: Outcome) {
        if !m.logged {
            // Big runs keep only the accounting, not the report objects.
            self.account_report(cx, m, &outcome);
            return;
        }
        let target = ReportTarget {
            topic: cx.topic_name(tp),
            partition: tp.partition,
        };
        self.report_to(cx, target, m, record, outcome);
    }

    /// The latency and queue accounting every report does.
    fn account_report(&mut self, cx: &Ctx, m: &Msg, outcome: &Outcome) {
        if matches!(outcome, Outcome::Written { .. }) {
            self.stats
                .latencies
                .record(cx.now_us.saturating_sub(m.enqueued_us));
            self.stats.acked.insert(m.id);
            self.stats.last_delivered_us = cx.now_us;
        }
        // Track the held bytes with the report (freed when served).
        self.ready_bytes.push_back(m.held_bytes);
        if !m.logged {
            self.after_report(cx);
        }
    }

    /// The delivery report of `m` for `target` (also for a topic the producer has no index for).
    pub(super) fn report_to(
        &mut self,
        cx: &Ctx,
        target: ReportTarget,
        m: &Msg,
        record: &Record,
        outcome: Outcome,
    ) {
        self.account_report(cx, m, &outcome);
        if !m.logged {
            return;
        }
        self.ready_logged += 1;
        let (offset, error, timestamp_ms, timestamp_type) = match outcome {
            Outcome::Written {
                offset,
                append_time_ms: Some(t),
            } => (offset, None, t, TimestampKind::LogAppendTime),
            Outcome::Written { offset, .. } => {
                (offset, None, record.timestamp_ms, TimestampKind::CreateTime)
            }
            Outcome::Failed(e) => (
                None,
                Some(e),
                record.timestamp_ms,
                TimestampKind::CreateTime,
            ),
        };
        let latency_us = cx.now_us.saturating_sub(m.enqueued_us);
        let ReportTarget { topic, partition } = target;
        self.log(LogEvent::DeliveryReport {
            msg_id: m.id,
            topic: topic.clone(),
            partition,
            offset,
            error,
            latency_us,
        });
        self.ready_reports.push_back(DeliveryReport {
            msg_id: m.id,
            error,
            error_name: error.map(|e| e.rdkafka_name().to_string()),
            error_code: error.map(|e| e.code()),
            topic,
            partition,
            offset,
            key: text(&record.key),
            value: text(&record.value),
            timestamp_ms,
            timestamp_type,
            latency_us,
            ready_us: cx.now_us,
            served_us: None,
        });
        self.after_report(cx);
    }

    pub(super) fn after_report(&mut self, cx: &Ctx) {
        if self.flush.is_some() {
            self.serve_reports(cx, "flush()");
        } else if !self.poll_waiters.is_empty() {
            self.serve_reports(cx, "poll(1)");
            for waiter in std::mem::take(&mut self.poll_waiters) {
                self.out.push(Output::Resume(waiter));
            }
        }
    }
}
