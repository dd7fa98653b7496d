//! `kplay produce` end to end: the lecture's event lands at offset 0 in the partition
//! librdkafka's consistent_random partitioner picks (crc32(key) % partitions); bad input is a
//! clear message and a non-zero exit.

use std::process::Command;

fn kplay(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kplay"))
        .args(args)
        .output()
        .expect("kplay runs")
}

#[test]
fn lecture_event_lands_at_offset_0_in_the_crc32_partition() {
    let out = kplay(&[
        "produce",
        "--topic",
        "payments",
        "--partitions",
        "3",
        "--key",
        "Alice",
        "--value",
        "Made a payment of $200 to Bob",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Python: zlib.crc32(b"Alice") % 3 == 1; the CRC here is computed independently.
    let expected_partition = crc32fast_free(b"Alice") % 3;
    assert_eq!(v["partition"], expected_partition);
    assert_eq!(v["offset"], 0);
    assert_eq!(v["error"], serde_json::Value::Null);
}

/// Bitwise CRC-32 (IEEE), written here so the test does not use the code under test.
fn crc32fast_free(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn version_and_bad_input() {
    let out = kplay(&["--version"]);
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("kplay "));
    let out = kplay(&["produce", "--topic", "..", "--value", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("INVALID_TOPIC_EXCEPTION"));
    let out = kplay(&["produce", "--partitions", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let out = kplay(&[
        "produce",
        "--topic",
        "t",
        "--replication-factor",
        "4",
        "--value",
        "x",
    ]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("INVALID_REPLICATION_FACTOR"));
}
