//! The send loop: expire what timed out, bump the epoch when idempotence needs it, build and send
//! ProduceRequests as each client does (librdkafka one partition per request, Java one request
//! per broker with every ready partition's head batch), and set the next wake-up.

use super::client::Client;
use super::{Inflight, PBatch, PartQ, Producer, ProducerTimer, Recovery};
use crate::log::{LogEvent, SealReason};
use crate::node::Ctx;
use crate::outcome::MsgIds;
use crate::proto::{Payload, ProducePart, ProduceRequest, Tp};
use std::collections::BTreeMap;
use std::sync::Arc;

impl Producer {
    pub(super) fn can_send_to(&self, cx: &Ctx, broker: u32) -> bool {
        let n = self.broker_inflight.get(&broker).copied().unwrap_or(0);
        self.conn_up(broker)
            && n < self.settings.max_in_flight
            && (!self.client.waits_for_socket() || self.socket_busy_until_us(broker) <= cx.now_us)
    }
    pub(super) fn part_window_open(&self, pq: &PartQ) -> bool {
        let s = &self.settings;
        if s.enable_idempotence {
            pq.inflight < 5 && !pq.draining
        } else if self.client.one_batch_in_flight_per_partition(s) {
            pq.inflight == 0
        } else {
            true
        }
    }
    /// The send loop: expire, bump epoch if needed, build and send requests, schedule the next
    /// wake-up.
    pub fn serve(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        if self.fatal.is_some() {
            return;
        }
        self.expire(cx);
        if self.need_bump && self.inflight.is_empty() {
            self.bump_epoch(cx);
        }
        if !self.need_bump {
            match self.client {
                Client::Librdkafka => self.serve_rdk(cx),
                Client::Java(_) => self.serve_java(cx),
            }
        }
        self.arm_reconnects(cx);
        // Next wake-up.
        let mut next: Option<u64> = None;
        let mut consider = |t: u64| {
            if t > now {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        let timeout_us = self.settings.message_timeout_ms * 1000;
        if timeout_us > 0 {
            for a in &self.awaiting {
                consider(a.msg.enqueued_us + timeout_us);
            }
        }
        for (tp, pq) in &self.parts {
            let leader = self.leaders.get(tp).copied().flatten();
            if let Some(m) = pq.queue.front() {
                consider(
                    self.client
                        .linger_deadline(*tp, m.enqueued_us, self.settings.linger_us),
                );
                if timeout_us > 0 {
                    consider(m.enqueued_us + timeout_us);
                }
                if let Some(l) = leader {
                    consider(self.socket_busy_until_us(l));
                }
            }
            if let Some(b) = pq.retry.front() {
                consider(b.next_try_us);
                if timeout_us > 0 {
                    if let Some(m) = b.msgs.first() {
                        consider(m.enqueued_us + timeout_us);
                    }
                }
            }
        }
        if let Some(t) = next {
            if self.wake_at.is_none_or(|cur| cur <= now || t < cur) {
                self.wake_at = Some(t);
                self.timer(t, ProducerTimer::Wake);
            }
        }
    }
    pub fn wake(&mut self, cx: &Ctx) {
        if self.wake_at.is_some_and(|t| t <= cx.now_us) {
            self.wake_at = None;
        }
        self.serve(cx);
    }
    pub(super) fn serve_rdk(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        let tps: Vec<Tp> = self.parts.keys().copied().collect();
        for tp in tps {
            let Some(leader) = self.leaders.get(&tp).copied().flatten() else {
                continue;
            };
            loop {
                if !self.can_send_to(cx, leader) {
                    break;
                }
                match self.recovery(tp, now) {
                    Recovery::Normal => {}
                    Recovery::Waiting => break,
                    Recovery::Resend(b) => {
                        self.send(cx, leader, vec![b], true);
                        break;
                    }
                }
                let Some(pq) = self.parts.get(&tp) else { break };
                // Without idempotence, retries go first, in order, beside new batches.
                if let Some(rb) = pq.retry.front() {
                    if rb.next_try_us > now {
                        break;
                    }
                    let Some(pq) = self.parts.get_mut(&tp) else {
                        break;
                    };
                    let Some(b) = pq.retry.pop_front() else { break };
                    self.send(cx, leader, vec![b], true);
                    continue;
                }
                if !self.part_window_open(pq) {
                    break;
                }
                let Some(reason) = self.queue_ready(tp, now, pq) else {
                    break;
                };
                let Some(b) = self.build_batch(cx, tp, reason) else {
                    break;
                };
                self.send(cx, leader, vec![b], false);
            }
        }
    }
    /// Idempotent recovery (docs/kafka-sources.md §5.3): after a retriable error the partition
    /// drains (waits for its in-flight requests), then resends its retry batches one at a time,
    /// in sequence order, before any new batch (Java: only the first in-flight sequence is
    /// re-drained), so a retried batch always stays inside the broker's 5-batch window. Both
    /// clients' senders follow this.
    pub(super) fn recovery(&mut self, tp: Tp, now: u64) -> Recovery {
        if !self.settings.enable_idempotence {
            return Recovery::Normal;
        }
        let Some(pq) = self.parts.get_mut(&tp) else {
            return Recovery::Waiting;
        };
        if pq.draining && pq.retry.is_empty() && pq.inflight == 0 {
            pq.draining = false;
        }
        if !pq.draining && pq.retry.is_empty() {
            return Recovery::Normal;
        }
        pq.draining = true;
        if pq.inflight == 0 && pq.retry.front().is_some_and(|b| b.next_try_us <= now) {
            if let Some(b) = pq.retry.pop_front() {
                return Recovery::Resend(b);
            }
        }
        Recovery::Waiting
    }
    pub(super) fn serve_java(&mut self, cx: &Ctx) {
        let now = cx.now_us;
        let mut by_broker: BTreeMap<u32, Vec<Tp>> = BTreeMap::new();
        for (tp, l) in &self.leaders {
            if let Some(l) = l {
                if self.parts.contains_key(tp) {
                    by_broker.entry(*l).or_default().push(*tp);
                }
            }
        }
        for (broker, tps) in by_broker {
            loop {
                if !self.can_send_to(cx, broker) {
                    break;
                }
                // Is any partition of this broker ready?
                let mut any_ready = false;
                for tp in &tps {
                    let Some(pq) = self.parts.get(tp) else {
                        continue;
                    };
                    let idem = self.settings.enable_idempotence;
                    if idem && (pq.draining || !pq.retry.is_empty()) {
                        if pq.inflight == 0
                            && pq.retry.front().is_some_and(|b| b.next_try_us <= now)
                        {
                            any_ready = true;
                        }
                    } else if let Some(rb) = pq.retry.front() {
                        if rb.next_try_us <= now {
                            any_ready = true;
                        }
                    } else if self.part_window_open(pq) && self.queue_ready(*tp, now, pq).is_some()
                    {
                        any_ready = true;
                    }
                }
                if !any_ready {
                    break;
                }
                // Drain: head batch of every partition of the broker (round robin start).
                let Some(java) = self.client.java_mut() else {
                    return;
                };
                let start = java.drain_start.get(&broker).copied().unwrap_or(0) % tps.len().max(1);
                java.drain_start.insert(broker, start + 1);
                let mut batches = Vec::new();
                let mut size = 0usize;
                let mut retry = false;
                for i in 0..tps.len() {
                    let tp = tps[(start + i) % tps.len()];
                    match self.recovery(tp, now) {
                        Recovery::Normal => {}
                        Recovery::Waiting => continue,
                        Recovery::Resend(b) => {
                            size += b.bytes.len();
                            retry = true;
                            batches.push(b);
                            continue;
                        }
                    }
                    let Some(pq) = self.parts.get(&tp) else {
                        continue;
                    };
                    if let Some(rb) = pq.retry.front() {
                        if rb.next_try_us > now {
                            continue;
                        }
                        if !batches.is_empty()
                            && size + rb.bytes.len() > self.settings.message_max_bytes
                        {
                            break;
                        }
                        let Some(pq) = self.parts.get_mut(&tp) else {
                            continue;
                        };
                        if let Some(b) = pq.retry.pop_front() {
                            size += b.bytes.len();
                            retry = true;
                            batches.push(b);
                        }
                        continue;
                    }
                    if !self.part_window_open(pq) || pq.queue.is_empty() {
                        continue;
                    }
                    let reason = self
                        .queue_ready(tp, now, pq)
                        .unwrap_or(SealReason::Piggyback);
                    let est = match &self.client {
                        Client::Java(j) => j.head(tp).map_or(0, |b| b.bytes),
                        Client::Librdkafka => 0,
                    };
                    if !batches.is_empty() && size + est > self.settings.message_max_bytes {
                        break;
                    }
                    if let Some(b) = self.build_batch(cx, tp, reason) {
                        size += b.bytes.len();
                        batches.push(b);
                    }
                }
                if batches.is_empty() {
                    break;
                }
                self.send(cx, broker, batches, retry);
            }
        }
    }
    pub(super) fn send(&mut self, cx: &Ctx, broker: u32, mut batches: Vec<PBatch>, retry: bool) {
        let req_id = self.next_req_id;
        self.next_req_id += 1;
        let acks = self.settings.acks;
        let mut parts = Vec::new();
        let mut size = 40 + self.settings.client_id.len();
        for b in batches.iter_mut() {
            b.attempts += 1;
            size += 30 + cx.topic_name(b.tp).len() + b.bytes.len();
            parts.push(ProducePart {
                tp: b.tp,
                bytes: b.bytes.clone(),
                records: b.msgs.len() as u32,
                producer_id: self.producer_id,
                producer_epoch: b.producer_epoch,
                base_sequence: b.base_sequence,
                msg_ids: MsgIds::of(b.msgs.iter().map(|m| m.id)),
            });
            self.stats.bytes_sent_batches += b.bytes.len() as u64;
        }
        let desc: Vec<(String, u32, u32, i32)> = batches
            .iter()
            .map(|b| {
                (
                    cx.topic_name(b.tp),
                    b.tp.partition,
                    b.msgs.len() as u32,
                    b.base_sequence,
                )
            })
            .collect();
        self.log(LogEvent::RequestSent {
            req_id,
            broker,
            batches: desc,
            size_bytes: size,
            retry,
        });
        self.stats.produce_requests += 1;
        self.stats.produce_request_bytes += size as u64;
        let req = ProduceRequest {
            req_id,
            acks,
            timeout_ms: self.settings.request_timeout_ms,
            parts,
        };
        let detail = format!("request #{req_id}, {} batch(es)", batches.len());
        self.transmit(cx, broker, Payload::Produce(Arc::new(req)), size, detail);
        if acks == 0 {
            // No response expected: delivered as soon as it is sent, offset unknown (docs/kafka-sources.md §4.1 item 8).
            for b in batches {
                self.complete_batch(cx, b, None, None);
            }
            return;
        }
        let now = cx.now_us;
        let mut timeout = self.settings.socket_timeout_ms * 1000;
        if self.settings.message_timeout_ms > 0 {
            let oldest = batches
                .iter()
                .filter_map(|b| b.msgs.first())
                .map(|m| m.enqueued_us)
                .min()
                .unwrap_or(now);
            let deadline = oldest + self.settings.message_timeout_ms * 1000;
            timeout = timeout.min(deadline.saturating_sub(now).max(1));
        }
        for b in &batches {
            if let Some(pq) = self.parts.get_mut(&b.tp) {
                pq.inflight += 1;
            }
        }
        *self.broker_inflight.entry(broker).or_default() += 1;
        self.inflight.insert(
            req_id,
            Inflight {
                broker,
                batches,
                sent_us: now,
            },
        );
        self.timer(now + timeout, ProducerTimer::RequestTimeout { req_id });
    }
    pub(super) fn take_inflight(&mut self, req_id: u64) -> Option<Inflight> {
        let inf = self.inflight.remove(&req_id)?;
        if let Some(n) = self.broker_inflight.get_mut(&inf.broker) {
            *n = n.saturating_sub(1);
        }
        for b in &inf.batches {
            if let Some(pq) = self.parts.get_mut(&b.tp) {
                pq.inflight = pq.inflight.saturating_sub(1);
            }
        }
        Some(inf)
    }
}
