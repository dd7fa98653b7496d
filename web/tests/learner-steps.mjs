// Steps a learner takes in the playground, for learner.test.mjs and a11y.test.mjs (this file is
// not a test itself: run.mjs only runs *.test.mjs). Everything is found by its accessible name.
import assert from 'node:assert/strict';

export const playback = (page) => page.getByRole('toolbar', { name: 'Playback' });

/** Opens the playground and pauses it, so virtual time moves only when the test says so. */
export async function openPaused(page, baseUrl) {
  await page.goto(baseUrl);
  await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
  const pause = playback(page).getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  await playback(page).getByRole('button', { name: 'Play' }).waitFor();
}

/** Virtual time in µs, from the "Virtual time" scrubber. */
export async function virtualTimeUs(page) {
  return Number(await page.getByRole('slider', { name: 'Virtual time' }).inputValue());
}

/** Number of entries in the event log ("N entries" next to its heading). */
export async function logCount(page) {
  const count = page.getByRole('region', { name: 'Event log' }).getByText(/^\d+ entries$/);
  return Number((await count.textContent()).match(/(\d+) entries/)[1]);
}

/**
 * A producer setting as a learner changes it: type into the input (id cfg-<name>) and press
 * Enter, which fires `change`. Waits until the panel shows the value as "set by you".
 */
export async function setSetting(page, name, value) {
  const id = `#cfg-${name.replaceAll('.', '-')}`;
  const input = page.locator(id);
  await input.fill(value);
  await input.press('Enter');
  const item = page.getByRole('listitem').filter({ has: page.locator(id) });
  await item.getByText('set by you').waitFor();
  assert.equal(await input.getAttribute('aria-invalid'), 'false', `${name}=${value} accepted`);
  assert.equal(await input.inputValue(), value);
}

/**
 * The event log's lines (without the time column) whose text contains `filter`, read through
 * the log's own filter box (the log is virtualised, so only a window of rows is in the DOM).
 */
export async function logLines(page, filter) {
  const box = page.getByLabel('Filter the event log');
  await box.fill(filter);
  const log = page.getByRole('log', { name: 'Event log' });
  const needle = filter.toLowerCase();
  let lines = [];
  for (let i = 0; i < 50; i++) {
    lines = await log.locator('.entry .what').allTextContents();
    if (lines.every((l) => l.toLowerCase().includes(needle))) break;
    await page.waitForTimeout(20);
  }
  await box.fill('');
  assert.ok(lines.every((l) => l.toLowerCase().includes(needle)), `log filtered by "${filter}"`);
  return lines;
}

/** The broker whose replica of `topic-partition` the cluster panel marks as leader. */
export async function leaderOf(page, topic, partition) {
  for (const article of await page.getByRole('article', { name: /^Broker \d+$/ }).all()) {
    const replica = article.getByRole('listitem').filter({ hasText: new RegExp(`^${topic}-${partition} `) });
    if (await replica.count() && / leader/.test(await replica.textContent())) { // "payments-1 leaderLEO 0 HW 0 ISR"
      return Number((await article.getAttribute('aria-label')).match(/\d+/)[0]);
    }
  }
  return null;
}

/** The cluster panel's line for broker `b`'s replica of `topic-partition`. */
export function replicaItem(page, broker, topic, partition) {
  return page.getByRole('article', { name: `Broker ${broker}` }).getByRole('listitem')
    .filter({ hasText: new RegExp(`^${topic}-${partition} `) });
}

/**
 * Rows of a partition log table (header row left out): offset, key, value, the line under the
 * value ("timestamp … · headers: …"), whether it is committed, and the batch link's text.
 */
export async function logTable(page, topic, partition) {
  const table = page.getByRole('table', { name: `${topic}-${partition} log` });
  const rows = await table.locator('tbody tr').all();
  const out = [];
  for (const r of rows) {
    const cells = r.getByRole('cell');
    out.push({
      offset: Number((await cells.nth(0).textContent()).trim()),
      key: (await cells.nth(1).textContent()).trim(),
      value: (await cells.nth(2).locator('.clamp').textContent()).trim(),
      meta: (await cells.nth(2).locator('.meta').textContent()).trim(),
      committed: (await cells.nth(2).locator('.uncommitted').count()) === 0,
      batch: (await cells.nth(3).textContent()).trim(),
    });
  }
  return out;
}
