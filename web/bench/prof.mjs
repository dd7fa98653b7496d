// Dev tool (not a test): CPU profile of the playground at 10,000 events/s, self and inclusive
// time per function. Needs a build with names (see BENCHMARKS "Browser frame time").
//   DIST=/tmp/profdist node web/bench/prof.mjs [seconds=4] [filter-regex]
// (how to make such a build: BENCHMARKS.md, "Browser frame time")
import { openPlayground, prepareWorkload } from './workload.mjs';

const secs = Number(process.argv[2] || 4);
const filter = new RegExp(process.argv[3] || 'forward_to|snapshot|publish|::view|partition_logs|render|Tick|reconcile|describe|refilter');
const { page, playback, close } = await openPlayground();
await prepareWorkload(page, 10000, secs + 5);
await playback.getByRole('button', { name: 'Play' }).click();
await page.waitForTimeout(Number(process.env.PROF_WARM_MS ?? 3000));
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable'); await cdp.send('Profiler.setSamplingInterval', { interval: 200 }); await cdp.send('Profiler.start');
await page.waitForTimeout(secs * 1000);
const { profile } = await cdp.send('Profiler.stop');
await close();
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
