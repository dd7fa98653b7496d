//! Deterministic sample records (JSON-like payment events) for benchmarks, demos and tests, so
//! the native and the wasm benchmark measure exactly the same workload.

use crate::record::Record;

/// Records of about `value_bytes` JSON-like bytes each (plus a short key), enough of them that
/// their values add up to at least `total_bytes`. Same inputs, same records.
pub fn json_like_records(total_bytes: usize, value_bytes: usize) -> Vec<Record> {
    let names = [
        "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi",
    ];
    let mut out = Vec::new();
    let mut sum = 0;
    let mut x: u32 = 0x9e37_79b9;
    let mut i: i64 = 0;
    while sum < total_bytes {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        let user = names[(x % 8) as usize];
        let mut value = format!(
            "{{\"id\":{i},\"user\":\"{user}\",\"amount\":{}.{:02},\"currency\":\"EUR\",\"note\":\"",
            x % 5000,
            x % 100
        );
        while value.len() < value_bytes.saturating_sub(2) {
            value.push((b'a' + ((x >> (value.len() % 24)) % 26) as u8) as char);
        }
        value.push_str("\"}");
        sum += value.len();
        out.push(Record {
            timestamp_ms: 1_700_000_000_000 + i,
            key: Some(user.as_bytes().to_vec()),
            value: Some(value.into_bytes()),
            headers: Vec::new(),
        });
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_deterministic_and_sized() {
        let a = json_like_records(16 * 1024, 100);
        assert_eq!(a, json_like_records(16 * 1024, 100));
        assert!(a.iter().all(|r| r.value.as_ref().unwrap().len() == 100));
        let total: usize = a.iter().map(|r| r.value.as_ref().unwrap().len()).sum();
        assert!((16 * 1024..16 * 1024 + 100).contains(&total));
    }
}
