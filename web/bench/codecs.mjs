// Runs kwire's codec benchmark as wasm in Node.js (same workload as `kplay bench codecs`).
// Build first:
//   cargo build --release --target wasm32-unknown-unknown --manifest-path crates/knode/Cargo.toml
//   wasm-bindgen --target nodejs --out-dir target/knode-pkg target/wasm32-unknown-unknown/release/knode.wasm
// then: node web/bench/codecs.mjs [path/to/knode.js]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import path from 'node:path';

const require = createRequire(import.meta.url);
const pkg = process.argv[2] ?? path.join(process.env.CARGO_TARGET_DIR ?? 'target', 'knode-pkg', 'knode.js');
const { CodecBench, AvroBench } = require(path.resolve(pkg));

const MIN_MS = 400;
function msPerRun(fn) {
  fn(1); // warm-up
  let runs = 0;
  const start = performance.now();
  while (runs < 3 || performance.now() - start < MIN_MS) {
    fn(1);
    runs += 1;
  }
  return (performance.now() - start) / runs;
}

const pad = (s, n) => String(s).padStart(n);
console.log(`${'size'.padEnd(6)} ${'codec'.padEnd(6)} ${pad('records_B', 12)} ${pad('batch_B', 12)} ${pad('ratio', 7)} ${pad('encode_MB/s', 16)} ${pad('decode_MB/s', 16)} ${pad('batch_crc', 10)}`);
for (const [label, size] of [['16KiB', 16 * 1024], ['1MiB', 1024 * 1024]]) {
  for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
    const b = new CodecBench(codec, size);
    const raw = b.records_bytes();
    const encMs = msPerRun((n) => b.encode(n));
    const decMs = msPerRun((n) => b.decode(n));
    console.log(`${label.padEnd(6)} ${codec.padEnd(6)} ${pad(raw, 12)} ${pad(b.batch_bytes(), 12)} ${pad((raw / b.batch_bytes()).toFixed(2), 7)} ${pad((raw / encMs / 1e3).toFixed(1), 16)} ${pad((raw / decMs / 1e3).toFixed(1), 16)} ${pad(b.batch_crc().toString(16).padStart(8, '0'), 10)}`);
    b.free();
  }
}

// Avro (kavro::bench, the workload `kplay bench avro` times natively): events per second.
const a = new AvroBench();
const ev = a.events();
const perS = (fn) => ev / msPerRun(fn) * 1e3;
const [enc, dec, lay] = [perS((n) => a.encode(n)), perS((n) => a.decode(n)), perS((n) => a.layout(n))];
console.log(`\navro: ${ev} payment events, ${(a.avro_bytes() / ev).toFixed(1)} B/event framed, ${(a.json_bytes() / ev).toFixed(1)} B/event as JSON`);
console.log(`avro encode_ev/s ${enc.toFixed(0)}  decode_ev/s ${dec.toFixed(0)}  layout_ev/s ${lay.toFixed(0)}`);
a.free();
