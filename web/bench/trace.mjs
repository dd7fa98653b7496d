// Dev tool (not a benchmark): a Chromium trace of the playground at 10,000 events/s, summed per
// rendering phase — layout (dirty objects), style, paint, scripts — to see where frame time goes.
//
//   node web/bench/trace.mjs [seconds=2]      (DIST=<dir> for another build; BENCH_CSS for CSS
//                                              experiments; START=1 traces from the Play click)
//
// Writes the trace to $TRACE_OUT (default /tmp/playground-trace.json) for chrome://tracing.
import { readFile } from 'node:fs/promises';
import { openPlayground, prepareWorkload } from './workload.mjs';

const seconds = Number(process.argv[2] ?? 2);
const out = process.env.TRACE_OUT ?? '/tmp/playground-trace.json';
const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink'];

const { browser, page, playback, close } = await openPlayground();
await prepareWorkload(page, 10000, seconds + 5);
if (process.env.START) {
  await browser.startTracing(page, { path: out, categories });
  await playback.getByRole('button', { name: 'Play' }).click();
} else {
  await playback.getByRole('button', { name: 'Play' }).click();
  await page.waitForTimeout(3000);
  await browser.startTracing(page, { path: out, categories });
}
await page.waitForTimeout(seconds * 1000);
await browser.stopTracing();
const dom = await page.evaluate(() => {
  const r = {};
  for (const s of document.querySelectorAll('section[aria-labelledby]')) r[s.getAttribute('aria-labelledby')] = s.querySelectorAll('*').length;
  r.total = document.querySelectorAll('*').length;
  return r;
});
await close();

const trace = JSON.parse(await readFile(out, 'utf8'));
const events = (trace.traceEvents ?? trace).filter((e) => e.ph === 'X');
// The renderer's main thread: the one with the most Layout events.
const count = {};
for (const e of events) if (e.name === 'Layout') count[e.pid] = (count[e.pid] ?? 0) + 1;
const pid = Number(Object.entries(count).sort((a, b) => b[1] - a[1])[0][0]);
const main = events.filter((e) => e.pid === pid);
const total = (name) => main.filter((e) => e.name === name).reduce((a, e) => a + e.dur, 0) / 1000;
const layouts = main.filter((e) => e.name === 'Layout');
const styles = main.filter((e) => e.name === 'UpdateLayoutTree');
const tasks = main.filter((e) => e.name === 'RunTask' && e.tid === pid);
const mean = (xs, f) => (xs.length ? xs.reduce((a, e) => a + f(e), 0) / xs.length : 0).toFixed(0);
console.log(`elements per panel: ${JSON.stringify(dom)}`);
console.log(`main thread busy ${(tasks.reduce((a, e) => a + e.dur, 0) / 10 / seconds / 1000).toFixed(0)} %, tasks > 16 ms: ${tasks.filter((e) => e.dur > 16000).length}`);
console.log(`layout: ${layouts.length} × , ${total('Layout').toFixed(0)} ms, mean dirty objects ${mean(layouts, (e) => e.args.beginData?.dirtyObjects ?? 0)} of ${layouts[0]?.args.beginData?.totalObjects}`);
console.log(`style: ${total('UpdateLayoutTree').toFixed(0)} ms, mean elements ${mean(styles, (e) => e.args.elementCount ?? 0)}; paint ${total('Paint').toFixed(0)} ms; prepaint ${total('PrePaint').toFixed(0)} ms; scripts ${total('FunctionCall').toFixed(0)} ms`);
