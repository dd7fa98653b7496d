// "Sweep a setting" as a learner uses it: the batching lesson swept over linger.ms gives, in
// the table and in the plots' named points, the same numbers `kplay sweep` prints for the same
// scenario file — the page runs the core's variants (`ksim::variant`), it computes nothing. Bad
// input gets a message at the field and runs nothing; a sweep can be cancelled.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const kplay = process.env.KPLAY || join(process.env.CARGO_TARGET_DIR || join(root, 'target'), 'debug', 'kplay');

/** `kplay sweep` of a lesson's scenario file, as JSON rows. */
function cliRows(lesson, setting, values) {
  const out = execFileSync(kplay, ['sweep', join(root, 'crates/kshare/lessons', `${lesson}.json`),
    '--set', `${setting}=${values}`, '--json'], { encoding: 'utf8' });
  return JSON.parse(out).rows;
}

/** The page's number format: thousands separated, whole numbers rounded. */
const whole = (v) => Math.round(v).toLocaleString('en-US');

export const tests = {
  "a linger.ms sweep shows kplay sweep's numbers in its table and its plots": async ({ page, baseUrl }) => {
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
