// Browser frame-time benchmark (not a test): the playground running 10,000 events/s of simulated
// traffic at 1× real time, measured in headless Chromium with requestAnimationFrame deltas and
// the Long Tasks API. Needs a build in dist/ (`trunk build --release --offline`).
//
//   node web/bench/frames.mjs [seconds=10] [rate=10000]     (rate 0: no traffic, a baseline)
//
// Prints p50/p95/p99/max frame time (requestAnimationFrame deltas, which a 60 Hz display
// quantises to 16.7 ms steps), the main thread's work per frame, long tasks, and how much the simulation did meanwhile
// (virtual time, records produced/delivered, event-log entries). Numbers go to BENCHMARKS.md
// ("Browser frame time") by hand.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const dist = normalize(process.env.DIST ?? join(here, '..', '..', 'dist'));
const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 10000);

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
function serve() {
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(dist, path));
    if (!file.startsWith(dist)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** What the page says the simulation has done: virtual time, metrics tiles, log size. */
async function simState(page) {
  return page.evaluate(() => {
    const tile = (name) => [...document.querySelectorAll('.metric')]
      .find((m) => m.querySelector('dt')?.textContent === name)?.querySelector('dd')?.textContent ?? '?';
    const slider = document.querySelector('#scrubber');
    const entries = [...document.querySelectorAll('[aria-labelledby=h-eventlog] .hint')]
      .map((h) => h.textContent).find((t) => /^\d+ entries$/.test(t)) ?? '?';
    return {
      virtualMs: Number(slider?.value ?? 0) / 1000,
      delivered: tile('records delivered'),
      requests: tile('ProduceRequests'),
      logEntries: entries,
    };
  });
}

async function main() {
  const server = await serve();
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));

  await page.goto(baseUrl);
  await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
  const playback = page.getByRole('toolbar', { name: 'Playback' });
  if (await playback.getByRole('button', { name: 'Pause' }).count()) await playback.getByRole('button', { name: 'Pause' }).click();

  // Extra CSS for experiments (BENCH_CSS='selector { … }'), injected before anything runs.
  if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
  const create = page.getByRole('form', { name: 'Create a topic' });
  await create.getByLabel('Topic name').fill('bench');
  await create.getByLabel('Partitions').fill('6');
  await create.getByLabel('Replication factor').fill('3');
  await create.getByRole('button', { name: 'Create topic' }).click();
  await page.getByRole('table').or(page.getByText('topic bench created')).first().waitFor().catch(() => {});

  if (rate > 0) { // rate 0 = baseline: the page playing with no traffic
    await page.getByText('Produce many events', { exact: true }).click(); // opens the <details>
    const gen = page.getByRole('form', { name: 'Produce many events' });
    // Enough events to keep producing for the whole measurement at `rate`.
    await gen.getByLabel('Count').fill(String(Math.ceil(rate * (seconds + 5))));
    await gen.getByLabel('Rate (events/s)').fill(String(rate));
    await gen.getByLabel('Distinct keys').fill('1000');
    await gen.getByRole('button', { name: 'Start producing' }).click();
  }
  await page.getByLabel('Speed').selectOption({ label: '1× real time' });

  await page.evaluate(() => {
    window.__bench = { frames: [], work: [], longTasks: [], refreshes: {}, frame: 0, seen: {} };
    // How often each panel's DOM changes: frames with at least one change, per panel.
    new MutationObserver((list) => {
      const b = window.__bench;
      for (const m of list) {
        const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
        const panel = el?.closest('section[aria-labelledby]')?.getAttribute('aria-labelledby')?.replace(/^h-/, '')
          ?? (el?.closest('.controls') ? 'clock' : null);
        if (panel && b.seen[panel] !== b.frame) { b.seen[panel] = b.frame; b.refreshes[panel] = (b.refreshes[panel] || 0) + 1; }
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__bench.longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
  });
  const before = await simState(page);
  await playback.getByRole('button', { name: 'Play' }).click();
  await page.evaluate((ms) => new Promise((resolve) => {
    let last = performance.now();
    const end = last + ms;
    const frame = (t) => {
      window.__bench.frames.push(t - last);
      window.__bench.frame++;
      last = t;
      // Main-thread work of this frame: from the frame's start (the rAF timestamp) to the first
      // task after it, which runs once scripts, style, layout and paint of the frame are done.
      const channel = new MessageChannel();
      channel.port1.onmessage = () => window.__bench.work.push(performance.now() - t);
      channel.port2.postMessage(0);
      if (t < end) requestAnimationFrame(frame); else resolve();
    };
    requestAnimationFrame((t) => { last = t; requestAnimationFrame(frame); });
  }), seconds * 1000);
  await playback.getByRole('button', { name: 'Pause' }).click();
  const after = await simState(page);
  const { frames, work, longTasks, refreshes } = await page.evaluate(() => window.__bench);
  await browser.close();
  server.close();

  const sorted = [...frames].sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  const missed = frames.filter((d) => d > 25).length; // longer than 1.5 frames at 60 Hz
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`workload: ${rate} events/s generator, speed 1× real time, ${seconds} s measured, headless Chromium`);
  console.log(`frames: ${frames.length} (${f(frames.length / seconds)} fps)`);
  console.log(`frame time ms: p50 ${f(pct(sorted, 50))}  p95 ${f(pct(sorted, 95))}  p99 ${f(pct(sorted, 99))}  max ${f(sorted.at(-1))}  frames > 25 ms: ${missed}`);
  const workSorted = [...work].sort((a, b) => a - b);
  console.log(`frame work ms (frame start → first task after its paint): p50 ${f(pct(workSorted, 50))}  p95 ${f(pct(workSorted, 95))}  p99 ${f(pct(workSorted, 99))}  max ${f(workSorted.at(-1))}`);
  console.log(`panel refreshes per second: ${Object.entries(refreshes).sort().map(([k, n]) => `${k} ${f(n / seconds)}`).join(', ')}`);
  console.log(`long tasks (> 50 ms): ${longTasks.length}, longest ${f(Math.max(0, ...longTasks))} ms`);
  console.log(`simulation: virtual time ${f(before.virtualMs)} -> ${f(after.virtualMs)} ms (${f((after.virtualMs - before.virtualMs) / 1000)} s virtual in ${seconds} s real)`);
  console.log(`            records delivered/produced ${before.delivered} -> ${after.delivered}; ProduceRequests ${before.requests} -> ${after.requests}; event log ${before.logEntries} -> ${after.logEntries}`);
  if (errors.length) console.log(`page errors:\n  ${errors.join('\n  ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
