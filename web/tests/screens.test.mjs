// Screenshots of the main states in light and dark, desktop and phone, for a person to look at,
// with assertions on what each state must show.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTopic, produce, logRow, crc32Partition } from './helpers.mjs';

async function busyState(page, baseUrl) {
  await page.goto(baseUrl);
  await createTopic(page, 'payments', 3, 3);
  for (const [k, v] of [['Alice', 'Made a payment of $200 to Bob'], ['Bob', 'Made a payment of $15 to Carol'], ['Carol', '{"amount": 42, "currency": "EUR"}']]) {
    await produce(page, k, v);
  }
  await logRow(page, 'payments', crc32Partition('Carol', 3), 'EUR').waitFor({ timeout: 15000 });
}

export const tests = {
  async 'desktop light and dark: producer, cluster, logs, inspector'({ page, baseUrl, outDir }) {
    await busyState(page, baseUrl);
    const p = crc32Partition('Alice', 3);
    await page.getByRole('button', { name: `Inspect batch 0 of payments-${p}` }).click();
    const inspector = page.getByRole('region', { name: /Batch #0 of payments/ });
    await inspector.waitFor();
    // The hex view shows the real bytes: a v2 batch's magic byte (offset 16) is 02.
    const fields = inspector.getByRole('table', { name: 'Batch fields' });
    assert.match(await fields.getByRole('row').filter({ hasText: 'magic' }).textContent(), /2/);
    assert.match(await inspector.textContent(), /CRC-32C valid/);
    await page.screenshot({ path: join(outDir, 'desktop-light.png'), fullPage: true });
    await inspector.getByRole('table', { name: 'Codec comparison' }).screenshot({ path: join(outDir, 'desktop-codecs-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(outDir, 'desktop-dark.png'), fullPage: true });
  },

  async 'phone: panels stack and nothing overflows sideways'({ page, baseUrl, outDir }) {
    await page.setViewportSize({ width: 360, height: 780 });
    await busyState(page, baseUrl);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await page.screenshot({ path: join(outDir, 'phone-light.png'), fullPage: true });
    // The partition logs alone, at a size a person can read: fixed columns must fit 360 px.
    const logs = page.getByRole('region', { name: 'Partition logs' });
    await logs.screenshot({ path: join(outDir, 'phone-logs-light.png') });
    const logsOverflow = await logs.evaluate((s) => s.scrollWidth - s.clientWidth);
    assert.ok(logsOverflow <= 0, `the partition logs scroll sideways by ${logsOverflow}px`);
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(outDir, 'phone-dark.png'), fullPage: false });
  },
};
