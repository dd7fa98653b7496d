"""Scenario outcomes of the simulation (`$KPLAY run FILE --json`) against librdkafka's mock
cluster (confluent-kafka 2.16.1's bundled librdkafka, docs/kafka-sources.md §10.2):

- the number of ProduceRequests for the count-based batching cases of docs/kafka-sources.md §4.2,
  and the offsets 0..999 (examples/batching-*.json);
- lost acknowledgement without idempotence: the record twice, the report with offset 1;
- reordering with max.in.flight=5, retries, no idempotence when the first request fails with
  NOT_LEADER_OR_FOLLOWER: m1 m2 m3 m4 m0.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest tests/oracle/test_mock_cluster.py
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockcluster import MockCluster, load_librdkafka, produce_and_collect  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")


def kplay_run(path_or_doc):
    if isinstance(path_or_doc, dict):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump(path_or_doc, f)
            path = f.name
    else:
        path = path_or_doc
    out = subprocess.run([KPLAY, "run", path, "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def committed_values(doc, topic, partition):
    for p in doc["committed"]:
        if p["topic"] == topic and p["partition"] == partition:
            return [r["value"] for r in p["records"]]
    return []


class MockClusterOracle(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load_librdkafka()

    def test_count_based_batching_request_counts(self):
        mc = MockCluster(self.lib, 1)
        mc.create_topic("events", 1, 1)
        mc.start_tracking()
        try:
            for name in ["batching-flush", "batching-count-100", "batching-count-1", "batching-bytes-20000"]:
                path = os.path.join(ROOT, "examples", name + ".json")
                with open(path) as f:
                    scenario = json.load(f)
                conf = dict(scenario["producer"]["config"], **{"bootstrap.servers": mc.bootstraps})
                many = scenario["actions"][0]["action"]
                msgs = [(None, b"x" * many["value_size_bytes"])] * many["count"]
                mc.count_requests()
                p, reports, remaining = produce_and_collect(conf, "events", msgs, partition=0)
                time.sleep(0.2)
                mock_requests = mc.count_requests()
                del p
                offsets = sorted(r[2] for r in reports)
                sim = kplay_run(path)
                sim_requests = sim["metrics"]["produce_requests"]
                with self.subTest(name=name):
                    self.assertEqual(remaining, 0)
                    if name == "batching-bytes-20000":
                        # Byte-based splits are timing-dependent in the mock
                        # (docs/kafka-sources.md §4.2: 6 or 7).
                        self.assertLessEqual(abs(sim_requests - mock_requests), 1, (sim_requests, mock_requests))
                    else:
                        self.assertEqual(sim_requests, mock_requests)
                    sim_offsets = [r["offset"] for r in sim["committed"][0]["records"]]
                    self.assertEqual(sim_offsets, list(range(1000)))
                    self.assertEqual(offsets[-1] - offsets[0], 999)
        finally:
            mc.close()

    def test_lost_ack_duplicates_without_idempotence(self):
        sim = kplay_run(os.path.join(ROOT, "examples", "lost-ack-duplicate.json"))
        self.assertEqual(committed_values(sim, "events", 0), ["once", "once"])
        reports = sim["delivery_reports"]
        self.assertEqual([(r["error"], r["offset"]) for r in reports], [(None, 1)])
        # The mock's result, observed once with the response delayed past socket.timeout.ms
        # (docs/kafka-sources.md §10.2 item 5): offsets 0 and 1, report 1.

    def test_reordering_matches_mock(self):
        mc = MockCluster(self.lib, 1)
        mc.create_topic("o", 1, 1)
        mc.set_rtt(1, 50)
        mc.push_produce_errors(6)
        conf = {"bootstrap.servers": mc.bootstraps, "linger.ms": 0, "batch.num.messages": 1,
                "max.in.flight.requests.per.connection": 5, "retry.backoff.ms": 10,
                "enable.idempotence": False}
        try:
            p, reports, _ = produce_and_collect(conf, "o", [(None, f"m{i}".encode()) for i in range(5)], partition=0)
            mock_order = [r[4].decode() for r in sorted(reports, key=lambda r: r[2])]
            del p
        finally:
            mc.close()
        doc = {
            "version": 1, "name": "reorder-as-mock", "cluster": {"brokers": 1},
            "topics": [{"name": "o", "partitions": 1, "replication_factor": 1}],
            "producer": {"config": {k: v for k, v in conf.items() if k != "bootstrap.servers"}},
            "actions": [{"at_ms": i * 0.001, "action": {"type": "produce", "topic": "o", "value": f"m{i}", "partition": 0}}
                        for i in range(5)] + [{"at_ms": 1000, "action": {"type": "poll"}}],
            "faults": [{"at_ms": 0, "fault": {"kind": "fail_next_produce", "broker": 1, "error": "NOT_LEADER_OR_FOLLOWER"}}],
        }
        sim = kplay_run(doc)
        self.assertEqual(mock_order, ["m1", "m2", "m3", "m4", "m0"])
        self.assertEqual(committed_values(sim, "o", 0), mock_order)


if __name__ == "__main__":
    unittest.main()
