//! What the inspector opens: a stored batch from a partition log, or what a click on the live
//! view or the sequence diagram names (a stored batch, or a ProduceRequest: its batch's bytes
//! while it is on the wire, afterwards the batch it wrote, found through the response's base
//! offset in the event log). The bytes are the core's own (`Simulation::batch_bytes`,
//! `Simulation::in_flight_batch_bytes`), copied so the inspector keeps showing them while the
//! simulation moves on. A stored batch whose record bytes the playground dropped (its memory
//! budget) has no bytes to show: it opens with its header fields from the core's view instead.

use crate::components::inspector::BatchRef;
use crate::scene::Target;
use ksim::{BatchView, LogEvent, Simulation, View};
use std::rc::Rc;

/// What the inspector shows of a batch.
#[derive(Clone, PartialEq)]
pub enum Content {
    /// A copy of its bytes.
    Bytes(Rc<Vec<u8>>),
    /// Its record bytes were dropped from the playground's memory: the header fields the core
    /// still keeps.
    PayloadDropped(Rc<BatchView>),
}

/// Records whose values the inspector annotates as their consumer reads them (the first ones).
pub const ANNOTATED_VALUES: usize = 3;

/// One record value of the batch as the topic's consumer reads it: its bytes, and the core's
/// reading of them (`Simulation::deserialize`: Avro through the registry with each byte range
/// named, JSON, or the deserializer's error).
#[derive(Clone, PartialEq)]
pub struct ValueBytes {
    pub offset: i64,
    pub bytes: Rc<Vec<u8>>,
    pub read: ksim::serde_view::DeserializedValue,
    /// The value in the other format too (`Simulation::same_event`), where the core knows its
    /// schema.
    pub same_event: Option<Rc<ksim::same_event::SameEvent>>,
}

/// The batch open in the inspector, with what it shows of it.
#[derive(Clone, PartialEq)]
pub struct Inspected {
    pub batch: BatchRef,
    pub content: Content,
    /// Values written by a JSON or Avro serializer (empty for plain strings).
    pub values: Rc<Vec<ValueBytes>>,
}

impl Inspected {
    fn bytes(sim: &Simulation, batch: BatchRef, bytes: &[u8]) -> Inspected {
        let values = values_read(sim, &batch.topic, bytes);
        Inspected {
            batch,
            content: Content::Bytes(Rc::new(bytes.to_vec())),
            values: Rc::new(values),
        }
    }
}

/// The batch's first record values, as the topic's consumer reads them, when its deserializer
/// is not a plain string one.
fn values_read(sim: &Simulation, topic: &str, bytes: &[u8]) -> Vec<ValueBytes> {
    if sim.deserializer(topic, false) == ksim::SerdeFormat::String {
        return Vec::new();
    }
    let Ok((batch, _)) = kwire::decode_batch(bytes, &kwire::DecodeLimits::default()) else {
        return Vec::new();
    };
    batch
        .records
        .iter()
        .filter_map(|r| {
            let value = r.value.as_ref()?;
            Some(ValueBytes {
                offset: batch.header.base_offset + r.offset_delta as i64,
                bytes: Rc::new(value.clone()),
                read: sim.deserialize(topic, false, value),
                same_event: sim.same_event(topic, value).map(Rc::new),
            })
        })
        .take(ANNOTATED_VALUES)
        .collect()
}

/// What a click found.
#[derive(Clone, PartialEq)]
pub enum Found {
    Batch(Inspected),
    /// It names a batch the core no longer holds: the inspector closes.
    Gone,
    /// It names nothing the core knows (a request whose batch cannot be found): the inspector
    /// stays as it is.
    Nothing,
}

impl Found {
    fn of(inspected: Option<Inspected>) -> Found {
        inspected.map_or(Found::Gone, Found::Batch)
    }
}

/// A stored batch and its bytes, or its header when its record bytes were dropped; `None` when
/// the log no longer holds it (deleted by retention, truncated).
pub fn stored(sim: &Simulation, batch: BatchRef) -> Option<Inspected> {
    if let Some(bytes) = sim.batch_bytes(&batch.topic, batch.partition, batch.broker, batch.index) {
        return Some(Inspected::bytes(sim, batch, &bytes));
    }
    // No bytes: the core's view says whether the batch is still there without its record bytes
    // (a click is rare, so building the view here costs nothing a learner notices).
    let header = sim
        .view()
        .partitions
        .iter()
        .filter(|p| p.topic == batch.topic && p.partition == batch.partition)
        .flat_map(|p| &p.replicas)
        .filter(|r| r.broker == batch.broker)
        .flat_map(|r| &r.batches)
        .find(|b| b.index == batch.index && b.payload_dropped)?
        .clone();
    Some(Inspected {
        batch,
        content: Content::PayloadDropped(Rc::new(header)),
        values: Rc::default(),
    })
}

/// What clicking `target` opens, with `view` the snapshot the click was on.
pub fn clicked(sim: &Simulation, view: &View, target: Target) -> Found {
    match target {
        Target::Stored {
            topic,
            partition,
            broker,
            index,
        } => Found::of(stored(
            sim,
            BatchRef {
                topic,
                partition,
                broker,
                index,
                in_flight: None,
            },
        )),
        Target::Request { req_id } => request(sim, view, req_id),
    }
}

/// ProduceRequest `req_id`: its first batch while on the wire, else the batch it wrote.
fn request(sim: &Simulation, view: &View, req_id: u64) -> Found {
    if let Some(ksim::InFlightBatch {
        topic,
        partition,
        bytes,
    }) = sim.in_flight_batch_bytes(req_id, 0)
    {
        let broker = view
            .producer
            .in_flight
            .iter()
            .find(|r| r.req_id == req_id)
            .map_or(0, |r| r.broker);
        return Found::Batch(Inspected::bytes(
            sim,
            BatchRef {
                topic,
                partition,
                broker,
                index: 0,
                in_flight: Some(req_id),
            },
            &bytes,
        ));
    }
    let written = sim.log().iter().rev().find_map(|e| match &e.event {
        LogEvent::ResponseReceived {
            req_id: r,
            broker,
            results,
        } if *r == req_id => results
            .iter()
            .find_map(|p| Some((p.topic.clone(), p.partition, *broker, p.base_offset?))),
        _ => None,
    });
    let Some((topic, partition, broker, base)) = written else {
        return Found::Nothing;
    };
    let index = view
        .partitions
        .iter()
        .filter(|p| p.topic == topic && p.partition == partition)
        .flat_map(|p| &p.replicas)
        .filter(|r| r.broker == broker)
        .flat_map(|r| &r.batches)
        .find(|b| b.base_offset == base)
        .map(|b| b.index);
    let Some(index) = index else {
        return Found::Nothing;
    };
    Found::of(stored(
        sim,
        BatchRef {
            topic,
            partition,
            broker,
            index,
            in_flight: None,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim() -> Simulation {
        let mut s = kshare::presets::default_scenario();
        s.topics.push(ksim::TopicSpec {
            name: "payments".into(),
            partitions: 3,
            replication_factor: 1,
            ..Default::default()
        });
        let mut sim = Simulation::new(s).expect("the preset runs");
        sim.produce("payments", Some("Alice"), Some("Made a payment"))
            .unwrap();
        sim
    }

    fn batch(found: Found) -> Inspected {
        match found {
            Found::Batch(b) => b,
            Found::Gone => panic!("gone"),
            Found::Nothing => panic!("nothing"),
        }
    }

    fn bytes(i: &Inspected) -> &[u8] {
        match &i.content {
            Content::Bytes(b) => b,
            Content::PayloadDropped(_) => panic!("record bytes dropped"),
        }
    }

    #[test]
    fn a_batch_without_its_record_bytes_opens_with_its_header_and_a_kept_one_with_its_bytes() {
        let sim = crate::retention::tests::dropping();
        let view = sim.view();
        let r = &view.partitions[0].replicas[0];
        let target = |index| Target::Stored {
            topic: "big".into(),
            partition: 0,
            broker: r.broker,
            index,
        };
        let dropped = r
            .batches
            .iter()
            .find(|b| b.payload_dropped)
            .expect("a dropped batch");
        let opened = batch(clicked(&sim, &view, target(dropped.index)));
        assert_eq!(opened.batch.index, dropped.index);
        assert!(opened.content == Content::PayloadDropped(Rc::new(dropped.clone())));
        let kept = r.batches.last().expect("a batch");
        assert!(!kept.payload_dropped);
        let opened = batch(clicked(&sim, &view, target(kept.index)));
        assert_eq!(bytes(&opened).len(), kept.size_bytes);
        // An index the log never had is gone, not an empty panel.
        assert!(clicked(&sim, &view, target(r.batch_count + 5)) == Found::Gone);
    }

    #[test]
    fn a_request_shows_its_bytes_on_the_wire_then_the_batch_it_wrote() {
        let mut sim = sim();
        // Step until the request is on the wire.
        let req_id = loop {
            sim.step().expect("a request is sent");
            if let Some(r) = sim.view().producer.in_flight.first() {
                break r.req_id;
            }
        };
        let view = sim.view();
        let on_wire = batch(clicked(&sim, &view, Target::Request { req_id }));
        assert_eq!(on_wire.batch.in_flight, Some(req_id));
        assert_eq!(on_wire.batch.topic, "payments");
        assert_eq!(
            on_wire.batch.broker, view.producer.in_flight[0].broker,
            "the broker it flies to"
        );
        assert!(!bytes(&on_wire).is_empty());
        // Once answered, the same click opens the stored batch with the same records.
        sim.run_until(sim.now_us() + 1_000_000);
        let view = sim.view();
        let written = batch(clicked(&sim, &view, Target::Request { req_id }));
        assert_eq!(written.batch.in_flight, None);
        assert_eq!(written.batch.partition, on_wire.batch.partition);
        assert_eq!(written.batch.broker, on_wire.batch.broker);
        let stored = batch(clicked(
            &sim,
            &view,
            Target::Stored {
                topic: written.batch.topic.clone(),
                partition: written.batch.partition,
                broker: written.batch.broker,
                index: written.batch.index,
            },
        ));
        assert_eq!(bytes(&stored), bytes(&written));
    }

    #[test]
    fn an_unknown_request_leaves_the_inspector_and_a_missing_batch_closes_it() {
        let sim = sim();
        let view = sim.view();
        assert!(clicked(&sim, &view, Target::Request { req_id: 99 }) == Found::Nothing);
        let missing = Target::Stored {
            topic: "payments".into(),
            partition: 0,
            broker: 1,
            index: 7,
        };
        assert!(clicked(&sim, &view, missing) == Found::Gone);
    }

    #[test]
    fn an_avro_value_opens_annotated_byte_by_byte_and_a_json_one_in_its_topic_with_the_error() {
        let path = format!("{}/examples/mixed-formats.json", env!("CARGO_MANIFEST_DIR"));
        let scenario = ksim::Scenario::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let mut mixed = Simulation::new(scenario).unwrap();
        mixed.run_until_idle(1_000_000);
        let open = |index| {
            batch(clicked(
                &mixed,
                &mixed.view(),
                Target::Stored {
                    topic: "payments".into(),
                    partition: 0,
                    broker: 1,
                    index,
                },
            ))
        };
        let avro = open(0);
        let [v] = &avro.values[..] else {
            panic!("one annotated value")
        };
        assert_eq!((v.offset, v.read.schema_id), (0, Some(1)));
        assert_eq!(v.read.error, None);
        let spans = &v.read.spans;
        // The framing first, then every field of the schema in its order, tiling the bytes.
        assert_eq!((spans[0].start, spans[0].end), (0, 1), "the magic byte");
        assert!(spans[0].what.contains("magic byte"), "{}", spans[0].what);
        assert_eq!((spans[1].start, spans[1].end), (1, 5), "the schema id");
        for field in ["payment_id", "amount", "timestamp", "status", "note"] {
            assert!(spans.iter().any(|s| s.path == field), "{field} annotated");
        }
        assert_eq!(spans.last().map(|s| s.end), Some(v.bytes.len()));
        // The JSON record in the Avro topic: its bytes, and the deserializer's refusal.
        let json = open(1);
        let [v] = &json.values[..] else {
            panic!("one value")
        };
        assert!(v
            .read
            .error
            .as_deref()
            .is_some_and(|e| e.contains("Invalid magic byte")));
        assert_eq!(v.bytes.first(), Some(&b'{'));
        // Plain strings are not annotated (the records table shows them).
        let mut plain = sim();
        plain.run_until_idle(100_000);
        let view = plain.view();
        let (p, r) = view
            .partitions
            .iter()
            .find_map(|p| Some((p, p.replicas.iter().find(|r| r.batch_count > 0)?)))
            .expect("a stored batch");
        let opened = batch(clicked(
            &plain,
            &view,
            Target::Stored {
                topic: p.topic.clone(),
                partition: p.partition,
                broker: r.broker,
                index: 0,
            },
        ));
        assert!(!bytes(&opened).is_empty());
        assert!(opened.values.is_empty());
    }
}
