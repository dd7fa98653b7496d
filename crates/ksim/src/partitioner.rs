//! Key → partition mappings identical to the real clients (docs/kafka-sources.md §3, partitioner):
//! librdkafka `consistent_random` = zlib `crc32(key) % n`; `murmur2_random` and Java's built-in
//! partitioner = `(murmur2(key) & 0x7fffffff) % n` with Java's seed. Checked against librdkafka's
//! mock cluster in `tests/fixtures/partitioner.json`.

/// zlib CRC-32 of the key (librdkafka `rd_crc32`).
pub fn crc32(key: &[u8]) -> u32 {
    crc32fast::hash(key)
}

/// Java's `Utils.murmur2` (seed 0x9747b28c), as a signed 32-bit value.
pub fn murmur2(data: &[u8]) -> i32 {
    let m: u32 = 0x5bd1_e995;
    let r = 24;
    let len = data.len();
    let mut h: u32 = 0x9747_b28c ^ (len as u32);
    let chunks = data.chunks_exact(4);
    let tail = chunks.remainder();
    for c in chunks {
        let mut k = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
        k = k.wrapping_mul(m);
        k ^= k >> r;
        k = k.wrapping_mul(m);
        h = h.wrapping_mul(m);
        h ^= k;
    }
    if tail.len() == 3 {
        h ^= (tail[2] as u32) << 16;
    }
    if tail.len() >= 2 {
        h ^= (tail[1] as u32) << 8;
    }
    if !tail.is_empty() {
        h ^= tail[0] as u32;
        h = h.wrapping_mul(m);
    }
    h ^= h >> 13;
    h = h.wrapping_mul(m);
    h ^= h >> 15;
    h as i32
}

/// librdkafka `consistent_random` for a non-empty key.
pub fn crc32_partition(key: &[u8], partitions: u32) -> u32 {
    crc32(key) % partitions.max(1)
}

/// Java `BuiltInPartitioner.partitionForKey` / librdkafka `murmur2_random` for a non-empty key.
pub fn murmur2_partition(key: &[u8], partitions: u32) -> u32 {
    ((murmur2(key) as u32) & 0x7fff_ffff) % partitions.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_zlib() {
        // zlib.crc32(b"key-1") % 4 == 2 (librdkafka's mapping, as in tests/fixtures/).
        assert_eq!(crc32_partition(b"key-1", 4), 2);
        assert_eq!(crc32_partition(b"key-5", 4), 3);
        assert_eq!(crc32_partition(b"key-0", 4), 0);
        assert_eq!(crc32_partition(b"key-4", 4), 1);
    }

    #[test]
    fn murmur2_matches_java_vectors() {
        // Values from Kafka's UtilsTest.testMurmur2.
        assert_eq!(murmur2(b"21"), -973932308);
        assert_eq!(murmur2(b"foobar"), -790332482);
        assert_eq!(murmur2(b"a-little-bit-long-string"), -985981536);
        assert_eq!(murmur2(b"a-little-bit-longer-string"), -1486304829);
        assert_eq!(
            murmur2(b"lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
            -58897971
        );
        assert_eq!(murmur2(b"abc"), 479470107);
    }
}
