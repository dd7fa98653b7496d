//! Records inside a v2 batch (docs/kafka-sources.md §1.4, Kafka `DefaultRecord.writeTo`).

use crate::error::WireError;
use crate::varint::{get_varint, get_varlong, put_varint, put_varlong, varint_len, varlong_len};

/// A record header. Header keys are UTF-8 and never null; values may be null
/// (docs/kafka-sources.md §1.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RecordHeader {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// One event as a producer hands it over: absolute CreateTime timestamp, nullable key and value
/// (a null value is a tombstone), and headers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Record {
    pub timestamp_ms: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<RecordHeader>,
}

/// A record as stored: the deltas relative to the batch header plus the payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedRecord {
    /// Record attributes byte; always 0 in current Kafka.
    pub attributes: i8,
    pub timestamp_delta: i64,
    pub offset_delta: i32,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<RecordHeader>,
}

fn put_nullable(out: &mut Vec<u8>, bytes: Option<&[u8]>) {
    match bytes {
        None => put_varint(out, -1),
        Some(b) => {
            put_varint(out, b.len() as i32);
            out.extend_from_slice(b);
        }
    }
}

/// Appends one record (length prefix included) to `out`.
pub fn write_record(out: &mut Vec<u8>, record: &Record, timestamp_delta: i64, offset_delta: i32) {
    // The length prefix comes first, so compute the body's size and write straight into `out`:
    // no temporary buffer per record (an allocation per record is costly, above all in wasm).
    let nullable_len =
        |b: Option<&[u8]>| b.map_or(varint_len(-1), |b| varint_len(b.len() as i32) + b.len());
    let mut body_len = 1
        + varlong_len(timestamp_delta)
        + varint_len(offset_delta)
        + nullable_len(record.key.as_deref())
        + nullable_len(record.value.as_deref())
        + varint_len(record.headers.len() as i32);
    for h in &record.headers {
        body_len += varint_len(h.key.len() as i32) + h.key.len() + nullable_len(h.value.as_deref());
    }
    out.reserve(5 + body_len);
    put_varint(out, body_len as i32);
    out.push(0); // attributes
    put_varlong(out, timestamp_delta);
    put_varint(out, offset_delta);
    put_nullable(out, record.key.as_deref());
    put_nullable(out, record.value.as_deref());
    put_varint(out, record.headers.len() as i32);
    for h in &record.headers {
        put_varint(out, h.key.len() as i32);
        out.extend_from_slice(h.key.as_bytes());
        put_nullable(out, h.value.as_deref());
    }
}

fn take<'a>(
    buf: &'a [u8],
    pos: &mut usize,
    len: usize,
    field: &'static str,
) -> Result<&'a [u8], WireError> {
    let available_bytes = buf.len().saturating_sub(*pos);
    if len > available_bytes {
        return Err(WireError::Truncated {
            needed_bytes: len,
            available_bytes,
            field,
        });
    }
    let s = &buf[*pos..*pos + len];
    *pos += len;
    Ok(s)
}

fn get_nullable(
    buf: &[u8],
    pos: &mut usize,
    field: &'static str,
) -> Result<Option<Vec<u8>>, WireError> {
    let len = get_varint(buf, pos)?;
    match len {
        -1 => Ok(None),
        l if l < -1 => Err(WireError::InvalidRecord(format!(
            "{field} length {l} is negative"
        ))),
        l => Ok(Some(take(buf, pos, l as usize, field)?.to_vec())),
    }
}

/// Reads one record at `*pos`. The record's declared length is checked against the buffer and
/// against the fields actually read.
pub fn read_record(buf: &[u8], pos: &mut usize) -> Result<DecodedRecord, WireError> {
    let len = get_varint(buf, pos)?;
    if len < 0 {
        return Err(WireError::InvalidRecord(format!(
            "record length {len} is negative"
        )));
    }
    let body = take(buf, pos, len as usize, "record")?;
    let mut p = 0;
    let attributes = *body.first().ok_or(WireError::Truncated {
        needed_bytes: 1,
        available_bytes: 0,
        field: "record attributes",
    })? as i8;
    p += 1;
    let timestamp_delta = get_varlong(body, &mut p)?;
    let offset_delta = get_varint(body, &mut p)?;
    let key = get_nullable(body, &mut p, "key")?;
    let value = get_nullable(body, &mut p, "value")?;
    let header_count = get_varint(body, &mut p)?;
    if header_count < 0 {
        return Err(WireError::InvalidRecord(format!(
            "header count {header_count} is negative"
        )));
    }
    // Each header needs at least 2 bytes: never pre-allocate what the input merely declares.
    let mut headers = Vec::with_capacity((header_count as usize).min(body.len() / 2));
    for _ in 0..header_count {
        let key = get_nullable(body, &mut p, "header key")?
            .ok_or_else(|| WireError::InvalidRecord("null header key".into()))?;
        let key = String::from_utf8(key)
            .map_err(|_| WireError::InvalidRecord("header key is not UTF-8".into()))?;
        let value = get_nullable(body, &mut p, "header value")?;
        headers.push(RecordHeader { key, value });
    }
    if p != body.len() {
        return Err(WireError::InvalidRecord(format!(
            "record declares {} bytes but its fields use {p}",
            body.len()
        )));
    }
    Ok(DecodedRecord {
        attributes,
        timestamp_delta,
        offset_delta,
        key,
        value,
        headers,
    })
}
