// Long runs as a learner meets them: the run pausing itself at the playground's memory budget,
// logs whose start retention moved, and batches whose record bytes the playground dropped. What
// the page says is the simulation's own output (the core's stop reason, memory numbers and
// replica views); the test computes no Kafka behaviour, it only reads the page.
import { join, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { setSpeed } from './helpers.mjs';
import { playback, openPaused, replicaItem, logLines, virtualTimeUs } from './learner-steps.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Opens a scenario through "Open scenario file", from a path or from a scenario object. */
async function openScenario(page, scenario) {
  const input = page.getByLabel('Open scenario file');
  if (typeof scenario === 'string') await input.setInputFiles(scenario);
  else await input.setInputFiles({ name: 'scenario.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(scenario)) });
}

/** An example file with a run limit added, so the run stops at that moment. */
async function exampleUntil(name, maxTimeMs) {
  const scenario = JSON.parse(await readFile(join(root, 'examples', `${name}.json`), 'utf8'));
  scenario.limits = { max_time_ms: maxTimeMs };
  return scenario;
}

/** The "Cluster configuration" section of the settings panel, opened. */
async function clusterSettings(page) {
  const summary = page.locator('summary', { hasText: /^Cluster configuration$/ });
  const details = page.locator('details').filter({ has: summary });
  if (!(await details.evaluate((d) => d.open))) await summary.click();
  return details;
}

const budgetBanner = (page) => page.getByRole('alert').filter({ hasText: 'Paused: memory budget reached.' });

/** The head of a partition's log (name, leader, offsets, storage) and the notes under it. */
function partitionHead(page, topic, partition) {
  return page.locator('.partition').filter({ has: page.locator('.partition-head strong', { hasText: new RegExp(`^${topic}-${partition}$`) }) });
}

export const tests = {
  async 'the run pauses at the memory budget with a banner saying why and what to do; a bigger budget replays past it and Reset removes it'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await setSpeed(page, '1× real time');
    await openScenario(page, join(root, 'examples', 'memory-budget-pause.json'));
    await playback(page).getByRole('button', { name: 'Play' }).click();
    const banner = budgetBanner(page);
    await banner.waitFor({ timeout: 20000 });
    const text = await banner.textContent();
    assert.match(text, /The run stopped before the record bytes it holds passed the playground's memory budget of 1 MiB \(a limit of this page, not of Kafka\)\./);
    assert.match(text, /Brokers hold \d+\.\d MiB; the producer buffers 1\.0 MiB\./);
    assert.match(text, /What to do: Reset, produce at a lower rate, or raise “Record bytes budget” in Settings › Cluster configuration/);
    await playback(page).getByRole('button', { name: 'Play' }).waitFor(); // playback stopped
    await page.screenshot({ path: join(outDir, 'long-runs-budget-banner.png') });

    // Raising the budget replays the run to the same moment, now without the pause.
    const details = await clusterSettings(page);
    const budget = details.getByLabel('Record bytes budget (MiB)');
    assert.equal(await budget.inputValue(), '1');
    await budget.fill('64');
    await budget.press('Enter');
    await banner.waitFor({ state: 'detached', timeout: 10000 });
    assert.equal(await budget.inputValue(), '64');
    const item = details.getByRole('listitem').filter({ has: page.locator('#ccfg-record-bytes-budget-mb') });
    assert.equal((await item.locator('.pill').textContent()).trim(), 'changed');

    // A budget the core refuses: said at the field, nothing changes.
    await budget.fill('0');
    await budget.press('Enter');
    await item.getByRole('alert').waitFor();
    assert.equal((await item.getByRole('alert').textContent()).trim(), 'cluster.record_bytes_budget_mb must be 1..=4096, got 0');
    assert.equal(await budget.getAttribute('aria-invalid'), 'true');
    assert.equal(await budget.inputValue(), '64', 'the field shows the budget the run still has');
    assert.equal(await banner.count(), 0);

    // With 64 MiB the run plays on past the moment it paused at.
    const pausedAt = await virtualTimeUs(page);
    await playback(page).getByRole('button', { name: 'Play' }).click();
    for (let i = 0; i < 200 && (await virtualTimeUs(page)) < pausedAt + 300000; i++) await page.waitForTimeout(25);
    await playback(page).getByRole('button', { name: 'Pause' }).click();
    assert.ok((await virtualTimeUs(page)) >= pausedAt + 300000, 'played 300 ms past the pause');
    assert.equal(await banner.count(), 0);

    // Back to 1 MiB: the replay to this moment stops at the budget, and the banner's Reset
    // removes it.
    await budget.fill('1');
    await budget.press('Enter');
    await banner.waitFor({ timeout: 10000 });
    await banner.getByRole('button', { name: 'Reset' }).click();
    await banner.waitFor({ state: 'detached', timeout: 10000 });
    await partitionHead(page, 'payments', 0).waitFor(); // the default scenario is open again
    assert.equal(await partitionHead(page, 'events', 0).count(), 0);
  },

  async 'other run limits pause without the budget banner'({ page, baseUrl }) {
    await openPaused(page, baseUrl);
    await setSpeed(page, '100×');
    await openScenario(page, await exampleUntil('retention-segments', 2000));
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor({ timeout: 20000 });
    assert.deepEqual(await logLines(page, 'run stopped'), ['run stopped: limits.max_time_ms = 2000 reached']);
    assert.equal(await budgetBanner(page).count(), 0);
  },

  async 'after retention the partition log says where it starts and what was deleted'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await setSpeed(page, '100×');
    // The example's last deletion is at 60 s; stopping there keeps the moment still.
    await openScenario(page, await exampleUntil('retention-segments', 60000));
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor({ timeout: 30000 });
    const log = partitionHead(page, 'clicks', 0);
    const head = log.locator('.partition-head');
    await head.getByText(/^log start 70 · /).waitFor();
    assert.match(await head.textContent(), /HW 120 · LEO 120/);
    assert.match(await head.textContent(), /log start 70 · \d+ segments · \d+\.\d KB/);
    assert.match(await head.textContent(), /the newest 10 of 50 records/);
    assert.deepEqual(await log.locator('.storage-note').allTextContents(),
      ['Offsets below 70 were deleted by retention (retention.ms / retention.bytes).']);
    const offsets = await page.getByRole('table', { name: 'clicks-0 log' }).locator('tbody tr td:first-child').allTextContents();
    assert.deepEqual(offsets.map(Number), [110, 111, 112, 113, 114, 115, 116, 117, 118, 119]);
    // Every replica deleted the same segments: the cluster panel says so per broker.
    for (const b of [1, 2, 3]) {
      assert.match(await replicaItem(page, b, 'clicks', 0).textContent(), /log start 70 · \d+ segments · /);
    }
    await log.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(outDir, 'long-runs-retention.png'), fullPage: true });
  },

  async 'a batch whose record bytes were dropped says so in the log and opens with its header in the inspector'({ page, baseUrl, outDir }) {
    // One broker with a 1 MiB budget, twelve 400 kB records, one per batch: the broker keeps the
    // record bytes of its newest batch only (the same scenario as src/retention.rs's tests).
    const scenario = {
      version: 1, seed: 1,
      cluster: { brokers: 1, record_bytes_budget_mb: 1 },
      topics: [{ name: 'big', partitions: 1, replication_factor: 1 }],
      producer: { profile: 'librdkafka', config: { 'linger.ms': 0 } },
      actions: [{ at_ms: 0, action: { type: 'produce_many', topic: 'big', count: 12, rate_per_sec: 2, value: 'v{i}', value_size_bytes: 400000 } }],
      log: { per_message: false },
      limits: { max_time_ms: 8000 },
    };
    await openPaused(page, baseUrl);
    await setSpeed(page, '10×');
    await openScenario(page, scenario);
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor({ timeout: 30000 });
    const log = partitionHead(page, 'big', 0);
    const notes = await log.locator('.storage-note').allTextContents();
    assert.deepEqual(notes, ["Offsets 0–10: record bytes dropped from the playground's memory; Kafka would keep them until retention.ms."]);
    assert.equal(await budgetBanner(page).count(), 0, 'dropping committed bytes is no pause');
    const table = page.getByRole('table', { name: 'big-0 log' });
    const dropped = table.locator('tbody tr').filter({ hasText: 'record bytes dropped' });
    assert.equal(await dropped.count(), 9, 'rows 2–10 of the newest ten');
    assert.match(await dropped.first().textContent(), /^2—record bytes dropped1 record · max timestamp \d+#2$/);
    assert.equal(await table.locator('tbody tr').filter({ hasText: 'v11' }).count(), 1, 'the newest record is shown');

    await page.getByRole('button', { name: 'Inspect batch 5 of big-0' }).click();
    const inspector = page.getByRole('region', { name: 'Batch #5 of big-0 on broker 1' });
    await inspector.waitFor();
    assert.match(await inspector.textContent(), /Offset 5: record bytes dropped from the playground's memory; Kafka would keep them until retention\.ms\./);
    const fields = inspector.getByRole('table', { name: 'Batch header fields' });
    assert.match(await fields.getByRole('row').filter({ hasText: 'baseOffset' }).textContent(), /baseOffset5$/);
    assert.match(await fields.getByRole('row').filter({ hasText: 'records' }).first().textContent(), /records1$/);
    assert.equal(await inspector.getByRole('group', { name: 'Batch bytes (hex)' }).count(), 0, 'no hex view without bytes');
    await page.screenshot({ path: join(outDir, 'long-runs-dropped-inspector.png') });
    // The newest batch still has its bytes.
    await page.getByRole('button', { name: 'Inspect batch 11 of big-0' }).click();
    await page.getByRole('region', { name: 'Batch #11 of big-0 on broker 1' }).getByRole('group', { name: 'Batch bytes (hex)' }).waitFor();
  },

  async 'a long rewind replays a piece per frame, says how far it is, and arrives at the moment asked for'({ page, baseUrl, outDir }) {
    // 200,000 events of 1 KB at 20,000/s, stopped by a run limit at 10 s (about 230,000
    // events). poll() then leaves one checkpoint, at the end (an action clears the others), so
    // going back to the middle replays from the start: far more than a rewind does at once,
    // however fast this machine plays.
    const scenario = {
      seed: 2,
      topics: [{ name: 'big', partitions: 3, replication_factor: 3 }],
      actions: [{ at_ms: 0, action: { type: 'produce_many', topic: 'big', count: 200000, rate_per_sec: 20000, value: 'v{i}', value_size_bytes: 1000 } }],
      log: { per_message: false, replication: false },
      limits: { max_time_ms: 10000 },
    };
    await openPaused(page, baseUrl);
    await setSpeed(page, '100×');
    await openScenario(page, scenario);
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor({ timeout: 120000 }); // the limit
    await page.getByRole('button', { name: 'poll()' }).click();
    const head = await virtualTimeUs(page);
    assert.ok(head >= 9_000_000, `played ${head} µs`);
    const target = Math.round(head / 2);
    await playback(page).getByRole('slider', { name: 'Virtual time' }).fill(String(target));
    const status = playback(page).getByRole('status').filter({ hasText: /^rewinding: replayed to \d+\.\d s of \d+\.\d s$/ });
    await status.waitFor({ timeout: 5000 });
    await page.screenshot({ path: join(outDir, 'long-runs-rewinding.png') });
    await status.waitFor({ state: 'detached', timeout: 60000 });
    assert.equal(await virtualTimeUs(page), target, 'the rewind arrived where the scrubber was set');
    assert.match(await playback(page).textContent(), /rewound/);
  },
};
