"""The Java program `kplay export --java` generates for a scenario with JSON and Avro serializers
(issue 14 item 7, Java half), compiled with javac against stand-ins of kafka-clients, Confluent's
KafkaAvroSerializer / CachedSchemaRegistryClient and Avro's GenericData (tests/oracle/java_stubs;
the kafka-clients and Confluent jars are not reachable from here), and run.

What it checks: the program type-checks against those signatures; the producer that sends Avro
values is configured with `value.serializer=KafkaAvroSerializer` and `schema.registry.url`; JSON
values are the very bytes the simulation committed (json.dumps text through StringSerializer);
each Avro value is a GenericRecord holding, field by field, what `kplay avro decode` reads from
the simulation's bytes (unions bare, decimal bytes as a ByteBuffer, timestamp-millis a long); the
registry calls of the scenario are made. These stand-ins do not encode: the Avro binary is
checked by the second class.

The second class, GeneratedJavaWithApacheAvro, compiles the same programs against Apache Avro's
real Java library (avro 1.11.2 with its Jackson and SLF4J jars; `./x setup` takes them from the
pyspark 3.5.3 sdist on PyPI, pinned by hash, since Maven Central is not reachable from here):
Schema.Parser, GenericData.Record, EnumSymbol and Fixed are then Avro's own, and the stand-in
producer (tests/oracle/java_real_avro) writes each value with Avro's GenericDatumWriter, the
writer KafkaAvroSerializer uses after its 5-byte header. Every example and codegen fixture with
an Avro serializer must send byte for byte the Avro payload the simulation committed; the only
extra sends allowed are the records whose schema the simulated registry refused (409), since the
stand-in has no registry to refuse them.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest tests/oracle/test_codegen_java_serializers.py
"""
import glob
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")
EXAMPLES = os.path.join(ROOT, "examples")
STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java_stubs")
REAL_AVRO_STUBS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "java_real_avro")
AVRO_JARS = os.environ.get("AVRO_JARS") or os.path.join(ROOT, ".venv", "java-avro")
FIXTURES = os.path.join(ROOT, "tests", "fixtures", "codegen")
URL = "http://registry.test:8081"
AVRO_TYPES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}


def kplay(*args):
    return subprocess.run([KPLAY, *args], capture_output=True, text=True, check=True).stdout


def h(s):
    return s.encode().hex()


def plain(v):
    """Avro's JSON encoding as the stand-in renders a GenericRecord: unions bare, bytes as 0x+hex."""
    if isinstance(v, dict):
        if len(v) == 1:
            (k, x), = v.items()
            if k in AVRO_TYPES or "." in k:
                return plain(x)
        return {k: plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [plain(x) for x in v]
    return v


def decode(schema_text, framed):
    with tempfile.TemporaryDirectory() as d:
        s, b = os.path.join(d, "s.avsc"), os.path.join(d, "v.bin")
        with open(s, "w") as f:
            f.write(schema_text)
        with open(b, "wb") as f:
            f.write(framed)
        return json.loads(kplay("avro", "decode", "--schema", s, b))


@unittest.skipUnless(shutil.which("javac") and shutil.which("java"), "needs a JDK")
class GeneratedJavaSerializers(unittest.TestCase):
    def run_example(self, name):
        path = name if name.endswith(".json") else os.path.join(EXAMPLES, name + ".json")
        with open(path) as f:
            doc = json.load(f)
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "PlaygroundProducer.java")
            with open(src, "w") as f:
                f.write(kplay("export", "--java", path))
            out = os.path.join(d, "classes")
            stubs = glob.glob(os.path.join(STUBS, "**", "*.java"), recursive=True)
            javac = subprocess.run(["javac", "-d", out, src, *stubs], capture_output=True, text=True, timeout=120)
            self.assertEqual(javac.returncode, 0, javac.stderr)
            run = subprocess.run(["java", "-cp", out, "PlaygroundProducer", "mock:9092", URL],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stderr)
        expected = json.loads(kplay("export", "--records-hex", path))
        return doc, run.stdout.splitlines(), expected

    def assert_sends_what_the_simulation_committed(self, name):
        doc, lines, expected = self.run_example(name)
        schema = doc["schemas"][0]["schema"]
        sends = [l.split(" ") for l in lines if l.startswith("SEND ")]
        want = [(t, k, v) for t, parts in expected.items() for p in parts for k, v in p]
        self.assertEqual(len(sends), len(want), lines)
        sim_side, java_side, avro = [], [], 0
        for topic, k, v in want:
            framed = bytes.fromhex(v)
            if framed[:1] == b"\x00":
                avro += 1
                rec = plain(decode(schema, framed))
                for f, x in rec.items():
                    if isinstance(x, str) and any(ord(c) > 0x7f or ord(c) < 0x20 for c in x):
                        rec[f] = "0x" + x.encode("latin-1").hex()
                v = "avro:" + json.dumps(rec, sort_keys=True)
            sim_side.append((topic, k or "null", v))
        for s in sends:
            text = bytes.fromhex(s[5]).decode()
            v = s[5]
            if text.startswith("avro:"):
                # timestamp-millis is a Java long (the stand-in marks longs with L).
                self.assertRegex(text, r'"timestamp":\d+L[,}]')
                v = "avro:" + json.dumps(json.loads(re.sub(r"(\d)L\b", r"\1", text[5:])), sort_keys=True)
            java_side.append((bytes.fromhex(s[1]).decode(), s[4], v))
        self.assertEqual(sorted(java_side), sorted(sim_side))
        return lines, avro

    def assert_avro_producer(self, lines):
        self.assertIn(f"PROP {h('value.serializer')} {h('io.confluent.kafka.serializers.KafkaAvroSerializer')}", lines)
        self.assertIn(f"PROP {h('schema.registry.url')} {h(URL)}", lines)

    def test_avro_payments_builds_the_lecture_event_as_a_generic_record(self):
        lines, avro = self.assert_sends_what_the_simulation_committed("avro-payments")
        self.assertEqual(avro, 3)
        self.assert_avro_producer(lines)

    def test_mixed_formats_sends_json_text_and_a_record_through_two_producers(self):
        lines, avro = self.assert_sends_what_the_simulation_committed("mixed-formats")
        self.assertEqual(avro, 1)
        self.assert_avro_producer(lines)
        self.assertIn(f"PROP {h('value.serializer')} {h('org.apache.kafka.common.serialization.StringSerializer')}", lines)

    def test_json_vs_avro_loops(self):
        lines, avro = self.assert_sends_what_the_simulation_committed("json-vs-avro")
        self.assertEqual(avro, 100)

    def test_schema_evolution_calls_the_registry(self):
        doc, lines, _ = self.run_example("schema-evolution")
        v4 = next(s["schema"] for s in doc["schemas"] if s["name"] == "payment_v4_removed_status")
        self.assertIn(f"REGISTER {h('payments-value')} {h(v4)}", lines)
        self.assertIn(f"COMPAT {h('payments-value')} FORWARD", lines)

    def test_avro_type_error_compiles(self):
        _, lines, _ = self.run_example("avro-type-error")
        self.assertEqual(sum(l.startswith("SEND ") for l in lines), 3)

    def test_padded_loops_in_a_two_producer_program(self):
        # produce_many with value_size_bytes once sent through `producer`, which a program with
        # one KafkaProducer per serializer pair does not have: javac refused it.
        path = os.path.join(ROOT, "tests", "fixtures", "codegen", "padded-loops-two-producers.json")
        lines, avro = self.assert_sends_what_the_simulation_committed(path)
        self.assertEqual(avro, 1)
        texts = [bytes.fromhex(l.split(" ")[1]).decode() for l in lines if l.startswith("SEND ")]
        self.assertEqual(sorted(texts), ["padded-text"] * 3 + ["payments-avro"])

    def test_a_plain_dict_builds_the_same_generic_record(self):
        path = os.path.join(ROOT, "tests", "fixtures", "codegen", "avro-plain-dict.json")
        _, avro = self.assert_sends_what_the_simulation_committed(path)
        self.assertEqual(avro, 3)


def avro_scenarios():
    """Every example and codegen fixture whose scenario has an Avro serializer."""
    paths = sorted(glob.glob(os.path.join(EXAMPLES, "*.json"))) + sorted(glob.glob(os.path.join(FIXTURES, "*.json")))
    out = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        sers = doc.get("serializers") or []
        if any(x.get("value_format") == "avro" or x.get("key_format") == "avro" for x in sers):
            out.append(path)
    return out


def registry_refusals(path):
    """Records the simulation's serializer refused because the registry answered 409."""
    log = json.loads(kplay("run", path, "--json"))["log"]
    return sum(1 for e in log if e["kind"] == "serialization_failed" and "SchemaRegistryError" in e["message"])


@unittest.skipUnless(shutil.which("javac") and shutil.which("java"), "needs a JDK")
class GeneratedJavaWithApacheAvro(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.jars = sorted(glob.glob(os.path.join(AVRO_JARS, "*.jar")))
        names = " ".join(os.path.basename(j) for j in cls.jars)
        if "avro-1.11" not in names:
            raise AssertionError(f"Apache Avro's jars are not in {AVRO_JARS}: `./x setup` fetches them")

    def java_sends(self, path):
        with tempfile.TemporaryDirectory() as d:
            src = os.path.join(d, "PlaygroundProducer.java")
            with open(src, "w") as f:
                f.write(kplay("export", "--java", path))
            out = os.path.join(d, "classes")
            stubs = [j for j in glob.glob(os.path.join(STUBS, "**", "*.java"), recursive=True)
                     if os.sep + os.path.join("org", "apache", "avro") + os.sep not in j
                     and not j.endswith(os.sep + "KafkaProducer.java")]
            stubs += glob.glob(os.path.join(REAL_AVRO_STUBS, "**", "*.java"), recursive=True)
            cp = os.pathsep.join(self.jars)
            javac = subprocess.run(["javac", "-cp", cp, "-d", out, src, *stubs],
                                   capture_output=True, text=True, timeout=120)
            self.assertEqual(javac.returncode, 0, javac.stderr)
            run = subprocess.run(["java", "-cp", out + os.pathsep + cp, "PlaygroundProducer", "mock:9092", URL],
                                 capture_output=True, text=True, timeout=60)
            self.assertEqual(run.returncode, 0, run.stdout + run.stderr)
        sends = []
        for line in run.stdout.splitlines():
            if line.startswith("SEND "):
                _, topic, key, value = line.split(" ")
                sends.append((bytes.fromhex(topic).decode(), key, value))
        return sends

    def simulation_commits(self, path):
        """(topic, key hex, value) per committed record; an Avro value's header is checked here
        and its payload kept, as the Java side prints it."""
        expected = json.loads(kplay("export", "--records-hex", path))
        out = []
        for topic, parts in expected.items():
            for p in parts:
                for k, v in p:
                    b = bytes.fromhex(v) if v is not None else None
                    if b is None:
                        value = "null"
                    elif b[:1] == b"\x00":
                        self.assertGreaterEqual(len(b), 5, v)
                        self.assertGreaterEqual(int.from_bytes(b[1:5], "big"), 1, "schema id from the registry")
                        value = "avro:" + b[5:].hex()
                    else:
                        value = "text:" + b.hex()
                    out.append((topic, k or "null", value))
        return out

    def test_every_avro_scenario_sends_the_simulations_bytes_through_apache_avro(self):
        paths = avro_scenarios()
        self.assertGreaterEqual(len(paths), 6, paths)
        for path in paths:
            with self.subTest(os.path.basename(path)):
                java, sim = self.java_sends(path), self.simulation_commits(path)
                # The stand-in has no registry: a record whose schema the registry refused (409,
                # raised by the serializer, nothing queued) is still written by it. Every other
                # record must match, byte for byte.
                refused = registry_refusals(path)
                extra = list(java)
                for r in sim:
                    self.assertIn(r, extra, "the simulation committed a record the Java program does not send")
                    extra.remove(r)
                self.assertEqual(len(extra), refused, extra)
                self.assertTrue(any(v.startswith("avro:") for _, _, v in java), "no Avro value was sent")


if __name__ == "__main__":
    unittest.main()
