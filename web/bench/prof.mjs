// Dev tool (not a test): CPU profile of the playground at 10,000 events/s, self and inclusive
// time per function. Needs a build with names (see BENCHMARKS "Browser frame time").
//   DIST=/tmp/profdist node web/bench/prof.mjs [seconds=4] [filter-regex]
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
const dist = process.env.DIST || 'dist';
const secs = Number(process.argv[2] || 4);
const filter = new RegExp(process.argv[3] || 'forward_to|refresh|::view|partition_logs|render|Tick|reconcile|apply|commit|describe|log_rows|sample|scan_marks|refilter');
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const server = createServer(async (req, res) => { let p = new URL(req.url, 'http://x').pathname; if (p.endsWith('/')) p += 'index.html';
  try { const b = await readFile(join(dist, p)); res.writeHead(200, { 'content-type': types[extname(p)] || 'application/octet-stream' }); res.end(b); } catch { res.writeHead(404).end(); } });
await new Promise(r => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
await page.goto(`http://127.0.0.1:${server.address().port}/`);
await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
const playback = page.getByRole('toolbar', { name: 'Playback' });
if (await playback.getByRole('button', { name: 'Pause' }).count()) await playback.getByRole('button', { name: 'Pause' }).click();
const create = page.getByRole('form', { name: 'Create a topic' });
await create.getByLabel('Topic name').fill('bench');
await create.getByLabel('Partitions').fill('6');
await create.getByLabel('Replication factor').fill('3');
await create.getByRole('button', { name: 'Create topic' }).click();
await page.getByText('Produce many events', { exact: true }).click();
const gen = page.getByRole('form', { name: 'Produce many events' });
await gen.getByLabel('Count').fill('1000000'); await gen.getByLabel('Rate (events/s)').fill('10000');
await gen.getByLabel('Distinct keys').fill('1000');
await gen.getByRole('button', { name: 'Start producing' }).click();
await page.getByLabel('Speed').selectOption({ label: '1× real time' });
await page.mouse.move(0, 0);
await playback.getByRole('button', { name: 'Play' }).click();
await page.waitForTimeout(3000);
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start');
await page.waitForTimeout(secs * 1000);
const { profile } = await cdp.send('Profiler.stop');
await browser.close(); server.close();
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const parent = new Map(); for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);
const name = (n) => `${n.callFrame.functionName || '(anon)'}`;
const selfT = new Map(), incl = new Map(); let total = 0;
profile.samples.forEach((id, i) => {
  const t = profile.timeDeltas[i] || 0; total += t;
  const n = byId.get(id); selfT.set(name(n), (selfT.get(name(n)) || 0) + t);
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) { const k = name(byId.get(cur)); if (!seen.has(k)) { seen.add(k); incl.set(k, (incl.get(k) || 0) + t); } }
});
const ms = (t) => (t / 1000).toFixed(0).padStart(6) + ' ms ' + (100 * t / total).toFixed(1).padStart(5) + ' %';
console.log(`total ${ms(total)} over ${secs} s`);
console.log('--- self');
for (const [k, t] of [...selfT].sort((a, b) => b[1] - a[1]).slice(0, 20)) console.log(ms(t), k.slice(0, 140));
console.log('--- inclusive (filtered)');
for (const [k, t] of [...incl].filter(([k]) => filter.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(ms(t), k.slice(0, 140));
