"""The Python program `kplay export --python` generates for a scenario with JSON and Avro
serializers (issue 14 item 7), run against librdkafka's mock cluster and confluent-kafka's mock
Schema Registry (confluent-kafka 2.16.1: `schema_registry/_sync/mock_schema_registry_client.py`);
what it produced is read back and decoded with `AvroDeserializer`, and compared with the records
the simulation committed (`kplay export --records-hex`).

What must agree, byte for byte: every committed key and value, per partition and in order — so
the Confluent framing (magic byte 0, the 4-byte schema id) and the Avro binary the generated
`AvroSerializer` calls write equal the simulation's, and `json.dumps` of the generated dict
literals equals the simulation's JSON. The deserialized Avro values must equal what
`kplay avro decode` reads from the simulation's bytes.

Two facts of confluent-kafka 2.16.1 shape the harness:
- `SchemaRegistryClient({'url': 'mock://…'})` is a real HTTP client (httpx refuses the scheme);
  only `SchemaRegistryClient.new_client(conf)` returns the mock. The program builds its client
  with the constructor, as the confluent-kafka examples do, so the test hands it the mock by
  replacing the module's `SchemaRegistryClient` name with a function returning one shared
  `MockSchemaRegistryClient`, which the test keeps to deserialize.
- The mock registry never rejects a schema (`register_schema_full_response` only adds a version)
  and has no `set_compatibility` (the inherited method sends HTTP). So only scenarios whose
  registrations the real registry accepts are compared here; the 409s are checked against the
  Avro specification's rules and fastavro in test_avro.py.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest tests/oracle/test_codegen_serializers.py
"""
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mockcluster import MockCluster, load_librdkafka  # noqa: E402
from test_codegen import consume  # noqa: E402

from confluent_kafka.schema_registry import SchemaRegistryClient  # noqa: E402
from confluent_kafka.schema_registry.avro import AvroDeserializer  # noqa: E402
from confluent_kafka.serialization import MessageField, SerializationContext  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")
EXAMPLES = os.path.join(ROOT, "examples")


def kplay(*args):
    return subprocess.run([KPLAY, *args], capture_output=True, text=True, check=True).stdout


def unhex(h):
    return None if h is None else bytes.fromhex(h)


class GeneratedSerializersAgainstTheMockClusterAndRegistry(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.lib = load_librdkafka()

    def run_example(self, name):
        path = name if name.endswith(".json") else os.path.join(EXAMPLES, name + ".json")
        with open(path) as f:
            doc = json.load(f)
        expected = {t: [[(unhex(k), unhex(v)) for k, v in part] for part in parts]
                    for t, parts in json.loads(kplay("export", "--records-hex", path)).items()}
        with tempfile.TemporaryDirectory() as d:
            prog_path = os.path.join(d, "producer.py")
            with open(prog_path, "w") as f:
                f.write(kplay("export", "--python", path))
            spec = importlib.util.spec_from_file_location("generated_producer_" + os.path.basename(name).replace("-", "_").replace(".", "_"), prog_path)
            program = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(program)
        registry = SchemaRegistryClient.new_client({"url": "mock://codegen-oracle"})
        self.assertEqual(type(registry).__name__, "MockSchemaRegistryClient")
        program.SchemaRegistryClient = lambda conf: registry
        reports = []
        mc = MockCluster(self.lib, doc["cluster"]["brokers"])
        try:
            for t in doc["topics"]:
                self.assertEqual(mc.create_topic(t["name"], t["partitions"], t["replication_factor"]), 0)
            remaining = program.run(mc.bootstraps, "mock://codegen-oracle",
                                    on_delivery=lambda err, msg: reports.append(err))
            self.assertEqual(remaining, 0)
            got = {t: [consume(mc.bootstraps, t, p) for p in range(len(parts))]
                   for t, parts in expected.items()}
        finally:
            mc.close()
        total = sum(len(p) for parts in expected.values() for p in parts)
        self.assertEqual(len(reports), total)
        self.assertEqual([e for e in reports if e is not None], [])
        for topic, parts in expected.items():
            for p, recs in enumerate(parts):
                real = [(k, v) for k, v, _ in got[topic][p]]
                self.assertEqual(real, recs, f"{topic}-{p}")
        return doc, got, registry

    def decoded(self, registry, topic, value):
        return AvroDeserializer(registry)(value, SerializationContext(topic, MessageField.VALUE))

    def test_avro_payments_same_bytes_and_the_lecture_event_decodes(self):
        doc, got, registry = self.run_example("avro-payments")
        values = [v for _, v, _ in got["payments"][0]]
        self.assertEqual(len(values), 3)
        # Confluent's wire format: magic byte 0, then schema id 1 (big-endian), then Avro.
        self.assertTrue(all(v[:5] == b"\x00\x00\x00\x00\x01" for v in values))
        self.assertEqual(registry.get_latest_version("payments-value").version, 1)
        first = self.decoded(registry, "payments", values[0])
        self.assertEqual(first["payment_id"], "pay-0001")
        self.assertEqual(str(first["amount"]), "12.50")
        self.assertEqual(first["status"], "SETTLED")
        self.assertEqual(first["note"], "Made a payment of $12.50 to Bob")
        sim = json.loads(kplay_decode(doc["schemas"][0]["schema"], values[0]))
        self.assertEqual(sim["payment_id"], first["payment_id"])
        self.assertEqual(sim["note"], {"string": first["note"]})

    def test_json_vs_avro_same_bytes_and_avro_is_smaller(self):
        _, got, registry = self.run_example("json-vs-avro")
        js = [v for _, v, _ in got["payments-json"][0]]
        av = [v for _, v, _ in got["payments-avro"][0]]
        self.assertEqual((len(js), len(av)), (100, 100))
        self.assertEqual(json.loads(js[7])["payment_id"], "pay-7")
        rec = self.decoded(registry, "payments-avro", av[7])
        self.assertEqual(rec["payment_id"], "pay-7")
        self.assertEqual(rec["amount"], 12.5)
        self.assertLess(sum(map(len, av)), sum(map(len, js)) / 2)

    def test_a_plain_dict_is_what_avro_serializer_takes(self):
        # Values typed as the program's dict (decimals as numbers, the union bare): the
        # generated program hands AvroSerializer the same dict, byte-identical records.
        path = os.path.join(ROOT, "tests", "fixtures", "codegen", "avro-plain-dict.json")
        _, got, registry = self.run_example(path)
        values = [v for _, v, _ in got["payments"][0]]
        decoded = [self.decoded(registry, "payments", v) for v in values]
        self.assertEqual([str(d["amount"]) for d in decoded], ["12.50", "-3.07", "1999.99"])
        self.assertEqual([d["note"] for d in decoded], ["Made a payment of $12.50 to Bob", None, "refund"])


def kplay_decode(schema_text, framed):
    with tempfile.TemporaryDirectory() as d:
        s, b = os.path.join(d, "s.avsc"), os.path.join(d, "v.bin")
        with open(s, "w") as f:
            f.write(schema_text)
        with open(b, "wb") as f:
            f.write(framed)
        return kplay("avro", "decode", "--schema", s, b)


if __name__ == "__main__":
    unittest.main()
