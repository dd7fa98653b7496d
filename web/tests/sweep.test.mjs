// "Sweep a setting" as a learner uses it: the batching lesson swept over linger.ms gives, in
// the table and in the plots' named points, the same numbers `kplay sweep` prints for the same
// scenario file — the page runs the core's variants (`ksim::variant`), it computes nothing. Bad
// input gets a message at the field and runs nothing; a sweep can be cancelled. The runs go to a
// background worker; where none can start (no `Worker`), they run in the page with the same
// numbers.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

const root = new URL('../..', import.meta.url).pathname;
const kplay = process.env.KPLAY || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'kplay');

/** `kplay sweep` of a lesson's scenario file, as JSON rows. */
function cliRows(lesson, setting, values) {
  const out = execFileSync(kplay, ['sweep', join(root, 'crates/kshare/lessons', `${lesson}.json`),
    '--set', `${setting}=${values}`, '--json'], { encoding: 'utf8' });
  return JSON.parse(out).rows;
}

/** A scenario as a version-1 share link fragment (whole scenario, no preset). */
function linkOf(scenario) {
  const envelope = { base: null, diff: scenario, ui: {} };
  return '#s=1.' + deflateSync(JSON.stringify(envelope)).toString('base64url');
}

/** 100,000 records: a sweep of it takes seconds, long enough to cancel. */
const bigScenario = {
  version: 1, name: 'sweep-cancel', seed: 1, cluster: { brokers: 3 },
  topics: [{ name: 'big', partitions: 6, replication_factor: 3 }],
  producer: { profile: 'librdkafka', config: { 'linger.ms': 5 } },
  actions: [
    { at_ms: 0, action: { type: 'produce_many', topic: 'big', count: 100000, rate_per_sec: 50000,
      key: 'user-{i}', key_count: 1000, value: 'event {i}' } },
    { at_ms: 2010, action: { type: 'flush' } },
  ],
  faults: [],
};

/** The page's number format: thousands separated, whole numbers rounded. */
const whole = (v) => Math.round(v).toLocaleString('en-US');

/** The batching lesson swept over linger.ms: the table and the plot hold `kplay sweep`'s rows. */
async function sweepMatchesCli(page, baseUrl) {
  await page.goto(`${baseUrl}?lesson=batching&autoplay=0`);
  const panel = page.getByRole('region', { name: 'Sweep a setting' });
  const form = panel.getByRole('form', { name: 'Sweep a setting' });
  await form.getByLabel('Setting').selectOption('linger.ms');
  await form.getByLabel('Values').fill('0,5,20,100');
  await form.getByRole('button', { name: 'Run sweep' }).click();
  await panel.getByRole('status').filter({ hasText: 'Ran the scenario once per value of linger.ms: 4 runs' }).waitFor();
  const rows = cliRows('batching', 'linger.ms', '0,5,20,100');
  assert.equal(rows.length, 4);
  const table = panel.getByRole('table');
  const bodyRows = table.getByRole('row').filter({ has: page.getByRole('rowheader') });
  assert.equal(await bodyRows.count(), 4);
  for (let i = 0; i < 4; i++) {
    const r = rows[i];
    const head = await bodyRows.nth(i).getByRole('rowheader').textContent();
    const cells = await bodyRows.nth(i).getByRole('cell').allTextContents();
    assert.equal(head.replace(' (current)', ''), r.value);
    assert.deepEqual(cells, [
      whole(r.records_per_s), String(r.produce_requests), r.records_per_batch.toFixed(1),
      whole(r.wire_bytes), `${r.latency_p50_ms.toFixed(1)} ms`, `${r.latency_p99_ms.toFixed(1)} ms`,
      String(r.records_delivered),
    ], `row ${r.value}`);
  }
  // The lesson's linger.ms is 5: that row and that point say "current" in words.
  assert.equal(await bodyRows.nth(1).getByRole('rowheader').textContent(), '5 (current)');
  const plot = panel.getByRole('figure', { name: 'ProduceRequests against linger.ms' });
  const points = await plot.locator('g[role="img"]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  assert.deepEqual(points, rows.map((r) =>
    `linger.ms = ${r.value}${r.value === '5' ? ' (current)' : ''}: ${whole(r.produce_requests)} request${r.produce_requests === 1 ? '' : 's'}`));
  // The lecture's trade-off, as physics: more linger, fewer requests and bigger batches.
  assert.ok(rows[0].produce_requests > rows[3].produce_requests);
  assert.ok(rows[0].records_per_batch < rows[3].records_per_batch);
  assert.ok(rows[0].latency_p50_ms < rows[3].latency_p50_ms);
  await panel.screenshot({ path: 'web/test-output/sweep-linger.png' });
}

/** Counts the workers the page starts. */
function countWorkers(page) {
  const seen = { n: 0 };
  page.on('worker', () => { seen.n += 1; });
  return seen;
}

export const tests = {
  "a linger.ms sweep shows kplay sweep's numbers in its table and its plots": async ({ page, baseUrl }) => {
    const workers = countWorkers(page);
    await sweepMatchesCli(page, baseUrl);
    assert.equal(workers.n, 1, 'the sweep ran in one background worker');
  },

  'without Web Workers the sweep runs in the page and gives the same numbers': async ({ page, baseUrl }) => {
    await page.addInitScript(() => { window.Worker = undefined; });
    const workers = countWorkers(page);
    await sweepMatchesCli(page, baseUrl);
    assert.equal(workers.n, 0, 'no worker');
  },

  'a running sweep can be cancelled, and keeps the rows it has': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?autoplay=0${linkOf(bigScenario)}`);
    const panel = page.getByRole('region', { name: 'Sweep a setting' });
    const form = panel.getByRole('form', { name: 'Sweep a setting' });
    await form.getByLabel('Setting').selectOption('linger.ms');
    await form.getByLabel('Values').fill('50,0,0,0,0,0');
    await form.getByRole('button', { name: 'Run sweep' }).click();
    const status = panel.getByRole('status');
    // The first value's row arrives, then the costly linger.ms=0 runs: cancel during it.
    await panel.getByRole('table').waitFor();
    await status.filter({ hasText: /Running linger.ms = 0 \(2 of 6\): [\d,]+ events so far/ }).waitFor();
    assert.equal(await form.getByRole('button', { name: 'Run sweep' }).isDisabled(), true, 'no second sweep while one runs');
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await status.filter({ hasText: /Cancelled after [12] of 6 values\./ }).waitFor();
    await page.waitForTimeout(500);
    assert.match(await status.textContent(), /Cancelled after [12] of 6 values\./, 'stays cancelled: the worker reports no more');
    const rows = panel.getByRole('table').getByRole('row').filter({ has: page.getByRole('rowheader') });
    assert.ok((await rows.count()) <= 2, 'no rows after the cancel');
    assert.equal(await rows.first().getByRole('rowheader').textContent(), '50');
    assert.equal(await form.getByRole('button', { name: 'Run sweep' }).isDisabled(), false);
  },

  'bad sweep input gets a message at the field and runs nothing': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?lesson=batching&autoplay=0`);
    const panel = page.getByRole('region', { name: 'Sweep a setting' });
    const form = panel.getByRole('form', { name: 'Sweep a setting' });
    const values = form.getByLabel('Values');
    for (const [setting, text, says] of [
      ['linger.ms', '0,soon', 'linger.ms=soon is not valid'],
      ['acks', '0,,1', 'a value is empty'],
      ['batch.size', Array.from({ length: 13 }, (_, i) => String(1000 + i)).join(','), '13 values, at most 12'],
    ]) {
      await form.getByLabel('Setting').selectOption(setting);
      await values.fill(text);
      await form.getByRole('button', { name: 'Run sweep' }).click();
      await panel.getByText(says).waitFor();
      assert.equal(await values.getAttribute('aria-invalid'), 'true', `${setting}=${text} marked invalid`);
      assert.equal(await panel.getByRole('table').count(), 0, 'nothing ran');
    }
  },
};
