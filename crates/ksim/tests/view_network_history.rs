//! The view keeps a short, bounded history of delivered messages, so the UI can draw a
//! sequence diagram (request → response arrows slanted by their latency) without replaying the
//! log; each Produce message names its request number and codec, and an in-flight request's
//! batch bytes are reachable for the inspector.

use ksim::*;

fn scenario(compression: &str) -> Scenario {
    let mut s = Scenario::default();
    s.topics.push(TopicSpec {
        name: "payments".into(),
        partitions: 3,
        replication_factor: 3,
        ..Default::default()
    });
    s.producer
        .config
        .insert("compression.type".into(), compression.into());
    s
}

#[test]
fn a_produce_and_its_response_are_remembered_with_request_number_and_codec() {
    let mut sim = Simulation::new(scenario("lz4")).unwrap();
    // Compressible (librdkafka sends a batch uncompressed when compressing does not help).
    let value = "Made a payment of $200 to Bob. ".repeat(20);
    sim.produce("payments", Some("Alice"), Some(&value))
        .unwrap();
    // Run until the request is on the wire: its batch bytes are reachable while it flies.
    let mut seen_in_flight = false;
    while let Some(_step) = sim.step() {
        let v = sim.view();
        if let Some(m) = v.network.iter().find(|m| m.kind == "Produce") {
            assert_eq!(m.codec.as_deref(), Some("lz4"));
            let req = m.req_id.expect("a Produce names its request");
            let InFlightBatch {
                topic,
                partition,
                bytes,
            } = sim.in_flight_batch_bytes(req, 0).expect("bytes");
            assert_eq!(topic, "payments");
            assert_eq!(partition, partitioner::crc32_partition(b"Alice", 3));
            assert_eq!(
                kwire::batch::decode_header(&bytes)
                    .unwrap()
                    .codec()
                    .unwrap()
                    .name(),
                "lz4"
            );
            seen_in_flight = true;
            break;
        }
    }
    assert!(seen_in_flight);
    sim.run_until_idle(100_000);
    let v = sim.view();
    let req = v
        .network_delivered
        .iter()
        .find(|m| m.kind == "Produce")
        .expect("the request is remembered");
    let resp = v
        .network_delivered
        .iter()
        .find(|m| m.kind == "ProduceResponse")
        .expect("the response is remembered");
    assert_eq!(req.req_id, resp.req_id);
    assert_eq!((req.from, resp.to), (PRODUCER, PRODUCER));
    assert!(req.sent_us < req.arrival_us && req.arrival_us <= resp.sent_us);
    assert!(resp.sent_us < resp.arrival_us);
    assert!(v.network_delivered.iter().any(|m| m.kind == "Fetch"));
    // Ordered by arrival.
    assert!(v
        .network_delivered
        .windows(2)
        .all(|w| w[0].arrival_us <= w[1].arrival_us));
}

#[test]
fn the_history_stays_bounded_however_long_the_run() {
    let mut sim = Simulation::new(scenario("none")).unwrap();
    for i in 0..500 {
        sim.produce("payments", Some(&format!("k{i}")), Some("v"))
            .unwrap();
        sim.run_until(sim.now_us() + 20_000);
    }
    sim.run_until_idle(10_000_000);
    let v = sim.view();
    let produce = v
        .network_delivered
        .iter()
        .filter(|m| m.req_id.is_some())
        .count();
    let other = v.network_delivered.len() - produce;
    assert_eq!(produce, RECENT_DELIVERED_PRODUCE);
    assert_eq!(other, RECENT_DELIVERED_OTHER);
}

#[test]
fn a_lost_response_says_when_it_was_lost() {
    let mut sim = Simulation::new(scenario("none")).unwrap();
    sim.produce("payments", Some("Alice"), Some("v")).unwrap();
    let p = partitioner::crc32_partition(b"Alice", 3);
    let leader = sim.view().partitions[p as usize].leader.unwrap();
    sim.apply(Action::InjectFault {
        fault: Fault::DropNextResponse {
            broker: leader,
            count: 1,
        },
    })
    .unwrap();
    sim.run_until(sim.now_us() + 50_000);
    let v = sim.view();
    let lost = v
        .network_dropped
        .iter()
        .find(|m| m.kind == "ProduceResponse")
        .expect("the response is lost");
    assert!(lost.dropped);
    assert_eq!(lost.lost_us, Some(lost.sent_us), "lost on its way");
    assert!(lost.req_id.is_some());
}

#[test]
fn an_isolated_broker_says_whether_the_producer_is_cut_off_too() {
    for include_producer in [false, true] {
        let mut sim = Simulation::new(scenario("none")).unwrap();
        sim.apply(Action::InjectFault {
            fault: Fault::Isolate {
                broker: 2,
                include_producer,
            },
        })
        .unwrap();
        let v = sim.view();
        let b = v.brokers.iter().find(|b| b.id == 2).unwrap();
        assert!(b.isolated);
        assert_eq!(b.producer_cut, include_producer);
        assert!(v
            .brokers
            .iter()
            .filter(|b| b.id != 2)
            .all(|b| !b.producer_cut));
    }
}
