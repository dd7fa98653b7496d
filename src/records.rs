//! Decoded partition logs for display. The records come from the real stored batch bytes
//! (`Simulation::batch_bytes`) decoded by `kwire`; decoded batches are cached by their bytes'
//! address, so a batch is decoded once, not on every frame. A batch whose record bytes the
//! playground dropped (its memory budget) has no records to decode: it shows as one row for its
//! offsets, saying so.

use crate::retention::Storage;
use ksim::{BatchView, SerdeFormat, Simulation, View};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;
use std::sync::Arc;

/// Records shown per partition (the newest ones); the count of older ones is shown instead.
pub const MAX_ROWS_PER_PARTITION: usize = 10;

/// One record as a consumer would see it, plus where it came from; or, for a batch whose
/// record bytes were dropped (`payload_dropped`), the batch's offsets `offset..=last_offset`
/// without key, value or headers.
#[derive(Clone, PartialEq)]
pub struct RecordRow {
    pub offset: i64,
    /// The same as `offset` for a record; the batch's last offset for a dropped batch.
    pub last_offset: i64,
    pub key: Option<String>,
    pub value: Option<String>,
    pub timestamp_ms: i64,
    pub headers: Vec<(String, Option<String>)>,
    pub batch_index: usize,
    /// Below the high watermark: committed, visible to consumers.
    pub committed: bool,
    /// The row stands for a whole batch whose record bytes the playground dropped from memory
    /// (Kafka would keep them until `retention.ms`); `timestamp_ms` is the batch's max
    /// timestamp.
    pub payload_dropped: bool,
    /// Records in the row: 1, or the dropped batch's record count.
    pub records: u32,
    /// The stored key and value bytes, for the topic's deserializer (`Simulation::deserialize`).
    pub raw_key: Option<Rc<[u8]>>,
    pub raw_value: Option<Rc<[u8]>>,
    /// How the consumer read the value, when not as a plain string: "Avro · schema id 1
    /// (payments-value)", "JSON", or the deserializer's error ("SerializationError: Invalid
    /// magic byte"), with `value_failed` set.
    pub value_note: Option<String>,
    pub value_failed: bool,
}

impl RecordRow {
    /// The row of a batch whose record bytes were dropped.
    fn dropped(b: &BatchView, committed: bool) -> RecordRow {
        RecordRow {
            offset: b.base_offset,
            last_offset: b.last_offset,
            key: None,
            value: None,
            timestamp_ms: b.max_timestamp_ms,
            headers: Vec::new(),
            batch_index: b.index,
            committed,
            payload_dropped: true,
            records: b.records,
            raw_key: None,
            raw_value: None,
            value_note: None,
            value_failed: false,
        }
    }
}

/// The leader's log of one partition.
#[derive(Clone, PartialEq)]
pub struct PartitionLog {
    pub topic: String,
    pub partition: u32,
    /// The broker whose log is shown (the leader, or the best replica while there is none).
    pub broker: Option<u32>,
    pub leader: Option<u32>,
    pub high_watermark: i64,
    pub log_end_offset: i64,
    /// Records the shown replica stores (from its log start offset to its log end offset).
    pub total_records: usize,
    pub rows: Vec<RecordRow>,
    /// Log start, segments, size and dropped record bytes of the shown replica.
    pub storage: Option<Storage>,
}

impl PartitionLog {
    /// Records in the rows shown (a dropped batch's row counts all its records).
    pub fn shown_records(&self) -> usize {
        self.rows.iter().map(|r| r.records as usize).sum()
    }
}

fn text(bytes: &Option<Vec<u8>>) -> Option<String> {
    bytes
        .as_ref()
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

/// The row's key and value as the topic's consumer reads them: through its Avro deserializer
/// (decoded by the schema the id names in the registry), `json.loads`, or as UTF-8 — the core
/// decides which and decodes (`Simulation::deserialize`); this only copies the result. Done
/// after the cache, because what a consumer uses can change during a run (a topic's first Avro
/// record makes its consumer read every record as Avro).
fn as_consumer_reads(sim: &Simulation, topic: &str, row: &mut RecordRow) {
    if let Some(raw) = row
        .raw_key
        .as_ref()
        .filter(|_| sim.deserializer(topic, true) != SerdeFormat::String)
    {
        let d = sim.deserialize(topic, true, raw);
        row.key = d.text.or(d.error);
    }
    // A plain string value needs the deserializer only when it is not UTF-8 (Python's
    // `decode('utf_8')` raises); checking that first keeps the render path cheap.
    let Some(raw) = row.raw_value.as_ref().filter(|raw| {
        sim.deserializer(topic, false) != SerdeFormat::String || std::str::from_utf8(raw).is_err()
    }) else {
        return;
    };
    let d = sim.deserialize(topic, false, raw);
    match (d.deserializer, d.error) {
        (_, Some(error)) => {
            row.value = None;
            row.value_note = Some(error);
            row.value_failed = true;
        }
        (SerdeFormat::Avro, None) => {
            row.value = d.text;
            row.value_note = Some(match (d.schema_id, d.subject) {
                (Some(id), Some(subject)) if !subject.is_empty() => {
                    format!("Avro · schema id {id} ({subject}) · {} B", d.size_bytes)
                }
                (Some(id), _) => format!("Avro · schema id {id} · {} B", d.size_bytes),
                _ => format!("Avro · {} B", d.size_bytes),
            });
        }
        (_, None) => {
            row.value = d.text;
            row.value_note = Some(format!("JSON · {} B", d.size_bytes));
        }
    }
}

/// A batch's bytes (kept so the address stays unique) and its decoded rows.
type Decoded = (Arc<[u8]>, Rc<Vec<RecordRow>>);

/// Cache of decoded batches keyed by the address of their shared bytes.
#[derive(Default)]
pub struct DecodeCache {
    batches: BTreeMap<usize, Decoded>,
}

impl DecodeCache {
    fn rows(
        &mut self,
        bytes: Arc<[u8]>,
        batch_index: usize,
        used: &mut BTreeSet<usize>,
    ) -> Rc<Vec<RecordRow>> {
        let key = bytes.as_ptr() as usize;
        used.insert(key);
        if let Some((_, rows)) = self.batches.get(&key) {
            return rows.clone();
        }
        let rows = match kwire::decode_batch(&bytes, &kwire::DecodeLimits::default()) {
            Ok((batch, _)) => batch
                .records
                .iter()
                .map(|r| RecordRow {
                    offset: batch.header.base_offset + r.offset_delta as i64,
                    last_offset: batch.header.base_offset + r.offset_delta as i64,
                    key: text(&r.key),
                    value: text(&r.value),
                    // What a consumer sees: on a LogAppendTime topic the broker's append time
                    // (the batch's maxTimestamp), else the producer's CreateTime
                    // (docs/kafka-sources.md §1.1, §1.2).
                    timestamp_ms: if batch.header.attributes & kwire::batch::ATTR_LOG_APPEND_TIME
                        != 0
                    {
                        batch.header.max_timestamp
                    } else {
                        batch.header.base_timestamp + r.timestamp_delta
                    },
                    headers: r
                        .headers
                        .iter()
                        .map(|h| (h.key.clone(), text(&h.value)))
                        .collect(),
                    batch_index,
                    committed: false,
                    payload_dropped: false,
                    records: 1,
                    raw_key: r.key.as_deref().map(Rc::from),
                    raw_value: r.value.as_deref().map(Rc::from),
                    value_note: None,
                    value_failed: false,
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        let rows = Rc::new(rows);
        self.batches.insert(key, (bytes, rows.clone()));
        rows
    }

    /// The partition logs for the current view.
    pub fn partition_logs(&mut self, sim: &Simulation, view: &View) -> Vec<PartitionLog> {
        let mut out = Vec::with_capacity(view.partitions.len());
        let mut used = BTreeSet::new();
        for pv in &view.partitions {
            let replica = pv
                .leader
                .and_then(|l| pv.replicas.iter().find(|r| r.broker == l))
                .or_else(|| pv.replicas.iter().max_by_key(|r| r.high_watermark));
            let mut log = PartitionLog {
                topic: pv.topic.clone(),
                partition: pv.partition,
                broker: replica.map(|r| r.broker),
                leader: pv.leader,
                high_watermark: replica.map_or(0, |r| r.high_watermark),
                log_end_offset: replica.map_or(0, |r| r.log_end_offset),
                total_records: 0,
                rows: Vec::new(),
                storage: replica.map(Storage::of),
            };
            if let Some(r) = replica {
                // One offset per record, from the log start offset (retention deleted the
                // offsets below it), so the two offsets count the records stored.
                log.total_records = (r.log_end_offset - r.log_start_offset).max(0) as usize;
                // Walk batches from the newest until enough rows are collected.
                let mut rows: Vec<RecordRow> = Vec::new();
                for b in r.batches.iter().rev() {
                    if rows.len() >= MAX_ROWS_PER_PARTITION {
                        break;
                    }
                    if b.payload_dropped {
                        rows.push(RecordRow::dropped(b, b.last_offset < r.high_watermark));
                    } else if let Some(bytes) =
                        sim.batch_bytes(&pv.topic, pv.partition, r.broker, b.index)
                    {
                        for row in self.rows(bytes, b.index, &mut used).iter().rev() {
                            let mut row = row.clone();
                            row.committed = row.offset < r.high_watermark;
                            as_consumer_reads(sim, &pv.topic, &mut row);
                            rows.push(row);
                        }
                    }
                }
                rows.truncate(MAX_ROWS_PER_PARTITION);
                rows.reverse();
                log.rows = rows;
            }
            out.push(log);
        }
        // Keep exactly the batches on screen: nothing is decoded twice while it stays visible, and
        // batches that scrolled out (or were truncated away) are dropped.
        self.batches.retain(|k, _| used.contains(k));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(example: &str) -> Simulation {
        let path = format!("{}/examples/{example}.json", env!("CARGO_MANIFEST_DIR"));
        let json = std::fs::read_to_string(path).expect("example");
        let mut sim =
            Simulation::new(ksim::Scenario::from_json(&json).expect("scenario")).expect("valid");
        sim.run_until_idle(10_000_000);
        sim
    }

    #[test]
    fn a_dropped_batch_is_one_row_saying_so_and_the_counts_start_at_the_log_start() {
        let sim = crate::retention::tests::dropping();
        let view = sim.view();
        let r = &view.partitions[0].replicas[0];
        let log = &DecodeCache::default().partition_logs(&sim, &view)[0];
        assert_eq!(
            log.total_records,
            (r.log_end_offset - r.log_start_offset) as usize
        );
        assert_eq!(log.storage, Some(Storage::of(r)));
        assert_eq!(log.rows.len(), MAX_ROWS_PER_PARTITION);
        // The newest batch keeps its bytes: its record is decoded.
        let (newest, older) = log.rows.split_last().expect("rows");
        assert!(!newest.payload_dropped);
        assert!(newest
            .value
            .as_deref()
            .is_some_and(|v| v.starts_with("v11")));
        // The older ones dropped theirs: a row per batch with its offsets and record count, and
        // no key or value.
        for row in older {
            let b = r
                .batches
                .iter()
                .find(|b| b.index == row.batch_index)
                .expect("the row's batch");
            assert!(
                b.payload_dropped && row.payload_dropped,
                "batch {}",
                b.index
            );
            assert_eq!(
                (row.offset, row.last_offset, row.records),
                (b.base_offset, b.last_offset, b.records)
            );
            assert_eq!(row.timestamp_ms, b.max_timestamp_ms);
            assert!(row.committed && row.key.is_none() && row.value.is_none());
        }
    }

    #[test]
    fn an_avro_topic_reads_as_its_consumer_would_and_a_json_record_in_it_fails() {
        let sim = run("mixed-formats");
        let view = sim.view();
        let log = &DecodeCache::default().partition_logs(&sim, &view)[0];
        let [avro, json] = &log.rows[..] else {
            panic!("two records: {}", log.rows.len())
        };
        // The Avro record, decoded through the registry by its schema id.
        assert!(!avro.value_failed);
        assert!(
            avro.value
                .as_deref()
                .is_some_and(|v| v.contains("\"payment_id\": \"pay-0001\"")),
            "{:?}",
            avro.value
        );
        assert!(
            avro.value_note
                .as_deref()
                .is_some_and(|n| n.starts_with("Avro · schema id 1 (payments-value) · ")),
            "{:?}",
            avro.value_note
        );
        // The JSON record: the topic's Avro deserializer refuses it, as confluent-kafka does.
        assert!(json.value_failed && json.value.is_none());
        assert!(
            json.value_note
                .as_deref()
                .is_some_and(|n| n.contains("Invalid magic byte")),
            "{:?}",
            json.value_note
        );
        // A plain string topic is unchanged: no note.
        let sim = run("acks-all");
        let view = sim.view();
        let logs = DecodeCache::default().partition_logs(&sim, &view);
        let row = logs.iter().flat_map(|l| &l.rows).next().expect("a record");
        assert!(row.value.is_some() && row.value_note.is_none() && !row.value_failed);
    }

    #[test]
    fn records_show_the_timestamp_a_consumer_sees() {
        // CreateTime topic: the producer's time, from the batch's base timestamp and deltas.
        let sim = run("acks-all");
        let view = sim.view();
        let logs = DecodeCache::default().partition_logs(&sim, &view);
        let row = logs.iter().flat_map(|l| &l.rows).next().expect("a record");
        assert!(row.timestamp_ms > 1_600_000_000_000, "{}", row.timestamp_ms);

        // LogAppendTime topic, leader clock 1.5 s ahead: the broker's time, rewritten into the
        // batch's maxTimestamp, is what the table shows.
        let sim = run("log-append-time");
        let view = sim.view();
        let log = &DecodeCache::default().partition_logs(&sim, &view)[0];
        let row = &log.rows[0];
        let bytes = sim
            .batch_bytes(&log.topic, log.partition, log.broker.unwrap(), 0)
            .unwrap();
        let (batch, _) = kwire::decode_batch(&bytes, &kwire::DecodeLimits::default()).unwrap();
        assert_ne!(
            batch.header.attributes & kwire::batch::ATTR_LOG_APPEND_TIME,
            0
        );
        assert_eq!(row.timestamp_ms, batch.header.max_timestamp);
        let create_time = batch.header.base_timestamp + batch.records[0].timestamp_delta;
        assert!(
            row.timestamp_ms >= create_time + 1000,
            "broker time {} vs CreateTime {create_time}",
            row.timestamp_ms
        );
    }
}
