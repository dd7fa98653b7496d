#!/usr/bin/env python3
"""Writes tests/fixtures/partitioner.json: the partition librdkafka (confluent-kafka's bundled
librdkafka, mock cluster) picks for each key with partitioner=consistent_random (zlib crc32) and
murmur2_random (Java's murmur2), for several partition counts. The simulation's partitioners are
checked against this file by crates/ksim/tests/fixtures.rs.

Run: .venv/bin/python tests/oracle/gen_partitioner_fixture.py
"""
import json
import os
import sys

import confluent_kafka

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockcluster import MockCluster, load_librdkafka, produce_and_collect  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KEYS = ([f"key-{i}" for i in range(20)] + [f"user-{i}" for i in range(10)]
        + ["Alice", "Bob", "Carol", "payments", "a", "ab", "abc", "abcd", "21", "foobar",
           "a-little-bit-long-string", "order#2024-11-24T10:00:00Z", "ключ", "鍵", "x" * 300])
PARTITION_COUNTS = [2, 3, 4, 6, 7, 12, 50]
PARTITIONERS = ["consistent_random", "murmur2_random"]


def main():
    lib = load_librdkafka()
    mc = MockCluster(lib, 3)
    cases = []
    for n in PARTITION_COUNTS:
        topic = f"p{n}"
        mc.create_topic(topic, n, 1)
        for partitioner in PARTITIONERS:
            conf = {"bootstrap.servers": mc.bootstraps, "partitioner": partitioner, "linger.ms": 5}
            p, reports, remaining = produce_and_collect(conf, topic, [(k.encode(), b"v") for k in KEYS])
            assert remaining == 0 and len(reports) == len(KEYS), (remaining, len(reports))
            for err, part, _off, key, _v in reports:
                assert err is None, err
                cases.append({"partitioner": partitioner, "partitions": n, "key": key.decode(),
                              "partition": part})
            del p
    mc.close()
    cases.sort(key=lambda c: (c["partitioner"], c["partitions"], KEYS.index(c["key"])))
    doc = {
        "generated_by": "tests/oracle/gen_partitioner_fixture.py",
        "confluent_kafka": confluent_kafka.version()[0] if isinstance(confluent_kafka.version(), tuple) else confluent_kafka.version(),
        "librdkafka": confluent_kafka.libversion()[0],
        "cases": cases,
    }
    out = os.path.join(ROOT, "tests", "fixtures", "partitioner.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    head = json.dumps({k: v for k, v in doc.items() if k != "cases"}, ensure_ascii=False)[:-1]
    lines = ",\n  ".join(json.dumps(c, ensure_ascii=False) for c in cases)
    with open(out, "w", encoding="utf-8") as f:
        f.write(head + ',\n "cases": [\n  ' + lines + "\n ]\n}\n")
    print(f"wrote {len(cases)} cases to {out}")


if __name__ == "__main__":
    main()
