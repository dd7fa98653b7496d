//! Counters and derived metrics (records/s, bytes before/after compression, requests, retries,
//! duplicates, latency percentiles from a bounded histogram, `crate::latency`).

use crate::latency::LatencyHistogram;
use crate::outcome::IdSet;
use kwire::batch::HEADER_SIZE_BYTES;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Sealed-batch totals of one codec (the codec the producer actually wrote, docs/kafka-sources.md §2.2).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct CodecTotals {
    pub batches: u64,
    /// Records sections before compression.
    pub records_bytes: u64,
    /// Encoded batches (header included).
    pub batch_bytes: u64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct MetricsState {
    pub records_produced: u64,
    pub records_delivered: u64,
    pub records_failed: u64,
    pub records_appended: u64,
    pub batches: u64,
    pub bytes_uncompressed: u64,
    pub bytes_batches: u64,
    pub bytes_sent_batches: u64,
    pub produce_requests: u64,
    pub retries: u64,
    pub duplicates_detected: u64,
    /// Delivery latencies of written records (bounded: see [`LatencyHistogram`]).
    pub latencies: LatencyHistogram,
    /// Per codec name, in name order.
    pub by_codec: BTreeMap<&'static str, CodecTotals>,
    /// Records in sealed batches (for the mean records per batch, `crate::outcome`).
    pub records_batched: u64,
    /// Bytes of the ProduceRequests sent (batches and request framing), retries included.
    pub produce_request_bytes: u64,
    /// When the last successful delivery report was made (µs; 0 before the first).
    pub last_delivered_us: u64,
    /// The message numbers with a successful delivery report (`crate::outcome`).
    pub acked: IdSet,
}

/// Compression of the batches one codec sealed: what `compression.type` buys for this data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodecCompression {
    /// `none`, `gzip`, `snappy`, `lz4` or `zstd`: the codec in the batch's attributes. librdkafka
    /// writes `none` when compressing would not make the batch smaller (docs/kafka-sources.md §2.2).
    pub codec: String,
    pub batches: u64,
    /// Batches as they would be uncompressed (records plus the 61-byte header each, `kwire::batch::HEADER_SIZE_BYTES`).
    pub bytes_uncompressed: u64,
    pub bytes_compressed: u64,
    /// `bytes_uncompressed / bytes_compressed`.
    pub ratio: f64,
}

/// Metrics for the UI and `kplay run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    pub elapsed_ms: f64,
    /// `produce()` calls that were accepted.
    pub records_produced: u64,
    /// Records with a successful delivery report.
    pub records_delivered: u64,
    pub records_failed: u64,
    /// Records appended by leaders (duplicates included).
    pub records_appended: u64,
    /// Delivered records per second of virtual time.
    pub records_per_sec: f64,
    pub batches: u64,
    /// Records sections before compression (sum over sealed batches).
    pub bytes_uncompressed: u64,
    /// Encoded batches as sealed (after compression, headers included).
    pub bytes_compressed: u64,
    /// `bytes_uncompressed / bytes_compressed`-style ratio (records section incl. 61-byte headers).
    pub compression_ratio: f64,
    /// Batch bytes sent, retries included.
    pub bytes_sent_batches: u64,
    pub produce_requests: u64,
    pub retries: u64,
    /// Duplicate batches detected by brokers (idempotence).
    pub duplicates_detected: u64,
    pub network_messages: u64,
    pub network_bytes: u64,
    pub network_dropped: u64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
    pub latency_p99_ms: Option<f64>,
    pub latency_max_ms: Option<f64>,
    /// The same sizes and ratio split by the codec each batch was sealed with.
    #[serde(default)]
    pub compression_by_codec: Vec<CodecCompression>,
}

impl MetricsState {
    /// The metrics from the producer's counters (`self`) and the brokers' (`brokers`: records
    /// appended and duplicates detected).
    pub fn snapshot(
        &self,
        now_us: u64,
        brokers: &MetricsState,
        net_messages: u64,
        net_bytes: u64,
        net_dropped: u64,
    ) -> Metrics {
        let ms = |p: f64| self.latencies.quantile_us(p).map(|us| us / 1000.0);
        let latency_p50_ms = ms(0.5);
        let latency_p95_ms = ms(0.95);
        let latency_p99_ms = ms(0.99);
        let latency_max_ms = self.latencies.max_us().map(|v| v as f64 / 1000.0);
        let elapsed_ms = now_us as f64 / 1000.0;
        Metrics {
            elapsed_ms,
            records_produced: self.records_produced,
            records_delivered: self.records_delivered,
            records_failed: self.records_failed,
            records_appended: brokers.records_appended,
            records_per_sec: if now_us > 0 {
                self.records_delivered as f64 * 1e6 / now_us as f64
            } else {
                0.0
            },
            batches: self.batches,
            bytes_uncompressed: self.bytes_uncompressed + HEADER_SIZE_BYTES as u64 * self.batches,
            bytes_compressed: self.bytes_batches,
            compression_ratio: if self.bytes_batches > 0 {
                (self.bytes_uncompressed + HEADER_SIZE_BYTES as u64 * self.batches) as f64
                    / self.bytes_batches as f64
            } else {
                1.0
            },
            bytes_sent_batches: self.bytes_sent_batches,
            produce_requests: self.produce_requests,
            retries: self.retries,
            duplicates_detected: brokers.duplicates_detected,
            network_messages: net_messages,
            network_bytes: net_bytes,
            network_dropped: net_dropped,
            latency_p50_ms,
            latency_p95_ms,
            latency_p99_ms,
            latency_max_ms,
            compression_by_codec: self
                .by_codec
                .iter()
                .map(|(codec, t)| {
                    let uncompressed = t.records_bytes + HEADER_SIZE_BYTES as u64 * t.batches;
                    CodecCompression {
                        codec: (*codec).to_string(),
                        batches: t.batches,
                        bytes_uncompressed: uncompressed,
                        bytes_compressed: t.batch_bytes,
                        ratio: if t.batch_bytes > 0 {
                            uncompressed as f64 / t.batch_bytes as f64
                        } else {
                            1.0
                        },
                    }
                })
                .collect(),
        }
    }
}
