//! Zig-zag varints as Kafka writes them in records (docs/kafka-sources.md §1.4, Kafka
//! `ByteUtils.writeVarint`):
//! every record integer, lengths and header count included, is zig-zag mapped, then written
//! base-128 with the least significant group first.

use crate::error::WireError;

/// Appends `value` as a zig-zag varint (at most 5 bytes).
pub fn put_varint(out: &mut Vec<u8>, value: i32) {
    put_uvarint(out, ((value << 1) ^ (value >> 31)) as u32 as u64);
}

/// Appends `value` as a zig-zag varlong (at most 10 bytes).
pub fn put_varlong(out: &mut Vec<u8>, value: i64) {
    put_uvarint(out, ((value << 1) ^ (value >> 63)) as u64);
}

fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Number of bytes [`put_varlong`] writes for `value`.
pub fn varlong_len(value: i64) -> usize {
    let mut v = ((value << 1) ^ (value >> 63)) as u64;
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Number of bytes [`put_varint`] writes for `value`.
pub fn varint_len(value: i32) -> usize {
    let mut v = ((value << 1) ^ (value >> 31)) as u32;
    let mut n = 1;
    while v >= 0x80 {
        v >>= 7;
        n += 1;
    }
    n
}

/// Reads a zig-zag varint at `*pos`, advancing it. Rejects encodings longer than 5 bytes.
pub fn get_varint(buf: &[u8], pos: &mut usize) -> Result<i32, WireError> {
    let u = get_uvarint(buf, pos, 5)?;
    if u > u32::MAX as u64 {
        return Err(WireError::VarintTooLong);
    }
    let u = u as u32;
    Ok(((u >> 1) as i32) ^ -((u & 1) as i32))
}

/// Reads a zig-zag varlong at `*pos`, advancing it. Rejects encodings longer than 10 bytes.
pub fn get_varlong(buf: &[u8], pos: &mut usize) -> Result<i64, WireError> {
    let u = get_uvarint(buf, pos, 10)?;
    Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
}

fn get_uvarint(buf: &[u8], pos: &mut usize, max_len: usize) -> Result<u64, WireError> {
    let mut result: u64 = 0;
    for i in 0..max_len {
        let Some(&b) = buf.get(*pos) else {
            return Err(WireError::Truncated {
                needed_bytes: 1,
                available_bytes: 0,
                field: "varint",
            });
        };
        *pos += 1;
        result |= ((b & 0x7f) as u64) << (7 * i);
        if b & 0x80 == 0 {
            return Ok(result);
        }
    }
    Err(WireError::VarintTooLong)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_examples_encode_as_documented() {
        // docs/kafka-sources.md §1.4: −1 → 01, 0 → 00, 1 → 02, 6 → 0c, 80 → a0 01, 107 → d6 01
        for (v, bytes) in [
            (-1, &[0x01][..]),
            (0, &[0x00]),
            (1, &[0x02]),
            (6, &[0x0c]),
            (80, &[0xa0, 0x01]),
            (107, &[0xd6, 0x01]),
        ] {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, bytes, "varint {v}");
            assert_eq!(varint_len(v), bytes.len());
            let mut pos = 0;
            assert_eq!(get_varint(&out, &mut pos).unwrap(), v);
        }
    }

    #[test]
    fn extremes_round_trip_and_overlong_is_rejected() {
        for v in [i64::MIN, i64::MAX, -1, 0] {
            let mut out = Vec::new();
            put_varlong(&mut out, v);
            let mut pos = 0;
            assert_eq!(get_varlong(&out, &mut pos).unwrap(), v);
            assert_eq!(varlong_len(v), out.len());
        }
        let mut pos = 0;
        assert_eq!(
            get_varint(&[0xff; 6], &mut pos),
            Err(WireError::VarintTooLong)
        );
    }
}
