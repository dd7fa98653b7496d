// Determinism and speed of ksim in WebAssembly (Node.js, no browser).
//   cargo build --manifest-path crates/ksim-wasm/Cargo.toml --release --target wasm32-unknown-unknown
//   node crates/ksim-wasm/run.mjs check   # every examples/*.json: wasm log hash == `kplay run --json`
//   node crates/ksim-wasm/run.mjs bench [records]
// Env: CARGO_TARGET_DIR (default ./target), KPLAY (default $CARGO_TARGET_DIR/debug/kplay).
import { readFileSync, readdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const target = process.env.CARGO_TARGET_DIR || join(root, "target");
const wasmPath = join(target, "wasm32-unknown-unknown", "release", "ksim_wasm.wasm");
const { instance } = await WebAssembly.instantiate(readFileSync(wasmPath), {});
const k = instance.exports;

function runWasm(json) {
  const bytes = new TextEncoder().encode(json);
  const ptr = k.ksim_alloc(bytes.length);
  new Uint8Array(k.memory.buffer, ptr, bytes.length).set(bytes);
  const h = k.ksim_run(ptr, bytes.length, 50_000_000n);
  if (h === 0n && k.ksim_error_len() > 0) {
    const msg = new TextDecoder().decode(new Uint8Array(k.memory.buffer, k.ksim_error_ptr(), k.ksim_error_len()));
    throw new Error(msg);
  }
  return BigInt.asUintN(64, h).toString(16).padStart(16, "0");
}

const mode = process.argv[2] || "check";
if (mode === "check") {
  const kplay = process.env.KPLAY || join(target, "debug", "kplay");
  const dir = join(root, "examples");
  let bad = 0;
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".json")).sort()) {
    const path = join(dir, f);
    const wasm = runWasm(readFileSync(path, "utf8"));
    let native;
    try {
      native = JSON.parse(execFileSync(kplay, ["run", path, "--json"], { maxBuffer: 1 << 30 })).log_hash;
    } catch (e) {
      // Exit 3 (a run limit) and 4 (the memory-budget pause) still print the run's JSON.
      native = (e.status === 3 || e.status === 4) && e.stdout?.length
        ? JSON.parse(e.stdout).log_hash
        : `error ${e.status}`;
    }
    const ok = wasm === native;
    if (!ok) bad++;
    console.log(`${ok ? "same" : "DIFF"} ${wasm} ${native} ${f}`);
  }
  if (bad) {
    console.error(`${bad} scenario(s) differ between wasm and native`);
    process.exit(1);
  }
  console.log("wasm and native logs are identical for every example");
} else if (mode === "bench") {
  // One warm-up run (lets V8 tier the hot functions up), then three timed runs.
  const records = BigInt(process.argv[3] || "1000000");
  k.ksim_bench(100000n);
  const times = [];
  let delivered = 0n;
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    delivered = k.ksim_bench(records);
    times.push((performance.now() - t0) / 1000);
  }
  times.sort((a, b) => a - b);
  const rate = (s) => Math.round(Number(delivered) / s);
  console.log(`wasm: ${delivered} records; best ${times[0].toFixed(3)} s = ${rate(times[0])} records/s, median ${times[1].toFixed(3)} s = ${rate(times[1])} records/s`);
}
