//! The producer's connection to each broker. A ProduceRequest is only built for a broker whose
//! connection is up (librdkafka `rd_kafka_toppar_producer_serve`: "message(s) queued but broker
//! not up"; Java `NetworkClient.ready`). When a connection breaks — the broker crashed and its
//! socket was reset, a request to it was refused, or a request timed out and the client tore the
//! connection down — every request in flight on it fails with `_TRANSPORT` and is retried, and
//! the client reconnects with backoff: librdkafka `rd_kafka_broker_update_reconnect_backoff`
//! (`reconnect.backoff.ms` doubling up to `reconnect.backoff.max.ms`, −25 %…+50 % jitter, the
//! next attempt counted from the previous one), Java `ClusterConnectionStates` (the same
//! settings with ±20 % jitter). A connection attempt is answered by a live broker, refused by a
//! crashed one, and unanswered through a network partition until
//! `socket.connection.setup.timeout.ms`.
//!
//! Connections are sparse (librdkafka `enable.sparse.connections`, Java connects on demand): a
//! broken connection is re-established only while the producer has messages for a partition
//! that broker leads.
//!
//! SIMPLIFICATION: every connection is up when the scenario starts (the producer connected
//! while it bootstrapped).

use super::{Producer, ProducerTimer};
use crate::config::ProducerSettings;
use crate::error::ErrorCode;
use crate::log::LogEvent;
use crate::node::Ctx;
use crate::proto::Payload;
use crate::rng::Rng;
use crate::scenario::ClientProfile;

/// The state of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ConnState {
    Up,
    /// Broken; the next attempt may start at `Connection::next_attempt_us`.
    Down,
    /// Attempt number `attempt` is under way.
    Connecting {
        attempt: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Connection {
    pub state: ConnState,
    /// The earliest time of the next connection attempt (librdkafka `rkb_ts_reconnect`).
    pub next_attempt_us: u64,
    /// The backoff the next attempt will be followed by, before jitter.
    backoff_ms: u64,
    /// Failed attempts in a row (Java's exponent).
    failures: u32,
    attempts: u64,
    /// A `Reconnect` timer is set.
    pub reconnect_armed: bool,
}

impl Connection {
    pub fn up(s: &ProducerSettings) -> Connection {
        Connection {
            state: ConnState::Up,
            next_attempt_us: 0,
            backoff_ms: s.reconnect_backoff_ms,
            failures: 0,
            attempts: 0,
            reconnect_armed: false,
        }
    }

    /// Starts an attempt at `now_us` and sets when the one after it may start; returns the
    /// attempt's number.
    pub fn start_attempt(&mut self, now_us: u64, s: &ProducerSettings, rng: &mut Rng) -> u64 {
        let wait_ms = match s.profile {
            ClientProfile::Librdkafka => {
                // A last attempt longer than the maximum ago starts the backoff over.
                if self.next_attempt_us + s.reconnect_backoff_max_ms * 1000 < now_us {
                    self.backoff_ms = s.reconnect_backoff_ms;
                }
                let cur = self.backoff_ms as f64;
                let jittered = cur * 0.75 + rng.next_f64() * cur * 0.75;
                self.backoff_ms = (self.backoff_ms * 2).min(s.reconnect_backoff_max_ms);
                jittered.min(s.reconnect_backoff_max_ms as f64)
            }
            ClientProfile::Java => {
                let term = s.reconnect_backoff_ms as f64 * 2f64.powi(self.failures.min(30) as i32);
                term.min(s.reconnect_backoff_max_ms as f64) * (0.8 + 0.4 * rng.next_f64())
            }
        };
        self.next_attempt_us = now_us + (wait_ms * 1000.0).round() as u64;
        self.attempts += 1;
        self.state = ConnState::Connecting {
            attempt: self.attempts,
        };
        self.attempts
    }

    /// The connection broke or an attempt failed; returns whether it was up or connecting.
    pub fn lost(&mut self) -> bool {
        let was = self.state != ConnState::Down;
        if matches!(self.state, ConnState::Connecting { .. }) {
            self.failures = self.failures.saturating_add(1);
        }
        self.state = ConnState::Down;
        was
    }

    pub fn established(&mut self) {
        self.state = ConnState::Up;
        self.failures = 0;
    }
}

impl Producer {
    /// Whether the connection to `broker` is up (connections start up).
    pub(super) fn conn_up(&self, broker: u32) -> bool {
        self.conns
            .get(&broker)
            .is_none_or(|c| c.state == ConnState::Up)
    }

    /// The connection to `broker` broke: every request in flight on it fails with `_TRANSPORT`
    /// (librdkafka `rd_kafka_broker_fail` purges them for retry), the producer asks for
    /// metadata and reconnects when the backoff allows.
    pub(super) fn connection_lost(&mut self, cx: &Ctx, broker: u32, reason: &str) {
        let settings = &self.settings;
        let conn = self
            .conns
            .entry(broker)
            .or_insert_with(|| Connection::up(settings));
        if !conn.lost() {
            return;
        }
        let next_attempt_us = conn.next_attempt_us.max(cx.now_us);
        self.log(LogEvent::ConnectionDown {
            broker,
            reason: reason.into(),
            reconnect_at_us: next_attempt_us,
        });
        for req_id in self.requests_to(broker) {
            self.fail_request(cx, req_id, ErrorCode::Transport);
        }
        self.request_metadata(cx);
    }

    /// Whether the producer has messages for a partition `broker` leads.
    fn needs(&self, broker: u32) -> bool {
        self.parts.iter().any(|(tp, p)| {
            (!p.queue.is_empty() || !p.retry.is_empty())
                && self.leaders.get(tp).copied().flatten() == Some(broker)
        })
    }

    /// For every broker that is needed and down, sets the timer of the next connection attempt
    /// (at once when the backoff allows).
    pub(super) fn arm_reconnects(&mut self, cx: &Ctx) {
        let due: Vec<(u32, u64)> = self
            .conns
            .iter()
            .filter(|(_, c)| c.state == ConnState::Down && !c.reconnect_armed)
            .map(|(b, c)| (*b, c.next_attempt_us.max(cx.now_us)))
            .collect();
        for (broker, at) in due {
            if self.needs(broker) {
                if let Some(c) = self.conns.get_mut(&broker) {
                    c.reconnect_armed = true;
                }
                self.timer(at, ProducerTimer::Reconnect { broker });
            }
        }
    }

    /// A connection attempt to `broker` (TCP connect and the ApiVersions exchange, modelled as
    /// one message each way).
    pub(super) fn reconnect(&mut self, cx: &Ctx, broker: u32) {
        let now = cx.now_us;
        let needed = self.needs(broker);
        let Some(conn) = self.conns.get_mut(&broker) else {
            return;
        };
        conn.reconnect_armed = false;
        if conn.state != ConnState::Down || conn.next_attempt_us > now || !needed {
            return;
        }
        let attempt = conn.start_attempt(now, &self.settings, &mut self.rng);
        let detail = format!("connection attempt {attempt}");
        self.transmit(cx, broker, Payload::Connect { attempt }, 64, detail);
        let timeout_us = self.settings.connection_setup_timeout_ms * 1000;
        self.timer(
            now + timeout_us,
            ProducerTimer::ConnectTimeout { broker, attempt },
        );
    }

    /// `broker` answered attempt `attempt`: the connection is up, and as librdkafka does on
    /// every new connection (`rd_kafka_broker_connect_up`), the producer asks for metadata.
    pub(super) fn connected(&mut self, cx: &Ctx, broker: u32, attempt: u64) {
        let Some(conn) = self.conns.get_mut(&broker) else {
            return;
        };
        if conn.state != (ConnState::Connecting { attempt }) {
            return;
        }
        conn.established();
        self.log(LogEvent::ConnectionUp { broker });
        self.request_metadata(cx);
        self.serve(cx);
    }

    /// Attempt `attempt` got no answer within `socket.connection.setup.timeout.ms` (a network
    /// partition swallows it).
    pub(super) fn connect_timeout(&mut self, cx: &Ctx, broker: u32, attempt: u64) {
        if self
            .conns
            .get(&broker)
            .is_some_and(|c| c.state == (ConnState::Connecting { attempt }))
        {
            self.connection_lost(cx, broker, "connection setup timed out");
            self.serve(cx);
        }
    }
}
