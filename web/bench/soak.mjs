// Browser soak benchmark (not a test): the playground left playing "Produce many events" at
// 10,000 events/s (6 partitions, RF 3, 1,000 keys) at the fastest speed, for `minutes` of real
// time, in headless Chromium. Needs a build in dist/ (`trunk build --release --offline`).
//
//   node web/bench/soak.mjs [minutes=30] [rate=10000]
//
// Every minute it prints the virtual time gained in that minute (read from the playback clock),
// the renderer processes' resident memory (from /proc, summed over Chromium's renderers), and
// whether the run paused itself (the memory-budget banner). At the end: console errors, the
// peak renderer memory, and the virtual time gained per minute in the last 5 minutes as a share
// of minutes 1–5. Numbers go to BENCHMARKS.md ("Long runs") by hand.
import { readFileSync, readdirSync } from 'node:fs';
import { openPlayground, prepareWorkload } from './workload.mjs';

const minutes = Number(process.argv[2] ?? 30);
const rate = Number(process.argv[3] ?? 10000);

/** Resident memory (MB) of every Chromium renderer process, summed. */
function rendererRssMb() {
  let kb = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('chromium') || !cmd.includes('--type=renderer')) continue;
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) kb += Number(m[1]);
    } catch { /* the process ended */ }
  }
  return kb / 1024;
}

/** The playback clock's virtual time in ms ("t = 12.345 ms"). */
async function virtualMs(page) {
  const text = await page.locator('.clock').first().innerText();
  const m = /t = ([\d.]+) ms/.exec(text);
  return m ? Number(m[1]) : NaN;
}

process.env.BENCH_SPEED ??= '100×';
// Enough events for the whole run at the fastest speed (100×), so the workload never ends
// before the soak does (4 hours of virtual time ran out after 20 minutes at ~12×).
process.env.BENCH_COUNT ??= String(rate * 60 * minutes * 100);
const { page, playback, errors, close } = await openPlayground();
await prepareWorkload(page, rate, 0);
await playback.getByRole('button', { name: 'Play' }).click();
console.log(`soak: ${rate} events/s, speed ${process.env.BENCH_SPEED}, ${minutes} min, headless Chromium`);
console.log('minute | virtual s gained | virtual s total | renderer RSS MB | wasm memory MB | reached speed | paused');
const gained = [];
let last = await virtualMs(page);
let peak = rendererRssMb();
for (let m = 1; m <= minutes; m++) {
  await page.waitForTimeout(60_000);
  const now = await virtualMs(page);
  const rss = rendererRssMb();
  peak = Math.max(peak, rss);
  const wasmMb = await page.evaluate(() => (window.benchWasmMemory?.buffer.byteLength ?? NaN) / 1048576);
  const reached = (await page.locator('.clock .pill').allInnerTexts()).join(' ') || 'as chosen';
  const paused = await page.getByRole('alert').filter({ hasText: 'memory budget' }).count();
  gained.push((now - last) / 1000);
  console.log(`${m} | ${((now - last) / 1000).toFixed(1)} | ${(now / 1000).toFixed(1)} | ${rss.toFixed(0)} | ${wasmMb.toFixed(0)} | ${reached} | ${paused ? 'yes' : 'no'}`);
  last = now;
}
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const first = mean(gained.slice(0, 5));
const lastFive = mean(gained.slice(-5));
console.log(`virtual s per minute: minutes 1–5 ${first.toFixed(1)}, last 5 ${lastFive.toFixed(1)} (${(100 * lastFive / first).toFixed(0)} %)`);
console.log(`peak renderer RSS ${peak.toFixed(0)} MB; console errors: ${errors.length}${errors.length ? '\n' + errors.join('\n') : ''}`);
await close();
