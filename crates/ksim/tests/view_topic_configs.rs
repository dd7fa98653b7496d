//! The view reports each topic's effective configuration and where each value comes from: a
//! topic-level value (`Action::SetTopicConfig` or the topic spec) overrides the cluster's default
//! for topics, which overrides Kafka's default (docs/kafka-sources.md §2.3, §6).

use ksim::{
    topic_config_default, Action, Scenario, Simulation, TopicConfigSource, TopicSpec, View,
    TOPIC_CONFIG_DEFAULTS,
};

fn config<'a>(v: &'a View, topic: &str, name: &str) -> (&'a str, TopicConfigSource) {
    let t = v.topics.iter().find(|t| t.name == topic).unwrap();
    let c = t.configs.iter().find(|c| c.name == name).unwrap();
    (c.value.as_str(), c.source)
}

fn two_topics() -> Simulation {
    let mut s = Scenario::default();
    for name in ["payments", "audit"] {
        s.topics.push(TopicSpec {
            name: name.into(),
            partitions: 2,
            replication_factor: 3,
            ..Default::default()
        });
    }
    Simulation::new(s).unwrap()
}

#[test]
fn a_topic_config_set_on_the_topic_is_reported_and_the_rest_are_defaults() {
    let mut sim = two_topics();
    let v = sim.view();
    assert_eq!(
        v.topics.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        ["payments", "audit"]
    );
    for t in &v.topics {
        assert_eq!(t.configs.len(), TOPIC_CONFIG_DEFAULTS.len());
        for c in &t.configs {
            assert_eq!(c.source, TopicConfigSource::Default, "{}", c.name);
            assert_eq!(Some(c.value.as_str()), topic_config_default(&c.name));
        }
    }
    assert_eq!(
        config(&v, "payments", "compression.type"),
        ("producer", TopicConfigSource::Default)
    );

    sim.apply(Action::SetTopicConfig {
        topic: "payments".into(),
        name: "compression.type".into(),
        value: "zstd".into(),
    })
    .unwrap();
    let v = sim.view();
    assert_eq!(
        config(&v, "payments", "compression.type"),
        ("zstd", TopicConfigSource::Topic)
    );
    assert_eq!(
        config(&v, "payments", "min.insync.replicas"),
        ("1", TopicConfigSource::Default)
    );
    assert_eq!(
        config(&v, "audit", "compression.type"),
        ("producer", TopicConfigSource::Default),
        "only the named topic changes"
    );

    // A rejected value leaves the view as it was.
    assert!(sim
        .apply(Action::SetTopicConfig {
            topic: "payments".into(),
            name: "compression.type".into(),
            value: "brotli".into(),
        })
        .is_err());
    assert_eq!(
        config(&sim.view(), "payments", "compression.type"),
        ("zstd", TopicConfigSource::Topic)
    );
}

#[test]
fn a_topic_level_value_overrides_the_cluster_default_for_topics() {
    let mut s = Scenario::default();
    s.cluster
        .topic_defaults
        .insert("min.insync.replicas".into(), "2".into());
    s.topics.push(TopicSpec {
        name: "t".into(),
        partitions: 1,
        replication_factor: 3,
        ..Default::default()
    });
    let mut sim = Simulation::new(s).unwrap();
    assert_eq!(
        config(&sim.view(), "t", "min.insync.replicas"),
        ("2", TopicConfigSource::Broker)
    );
    sim.apply(Action::SetTopicConfig {
        topic: "t".into(),
        name: "min.insync.replicas".into(),
        value: "3".into(),
    })
    .unwrap();
    assert_eq!(
        config(&sim.view(), "t", "min.insync.replicas"),
        ("3", TopicConfigSource::Topic)
    );
}
