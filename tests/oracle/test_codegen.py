"""The Python program `kplay export --python` generates for a scenario, run against librdkafka's
mock cluster (confluent-kafka's bundled librdkafka; topics pre-created with the scenario's
partition counts through the mock C API): it must deliver what the simulation committed —
the message count, each key in the same partition as in the simulation (crc32 partitioner), the
order within each partition for keyed events, and hostile strings byte for byte.

The Java program (`kplay export --java`) is compiled with javac against stand-ins of the
kafka-clients classes (tests/oracle/java_stubs; no kafka jar offline) and run: it must compile
whatever the strings hold, and send exactly the scenario's keys, values, headers and client.id.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest tests/oracle/test_codegen.py
"""
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockcluster import MockCluster, load_librdkafka  # noqa: E402

from confluent_kafka import Consumer, TopicPartition  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")

HOSTILE = 'He said "hi"\n\'x\' \\ \\n """ {i} \u2603 \U0001F600 \u202e \x00 </script>'


def scenario(topics, actions, config=None):
    return {
        "version": 1,
        "name": "codegen oracle " + HOSTILE,
        "seed": 1,
        "cluster": {"brokers": 3},
        "topics": [{"name": n, "partitions": p, "replication_factor": 3} for n, p in topics],
        "producer": {"profile": "librdkafka", "config": config or {}},
        "actions": [{"at_ms": at, "action": a} for at, a in actions],
    }


SCENARIOS = {
    "keyed-async": scenario(
        [("orders", 4)],
        [(0, {"type": "produce_many", "topic": "orders", "count": 40, "key": "customer-{i}",
              "key_count": 7, "value": "order {i}", "value_size_bytes": 64}),
         (50, {"type": "flush"})],
        {"linger.ms": 2, "acks": "all", "client.id": "codegen-oracle"}),
    "keyed-sync": scenario(
        [("events", 2)],
        [(0, {"type": "produce_many", "topic": "events", "count": 10, "key": "k{i}",
              "key_count": 3, "value": "sync {i}", "mode": "sync"})]),
    "hostile-strings": scenario(
        [("weird.topic_1", 3)],
        [(0, {"type": "produce", "topic": "weird.topic_1", "key": HOSTILE, "value": HOSTILE,
              "headers": [{"key": HOSTILE, "value": HOSTILE}]}),
         (0.5, {"type": "produce", "topic": "weird.topic_1", "key": "k", "value": HOSTILE + "2",
                "partition": 2}),
         (1, {"type": "flush"})],
        {"client.id": HOSTILE}),
    "keyless": scenario(
        [("events", 3)],
        [(0, {"type": "produce_many", "topic": "events", "count": 15, "value": "e{i}"}),
         (20, {"type": "flush"})]),
}


def kplay(*args):
    return subprocess.run([KPLAY, "export", *args], capture_output=True, text=True, check=True).stdout


def consume(bootstrap, topic, partition, timeout=10):
    """Every record of one partition of the mock cluster: (key, value, headers)."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "codegen-oracle",
                  "enable.auto.commit": False, "auto.offset.reset": "earliest"})
    _, n = c.get_watermark_offsets(TopicPartition(topic, partition), timeout=timeout)
    c.assign([TopicPartition(topic, partition, 0)])
    out, deadline = [], time.time() + timeout
    while len(out) < n and time.time() < deadline:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        out.append((m.key(), m.value(), m.headers()))
    c.close()
    return out


def text(b):
    return None if b is None else b.decode("utf-8", "replace")


class GeneratedPythonRunsAgainstTheMockCluster(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load_librdkafka()

    def run_scenario(self, name):
        doc = SCENARIOS[name]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "scenario.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            program = kplay("--python", path)
            expected = json.loads(kplay("--records", path))
            prog_path = os.path.join(d, "producer.py")
            with open(prog_path, "w") as f:
                f.write(program)
            mc = MockCluster(self.lib, doc["cluster"]["brokers"])
            try:
                for t in doc["topics"]:
                    self.assertEqual(mc.create_topic(t["name"], t["partitions"], t["replication_factor"]), 0)
                run = subprocess.run([sys.executable, prog_path, "--bootstrap", mc.bootstraps],
                                     capture_output=True, text=True, timeout=40)
                self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
                total = sum(len(p) for parts in expected.values() for p in parts)
                self.assertEqual(run.stdout.count("delivered: "), total, run.stdout)
                self.assertNotIn("failed: ", run.stdout)
                got = {t: [consume(mc.bootstraps, t, p) for p in range(len(parts))]
                       for t, parts in expected.items()}
            finally:
                mc.close()
        return doc, expected, got

    def assert_same_partitions_and_order(self, expected, got):
        for topic, parts in expected.items():
            for p, recs in enumerate(parts):
                real = [(text(k), text(v)) for k, v, _ in got[topic][p]]
                self.assertEqual(real, [tuple(r) for r in recs], f"{topic}-{p}")

    def test_keyed_async_loop_same_partitions_and_order(self):
        _, expected, got = self.run_scenario("keyed-async")
        self.assertEqual(sum(len(p) for p in expected["orders"]), 40)
        self.assert_same_partitions_and_order(expected, got)

    def test_synchronous_loop(self):
        _, expected, got = self.run_scenario("keyed-sync")
        self.assert_same_partitions_and_order(expected, got)

    def test_hostile_strings_arrive_byte_for_byte(self):
        _, expected, got = self.run_scenario("hostile-strings")
        self.assert_same_partitions_and_order(expected, got)
        recs = [r for part in got["weird.topic_1"] for r in part]
        first = next(r for r in recs if r[0] == HOSTILE.encode())
        self.assertEqual(first[1], HOSTILE.encode())
        # confluent-kafka passes header *keys* to librdkafka as C strings: they end at a NUL.
        self.assertEqual(first[2], [(HOSTILE.split("\x00")[0], HOSTILE.encode())])
        self.assertEqual(text(got["weird.topic_1"][2][-1][1]), HOSTILE + "2")

    def test_keyless_events_all_arrive(self):
        _, expected, got = self.run_scenario("keyless")
        want = sorted(v for part in expected["events"] for _, v in part)
        real = sorted(text(v) for part in got["events"] for _, v, _ in part)
        self.assertEqual(real, want)


STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java_stubs")


@unittest.skipUnless(shutil.which("javac") and shutil.which("java"), "needs a JDK")
class GeneratedJavaCompilesAndSendsTheSameStrings(unittest.TestCase):
    def compile_and_run(self, doc):
        """Returns (stdout lines, records the simulation committed)."""
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "scenario.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            src = os.path.join(d, "PlaygroundProducer.java")
            with open(src, "w") as f:
                f.write(kplay("--java", path))
            out = os.path.join(d, "classes")
            stubs = glob.glob(os.path.join(STUBS, "**", "*.java"), recursive=True)
            javac = subprocess.run(["javac", "-d", out, src, *stubs], capture_output=True, text=True, timeout=120)
            self.assertEqual(javac.returncode, 0, javac.stderr)
            run = subprocess.run(["java", "-cp", out, "PlaygroundProducer", "mock:9092"],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
            expected = json.loads(kplay("--records", path))
        return run.stdout.splitlines(), expected

    def test_every_example_compiles_and_sends_what_the_simulation_committed(self):
        for name, doc in SCENARIOS.items():
            with self.subTest(name):
                lines, expected = self.compile_and_run(doc)
                total = sum(len(p) for parts in expected.values() for p in parts)
                self.assertEqual(sum(l.startswith("SEND ") for l in lines), total)
                sent = sorted((l.split(" ")[4], l.split(" ")[5]) for l in lines if l.startswith("SEND "))
                want = sorted(("null" if k is None else k.encode().hex(), v.encode().hex())
                              for parts in expected.values() for p in parts for k, v in p)
                self.assertEqual(sent, want)

    def test_hostile_strings_survive_javac(self):
        lines, _ = self.compile_and_run(SCENARIOS["hostile-strings"])
        h = HOSTILE.encode().hex()
        self.assertIn(f"PROP {'client.id'.encode().hex()} {h}", lines)
        self.assertIn(f"PROP {'bootstrap.servers'.encode().hex()} {'mock:9092'.encode().hex()}", lines)
        sends = [l.split(" ") for l in lines if l.startswith("SEND ")]
        self.assertEqual(len(sends), 2, lines)
        topic = "weird.topic_1".encode().hex()
        self.assertEqual(sends[0], ["SEND", topic, "null", "null", h, h, f"{h}={h},"])
        self.assertEqual(sends[1], ["SEND", topic, "2", "null", "k".encode().hex(), (HOSTILE + "2").encode().hex(), ""])
        self.assertEqual(sum(l.startswith("delivered: ") for l in lines), 2)


if __name__ == "__main__":
    unittest.main()
