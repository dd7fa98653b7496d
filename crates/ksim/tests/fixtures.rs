//! Keyed partition mapping equals the real clients: `tests/fixtures/partitioner.json` was produced
//! by librdkafka's mock cluster (tests/oracle/gen_partitioner_fixture.py) for consistent_random
//! (crc32) and murmur2_random (Java's murmur2).

use ksim::*;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct Case {
    partitioner: String,
    partitions: u32,
    key: String,
    partition: u32,
}

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

fn fixture() -> Fixture {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/partitioner.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn partition_functions_match_librdkafka() {
    let f = fixture();
    assert!(f.cases.len() > 500);
    for c in &f.cases {
        let got = match c.partitioner.as_str() {
            "consistent_random" => partitioner::crc32_partition(c.key.as_bytes(), c.partitions),
            "murmur2_random" => partitioner::murmur2_partition(c.key.as_bytes(), c.partitions),
            other => panic!("unknown partitioner {other}"),
        };
        assert_eq!(
            got, c.partition,
            "{} {} partitions key {:?}",
            c.partitioner, c.partitions, c.key
        );
    }
}

#[test]
fn simulated_producers_use_the_same_mapping() {
    let f = fixture();
    // librdkafka profile with both partitioners, Java profile (murmur2) for murmur2 cases.
    let mut groups: BTreeMap<(String, u32), Vec<&Case>> = BTreeMap::new();
    for c in &f.cases {
        groups
            .entry((c.partitioner.clone(), c.partitions))
            .or_default()
            .push(c);
    }
    for ((partitioner, n), cases) in groups {
        let mut profiles = vec![(
            ClientProfile::Librdkafka,
            vec![("partitioner".to_string(), partitioner.clone())],
        )];
        if partitioner == "murmur2_random" {
            profiles.push((ClientProfile::Java, vec![]));
        }
        for (profile, config) in profiles {
            let sc = Scenario {
                topics: vec![TopicSpec {
                    name: "t".into(),
                    partitions: n,
                    replication_factor: 1,
                    ..Default::default()
                }],
                producer: ProducerSpec {
                    profile,
                    config: config.into_iter().collect(),
                },
                ..Default::default()
            };
            let mut sim = Simulation::new(sc).unwrap();
            for c in &cases {
                sim.produce("t", Some(&c.key), Some("v")).unwrap();
            }
            assert_eq!(sim.run_until_idle(1_000_000).stopped, StopReason::Idle);
            let mut reports = sim.poll();
            reports.sort_by_key(|r| r.msg_id);
            for (r, c) in reports.iter().zip(&cases) {
                assert_eq!(
                    r.partition, c.partition,
                    "{profile:?} {partitioner} {n} key {:?}",
                    c.key
                );
            }
            assert_eq!(reports.len(), cases.len());
        }
    }
}
