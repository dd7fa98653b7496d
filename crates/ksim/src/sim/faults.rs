//! Firing a scheduled or injected fault: the network's own rules change here, and the cluster
//! learns of crashes, restarts, isolation and healing as inputs.

use super::world::Event;
use super::Simulation;
use crate::broker::BrokerInput;
use crate::controller::ControllerInput;
use crate::error::ErrorCode;
use crate::log::LogEvent;
use crate::network::{LossRule, PRODUCER};
use crate::scenario::{ms_to_us, Fault};

impl Simulation {
    pub(super) fn fire_fault(&mut self, f: &Fault) {
        self.w.log(LogEvent::FaultFired { fault: f.clone() });
        let net = &mut self.w.net;
        match f {
            Fault::DropNextRequest { broker, count } => {
                let n = net.drop_next_request.entry(*broker).or_default();
                *n = n.saturating_add(*count)
            }
            Fault::DropNextResponse { broker, count } => {
                let n = net.drop_next_response.entry(*broker).or_default();
                *n = n.saturating_add(*count)
            }
            Fault::FailNextProduce {
                broker,
                error,
                count,
                after,
            } => {
                if let Some(error) = ErrorCode::from_name(error) {
                    let (after, count) = (*after, *count);
                    let input = BrokerInput::FailNextProduce {
                        after,
                        count,
                        error,
                    };
                    self.with_broker(*broker, |b, cx| b.handle(cx, input));
                }
            }
            Fault::DelayLink { from, to, delay_ms } => {
                net.link_mut(*from, *to).extra_delay_us = ms_to_us(*delay_ms, "delay").unwrap_or(0);
            }
            Fault::RandomLoss {
                probability,
                from,
                to,
            } => {
                net.loss.retain(|r| !(r.from == *from && r.to == *to));
                if *probability > 0.0 {
                    net.loss.push(LossRule {
                        probability: *probability,
                        from: *from,
                        to: *to,
                    });
                }
            }
            Fault::Crash { broker } => {
                let b = *broker;
                let was_up = net.down.insert(b);
                self.with_broker(b, |br, cx| br.handle(cx, BrokerInput::Crash));
                if was_up {
                    // It stops heartbeating: the controller's session timer starts.
                    let input = ControllerInput::BrokerUnreachable { broker: b };
                    self.with_controller(|c, cx| c.handle(cx, input));
                }
                // The dead process's sockets are reset: the producer sees it one link latency
                // later.
                let w = &mut self.w;
                let lat = w.net.latency_us(b, PRODUCER);
                let lost = Event::ProducerConnectionLost {
                    broker: b,
                    reason: "connection reset: the broker crashed",
                };
                w.schedule(w.now_us + lat, lost);
            }
            Fault::Restart { broker } => {
                let b = *broker;
                net.down.remove(&b);
                self.with_broker(b, |br, cx| br.handle(cx, BrokerInput::Restart));
            }
            Fault::Isolate {
                broker,
                include_producer,
            } => {
                let b = *broker;
                let was_reachable = net.controller_reachable(b);
                net.isolated.insert(b, *include_producer);
                if was_reachable {
                    let input = ControllerInput::BrokerUnreachable { broker: b };
                    self.with_controller(|c, cx| c.handle(cx, input));
                }
            }
            Fault::Heal { broker } => {
                let b = *broker;
                if net.isolated.remove(&b).is_some() && !net.down.contains(&b) {
                    let input = ControllerInput::BrokerReachable { broker: b };
                    self.with_controller(|c, cx| c.handle(cx, input));
                }
            }
            Fault::SlowFollower { broker, delay_ms } => {
                let delay_us = ms_to_us(*delay_ms, "delay").unwrap_or(0);
                let input = BrokerInput::SlowFetch { delay_us };
                self.with_broker(*broker, |b, cx| b.handle(cx, input));
            }
        }
    }
}
