//! The workload of `kplay bench codecs`, exported to JavaScript. Timing happens in JS
//! (`performance.now()` around a loop of calls), never in here.

use kwire::sample::json_like_records;
use kwire::{decode_batch, encode_batch, BatchSpec, Codec, Compression, DecodeLimits, Record};
use wasm_bindgen::prelude::*;

/// One prepared batch: the records, the spec, and the encoded bytes to decode.
#[wasm_bindgen]
pub struct CodecBench {
    records: Vec<Record>,
    spec: BatchSpec,
    encoded: Vec<u8>,
    records_bytes: usize,
}

#[wasm_bindgen]
impl CodecBench {
    /// Prepares a batch of `total_bytes` of 100-byte JSON-like values for codec `codec`
    /// (`none`, `gzip`, `snappy`, `lz4`, `zstd`).
    #[wasm_bindgen(constructor)]
    pub fn new(codec: &str, total_bytes: usize) -> Result<CodecBench, JsError> {
        let codec = Codec::from_name(codec).ok_or_else(|| JsError::new("unknown codec"))?;
        let records = json_like_records(total_bytes, 100);
        let spec = BatchSpec {
            compression: Compression {
                codec,
                ..Compression::default()
            },
            ..BatchSpec::default()
        };
        let enc = encode_batch(&spec, &records).map_err(|e| JsError::new(&e.to_string()))?;
        Ok(CodecBench {
            records,
            spec,
            records_bytes: enc.uncompressed_records_bytes,
            encoded: enc.bytes,
        })
    }

    /// Uncompressed records section size (the MB/s base).
    pub fn records_bytes(&self) -> usize {
        self.records_bytes
    }

    /// Encoded batch size.
    pub fn batch_bytes(&self) -> usize {
        self.encoded.len()
    }

    /// The batch's CRC-32C (bytes 17..21): equal to the native one ⇔ the same bytes.
    pub fn batch_crc(&self) -> u32 {
        u32::from_be_bytes([
            self.encoded[17],
            self.encoded[18],
            self.encoded[19],
            self.encoded[20],
        ])
    }

    /// Encodes + compresses the batch `runs` times; returns the last size (keeps the work alive).
    pub fn encode(&self, runs: u32) -> usize {
        let mut size = 0;
        for _ in 0..runs {
            size = encode_batch(&self.spec, &self.records).map_or(0, |e| e.bytes.len());
        }
        size
    }

    /// Decompresses + decodes the batch `runs` times; returns the last record count.
    pub fn decode(&self, runs: u32) -> usize {
        let mut n = 0;
        for _ in 0..runs {
            n = decode_batch(&self.encoded, &DecodeLimits::default())
                .map_or(0, |(b, _)| b.records.len());
        }
        n
    }
}

/// `kavro::bench`'s payment events, for the Avro row beside the codecs.
#[wasm_bindgen]
pub struct AvroBench {
    w: kavro::bench::AvroWorkload,
}

#[wasm_bindgen]
impl AvroBench {
    #[wasm_bindgen(constructor)]
    pub fn new() -> AvroBench {
        AvroBench {
            w: kavro::bench::AvroWorkload::payments(),
        }
    }

    pub fn events(&self) -> usize {
        kavro::bench::EVENTS
    }

    pub fn avro_bytes(&self) -> usize {
        self.w.avro_bytes()
    }

    pub fn json_bytes(&self) -> usize {
        self.w.json_bytes()
    }

    /// Encodes every event `runs` times; the bytes of the last run.
    pub fn encode(&self, runs: u32) -> usize {
        let mut last = 0;
        for _ in 0..runs {
            last = self.w.encode_all();
        }
        last
    }

    /// Decodes every event `runs` times; the events of the last run.
    pub fn decode(&self, runs: u32) -> usize {
        let mut last = 0;
        for _ in 0..runs {
            last = self.w.decode_all();
        }
        last
    }

    /// Decodes every event with its byte spans `runs` times; the spans of the last run.
    pub fn layout(&self, runs: u32) -> usize {
        let mut last = 0;
        for _ in 0..runs {
            last = self.w.layout_all();
        }
        last
    }
}

impl Default for AvroBench {
    fn default() -> Self {
        Self::new()
    }
}
