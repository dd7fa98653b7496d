//! The producer on its own: inputs in, outputs out, no simulation around it. Each test states a
//! client rule (docs/kafka-sources.md §4, §5) and checks the requests, timers and reports the
//! producer asks for.

use super::*;
use crate::log::SealReason;
use crate::node::testing::{logs, timers, transmits, TestWorld};
use crate::proto::{PartitionResponse, ProduceRequest};
use crate::scenario::{ClientProfile, ProducerSpec};

fn producer(profile: ClientProfile, config: &[(&str, &str)]) -> Producer {
    let spec = ProducerSpec {
        profile,
        config: config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    };
    Producer::new(ProducerSettings::from_spec(&spec).unwrap(), 1000, 42)
}

fn rdk(config: &[(&str, &str)]) -> Producer {
    producer(ClientProfile::Librdkafka, config)
}

fn record(key: &str, value_len: usize) -> Record {
    Record {
        timestamp_ms: 0,
        key: Some(key.as_bytes().to_vec()),
        value: Some(vec![b'x'; value_len]),
        headers: Vec::new(),
    }
}

/// Produces to partition `p` of topic 0 (of 3 partitions) and returns what the producer queued.
fn produce(
    pr: &mut Producer,
    w: &TestWorld,
    p: u32,
    value_len: usize,
) -> Vec<Output<ProducerTimer>> {
    pr.produce(
        &w.cx(),
        TopicRef::Known(0),
        Some(p),
        record("k", value_len),
        true,
    )
    .unwrap();
    drain(pr)
}

fn drain(pr: &mut Producer) -> Vec<Output<ProducerTimer>> {
    std::iter::from_fn(|| pr.poll_output()).collect()
}

/// Every partition of topic 0 led by broker 1.
fn lead_all(pr: &mut Producer) {
    for partition in 0..3 {
        pr.learn_leader(
            Tp {
                topic: 0,
                partition,
            },
            Some(1),
        );
    }
}

/// The ProduceRequests among `outputs`.
fn requests(outputs: &[Output<ProducerTimer>]) -> Vec<Arc<ProduceRequest>> {
    transmits(outputs)
        .into_iter()
        .filter_map(|t| match &t.payload {
            Payload::Produce(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

fn ok_response(req: &ProduceRequest, base_offset: i64) -> ProducerInput {
    ProducerInput::Response {
        broker: 1,
        resp: ProduceResponse {
            req_id: req.req_id,
            results: req
                .parts
                .iter()
                .map(|p| PartitionResponse {
                    tp: p.tp,
                    result: Ok(base_offset),
                    log_append_time_ms: None,
                })
                .collect(),
        },
    }
}

#[test]
fn librdkafka_sends_when_batch_num_messages_is_reached() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("batch.num.messages", "3"), ("linger.ms", "1000")]);
    lead_all(&mut p);
    assert!(requests(&produce(&mut p, &w, 0, 10)).is_empty());
    assert!(requests(&produce(&mut p, &w, 0, 10)).is_empty());
    let out = produce(&mut p, &w, 0, 10);
    let reqs = requests(&out);
    assert_eq!(reqs.len(), 1, "the third message fills the batch");
    assert_eq!(reqs[0].parts.len(), 1, "one partition per request");
    assert_eq!(reqs[0].parts[0].records, 3);
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::BatchSealed {
            reason: SealReason::Count,
            records: 3,
            ..
        }
    )));
}

#[test]
fn librdkafka_sends_when_batch_size_bytes_are_reached() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("batch.size", "300"), ("linger.ms", "1000")]);
    lead_all(&mut p);
    assert!(requests(&produce(&mut p, &w, 1, 100)).is_empty());
    let reqs = requests(&produce(&mut p, &w, 1, 250));
    assert_eq!(reqs.len(), 1, "350 record bytes reach batch.size 300");
    assert_eq!(reqs[0].parts[0].tp.partition, 1);
}

#[test]
fn linger_holds_a_batch_until_its_deadline() {
    let mut w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("linger.ms", "50")]);
    lead_all(&mut p);
    let out = produce(&mut p, &w, 0, 10);
    assert!(requests(&out).is_empty(), "linger.ms has not run out");
    assert_eq!(
        timers(&out),
        [(50_000, ProducerTimer::Wake)],
        "a wake-up at the deadline"
    );
    w.now_us = 50_000;
    p.handle(&w.cx(), ProducerInput::Timer(ProducerTimer::Wake));
    let out = drain(&mut p);
    assert_eq!(requests(&out).len(), 1);
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::BatchSealed {
            reason: SealReason::Linger,
            ..
        }
    )));
}

#[test]
fn flush_sends_at_once_ignoring_linger() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("linger.ms", "60000")]);
    lead_all(&mut p);
    produce(&mut p, &w, 2, 10);
    p.flush_start(&w.cx(), None, None);
    let out = drain(&mut p);
    assert_eq!(requests(&out).len(), 1);
    assert!(logs(&out)
        .iter()
        .any(|e| matches!(e, LogEvent::FlushStarted { queued: 1 })));
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::BatchSealed {
            reason: SealReason::Flush,
            ..
        }
    )));
}

#[test]
fn max_in_flight_holds_the_next_request_until_a_response() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("max.in.flight", "1"), ("linger.ms", "0")]);
    lead_all(&mut p);
    let first = requests(&produce(&mut p, &w, 0, 10));
    assert_eq!(first.len(), 1);
    assert!(
        requests(&produce(&mut p, &w, 1, 10)).is_empty(),
        "one request in flight to broker 1 already"
    );
    p.handle(&w.cx(), ok_response(&first[0], 0));
    let next = requests(&drain(&mut p));
    assert_eq!(next.len(), 1, "the response frees the slot");
    assert_eq!(next[0].parts[0].tp.partition, 1);
}

#[test]
fn retries_back_off_exponentially_with_jitter_in_librdkafka_and_constantly_in_java() {
    for (profile, low_ms, high_ms) in [
        (ClientProfile::Librdkafka, 80.0, 120.0),
        (ClientProfile::Java, 100.0, 100.0),
    ] {
        let w = TestWorld::new(3, &[]);
        let mut p = producer(profile, &[("linger.ms", "0"), ("retry.backoff.ms", "100")]);
        lead_all(&mut p);
        let req = requests(&produce(&mut p, &w, 0, 10)).remove(0);
        let err = ProducerInput::Response {
            broker: 1,
            resp: ProduceResponse {
                req_id: req.req_id,
                results: vec![PartitionResponse {
                    tp: req.parts[0].tp,
                    result: Err(ErrorCode::NotEnoughReplicas),
                    log_append_time_ms: None,
                }],
            },
        };
        p.handle(&w.cx(), err);
        let out = drain(&mut p);
        let backoff = logs(&out)
            .iter()
            .find_map(|e| match e {
                LogEvent::RetryScheduled {
                    backoff_ms,
                    attempt: 2,
                    ..
                } => Some(*backoff_ms),
                _ => None,
            })
            .expect("a retry is scheduled");
        assert!(
            (low_ms..=high_ms).contains(&backoff),
            "{profile:?}: first retry after {backoff} ms"
        );
        assert!(
            requests(&out).is_empty(),
            "nothing resent before the backoff"
        );
    }
}

#[test]
fn idempotent_batches_carry_consecutive_sequences_per_partition() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("enable.idempotence", "true"), ("batch.num.messages", "2")]);
    lead_all(&mut p);
    let mut sent = Vec::new();
    for partition in [0, 0, 0, 0, 1, 1] {
        sent.extend(requests(&produce(&mut p, &w, partition, 10)));
    }
    let seqs: Vec<(u32, i32, i64, i16)> = sent
        .iter()
        .map(|r| {
            let part = &r.parts[0];
            (
                part.tp.partition,
                part.base_sequence,
                part.producer_id,
                part.producer_epoch,
            )
        })
        .collect();
    assert_eq!(
        seqs,
        [(0, 0, 1000, 0), (0, 2, 1000, 0), (1, 0, 1000, 0)],
        "each partition counts its own sequence from 0, two records per batch"
    );
}

#[test]
fn delivery_reports_arrive_in_produce_order_and_poll_serves_them() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("batch.num.messages", "3"), ("linger.ms", "1000")]);
    lead_all(&mut p);
    produce(&mut p, &w, 0, 10);
    produce(&mut p, &w, 0, 10);
    let req = requests(&produce(&mut p, &w, 0, 10)).remove(0);
    p.handle(&w.cx(), ok_response(&req, 40));
    drain(&mut p);
    let ready: Vec<(u64, Option<i64>)> = p
        .ready_reports
        .iter()
        .map(|r| (r.msg_id, r.offset))
        .collect();
    assert_eq!(ready, [(0, Some(40)), (1, Some(41)), (2, Some(42))]);
    assert_eq!(
        p.outq_len(),
        3,
        "len(producer) counts reports not yet served"
    );
    assert_eq!(p.poll(&w.cx()), 3);
    assert_eq!(p.outq_len(), 0);
    assert!(p.ready_reports.is_empty());
}

#[test]
fn a_full_queue_raises_buffer_error_and_queues_nothing() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("queue.buffering.max.messages", "2"), ("linger.ms", "1000")]);
    lead_all(&mut p);
    produce(&mut p, &w, 0, 10);
    produce(&mut p, &w, 0, 10);
    let third = p.produce(&w.cx(), TopicRef::Known(0), Some(0), record("k", 10), true);
    assert_eq!(third, Err(SimError::QueueFull), "Python's BufferError");
    assert!(
        drain(&mut p).is_empty(),
        "a refused produce() asks for nothing"
    );
    assert_eq!(p.outq_len(), 2);
}

#[test]
fn acks_0_reports_delivery_when_sent_without_an_offset() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("acks", "0"), ("linger.ms", "0")]);
    lead_all(&mut p);
    let out = produce(&mut p, &w, 0, 10);
    assert_eq!(requests(&out)[0].acks, 0);
    assert!(
        timers(&out)
            .iter()
            .all(|(_, t)| !matches!(t, ProducerTimer::RequestTimeout { .. })),
        "no response is awaited"
    );
    let r = &p.ready_reports[0];
    assert_eq!((r.error, r.offset), (None, None));
}

#[test]
fn java_piggybacks_every_ready_partition_of_a_broker_into_one_request() {
    let w = TestWorld::new(3, &[]);
    let mut p = producer(ClientProfile::Java, &[("linger.ms", "1000")]);
    lead_all(&mut p);
    produce(&mut p, &w, 0, 10);
    produce(&mut p, &w, 1, 10);
    produce(&mut p, &w, 2, 10);
    p.flush_start(&w.cx(), None, None);
    let reqs = requests(&drain(&mut p));
    assert_eq!(reqs.len(), 1, "one request to broker 1");
    let mut partitions: Vec<u32> = reqs[0].parts.iter().map(|x| x.tp.partition).collect();
    partitions.sort_unstable();
    assert_eq!(partitions, [0, 1, 2]);
}

#[test]
fn a_capped_librdkafka_backoff_waits_exactly_retry_backoff_max_ms() {
    let s = ProducerSettings::from_spec(&ProducerSpec {
        profile: ClientProfile::Librdkafka,
        config: [
            ("retry.backoff.ms", "100"),
            ("retry.backoff.max.ms", "1000"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect(),
    })
    .unwrap();
    let mut rng = Rng::new(3);
    let c = client::Client::new(ClientProfile::Librdkafka);
    for _ in 0..50 {
        // 2^4 × 100 ms = 1600 ms, ±20 % = 1280–1920 ms: always above the cap.
        assert_eq!(c.backoff_ms(&s, 5, &mut rng), 1000.0);
        let third = c.backoff_ms(&s, 3, &mut rng);
        assert!((320.0..=480.0).contains(&third), "400 ms ± 20 %: {third}");
    }
}

#[test]
fn a_request_timeout_with_no_retries_left_reports_msg_timed_out() {
    let mut w = TestWorld::new(3, &[]);
    let mut p = rdk(&[
        ("retries", "0"),
        ("linger.ms", "0"),
        ("socket.timeout.ms", "10"),
    ]);
    lead_all(&mut p);
    let out = produce(&mut p, &w, 0, 10);
    let req_id = requests(&out)[0].req_id;
    let (at, timer) = timers(&out)
        .into_iter()
        .find(|(_, t)| matches!(t, ProducerTimer::RequestTimeout { .. }))
        .expect("socket.timeout.ms is armed");
    assert_eq!(timer, ProducerTimer::RequestTimeout { req_id });
    w.now_us = at;
    p.handle(&w.cx(), ProducerInput::Timer(timer));
    drain(&mut p);
    let r = &p.ready_reports[0];
    assert_eq!(r.error, Some(ErrorCode::MsgTimedOut), "not _TIMED_OUT");
    assert_eq!(r.error_name.as_deref(), Some("_MSG_TIMED_OUT"));
}

#[test]
fn producing_to_a_partition_the_topic_lacks_raises_unknown_partition() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[]);
    let e = p
        .produce(&w.cx(), TopicRef::Known(0), Some(3), record("k", 1), true)
        .unwrap_err();
    assert!(matches!(e, SimError::UnknownPartition(_)));
    assert!(
        e.to_string()
            .starts_with("_UNKNOWN_PARTITION: Local: Unknown partition"),
        "{e}"
    );
}

/// The Connect messages among `outputs`, with their attempt numbers.
fn connects(outputs: &[Output<ProducerTimer>]) -> Vec<(u32, u64)> {
    transmits(outputs)
        .into_iter()
        .filter_map(|t| match t.payload {
            Payload::Connect { attempt } => Some((t.to, attempt)),
            _ => None,
        })
        .collect()
}

fn reconnect_timer(outputs: &[Output<ProducerTimer>]) -> Option<u64> {
    timers(outputs).into_iter().find_map(|(at, t)| match t {
        ProducerTimer::Reconnect { broker: 1 } => Some(at),
        _ => None,
    })
}

#[test]
fn no_request_goes_to_a_broker_whose_connection_is_down_and_in_flight_ones_fail_with_transport() {
    for acks in ["1", "0"] {
        let mut w = TestWorld::new(3, &[]);
        let mut p = rdk(&[("acks", acks), ("linger.ms", "0")]);
        lead_all(&mut p);
        produce(&mut p, &w, 0, 10);
        w.now_us = 1_000;
        let lost = ProducerInput::ConnectionLost {
            broker: 1,
            reason: "reset",
        };
        p.handle(&w.cx(), lost);
        let out = drain(&mut p);
        let mut armed = reconnect_timer(&out);
        if acks == "1" {
            assert!(logs(&out).iter().any(|e| matches!(
                e,
                LogEvent::ConnectionReset {
                    req_id: 0,
                    broker: 1
                }
            )));
            assert!(logs(&out).iter().any(|e| matches!(
                e,
                LogEvent::RetryScheduled {
                    error: ErrorCode::Transport,
                    ..
                }
            )));
        }
        let out = produce(&mut p, &w, 1, 10);
        armed = armed.or(reconnect_timer(&out));
        assert!(
            requests(&out).is_empty(),
            "acks={acks}: the connection is down"
        );
        let delivered = p.ready_reports.iter().filter(|r| r.msg_id == 1).count();
        assert_eq!(
            delivered, 0,
            "acks={acks}: a message for a down leader is not delivered"
        );
        assert!(
            armed.is_some(),
            "acks={acks}: a message for broker 1 asks for a new connection"
        );
    }
}

#[test]
fn reconnects_back_off_and_the_queue_goes_out_once_connected() {
    let mut w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("linger.ms", "0"), ("reconnect.backoff.ms", "100")]);
    lead_all(&mut p);
    let lost = |reason| ProducerInput::ConnectionLost { broker: 1, reason };
    p.handle(&w.cx(), lost("reset"));
    assert!(
        drain(&mut p).iter().all(|o| !matches!(
            o,
            Output::Timer {
                timer: ProducerTimer::Reconnect { .. },
                ..
            }
        )),
        "nothing to send: no reconnect (sparse connections)"
    );
    let out = produce(&mut p, &w, 0, 10);
    assert!(requests(&out).is_empty());
    let at = reconnect_timer(&out).expect("a message for broker 1 asks for a connection");
    assert_eq!(at, 0, "the first attempt may start at once");
    // Attempt 1 is refused; the next may start 75–150 ms after it, the one after 150–300 ms.
    let mut previous_at = at;
    for (low, high) in [(75_000, 150_000), (150_000, 300_000), (300_000, 600_000)] {
        w.now_us = previous_at;
        p.handle(
            &w.cx(),
            ProducerInput::Timer(ProducerTimer::Reconnect { broker: 1 }),
        );
        let out = drain(&mut p);
        assert_eq!(connects(&out).len(), 1, "one attempt");
        w.now_us += 2_000;
        p.handle(&w.cx(), lost("refused"));
        let next = reconnect_timer(&drain(&mut p)).expect("the next attempt is set");
        let wait = next - previous_at;
        assert!(
            (low..=high).contains(&wait),
            "backoff {wait} µs not in {low}..={high}"
        );
        previous_at = next;
    }
    w.now_us = previous_at;
    p.handle(
        &w.cx(),
        ProducerInput::Timer(ProducerTimer::Reconnect { broker: 1 }),
    );
    let (_, attempt) = connects(&drain(&mut p))[0];
    w.now_us += 2_000;
    p.handle(&w.cx(), ProducerInput::Connected { broker: 1, attempt });
    let out = drain(&mut p);
    assert!(logs(&out)
        .iter()
        .any(|e| matches!(e, LogEvent::ConnectionUp { broker: 1 })));
    assert_eq!(requests(&out).len(), 1, "the waiting message goes out");
}

#[test]
fn out_of_order_on_the_head_of_line_batch_is_fatal_and_purges_the_queue() {
    let w = TestWorld::new(3, &[]);
    let mut p = rdk(&[
        ("enable.idempotence", "true"),
        ("linger.ms", "0"),
        ("max.in.flight", "1"),
    ]);
    lead_all(&mut p);
    let first = requests(&produce(&mut p, &w, 0, 10)).remove(0);
    produce(&mut p, &w, 0, 10); // waits: one request in flight
    let resp = ProducerInput::Response {
        broker: 1,
        resp: ProduceResponse {
            req_id: first.req_id,
            results: vec![PartitionResponse {
                tp: first.parts[0].tp,
                result: Err(ErrorCode::OutOfOrderSequenceNumber),
                log_append_time_ms: None,
            }],
        },
    };
    p.handle(&w.cx(), resp);
    let out = drain(&mut p);
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::FatalError {
            error: ErrorCode::OutOfOrderSequenceNumber,
            ..
        }
    )));
    let errors: Vec<Option<ErrorCode>> = p.ready_reports.iter().map(|r| r.error).collect();
    assert_eq!(
        errors,
        [
            Some(ErrorCode::OutOfOrderSequenceNumber),
            Some(ErrorCode::PurgeQueue)
        ],
        "the failed batch reports its error, the queued message is purged"
    );
    assert!(requests(&out).is_empty(), "nothing more is sent");
    let e = p
        .produce(&w.cx(), TopicRef::Known(0), Some(0), record("k", 1), true)
        .unwrap_err();
    assert!(
        matches!(e, SimError::Fatal(_)),
        "every later produce() raises _FATAL"
    );
    assert!(
        e.to_string().contains("OUT_OF_ORDER_SEQUENCE_NUMBER"),
        "{e}"
    );
}

#[test]
fn out_of_order_on_a_later_batch_bumps_the_epoch_and_renumbers_without_a_retry() {
    let mut w = TestWorld::new(3, &[]);
    let mut p = rdk(&[("enable.idempotence", "true"), ("batch.num.messages", "1")]);
    lead_all(&mut p);
    let a = requests(&produce(&mut p, &w, 0, 10)).remove(0);
    let b = requests(&produce(&mut p, &w, 0, 10)).remove(0);
    assert_eq!((a.parts[0].base_sequence, b.parts[0].base_sequence), (0, 1));
    let fail = |req: &ProduceRequest, e| ProducerInput::Response {
        broker: 1,
        resp: ProduceResponse {
            req_id: req.req_id,
            results: vec![PartitionResponse {
                tp: req.parts[0].tp,
                result: Err(e),
                log_append_time_ms: None,
            }],
        },
    };
    p.handle(&w.cx(), fail(&a, ErrorCode::NotLeaderOrFollower));
    p.handle(&w.cx(), fail(&b, ErrorCode::OutOfOrderSequenceNumber));
    let out = drain(&mut p);
    assert!(p.ready_reports.is_empty(), "both wait to be resent");
    let retries_used: Vec<u32> = p.parts[&Tp {
        topic: 0,
        partition: 0,
    }]
        .retry
        .iter()
        .map(|b| b.retries_used)
        .collect();
    assert_eq!(
        retries_used,
        [0, 0],
        "NOT_LEADER and skipped sequences use no retry"
    );
    assert!(logs(&out).iter().any(|e| matches!(
        e,
        LogEvent::EpochBumped {
            producer_epoch: 1,
            ..
        }
    )));
    w.now_us = 200_000;
    p.handle(&w.cx(), ProducerInput::Timer(ProducerTimer::Wake));
    let resent = requests(&drain(&mut p));
    let first = &resent[0].parts[0];
    assert_eq!(
        (first.producer_epoch, first.base_sequence),
        (1, 0),
        "A again, renumbered"
    );
}
