// Share links, bad links, lessons and the embed page, as a learner and a course author use them.
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createTopic, produce, logRow, crc32Partition } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function pauseAndHash(page) {
  const pause = page.getByRole('button', { name: 'Pause' });
  if (await pause.count()) await pause.click();
  const hash = page.locator('.log-hash');
  await hash.waitFor();
  const clock = (await page.locator('.clock').first().textContent()).match(/t = [\d.]+ ms/)[0];
  return { hash: await hash.textContent(), clock };
}

export const tests = {
  async 'a scenario file opens from the file picker and by drag and drop; a bad file changes nothing'({ page, baseUrl }) {
    const file = join(root, 'examples', 'lost-ack-duplicate.json');
    await page.goto(baseUrl);
    await page.getByLabel('Open scenario file').setInputFiles(file);
    await page.getByRole('table', { name: /^events-0 log$/ }).waitFor({ timeout: 15000 });
    // Drop the same file's text as a different name onto a fresh page.
    await page.goto(baseUrl);
    const text = await readFile(file, 'utf8');
    const dt = await page.evaluateHandle((t) => {
      const d = new DataTransfer();
      d.items.add(new File([t], 'scenario.json', { type: 'application/json' }));
      return d;
    }, text);
    await page.locator('main').dispatchEvent('drop', { dataTransfer: dt });
    await page.getByRole('table', { name: /^events-0 log$/ }).waitFor({ timeout: 15000 });
    // Not a scenario: a banner, and the open scenario stays.
    await page.getByLabel('Open scenario file').setInputFiles({ name: 'x.json', mimeType: 'application/json', buffer: Buffer.from('{"seed": "not a number"}') });
    await page.getByRole('alert').filter({ hasText: 'not a playground scenario' }).waitFor();
    assert.equal(await page.getByRole('table', { name: /^events-0 log$/ }).count(), 1);
  },


  async 'a fatal producer error is said plainly, nothing panics, and Reset makes a new producer'({ page, baseUrl }) {
    // OUT_OF_ORDER_SEQUENCE_NUMBER on the head-of-line batch is fatal in librdkafka
    // (rd_kafka_idemp_check_error); the same scenario the differential harness runs on the mock.
    const file = join(root, 'tests', 'oracle', 'differential', 'idempotent-oosn-head-of-line.json');
    await page.goto(baseUrl);
    await page.getByLabel('Open scenario file').setInputFiles(file);
    const fatal = page.getByRole('alert').filter({ hasText: 'Fatal producer error' });
    await fatal.waitFor({ timeout: 20000 });
    assert.match(await fatal.textContent(), /OUT_OF_ORDER_SEQUENCE_NUMBER/);
    assert.match(await fatal.textContent(), /_FATAL/);
    assert.equal(await page.getByText('The playground stopped').count(), 0, 'no panic banner');
    await page.getByRole('button', { name: 'Reset', exact: true }).click();
    await fatal.waitFor({ state: 'detached', timeout: 10000 });
    await createTopic(page, 'after', 1, 1);
    await produce(page, 'k', 'delivered by the new producer', 'after');
    await logRow(page, 'after', 0, 'delivered by the new producer').waitFor({ timeout: 15000 });
  },

  async 'a shared link reproduces the same event log after a reload'({ page, context, baseUrl }) {
    await page.goto(baseUrl);
    await createTopic(page, 'payments', 3, 3);
    await produce(page, 'Alice', 'Made a payment of $200 to Bob');
    await produce(page, 'Bob', 'Made a payment of $15 to Carol');
    await logRow(page, 'payments', crc32Partition('Bob', 3), 'Carol').waitFor({ timeout: 15000 });
    const before = await pauseAndHash(page);
    const url = page.url();
    assert.match(url, /#s=1\./, 'the scenario is in the fragment');
    const other = await context.newPage();
    await other.goto(url);
    const after = await pauseAndHash(other);
    assert.equal(after.clock, before.clock, 'the link opens at the moment it was shared');
    assert.equal(after.hash, before.hash, 'same scenario ⇒ same log hash');
    await logRow(other, 'payments', crc32Partition('Alice', 3), 'Made a payment of $200 to Bob').waitFor();
  },

  async 'malformed and hostile links show a banner and open the default scenario'({ page, baseUrl }) {
    for (const [fragment, message] of [
      ['s=1.!!!notbase64', /damaged|base64/i],
      ['s=1.AAAA', /damaged|decompress/i],
      ['s=99.eJwDAAAAAAE', /newer/i],
      ['s=abc', /version|damaged/i],
    ]) {
      await page.goto(`${baseUrl}#${fragment}`);
      const banner = page.getByRole('alert').filter({ hasText: 'Not opened' });
      await banner.waitFor();
      assert.match(await banner.textContent(), message, fragment);
      await page.getByRole('heading', { name: 'Partition logs' }).waitFor();
    }
    // A link whose strings carry markup shows them as text, never as HTML.
    await page.goto(baseUrl);
    await createTopic(page, 'xss', 1, 1);
    await produce(page, '<img src=x onerror=alert(1)>', '<script>window.pwned=1</script>', 'xss');
    await logRow(page, 'xss', 0, '<script>').waitFor({ timeout: 15000 });
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.equal(await page.locator('main img').count(), 0);
  },

  async 'the embed page runs two lessons independently and resizes them'({ page, baseUrl, outDir }) {
    await page.goto(`${baseUrl}embed.html`);
    const frames = ['batching', 'compression'];
    for (const id of frames) {
      await page.waitForFunction((id) => document.getElementById(id).dataset.ready === '1', id, { timeout: 20000 });
    }
    // Each frame reported its own height, and the page applied it.
    await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.style.height && f.style.height !== '640px'), null, { timeout: 10000 });
    const a = page.frameLocator('#batching');
    const b = page.frameLocator('#compression');
    await a.getByRole('heading', { name: /Batching/ }).waitFor();
    await b.getByRole('heading', { name: /Compression/ }).waitFor();
    // Pause only the first; the second keeps running.
    await page.locator('button[data-frame="batching"][data-command="pause"]').click();
    await page.locator('button[data-frame="compression"][data-command="play"]').click();
    const clock = (f) => f.locator('.clock').first().textContent();
    const a1 = await clock(a);
    const b1 = await clock(b);
    await page.waitForTimeout(800);
    assert.equal(await clock(a), a1, 'the paused frame stays still');
    assert.notEqual(await clock(b), b1, 'the other frame runs');
    // A message from a sibling frame (not the embedding page) is ignored.
    await page.evaluate(() => document.getElementById('batching').contentWindow.parent.frames[1]);
    const frameA = page.frames().find((f) => f.url().includes('lesson=batching'));
    await frameA.evaluate(() => window.parent.frames[1].postMessage({ command: 'pause' }, '*'));
    const b2 = await clock(b);
    await page.waitForTimeout(800);
    assert.notEqual(await clock(b), b2, 'a sibling cannot pause another embed');
    await page.screenshot({ path: join(outDir, 'embed-page.png'), fullPage: true });
  },
};
