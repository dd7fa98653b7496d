// The first slice, as a learner does it: create a topic, produce the lecture's event, find it at
// offset 0 in the partition the key maps to. The expected partition is computed here with Node's
// own zlib CRC-32 (librdkafka's consistent_random partitioner is crc32(key) % partitions), not
// with any of the playground's code.
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import assert from 'node:assert/strict';

export const tests = {
  async 'produce the lecture event and see it at offset 0 in the crc32 partition'({ page, baseUrl, outDir }) {
    await page.goto(baseUrl);
    await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();

    const create = page.getByRole('form', { name: 'Create a topic' });
    await create.getByLabel('Topic name').fill('payments');
    await create.getByLabel('Partitions').fill('3');
    await create.getByLabel('Replication factor').fill('3');
    await create.getByRole('button', { name: 'Create topic' }).click();

    const produce = page.getByRole('form', { name: 'Produce an event' });
    await produce.getByLabel('Topic', { exact: true }).selectOption('payments');
    await produce.getByLabel('Key').fill('Alice');
    await produce.getByLabel('Value').fill('Made a payment of $200 to Bob');
    await produce.getByLabel('Headers').fill('source=web');
    await produce.getByRole('button', { name: 'Produce', exact: true }).click();

    const partition = crc32(Buffer.from('Alice')) % 3;
    const log = page.getByRole('table', { name: `payments-${partition} log` });
    const row = log.getByRole('row').filter({ hasText: 'Made a payment of $200 to Bob' });
    await row.waitFor({ timeout: 15000 });
    assert.equal((await row.getByRole('cell').first().textContent()).trim(), '0', 'offset 0');
    assert.match(await row.textContent(), /Alice/);
    // The event's timestamp (epoch ms, CreateTime) and header as the stored batch holds them.
    assert.match((await row.locator('.meta').textContent()).trim(), /^timestamp \d{13} · headers: source=web$/);

    // The other partitions stay empty.
    for (let p = 0; p < 3; p++) {
      if (p === partition) continue;
      const other = page.getByRole('table', { name: `payments-${p} log` });
      assert.equal(await other.getByRole('row').filter({ hasText: 'Alice' }).count(), 0, `partition ${p} is empty`);
    }
    await page.screenshot({ path: join(outDir, 'slice-desktop-light.png'), fullPage: true });
  },

  async 'invalid topic input is reported next to the field and changes nothing'({ page, baseUrl }) {
    await page.goto(baseUrl);
    const create = page.getByRole('form', { name: 'Create a topic' });
    for (const [name, partitions, rf, field, message] of [
      ['', '3', '3', 'Topic name', /empty/i],
      ['..', '3', '3', 'Topic name', /\.\./],
      ['bad name!', '3', '3', 'Topic name', /alphanumerics/],
      ['ok', '0', '3', 'Partitions', /INVALID_PARTITIONS/],
      ['ok', '3', '4', 'Replication factor', /INVALID_REPLICATION_FACTOR/],
    ]) {
      await create.getByLabel('Topic name').fill(name);
      await create.getByLabel('Partitions').fill(partitions);
      await create.getByLabel('Replication factor').fill(rf);
      await create.getByRole('button', { name: 'Create topic' }).click();
      const input = create.getByLabel(field);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `${field} marked invalid for ${name}/${partitions}/${rf}`);
      const describedBy = await input.getAttribute('aria-describedby');
      assert.match(await page.locator(`#${describedBy}`).textContent(), message);
    }
    assert.equal(await page.getByRole('table').count(), 0, 'no topic was created');
  },
};
