//! What the UI and the CLI read: the view (a plain snapshot of every node's state for the
//! page), "Coming up" from the queued events and each node timer's reason, the metrics, and the
//! stored bytes (batches, segments, committed records).

use super::world::Event;
use super::Simulation;
use crate::metrics::Metrics;
use crate::network::PRODUCER;
use crate::proto::Tp;
use crate::view::*;
use std::sync::Arc;

/// A committed record: (offset, key, value).
pub type CommittedRecord = (i64, Option<Vec<u8>>, Option<Vec<u8>>);

/// One batch of a ProduceRequest on the wire ([`Simulation::in_flight_batch_bytes`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InFlightBatch {
    pub topic: String,
    pub partition: u32,
    pub bytes: Arc<[u8]>,
}

impl Simulation {
    /// Current metrics.
    pub fn metrics(&self) -> Metrics {
        let n = &self.w.net;
        self.producer.stats.snapshot(
            self.w.now_us,
            &self.w.broker_metrics,
            n.messages_sent,
            n.bytes_sent,
            n.messages_dropped,
        )
    }

    /// The bytes of one stored batch (`index` as in [`BatchView::index`]).
    pub fn batch_bytes(
        &self,
        topic: &str,
        partition: u32,
        broker: u32,
        index: usize,
    ) -> Option<Arc<[u8]>> {
        let tp = Tp {
            topic: self.topic_index(topic).ok()?,
            partition,
        };
        let r = self.broker(broker)?.replicas.get(&tp)?;
        r.log
            .get(index as u64)
            .filter(|b| !b.payload_dropped())
            .map(|b| b.bytes.clone())
    }

    /// The bytes of batch `index` of in-flight ProduceRequest `req_id` (`InFlightView`): what
    /// the inspector shows for a packet on the wire.
    pub fn in_flight_batch_bytes(&self, req_id: u64, index: usize) -> Option<InFlightBatch> {
        let b = self.producer.inflight.get(&req_id)?.batches.get(index)?;
        Some(InFlightBatch {
            topic: self.w.topic_name(b.tp),
            partition: b.tp.partition,
            bytes: b.bytes.clone(),
        })
    }

    /// Every partition's log as a segment file (concatenated batches), taken from the leader or,
    /// without a leader, from the replica with the highest high watermark.
    pub fn segments(&self) -> Vec<(String, u32, Vec<u8>)> {
        let mut out = Vec::new();
        for (tp, meta) in &self.controller.parts {
            let pick = meta.leader.or_else(|| {
                meta.replicas.iter().copied().max_by_key(|b| {
                    self.broker(*b)
                        .and_then(|x| x.replicas.get(tp))
                        .map(|r| r.hw)
                        .unwrap_or(-1)
                })
            });
            let Some(r) = pick
                .and_then(|b| self.broker(b))
                .and_then(|b| b.replicas.get(tp))
            else {
                continue;
            };
            let mut bytes = Vec::new();
            for b in r.log.batches() {
                bytes.extend_from_slice(&b.bytes);
            }
            out.push((self.w.topic_name(*tp), tp.partition, bytes));
        }
        out
    }

    /// The committed log of a partition as seen by its leader: (offset, key, value) of every
    /// record below the high watermark. Decodes the stored batches.
    pub fn committed_records(&self, topic: &str, partition: u32) -> Vec<CommittedRecord> {
        let Ok(t) = self.topic_index(topic) else {
            return Vec::new();
        };
        let tp = Tp {
            topic: t,
            partition,
        };
        let Some(meta) = self.controller.parts.get(&tp) else {
            return Vec::new();
        };
        let pick = meta.leader.or_else(|| meta.isr.first().copied());
        let Some(r) = pick
            .and_then(|b| self.broker(b))
            .and_then(|b| b.replicas.get(&tp))
        else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for b in r.log.batches().filter(|b| !b.payload_dropped()) {
            if let Ok((d, _)) = kwire::decode_batch(&b.bytes, &kwire::DecodeLimits::default()) {
                for rec in d.records {
                    let off = d.header.base_offset + rec.offset_delta as i64;
                    if off < r.hw {
                        out.push((off, rec.key, rec.value));
                    }
                }
            }
        }
        out
    }

    /// The plain state snapshot for the UI.
    pub fn view(&self) -> View {
        let w = &self.w;
        let brokers = self
            .brokers
            .iter()
            .map(|b| BrokerView {
                id: b.id,
                up: b.up,
                isolated: w.net.isolated.contains_key(&b.id),
                producer_cut: w.net.isolated.get(&b.id).copied().unwrap_or(false),
                fenced: self.controller.fenced.contains(&b.id),
            })
            .collect();
        let partitions = self
            .controller
            .parts
            .iter()
            .map(|(tp, meta)| PartitionView {
                topic: w.topic_name(*tp),
                partition: tp.partition,
                leader: meta.leader,
                leader_epoch: meta.leader_epoch,
                isr: meta.isr.clone(),
                replicas: meta
                    .replicas
                    .iter()
                    .filter_map(|b| {
                        let r = self.broker(*b)?.replicas.get(tp)?;
                        Some(ReplicaView {
                            broker: *b,
                            is_leader: r.is_leader,
                            leader_epoch: r.leader_epoch,
                            log_end_offset: r.leo,
                            high_watermark: r.hw,
                            batch_count: (r.log.deleted_batches() + r.log.batch_count()) as usize,
                            log_start_offset: r.log.log_start_offset(),
                            segment_count: r.log.segment_count(),
                            log_size_bytes: r.log.size_bytes(),
                            payload_dropped_batches: r.log.dropped_batches(),
                            payload_dropped_below: r.log.payload_dropped_below(),
                            batches: r
                                .log
                                .newest(crate::view::VIEW_MAX_BATCHES)
                                .into_iter()
                                .map(|(index, x)| BatchView {
                                    index: index as usize,
                                    payload_dropped: x.payload_dropped(),
                                    base_offset: x.base_offset,
                                    last_offset: x.last_offset,
                                    records: x.records,
                                    size_bytes: x.bytes_len_stored(),
                                    codec: x.codec.name().into(),
                                    leader_epoch: x.leader_epoch,
                                    producer_id: x.producer_id,
                                    producer_epoch: x.producer_epoch,
                                    base_sequence: x.base_sequence,
                                    max_timestamp_ms: x.max_timestamp_ms,
                                    recompressed: x.recompressed,
                                })
                                .collect(),
                        })
                    })
                    .collect(),
            })
            .collect();
        let p = &self.producer;
        let s = &p.settings;
        let open_batches = p
            .parts
            .iter()
            .map(|(tp, q)| {
                let count_fill = q.queue.len() as f64 / s.batch_num_messages.max(1) as f64;
                let byte_fill = q.queue_bytes as f64 / s.batch_size_bytes.max(1) as f64;
                OpenBatchView {
                    topic: w.topic_name(*tp),
                    partition: tp.partition,
                    leader: p.leaders.get(tp).copied().flatten(),
                    records: q.queue.len(),
                    bytes: q.queue_bytes,
                    linger_deadline_us: q.queue.front().map(|m| m.enqueued_us + s.linger_us),
                    retry_batches: q
                        .retry
                        .iter()
                        .map(|b| (b.msgs.len() as u32, b.base_sequence, b.next_try_us))
                        .collect(),
                    fill_ratio: count_fill.max(byte_fill).min(1.0),
                    next_sequence: q.next_seq,
                }
            })
            .collect();
        let in_flight = p
            .inflight
            .iter()
            .map(|(id, i)| InFlightView {
                req_id: *id,
                broker: i.broker,
                sent_us: i.sent_us,
                batches: i
                    .batches
                    .iter()
                    .map(|b| {
                        (
                            w.topic_name(b.tp),
                            b.tp.partition,
                            b.msgs.len() as u32,
                            b.base_sequence,
                            b.attempts,
                        )
                    })
                    .collect(),
            })
            .collect();
        View {
            time_us: w.now_us,
            next_event_us: self.next_event_time_us(),
            brokers,
            partitions,
            topics: w
                .topics
                .iter()
                .map(|t| TopicView {
                    name: t.spec.name.clone(),
                    configs: t.config_view(&self.scenario.cluster.topic_defaults),
                })
                .collect(),
            producer: ProducerView {
                client_id: s.client_id.clone(),
                profile: format!("{:?}", s.profile).to_lowercase(),
                producer_id: p.producer_id,
                producer_epoch: p.producer_epoch,
                queued_msgs: p.outq_len(),
                flushing: p.flush.is_some(),
                fatal_error: p.fatal.clone(),
                open_batches,
                in_flight,
                config: s.entries.clone(),
            },
            network: w.net.in_flight.values().cloned().collect(),
            network_dropped: w.net.recent_dropped.iter().cloned().collect(),
            network_delivered: {
                let mut d: Vec<crate::network::WireMessage> = w
                    .net
                    .recent_produce
                    .iter()
                    .chain(&w.net.recent_other)
                    .chain(&w.net.recent_registry)
                    .cloned()
                    .collect();
                d.sort_by_key(|m| (m.arrival_us, m.id));
                d
            },
            delivery_reports: p
                .ready_reports
                .iter()
                .chain(p.served_reports.iter().rev().take(200))
                .cloned()
                .collect(),
            metrics: self.metrics(),
            upcoming: self.upcoming(40),
            schema_registry: self.registry_view(),
            serializers: self.serializers.by_topic.values().cloned().collect(),
        }
    }

    fn registry_view(&self) -> Option<SchemaRegistryView> {
        let r = self.registry.as_ref()?;
        let ser = &self.serializers;
        Some(SchemaRegistryView {
            node: crate::registry::SCHEMA_REGISTRY,
            latency_ms: self
                .scenario
                .schema_registry
                .as_ref()
                .map_or(1.0, |s| s.latency_ms),
            global_compatibility: r.global_compatibility.name().into(),
            subjects: r
                .subjects
                .iter()
                .map(|(name, s)| SubjectView {
                    subject: name.clone(),
                    compatibility: r.level_of(name).name().into(),
                    compatibility_is_subject_level: s.compatibility.is_some(),
                    versions: s
                        .versions
                        .iter()
                        .map(|v| SchemaVersionView {
                            version: v.version,
                            schema_id: v.schema_id,
                            schema: r
                                .schema_by_id(v.schema_id)
                                .map(|st| st.text.to_string())
                                .unwrap_or_default(),
                        })
                        .collect(),
                })
                .collect(),
            last_rejection: r.last_rejection.as_ref().map(|x| RejectionView {
                time_us: x.time_us,
                subject: x.subject.clone(),
                http_status: x.error.http_status,
                error_code: x.error.error_code,
                message: x.error.message.clone(),
            }),
            serializer_cache: ser
                .known_ids
                .iter()
                .map(|((subject, _), id)| CachedIdView {
                    subject: subject.clone(),
                    schema_id: *id,
                })
                .collect(),
            serializer_cache_hits: ser.cache_hits,
            calls_in_flight: ser.pending.len(),
        })
    }

    /// The next `n` things that will happen, with a reason each (stale timers left out).
    fn upcoming(&self, n: usize) -> Vec<UpcomingView> {
        let name = |node: u32| {
            if node == PRODUCER {
                "the producer".to_string()
            } else {
                format!("broker {node}")
            }
        };
        let mut out: Vec<UpcomingView> = Vec::new();
        for (i, a) in self
            .scenario
            .actions
            .iter()
            .enumerate()
            .skip(self.actions_done)
            .take(n)
        {
            let kind = serde_json::to_value(&a.action)
                .ok()
                .and_then(|v| v.get("type").and_then(|t| t.as_str()).map(str::to_string))
                .unwrap_or_default();
            let time_us = self.action_times_us.get(i).copied().unwrap_or(0);
            out.push(UpcomingView {
                time_us,
                description: format!("scenario action: {kind}"),
            });
        }
        for (i, f) in self
            .scenario
            .faults
            .iter()
            .enumerate()
            .skip(self.faults_done)
            .take(n)
        {
            let time_us = self.fault_times_us.get(i).copied().unwrap_or(0);
            let text = serde_json::to_string(&f.fault).unwrap_or_default();
            out.push(UpcomingView {
                time_us,
                description: format!("scheduled fault: {text}"),
            });
        }
        for (time_us, ev) in self.w.queue.iter_sorted() {
            if out.len() >= 3 * n {
                break;
            }
            let description = match ev {
                Event::Arrive {
                    from, to, payload, ..
                } => {
                    format!(
                        "{} from {} arrives at {}",
                        payload.kind(),
                        name(*from),
                        name(*to)
                    )
                }
                Event::ProducerConnectionLost { broker, .. } => {
                    format!("producer notices that broker {broker} reset or refused its connection")
                }
                Event::Generator { .. } => "the application loop calls produce() again".into(),
                Event::Producer(t) => {
                    if !self.producer.timer_live(t) {
                        continue;
                    }
                    t.reason()
                }
                Event::Broker { broker, timer } => {
                    timer.reason(*broker, |tp| self.w.topic_name(tp))
                }
                Event::Controller(t) => t.reason(),
            };
            out.push(UpcomingView {
                time_us,
                description,
            });
        }
        out.sort_by_key(|u| u.time_us);
        out.truncate(n);
        out
    }
}
