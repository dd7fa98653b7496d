//! Links between nodes (node 0 = producer, 1..=N = brokers): one-way latency, optional bandwidth
//! (a link sends one message at a time, so a big uncompressed batch holds the link longer), extra
//! delay, isolation and loss rules. Message sizes are the real encoded sizes.
//!
//! Every message's fate is decided here and nowhere else, by one rule chain in the style of
//! turmoil's network rules: when a message is sent, [`Network::transmit`] applies the fault rules
//! (`drop_next_request`, `drop_next_response`, then every matching `random_loss` rule); when it
//! arrives, [`Network::fate_at_arrival`] drops it if its receiver is down, its sender crashed
//! before delivery, or isolation cuts the link. Otherwise the message is delivered after the
//! link's latency, transmission time and extra delay (`delay_link`).
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

/// What [`Network::transmit`] decided for one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transmitted {
    pub msg_id: u64,
    pub arrival_us: u64,
    /// Why the network lost it when it was sent (`"fault rule"`, `"random loss"`).
    pub lost: Option<&'static str>,
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

/// A message handed to [`Network::transmit`].
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub from: u32,
    pub to: u32,
    /// `Produce`, `ProduceResponse`, `Fetch`, …
    pub kind: &'static str,
    pub size_bytes: usize,
    pub detail: String,
    pub tag: WireTag,
}

/// What the UI labels a message with: the ProduceRequest it is or answers, and its codecs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct WireTag {
    pub req_id: Option<u64>,
    pub codec: Option<String>,
}

/// Delivered ProduceRequests and responses kept for the UI's sequence diagram (newest).
pub const RECENT_DELIVERED_PRODUCE: usize = 64;
/// Delivered other messages (replica Fetch traffic) kept for it (newest).
pub const RECENT_DELIVERED_OTHER: usize = 32;
/// Delivered Schema Registry calls kept for it (newest): a serializer calls once per schema,
/// so without their own list the fetches would push them out within milliseconds.
pub const RECENT_DELIVERED_REGISTRY: usize = 8;

#[derive(Debug, Clone)]
pub(crate) struct Network {
    /// The network's own random stream (loss rules), see [`Rng::stream`].
    rng: Rng,
    default_link: LinkSpec,
    links: BTreeMap<(u32, u32), LinkState>,
    /// Isolated broker → whether the producer is cut off too.
    pub isolated: BTreeMap<u32, bool>,
    pub down: BTreeSet<u32>,
    pub loss: Vec<LossRule>,
    /// `drop_next_request`: ProduceRequests to this broker still to lose.
    pub drop_next_request: BTreeMap<u32, u32>,
    /// `drop_next_response`: ProduceResponses from this broker still to lose.
    pub drop_next_response: BTreeMap<u32, u32>,
    pub in_flight: BTreeMap<u64, WireMessage>,
    pub recent_dropped: VecDeque<WireMessage>,
    /// The last delivered Produce/ProduceResponse messages (at most `RECENT_DELIVERED_PRODUCE`).
    pub recent_produce: VecDeque<WireMessage>,
    /// The last delivered other messages (at most `RECENT_DELIVERED_OTHER`).
    pub recent_other: VecDeque<WireMessage>,
    /// The last delivered Schema Registry calls (at most `RECENT_DELIVERED_REGISTRY`).
    pub recent_registry: VecDeque<WireMessage>,
    next_id: u64,
    pub bytes_sent: u64,
    pub messages_sent: u64,
    pub messages_dropped: u64,
}

/// Transmission time of `size_bytes` at `bandwidth_bytes_per_ms` (none: instant).
fn tx_time_us(bandwidth_bytes_per_ms: Option<u64>, size_bytes: usize) -> u64 {
    match bandwidth_bytes_per_ms {
        Some(bw) if bw > 0 => (size_bytes as u64).saturating_mul(1000).div_ceil(bw),
        _ => 0,
    }
}

fn ms_us(ms: f64) -> u64 {
    if ms.is_finite() && ms > 0.0 {
        (ms * 1000.0).round() as u64
    } else {
        0
    }
}

impl Network {
    pub fn new(spec: &ClusterSpec, seed: u64) -> Network {
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
            rng: Rng::stream(seed, "network"),
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
            recent_registry: VecDeque::new(),
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

    /// A link's latency and bandwidth as configured (the default link unless overridden).
    fn link(&self, from: u32, to: u32) -> (u64, Option<u64>, u64) {
        match self.links.get(&(from, to)) {
            Some(l) => (l.latency_us, l.bandwidth_bytes_per_ms, l.extra_delay_us),
            None => (
                ms_us(self.default_link.latency_ms),
                self.default_link.bandwidth_bytes_per_ms,
                0,
            ),
        }
    }

    /// One-way latency of a link (without bandwidth).
    pub fn latency_us(&self, from: u32, to: u32) -> u64 {
        let (latency_us, _, extra_delay_us) = self.link(from, to);
        latency_us + extra_delay_us
    }

    /// How long the link takes to put `size_bytes` on the wire (0 without a bandwidth limit).
    pub fn tx_time_us(&self, from: u32, to: u32, size_bytes: usize) -> u64 {
        tx_time_us(self.link(from, to).1, size_bytes)
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

    /// The fault rules a message meets when it is sent: a pending `drop_next_request` to its
    /// broker (ProduceRequests only) or `drop_next_response` from it (ProduceResponses only)
    /// takes it first; then every matching `random_loss` rule draws (all of them, so the
    /// network's random stream does not depend on which rule hit). Returns why it is lost.
    fn fate_at_send(&mut self, from: u32, to: u32, kind: &str) -> Option<&'static str> {
        // Schema Registry HTTP calls are never lost (see `registry.rs`; no HTTP timeouts).
        if from == crate::registry::SCHEMA_REGISTRY || to == crate::registry::SCHEMA_REGISTRY {
            return None;
        }
        let counter = match kind {
            "Produce" if from == PRODUCER => self.drop_next_request.get_mut(&to),
            "ProduceResponse" if to == PRODUCER => self.drop_next_response.get_mut(&from),
            _ => None,
        };
        let mut lost = match counter {
            Some(n) if *n > 0 => {
                *n -= 1;
                Some("fault rule")
            }
            _ => None,
        };
        for rule in &self.loss {
            if rule.from.is_none_or(|f| f == from)
                && rule.to.is_none_or(|t| t == to)
                && rule.probability > 0.0
                && self.rng.next_f64() < rule.probability
                && lost.is_none()
            {
                lost = Some("random loss");
            }
        }
        lost
    }

    /// The rules a message meets when it arrives: why it is lost, if it is.
    pub fn fate_at_arrival(&self, from: u32, to: u32) -> Option<&'static str> {
        if self.down.contains(&to) {
            Some("broker down")
        } else if self.down.contains(&from) {
            Some("sender crashed before delivery")
        } else if self.cut(from, to) {
            Some("network partition")
        } else {
            None
        }
    }

    /// Registers a message, applies the send-time rules and computes its arrival time.
    pub fn transmit(&mut self, now_us: u64, m: Outgoing) -> Transmitted {
        let Outgoing {
            from,
            to,
            kind,
            size_bytes,
            detail,
            tag,
        } = m;
        let lost = self.fate_at_send(from, to, kind);
        let link = self.link_mut(from, to);
        let start = now_us.max(link.busy_until_us);
        let tx_us = tx_time_us(link.bandwidth_bytes_per_ms, size_bytes);
        link.busy_until_us = start + tx_us;
        let arrival = start + tx_us + link.latency_us + link.extra_delay_us;
        let dropped = lost.is_some();
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
            req_id: tag.req_id,
            codec: tag.codec,
            lost_us: None,
        };
        if dropped {
            self.note_dropped(msg, now_us);
        } else {
            self.in_flight.insert(id, msg);
        }
        Transmitted {
            msg_id: id,
            arrival_us: arrival,
            lost,
        }
    }

    /// Remembers a delivered message (bounded, for the view's `network_delivered`).
    pub fn note_delivered(&mut self, msg: WireMessage) {
        let registry = crate::registry::SCHEMA_REGISTRY;
        let (list, cap) = if msg.req_id.is_some() {
            (&mut self.recent_produce, RECENT_DELIVERED_PRODUCE)
        } else if msg.from == registry || msg.to == registry {
            (&mut self.recent_registry, RECENT_DELIVERED_REGISTRY)
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
