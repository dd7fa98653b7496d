//! Avro binary encoding (Avro specification 1.11, "Binary Encoding"), both ways, and the
//! annotated byte layout of a decoded datum.
//!
//! - `int` and `long` are zig-zag varints, least significant 7-bit group first (at most 5 and
//!   10 bytes); `float`/`double` 4/8 bytes little-endian; `boolean` one byte 0 or 1; `null`
//!   nothing.
//! - `bytes` and `string` are a `long` length then that many bytes (a string's are UTF-8);
//!   `fixed` is its size in bytes, no length.
//! - a record is its fields in schema order; an enum the `int` index of its symbol; a union the
//!   `long` index of its branch then the branch's value.
//! - arrays and maps are blocks: a `long` count then that many items (map items are a string
//!   key then the value), ending with a count of 0. A negative count means `|count|` items
//!   preceded by a `long` byte size of the block. Writers here use one positive block.
//!
//! The decoder never trusts a declared length: every length and block count is checked
//! against the bytes that remain ([`DecodeErrorKind`]), nesting is bounded
//! ([`MAX_VALUE_DEPTH`]), and items that encode in zero bytes (`null`, empty records) are
//! bounded in number ([`MAX_ZERO_BYTE_ITEMS`]), so what it allocates is proportional to its
//! input. The layout is capped at [`MAX_SPANS`] spans, then one span says how many more were
//! left out.

use std::fmt;

use crate::logical;
use crate::schema::{NamedKind, Node, Schema};
use crate::value::{EnumSymbol, FieldValue, MapEntry, UnionValue, Value};

/// Deepest nesting of values (records in records, arrays in arrays…) encoded or decoded. A
/// recursive schema (a record that refers to itself through a union) could otherwise nest
/// without end.
pub const MAX_VALUE_DEPTH: usize = 64;
/// Most annotated spans in one layout; past it, one span covers the rest.
pub const MAX_SPANS: usize = 4096;
/// Most array or map items of zero encoded bytes (`null`, a record with no fields) in one datum:
/// block counts of other items are bounded by the bytes that remain, these are not.
pub const MAX_ZERO_BYTE_ITEMS: usize = 4096;

/// One annotated byte range of an encoded datum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// First byte (offsets are into the buffer given to the decoder).
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// Which value it belongs to: `amount`, `items[2].name`, `tags["k"]`; empty for the root.
    pub path: String,
    /// What the bytes are, e.g. `zig-zag varint long = 1500`, `string length 5`,
    /// `union index 1 → string`.
    pub what: String,
}

/// A decoded datum and its layout.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub value: Value,
    /// Spans in byte order; they do not overlap. Zero-byte values (`null`) have none.
    pub spans: Vec<Span>,
}

/// Why bytes do not decode as a datum of the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the buffer the problem starts.
    pub offset: usize,
    /// The value being read, as in [`Span::path`].
    pub path: String,
    pub kind: DecodeErrorKind,
}

/// The rule the bytes broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeErrorKind {
    /// The input ended inside a value.
    Truncated {
        needed_bytes: usize,
        available_bytes: usize,
    },
    /// A varint with more than 5 (`int`) or 10 (`long`) bytes.
    VarintTooLong { max_bytes: usize },
    /// A varint whose value does not fit the type (an `int` past 32 bits, a `long` past 64).
    VarintOverflow,
    /// A negative `bytes`/`string` length or block byte size.
    NegativeLength { length: i64 },
    /// A length past the end of the input.
    LengthPastEnd { length: i64, remaining_bytes: usize },
    /// A block count larger than the remaining bytes could hold.
    BlockCountTooLarge { count: i64, remaining_bytes: usize },
    /// More than [`MAX_ZERO_BYTE_ITEMS`] zero-byte items.
    TooManyZeroByteItems,
    /// A union branch index outside the union.
    InvalidUnionIndex { index: i64, branches: usize },
    /// An enum index outside its symbols.
    InvalidEnumIndex { index: i64, symbols: usize },
    /// A string that is not UTF-8.
    InvalidUtf8,
    /// A boolean byte other than 0 or 1.
    InvalidBoolean { byte: u8 },
    /// Values nest deeper than [`MAX_VALUE_DEPTH`].
    TooDeep,
    /// Bytes left over after the datum.
    TrailingBytes { count: usize },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Avro decode error at byte {}", self.offset)?;
        if !self.path.is_empty() {
            write!(f, " ({})", self.path)?;
        }
        f.write_str(": ")?;
        match &self.kind {
            DecodeErrorKind::Truncated {
                needed_bytes,
                available_bytes,
            } => write!(
                f,
                "input ends: {needed_bytes} bytes needed, {available_bytes} left"
            ),
            DecodeErrorKind::VarintTooLong { max_bytes } => {
                write!(f, "varint longer than {max_bytes} bytes")
            }
            DecodeErrorKind::VarintOverflow => f.write_str("varint value out of range"),
            DecodeErrorKind::NegativeLength { length } => write!(f, "negative length {length}"),
            DecodeErrorKind::LengthPastEnd {
                length,
                remaining_bytes,
            } => write!(
                f,
                "length {length} runs past the end ({remaining_bytes} bytes left)"
            ),
            DecodeErrorKind::BlockCountTooLarge {
                count,
                remaining_bytes,
            } => write!(
                f,
                "block count {count} is more than {remaining_bytes} remaining bytes can hold"
            ),
            DecodeErrorKind::TooManyZeroByteItems => {
                write!(f, "more than {MAX_ZERO_BYTE_ITEMS} items of zero bytes")
            }
            DecodeErrorKind::InvalidUnionIndex { index, branches } => write!(
                f,
                "union index {index} but the union has {branches} branches"
            ),
            DecodeErrorKind::InvalidEnumIndex { index, symbols } => {
                write!(f, "enum index {index} but the enum has {symbols} symbols")
            }
            DecodeErrorKind::InvalidUtf8 => f.write_str("string is not valid UTF-8"),
            DecodeErrorKind::InvalidBoolean { byte } => {
                write!(f, "boolean byte {byte:#04x} (must be 0 or 1)")
            }
            DecodeErrorKind::TooDeep => {
                write!(f, "values nest deeper than {MAX_VALUE_DEPTH} levels")
            }
            DecodeErrorKind::TrailingBytes { count } => {
                write!(f, "{count} bytes left after the datum")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// A value that does not fit the schema it is encoded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    pub path: String,
    /// The schema at `path`, described.
    pub expected: String,
    /// What was given instead.
    pub found: String,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} does not match {}", self.found, self.expected)?;
        if !self.path.is_empty() {
            write!(f, " on field {}", self.path)?;
        }
        Ok(())
    }
}

impl std::error::Error for EncodeError {}

// ---------------------------------------------------------------------------------------------
// Encoding

/// Appends `value` as a zig-zag varint `long`.
pub fn put_long(out: &mut Vec<u8>, value: i64) {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Appends `value` as a zig-zag varint `int` (the same bytes as the `long`).
pub fn put_int(out: &mut Vec<u8>, value: i32) {
    put_long(out, value as i64);
}

/// Encodes `value` as a datum of `schema`.
pub fn encode(schema: &Schema, value: &Value) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::new();
    encode_into(schema, value, &mut out)?;
    Ok(out)
}

/// Appends `value`, a datum of `schema`, to `out`.
pub fn encode_into(schema: &Schema, value: &Value, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    let mut path = String::new();
    encode_node(schema, &schema.root, value, out, &mut path, 0)
}

fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Boolean(_) => "a boolean",
        Value::Int(_) => "an int",
        Value::Long(_) => "a long",
        Value::Float(_) => "a float",
        Value::Double(_) => "a double",
        Value::Bytes(_) => "bytes",
        Value::String(_) => "a string",
        Value::Record(_) => "a record",
        Value::Enum(_) => "an enum symbol",
        Value::Array(_) => "an array",
        Value::Map(_) => "a map",
        Value::Union(_) => "a union value",
        Value::Fixed(_) => "a fixed",
    }
}

fn encode_node(
    schema: &Schema,
    node: &Node,
    value: &Value,
    out: &mut Vec<u8>,
    path: &mut String,
    depth: usize,
) -> Result<(), EncodeError> {
    let mismatch = |path: &String, found: String| EncodeError {
        path: path.clone(),
        expected: schema.describe(node),
        found,
    };
    if depth > MAX_VALUE_DEPTH {
        return Err(mismatch(
            path,
            format!("a value nested over {MAX_VALUE_DEPTH} levels"),
        ));
    }
    match (node, value) {
        (Node::Null, Value::Null) => {}
        (Node::Boolean, Value::Boolean(b)) => out.push(u8::from(*b)),
        (Node::Int | Node::Date | Node::TimeMillis, Value::Int(i)) => put_int(out, *i),
        (
            Node::Long
            | Node::TimeMicros
            | Node::TimestampMillis
            | Node::TimestampMicros
            | Node::LocalTimestampMillis
            | Node::LocalTimestampMicros,
            Value::Long(l),
        ) => put_long(out, *l),
        (Node::Float, Value::Float(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Node::Double, Value::Double(x)) => out.extend_from_slice(&x.to_le_bytes()),
        (Node::Bytes | Node::DecimalBytes(_), Value::Bytes(b)) => {
            put_long(out, b.len() as i64);
            out.extend_from_slice(b);
        }
        (Node::String | Node::Uuid, Value::String(s)) => {
            put_long(out, s.len() as i64);
            out.extend_from_slice(s.as_bytes());
        }
        (Node::Array(items), Value::Array(vs)) => {
            if !vs.is_empty() {
                put_long(out, vs.len() as i64);
                for (i, v) in vs.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    encode_node(schema, items, v, out, path, depth + 1)?;
                    path.truncate(len);
                }
            }
            out.push(0);
        }
        (Node::Map(values), Value::Map(entries)) => {
            if !entries.is_empty() {
                put_long(out, entries.len() as i64);
                for e in entries {
                    put_long(out, e.key.len() as i64);
                    out.extend_from_slice(e.key.as_bytes());
                    let len = path.len();
                    path.push_str(&format!("[{:?}]", e.key));
                    encode_node(schema, values, &e.value, out, path, depth + 1)?;
                    path.truncate(len);
                }
            }
            out.push(0);
        }
        (Node::Union(branches), Value::Union(u)) => {
            let Some(branch) = branches.get(u.branch as usize) else {
                return Err(mismatch(path, format!("union branch {}", u.branch)));
            };
            put_long(out, u.branch as i64);
            encode_node(schema, branch, &u.value, out, path, depth + 1)?;
        }
        (Node::Named(id), v) => match (&schema.named(*id).kind, v) {
            (NamedKind::Record { fields }, Value::Record(fvs)) => {
                for f in fields {
                    let Some(fv) = fvs.iter().find(|x| x.name == f.name) else {
                        return Err(mismatch(
                            path,
                            format!("a record without field '{}'", f.name),
                        ));
                    };
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&f.name);
                    encode_node(schema, &f.schema, &fv.value, out, path, depth + 1)?;
                    path.truncate(len);
                }
            }
            (NamedKind::Enum { symbols, .. }, Value::Enum(e)) => {
                if symbols.get(e.index as usize) != Some(&e.symbol) {
                    return Err(mismatch(path, format!("the symbol '{}'", e.symbol)));
                }
                put_int(out, e.index as i32);
            }
            (NamedKind::Fixed { size_bytes, .. }, Value::Fixed(b)) => {
                if b.len() != *size_bytes {
                    return Err(mismatch(path, format!("{} bytes", b.len())));
                }
                out.extend_from_slice(b);
            }
            (_, v) => return Err(mismatch(path, value_kind(v).to_string())),
        },
        (_, v) => return Err(mismatch(path, value_kind(v).to_string())),
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Decoding

/// Decodes `bytes` as exactly one datum of `schema` (no bytes may be left).
pub fn decode(schema: &Schema, bytes: &[u8]) -> Result<Value, DecodeError> {
    let mut d = Decoder::new(schema, bytes, 0, false);
    let value = d.datum()?;
    Ok(value)
}

/// Decodes `buf[start..]` as exactly one datum of `schema`, with its layout; span offsets are
/// into `buf` (so a caller can annotate a header before `start`).
pub fn decode_with_layout(
    schema: &Schema,
    buf: &[u8],
    start: usize,
) -> Result<Decoded, DecodeError> {
    let mut d = Decoder::new(schema, buf, start, true);
    let value = d.datum()?;
    let mut spans = std::mem::take(&mut d.spans);
    if d.omitted_spans > 0 {
        let from = spans.last().map(|s| s.end).unwrap_or(start);
        spans.push(Span {
            start: from,
            end: buf.len(),
            path: String::new(),
            what: format!("… {} more spans not annotated", d.omitted_spans),
        });
    }
    Ok(Decoded { value, spans })
}

struct Decoder<'a> {
    schema: &'a Schema,
    buf: &'a [u8],
    pos: usize,
    layout: bool,
    spans: Vec<Span>,
    omitted_spans: usize,
    path: String,
    zero_byte_items: usize,
}

impl<'a> Decoder<'a> {
    fn new(schema: &'a Schema, buf: &'a [u8], start: usize, layout: bool) -> Self {
        Decoder {
            schema,
            buf,
            pos: start.min(buf.len()),
            layout,
            spans: Vec::new(),
            omitted_spans: 0,
            path: String::new(),
            zero_byte_items: 0,
        }
    }

    fn datum(&mut self) -> Result<Value, DecodeError> {
        let root = &self.schema.root;
        let value = self.node(root, 0)?;
        if self.pos < self.buf.len() {
            self.path.clear();
            return Err(self.err(
                self.pos,
                DecodeErrorKind::TrailingBytes {
                    count: self.buf.len() - self.pos,
                },
            ));
        }
        Ok(value)
    }

    fn err(&self, offset: usize, kind: DecodeErrorKind) -> DecodeError {
        DecodeError {
            offset,
            path: self.path.clone(),
            kind,
        }
    }

    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn span(&mut self, start: usize, what: impl FnOnce() -> String) {
        if !self.layout {
            return;
        }
        if self.spans.len() >= MAX_SPANS {
            self.omitted_spans += 1;
            return;
        }
        self.spans.push(Span {
            start,
            end: self.pos,
            path: self.path.clone(),
            what: what(),
        });
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        if n > self.remaining() {
            return Err(self.err(
                self.pos,
                DecodeErrorKind::Truncated {
                    needed_bytes: n,
                    available_bytes: self.remaining(),
                },
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn uvarint(&mut self, max_bytes: usize) -> Result<u64, DecodeError> {
        let start = self.pos;
        let mut result: u64 = 0;
        for i in 0..max_bytes {
            let Some(&b) = self.buf.get(self.pos) else {
                return Err(self.err(
                    self.pos,
                    DecodeErrorKind::Truncated {
                        needed_bytes: 1,
                        available_bytes: 0,
                    },
                ));
            };
            self.pos += 1;
            let group = (b & 0x7f) as u64;
            // The last group may only hold the bits that are left (1 bit of a long's 64, 4 of
            // an int's 32 after zig-zag).
            let shift = 7 * i as u32;
            if shift > 0 && (group << shift) >> shift != group {
                return Err(self.err(start, DecodeErrorKind::VarintOverflow));
            }
            result |= group << shift;
            if b & 0x80 == 0 {
                return Ok(result);
            }
        }
        Err(self.err(start, DecodeErrorKind::VarintTooLong { max_bytes }))
    }

    fn long(&mut self) -> Result<i64, DecodeError> {
        let u = self.uvarint(10)?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn int(&mut self) -> Result<i32, DecodeError> {
        let start = self.pos;
        let u = self.uvarint(5)?;
        if u > u32::MAX as u64 {
            return Err(self.err(start, DecodeErrorKind::VarintOverflow));
        }
        let u = u as u32;
        Ok(((u >> 1) as i32) ^ -((u & 1) as i32))
    }

    /// A `bytes`/`string` length or block byte size, checked against what remains.
    fn length(&mut self, what: &'static str) -> Result<usize, DecodeError> {
        let start = self.pos;
        let n = self.long()?;
        if n < 0 {
            return Err(self.err(start, DecodeErrorKind::NegativeLength { length: n }));
        }
        if n as u64 > self.remaining() as u64 {
            return Err(self.err(
                start,
                DecodeErrorKind::LengthPastEnd {
                    length: n,
                    remaining_bytes: self.remaining(),
                },
            ));
        }
        self.span(start, || format!("{what} length {n}"));
        Ok(n as usize)
    }

    fn push_path(&mut self, part: &str) -> usize {
        let len = self.path.len();
        if !self.path.is_empty() && !part.starts_with('[') {
            self.path.push('.');
        }
        self.path.push_str(part);
        len
    }

    fn node(&mut self, node: &'a Node, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_VALUE_DEPTH {
            return Err(self.err(self.pos, DecodeErrorKind::TooDeep));
        }
        let start = self.pos;
        Ok(match node {
            Node::Null => Value::Null,
            Node::Boolean => {
                let b = self.take(1)?[0];
                if b > 1 {
                    return Err(self.err(start, DecodeErrorKind::InvalidBoolean { byte: b }));
                }
                self.span(start, || format!("boolean = {}", b == 1));
                Value::Boolean(b == 1)
            }
            Node::Int | Node::Date | Node::TimeMillis => {
                let v = self.int()?;
                self.span(start, || {
                    let mut s = format!("zig-zag varint int = {v}");
                    match node {
                        Node::Date => s.push_str(&format!(" (date {})", logical::date(v as i64))),
                        Node::TimeMillis => s.push_str(&format!(
                            " (time-millis {})",
                            logical::time_of_day(v as i64, 1000)
                        )),
                        _ => {}
                    }
                    s
                });
                Value::Int(v)
            }
            Node::Long
            | Node::TimeMicros
            | Node::TimestampMillis
            | Node::TimestampMicros
            | Node::LocalTimestampMillis
            | Node::LocalTimestampMicros => {
                let v = self.long()?;
                self.span(start, || {
                    let mut s = format!("zig-zag varint long = {v}");
                    let note = match node {
                        Node::TimestampMillis => {
                            format!(" (timestamp-millis {})", logical::timestamp(v, 1000))
                        }
                        Node::TimestampMicros => {
                            format!(" (timestamp-micros {})", logical::timestamp(v, 1_000_000))
                        }
                        Node::LocalTimestampMillis => format!(
                            " (local-timestamp-millis {})",
                            logical::timestamp(v, 1000).trim_end_matches('Z')
                        ),
                        Node::LocalTimestampMicros => format!(
                            " (local-timestamp-micros {})",
                            logical::timestamp(v, 1_000_000).trim_end_matches('Z')
                        ),
                        Node::TimeMicros => {
                            format!(" (time-micros {})", logical::time_of_day(v, 1_000_000))
                        }
                        _ => String::new(),
                    };
                    s.push_str(&note);
                    s
                });
                Value::Long(v)
            }
            Node::Float => {
                let b = self.take(4)?;
                let v = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                self.span(start, || format!("float (4 bytes little-endian) = {v}"));
                Value::Float(v)
            }
            Node::Double => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                let v = f64::from_le_bytes(a);
                self.span(start, || format!("double (8 bytes little-endian) = {v}"));
                Value::Double(v)
            }
            Node::Bytes | Node::DecimalBytes(_) => {
                let n = self.length("bytes")?;
                let content_start = self.pos;
                let b = self.take(n)?.to_vec();
                if n > 0 {
                    self.span(content_start, || match node {
                        Node::DecimalBytes(d) => format!(
                            "decimal({}, {}) = {} ({n} bytes, unscaled two's complement)",
                            d.precision,
                            d.scale,
                            logical::decimal(&b, *d)
                        ),
                        _ => format!("bytes ({n})"),
                    });
                }
                Value::Bytes(b)
            }
            Node::String | Node::Uuid => {
                let s = self.string("string")?;
                Value::String(s)
            }
            Node::Array(items) => {
                let mut out = Vec::new();
                let mut i = 0usize;
                while let Some(count) = self.block("array", items)? {
                    out.reserve(count);
                    for _ in 0..count {
                        let len = self.push_path(&format!("[{i}]"));
                        out.push(self.node(items, depth + 1)?);
                        self.path.truncate(len);
                        i += 1;
                    }
                }
                Value::Array(out)
            }
            Node::Map(values) => {
                let mut out = Vec::new();
                while let Some(count) = self.block("map", values)? {
                    out.reserve(count);
                    for _ in 0..count {
                        let key = self.string("map key")?;
                        let len = self.push_path(&format!("[{key:?}]"));
                        let value = self.node(values, depth + 1)?;
                        self.path.truncate(len);
                        out.push(MapEntry { key, value });
                    }
                }
                Value::Map(out)
            }
            Node::Union(branches) => {
                let index = self.long()?;
                let Some(branch) = usize::try_from(index).ok().and_then(|i| branches.get(i)) else {
                    return Err(self.err(
                        start,
                        DecodeErrorKind::InvalidUnionIndex {
                            index,
                            branches: branches.len(),
                        },
                    ));
                };
                let schema = self.schema;
                self.span(start, || {
                    format!("union index {index} → {}", schema.branch_name(branch))
                });
                let value = self.node(branch, depth + 1)?;
                Value::Union(Box::new(UnionValue {
                    branch: index as u32,
                    value,
                }))
            }
            Node::Named(id) => {
                let named = self.schema.named(*id);
                match &named.kind {
                    NamedKind::Record { fields } => {
                        let mut out = Vec::with_capacity(fields.len());
                        for f in fields {
                            let len = self.push_path(&f.name);
                            let value = self.node(&f.schema, depth + 1)?;
                            self.path.truncate(len);
                            out.push(FieldValue {
                                name: f.name.clone(),
                                value,
                            });
                        }
                        Value::Record(out)
                    }
                    NamedKind::Enum { symbols, .. } => {
                        let index = self.int()? as i64;
                        let Some(symbol) = usize::try_from(index).ok().and_then(|i| symbols.get(i))
                        else {
                            return Err(self.err(
                                start,
                                DecodeErrorKind::InvalidEnumIndex {
                                    index,
                                    symbols: symbols.len(),
                                },
                            ));
                        };
                        self.span(start, || format!("enum index {index} → {symbol}"));
                        Value::Enum(EnumSymbol {
                            index: index as u32,
                            symbol: symbol.clone(),
                        })
                    }
                    NamedKind::Fixed {
                        size_bytes,
                        decimal,
                    } => {
                        let b = self.take(*size_bytes)?.to_vec();
                        if *size_bytes > 0 {
                            self.span(start, || match decimal {
                                Some(d) => format!(
                                    "decimal({}, {}) = {} (fixed {}, {size_bytes} bytes)",
                                    d.precision,
                                    d.scale,
                                    logical::decimal(&b, *d),
                                    named.name
                                ),
                                None => format!("fixed {} ({size_bytes} bytes)", named.name),
                            });
                        }
                        Value::Fixed(b)
                    }
                }
            }
        })
    }

    fn string(&mut self, what: &'static str) -> Result<String, DecodeError> {
        let n = self.length(what)?;
        let content_start = self.pos;
        let raw = self.take(n)?;
        let s = std::str::from_utf8(raw)
            .map_err(|_| self.err(content_start, DecodeErrorKind::InvalidUtf8))?
            .to_string();
        if n > 0 {
            self.span(content_start, || {
                let shown: String = s.chars().take(64).collect();
                let more = if shown.len() < s.len() { "…" } else { "" };
                format!("{what} {shown:?}{more} (UTF-8, {n} bytes)")
            });
        }
        Ok(s)
    }

    /// Reads one block header; `None` at the terminating zero count. Returns the item count,
    /// checked against what remains.
    fn block(&mut self, what: &'static str, item: &Node) -> Result<Option<usize>, DecodeError> {
        let start = self.pos;
        let count = self.long()?;
        if count == 0 {
            self.span(start, || format!("{what} end (block count 0)"));
            return Ok(None);
        }
        let items = count.unsigned_abs();
        if count < 0 {
            self.span(start, || {
                format!("{what} block count {count} (|count| items, byte size follows)")
            });
            self.length("block byte")?;
        } else {
            self.span(start, || format!("{what} block count {count}"));
        }
        let min = min_bytes(self.schema, item, 0) + usize::from(what == "map");
        if min == 0 {
            self.zero_byte_items = self
                .zero_byte_items
                .saturating_add(items.min(usize::MAX as u64) as usize);
            if self.zero_byte_items > MAX_ZERO_BYTE_ITEMS {
                return Err(self.err(start, DecodeErrorKind::TooManyZeroByteItems));
            }
        } else if items > (self.remaining() / min) as u64 {
            return Err(self.err(
                start,
                DecodeErrorKind::BlockCountTooLarge {
                    count,
                    remaining_bytes: self.remaining(),
                },
            ));
        }
        Ok(Some(items as usize))
    }
}

/// The fewest bytes a value of `node` can take (a map item adds at least its key's length byte,
/// counted by the caller). A recursive reference counts 0 past [`MAX_VALUE_DEPTH`].
fn min_bytes(schema: &Schema, node: &Node, depth: usize) -> usize {
    if depth > 8 {
        return 0;
    }
    match node {
        Node::Null => 0,
        Node::Float => 4,
        Node::Double => 8,
        Node::Union(_) | Node::Array(_) | Node::Map(_) => 1,
        Node::Named(id) => match &schema.named(*id).kind {
            NamedKind::Record { fields } => fields
                .iter()
                .map(|f| min_bytes(schema, &f.schema, depth + 1))
                .fold(0usize, usize::saturating_add),
            NamedKind::Enum { .. } => 1,
            NamedKind::Fixed { size_bytes, .. } => *size_bytes,
        },
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema(text: &str) -> Schema {
        Schema::parse(text).unwrap()
    }

    fn kind(s: &Schema, bytes: &[u8]) -> DecodeErrorKind {
        decode(s, bytes).unwrap_err().kind
    }

    #[test]
    fn spec_examples_encode_as_documented() {
        // "Binary Encoding": 0 → 00, -1 → 01, 1 → 02, -2 → 03, 2 → 04, -64 → 7f, 64 → 80 01;
        // the string "foo" → 06 66 6f 6f.
        for (v, bytes) in [
            (0, &[0x00][..]),
            (-1, &[0x01]),
            (1, &[0x02]),
            (-2, &[0x03]),
            (2, &[0x04]),
            (-64, &[0x7f]),
            (64, &[0x80, 0x01]),
        ] {
            let mut out = Vec::new();
            put_long(&mut out, v);
            assert_eq!(out, bytes, "{v}");
        }
        let s = schema(r#""string""#);
        assert_eq!(
            encode(&s, &Value::String("foo".into())).unwrap(),
            b"\x06foo"
        );
        // The union ["null","string"]: null → 00; "a" → 02 02 61.
        let u = schema(r#"["null","string"]"#);
        let a = Value::Union(Box::new(UnionValue {
            branch: 1,
            value: Value::String("a".into()),
        }));
        assert_eq!(encode(&u, &a).unwrap(), [0x02, 0x02, b'a']);
        // The array [3, 27] of longs → 04 06 36 00.
        let arr = schema(r#"{"type":"array","items":"long"}"#);
        let v = Value::Array(vec![Value::Long(3), Value::Long(27)]);
        assert_eq!(encode(&arr, &v).unwrap(), [0x04, 0x06, 0x36, 0x00]);
    }

    #[test]
    fn layout_annotates_every_byte_of_a_record() {
        let s = schema(
            r#"{"type":"record","name":"Payment","fields":[
                {"name":"amount","type":"long"},
                {"name":"note","type":["null","string"]},
                {"name":"tags","type":{"type":"array","items":"string"}}]}"#,
        );
        let bytes = [0xb8, 0x17, 0x02, 0x02, b'x', 0x02, 0x02, b'a', 0x00];
        let d = decode_with_layout(&s, &bytes, 0).unwrap();
        let whats: Vec<(&str, &str)> = d
            .spans
            .iter()
            .map(|s| (s.path.as_str(), s.what.as_str()))
            .collect();
        assert_eq!(
            whats,
            [
                ("amount", "zig-zag varint long = 1500"),
                ("note", "union index 1 → string"),
                ("note", "string length 1"),
                ("note", "string \"x\" (UTF-8, 1 bytes)"),
                ("tags", "array block count 1"),
                ("tags[0]", "string length 1"),
                ("tags[0]", "string \"a\" (UTF-8, 1 bytes)"),
                ("tags", "array end (block count 0)"),
            ]
        );
        let mut next = 0;
        for sp in &d.spans {
            assert_eq!(sp.start, next, "spans tile the bytes: {sp:?}");
            next = sp.end;
        }
        assert_eq!(next, bytes.len());
    }

    #[test]
    fn negative_block_counts_with_byte_size_are_read() {
        let s = schema(r#"{"type":"array","items":"int"}"#);
        // count -2, byte size 2, items 1 and 2, end.
        let v = decode(&s, &[0x03, 0x04, 0x02, 0x04, 0x00]).unwrap();
        assert_eq!(v, Value::Array(vec![Value::Int(1), Value::Int(2)]));
    }

    #[test]
    fn hostile_lengths_and_indexes_are_typed_errors() {
        let long = schema(r#""long""#);
        assert_eq!(
            kind(&long, &[0x80; 11]),
            DecodeErrorKind::VarintTooLong { max_bytes: 10 }
        );
        assert_eq!(
            kind(
                &long,
                &[0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]
            ),
            DecodeErrorKind::VarintOverflow
        );
        let int = schema(r#""int""#);
        assert_eq!(
            kind(&int, &[0x80; 6]),
            DecodeErrorKind::VarintTooLong { max_bytes: 5 }
        );
        assert_eq!(
            kind(&int, &[0xff, 0xff, 0xff, 0xff, 0x1f]),
            DecodeErrorKind::VarintOverflow
        );
        let string = schema(r#""string""#);
        assert_eq!(
            kind(&string, &[0x01]),
            DecodeErrorKind::NegativeLength { length: -1 }
        );
        assert_eq!(
            kind(&string, &[0x0a, b'a']),
            DecodeErrorKind::LengthPastEnd {
                length: 5,
                remaining_bytes: 1
            }
        );
        assert_eq!(kind(&string, &[0x02, 0xff]), DecodeErrorKind::InvalidUtf8);
        assert_eq!(
            kind(&string, &[0x02, b'a', b'b']),
            DecodeErrorKind::TrailingBytes { count: 1 }
        );
        let arr = schema(r#"{"type":"array","items":"double"}"#);
        assert_eq!(
            kind(&arr, &[0x04, 0, 0, 0, 0, 0, 0, 0, 0]),
            DecodeErrorKind::BlockCountTooLarge {
                count: 2,
                remaining_bytes: 8
            }
        );
        let nulls = schema(r#"{"type":"array","items":"null"}"#);
        let mut huge = Vec::new();
        put_long(&mut huge, 1 << 40);
        huge.push(0);
        assert_eq!(kind(&nulls, &huge), DecodeErrorKind::TooManyZeroByteItems);
        let u = schema(r#"["null","string"]"#);
        assert_eq!(
            kind(&u, &[0x04]),
            DecodeErrorKind::InvalidUnionIndex {
                index: 2,
                branches: 2
            }
        );
        assert_eq!(
            kind(&u, &[0x01]),
            DecodeErrorKind::InvalidUnionIndex {
                index: -1,
                branches: 2
            }
        );
        let e = schema(r#"{"type":"enum","name":"S","symbols":["A"]}"#);
        assert_eq!(
            kind(&e, &[0x02]),
            DecodeErrorKind::InvalidEnumIndex {
                index: 1,
                symbols: 1
            }
        );
        let b = schema(r#""boolean""#);
        assert_eq!(
            kind(&b, &[0x02]),
            DecodeErrorKind::InvalidBoolean { byte: 2 }
        );
        let d = schema(r#""double""#);
        assert_eq!(
            kind(&d, &[0; 3]),
            DecodeErrorKind::Truncated {
                needed_bytes: 8,
                available_bytes: 3
            }
        );
    }

    #[test]
    fn recursion_through_a_union_is_bounded() {
        let s = schema(
            r#"{"type":"record","name":"L","fields":[{"name":"next","type":["null","L"]}]}"#,
        );
        let deep = vec![0x02; 200];
        assert_eq!(kind(&s, &deep), DecodeErrorKind::TooDeep);
    }

    #[test]
    fn layout_is_capped_with_one_more_span() {
        let s = schema(r#"{"type":"array","items":"int"}"#);
        let n = MAX_SPANS + 10;
        let v = Value::Array((0..n).map(|i| Value::Int(i as i32)).collect());
        let bytes = encode(&s, &v).unwrap();
        let d = decode_with_layout(&s, &bytes, 0).unwrap();
        assert_eq!(d.spans.len(), MAX_SPANS + 1);
        let last = d.spans.last().unwrap();
        assert_eq!(last.end, bytes.len());
        assert!(last.what.starts_with("… 12 more"), "{}", last.what);
    }

    #[test]
    fn encode_names_the_mismatched_field() {
        let s =
            schema(r#"{"type":"record","name":"P","fields":[{"name":"amount","type":"double"}]}"#);
        let v = Value::Record(vec![FieldValue {
            name: "amount".into(),
            value: Value::String("12".into()),
        }]);
        let e = encode(&s, &v).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a string does not match double on field amount"
        );
    }
}
