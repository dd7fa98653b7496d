// Topic-level settings and the generator's topic, as a learner uses them. What the page shows is
// the simulation's own output (the settings panel reads each topic's effective configs from the
// core's view; records appear in the partition logs); the test computes no Kafka behaviour.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTopic } from './helpers.mjs';
import { openPaused, playback, logLines, logTable } from './learner-steps.mjs';

/** The "Topic configuration" section of the settings panel, opened. */
async function topicSettings(page) {
  const summary = page.locator('summary', { hasText: /^Topic configuration$/ });
  const details = page.locator('details').filter({ has: summary });
  if (!(await details.evaluate((d) => d.open))) await summary.click();
  return details;
}

/** A topic config's input and the marker next to it ("default", "set on topic", …). */
function topicConfig(details, name) {
  const item = details.getByRole('listitem').filter({ has: details.page().locator(`#tcfg-${name.replaceAll('.', '-')}`) });
  return { item, input: item.getByRole('textbox'), marker: item.locator('.pill') };
}

export const tests = {
  async 'compression.type set on a topic shows as its value, marked "set on topic"; other topics keep the default'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3); // the default scenario's topic
    await createTopic(page, 'audit', 1, 3);
    const details = await topicSettings(page);
    const topicSelect = details.getByLabel('Topic', { exact: true });
    assert.equal(await topicSelect.inputValue(), 'payments', 'the first topic is chosen');

    const compression = topicConfig(details, 'compression.type');
    assert.equal(await compression.input.inputValue(), 'producer', 'Kafka default before any change');
    assert.equal((await compression.marker.textContent()).trim(), 'default');
    const minIsr = topicConfig(details, 'min.insync.replicas');
    assert.equal(await minIsr.input.inputValue(), '1');

    await compression.input.fill('zstd');
    await compression.input.press('Enter');
    await compression.item.getByText('set on topic').waitFor();
    assert.equal(await compression.input.inputValue(), 'zstd');
    assert.equal(await compression.input.getAttribute('aria-invalid'), 'false');
    assert.deepEqual(await logLines(page, 'config compression.type'), ['topic payments config compression.type = zstd']);
    assert.equal((await minIsr.marker.textContent()).trim(), 'default', 'other configs unchanged');

    // A value Kafka rejects: the error shows at the field, the topic keeps zstd.
    await compression.input.fill('brotli');
    await compression.input.press('Enter');
    await compression.item.getByRole('alert').waitFor();
    assert.match(await compression.item.getByRole('alert').textContent(), /INVALID_CONFIG: Invalid value brotli for configuration compression.type/);
    assert.equal(await compression.input.getAttribute('aria-invalid'), 'true');
    assert.equal(await compression.input.inputValue(), 'zstd', 'the field shows the value the topic still has');
    assert.equal((await compression.marker.textContent()).trim(), 'set on topic');
    assert.deepEqual(await logLines(page, 'config compression.type'), ['topic payments config compression.type = zstd']);
    await page.screenshot({ path: join(outDir, 'topics-compression-set-on-topic.png'), fullPage: true });

    // The other topic still has Kafka's default; back on payments the core's value shows again.
    await topicSelect.selectOption('audit');
    assert.equal(await compression.input.inputValue(), 'producer');
    assert.equal((await compression.marker.textContent()).trim(), 'default');
    assert.equal(await compression.item.getByRole('alert').count(), 0, "payments' error is not shown under audit");
    assert.equal(await compression.input.getAttribute('aria-invalid'), 'false');
    await topicSelect.selectOption('payments');
    await compression.item.getByRole('alert').waitFor(); // and it is back with its topic
    assert.equal(await compression.input.inputValue(), 'zstd');
    assert.equal((await compression.marker.textContent()).trim(), 'set on topic');

    // While the clock runs the panel re-renders every frame; what the learner types stays until
    // Enter sends it.
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await minIsr.input.fill('2');
    await page.waitForTimeout(300);
    assert.equal(await minIsr.input.inputValue(), '2', 'typed text survives re-renders');
    await minIsr.input.press('Enter');
    await minIsr.item.getByText('set on topic').waitFor();
    await playback(page).getByRole('button', { name: 'Pause' }).click();
    assert.equal(await minIsr.input.inputValue(), '2');
    assert.deepEqual(await logLines(page, 'config min.insync.replicas'), ['topic payments config min.insync.replicas = 2']);
  },

  async 'the generator produces to the chosen second topic and the records appear in its partition log'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3); // the default scenario's topic
    await createTopic(page, 'audit', 1, 3);
    await page.locator('summary', { hasText: /^Produce many events$/ }).click();
    const form = page.getByRole('form', { name: 'Produce many events' });
    const topic = form.getByLabel('Topic', { exact: true });
    assert.equal(await topic.inputValue(), 'payments', 'defaults to the first topic');
    await topic.selectOption('audit');
    await form.getByLabel('Count').fill('5');
    await form.getByLabel('Rate (events/s)').fill('');
    await form.getByLabel('Key pattern').fill('gen-{i}');
    await form.getByLabel('Value template ({i} = event number)').fill('generated #{i}');
    await form.getByRole('button', { name: 'Start producing' }).click();
    assert.equal(await form.getByRole('alert').count(), 0, 'the form accepted the input');

    await page.getByLabel('Speed').selectOption({ label: '100×' });
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await page.getByRole('table', { name: 'audit-0 log' }).getByRole('row').filter({ hasText: 'generated #4' }).waitFor({ timeout: 30000 });
    await playback(page).getByRole('button', { name: 'Pause' }).click();

    const rows = await logTable(page, 'audit', 0);
    assert.deepEqual(rows.map((r) => r.offset), [0, 1, 2, 3, 4]);
    rows.forEach((r, i) => assert.equal(r.value, `generated #${i}`));
    assert.equal(await page.getByRole('table', { name: 'payments-0 log' }).locator('tbody tr').count(), 0, 'nothing went to the first topic');
    assert.equal(await topic.inputValue(), 'audit', 'the choice survives re-renders');
    await page.screenshot({ path: join(outDir, 'topics-generator-second-topic.png'), fullPage: true });

    // A new topic changes the list; the chosen topic stays chosen.
    await createTopic(page, 'orders', 1, 3);
    assert.equal(await topic.inputValue(), 'audit');
  },
};
