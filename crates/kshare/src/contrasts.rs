//! The contrast each lesson teaches, as the two sides of "Run both ways": the same lesson
//! scenario and seed with one setting changed (`ksim::variant`). The lesson's check reads the
//! comparison's outcome ([`check`]): for the acks lesson, acks=1 loses the acknowledged record
//! after the leader crash and acks=all does not.

use ksim::variant::{Comparison, Variant, VariantError};

/// Two sides of a lesson's comparison, as `NAME=VALUE` settings, and what the learner should see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contrast {
    pub a: &'static [&'static str],
    pub b: &'static [&'static str],
    /// What the comparison shows, in one sentence.
    pub point: &'static str,
}

impl Contrast {
    pub fn variants(&self) -> Result<(Variant, Variant), VariantError> {
        Ok((
            Variant::parse(self.a.iter().copied())?,
            Variant::parse(self.b.iter().copied())?,
        ))
    }
}

/// Free play's default: the lecture's "throughput vs overhead" trade-off.
pub const FREE_PLAY: Contrast = Contrast {
    a: &["linger.ms=0"],
    b: &["linger.ms=20"],
    point: "Waiting longer makes fewer, larger batches, at the cost of latency.",
};

/// The contrast of lesson `id`, if it teaches one.
pub fn for_lesson(id: &str) -> Option<Contrast> {
    Some(match id {
        "acks-and-leader-crash" => Contrast {
            a: &["acks=1"],
            b: &["acks=all"],
            point: "acks=1 loses the acknowledged record when the leader crashes before a follower copied it; acks=all does not.",
        },
        "retries-and-idempotence" => Contrast {
            a: &["enable.idempotence=false"],
            b: &["enable.idempotence=true"],
            point: "Without idempotence the retried batch lands behind a later one; with it the log keeps the produce order.",
        },
        "async-vs-sync" => Contrast {
            a: &["mode=sync"],
            b: &["mode=async"],
            point: "flush() after every produce() waits a round trip per event and sends one record per request; the asynchronous loop batches them and finishes sooner.",
        },
        "delivery-callbacks" => Contrast {
            a: &["acks=0"],
            b: &["acks=1"],
            point: "acks=0 reports success without hearing from the broker; acks=1 waits for the leader's answer.",
        },
        "batching" => Contrast {
            a: &["linger.ms=0"],
            b: &["linger.ms=5"],
            point: "linger.ms=0 sends each event as it comes; waiting 5 ms batches them into fewer requests.",
        },
        "compression" => Contrast {
            a: &["compression.type=none"],
            b: &["compression.type=lz4"],
            point: "Compression puts fewer bytes on the wire for the same records.",
        },
        "serialization" => Contrast {
            a: &["value.serializer=json"],
            b: &["value.serializer=avro"],
            point: "The same payments through json.dumps and through AvroSerializer: Avro leaves the field names out, so fewer bytes go on the wire (its first record per subject waits once for the Schema Registry).",
        },
        _ => return None,
    })
}

/// Whether the comparison shows the lesson's point (`None` for a lesson without a contrast
/// check): for the acks lesson, a lost record on the acks=1 side and none on the acks=all side.
pub fn check(id: &str, c: &Comparison) -> Option<bool> {
    let (a, b) = (&c.a.outcome, &c.b.outcome);
    Some(match id {
        "acks-and-leader-crash" => a.records_lost > 0 && b.records_lost == 0,
        "retries-and-idempotence" => {
            a.records_out_of_order + a.records_duplicated > 0
                && b.records_out_of_order + b.records_duplicated == 0
        }
        "batching" => b.produce_requests < a.produce_requests,
        "async-vs-sync" => b.produce_requests < a.produce_requests && b.elapsed_ms < a.elapsed_ms,
        "compression" => b.wire_bytes < a.wire_bytes,
        "serialization" => {
            b.wire_bytes < a.wire_bytes
                && a.records_failed == 0
                && b.records_failed == 0
                && a.records_acknowledged == b.records_acknowledged
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_contrast_runs_on_its_lesson_and_shows_its_point() {
        for l in crate::lessons::all() {
            let Some(c) = for_lesson(l.id) else { continue };
            let (a, b) = c.variants().unwrap();
            let cmp = ksim::variant::compare(&l.scenario(), &a, &b)
                .unwrap_or_else(|e| panic!("{}: {e}", l.id));
            if let Some(ok) = check(l.id, &cmp) {
                assert!(ok, "{}: {:#?}", l.id, cmp.differences);
            }
            assert!(!cmp.differences.is_empty(), "{}: the sides differ", l.id);
        }
        let (a, b) = FREE_PLAY.variants().unwrap();
        assert_ne!(a, b);
    }
}
