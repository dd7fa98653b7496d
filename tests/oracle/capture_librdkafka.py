#!/usr/bin/env python3
"""Capture golden record batches from librdkafka (run once; the output is committed).

librdkafka (bundled in the confluent-kafka wheel) produces to its own mock cluster through a
loopback TCP proxy that records every ProduceRequest; the one v2 record batch in each request
is cut out (magic 2 + matching CRC-32C) and written to tests/fixtures/librdkafka/CODEC-SIZE.bin;
the records that were produced are written beside them as records-SIZE.json in
`kplay batch encode`'s input shape. What the bytes show: docs/kafka-sources.md §1.1, §2.1, §4.2.

    .venv/bin/python tests/oracle/capture_librdkafka.py
"""
import ctypes
import json
import os
import select
import socket
import struct
import sys
import threading
import time

import confluent_kafka
from confluent_kafka import Producer

import mockcluster  # sibling module: the script directory is on sys.path

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "fixtures", "librdkafka")
BASE_TS = 1_700_000_000_000


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def load_librdkafka():
    """mockcluster's bindings plus the one this capture needs (advertise the proxy's port)."""
    lib = mockcluster.load_librdkafka()
    lib.rd_kafka_mock_broker_set_host_port.argtypes = [ctypes.c_void_p, ctypes.c_int32, ctypes.c_char_p, ctypes.c_int]
    return lib


class Proxy(threading.Thread):
    """Forwards client<->broker bytes and keeps every client request frame."""

    def __init__(self, target):
        super().__init__(daemon=True)
        self.target = target
        self.ls = socket.socket()
        self.ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.ls.bind(("127.0.0.1", 0))
        self.ls.listen(16)
        self.port = self.ls.getsockname()[1]
        self.requests = []
        self.lock = threading.Lock()

    def run(self):
        while True:
            c, _ = self.ls.accept()
            threading.Thread(target=self.pipe, args=(c,), daemon=True).start()

    def pipe(self, c):
        u = socket.create_connection(self.target)
        buf = b""
        try:
            while True:
                r, _, _ = select.select([c, u], [], [])
                for s in r:
                    data = s.recv(65536)
                    if not data:
                        return
                    (u if s is c else c).sendall(data)
                    if s is c:
                        buf += data
                        while len(buf) >= 4:
                            n = struct.unpack(">i", buf[:4])[0]
                            if len(buf) < 4 + n:
                                break
                            frame, buf = buf[4:4 + n], buf[4 + n:]
                            with self.lock:
                                self.requests.append(frame)
        except OSError:
            return


def find_batches(frame):
    out, i = [], 0
    while i + 61 <= len(frame):
        if frame[i + 16] == 2:
            blen = struct.unpack(">i", frame[i + 8:i + 12])[0]
            end = i + 12 + blen
            if 49 <= blen and end <= len(frame):
                if struct.unpack(">I", frame[i + 17:i + 21])[0] == crc32c(frame[i + 21:end]):
                    out.append(frame[i:end])
                    i = end
                    continue
        i += 1
    return out


def small_records():
    return [
        {"timestamp": BASE_TS, "key": "Alice", "value": "Made a payment of $200 to Bob. " * 4,
         "headers": [["trace", "abc"], ["empty", None]]},
        {"timestamp": BASE_TS + 7, "key": None, "value": "Made a payment of $300 to Carol. " * 4,
         "headers": []},
        {"timestamp": BASE_TS + 3, "key": "Bob", "value": None, "headers": [["tombstone", "1"]]},
        {"timestamp": BASE_TS + 9, "key": "", "value": "", "headers": []},
    ]


def large_records():
    # About 150 KiB of JSON-like values: several lz4 64 KiB blocks, long deflate/zstd streams.
    return [{"timestamp": BASE_TS + i,
             "key": f"user-{i % 37}",
             "value": json.dumps({"id": i, "user": f"user-{i % 37}", "amount": (i * 7919) % 10007,
                                  "currency": "EUR", "note": "payment " * (i % 5)}),
             "headers": [["seq", str(i)]]}
            for i in range(1500)]


def enc(s):
    return None if s is None else s.encode()


def capture(lib, proxy, codec, records):
    with proxy.lock:
        proxy.requests.clear()
    p = Producer({"bootstrap.servers": f"127.0.0.1:{proxy.port}", "linger.ms": 200,
                  "compression.codec": codec, "enable.idempotence": False,
                  "batch.num.messages": 100000})
    for r in records:
        p.produce("golden", key=enc(r["key"]), value=enc(r["value"]), partition=0,
                  timestamp=r["timestamp"],
                  headers=[(k, enc(v)) for k, v in r["headers"]])
    assert p.flush(10) == 0
    del p
    time.sleep(0.2)
    with proxy.lock:
        batches = [b for f in proxy.requests if struct.unpack(">h", f[:2])[0] == 0
                   for b in find_batches(f)]
    if len(batches) != 1:
        raise RuntimeError(f"{codec}: expected one batch, captured {len(batches)}")
    return batches[0]


def main():
    lib = load_librdkafka()
    conf = lib.rd_kafka_conf_new()
    err = ctypes.create_string_buffer(512)
    rk = lib.rd_kafka_new(0, conf, err, 512)
    mc = lib.rd_kafka_mock_cluster_new(rk, 1)
    host, port = lib.rd_kafka_mock_cluster_bootstraps(mc).decode().split(",")[0].rsplit(":", 1)
    proxy = Proxy((host, int(port)))
    proxy.start()
    lib.rd_kafka_mock_broker_set_host_port(mc, 1, b"127.0.0.1", proxy.port)
    lib.rd_kafka_mock_topic_create(mc, b"golden", 1, 1)
    os.makedirs(OUT, exist_ok=True)
    for size, records in (("small", small_records()), ("large", large_records())):
        expected = {"producer_id": -1, "producer_epoch": -1, "base_sequence": -1, "records": records}
        with open(os.path.join(OUT, f"records-{size}.json"), "w") as f:
            json.dump(expected, f, separators=(",", ":"))
            f.write("\n")
        for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
            batch = capture(lib, proxy, codec, records)
            name = f"{codec}-{size}"
            with open(os.path.join(OUT, name + ".bin"), "wb") as f:
                f.write(batch)
            print(f"{name}: {len(batch)} bytes, attributes 0x{batch[22]:02x}, "
                  f"payload head {batch[61:71].hex()}")
    with open(os.path.join(OUT, "VERSION"), "w") as f:
        f.write(f"librdkafka {confluent_kafka.libversion()[0]} "
                f"(confluent-kafka {confluent_kafka.version()})\n")
    lib.rd_kafka_mock_cluster_destroy(mc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
