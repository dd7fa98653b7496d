//! Links between nodes (node 0 = producer, 1..=N = brokers): one-way latency, optional bandwidth
//! (a link sends one message at a time, so a big uncompressed batch holds the link longer), extra
//! delay, isolation and loss rules. Message sizes are the real encoded sizes.
//!
//! SIMPLIFICATIONS: a link is a FIFO pipe per direction without TCP windows; a dropped message is
//! simply never delivered (the sender notices through its own timeout, except that a crashed
//! broker resets the producer's connections — see `Fault::Crash`).

use crate::rng::Rng;
use crate::scenario::{ClusterSpec, LinkSpec};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, VecDeque};

/// The producer's node id.
pub const PRODUCER: u32 = 0;

#[derive(Debug, Clone)]
pub(crate) struct LinkState {
    pub latency_us: u64,
    pub bandwidth_bytes_per_ms: Option<u64>,
    pub extra_delay_us: u64,
    pub busy_until_us: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct LossRule {
    pub probability: f64,
    pub from: Option<u32>,
    pub to: Option<u32>,
}

/// A message on the wire, as the UI sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireMessage {
    pub id: u64,
    pub from: u32,
    pub to: u32,
    /// `Produce`, `ProduceResponse`, `Fetch`, `FetchResponse`, `Metadata`, `MetadataResponse`.
    pub kind: String,
    pub size_bytes: usize,
    pub sent_us: u64,
    pub arrival_us: u64,
    /// Set when the network decided to lose it (it will never arrive).
    pub dropped: bool,
    pub detail: String,
    /// The ProduceRequest this message is or answers (`Produce`, `ProduceResponse`): the same
    /// number as the event log's `ProduceRequest #N`.
    #[serde(default)]
    pub req_id: Option<u64>,
    /// A ProduceRequest's batch codec(s) as the batches' attributes say (`none`, `lz4`, …).
    #[serde(default)]
    pub codec: Option<String>,
    /// When a dropped message was lost: its send time (lost on the way) or its arrival time
    /// (the receiver was down or cut off).
    #[serde(default)]
    pub lost_us: Option<u64>,
}

/// Delivered ProduceRequests and responses kept for the UI's sequence diagram (newest).
pub const RECENT_DELIVERED_PRODUCE: usize = 64;
/// Delivered other messages (replica Fetch traffic) kept for it (newest).
pub const RECENT_DELIVERED_OTHER: usize = 32;

#[derive(Debug, Clone)]
pub(crate) struct Network {
    default_link: LinkSpec,
    links: BTreeMap<(u32, u32), LinkState>,
    /// Isolated broker → whether the producer is cut off too.
    pub isolated: BTreeMap<u32, bool>,
    pub down: BTreeSet<u32>,
    pub loss: Vec<LossRule>,
    pub drop_next_request: BTreeMap<u32, u32>,
    pub drop_next_response: BTreeMap<u32, u32>,
    pub in_flight: BTreeMap<u64, WireMessage>,
    pub recent_dropped: VecDeque<WireMessage>,
    /// The last delivered Produce/ProduceResponse messages (at most `RECENT_DELIVERED_PRODUCE`).
    pub recent_produce: VecDeque<WireMessage>,
    /// The last delivered other messages (at most `RECENT_DELIVERED_OTHER`).
    pub recent_other: VecDeque<WireMessage>,
    next_id: u64,
    pub bytes_sent: u64,
    pub messages_sent: u64,
    pub messages_dropped: u64,
}

fn ms_us(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1000.0).round() as u64
    } else {
        0
    }
}

impl Network {
    pub fn new(spec: &ClusterSpec) -> Network {
        let mut links = BTreeMap::new();
        for o in &spec.links {
            links.insert(
                (o.from, o.to),
                LinkState {
                    latency_us: ms_us(o.latency_ms),
                    bandwidth_bytes_per_ms: o.bandwidth_bytes_per_ms,
                    extra_delay_us: 0,
                    busy_until_us: 0,
                },
            );
        }
        Network {
            default_link: spec.link.clone(),
            links,
            isolated: BTreeMap::new(),
            down: BTreeSet::new(),
            loss: Vec::new(),
            drop_next_request: BTreeMap::new(),
            drop_next_response: BTreeMap::new(),
            in_flight: BTreeMap::new(),
            recent_dropped: VecDeque::new(),
            recent_produce: VecDeque::new(),
            recent_other: VecDeque::new(),
            next_id: 0,
            bytes_sent: 0,
            messages_sent: 0,
            messages_dropped: 0,
        }
    }

    pub fn link_mut(&mut self, from: u32, to: u32) -> &mut LinkState {
        let d = &self.default_link;
        self.links.entry((from, to)).or_insert_with(|| LinkState {
            latency_us: ms_us(d.latency_ms),
            bandwidth_bytes_per_ms: d.bandwidth_bytes_per_ms,
            extra_delay_us: 0,
            busy_until_us: 0,
        })
    }

    /// One-way latency of a link (without bandwidth).
    pub fn latency_us(&mut self, from: u32, to: u32) -> u64 {
        let l = self.link_mut(from, to);
        l.latency_us + l.extra_delay_us
    }

    /// When the link from → to is free to start sending again.
    pub fn busy_until_us(&self, from: u32, to: u32) -> u64 {
        self.links
            .get(&(from, to))
            .map(|l| l.busy_until_us)
            .unwrap_or(0)
    }

    /// Whether isolation cuts a → b.
    pub fn cut(&self, a: u32, b: u32) -> bool {
        let side = |x: u32, y: u32| match self.isolated.get(&x) {
            Some(include_producer) => y != PRODUCER || *include_producer,
            None => false,
        };
        a != b && (side(a, b) || side(b, a))
    }

    /// Whether broker `b` can reach the controller (up and not isolated).
    pub fn controller_reachable(&self, b: u32) -> bool {
        !self.down.contains(&b) && !self.isolated.contains_key(&b)
    }

    /// Registers a message and computes its arrival time; returns (id, arrival, dropped).
    #[allow(clippy::too_many_arguments)]
    pub fn transmit(
        &mut self,
        now_us: u64,
        rng: &mut Rng,
        from: u32,
        to: u32,
        kind: &str,
        size_bytes: usize,
        detail: String,
        tag: (Option<u64>, Option<String>),
        force_drop: bool,
    ) -> (u64, u64, bool) {
        let link = self.link_mut(from, to);
        let start = now_us.max(link.busy_until_us);
        let tx_us = match link.bandwidth_bytes_per_ms {
            Some(bw) if bw > 0 => (size_bytes as u64).saturating_mul(1000).div_ceil(bw),
            _ => 0,
        };
        link.busy_until_us = start + tx_us;
        let arrival = start + tx_us + link.latency_us + link.extra_delay_us;
        let mut dropped = force_drop;
        for rule in &self.loss {
            if rule.from.is_none_or(|f| f == from)
                && rule.to.is_none_or(|t| t == to)
                && rule.probability > 0.0
                && rng.next_f64() < rule.probability
            {
                dropped = true;
            }
        }
        let id = self.next_id;
        self.next_id += 1;
        self.bytes_sent += size_bytes as u64;
        self.messages_sent += 1;
        let msg = WireMessage {
            id,
            from,
            to,
            kind: kind.to_string(),
            size_bytes,
            sent_us: now_us,
            arrival_us: arrival,
            dropped,
            detail,
            req_id: tag.0,
            codec: tag.1,
            lost_us: None,
        };
        if dropped {
            self.note_dropped(msg, now_us);
        } else {
            self.in_flight.insert(id, msg);
        }
        (id, arrival, dropped)
    }

    /// Remembers a delivered message (bounded, for the view's `network_delivered`).
    pub fn note_delivered(&mut self, msg: WireMessage) {
        let (list, cap) = if msg.req_id.is_some() {
            (&mut self.recent_produce, RECENT_DELIVERED_PRODUCE)
        } else {
            (&mut self.recent_other, RECENT_DELIVERED_OTHER)
        };
        list.push_back(msg);
        while list.len() > cap {
            list.pop_front();
        }
    }

    pub fn note_dropped(&mut self, mut msg: WireMessage, now_us: u64) {
        msg.dropped = true;
        msg.lost_us = Some(now_us);
        self.messages_dropped += 1;
        self.recent_dropped.push_back(msg);
        while self.recent_dropped.len() > 50 {
            self.recent_dropped.pop_front();
        }
    }
}
