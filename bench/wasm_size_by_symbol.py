"""The code bytes of a wasm module, per group of functions by their mangled names (a benchmark
helper, not a test; BENCHMARKS.md "Bundle size"). Run it on the module before wasm-opt, which
still has its name section:
  python3 bench/wasm_size_by_symbol.py target/wasm32-unknown-unknown/release/kafka-playground.wasm
It prints, per group, the function count, the code bytes, and gzip -9 of the group's bodies
concatenated. That estimates the group's share of the gzipped module, and is a lower bound
after LTO, which inlines code into its callers."""
import sys, gzip, re
from collections import defaultdict

data = open(sys.argv[1], 'rb').read()
assert data[:4] == b'\0asm'
pos = 8
def leb(b, p):
    r = s = 0
    while True:
        x = b[p]; p += 1
        r |= (x & 0x7f) << s; s += 7
        if x < 0x80: return r, p
sections = []
while pos < len(data):
    sid = data[pos]; pos += 1
    size, pos = leb(data, pos)
    sections.append((sid, pos, size)); pos += size
imports = 0
bodies = []
names = {}
for sid, p, size in sections:
    end = p + size
    if sid == 2:  # imports: count function imports
        n, q = leb(data, p)
        for _ in range(n):
            l, q = leb(data, q); q += l
            l, q = leb(data, q); q += l
            kind = data[q]; q += 1
            if kind == 0: _, q = leb(data, q); imports += 1
            elif kind == 1: q += 1; fl, q = leb(data, q); _, q = leb(data, q); q = leb(data, q)[1] if fl & 1 else q
            elif kind == 2: fl, q = leb(data, q); _, q = leb(data, q); q = leb(data, q)[1] if fl & 1 else q
            elif kind == 3: q += 2
    elif sid == 10:
        n, q = leb(data, p)
        for _ in range(n):
            l, q = leb(data, q); bodies.append(data[q:q+l]); q += l
    elif sid == 0:
        l, q = leb(data, p); nm = data[q:q+l].decode(); q += l
        if nm == 'name':
            while q < end:
                sub = data[q]; q += 1
                sl, q = leb(data, q); se = q + sl
                if sub == 1:
                    n, r = leb(data, q)
                    for _ in range(n):
                        idx, r = leb(data, r); l2, r = leb(data, r); names[idx] = data[r:r+l2].decode('utf-8', 'replace'); r += l2
                q = se
GROUPS = [
    ('kavro (Avro)', r'kavro'),
    ('ksim serializers/registry/serde', r'4ksim\d+(registry|serde_format|serde_view|same_event|variant_serializer)|4ksim3sim\d+(serializer|deserialize)'),
    ('UI serialization (forms, registry panel, value view)', r'serializer_form|registry_panel|ValueBytesView|SameEventView|value_bytes|16kafka_playground\d+inspect|kafka_playground..inspect'),
    ('kshare serializer export (Python, Java)', r'codegen(\d+|\.\.)(java_)?serializers|JavaSerializers|7kshare7codegen\d+Serializers'),
    ('ksim variant/outcome (compare, sweep)', r'4ksim\d+(variant|outcome)'),
    ('UI compare/sweep', r'comparison_panel|sweep_panel|sweep_job|sweep_plot|sweep_worker|contrasts'),
    ('ksim other', r'ksim'),
    ('kwire', r'kwire'),
    ('kshare', r'kshare'),
    ('UI other', r'kafka_playground'),
    ('yew', r'yew'),
    ('serde/serde_json', r'serde'),
    ('other', r''),
]
acc = defaultdict(list)
unnamed = 0
for i, b in enumerate(bodies):
    nm = names.get(i + imports, '')
    if not nm: unnamed += 1
    for g, rx in GROUPS:
        if re.search(rx, nm):
            acc[g].append(b); break
total = sum(len(b) for b in bodies)
print(f"functions {len(bodies)} (unnamed {unnamed}), code bytes {total}, gzip of all code {len(gzip.compress(b''.join(bodies), 9))}")
for g, _ in GROUPS:
    bs = acc.get(g, [])
    raw = sum(len(b) for b in bs)
    gz = len(gzip.compress(b''.join(bs), 9)) if bs else 0
    print(f"{g:55s} {len(bs):6d} fns {raw:9d} B  gzip {gz:8d} B")
