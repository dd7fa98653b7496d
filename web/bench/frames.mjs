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
import { cpus, loadavg } from 'node:os';
import { openPlayground, prepareWorkload } from './workload.mjs';

const seconds = Number(process.argv[2] ?? 10);
const rate = Number(process.argv[3] ?? 10000);

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
  const { page, playback, errors, close } = await openPlayground();
  await prepareWorkload(page, rate, seconds);

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
    // Responsiveness: Event Timing entries of the learner's clicks while it plays (from the input
    // to the next paint that shows its effect; only interactions over 16 ms are reported).
    window.__bench.clicks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.name === 'click') window.__bench.clicks.push({ duration: e.duration, delay: e.processingStart - e.startTime });
    }).observe({ type: 'event', durationThreshold: 16, buffered: false });
  });
  const before = await simState(page);
  await playback.getByRole('button', { name: 'Play' }).click();
  // While measuring, a learner clicks "poll()" twice a second (it serves delivery reports).
  const poll = page.getByRole('form', { name: 'Produce an event' }).getByRole('button', { name: 'poll()' });
  let clicking = true;
  let clicks = 0;
  const clicker = (async () => {
    while (clicking) {
      await page.waitForTimeout(500);
      if (clicking) { await poll.click(); clicks++; }
    }
  })();
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
  clicking = false;
  await clicker;
  await playback.getByRole('button', { name: 'Pause' }).click();
  const after = await simState(page);
  const { frames, work, longTasks, refreshes, clicks: slowClicks } = await page.evaluate(() => window.__bench);
  await close();

  const sorted = [...frames].sort((a, b) => a - b);
  const f = (x) => x.toFixed(1);
  const missed = frames.filter((d) => d > 25).length; // longer than 1.5 frames at 60 Hz
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`workload: ${rate} events/s generator, speed ${process.env.BENCH_SPEED ?? '1× real time'}, ${seconds} s measured, headless Chromium`);
  console.log(`frames: ${frames.length} (${f(frames.length / seconds)} fps)`);
  console.log(`frame time ms: p50 ${f(pct(sorted, 50))}  p95 ${f(pct(sorted, 95))}  p99 ${f(pct(sorted, 99))}  max ${f(sorted.at(-1))}  frames > 25 ms: ${missed}`);
  const workSorted = [...work].sort((a, b) => a - b);
  console.log(`frame work ms (frame start → first task after its paint): p50 ${f(pct(workSorted, 50))}  p95 ${f(pct(workSorted, 95))}  p99 ${f(pct(workSorted, 99))}  max ${f(workSorted.at(-1))}`);
  console.log(`panel refreshes per second: ${Object.entries(refreshes).sort().map(([k, n]) => `${k} ${f(n / seconds)}`).join(', ')}`);
  const slowest = slowClicks.reduce((a, c) => (c.duration > a.duration ? c : a), { duration: 0, delay: 0 });
  console.log(`clicks on poll() while playing: ${clicks}, slower than 16 ms to the next paint: ${slowClicks.length}, slowest ${f(slowest.duration)} ms (input delay ${f(slowest.delay)} ms)`);
  console.log(`long tasks (> 50 ms): ${longTasks.length}, longest ${f(Math.max(0, ...longTasks))} ms`);
  console.log(`simulation: virtual time ${f(before.virtualMs)} -> ${f(after.virtualMs)} ms (${f((after.virtualMs - before.virtualMs) / 1000)} s virtual in ${seconds} s real)`);
  console.log(`            records delivered/produced ${before.delivered} -> ${after.delivered}; ProduceRequests ${before.requests} -> ${after.requests}; event log ${before.logEntries} -> ${after.logEntries}`);
  if (errors.length) console.log(`page errors:\n  ${errors.join('\n  ')}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
