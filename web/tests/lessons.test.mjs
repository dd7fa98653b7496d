// Every lesson, followed in the browser as a learner does: open it by its link, press "Do it for
// me" (the lesson's "try this" step), let the simulation run, and see the simulator's check pass.
import assert from 'node:assert/strict';

const LESSONS = [
  'events-vs-commands', 'anatomy-of-an-event', 'topics-and-partitions', 'async-vs-sync',
  'delivery-callbacks', 'client-id', 'retries-and-idempotence', 'acks-and-leader-crash',
  'batching', 'compression', 'retention', 'serialization',
];

export const tests = Object.fromEntries(LESSONS.map((id) => [`lesson ${id}: try this, then the check passes`, async ({ page, baseUrl }) => {
  await page.goto(`${baseUrl}?lesson=${id}&autoplay=0`);
  const panel = page.getByRole('region', { name: 'Lessons' });
  const status = panel.getByRole('status');
  await status.waitFor();
  assert.match(await status.textContent(), /Not yet/, 'the untouched preset does not pass');
  // A stepper: the text first, then the "try this" step.
  await panel.getByRole('button', { name: 'Next: try it' }).click();
  await panel.getByRole('button', { name: 'Do it for me' }).click();
  await page.getByLabel('Speed').selectOption({ label: '100×' });
  await page.getByRole('button', { name: 'Play' }).click();
  await panel.getByText('Check passed').waitFor({ timeout: 30000 });
}]));
