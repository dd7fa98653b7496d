//! Annotated byte layout of a batch for the hex view: every byte belongs to exactly one field
//! (docs/kafka-sources.md: header fields of §1.1, record fields of §1.4, codec framing and
//! compressed payload of §2.1). Compressed batches get a second layout over their decompressed
//! records section.

use crate::batch::{batch_envelope, BatchHeader, CRC_START, HEADER_SIZE_BYTES};
use crate::codec::{decompress, framing_spans, Codec};
use crate::error::WireError;
use crate::varint::{get_varint, get_varlong};
use crate::DecodeLimits;

/// Which part of the format a field belongs to (for colouring).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FieldGroup {
    /// The 61-byte batch header.
    Header,
    /// A field of a record (in the batch for uncompressed batches, else in the records layout).
    Record,
    /// Compressed data.
    Payload,
    /// Codec framing around the compressed data (gzip header, xerial block lengths, lz4 FLG…).
    Framing,
}

impl FieldGroup {
    pub fn name(self) -> &'static str {
        match self {
            FieldGroup::Header => "header",
            FieldGroup::Record => "record",
            FieldGroup::Payload => "payload",
            FieldGroup::Framing => "framing",
        }
    }
}

/// One annotated byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayoutField {
    pub start: usize,
    pub end: usize,
    /// E.g. `baseOffset`, `records[2].keyLength`, `lz4[0].FLG`.
    pub name: String,
    pub group: FieldGroup,
    /// The decoded value as a display string.
    pub value: String,
}

/// The layout of one batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchLayout {
    pub header: BatchHeader,
    pub codec: Codec,
    /// Whether the stored CRC matches the bytes (the layout is given either way).
    pub crc_valid: bool,
    /// Fields over the batch bytes (offsets relative to the buffer given to [`layout_batches`]).
    pub fields: Vec<LayoutField>,
    /// The decompressed records section (equal to the batch's bytes 61.. when uncompressed).
    pub records_bytes: Vec<u8>,
    /// Fields over `records_bytes` (offsets relative to it).
    pub records: Vec<LayoutField>,
}

/// Shows bytes as a quoted UTF-8 string when they are text, else as hex; long values are cut.
pub fn display_bytes(bytes: &[u8]) -> String {
    const MAX_CHARS: usize = 64;
    match std::str::from_utf8(bytes) {
        Ok(s) if !s.chars().any(|c| c.is_control()) => {
            let cut: String = s.chars().take(MAX_CHARS).collect();
            let more = if cut.len() < s.len() { "…" } else { "" };
            format!("{cut:?}{more}")
        }
        _ => {
            let hex: String = bytes
                .iter()
                .take(MAX_CHARS / 2)
                .map(|b| format!("{b:02x}"))
                .collect();
            let more = if bytes.len() > MAX_CHARS / 2 {
                "…"
            } else {
                ""
            };
            format!("0x{hex}{more}")
        }
    }
}

/// Describes the attributes bits (docs/kafka-sources.md §1.2).
pub fn describe_attributes(attributes: i16) -> String {
    let codec = Codec::from_id((attributes & 7) as u8).map_or("unknown codec", Codec::name);
    let mut parts = vec![codec];
    parts.push(if attributes & 0x08 != 0 {
        "LogAppendTime"
    } else {
        "CreateTime"
    });
    if attributes & 0x10 != 0 {
        parts.push("transactional");
    }
    if attributes & 0x20 != 0 {
        parts.push("control");
    }
    if attributes & 0x40 != 0 {
        parts.push("deleteHorizon");
    }
    format!("{attributes:#06x} ({})", parts.join(", "))
}

fn header_fields(
    h: &BatchHeader,
    base: usize,
    crc_valid: bool,
    actual_crc: u32,
) -> Vec<LayoutField> {
    let crc = if crc_valid {
        format!("{:#010x} (valid)", h.crc)
    } else {
        format!("{:#010x} (MISMATCH: bytes give {actual_crc:#010x})", h.crc)
    };
    let rows: [(usize, usize, &str, String); 13] = [
        (0, 8, "baseOffset", h.base_offset.to_string()),
        (
            8,
            4,
            "batchLength",
            format!("{} (batch is {} bytes)", h.batch_length, h.size_bytes()),
        ),
        (
            12,
            4,
            "partitionLeaderEpoch",
            h.partition_leader_epoch.to_string(),
        ),
        (16, 1, "magic", h.magic.to_string()),
        (17, 4, "crc", crc),
        (21, 2, "attributes", describe_attributes(h.attributes)),
        (23, 4, "lastOffsetDelta", h.last_offset_delta.to_string()),
        (27, 8, "baseTimestamp", h.base_timestamp.to_string()),
        (35, 8, "maxTimestamp", h.max_timestamp.to_string()),
        (43, 8, "producerId", h.producer_id.to_string()),
        (51, 2, "producerEpoch", h.producer_epoch.to_string()),
        (53, 4, "baseSequence", h.base_sequence.to_string()),
        (57, 4, "recordsCount", h.records_count.to_string()),
    ];
    rows.into_iter()
        .map(|(at, len, name, value)| LayoutField {
            start: base + at,
            end: base + at + len,
            name: name.to_string(),
            group: FieldGroup::Header,
            value,
        })
        .collect()
}

struct Walker<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
    out: Vec<LayoutField>,
}

impl Walker<'_> {
    fn push(&mut self, start: usize, name: String, value: String) {
        if self.pos > start {
            self.out.push(LayoutField {
                start: self.base + start,
                end: self.base + self.pos,
                name,
                group: FieldGroup::Record,
                value,
            });
        }
    }
    fn varint(&mut self, name: String) -> Result<i32, WireError> {
        let start = self.pos;
        let v = get_varint(self.buf, &mut self.pos)?;
        self.push(start, name, v.to_string());
        Ok(v)
    }
    fn bytes(&mut self, len: i32, name: String) -> Result<(), WireError> {
        if len <= 0 {
            return Ok(());
        }
        let len = len as usize;
        let available_bytes = self.buf.len().saturating_sub(self.pos);
        if len > available_bytes {
            return Err(WireError::Truncated {
                needed_bytes: len,
                available_bytes,
                field: "record bytes",
            });
        }
        let start = self.pos;
        self.pos += len;
        let value = display_bytes(&self.buf[start..self.pos]);
        self.push(start, name, value);
        Ok(())
    }
}

/// Lays out the records of a records section (`buf`), with offsets shifted by `base`.
/// Stops with an error at the first malformed record.
pub fn records_layout(buf: &[u8], base: usize, count: i32) -> Result<Vec<LayoutField>, WireError> {
    let mut w = Walker {
        buf,
        pos: 0,
        base,
        out: Vec::new(),
    };
    for i in 0..count.max(0) {
        let p = format!("records[{i}].");
        let len = w.varint(format!("{p}length"))?;
        let body_start = w.pos;
        let Some(&attributes) = buf.get(w.pos) else {
            return Err(WireError::Truncated {
                needed_bytes: 1,
                available_bytes: 0,
                field: "record attributes",
            });
        };
        w.pos += 1;
        w.push(body_start, format!("{p}attributes"), attributes.to_string());
        let start = w.pos;
        let ts = get_varlong(buf, &mut w.pos)?;
        w.push(start, format!("{p}timestampDelta"), ts.to_string());
        w.varint(format!("{p}offsetDelta"))?;
        let key_len = w.varint(format!("{p}keyLength"))?;
        w.bytes(key_len, format!("{p}key"))?;
        let value_len = w.varint(format!("{p}valueLength"))?;
        w.bytes(value_len, format!("{p}value"))?;
        let headers = w.varint(format!("{p}headersCount"))?;
        for j in 0..headers.max(0) {
            let hk = w.varint(format!("{p}headers[{j}].keyLength"))?;
            w.bytes(hk, format!("{p}headers[{j}].key"))?;
            let hv = w.varint(format!("{p}headers[{j}].valueLength"))?;
            w.bytes(hv, format!("{p}headers[{j}].value"))?;
        }
        if w.pos - body_start != len.max(0) as usize {
            return Err(WireError::InvalidRecord(format!(
                "record {i} declares {len} bytes but its fields use {}",
                w.pos - body_start
            )));
        }
    }
    if w.pos < buf.len() {
        let start = w.pos;
        w.pos = buf.len();
        w.push(
            start,
            "trailingBytes".into(),
            format!("{} bytes after the records", buf.len() - start),
        );
    }
    Ok(w.out)
}

/// Lays out the batch at the start of `buf`, with offsets shifted by `base`; returns it and the
/// bytes it used. The CRC is reported, not enforced, so a learner can inspect a corrupt batch.
pub fn layout_batch(
    buf: &[u8],
    base: usize,
    limits: &DecodeLimits,
) -> Result<(BatchLayout, usize), WireError> {
    let (header, batch) = batch_envelope(buf)?;
    let size = batch.len();
    let actual_crc = crc32c::crc32c(&batch[CRC_START..]);
    let crc_valid = actual_crc == header.crc;
    let codec = header.codec()?;
    let payload = &batch[HEADER_SIZE_BYTES..];
    let mut fields = header_fields(&header, base, crc_valid, actual_crc);
    let records_bytes = decompress(codec, payload, limits.max_decompressed_bytes)?;
    let records = records_layout(&records_bytes, 0, header.records_count)?;
    let payload_base = base + HEADER_SIZE_BYTES;
    if codec == Codec::None {
        fields.extend(records.iter().map(|f| LayoutField {
            start: f.start + payload_base,
            end: f.end + payload_base,
            ..f.clone()
        }));
    } else {
        for s in framing_spans(codec, payload, limits.max_decompressed_bytes)? {
            fields.push(LayoutField {
                start: payload_base + s.start,
                end: payload_base + s.end,
                name: s.name,
                group: if s.is_payload {
                    FieldGroup::Payload
                } else {
                    FieldGroup::Framing
                },
                value: s.value,
            });
        }
    }
    fields.retain(|f| f.end > f.start);
    fields.sort_by_key(|f| f.start);
    Ok((
        BatchLayout {
            header,
            codec,
            crc_valid,
            fields,
            records_bytes,
            records,
        },
        size,
    ))
}

/// Lays out every batch in `buf` (one batch, a captured records field, or a `.log` segment).
pub fn layout_batches(buf: &[u8], limits: &DecodeLimits) -> Result<Vec<BatchLayout>, WireError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < buf.len() {
        let (layout, used) = layout_batch(&buf[pos..], pos, limits)?;
        out.push(layout);
        pos += used;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{encode_batch, BatchSpec};
    use crate::codec::{Compression, SnappyFraming};
    use crate::record::{Record, RecordHeader};

    fn assert_tiles(fields: &[LayoutField], start: usize, len: usize, what: &str) {
        let mut at = start;
        for f in fields {
            assert_eq!(
                f.start, at,
                "{what}: gap or overlap before {} ({}..{})",
                f.name, f.start, f.end
            );
            assert!(f.end > f.start, "{what}: empty field {}", f.name);
            at = f.end;
        }
        assert_eq!(at, start + len, "{what}: fields stop before the end");
    }

    fn sample() -> Vec<Record> {
        (0..300)
            .map(|i| Record {
                timestamp_ms: 1_700_000_000_000 + (i % 7) * 3 - 5,
                key: match i % 3 {
                    0 => None,
                    1 => Some(Vec::new()),
                    _ => Some(format!("user-{i}").into_bytes()),
                },
                value: if i % 11 == 0 {
                    None
                } else {
                    Some(format!("{{\"n\":{i},\"pad\":\"xxxxxxxxxxxx\"}}").into_bytes())
                },
                headers: (0..(i % 3))
                    .map(|j| RecordHeader {
                        key: format!("h{j}"),
                        value: if j == 1 {
                            None
                        } else {
                            Some(vec![0xff, j as u8])
                        },
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn spans_tile_every_byte_exactly_once_for_every_codec() {
        let records = sample();
        for codec in Codec::ALL {
            for snappy_framing in [SnappyFraming::Raw, SnappyFraming::Xerial] {
                let compression = Compression {
                    codec,
                    snappy_framing,
                    ..Compression::default()
                };
                let enc = encode_batch(
                    &BatchSpec {
                        compression,
                        ..BatchSpec::default()
                    },
                    &records,
                )
                .unwrap();
                // Two batches back to back, as in a segment: offsets are absolute.
                let mut seg = enc.bytes.clone();
                seg.extend_from_slice(&enc.bytes);
                let layouts = layout_batches(&seg, &DecodeLimits::default()).unwrap();
                assert_eq!(layouts.len(), 2);
                for (i, l) in layouts.iter().enumerate() {
                    let what = format!("{codec:?}/{snappy_framing:?} batch {i}");
                    assert_tiles(&l.fields, i * enc.bytes.len(), enc.bytes.len(), &what);
                    assert_tiles(
                        &l.records,
                        0,
                        l.records_bytes.len(),
                        &format!("{what} records"),
                    );
                    assert!(l.crc_valid);
                    assert_eq!(
                        l.records
                            .iter()
                            .filter(|f| f.name.ends_with("].length"))
                            .count(),
                        300
                    );
                }
                if codec != Codec::None {
                    assert!(layouts[0]
                        .fields
                        .iter()
                        .any(|f| f.group == FieldGroup::Payload));
                    assert!(layouts[0]
                        .fields
                        .iter()
                        .any(|f| f.group == FieldGroup::Framing));
                }
            }
        }
    }

    #[test]
    fn fields_carry_names_and_decoded_values() {
        let records = vec![Record {
            timestamp_ms: 10,
            key: Some(b"Alice".to_vec()),
            value: Some(vec![0, 159, 146, 150]),
            headers: vec![],
        }];
        let enc = encode_batch(&BatchSpec::default(), &records).unwrap();
        let (l, _) = layout_batch(&enc.bytes, 0, &DecodeLimits::default()).unwrap();
        let get = |n: &str| l.fields.iter().find(|f| f.name == n).unwrap().value.clone();
        assert_eq!(get("magic"), "2");
        assert_eq!(get("records[0].key"), "\"Alice\"");
        assert_eq!(get("records[0].value"), "0x009f9296");
        assert_eq!(get("attributes"), "0x0000 (none, CreateTime)");
        let mut bad = enc.bytes.clone();
        *bad.last_mut().unwrap() ^= 1;
        let (l, _) = layout_batch(&bad, 0, &DecodeLimits::default()).unwrap();
        assert!(!l.crc_valid);
    }
}
