//! The driver's world: the clock, the event queue, the network, the log, the metrics and the
//! topic metadata. Private to the driver (`sim/`): nodes never see it. They get a read-only
//! [`Ctx`] built from it, and the driver applies what they output ([`World::apply`]) in the order
//! they queued it.

use super::event_log::EventLog;
use crate::broker::BrokerTimer;
use crate::controller::ControllerTimer;
use crate::log::LogEvent;
use crate::metrics::MetricsState;
use crate::network::{Network, Outgoing};
use crate::node::{BrokerMetric, BrokerTiming, Ctx, NodeClocks, Output};
use crate::producer::ProducerTimer;
use crate::proto::Payload;
use crate::queue::EventQueue;
use crate::topic::Topic;

/// Everything that can be scheduled.
#[derive(Debug, Clone)]
pub(crate) enum Event {
    /// A message reaches its receiver (unless the network's arrival rules drop it).
    Arrive {
        msg_id: u64,
        from: u32,
        to: u32,
        payload: Payload,
    },
    /// The producer notices that a broker reset or refused its connection.
    ProducerConnectionLost {
        broker: u32,
        reason: &'static str,
    },
    /// An application loop (`produce_many`) goes on.
    Generator {
        gen_id: u64,
        token: u64,
    },
    Producer(ProducerTimer),
    Broker {
        broker: u32,
        timer: BrokerTimer,
    },
    Controller(ControllerTimer),
}

#[derive(Debug, Clone)]
pub(crate) struct World {
    pub now_us: u64,
    pub queue: EventQueue<Event>,
    pub net: Network,
    pub log: EventLog,
    /// The brokers' counters (the producer keeps its own).
    pub broker_metrics: MetricsState,
    pub topics: Vec<Topic>,
    pub clocks: NodeClocks,
    pub timing: BrokerTiming,
}

impl World {
    pub fn log(&mut self, event: LogEvent) {
        self.log.push(self.now_us, event);
    }

    pub fn topic_name(&self, tp: crate::proto::Tp) -> String {
        self.ctx().topic_name(tp)
    }

    /// What nodes may read now.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            now_us: self.now_us,
            topics: &self.topics,
            log: &self.log.options,
            net: &self.net,
            clocks: &self.clocks,
            timing: &self.timing,
        }
    }

    /// Carries out one node output; `timer` wraps the node's timer in an [`Event`]. Messages
    /// between the controller and brokers are routed by the driver, not here.
    pub fn apply<T>(&mut self, output: Output<T>, timer: impl Fn(T) -> Event) {
        match output {
            Output::ToBroker { .. } | Output::ToController(_) => {
                debug_assert!(false, "controller messages are routed by the driver")
            }
            Output::Transmit(t) => self.send(t.from, t.to, t.payload, t.size_bytes, t.detail),
            Output::Timer { at_us, timer: t } => self.schedule(at_us, timer(t)),
            Output::Log(e) => self.log(e),
            Output::Resume(w) => self.schedule(
                self.now_us,
                Event::Generator {
                    gen_id: w.loop_id,
                    token: w.token,
                },
            ),
            Output::Metric(BrokerMetric::RecordsAppended(n)) => {
                self.broker_metrics.records_appended += n
            }
            Output::Metric(BrokerMetric::DuplicateDetected) => {
                self.broker_metrics.duplicates_detected += 1
            }
        }
    }

    pub fn schedule(&mut self, time_us: u64, event: Event) {
        self.queue.push(time_us.max(self.now_us), event);
    }

    /// Sends `payload` over the link `from → to`; the network's rules decide its fate.
    pub fn send(
        &mut self,
        from: u32,
        to: u32,
        payload: Payload,
        size_bytes: usize,
        detail: String,
    ) {
        let kind = payload.kind();
        let out = Outgoing {
            from,
            to,
            kind,
            size_bytes,
            detail,
            tag: payload.tag(),
        };
        let t = self.net.transmit(self.now_us, out);
        if let Some(reason) = t.lost {
            self.log(LogEvent::NetworkDropped {
                from,
                to,
                what: kind.into(),
                reason: reason.into(),
            });
            return;
        }
        self.schedule(
            t.arrival_us,
            Event::Arrive {
                msg_id: t.msg_id,
                from,
                to,
                payload,
            },
        );
    }
}
