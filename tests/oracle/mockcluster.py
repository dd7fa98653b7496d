"""librdkafka's mock cluster through the C API exported by the confluent-kafka wheel's bundled
librdkafka (its public mock API, src/rdkafka_mock.h; docs/kafka-sources.md §10.2): create topics
with a chosen partition count, inject Produce errors, count ProduceRequests."""
import ctypes
import glob
import os

import confluent_kafka

PRODUCE_API_KEY = 0


def load_librdkafka():
    base = os.path.dirname(confluent_kafka.__file__)
    cands = glob.glob(os.path.join(base, "..", "confluent_kafka.libs", "librdkafka*.so*"))
    if not cands:
        raise RuntimeError("bundled librdkafka not found next to confluent_kafka")
    lib = ctypes.CDLL(cands[0])
    vp, cp, i, i16, i32, sz = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                               ctypes.c_int16, ctypes.c_int32, ctypes.c_size_t)
    lib.rd_kafka_conf_new.restype = vp
    lib.rd_kafka_new.restype = vp
    lib.rd_kafka_new.argtypes = [i, vp, cp, sz]
    lib.rd_kafka_destroy.argtypes = [vp]
    lib.rd_kafka_mock_cluster_new.restype = vp
    lib.rd_kafka_mock_cluster_new.argtypes = [vp, i]
    lib.rd_kafka_mock_cluster_destroy.argtypes = [vp]
    lib.rd_kafka_mock_cluster_bootstraps.restype = cp
    lib.rd_kafka_mock_cluster_bootstraps.argtypes = [vp]
    lib.rd_kafka_mock_topic_create.argtypes = [vp, cp, i, i]
    lib.rd_kafka_mock_push_request_errors_array.argtypes = [vp, i16, sz, ctypes.POINTER(ctypes.c_int)]
    lib.rd_kafka_mock_start_request_tracking.argtypes = [vp]
    lib.rd_kafka_mock_clear_requests.argtypes = [vp]
    lib.rd_kafka_mock_get_requests.restype = ctypes.POINTER(vp)
    lib.rd_kafka_mock_get_requests.argtypes = [vp, ctypes.POINTER(sz)]
    lib.rd_kafka_mock_request_api_key.restype = i16
    lib.rd_kafka_mock_request_api_key.argtypes = [vp]
    lib.rd_kafka_mock_request_destroy_array.argtypes = [ctypes.POINTER(vp), sz]
    lib.rd_kafka_mock_broker_set_rtt.argtypes = [vp, i32, i]
    return lib


class MockCluster:
    def __init__(self, lib, brokers=3):
        self.lib = lib
        err = ctypes.create_string_buffer(512)
        self.rk = lib.rd_kafka_new(0, lib.rd_kafka_conf_new(), err, 512)
        if not self.rk:
            raise RuntimeError(err.value)
        self.mc = lib.rd_kafka_mock_cluster_new(self.rk, brokers)
        self.bootstraps = lib.rd_kafka_mock_cluster_bootstraps(self.mc).decode()

    def create_topic(self, name, partitions, rf):
        return self.lib.rd_kafka_mock_topic_create(self.mc, name.encode(), partitions, rf)

    def push_produce_errors(self, *codes):
        arr = (ctypes.c_int * len(codes))(*codes)
        self.lib.rd_kafka_mock_push_request_errors_array(self.mc, PRODUCE_API_KEY, len(codes), arr)

    def set_rtt(self, broker_id, rtt_ms):
        self.lib.rd_kafka_mock_broker_set_rtt(self.mc, broker_id, rtt_ms)

    def start_tracking(self):
        self.lib.rd_kafka_mock_start_request_tracking(self.mc)

    def count_requests(self, api_key=PRODUCE_API_KEY, clear=True):
        n = ctypes.c_size_t(0)
        reqs = self.lib.rd_kafka_mock_get_requests(self.mc, ctypes.byref(n))
        c = sum(1 for k in range(n.value) if self.lib.rd_kafka_mock_request_api_key(reqs[k]) == api_key)
        self.lib.rd_kafka_mock_request_destroy_array(reqs, n)
        if clear:
            self.lib.rd_kafka_mock_clear_requests(self.mc)
        return c

    def close(self):
        self.lib.rd_kafka_mock_cluster_destroy(self.mc)
        self.lib.rd_kafka_destroy(self.rk)


def produce_and_collect(conf, topic, msgs, partition=None, flush_timeout=30):
    """msgs: list of (key, value). Returns (producer, reports, remaining) with reports as
    (err, partition, offset, key, value) in callback order."""
    p = confluent_kafka.Producer(conf)
    reports = []

    def dr(err, msg):
        reports.append((err, msg.partition(), msg.offset(), msg.key(), msg.value()))

    for k, v in msgs:
        kw = dict(key=k, value=v, on_delivery=dr)
        if partition is not None:
            kw["partition"] = partition
        p.produce(topic, **kw)
    remaining = p.flush(flush_timeout)
    return p, reports, remaining
