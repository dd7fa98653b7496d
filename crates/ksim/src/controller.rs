//! The controller: an abstract, always-available KRaft quorum (Kafka 3.6 `QuorumController`,
//! `ReplicationControlManager`). It owns the partition metadata (replicas, leader, leader epoch,
//! ISR), fences a broker that stopped heartbeating after `broker.session.timeout.ms`, elects
//! leaders (clean from the ISR, or unclean where the topic allows it) with a new leader epoch,
//! and applies ISR changes that leaders ask for (`AlterPartition`, KIP-497).
//!
//! It is a node like the others: it reads only its own state and the [`Ctx`], and tells brokers
//! about metadata with [`Output::ToBroker`].
//!
//! SIMPLIFICATIONS (quoted by the UI): metadata reaches every broker the controller can reach at
//! once (real brokers replay the metadata log, a little later); an isolated broker keeps its
//! stale view, so an isolated leader keeps accepting acks=1 writes as a zombie. Replicas are
//! placed round-robin: partition p has replicas p, p+1, … (mod N), and the first one leads.

use crate::log::LogEvent;
use crate::node::{Ctx, Outbox, Output};
use crate::proto::{ControllerRequest, MetadataUpdate, PartitionMeta, Tp};
use std::collections::{BTreeMap, BTreeSet};

/// The controller's timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ControllerTimer {
    /// `broker.session.timeout.ms` after a broker fell silent: fence it if it still is.
    SessionTimeout { broker: u32 },
}

impl ControllerTimer {
    /// Why the timer exists, in words.
    pub fn reason(&self) -> String {
        match self {
            ControllerTimer::SessionTimeout { broker } => format!(
                "controller fences broker {broker} if it is still silent (broker.session.timeout.ms)"
            ),
        }
    }
}

/// What the controller is told.
#[derive(Debug, Clone)]
pub(crate) enum ControllerInput {
    /// A broker's request (delivered at once, see the module docs).
    Request(ControllerRequest),
    /// A broker stopped heartbeating (it crashed, or the network isolated it).
    BrokerUnreachable {
        broker: u32,
    },
    /// An isolated broker can reach the controller again.
    BrokerReachable {
        broker: u32,
    },
    Timer(ControllerTimer),
}

type ControllerOut = Outbox<ControllerTimer>;

#[derive(Debug, Clone)]
pub(crate) struct Controller {
    /// Partition metadata, the source of truth for leaders and ISRs.
    pub parts: BTreeMap<Tp, PartitionMeta>,
    /// Brokers fenced for a missed session timeout.
    pub fenced: BTreeSet<u32>,
    /// Session timers set but not yet run (work in progress, for idleness).
    pub pending_checks: u32,
    brokers: u32,
    out: ControllerOut,
}

impl Controller {
    pub fn new(brokers: u32) -> Controller {
        Controller {
            parts: BTreeMap::new(),
            fenced: BTreeSet::new(),
            pending_checks: 0,
            brokers,
            out: ControllerOut::default(),
        }
    }

    /// Everything the driver must do for the controller, in the order queued, taken out at
    /// once (see `Broker::take_outputs`).
    pub fn take_outputs(&mut self) -> impl Iterator<Item = Output<ControllerTimer>> {
        self.out.take()
    }

    /// Runs `f` with the outbox as a separate borrow.
    fn with_out<R>(&mut self, f: impl FnOnce(&mut Controller, &mut ControllerOut) -> R) -> R {
        let mut o = std::mem::take(&mut self.out);
        let r = f(self, &mut o);
        self.out.append(&mut o);
        r
    }

    /// Handles one input at `cx.now_us`.
    pub fn handle(&mut self, cx: &Ctx, input: ControllerInput) {
        self.with_out(|c, o| match input {
            ControllerInput::Request(ControllerRequest::AlterPartition { tp, isr, reason }) => {
                c.set_isr(cx, o, tp, isr, reason)
            }
            ControllerInput::Request(ControllerRequest::Register { broker }) => {
                // A restarted broker the controller had not fenced yet is a new incarnation:
                // its partitions are re-elected first.
                if !c.fenced.contains(&broker) {
                    c.fence(cx, o, broker);
                }
                c.broker_back(cx, o, broker);
            }
            ControllerInput::BrokerUnreachable { broker } => c.broker_lost(cx, o, broker),
            ControllerInput::BrokerReachable { broker } => c.broker_back(cx, o, broker),
            ControllerInput::Timer(ControllerTimer::SessionTimeout { broker }) => {
                c.pending_checks = c.pending_checks.saturating_sub(1);
                if !cx.net.controller_reachable(broker) && !c.fenced.contains(&broker) {
                    c.fence(cx, o, broker);
                }
            }
        })
    }

    /// Creates topic `topic`'s partitions with round-robin placement (the first live replica
    /// leads, in leader epoch 0) and tells their brokers; returns the replica assignment.
    pub fn create_topic(
        &mut self,
        cx: &Ctx,
        topic: u32,
        partitions: u32,
        rf: u32,
    ) -> Vec<Vec<u32>> {
        self.with_out(|c, o| {
            let n = c.brokers;
            let mut assignment = Vec::new();
            for p in 0..partitions {
                let replicas: Vec<u32> = (0..rf).map(|i| (p + i) % n + 1).collect();
                let alive: Vec<u32> = replicas
                    .iter()
                    .copied()
                    .filter(|b| !c.fenced.contains(b))
                    .collect();
                let tp = Tp {
                    topic,
                    partition: p,
                };
                let isr = if alive.is_empty() {
                    replicas.clone()
                } else {
                    alive.clone()
                };
                let meta = PartitionMeta {
                    replicas: replicas.clone(),
                    leader: alive.first().copied(),
                    leader_epoch: 0,
                    isr,
                };
                c.parts.insert(tp, meta);
                for &b in &replicas {
                    c.sync_replica(cx, o, b, tp);
                }
                assignment.push(replicas);
            }
            assignment
        })
    }

    /// Tells broker `b` the current metadata of `tp`, if the controller can reach it.
    fn sync_replica(&mut self, cx: &Ctx, o: &mut ControllerOut, b: u32, tp: Tp) {
        let Some(meta) = self.parts.get(&tp) else {
            return;
        };
        if cx.net.controller_reachable(b) {
            o.push(Output::ToBroker {
                broker: b,
                update: MetadataUpdate::Partition {
                    tp,
                    meta: meta.clone(),
                },
            });
        }
    }

    /// Records a new ISR and tells the leader (ISR changes go through the controller, so an
    /// isolated leader cannot shrink its ISR; docs/kafka-sources.md §6).
    fn set_isr(&mut self, cx: &Ctx, o: &mut ControllerOut, tp: Tp, isr: Vec<u32>, reason: String) {
        let Some(meta) = self.parts.get_mut(&tp) else {
            return;
        };
        if meta.isr == isr {
            return;
        }
        meta.isr = isr.clone();
        o.log(LogEvent::IsrChanged {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            isr: isr.clone(),
            reason,
        });
        if let Some(l) = meta.leader.filter(|l| cx.net.controller_reachable(*l)) {
            o.push(Output::ToBroker {
                broker: l,
                update: MetadataUpdate::Isr { tp, isr },
            });
        }
    }

    /// A broker fell silent: fence it after the session timeout unless it comes back.
    fn broker_lost(&mut self, cx: &Ctx, o: &mut ControllerOut, b: u32) {
        self.pending_checks += 1;
        o.timer(
            cx.now_us + cx.timing.session_timeout_us,
            ControllerTimer::SessionTimeout { broker: b },
        );
    }

    /// The partitions with a replica on broker `b`, in partition order.
    fn partitions_hosted_by(&self, b: u32) -> Vec<Tp> {
        self.parts
            .iter()
            .filter(|(_, m)| m.replicas.contains(&b))
            .map(|(tp, _)| *tp)
            .collect()
    }

    fn unclean_allowed(cx: &Ctx, tp: Tp) -> bool {
        cx.topics
            .get(tp.topic as usize)
            .is_some_and(|t| t.config.unclean_leader_election)
    }

    /// Fences `b`: it leaves every ISR, and its partitions get new leaders.
    fn fence(&mut self, cx: &Ctx, o: &mut ControllerOut, b: u32) {
        self.fenced.insert(b);
        o.log(LogEvent::BrokerFenced { broker: b });
        for tp in self.partitions_hosted_by(b) {
            let Some(meta) = self.parts.get(&tp).cloned() else {
                continue;
            };
            let mut isr: Vec<u32> = meta.isr.iter().copied().filter(|x| *x != b).collect();
            if meta.leader == Some(b) {
                let clean = meta
                    .replicas
                    .iter()
                    .copied()
                    .find(|r| isr.contains(r) && !self.fenced.contains(r));
                let (leader, unclean) = match clean {
                    Some(l) => (Some(l), false),
                    None if Self::unclean_allowed(cx, tp) => (
                        meta.replicas
                            .iter()
                            .copied()
                            .find(|r| !self.fenced.contains(r)),
                        true,
                    ),
                    None => (None, false),
                };
                if isr.is_empty() {
                    // KRaft keeps the last ISR member when no one else is left.
                    isr = if unclean {
                        leader.into_iter().collect()
                    } else {
                        vec![b]
                    };
                }
                if unclean {
                    isr = leader.into_iter().collect();
                }
                self.elect(cx, o, tp, leader, isr, unclean);
            } else if meta.isr.contains(&b) && !isr.is_empty() {
                self.set_isr(cx, o, tp, isr, format!("broker {b} fenced"));
            }
        }
    }

    fn elect(
        &mut self,
        cx: &Ctx,
        o: &mut ControllerOut,
        tp: Tp,
        leader: Option<u32>,
        isr: Vec<u32>,
        unclean: bool,
    ) {
        let Some(meta) = self.parts.get_mut(&tp) else {
            return;
        };
        meta.leader = leader;
        meta.leader_epoch += 1;
        let isr_changed = meta.isr != isr;
        meta.isr = isr.clone();
        let (epoch, replicas) = (meta.leader_epoch, meta.replicas.clone());
        o.log(LogEvent::LeaderElected {
            topic: cx.topic_name(tp),
            partition: tp.partition,
            leader,
            leader_epoch: epoch,
            unclean,
        });
        if isr_changed {
            o.log(LogEvent::IsrChanged {
                topic: cx.topic_name(tp),
                partition: tp.partition,
                isr,
                reason: "leader election".into(),
            });
        }
        // The new leader first, then the followers (they fetch from it).
        if let Some(l) = leader {
            self.sync_replica(cx, o, l, tp);
        }
        for r in replicas {
            if Some(r) != leader {
                self.sync_replica(cx, o, r, tp);
            }
        }
    }

    /// A broker can reach the controller again (restart or heal): unfence it, elect it where a
    /// partition has no leader and it is eligible, and send it all its partitions' metadata.
    fn broker_back(&mut self, cx: &Ctx, o: &mut ControllerOut, b: u32) {
        if self.fenced.remove(&b) {
            o.log(LogEvent::BrokerUnfenced { broker: b });
        }
        let tps = self.partitions_hosted_by(b);
        for tp in &tps {
            let Some(meta) = self.parts.get(tp).cloned() else {
                continue;
            };
            if meta.leader.is_none() {
                if meta.isr.contains(&b) {
                    self.elect(cx, o, *tp, Some(b), meta.isr.clone(), false);
                } else if Self::unclean_allowed(cx, *tp) {
                    self.elect(cx, o, *tp, Some(b), vec![b], true);
                }
            }
        }
        for tp in tps {
            self.sync_replica(cx, o, b, tp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::testing::{logs, TestWorld};

    fn updates(out: &[Output<ControllerTimer>]) -> Vec<(u32, Option<u32>, i32)> {
        out.iter()
            .filter_map(|o| match o {
                Output::ToBroker {
                    broker,
                    update: MetadataUpdate::Partition { meta, .. },
                } => Some((*broker, meta.leader, meta.leader_epoch)),
                _ => None,
            })
            .collect()
    }

    /// A controller with topic 0 (one partition on brokers 1, 2, 3; broker 1 leads), after
    /// broker 1 fell silent for the session timeout.
    fn fenced_leader(w: &mut TestWorld) -> (Controller, Vec<Output<ControllerTimer>>) {
        let mut c = Controller::new(3);
        c.create_topic(&w.cx(), 0, 1, 3);
        c.take_outputs().for_each(drop);
        w.net.down.insert(1);
        c.handle(&w.cx(), ControllerInput::BrokerUnreachable { broker: 1 });
        c.take_outputs().for_each(drop);
        w.now_us = 9_000_000;
        let t = ControllerTimer::SessionTimeout { broker: 1 };
        c.handle(&w.cx(), ControllerInput::Timer(t));
        let out = c.take_outputs().collect();
        (c, out)
    }

    #[test]
    fn a_fenced_leader_is_replaced_from_the_isr_in_a_new_epoch() {
        let mut w = TestWorld::new(1, &[]);
        let (c, out) = fenced_leader(&mut w);
        let tp = Tp {
            topic: 0,
            partition: 0,
        };
        assert_eq!(c.parts[&tp].leader, Some(2));
        assert_eq!(c.parts[&tp].leader_epoch, 1);
        assert_eq!(c.parts[&tp].isr, [2, 3]);
        assert_eq!(
            updates(&out),
            [(2, Some(2), 1), (3, Some(2), 1)],
            "the new leader first, then the followers; the down broker hears nothing"
        );
        assert!(logs(&out)
            .iter()
            .any(|e| matches!(e, LogEvent::LeaderElected { unclean: false, .. })));
    }

    #[test]
    fn without_an_isr_member_left_the_partition_stays_leaderless_unless_unclean_is_allowed() {
        for (allowed, leader) in [("false", None), ("true", Some(2))] {
            let mut w = TestWorld::new(1, &[("unclean.leader.election.enable", allowed)]);
            let mut c = Controller::new(3);
            c.create_topic(&w.cx(), 0, 1, 3);
            let tp = Tp {
                topic: 0,
                partition: 0,
            };
            // Only broker 1 is still in the ISR when it crashes.
            c.parts.get_mut(&tp).unwrap().isr = vec![1];
            w.net.down.insert(1);
            c.handle(&w.cx(), ControllerInput::BrokerUnreachable { broker: 1 });
            w.now_us = 9_000_000;
            let t = ControllerTimer::SessionTimeout { broker: 1 };
            c.handle(&w.cx(), ControllerInput::Timer(t));
            assert_eq!(
                c.parts[&tp].leader, leader,
                "unclean.leader.election.enable={allowed}"
            );
        }
    }
}
