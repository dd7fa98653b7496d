"""Cross-checks of kplay's Avro (crates/kavro) against fastavro, an implementation nobody here
wrote (issue 14).

(a) Random records (seeded) over schemas that cover every Avro type — unions (nullable and
    wider), enums, arrays, maps, nested and recursive records, bytes, fixed, and the logical
    types date, time-millis, timestamp-millis, timestamp-micros, uuid, decimal on bytes and on
    fixed: fastavro's `schemaless_writer` bytes equal `kplay avro encode`'s after its 5-byte
    Confluent header (checked too), fastavro reads ours back to the same record, and
    `kplay avro decode` of fastavro's bytes prints the record's Avro JSON encoding.
(a') The same records as the application's plain JSON (`kplay avro encode/decode --plain`: unions
    bare, decimals as numbers, the dict a Python program hands to AvroSerializer): fastavro,
    given the bare Python value (it picks union branches itself), writes the same bytes as
    kplay, and kplay's plain decode of them is that value again. The `everything` schema is left
    out here: its `wide` union holds `bytes`, `fixed` and `string` branches, which a plain JSON
    string cannot tell apart (a Python program has `bytes` objects; JSON has none).
(b) A compatibility table, one schema pair per resolution rule, with the verdicts the Avro
    specification's "Schema Resolution" gives for BACKWARD (the new schema reads data written
    with the old) and FORWARD (the old reads the new): `kplay avro compat` must agree, and so
    must fastavro's reader-schema resolution on a witness datum that takes the rule's path
    (resolution succeeds <=> compatible).

confluent-kafka's mock registry (`mock://`, schema_registry/_sync/mock_schema_registry_client.py
in confluent-kafka 2.16.1) does not enforce compatibility: `register_schema_full_response` only
stores the schema under the next version, and `set_config` / `get_config` return None, so it
cannot be an oracle for the verdicts (it also needs the `schemaregistry` extra, not installed
here). The verdicts are checked against the specification's rules and fastavro instead.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest discover -s tests/oracle -p 'test_avro.py'
"""
import datetime
import decimal
import io
import json
import os
import random
import struct
import subprocess
import tempfile
import unittest
import uuid

import fastavro

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")
UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)

PAYMENT = {
    "type": "record", "name": "Payment", "namespace": "shop", "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": "double"},
        {"name": "currency", "type": "string", "default": "EUR"},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "status", "type": {"type": "enum", "name": "Status",
                                    "symbols": ["PENDING", "SETTLED", "FAILED"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
    ]}

EVERYTHING = {
    "type": "record", "name": "Everything", "namespace": "test.avro", "fields": [
        {"name": "n", "type": "null"},
        {"name": "b", "type": "boolean"},
        {"name": "i", "type": "int"},
        {"name": "l", "type": "long"},
        {"name": "f", "type": "float"},
        {"name": "d", "type": "double"},
        {"name": "by", "type": "bytes"},
        {"name": "s", "type": "string"},
        {"name": "e", "type": {"type": "enum", "name": "Colour", "symbols": ["RED", "GREEN", "BLUE"]}},
        {"name": "fx", "type": {"type": "fixed", "name": "Eight", "size": 8}},
        {"name": "ints", "type": {"type": "array", "items": "int"}},
        {"name": "labels", "type": {"type": "map", "values": "string"}},
        {"name": "inner", "type": {"type": "record", "name": "Inner", "namespace": "test.inner",
                                   "fields": [{"name": "x", "type": "long"},
                                              {"name": "tags", "type": {"type": "array", "items": "string"}}]}},
        {"name": "inner_again", "type": "test.inner.Inner"},
        {"name": "maybe_inner", "type": ["null", "test.inner.Inner"]},
        {"name": "wide", "type": ["null", "int", "string", "test.avro.Colour", "test.inner.Inner",
                                  {"type": "array", "items": "double"},
                                  {"type": "map", "values": "long"}, "bytes", "Eight"]},
        {"name": "records", "type": {"type": "array", "items": "test.inner.Inner"}},
        {"name": "nested", "type": {"type": "map", "values": {"type": "array", "items": ["null", "float"]}}},
        {"name": "day", "type": {"type": "int", "logicalType": "date"}},
        {"name": "tod", "type": {"type": "int", "logicalType": "time-millis"}},
        {"name": "ts_ms", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "ts_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
        {"name": "maybe_ts", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
        {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
        {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 12, "scale": 3}},
        {"name": "total", "type": {"type": "fixed", "name": "Money", "size": 6,
                                   "logicalType": "decimal", "precision": 12, "scale": 2}},
    ]}

LINKED = {"type": "record", "name": "Node", "fields": [
    {"name": "value", "type": "int"},
    {"name": "next", "type": ["null", "Node"], "default": None}]}

TOP_LEVEL = {"type": "array", "items": {"type": "map", "values": ["null", "boolean", "double"]}}

# The serialization lesson's payment: a decimal amount and a nullable note.
LESSON_PAYMENT = {
    "type": "record", "name": "Payment", "namespace": "shop", "fields": [
        {"name": "payment_id", "type": "string"},
        {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
        {"name": "timestamp", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["PENDING", "SETTLED", "FAILED"]}},
        {"name": "note", "type": ["null", "string"], "default": None},
        {"name": "fee", "type": ["null", {"type": "fixed", "name": "Fee", "size": 4,
                                          "logicalType": "decimal", "precision": 8, "scale": 2}]},
        {"name": "tags", "type": {"type": "map", "values": ["null", "long", "string"]}},
    ]}

CASES = [("payment", PAYMENT, 50), ("everything", EVERYTHING, 100), ("linked", LINKED, 25),
         ("top-level", TOP_LEVEL, 25)]


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def code_points(b):
    """Avro JSON encoding of bytes: one code point U+0000-U+00FF per byte."""
    return "".join(chr(c) for c in b)


def decimal_bytes(unscaled):
    """Two's complement big-endian with the length fastavro's prepare_bytes_decimal picks."""
    return unscaled.to_bytes((abs(unscaled).bit_length() + 8) // 8, "big", signed=True)


class Gen:
    """Random values of a schema, as (fastavro's Python value, Avro JSON encoding)."""

    def __init__(self, rng, schema):
        self.rng = rng
        self.named = {}
        self.collect(schema, "")

    def collect(self, s, ns):
        if isinstance(s, list):
            for b in s:
                self.collect(b, ns)
        elif isinstance(s, dict):
            t = s["type"]
            if t in ("record", "enum", "fixed"):
                ns = s.get("namespace", ns) if "." not in s["name"] else s["name"].rsplit(".", 1)[0]
                full = s["name"] if "." in s["name"] or not ns else f"{ns}.{s['name']}"
                self.named[full] = s
                self.named[s["name"].rsplit(".", 1)[-1]] = s
                for f in s.get("fields", []):
                    self.collect(f["type"], ns)
            elif t == "array":
                self.collect(s["items"], ns)
            elif t == "map":
                self.collect(s["values"], ns)

    def full_name(self, s):
        return next(k for k, v in self.named.items() if v is s and "." in k) if any(
            v is s and "." in k for k, v in self.named.items()) else s["name"]

    def branch_name(self, s):
        if isinstance(s, str):
            return self.full_name(self.named[s]) if s in self.named else s
        if s["type"] in ("record", "enum", "fixed"):
            return self.full_name(s)
        return s["type"] if s["type"] in ("array", "map") else s["type"]

    def string(self):
        alphabet = "abcXYZ09 _-\"\\/\n\t\u0001é€世𝄞"
        return "".join(self.rng.choice(alphabet) for _ in range(self.rng.randrange(0, 12)))

    def value(self, s, depth=0):
        r = self.rng
        if isinstance(s, list):
            choices = [b for b in s if not (depth > 3 and b not in ("null",) and self.is_recursive(b))]
            b = r.choice(choices or s)
            if b == "null":
                return None, None
            py, js = self.value(b, depth + 1)
            return (self.branch_name(b), py), {self.branch_name(b): js}
        if isinstance(s, str):
            if s in self.named:
                return self.value(self.named[s], depth)
            return self.primitive(s)
        t, lt = s["type"], s.get("logicalType")
        if lt == "date":
            d = datetime.date(1970, 1, 1) + datetime.timedelta(days=r.randrange(-30000, 30000))
            return d, (d - datetime.date(1970, 1, 1)).days
        if lt == "time-millis":
            ms = r.randrange(0, 86_400_000)
            t_ = (datetime.datetime(2000, 1, 1) + datetime.timedelta(milliseconds=ms)).time()
            return t_, ms
        if lt == "timestamp-millis":
            ms = r.randrange(-2 * 10**12, 4 * 10**12)
            return EPOCH + datetime.timedelta(milliseconds=ms), ms
        if lt == "timestamp-micros":
            us = r.randrange(-2 * 10**15, 4 * 10**15)
            return EPOCH + datetime.timedelta(microseconds=us), us
        if lt == "uuid":
            u = uuid.UUID(int=r.getrandbits(128), version=4)
            return u, str(u)
        if lt == "decimal":
            unscaled = r.randrange(-10**s["precision"] + 1, 10**s["precision"])
            py = decimal.Decimal(unscaled).scaleb(-s.get("scale", 0))
            if t == "bytes":
                return py, code_points(decimal_bytes(unscaled))
            return py, code_points(unscaled.to_bytes(s["size"], "big", signed=True))
        if t == "record":
            py, js = {}, {}
            for f in s["fields"]:
                py[f["name"]], js[f["name"]] = self.value(f["type"], depth + 1)
            return py, js
        if t == "enum":
            sym = r.choice(s["symbols"])
            return sym, sym
        if t == "fixed":
            b = bytes(r.randrange(256) for _ in range(s["size"]))
            return b, code_points(b)
        if t == "array":
            pairs = [self.value(s["items"], depth + 1) for _ in range(r.randrange(0, 4))]
            return [p for p, _ in pairs], [j for _, j in pairs]
        if t == "map":
            # In key order: kavro reads JSON objects through serde_json's sorted map, fastavro
            # writes a dict in insertion order; the specification leaves map order to the writer.
            py, js = {}, {}
            for k in sorted({self.string() for _ in range(r.randrange(0, 4))}):
                py[k], js[k] = self.value(s["values"], depth + 1)
            return py, js
        return self.primitive(t)

    def is_recursive(self, b):
        return isinstance(b, str) and b in self.named and self.named[b].get("type") == "record"

    def primitive(self, t):
        r = self.rng
        if t == "null":
            return None, None
        if t == "boolean":
            v = r.random() < 0.5
        elif t == "int":
            v = r.choice([0, -1, 1, 63, -64, 64, 2**31 - 1, -2**31, r.randrange(-2**31, 2**31)])
        elif t == "long":
            v = r.choice([0, -1, 2**63 - 1, -2**63, r.randrange(-2**63, 2**63), r.randrange(-10**6, 10**6)])
        elif t == "float":
            v = f32(r.choice([0.0, -0.0, 1.5, r.uniform(-1e6, 1e6), r.uniform(-1, 1) * 1e-30]))
        elif t == "double":
            v = r.choice([0.0, -2.5, 1e300, r.uniform(-1e9, 1e9), r.uniform(-1, 1) * 1e-300])
        elif t == "bytes":
            b = bytes(r.randrange(256) for _ in range(r.randrange(0, 10)))
            return b, code_points(b)
        elif t == "string":
            v = self.string()
        else:
            raise ValueError(t)
        return v, v


def normalize(gen, s, js):
    """Rounds float fields of a JSON encoding to float32, so printed and exact compare equal."""
    if isinstance(s, list):
        if js is None:
            return None
        (name, inner), = js.items()
        b = next(b for b in s if b != "null" and gen.branch_name(b) == name)
        return {name: normalize(gen, b, inner)}
    if isinstance(s, str):
        if s in gen.named:
            return normalize(gen, gen.named[s], js)
        return f32(js) if s == "float" else js
    t = s["type"]
    if t == "record":
        return {f["name"]: normalize(gen, f["type"], js[f["name"]]) for f in s["fields"]}
    if t == "array":
        return [normalize(gen, s["items"], x) for x in js]
    if t == "map":
        return {k: normalize(gen, s["values"], v) for k, v in js.items()}
    if t == "float":
        return f32(js)
    return js


def normalize_plain(v):
    """Numbers compared by value (12.5 == 12.50), floats at float32 precision where needed."""
    if isinstance(v, dict):
        return {k: normalize_plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [normalize_plain(x) for x in v]
    if isinstance(v, decimal.Decimal):
        return float(f32(float(v))) if abs(v) < 1e38 else float(v)
    if isinstance(v, float):
        return float(f32(v)) if abs(v) < 1e38 else v
    return v


def run_kplay(*args):
    return subprocess.run([KPLAY, *args], capture_output=True, timeout=60)


def untuple(v):
    """fastavro's union tuple notation ('name', value) as read back: the value."""
    if isinstance(v, tuple):
        return untuple(v[1])
    if isinstance(v, dict):
        return {k: untuple(x) for k, x in v.items()}
    if isinstance(v, list):
        return [untuple(x) for x in v]
    return v


PLAIN_CASES = [("payment", PAYMENT, 30), ("lesson-payment", LESSON_PAYMENT, 60), ("linked", LINKED, 20),
               ("top-level", TOP_LEVEL, 20)]


def plain(gen, s, py, js):
    """The application's value as plain JSON data: unions bare, decimals as Decimal (written as
    numbers by `dump_plain`), logical types as their numbers, bytes as code points."""
    if isinstance(s, list):
        if py is None:
            return None
        name, inner_py = py
        (_, inner_js), = js.items()
        b = next(b for b in s if b != "null" and gen.branch_name(b) == name)
        return plain(gen, b, inner_py, inner_js)
    if isinstance(s, str):
        if s in gen.named:
            return plain(gen, gen.named[s], py, js)
        return js
    t = s["type"]
    if s.get("logicalType") == "decimal":
        return py
    if t == "record":
        return {f["name"]: plain(gen, f["type"], py[f["name"]], js[f["name"]]) for f in s["fields"]}
    if t == "array":
        return [plain(gen, s["items"], p, j) for p, j in zip(py, js)]
    if t == "map":
        return {k: plain(gen, s["values"], py[k], js[k]) for k in js}
    return js


def dump_plain(v):
    """JSON text with Decimals as exact numbers (json.dumps has no raw-number hook)."""
    marked = json.dumps(v, default=lambda d: f"\u0000DEC{d}\u0000")
    return marked.replace('"\\u0000DEC', "").replace('\\u0000"', "")


class RecordsMatchFastavro(unittest.TestCase):
    def test_plain_values_byte_for_byte_with_fastavro_picking_the_branches(self):
        rng = random.Random(41)
        checked = 0
        with tempfile.TemporaryDirectory() as d:
            for label, schema, count in PLAIN_CASES:
                parsed = fastavro.parse_schema(json.loads(json.dumps(schema)))
                schema_path = os.path.join(d, f"{label}.avsc")
                with open(schema_path, "w") as f:
                    json.dump(schema, f)
                gen = Gen(rng, schema)
                for n in range(count):
                    py, js = gen.value(schema)
                    value = plain(gen, schema, py, js)
                    text = dump_plain(value)
                    where = f"{label} record {n}: {text}"[:400]
                    buf = io.BytesIO()
                    fastavro.schemaless_writer(buf, parsed, untuple(py))
                    theirs = buf.getvalue()
                    inp, out = os.path.join(d, "in.json"), os.path.join(d, "out.bin")
                    with open(inp, "w", encoding="utf-8") as f:
                        f.write(text)
                    p = run_kplay("avro", "encode", "--plain", "--schema", schema_path, "--schema-id", "7", inp, out)
                    self.assertEqual(p.returncode, 0, f"{where}: {p.stderr.decode()}")
                    with open(out, "rb") as f:
                        ours = f.read()
                    self.assertEqual(ours[5:].hex(), theirs.hex(), where)
                    p = run_kplay("avro", "decode", "--plain", "--schema", schema_path, out)
                    self.assertEqual(p.returncode, 0, f"{where}: {p.stderr.decode()}")
                    back = json.loads(p.stdout.decode("utf-8"), parse_float=decimal.Decimal)
                    want = json.loads(text, parse_float=decimal.Decimal)
                    self.assertEqual(normalize_plain(back), normalize_plain(want), where)
                    checked += 1
        self.assertEqual(checked, sum(c for _, _, c in PLAIN_CASES))

    def test_random_records_byte_for_byte_both_ways(self):
        rng = random.Random(14)
        checked = 0
        with tempfile.TemporaryDirectory() as d:
            for label, schema, count in CASES:
                parsed = fastavro.parse_schema(json.loads(json.dumps(schema)))
                schema_path = os.path.join(d, f"{label}.avsc")
                with open(schema_path, "w") as f:
                    json.dump(schema, f)
                gen = Gen(rng, schema)
                for n in range(count):
                    py, js = gen.value(schema)
                    where = f"{label} record {n}: {js!r}"[:400]
                    buf = io.BytesIO()
                    fastavro.schemaless_writer(buf, parsed, py)
                    theirs = buf.getvalue()
                    schema_id = rng.randrange(0, 2**32)

                    inp, out = os.path.join(d, "in.json"), os.path.join(d, "out.bin")
                    with open(inp, "w", encoding="utf-8") as f:
                        json.dump(js, f)
                    p = run_kplay("avro", "encode", "--schema", schema_path, "--schema-id",
                                  str(schema_id), inp, out)
                    self.assertEqual(p.returncode, 0, f"{where}: {p.stderr.decode()}")
                    with open(out, "rb") as f:
                        ours = f.read()
                    self.assertEqual(ours[:5], b"\x00" + struct.pack(">I", schema_id), where)
                    self.assertEqual(ours[5:].hex(), theirs.hex(), where)

                    back = fastavro.schemaless_reader(io.BytesIO(ours[5:]), parsed, None)
                    self.assertEqual(back, untuple(py), where)

                    with open(out, "wb") as f:
                        f.write(b"\x00" + struct.pack(">I", schema_id) + theirs)
                    p = run_kplay("avro", "decode", "--schema", schema_path, out)
                    self.assertEqual(p.returncode, 0, f"{where}: {p.stderr.decode()}")
                    decoded = json.loads(p.stdout.decode("utf-8"))
                    self.assertEqual(normalize(gen, schema, decoded), normalize(gen, schema, js), where)
                    checked += 1
        self.assertEqual(checked, sum(c for _, _, c in CASES))

    def test_truncated_and_unframed_input_is_rejected(self):
        with tempfile.TemporaryDirectory() as d:
            schema_path = os.path.join(d, "p.avsc")
            with open(schema_path, "w") as f:
                json.dump(PAYMENT, f)
            value = {"payment_id": "pay-1", "amount": 12.5, "currency": "EUR",
                     "timestamp": datetime.datetime(2023, 11, 14, tzinfo=UTC), "status": "SETTLED",
                     "note": None}
            buf = io.BytesIO()
            fastavro.schemaless_writer(buf, fastavro.parse_schema(PAYMENT), value)
            path = os.path.join(d, "m.bin")
            for raw, message in [
                (b"\x00\x00\x00\x00\x01" + buf.getvalue()[:-3], "input ends"),
                (b'{"amount": 12.5}', "Unknown magic byte!"),
                (b"\x00\x00\x00\x00\x01" + buf.getvalue() + b"\x00", "bytes left after the datum"),
            ]:
                with open(path, "wb") as f:
                    f.write(raw)
                p = run_kplay("avro", "decode", "--schema", schema_path, path)
                self.assertEqual(p.returncode, 1, raw)
                self.assertIn(message, p.stderr.decode())


def rec(fields, name="R", **extra):
    return {"type": "record", "name": name, "fields": fields, **extra}


def field(name, type_, **extra):
    return {"name": name, "type": type_, **extra}


COLOURS = lambda *symbols, **extra: {"type": "enum", "name": "Colour", "symbols": list(symbols), **extra}  # noqa: E731
NULLABLE = ["null", "string"]

# (rule, old schema, a datum of old, new schema, a datum of new, BACKWARD, FORWARD).
# BACKWARD: the new schema reads data written with the old; FORWARD: the old reads the new.
# The datums are witnesses: they take the path the rule is about, so fastavro's resolution
# fails exactly when the verdict is "incompatible".
COMPAT_TABLE = [
    ("field added with default",
     rec([field("a", "int")]), {"a": 1},
     rec([field("a", "int"), field("b", "string", default="x")]), {"a": 1, "b": "y"}, True, True),
    ("field added without default",
     rec([field("a", "int")]), {"a": 1},
     rec([field("a", "int"), field("b", "string")]), {"a": 1, "b": "y"}, False, True),
    ("field removed that had a default",
     rec([field("a", "int"), field("b", "string", default="x")]), {"a": 1, "b": "y"},
     rec([field("a", "int")]), {"a": 1}, True, True),
    ("field removed that had no default",
     rec([field("a", "int"), field("b", "string")]), {"a": 1, "b": "y"},
     rec([field("a", "int")]), {"a": 1}, True, False),
    ("int to long", rec([field("a", "int")]), {"a": 7}, rec([field("a", "long")]), {"a": 2**40}, True, False),
    ("long to float", rec([field("a", "long")]), {"a": 7}, rec([field("a", "float")]), {"a": 1.5}, True, False),
    ("float to double", rec([field("a", "float")]), {"a": 1.5}, rec([field("a", "double")]), {"a": 0.1}, True, False),
    ("int to double", rec([field("a", "int")]), {"a": 7}, rec([field("a", "double")]), {"a": 0.5}, True, False),
    ("long to int", rec([field("a", "long")]), {"a": 2**40}, rec([field("a", "int")]), {"a": 7}, False, True),
    ("double to float", rec([field("a", "double")]), {"a": 0.1}, rec([field("a", "float")]), {"a": 1.5}, False, True),
    ("double to long", rec([field("a", "double")]), {"a": 0.5}, rec([field("a", "long")]), {"a": 7}, False, True),
    ("string to bytes", rec([field("a", "string")]), {"a": "x"}, rec([field("a", "bytes")]), {"a": b"y"}, True, True),
    ("int to string", rec([field("a", "int")]), {"a": 7}, rec([field("a", "string")]), {"a": "x"}, False, False),
    ("enum symbol added",
     rec([field("c", COLOURS("RED", "GREEN"))]), {"c": "GREEN"},
     rec([field("c", COLOURS("RED", "GREEN", "BLUE"))]), {"c": "BLUE"}, True, False),
    ("enum symbol removed",
     rec([field("c", COLOURS("RED", "GREEN", "BLUE"))]), {"c": "BLUE"},
     rec([field("c", COLOURS("RED", "GREEN"))]), {"c": "GREEN"}, False, True),
    ("enum symbol added, readers have an enum default",
     rec([field("c", COLOURS("RED", "GREEN", default="RED"))]), {"c": "GREEN"},
     rec([field("c", COLOURS("RED", "GREEN", "BLUE", default="RED"))]), {"c": "BLUE"}, True, True),
    ("field made nullable",
     rec([field("a", "string")]), {"a": "x"},
     rec([field("a", NULLABLE, default=None)]), {"a": None}, True, False),
    ("field made not nullable",
     rec([field("a", NULLABLE, default=None)]), {"a": None},
     rec([field("a", "string")]), {"a": "x"}, False, True),
    ("union branch added",
     rec([field("a", NULLABLE)]), {"a": "x"},
     rec([field("a", ["null", "string", "int"])]), {"a": 3}, True, False),
    ("nullable field added with default null",
     rec([field("a", "int")]), {"a": 1},
     rec([field("a", "int"), field("note", NULLABLE, default=None)]), {"a": 1, "note": "n"}, True, True),
    ("record renamed without alias",
     rec([field("a", "int")], name="Payment"), {"a": 1},
     rec([field("a", "int")], name="Transfer"), {"a": 1}, False, False),
    ("record renamed with alias",
     rec([field("a", "int")], name="Payment"), {"a": 1},
     rec([field("a", "int")], name="Transfer", aliases=["Payment"]), {"a": 1}, True, False),
    ("field renamed without alias",
     rec([field("amount", "double")]), {"amount": 1.5},
     rec([field("total", "double")]), {"total": 2.5}, False, False),
    ("field renamed with alias",
     rec([field("amount", "double")]), {"amount": 1.5},
     rec([field("total", "double", aliases=["amount"])]), {"total": 2.5}, True, False),
    ("fixed size changed",
     rec([field("h", {"type": "fixed", "name": "Hash", "size": 4})]), {"h": b"abcd"},
     rec([field("h", {"type": "fixed", "name": "Hash", "size": 8})]), {"h": b"abcdefgh"}, False, False),
    ("array items int to long",
     rec([field("xs", {"type": "array", "items": "int"})]), {"xs": [1, 2]},
     rec([field("xs", {"type": "array", "items": "long"})]), {"xs": [2**40]}, True, False),
    ("map values string to bytes",
     rec([field("m", {"type": "map", "values": "string"})]), {"m": {"k": "v"}},
     rec([field("m", {"type": "map", "values": "bytes"})]), {"m": {"k": b"w"}}, True, True),
]


def fastavro_reads(writer, datum, reader):
    w, r = fastavro.parse_schema(json.loads(json.dumps(writer))), fastavro.parse_schema(json.loads(json.dumps(reader)))
    buf = io.BytesIO()
    fastavro.schemaless_writer(buf, w, datum)
    try:
        fastavro.schemaless_reader(io.BytesIO(buf.getvalue()), w, r)
        return True
    except (fastavro.read.SchemaResolutionError, ValueError, KeyError, IndexError, TypeError):
        return False


# What a Python program may hand AvroSerializer for a field of each type, beyond the exact type:
# confluent-kafka calls fastavro's schemaless_writer with strict=False, whose writers convert.
# Each case: the field's type, then the value (MISSING: the key left out of the dict).
MISSING = object()
CONVERSION_CASES = [
    ("double", "12.50"), ("double", " 12.5 "), ("double", "1_000.5"), ("double", "1e3"),
    ("double", "-inf"), ("double", True), ("double", 7), ("double", "abc"), ("double", "1__0"),
    ("double", None), ("double", [1]), ("float", "0.1"), ("float", False),
    ("long", 12.7), ("long", -12.7), ("long", True), ("long", "12"), ("long", None), ("long", 3),
    ("int", 5.9), ("int", "5"), ("int", 2**31 - 1), ("int", -2.0**31),
    ("boolean", "yes"), ("boolean", "no"), ("boolean", ""), ("boolean", 0), ("boolean", 2.5),
    ("boolean", None), ("boolean", []), ("boolean", {"a": 1}),
    ("string", 5), ("string", True), ("string", "x"),
    (["null", "double"], "12.5"), (["null", "double"], 12.5), (["null", "long"], True),
    (["null", "string"], MISSING), ("null", MISSING), ("double", MISSING), (["string", "null"], MISSING),
    ({"type": "long", "logicalType": "timestamp-millis"}, 1700000000000.9),
    ({"type": "int", "logicalType": "date"}, True),
    ({"type": "enum", "name": "E", "symbols": ["A", "B"]}, "X"),
]


# Deliberate differences, each checked to still hold: fastavro's non-strict int writer writes
# an int outside 32 bits as a longer varint, which Avro's readers refuse (Java's readInt:
# "Invalid int encoding"); the playground's serializer refuses it at the field instead.
KNOWN_DIFFERENCES = [("int", 2**31), ("int", 2.0**40)]


class ConversionsMatchFastavro(unittest.TestCase):
    def test_known_differences_still_hold(self):
        with tempfile.TemporaryDirectory() as d:
            for i, (t, v) in enumerate(KNOWN_DIFFERENCES):
                with self.subTest(f"{t!r} {v!r}"):
                    schema = {"type": "record", "name": "R", "fields": [{"name": "x", "type": t}]}
                    fastavro.schemaless_writer(io.BytesIO(), fastavro.parse_schema(schema), {"x": v})
                    schema_path, inp = os.path.join(d, f"s{i}.avsc"), os.path.join(d, f"v{i}.json")
                    with open(schema_path, "w") as f:
                        json.dump(schema, f)
                    with open(inp, "w") as f:
                        json.dump({"x": v}, f)
                    p = run_kplay("avro", "encode", "--plain", "--schema", schema_path, "--schema-id", "1",
                                  inp, os.path.join(d, "out.bin"))
                    self.assertNotEqual(p.returncode, 0)
                    self.assertIn("outside the int range", p.stderr.decode())

    def test_values_fastavro_converts_are_written_alike_and_the_rest_refused_alike(self):
        """`kplay avro encode --plain` writes each case as fastavro's non-strict writer does,
        byte for byte, and refuses exactly the cases fastavro refuses."""
        with tempfile.TemporaryDirectory() as d:
            for i, (t, v) in enumerate(CONVERSION_CASES):
                with self.subTest(f"{t!r} {v!r}"):
                    schema = {"type": "record", "name": "R", "fields": [{"name": "x", "type": t}]}
                    record = {} if v is MISSING else {"x": v}
                    buf = io.BytesIO()
                    try:
                        fastavro.schemaless_writer(buf, fastavro.parse_schema(schema), record)
                        want = buf.getvalue()
                    except (TypeError, ValueError, OverflowError, fastavro.validation.ValidationError):
                        want = None
                    schema_path = os.path.join(d, f"s{i}.avsc")
                    inp, out = os.path.join(d, f"v{i}.json"), os.path.join(d, f"v{i}.bin")
                    with open(schema_path, "w") as f:
                        json.dump(schema, f)
                    with open(inp, "w") as f:
                        json.dump(record, f)
                    p = run_kplay("avro", "encode", "--plain", "--schema", schema_path, "--schema-id", "1", inp, out)
                    if want is None:
                        self.assertNotEqual(p.returncode, 0, "fastavro refuses it, kplay wrote it")
                        self.assertIn("on field x", p.stderr.decode())
                    else:
                        self.assertEqual(p.returncode, 0, p.stderr.decode())
                        with open(out, "rb") as f:
                            self.assertEqual(f.read()[5:].hex(), want.hex())


class CompatibilityTable(unittest.TestCase):
    def kplay_compat(self, d, level, *schemas):
        paths = []
        for i, s in enumerate(schemas):
            paths.append(os.path.join(d, f"s{i}.avsc"))
            with open(paths[-1], "w") as f:
                json.dump(s, f)
        return run_kplay("avro", "compat", "--level", level, *paths)

    def test_verdicts_follow_the_spec_and_fastavro_agrees(self):
        with tempfile.TemporaryDirectory() as d:
            for rule, old, old_datum, new, new_datum, backward, forward in COMPAT_TABLE:
                with self.subTest(rule=rule):
                    # fastavro resolution: BACKWARD = the new schema reads old data.
                    self.assertEqual(fastavro_reads(old, old_datum, new), backward, f"fastavro, BACKWARD: {rule}")
                    self.assertEqual(fastavro_reads(new, new_datum, old), forward, f"fastavro, FORWARD: {rule}")
                    for level, want in [("BACKWARD", backward), ("FORWARD", forward),
                                        ("FULL", backward and forward), ("NONE", True)]:
                        p = self.kplay_compat(d, level, old, new)
                        self.assertEqual(p.returncode, 0 if want else 1,
                                         f"{level} {rule}: {p.stdout.decode()} {p.stderr.decode()}")
                        if not want:
                            self.assertIn("incompatible under " + level, p.stdout.decode())

    def test_reason_names_the_field_and_transitive_reaches_the_oldest(self):
        with tempfile.TemporaryDirectory() as d:
            old = rec([field("amount", "double")], name="Payment")
            new = rec([field("amount", "double"), field("currency", "string")], name="Payment")
            p = self.kplay_compat(d, "BACKWARD", old, new)
            self.assertEqual(p.returncode, 1)
            self.assertIn("READER_FIELD_MISSING_DEFAULT_VALUE: field 'currency' has no default in the reader "
                          "and is missing in the writer", p.stdout.decode())
            v1 = rec([field("a", "int")])
            v2 = rec([field("a", "long")])
            self.assertEqual(self.kplay_compat(d, "FORWARD", v1, v2, v2).returncode, 0)
            p = self.kplay_compat(d, "FORWARD_TRANSITIVE", v1, v2, v2)
            self.assertEqual(p.returncode, 1)
            self.assertIn("earlier schema #1", p.stdout.decode())
            p = self.kplay_compat(d, "BACKWARD", v1, {"type": "record", "name": "R"})
            self.assertEqual(p.returncode, 2, "an invalid schema is a usage error")
            self.assertIn("missing attribute 'fields'", p.stderr.decode())


if __name__ == "__main__":
    unittest.main()
