//! Segments, retention and the playground's memory budget, in words: what the partition logs,
//! the cluster panel and the inspector say about a replica's stored data (where its log starts,
//! its segments and size, what retention deleted, which offsets' record bytes the playground
//! dropped from memory). Every number is the core's (`ksim::ReplicaView`, `ksim::BatchView`);
//! this only words them.

use ksim::ReplicaView;

/// A size as the page shows it: exact bytes below 1 kB, else kB or MB with one decimal. Decimal
/// units, as `segment.bytes` and `retention.bytes` count.
pub fn size(bytes: u64) -> String {
    if bytes < 1000 {
        format!("{bytes} B")
    } else if bytes < 1_000_000 {
        format!("{:.1} KB", bytes as f64 / 1e3)
    } else if bytes < 1_000_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else {
        format!("{:.1} GB", bytes as f64 / 1e9)
    }
}

/// What one replica's log holds, as the core reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Storage {
    /// Retention deleted every offset below this one.
    pub log_start_offset: i64,
    pub segment_count: usize,
    pub size_bytes: u64,
    /// Batches whose record bytes the playground dropped (its memory budget).
    pub payload_dropped_batches: u64,
    /// From the log start offset up to (not including) this offset the record bytes are gone.
    pub payload_dropped_below: i64,
}

impl Storage {
    pub fn of(r: &ReplicaView) -> Storage {
        Storage {
            log_start_offset: r.log_start_offset,
            segment_count: r.segment_count,
            size_bytes: r.log_size_bytes,
            payload_dropped_batches: r.payload_dropped_batches,
            payload_dropped_below: r.payload_dropped_below,
        }
    }

    /// "log start 70 · 3 segments · 7.7 KB".
    pub fn summary(&self) -> String {
        let (start, segments) = self.summary_parts();
        format!("{start} · {segments}")
    }

    /// The summary in the two parts a narrow box may wrap between: "log start 70" and
    /// "3 segments · 7.7 KB".
    pub fn summary_parts(&self) -> (String, String) {
        (
            format!("log start {}", self.log_start_offset),
            format!(
                "{} segment{} · {}",
                self.segment_count,
                if self.segment_count == 1 { "" } else { "s" },
                size(self.size_bytes)
            ),
        )
    }

    /// Said once retention deleted segments (the log start offset moved forward).
    pub fn deleted_note(&self) -> Option<String> {
        (self.log_start_offset > 0).then(|| {
            format!(
                "Offsets below {} were deleted by retention (retention.ms / retention.bytes).",
                self.log_start_offset
            )
        })
    }

    /// Said while the playground holds some batches without their record bytes.
    pub fn dropped_note(&self) -> Option<String> {
        (self.payload_dropped_batches > 0).then(|| {
            dropped_sentence(
                self.log_start_offset,
                self.payload_dropped_below
                    .saturating_sub(1)
                    .max(self.log_start_offset),
            )
        })
    }

    /// The notes under a partition's log, in this order: deleted, then dropped.
    pub fn notes(&self) -> Vec<String> {
        self.deleted_note()
            .into_iter()
            .chain(self.dropped_note())
            .collect()
    }
}

/// The offsets `first..=last` have no record bytes in the playground's memory.
pub fn dropped_sentence(first: i64, last: i64) -> String {
    let offsets = if first == last {
        format!("Offset {first}")
    } else {
        format!("Offsets {first}–{last}")
    };
    format!(
        "{offsets}: record bytes dropped from the playground's memory; Kafka would keep them until retention.ms."
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ksim::Simulation;

    pub(crate) fn example(name: &str) -> Simulation {
        let path = format!("{}/examples/{name}.json", env!("CARGO_MANIFEST_DIR"));
        let json = std::fs::read_to_string(path).expect("example");
        Simulation::new(ksim::Scenario::from_json(&json).expect("scenario")).expect("valid")
    }

    /// One broker with a 1 MiB record-bytes budget, given twelve 400 kB records, one per batch,
    /// that commit at once: the broker keeps the record bytes of the newest batch only.
    pub(crate) const DROPPING: &str = r#"{
        "version": 1, "seed": 1,
        "cluster": { "brokers": 1, "record_bytes_budget_mb": 1 },
        "topics": [{ "name": "big", "partitions": 1, "replication_factor": 1 }],
        "producer": { "profile": "librdkafka", "config": { "linger.ms": 0 } },
        "actions": [{ "at_ms": 0, "action": { "type": "produce_many", "topic": "big", "count": 12,
            "rate_per_sec": 2, "value": "v{i}", "value_size_bytes": 400000 } }],
        "log": { "per_message": false }
    }"#;

    /// `DROPPING`, run to its end.
    pub(crate) fn dropping() -> Simulation {
        let mut sim =
            Simulation::new(ksim::Scenario::from_json(DROPPING).expect("scenario")).expect("valid");
        sim.run_until_idle(10_000_000);
        assert_eq!(sim.stopped_by_limit(), None);
        sim
    }

    #[test]
    fn dropped_record_bytes_are_said_for_the_offsets_the_core_names() {
        let sim = dropping();
        let view = sim.view();
        let r = &view.partitions[0].replicas[0];
        assert!(
            r.payload_dropped_batches > 0,
            "the scenario drops record bytes"
        );
        let s = Storage::of(r);
        assert_eq!(
            s.notes(),
            vec![format!(
                "Offsets 0–{}: record bytes dropped from the playground's memory; Kafka would keep them until retention.ms.",
                r.payload_dropped_below - 1
            )],
            "nothing deleted by retention, only dropped"
        );
    }

    #[test]
    fn sizes_read_in_decimal_units() {
        assert_eq!(size(0), "0 B");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(7_728), "7.7 KB");
        assert_eq!(size(16_000), "16.0 KB");
        assert_eq!(size(1_500_000), "1.5 MB");
        assert_eq!(size(3_200_000_000), "3.2 GB");
    }

    #[test]
    fn a_log_retention_shortened_says_where_it_starts_and_why() {
        let mut sim = example("retention-segments");
        sim.run_until_idle(1_000_000);
        let view = sim.view();
        let r = &view.partitions[0].replicas[0];
        let s = Storage::of(r);
        assert_eq!(
            s.log_start_offset, 70,
            "the example moves the log start to 70"
        );
        assert!(
            s.summary().starts_with("log start 70 · "),
            "{}",
            s.summary()
        );
        assert!(
            s.summary()
                .contains(&format!("{} segments", r.segment_count)),
            "{}",
            s.summary()
        );
        assert_eq!(
            s.notes(),
            vec![
                "Offsets below 70 were deleted by retention (retention.ms / retention.bytes)."
                    .to_string()
            ],
            "nothing was dropped under the default budget"
        );
    }

    #[test]
    fn a_fresh_log_says_nothing_was_deleted_or_dropped() {
        let s = Storage {
            log_start_offset: 0,
            segment_count: 1,
            size_bytes: 0,
            payload_dropped_batches: 0,
            payload_dropped_below: 0,
        };
        assert_eq!(s.summary(), "log start 0 · 1 segment · 0 B");
        assert!(s.notes().is_empty());
    }

    #[test]
    fn dropped_record_bytes_name_their_offsets() {
        let s = Storage {
            log_start_offset: 14,
            segment_count: 3,
            size_bytes: 7_728,
            payload_dropped_batches: 5,
            payload_dropped_below: 40,
        };
        assert_eq!(
            s.notes(),
            vec![
                "Offsets below 14 were deleted by retention (retention.ms / retention.bytes)."
                    .to_string(),
                "Offsets 14–39: record bytes dropped from the playground's memory; Kafka would keep them until retention.ms.".to_string(),
            ]
        );
        assert_eq!(
            dropped_sentence(3, 3),
            "Offset 3: record bytes dropped from the playground's memory; Kafka would keep them until retention.ms."
        );
    }
}
