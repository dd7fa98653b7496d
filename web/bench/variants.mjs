// Browser benchmark of "Sweep a setting" and "Run both ways" (issue 15; not a test): a
// 100,000-record scenario (6 partitions, RF 3, 1,000 keys, produce_many at 50,000 records/s,
// then flush) opened from a share link in headless Chromium, paused, then
//   1. a sweep of linger.ms over 6 values (0,1,2,5,10,20): wall time from the click to the
//      panel's "Ran the scenario once per value" status, and the frames meanwhile; once in the
//      sweep's background worker (as the page runs it) and once in the page, a piece per frame
//      (as it runs where no worker can start: `window.Worker` hidden);
//   2. one run of the same scenario through the in-page machinery (a sweep of 1 value,
//      linger.ms=0, worker hidden), the yardstick for the comparison, which runs in the page;
//   3. a comparison linger.ms=0 vs linger.ms=5 ("Run both ways" to the Comparison region and its
//      two sequence diagrams);
// each measured with requestAnimationFrame deltas (frame time) and the main thread's work per
// frame (frame start → first task after its paint, as frames.mjs does). The comparison's total
// work is compared with the single run's within one process, so the ratio holds on a busy machine
// even when the absolute numbers move. Needs a build in dist/ (`trunk build --release --offline`).
//
//   node web/bench/variants.mjs [records=100000]
//
// Numbers go to BENCHMARKS.md ("Compare and sweep") by hand.
import { cpus, loadavg } from 'node:os';
import { deflateSync } from 'node:zlib';
import { openPlayground } from './workload.mjs';

const records = Number(process.argv[2] ?? 100000);

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** The scenario as a version-1 share link fragment (whole scenario, no preset). */
function linkOf(scenario) {
  const envelope = { base: null, diff: scenario, ui: {} };
  return '#s=1.' + deflateSync(JSON.stringify(envelope)).toString('base64url');
}

const scenario = {
  version: 1,
  name: 'bench-variants',
  seed: 1,
  cluster: { brokers: 3 },
  topics: [{ name: 'bench', partitions: 6, replication_factor: 3 }],
  producer: { profile: 'librdkafka', config: { 'linger.ms': 5 } },
  actions: [
    { at_ms: 0, action: { type: 'produce_many', topic: 'bench', count: records, rate_per_sec: 50000,
      key: 'user-{i}', key_count: 1000, value: '{"user":"u{i}","amount":{i}}' } },
    { at_ms: Math.ceil(records / 50) + 10, action: { type: 'flush' } },
  ],
  faults: [],
};

/** Starts recording frames; `stop()` resolves to { frames, work } since the start. */
async function record(page) {
  await page.evaluate(() => {
    const b = (window.__rec = { frames: [], work: [], on: true });
    let last = performance.now();
    const frame = (t) => {
      b.frames.push(t - last);
      last = t;
      const channel = new MessageChannel();
      channel.port1.onmessage = () => b.work.push(performance.now() - t);
      channel.port2.postMessage(0);
      if (b.on) requestAnimationFrame(frame);
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame); });
  });
  return async () => page.evaluate(() => { window.__rec.on = false; return { frames: window.__rec.frames, work: window.__rec.work }; });
}

/** Runs `start` (a click), waits for `done`, and gives wall time and frame statistics. */
async function measure(page, start, done) {
  await page.waitForTimeout(300); // let the page settle after typing
  const stop = await record(page);
  await page.waitForTimeout(200);
  const t0 = await page.evaluate(() => performance.now());
  await start();
  await done();
  const t1 = await page.evaluate(() => performance.now());
  const { frames, work } = await stop();
  const fs = [...frames].sort((a, b) => a - b);
  const ws = [...work].sort((a, b) => a - b);
  return {
    wallMs: t1 - t0,
    frames: frames.length,
    p50: pct(fs, 50), p95: pct(fs, 95), p99: pct(fs, 99), max: fs.at(-1),
    workP50: pct(ws, 50), workP95: pct(ws, 95), workMax: ws.at(-1),
    workSum: work.reduce((a, b) => a + b, 0),
    over25: frames.filter((d) => d > 25).length,
  };
}

async function main() {
  const { page, errors, close } = await openPlayground();
  const base = page.url().split('#')[0];
  await page.goto(`${base}?autoplay=0${linkOf(scenario)}`);
  await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
  await page.mouse.move(0, 0);

  const sweepPanel = page.getByRole('region', { name: 'Sweep a setting' });
  const form = sweepPanel.getByRole('form', { name: 'Sweep a setting' });
  const status = sweepPanel.getByRole('status');
  const sweep = async (values) => {
    await form.getByLabel('Setting').selectOption('linger.ms');
    await form.getByLabel('Values').fill(values);
    const n = values.split(',').length;
    return measure(page,
      () => form.getByRole('button', { name: 'Run sweep' }).click(),
      () => status.filter({ hasText: `Ran the scenario once per value of linger.ms: ${n} run` }).waitFor({ timeout: 120000 }));
  };

  const compare = async () => {
    const panel = page.getByRole('region', { name: 'Run both ways' });
    await panel.getByLabel('Side A settings').fill('linger.ms=0');
    await panel.getByLabel('Side B settings').fill('linger.ms=5');
    return measure(page,
      () => panel.getByRole('button', { name: 'Run both ways' }).click(),
      () => page.getByRole('figure', { name: 'Sequence diagram, linger.ms=5' }).waitFor({ timeout: 120000 }));
  };

  // The in-page runs: no worker can start while `Worker` is hidden.
  const worker = (on) => page.evaluate((on) => {
    if (!on && window.Worker) { window.__Worker = window.Worker; window.Worker = undefined; }
    if (on && window.__Worker) window.Worker = window.__Worker;
  }, on);
  let workers = 0;
  page.on('worker', () => { workers += 1; });
  // Warm-up (wasm tiers up, caches fill): one run of each kind, not reported.
  await worker(false);
  await sweep('0');
  const results = {};
  results.single = await sweep('0');
  results.compare = await compare();
  results['sweep6 page'] = await sweep('0,1,2,5,10,20');
  await worker(true);
  await sweep('0');
  const before = workers;
  results['sweep6 worker'] = await sweep('0,1,2,5,10,20');
  if (workers !== before + 1) throw new Error(`expected the sweep in one worker, saw ${workers - before}`);
  await worker(false);
  results.single2 = await sweep('0');
  results.compare2 = await compare();
  await close();

  const f = (x) => x.toFixed(1);
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`scenario: ${records} records, 6 partitions RF 3, 1,000 keys, 50,000 records/s; headless Chromium, page paused`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name.padEnd(13)} wall ${f(r.wallMs).padStart(7)} ms  frames ${String(r.frames).padStart(4)}  frame ms p50 ${f(r.p50)} p95 ${f(r.p95)} p99 ${f(r.p99)} max ${f(r.max)} (>25 ms: ${r.over25})  work ms p50 ${f(r.workP50)} p95 ${f(r.workP95)} max ${f(r.workMax)} sum ${f(r.workSum)}`);
  }
  const ratio = (a, b) => (a / b).toFixed(2);
  console.log(`comparison / single run: wall ${ratio(results.compare.wallMs, results.single.wallMs)}×, total frame work ${ratio(results.compare.workSum, results.single.workSum)}×, p95 frame work ${ratio(results.compare.workP95, results.single.workP95)}× (second pair: wall ${ratio(results.compare2.wallMs, results.single2.wallMs)}×, work ${ratio(results.compare2.workSum, results.single2.workSum)}×)`);
  if (errors.length) console.log(`page errors:\n  ${errors.join('\n  ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
