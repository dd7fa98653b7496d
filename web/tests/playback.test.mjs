// Playing at full speed, the page refreshes panel by panel within each frame's budget
// (src/frame_budget.rs). What a learner must still see: every panel keeps moving while it
// plays, every panel shows the same moment once paused, and a setting typed while it plays is
// not overwritten before Enter. The numbers compared come from the page only.
import assert from 'node:assert/strict';
import { createTopic, produce, crc32Partition, logRow } from './helpers.mjs';
import { openPaused, playback, replicaItem, leaderOf, virtualTimeUs } from './learner-steps.mjs';

/** "HW h · LEO l" from the partition log's heading line, as numbers. */
async function logHead(page, topic, partition) {
  const head = page.locator('.partition-head').filter({ hasText: new RegExp(`^${topic}-${partition}`) });
  const [, hw, leo] = (await head.locator('.mono', { hasText: /^HW / }).textContent()).match(/HW (\d+) · LEO (\d+)/);
  return { hw: Number(hw), leo: Number(leo) };
}

/** "LEO l HW h" of the leader's replica in the cluster panel. */
async function clusterLeader(page, topic, partition) {
  const broker = await leaderOf(page, topic, partition);
  const text = await replicaItem(page, broker, topic, partition).locator('.mono').textContent();
  const [, leo, hw] = text.match(/LEO (\d+) HW (\d+)/);
  return { hw: Number(hw), leo: Number(leo) };
}

/** A fresh page with one topic, the generator producing `rate` events/s, playing at `speed`. */
async function playGenerator(page, baseUrl, topic, partitions, rate, speed = '1× real time', count = rate * 60) {
  await openPaused(page, baseUrl);
  await createTopic(page, topic, partitions, 3);
  await page.getByText('Produce many events', { exact: true }).click();
  const gen = page.getByRole('form', { name: 'Produce many events' });
  await gen.getByLabel('Topic', { exact: true }).selectOption(topic);
  await gen.getByLabel('Count').fill(String(count));
  await gen.getByLabel('Rate (events/s)').fill(String(rate));
  await gen.getByRole('button', { name: 'Start producing' }).click();
  await page.getByLabel('Speed').selectOption({ label: speed });
  await playback(page).getByRole('button', { name: 'Play' }).click();
}

export const tests = {
  async 'at 10,000 events/s every panel keeps moving, and once paused all panels show the same moment'({ page, baseUrl }) {
    await playGenerator(page, baseUrl, 'bench', 4, 10000);
    await page.waitForTimeout(1500);
    const early = await Promise.all([0, 1, 2, 3].map((p) => logHead(page, 'bench', p)));
    await page.waitForTimeout(1500);
    const later = await Promise.all([0, 1, 2, 3].map((p) => logHead(page, 'bench', p)));
    for (let p = 0; p < 4; p++) {
      assert.ok(later[p].leo > early[p].leo, `bench-${p}'s log keeps growing while playing: ${early[p].leo} → ${later[p].leo}`);
    }

    await playback(page).getByRole('button', { name: 'Pause' }).click();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor();
    const t = await virtualTimeUs(page);
    assert.ok(t > 1_000_000, `at least a second of virtual time played: ${t} µs`);
    for (let p = 0; p < 4; p++) {
      const log = await logHead(page, 'bench', p);
      const cluster = await clusterLeader(page, 'bench', p);
      assert.deepEqual(log, cluster, `bench-${p}: the partition log and the cluster panel agree once paused`);
      assert.ok(log.leo > 0, `bench-${p} holds records`);
    }
    // The event log shows entries up to the moment the clock shows, not an older window.
    const times = (await page.getByRole('log', { name: 'Event log' }).locator('.entry .t').allTextContents())
      .map((s) => Number(s.replace(' ms', '')) * 1000);
    assert.ok(times.length > 0 && times.every((x) => x <= t), 'no event-log entry after the clock');
    assert.ok(Math.max(...times) > t - 5000, `the newest entry is within 5 ms of the clock (${Math.max(...times)} vs ${t})`);
  },

  async 'a producer setting typed while playing is kept until Enter'({ page, baseUrl }) {
    await playGenerator(page, baseUrl, 'payments', 3, 2000);
    const input = page.locator('#cfg-queue-buffering-max-ms'); // shown as linger.ms
    await input.fill('250');
    await page.waitForTimeout(1000); // about 60 frames of playing
    assert.equal(await input.inputValue(), '250', 'the typed text survives the refreshes');
    await input.press('Enter');
    await page.getByRole('listitem').filter({ has: input }).getByText('set by you').waitFor();
  },

  async 'an event produced while playing is in the link once paused, and the link replays it'({ page, baseUrl }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3);
    await page.getByLabel('Speed').selectOption({ label: '1/10×' });
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await produce(page, 'Alice', 'Made a payment of $200 to Bob', 'payments');
    await page.waitForTimeout(300);
    await playback(page).getByRole('button', { name: 'Pause' }).click();
    const link = page.url();
    assert.match(link, /#s=1\./, 'the address bar holds a share link');
    const p = crc32Partition('Alice', 3);

    const fresh = await page.context().newPage();
    await fresh.goto(link);
    await fresh.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
    // The link opens paused at the moment it was taken; playing on delivers the event.
    await fresh.getByRole('toolbar', { name: 'Playback' }).getByRole('button', { name: 'Play' }).click();
    await logRow(fresh, 'payments', p, 'Made a payment of $200 to Bob').waitFor({ timeout: 15000 });
    await fresh.close();
  },

  async 'at 100× with 10,000 events/s the page says the simulation runs slower than chosen'({ page, baseUrl }) {
    await playGenerator(page, baseUrl, 'bench', 6, 10000, '100×', 3_000_000);
    const toolbar = playback(page);
    const pill = toolbar.getByText(/^running at [\d/.]+×$/);
    await pill.waitFor({ timeout: 10000 });
    const achieved = (await pill.textContent()).match(/running at ([\d/.]+)×/)[1];
    assert.ok(!achieved.includes('/') && Number(achieved) < 80, `achieved speed ${achieved}× is below the chosen 100×`);
    // Virtual time really moves at about that speed: a second of real time is far less than 100 s.
    const t0 = await virtualTimeUs(page);
    await page.waitForTimeout(1000);
    const t1 = await virtualTimeUs(page);
    assert.ok(t1 > t0 && t1 - t0 < 80_000_000, `virtual time advanced ${(t1 - t0) / 1e6} s in 1 s`);
    await toolbar.getByRole('button', { name: 'Pause' }).click();
    await pill.waitFor({ state: 'detached' });
  },

  async 'a link opened while playing shows its own scenario in every panel once it pauses'({ page, baseUrl }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'alpha', 2, 3);
    const link = new URL(page.url()).hash;
    assert.match(link, /^#s=1\./);

    await playGenerator(page, baseUrl, 'beta', 5, 2000);
    await page.locator('.partition-head').filter({ hasText: /^beta-4/ }).waitFor();
    await page.evaluate((hash) => { window.location.hash = hash; }, link);
    await playback(page).getByRole('button', { name: 'Play' }).waitFor();
    const heads = await page.locator('.partition-head strong').allTextContents();
    // The link's scenario: the default topic payments and the alpha it created (no beta).
    assert.deepEqual(heads, ['payments-0', 'payments-1', 'payments-2', 'alpha-0', 'alpha-1'], 'the partition logs are the link\'s');
    const replicas = await page.getByRole('article', { name: 'Broker 1' }).getByRole('listitem').allTextContents();
    assert.ok(replicas.length > 0 && replicas.every((r) => r.startsWith('alpha-') || r.startsWith('payments-')), `the cluster panel is the link's: ${replicas}`);
    const topics = await page.getByRole('form', { name: 'Produce an event' }).getByLabel('Topic', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(topics, ['payments', 'alpha']);
  },
};
