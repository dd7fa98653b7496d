// Steps a learner takes, shared by the browser tests.
import { crc32 } from 'node:zlib';

/** librdkafka's consistent_random for a non-empty key, computed with Node's zlib (not our code). */
export function crc32Partition(key, partitions) {
  return crc32(Buffer.from(key)) % partitions;
}

/**
 * Creates a topic through the form. The default scenario already has the lecture's `payments`
 * (3 partitions, RF 3): asking for that one again leaves it as it is.
 */
export async function createTopic(page, name, partitions = 3, rf = 3) {
  const existing = page.getByRole('form', { name: 'Produce an event' }).getByLabel('Topic', { exact: true }).locator('option', { hasText: new RegExp(`^${name}$`) });
  if (name === 'payments' && partitions === 3 && rf === 3 && await existing.count()) return;
  const form = page.getByRole('form', { name: 'Create a topic' });
  await form.getByLabel('Topic name').fill(name);
  await form.getByLabel('Partitions').fill(String(partitions));
  await form.getByLabel('Replication factor').fill(String(rf));
  await form.getByRole('button', { name: 'Create topic' }).click();
  await page.getByText(`topic ${name} created`).first().waitFor();
}

export async function produce(page, key, value, topic) {
  const form = page.getByRole('form', { name: 'Produce an event' });
  if (topic) await form.getByLabel('Topic', { exact: true }).selectOption(topic);
  await form.getByLabel('Key').fill(key);
  await form.getByLabel('Value').fill(value);
  await form.getByRole('button', { name: 'Produce', exact: true }).click();
}

/** The table row of a partition log holding `text`. */
export function logRow(page, topic, partition, text) {
  return page.getByRole('table', { name: `${topic}-${partition} log` }).getByRole('row').filter({ hasText: text });
}

export async function setSpeed(page, label) {
  await page.getByLabel('Speed').selectOption({ label });
}

export async function pause(page) {
  const b = page.getByRole('button', { name: 'Pause' });
  if (await b.count()) await b.click();
}
