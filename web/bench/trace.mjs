// usage: node trace.mjs <dist> <css-to-inject or ''> [seconds]
import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
const dist = process.argv[2]; const css = process.argv[3] || ''; const secs = Number(process.argv[4] || 2);
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
if (css) await page.addStyleTag({ content: css });
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
const out = '/tmp/perf/t.json';
// START=1: trace from the Play click (start-up cost); otherwise 3 s into playing.
if (process.env.START) {
  await browser.startTracing(page, { path: out, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink'] });
  await playback.getByRole('button', { name: 'Play' }).click();
} else {
  await playback.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(3000);
  if (process.env.SHOT) await page.screenshot({ path: process.env.SHOT, fullPage: true });
  await browser.startTracing(page, { path: out, categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink'] });
}
await page.waitForTimeout(secs * 1000);
await browser.stopTracing();
const dom = await page.evaluate(() => { const r = {}; for (const s of document.querySelectorAll('section, .panel')) { const id = s.getAttribute('aria-labelledby') || s.className; r[id] = s.querySelectorAll('*').length; } r.total = document.querySelectorAll('*').length; return r; });
await browser.close(); server.close();
const t = JSON.parse(await readFile(out, 'utf8')); const ev = (t.traceEvents || t).filter(e => e.ph === 'X');
const cnt = {}; for (const e of ev) if (e.name === 'Layout') cnt[e.pid] = (cnt[e.pid] || 0) + 1;
const pid = Number(Object.entries(cnt).sort((a, b) => b[1] - a[1])[0][0]);
const m = ev.filter(e => e.pid === pid);
const sum = (n) => m.filter(e => e.name === n).reduce((a, e) => a + e.dur, 0) / 1000;
const L = m.filter(e => e.name === 'Layout');
const S = m.filter(e => e.name === 'UpdateLayoutTree');
const tasks = m.filter(e => e.name === 'RunTask' && e.tid === pid);
const long = tasks.filter(e => e.dur > 16000).length;
console.log(JSON.stringify(dom));
console.log(`busy ${(tasks.reduce((a,e)=>a+e.dur,0)/1000/secs/10).toFixed(0)}%  tasks>16ms ${long}  layout n=${L.length} ${(sum('Layout')).toFixed(0)}ms mean dirty ${(L.reduce((a,e)=>a+(e.args.beginData?.dirtyObjects||0),0)/L.length).toFixed(0)}/${L[0]?.args.beginData?.totalObjects}  style ${sum('UpdateLayoutTree').toFixed(0)}ms mean elems ${(S.reduce((a,e)=>a+(e.args.elementCount||0),0)/S.length).toFixed(0)}  paint ${sum('Paint').toFixed(0)} prepaint ${sum('PrePaint').toFixed(0)} fn ${sum('FunctionCall').toFixed(0)} timer ${sum('TimerFire').toFixed(0)} raf ${sum('FireAnimationFrame').toFixed(0)}`);
