//! Bad input (issue 10): the live view and the sequence diagram must draw any state the core
//! can reach. Every 500th step of 200 random fault schedules (the same kinds as ksim's property
//! test: crashes, restarts, isolation, lost requests and acks, random loss, slow links and
//! followers, failed produces, with long topic names) is laid out natively: no panic, every
//! shape inside the viewBox with finite coordinates, node counts under their caps.

use crate::{live_layout, sequence_layout};
use ksim::*;

struct R(u64);
impl R {
    fn next(&mut self) -> u64 {
        // splitmix64
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn schedule(seed: u64) -> Scenario {
    let mut r = R(seed);
    let brokers = 1 + r.below(7) as u32;
    let mut faults = Vec::new();
    for _ in 0..1 + r.below(6) {
        let b = 1 + r.below(brokers as u64) as u32;
        let fault = match r.below(10) {
            0 => Fault::Crash { broker: b },
            1 => Fault::DropNextResponse {
                broker: b,
                count: 1 + r.below(2) as u32,
            },
            2 => Fault::DropNextRequest {
                broker: b,
                count: 1,
            },
            3 => Fault::RandomLoss {
                probability: (1 + r.below(30)) as f64 / 100.0,
                from: None,
                to: None,
            },
            4 => Fault::Isolate {
                broker: b,
                include_producer: r.below(2) == 0,
            },
            5 => Fault::DelayLink {
                from: 0,
                to: b,
                delay_ms: r.below(3000) as f64,
            },
            6 => Fault::SlowFollower {
                broker: b,
                delay_ms: r.below(2000) as f64,
            },
            7 => Fault::Restart { broker: b },
            8 => Fault::Heal { broker: b },
            _ => Fault::FailNextProduce {
                broker: b,
                error: "NOT_ENOUGH_REPLICAS_AFTER_APPEND".into(),
                count: 1,
                after: r.below(3) as u32,
            },
        };
        faults.push(TimedFault {
            at_ms: r.below(3000) as f64,
            fault,
        });
    }
    let topic = if seed.is_multiple_of(3) {
        "t".repeat(249)
    } else {
        format!("t{seed}")
    };
    let rf = 1 + r.below(brokers.min(3) as u64) as u32;
    let mut config = std::collections::BTreeMap::new();
    config.insert("linger.ms".to_string(), r.below(50).to_string());
    config.insert(
        "acks".to_string(),
        ["0", "1", "all"][r.below(3) as usize].to_string(),
    );
    config.insert(
        "compression.type".to_string(),
        ["none", "gzip", "snappy", "lz4", "zstd"][r.below(5) as usize].to_string(),
    );
    let mut s = Scenario {
        seed,
        topics: vec![TopicSpec {
            name: topic.clone(),
            partitions: 1 + r.below(12) as u32,
            replication_factor: rf,
            ..Default::default()
        }],
        producer: ProducerSpec {
            profile: if seed.is_multiple_of(2) {
                ClientProfile::Librdkafka
            } else {
                ClientProfile::Java
            },
            config,
        },
        actions: vec![TimedAction {
            at_ms: 0.0,
            action: Action::ProduceMany {
                topic,
                count: 100 + r.below(400),
                rate_per_sec: Some(200.0 + r.below(5000) as f64),
                key: Some("k{i}".into()),
                key_count: Some(1 + r.below(20)),
                value: "m{i}".into(),
                value_size_bytes: Some(r.below(3000) as usize),
                mode: ProduceMode::Async,
            },
        }],
        faults,
        ..Default::default()
    };
    s.cluster.brokers = brokers;
    s
}

#[test]
fn every_500th_step_of_200_fault_schedules_draws_inside_the_view_box() {
    let mut drawn = 0;
    for seed in 0..200u64 {
        let Ok(mut sim) = Simulation::new(schedule(seed)) else {
            continue;
        };
        for step in 0..20_000u32 {
            if sim.step().is_none() {
                break;
            }
            if step % 500 != 0 {
                continue;
            }
            let v = sim.view();
            for narrow in [false, true] {
                let live = live_layout::layout(&v, narrow, &live_layout::send_reasons(sim.log()));
                assert!(
                    live.outside().is_empty(),
                    "seed {seed} step {step} narrow {narrow}: {:?}",
                    live.outside()
                );
                assert!(
                    live.node_count() <= live_layout::MAX_NODES,
                    "seed {seed}: {}",
                    live.node_count()
                );
            }
            let seq = sequence_layout::layout(&v, sim.log());
            assert!(
                seq.outside().is_empty(),
                "seed {seed} step {step}: {:?}",
                seq.outside()
            );
            assert!(
                seq.node_count() <= sequence_layout::MAX_NODES,
                "seed {seed}: {}",
                seq.node_count()
            );
            drawn += 1;
        }
    }
    assert!(drawn > 1000, "{drawn} states drawn");
}
