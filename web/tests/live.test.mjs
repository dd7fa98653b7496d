// The live view and the sequence diagram (issue 10), as a learner sees them: every name and
// number asserted is read from the page, which draws only what the simulation's view says.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTopic, produce, crc32Partition } from './helpers.mjs';
import { playback, openPaused, setSetting } from './learner-steps.mjs';

const LECTURE_VALUE = 'Made a payment of $200 to Bob';
const live = (page) => page.getByRole('figure', { name: /^Live view/ });
const sequence = (page) => page.getByRole('figure', { name: /^Sequence diagram/ });
const step = (page) => playback(page).getByRole('button', { name: 'Step', exact: true }).click();

export const tests = {
  async 'screens: live view while requests fly'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3);
    await setSetting(page, 'queue.buffering.max.ms', '60000');
    for (let i = 0; i < 3; i++) await produce(page, 'Alice', `${LECTURE_VALUE} #${i}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(outDir, 'live-open-batch.png') });
    await page.getByRole('form', { name: 'Produce an event' }).getByRole('button', { name: 'flush()' }).click();
    await step(page);
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-request.png') });
    for (let i = 0; i < 4; i++) await step(page);
    await page.screenshot({ path: join(outDir, 'live-response.png'), fullPage: true });
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.screenshot({ path: join(outDir, 'live-dark.png') });
  },
};
