"""Cross-checks of kplay's record batch v2 codec against kafka-python 3.0.12 (issue 3).

(a) kafka-python decodes the batches `kplay batch encode` writes, for every codec, and every
    header field and record matches the input;
(b) `kplay batch decode --json` reads the batches kafka-python builds for every codec (its lz4
    frames carry the content size, its snappy is xerial-framed), plus other framings built with
    the codec libraries directly (raw snappy, lz4 with checksums, zstd without content size,
    gzip with a file name);
(c) uncompressed batches are byte-identical to kafka-python's.

Run: KPLAY=target/debug/kplay .venv/bin/python -m unittest discover -s tests/oracle -p 'test_*.py'
"""
import gzip
import io
import json
import os
import struct
import subprocess
import tempfile
import unittest

import lz4.frame
import snappy
import zstandard
from kafka.record.default_records import DefaultRecordBatch, DefaultRecordBatchBuilder
from kafka.record.util import calc_crc32c

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KPLAY = os.environ.get("KPLAY") or os.path.join(ROOT, "target", "debug", "kplay")
CODECS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
BASE_TS = 1_700_000_000_000


def sample_records():
    """Null/empty keys and values, unicode, null header values, negative timestamp deltas."""
    recs = [
        {"timestamp": BASE_TS, "key": "Alice", "value": "Made a payment of $200 to Bob",
         "headers": [["trace", "abc"], ["n", None]]},
        {"timestamp": BASE_TS - 250, "key": None, "value": "no key, earlier timestamp",
         "headers": []},
        {"timestamp": BASE_TS + 9, "key": "", "value": "", "headers": [["", ""]]},
        {"timestamp": BASE_TS + 10, "key": "tombstone", "value": None, "headers": []},
        {"timestamp": BASE_TS + 11, "key": "Zoë ✓", "value": "grüße, 世界 " * 3,
         "headers": [[f"h{i}", f"v{i}" if i % 2 else None] for i in range(12)]},
    ]
    for i in range(900):  # ~100 KiB: several xerial blocks, two lz4 blocks
        recs.append({"timestamp": BASE_TS + 20 + i % 13, "key": f"user-{i % 17}",
                     "value": json.dumps({"id": i, "event": "payment", "amount": i * 37 % 1000,
                                          "note": "x" * (i % 40)}),
                     "headers": [["seq", str(i)]] if i % 3 == 0 else []})
    return recs


def enc(s):
    return None if s is None else s.encode()


def run_kplay(*args, stdin=None):
    return subprocess.run([KPLAY, *args], input=stdin, capture_output=True, timeout=120)


def kplay_encode(doc, codec, *extra):
    with tempfile.TemporaryDirectory() as d:
        src, dst = os.path.join(d, "in.json"), os.path.join(d, "out.bin")
        with open(src, "w", encoding="utf-8") as f:
            json.dump(doc, f)
        p = run_kplay("batch", "encode", "--codec", codec, *extra, src, dst)
        if p.returncode != 0:
            raise AssertionError(f"kplay encode failed: {p.stderr.decode()}")
        with open(dst, "rb") as f:
            return f.read()


def kplay_decode(raw):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "in.bin")
        with open(path, "wb") as f:
            f.write(raw)
        p = run_kplay("batch", "decode", path, "--json")
        if p.returncode != 0:
            raise AssertionError(f"kplay decode failed: {p.stderr.decode()}")
        return json.loads(p.stdout)


def kplay_layout(raw):
    """The human annotated layout; checks every byte of the batch is named exactly once."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "in.bin")
        with open(path, "wb") as f:
            f.write(raw)
        p = run_kplay("batch", "decode", path)
        if p.returncode != 0:
            raise AssertionError(f"kplay decode (layout) failed: {p.stderr.decode()}")
    text = p.stdout.decode()
    batch_part = text.split("decompressed records section")[0]
    at = 0
    for line in batch_part.splitlines():
        cols = line.split()
        if cols and ".." in cols[0] and cols[0].replace("..", "").isdigit():
            start, end = map(int, cols[0].split(".."))
            if start != at:
                raise AssertionError(f"layout gap/overlap at byte {at}: {line}")
            at = end
    if at != len(raw):
        raise AssertionError(f"layout covers {at} of {len(raw)} bytes")
    return text


def python_build(doc, codec_id):
    b = DefaultRecordBatchBuilder(magic=2, compression_type=codec_id, is_transactional=0,
                                  producer_id=doc["producer_id"],
                                  producer_epoch=doc["producer_epoch"],
                                  base_sequence=doc["base_sequence"], batch_size=1 << 24)
    for off, r in enumerate(doc["records"]):
        meta = b.append(off, timestamp=r["timestamp"], key=enc(r["key"]), value=enc(r["value"]),
                        headers=[(k, enc(v)) for k, v in r["headers"]])
        assert meta is not None
    return bytes(b.build())


def rewrap(raw, codec_id, payload):
    """The batch `raw` with its records section replaced by `payload` and codec bits set."""
    head = bytearray(raw[:61])
    struct.pack_into(">i", head, 8, 61 - 12 + len(payload))
    attrs = struct.unpack_from(">h", head, 21)[0]
    struct.pack_into(">h", head, 21, (attrs & ~7) | codec_id)
    body = bytes(head[21:]) + payload
    struct.pack_into(">I", head, 17, calc_crc32c(body))
    return bytes(head[:21]) + body


class WireOracle(unittest.TestCase):
    doc = {"producer_id": 4242, "producer_epoch": 3, "base_sequence": 7,
           "records": sample_records()}

    def check_json_batch(self, batch, doc, codec):
        self.assertEqual(batch["codec"], codec)
        self.assertEqual(batch["magic"], 2)
        self.assertEqual(batch["producer_id"], doc["producer_id"])
        self.assertEqual(batch["producer_epoch"], doc["producer_epoch"])
        self.assertEqual(batch["base_sequence"], doc["base_sequence"])
        self.assertEqual(batch["records_count"], len(doc["records"]))
        self.assertEqual(batch["last_offset_delta"], len(doc["records"]) - 1)
        self.assertEqual(batch["base_timestamp"], doc["records"][0]["timestamp"])
        self.assertEqual(batch["max_timestamp"], max(r["timestamp"] for r in doc["records"]))
        for i, (got, want) in enumerate(zip(batch["records"], doc["records"])):
            self.assertEqual(got["offset_delta"], i)
            self.assertEqual(got["timestamp_delta"], want["timestamp"] - doc["records"][0]["timestamp"])
            self.assertEqual(got["timestamp"], want["timestamp"])
            self.assertEqual(got["key"], want["key"], f"record {i}")
            self.assertEqual(got["value"], want["value"], f"record {i}")
            self.assertEqual(got["headers"], want["headers"], f"record {i}")

    def test_a_kafka_python_decodes_what_kplay_encodes(self):
        variants = [(c, ()) for c in CODECS] + [("snappy", ("--snappy-framing", "xerial")),
                                                ("gzip", ("--level", "9")),
                                                ("gzip", ("--level", "1"))]
        for codec, extra in variants:
            with self.subTest(codec=codec, extra=extra):
                raw = kplay_encode(self.doc, codec, *extra)
                kb = DefaultRecordBatch(raw)
                self.assertTrue(kb.validate_crc())
                self.assertEqual(kb.compression_type, CODECS[codec])
                self.assertEqual(kb.size_in_bytes, len(raw))
                self.assertEqual((kb.base_offset, kb.leader_epoch, kb.magic), (0, 0, 2))
                self.assertEqual((kb.producer_id, kb.producer_epoch, kb.base_sequence),
                                 (4242, 3, 7))
                self.assertEqual(kb.last_offset_delta, len(self.doc["records"]) - 1)
                self.assertEqual(kb.records_count, len(self.doc["records"]))
                self.assertEqual(kb.first_timestamp, BASE_TS)
                self.assertFalse(kb.is_transactional)
                got = list(kb)
                self.assertEqual(len(got), len(self.doc["records"]))
                for i, (r, want) in enumerate(zip(got, self.doc["records"])):
                    self.assertEqual(r.offset, i)
                    self.assertEqual(r.timestamp, want["timestamp"])
                    self.assertEqual(r.key, enc(want["key"]))
                    self.assertEqual(r.value, enc(want["value"]))
                    self.assertEqual([(k, v) for k, v in r.headers],
                                     [(k, enc(v)) for k, v in want["headers"]])

    def test_a_non_utf8_bytes_round_trip_as_hex(self):
        doc = {"producer_id": -1, "producer_epoch": -1, "base_sequence": -1,
               "records": [{"timestamp": 5, "key": {"hex": "00ff"}, "value": {"hex": "c328"},
                            "headers": [["bin", {"hex": "fffe"}]]}]}
        raw = kplay_encode(doc, "none")
        r = next(iter(DefaultRecordBatch(raw)))
        self.assertEqual((r.key, r.value, r.headers), (b"\x00\xff", b"\xc3\x28", [("bin", b"\xff\xfe")]))
        back = kplay_decode(raw)["batches"][0]["records"][0]
        self.assertEqual(back["key"], {"hex": "00ff"})
        self.assertEqual(back["value"], {"hex": "c328"})
        self.assertEqual(back["headers"], [["bin", {"hex": "fffe"}]])

    def test_b_kplay_decodes_what_kafka_python_builds(self):
        for codec, cid in CODECS.items():
            with self.subTest(codec=codec):
                raw = python_build(self.doc, cid)
                self.assertEqual(raw[22] & 7, cid, "kafka-python kept the codec")
                if codec == "lz4":
                    self.assertEqual(raw[61:66], bytes.fromhex("04224d1868"), "content size")
                if codec == "snappy":
                    self.assertEqual(raw[61:69], b"\x82SNAPPY\x00", "xerial framing")
                out = kplay_decode(raw)
                kplay_layout(raw)
                self.assertEqual(len(out["batches"]), 1)
                batch = out["batches"][0]
                self.assertEqual(batch["batch_length"], len(raw) - 12)
                self.assertEqual(batch["crc"], struct.unpack(">I", raw[17:21])[0])
                self.check_json_batch(batch, self.doc, codec)

    def test_b_kplay_decodes_other_framings_kafka_readers_accept(self):
        plain = python_build(self.doc, 0)
        records = plain[61:]
        buf = io.BytesIO()
        with gzip.GzipFile(filename="records.bin", mode="wb", fileobj=buf, mtime=123) as g:
            g.write(records)
        framings = {
            "snappy raw (librdkafka)": (2, snappy.compress(records)),
            "lz4 with block+content checksums": (3, lz4.frame.compress(
                records, block_linked=False, block_checksum=True, content_checksum=True,
                store_size=False)),
            "lz4 256 KiB blocks": (3, lz4.frame.compress(
                records, block_linked=False, block_size=lz4.frame.BLOCKSIZE_MAX256KB)),
            "zstd without content size": (4, zstandard.ZstdCompressor(
                level=19, write_content_size=False, write_checksum=True).compress(records)),
            "gzip with FNAME and mtime": (1, buf.getvalue()),
        }
        for name, (cid, payload) in framings.items():
            with self.subTest(framing=name):
                raw = rewrap(plain, cid, payload)
                self.assertTrue(DefaultRecordBatch(raw).validate_crc())
                out = kplay_decode(raw)
                kplay_layout(raw)
                codec = [k for k, v in CODECS.items() if v == cid][0]
                self.check_json_batch(out["batches"][0], self.doc, codec)

    def test_c_uncompressed_bytes_are_identical_to_kafka_python(self):
        for doc in (self.doc,
                    {"producer_id": -1, "producer_epoch": -1, "base_sequence": -1,
                     "records": self.doc["records"][:3]},
                    {"producer_id": 9, "producer_epoch": 0, "base_sequence": 2147483000,
                     "records": [{"timestamp": 2**62, "key": None, "value": None, "headers": []}]}):
            with self.subTest(records=len(doc["records"])):
                self.assertEqual(kplay_encode(doc, "none"), python_build(doc, 0))

    def test_segment_of_several_batches_and_pasted_hex(self):
        a = python_build(self.doc, 3)
        b = kplay_encode(self.doc, "zstd")
        out = kplay_decode(a + b)
        self.assertEqual([x["codec"] for x in out["batches"]], ["lz4", "zstd"])
        small = kplay_encode({"producer_id": -1, "producer_epoch": -1, "base_sequence": -1,
                              "records": self.doc["records"][:2]}, "gzip")
        pasted = "\n".join(small[i:i + 16].hex(" ") for i in range(0, len(small), 16))
        p = run_kplay("batch", "decode", "-", stdin=pasted.encode())
        self.assertEqual(p.returncode, 0, p.stderr.decode())
        self.assertIn(b"gzip[0].id", p.stdout)
        self.assertIn(b"records[1].timestampDelta", p.stdout)

    def test_bad_input_is_a_clear_error_not_a_panic(self):
        good = python_build(self.doc, 1)
        corrupt = bytearray(good)
        corrupt[100] ^= 0xFF
        cases = {
            "truncated": (good[:200], b"CORRUPT_MESSAGE"),
            "wrong crc": (bytes(corrupt), b"CORRUPT_MESSAGE"),
            "not a batch": (b"hello world" * 10, b""),
        }
        for name, (raw, says) in cases.items():
            with self.subTest(case=name), tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "bad.bin")
                with open(path, "wb") as f:
                    f.write(raw)
                for extra in ((), ("--json",)):
                    p = run_kplay("batch", "decode", path, *extra)
                    self.assertEqual(p.returncode, 1, p.stdout[:200])
                    self.assertNotIn(b"panicked", p.stderr)
                    self.assertIn(says, p.stderr)
        for args, stdin in ((("batch", "decode", "-"), b"zz"),
                            (("batch", "encode", "--codec", "brotli", "-", "-"), b"{}"),
                            (("batch", "encode", "--codec", "none", "-", "-"), b"{\"records\": 5}"),
                            (("batch", "decode", "/nonexistent.bin"), b"")):
            with self.subTest(args=args):
                p = run_kplay(*args, stdin=stdin)
                self.assertEqual(p.returncode, 1)
                self.assertNotIn(b"panicked", p.stderr)
                self.assertTrue(p.stderr.startswith(b"kplay batch: "), p.stderr)


if __name__ == "__main__":
    unittest.main()
