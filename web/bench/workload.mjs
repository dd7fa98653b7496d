// The benchmarks' shared set-up (not a benchmark itself): serve a built playground, open it in
// headless Debian Chromium, and prepare the workload every browser benchmark measures — a topic
// of 6 partitions with RF 3 and "Produce many events" at `rate` events/s (1,000 distinct keys,
// the default JSON value template), speed "1× real time", paused and ready to Play.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
/** The build to serve: `$DIST`, else the repository's `dist/`. */
export const distDir = normalize(process.env.DIST ?? join(here, '..', '..', 'dist'));

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves `dist` on a free local port; resolves to the server. */
export function serve(dist = distDir) {
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

/**
 * Serves the build, launches Chromium and opens the playground paused at 1280×900. Console
 * errors and page errors are collected in `errors`. `close()` stops browser and server.
 */
export async function openPlayground(dist = distDir) {
  const server = await serve(dist);
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  // Keeps the app's WebAssembly.Memory where a benchmark can read its size (trunk's loader
  // announces the instance in this event); nothing in the app reads it.
  await context.addInitScript(() => addEventListener('TrunkApplicationStarted',
    (e) => { window.benchWasmMemory = e.detail.wasm.memory; }));
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
  const playback = page.getByRole('toolbar', { name: 'Playback' });
  if (await playback.getByRole('button', { name: 'Pause' }).count()) await playback.getByRole('button', { name: 'Pause' }).click();
  return { browser, page, playback, errors, close: async () => { await browser.close(); server.close(); } };
}

/**
 * Creates topic `bench` (6 partitions, RF 3) and, when `rate` > 0, starts the generator at
 * `rate` events/s with enough events for `seconds` (plus 5 s); selects 1× real time (or the
 * speed labelled `$BENCH_SPEED`, e.g. "1/100×"; `$BENCH_COUNT` events instead, for fast speeds).
 * Extra CSS for experiments comes from `$BENCH_CSS`.
 */
export async function prepareWorkload(page, rate, seconds) {
  if (process.env.BENCH_CSS) await page.addStyleTag({ content: process.env.BENCH_CSS });
  const create = page.getByRole('form', { name: 'Create a topic' });
  await create.getByLabel('Topic name').fill('bench');
  await create.getByLabel('Partitions').fill('6');
  await create.getByLabel('Replication factor').fill('3');
  await create.getByRole('button', { name: 'Create topic' }).click();
  await page.getByText('topic bench created').first().waitFor();
  if (rate > 0) { // rate 0 = baseline: the page playing with no traffic
    await page.getByText('Produce many events', { exact: true }).click(); // opens the <details>
    const gen = page.getByRole('form', { name: 'Produce many events' });
    await gen.getByLabel('Topic', { exact: true }).selectOption('bench'); // not the default payments
    await gen.getByLabel('Count').fill(process.env.BENCH_COUNT ?? String(Math.ceil(rate * (seconds + 5))));
    await gen.getByLabel('Rate (events/s)').fill(String(rate));
    await gen.getByLabel('Distinct keys').fill('1000');
    await gen.getByRole('button', { name: 'Start producing' }).click();
  }
  await page.getByLabel('Speed').selectOption({ label: process.env.BENCH_SPEED ?? '1× real time' });
  await page.mouse.move(0, 0);
}
