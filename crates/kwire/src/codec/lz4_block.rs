//! An LZ4 block compressor written for determinism: the same bytes on every target.
//!
//! `lz4_flex`'s compressor hashes 5 bytes (a `usize` read) on 64-bit targets and 4 bytes on
//! 32-bit ones once a block reaches 64 KiB — exactly Kafka's block size — so native and wasm32
//! builds wrote different lz4 batches. This is the reference LZ4 "fast" algorithm (greedy,
//! 4-byte hash, 4096-entry table, skip acceleration after 64 misses) with only fixed-width
//! arithmetic. Decoding still uses `lz4_flex`.
//!
//! Block rules kept (LZ4 block format): matches are at least 4 bytes, offsets at most 65535,
//! the last match starts at least 12 bytes before the end, the last 5 bytes are literals.

const MIN_MATCH: usize = 4;
const LAST_LITERALS: usize = 5;
const MF_LIMIT: usize = 12;
const HASH_LOG: u32 = 12;
const MAX_OFFSET: usize = 65_535;
const SKIP_TRIGGER: u32 = 6;
const EMPTY: u32 = u32::MAX;

fn read_u32(input: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([input[at], input[at + 1], input[at + 2], input[at + 3]])
}

fn read_u64(input: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&input[at..at + 8]);
    u64::from_le_bytes(b)
}

fn hash(sequence: u32) -> usize {
    (sequence.wrapping_mul(2_654_435_761) >> (32 - HASH_LOG)) as usize
}

fn put_length(out: &mut Vec<u8>, mut rest: usize) {
    while rest >= 255 {
        out.push(255);
        rest -= 255;
    }
    out.push(rest as u8);
}

fn emit(out: &mut Vec<u8>, literals: &[u8], matched: Option<(usize, usize)>) {
    let lit = literals.len();
    let match_code = matched.map_or(0, |(_, len)| len - MIN_MATCH);
    out.push(((lit.min(15) as u8) << 4) | match_code.min(15) as u8);
    if lit >= 15 {
        put_length(out, lit - 15);
    }
    out.extend_from_slice(literals);
    if let Some((offset, _)) = matched {
        out.extend_from_slice(&(offset as u16).to_le_bytes());
        if match_code >= 15 {
            put_length(out, match_code - 15);
        }
    }
}

/// Appends the LZ4 block encoding of `input` to `out`.
pub fn compress_block(input: &[u8], out: &mut Vec<u8>) {
    let n = input.len();
    let mut anchor = 0;
    if n > MF_LIMIT {
        let match_start_limit = n - MF_LIMIT;
        let match_end_limit = n - LAST_LITERALS;
        let mut table = vec![EMPTY; 1 << HASH_LOG];
        let mut cur = 0;
        let mut attempts: u32 = 1 << SKIP_TRIGGER;
        while cur < match_start_limit {
            let sequence = read_u32(input, cur);
            let h = hash(sequence);
            let candidate = table[h];
            table[h] = cur as u32;
            let found = candidate != EMPTY
                && cur - candidate as usize <= MAX_OFFSET
                && read_u32(input, candidate as usize) == sequence;
            if !found {
                cur += (attempts >> SKIP_TRIGGER) as usize;
                attempts += 1;
                continue;
            }
            let (mut start, mut from) = (cur, candidate as usize);
            while start > anchor && from > 0 && input[start - 1] == input[from - 1] {
                start -= 1;
                from -= 1;
            }
            let mut len = cur - start + MIN_MATCH;
            // 8 bytes at a time, then byte by byte: the same length either way, only faster.
            while start + len + 8 <= match_end_limit {
                let diff = read_u64(input, from + len) ^ read_u64(input, start + len);
                if diff != 0 {
                    len += (diff.trailing_zeros() / 8) as usize;
                    break;
                }
                len += 8;
            }
            while start + len < match_end_limit && input[from + len] == input[start + len] {
                len += 1;
            }
            emit(out, &input[anchor..start], Some((start - from, len)));
            cur = start + len;
            anchor = cur;
            attempts = 1 << SKIP_TRIGGER;
            if cur - 2 < match_start_limit {
                table[hash(read_u32(input, cur - 2))] = (cur - 2) as u32;
            }
        }
    }
    emit(out, &input[anchor..], None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(input: &[u8]) -> usize {
        let mut out = Vec::new();
        compress_block(input, &mut out);
        let back = lz4_flex::block::decompress(&out, input.len()).unwrap();
        assert_eq!(back, input);
        out.len()
    }

    #[test]
    fn blocks_decode_with_an_independent_decoder() {
        assert_eq!(round_trip(b""), 1);
        round_trip(b"abc");
        round_trip(b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        let text = b"payment of $200 to Bob; payment of $300 to Carol; ".repeat(2000);
        assert!(
            round_trip(&text[..65_536]) < 2_000,
            "repetitive text compresses"
        );
        let mut x = 1u32;
        let noise: Vec<u8> = (0..70_000)
            .map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                (x >> 16) as u8
            })
            .collect();
        round_trip(&noise);
        // Long literal and match runs need the 255-continuation bytes.
        let mut mixed = noise[..1000].to_vec();
        mixed.extend_from_slice(&[7u8; 5000]);
        mixed.extend_from_slice(&noise[1000..1300]);
        round_trip(&mixed);
    }

    #[test]
    fn output_is_pinned() {
        // Fixed bytes: any change of algorithm (or a platform difference) shows up here.
        let mut out = Vec::new();
        compress_block(b"abcdabcdabcdabcdabcdabcdXYZ12", &mut out);
        assert_eq!(out, b"\x4fabcd\x04\x00\x01\x50XYZ12".to_vec());
    }
}
