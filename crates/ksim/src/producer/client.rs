//! What the two clients do differently, in one place: [`Client::Librdkafka`] (librdkafka 2.3,
//! the engine of confluent-kafka Python; docs/kafka-sources.md §4.2) and [`Client::Java`] (the
//! Java 3.6 client's `RecordAccumulator` and `Sender`; §4.1). The producer asks its `Client` at
//! each point where they differ — how batches are cut and when they are ready, how requests are
//! built, how long retries back off, what the batch header says — instead of testing the profile.

use crate::config::ProducerSettings;
use crate::log::SealReason;
use crate::proto::Tp;
use crate::rng::Rng;
use crate::scenario::ClientProfile;
use kwire::batch::HEADER_SIZE_BYTES;
use kwire::{BatchSpec, Compression, SnappyFraming};
use std::collections::{BTreeMap, VecDeque};

/// How a client compresses a batch with `codec`: snappy is xerial-framed by the Java client
/// (`SnappyFactory`) and raw by librdkafka; librdkafka sends a batch uncompressed when
/// compressing made it larger (`rd_kafka_msgset_writer_compress`), Java does not.
pub fn batch_compression(
    profile: ClientProfile,
    codec: kwire::Codec,
    level: Option<i32>,
) -> Compression {
    let java = profile == ClientProfile::Java;
    Compression {
        codec,
        level,
        snappy_framing: if java {
            SnappyFraming::Xerial
        } else {
            SnappyFraming::Raw
        },
        skip_if_larger: !java,
    }
}

/// Java: one batch that records are still appended to (`ProducerBatch` in a partition's deque).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OpenBatch {
    pub created_us: u64,
    pub records: usize,
    /// Estimated size: the batch header plus each record's size.
    pub bytes: usize,
}

/// Java 3.6's accumulator state: the open batches of each partition, and where each broker's
/// next drain starts (`RecordAccumulator.drainBatchesForOneNode` goes round the partitions).
#[derive(Debug, Clone, Default)]
pub(crate) struct JavaAccumulator {
    open: BTreeMap<Tp, VecDeque<OpenBatch>>,
    pub drain_start: BTreeMap<u32, usize>,
}

impl JavaAccumulator {
    /// The partition's head batch (the next one to send).
    pub fn head(&self, tp: Tp) -> Option<&OpenBatch> {
        self.open.get(&tp).and_then(|q| q.front())
    }
}

/// The per-partition queue state the readiness rules look at.
pub(crate) struct QueueState {
    pub records: usize,
    pub bytes: usize,
    pub oldest_enqueued_us: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) enum Client {
    Librdkafka,
    Java(JavaAccumulator),
}

impl Client {
    pub fn new(profile: ClientProfile) -> Client {
        match profile {
            ClientProfile::Librdkafka => Client::Librdkafka,
            ClientProfile::Java => Client::Java(JavaAccumulator::default()),
        }
    }

    pub fn java_mut(&mut self) -> Option<&mut JavaAccumulator> {
        match self {
            Client::Java(j) => Some(j),
            Client::Librdkafka => None,
        }
    }

    /// Whether the sticky partition for null keys still holds: librdkafka keeps it for
    /// `sticky.partitioning.linger.ms`; Java 3.6's built-in partitioner (KIP-794) switches after
    /// `batch.size` bytes went to it (`BuiltInPartitioner.updatePartitionInfo`).
    ///
    /// SIMPLIFICATION: Java then picks the next partition weighted by how little each broker has
    /// queued (adaptive partitioning, `partitioner.adaptive.partitioning.enable`); here the next
    /// one is uniformly random, as Java does before it has queue statistics.
    pub fn sticky_holds(
        &self,
        now_us: u64,
        until_us: u64,
        bytes: usize,
        batch_size: usize,
    ) -> bool {
        match self {
            Client::Librdkafka => now_us < until_us,
            Client::Java(_) => bytes < batch_size,
        }
    }

    /// A record of `size_bytes` joined partition `tp`'s queue. Java appends it to the last open
    /// batch if it fits `batch.size`, else opens a new batch (`RecordAccumulator.append`).
    pub fn append(&mut self, tp: Tp, now_us: u64, size_bytes: usize, batch_size: usize) {
        if let Client::Java(j) = self {
            let q = j.open.entry(tp).or_default();
            match q.back_mut() {
                Some(last) if last.bytes + size_bytes <= batch_size => {
                    last.records += 1;
                    last.bytes += size_bytes;
                }
                _ => q.push_back(OpenBatch {
                    created_us: now_us,
                    records: 1,
                    bytes: HEADER_SIZE_BYTES + size_bytes,
                }),
            }
        }
    }

    /// Whether every append may move the partition's linger deadline (Java: a record that opens a
    /// new batch behind a full one), so the producer checks its wake-up on each.
    pub fn rearms_on_every_append(&self) -> bool {
        matches!(self, Client::Java(_))
    }

    /// When linger runs out for partition `tp`: librdkafka counts from the oldest queued message,
    /// Java from the creation of the head batch.
    pub fn linger_deadline(&self, tp: Tp, oldest_enqueued_us: u64, linger_us: u64) -> u64 {
        match self {
            Client::Librdkafka => oldest_enqueued_us + linger_us,
            Client::Java(j) => j.head(tp).map_or(oldest_enqueued_us, |b| b.created_us) + linger_us,
        }
    }

    /// Whether partition `tp` is ready to send and why (librdkafka: `batch.num.messages`,
    /// `batch.size`, flush, then linger; Java `RecordAccumulator.ready`: flush, a full or
    /// non-last batch, then linger).
    pub fn ready(
        &self,
        tp: Tp,
        now_us: u64,
        q: &QueueState,
        s: &ProducerSettings,
        flushing: bool,
    ) -> Option<SealReason> {
        match self {
            Client::Librdkafka => {
                let oldest = q.oldest_enqueued_us?;
                if q.records >= s.batch_num_messages as usize {
                    Some(SealReason::Count)
                } else if q.bytes >= s.batch_size_bytes.min(s.message_max_bytes) {
                    Some(SealReason::Full)
                } else if flushing {
                    Some(SealReason::Flush)
                } else if now_us >= oldest + s.linger_us {
                    Some(SealReason::Linger)
                } else {
                    None
                }
            }
            Client::Java(j) => {
                let batches = j.open.get(&tp)?;
                let head = batches.front()?;
                if flushing {
                    Some(SealReason::Flush)
                } else if batches.len() > 1 || head.bytes >= s.batch_size_bytes {
                    Some(SealReason::Full)
                } else if now_us >= head.created_us + s.linger_us {
                    Some(SealReason::Linger)
                } else {
                    None
                }
            }
        }
    }

    /// How many queued records the next batch of `tp` takes: Java sends its head batch as it was
    /// filled (and it stops being open); librdkafka cuts up to its count and byte limits (`None`).
    pub fn take_head_batch(&mut self, tp: Tp) -> Option<usize> {
        let j = self.java_mut()?;
        let head = j.open.get_mut(&tp).and_then(|q| q.pop_front());
        Some(head.map_or(usize::MAX, |b| b.records))
    }

    /// A queued record of `size_bytes` expired before it was sent (Java: its open batch shrinks).
    pub fn expired(&mut self, tp: Tp, size_bytes: usize) {
        if let Some(q) = self.java_mut().and_then(|j| j.open.get_mut(&tp)) {
            if let Some(head) = q.front_mut() {
                head.records = head.records.saturating_sub(1);
                head.bytes = head.bytes.saturating_sub(size_bytes);
                if head.records == 0 {
                    q.pop_front();
                }
            }
        }
    }

    /// librdkafka builds no new ProduceRequest for a broker while its socket is still writing the
    /// previous one (backpressure); Java's `Sender` does not wait for it.
    pub fn waits_for_socket(&self) -> bool {
        matches!(self, Client::Librdkafka)
    }

    /// Java with `max.in.flight.requests.per.connection=1` keeps one batch per partition in
    /// flight (`guaranteeMessageOrder`: the partition is muted until its batch completes).
    pub fn one_batch_in_flight_per_partition(&self, s: &ProducerSettings) -> bool {
        matches!(self, Client::Java(_)) && s.max_in_flight == 1
    }

    /// Retry backoff in ms before the `retries_used`-th retry: librdkafka 2.3 doubles
    /// `retry.backoff.ms` per retry, applies ±20 % jitter and then caps the result at
    /// `retry.backoff.max.ms` (`rdkafka_partition.c`, `rd_kafka_retry_msgq`; KIP-580), so a
    /// capped retry waits exactly the maximum; Java 3.6 waits `retry.backoff.ms` every time
    /// (exponential backoff arrived in 3.7).
    pub fn backoff_ms(&self, s: &ProducerSettings, retries_used: u32, rng: &mut Rng) -> f64 {
        let base = s.retry_backoff_ms as f64;
        match self {
            Client::Java(_) => base,
            Client::Librdkafka => {
                let exp = base * 2f64.powi(retries_used.saturating_sub(1).min(30) as i32);
                let jittered = exp * (0.8 + 0.4 * rng.next_f64());
                jittered.min(s.retry_backoff_max_ms as f64)
            }
        }
    }

    /// The batch header and codec this client writes (docs/kafka-sources.md §1.1, §2.1–2.2):
    /// Java frames snappy the xerial way, writes partitionLeaderEpoch −1 and always keeps the
    /// configured codec; librdkafka writes raw snappy, epoch 0, and sends a batch uncompressed
    /// when compressing would not make it smaller.
    pub fn batch_spec(
        &self,
        s: &ProducerSettings,
        producer_id: i64,
        producer_epoch: i16,
        base_sequence: i32,
    ) -> BatchSpec {
        let java = matches!(self, Client::Java(_));
        let profile = if java {
            ClientProfile::Java
        } else {
            ClientProfile::Librdkafka
        };
        BatchSpec {
            producer_id,
            producer_epoch,
            base_sequence,
            partition_leader_epoch: if java { -1 } else { 0 },
            transactional: false,
            compression: batch_compression(profile, s.compression, s.compression_level),
        }
    }

    /// Java splits a multi-record batch rejected with MESSAGE_TOO_LARGE
    /// (`Sender.completeBatch` → `RecordAccumulator.splitAndReenqueue`); librdkafka fails it.
    pub fn splits_too_large_batches(&self) -> bool {
        matches!(self, Client::Java(_))
    }
}
