// The live view and the sequence diagram (issue 10), as a learner sees them. Every name and
// number asserted is read from the page, which draws only what the simulation's view says;
// the expected partition comes from Node's own crc32. Virtual time moves only through Step,
// so each test is deterministic.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTopic, produce, crc32Partition } from './helpers.mjs';
import { playback, openPaused, setSetting, leaderOf, virtualTimeUs } from './learner-steps.mjs';

const LECTURE_VALUE = 'Made a payment of $200 to Bob';
const live = (page) => page.getByRole('figure', { name: /^Live view/ });
const sequence = (page) => page.getByRole('figure', { name: /^Sequence diagram/ });
const step = (page) => playback(page).getByRole('button', { name: 'Step', exact: true }).click();
const flush = (page) => page.getByRole('form', { name: 'Produce an event' }).getByRole('button', { name: 'flush()' }).click();

/** Steps until `locator` exists (at most `max` events). */
async function stepUntil(page, locator, max = 60) {
  for (let i = 0; i < max; i++) {
    if (await locator.count()) return;
    await step(page);
  }
  assert.fail(`not drawn within ${max} events: ${locator}`);
}

/** The x of a drawn message (its first shape). */
async function xOf(locator) {
  const el = locator.locator('rect, circle').first();
  return Number(await el.getAttribute('x') ?? await el.getAttribute('cx'));
}

async function eventsProcessed(page) {
  return Number((await playback(page).locator('.events').textContent()).match(/(\d+) events/)[1]);
}

async function lingerSetup(page, baseUrl) {
  await openPaused(page, baseUrl);
  await setSetting(page, 'queue.buffering.max.ms', '60000'); // shown as linger.ms
  await createTopic(page, 'payments', 3, 3);
  for (let i = 0; i < 3; i++) await produce(page, 'Alice', `${LECTURE_VALUE} #${i}`);
  return crc32Partition('Alice', 3);
}

export const tests = {
  async 'linger.ms 60000 and three produces: the live view names the open batch; flush() sends a packet, its response follows, the sequence diagram has the arrow'({ page, baseUrl, outDir }) {
    const p = await lingerSetup(page, baseUrl);
    const open = live(page).getByRole('img', { name: new RegExp(`^open batch payments-${p}: 3 records, \\d+ B, linger \\d+ ms left$`) });
    await open.waitFor();
    const leader = await leaderOf(page, 'payments', p);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-open-batch.png') });

    await flush(page);
    const request = live(page).getByRole('button', { name: new RegExp(`^ProduceRequest #\\d+ → broker ${leader}: \\d+ B, none`) });
    await request.waitFor();
    assert.equal(await open.count(), 0, 'the batch left the accumulator');
    await step(page);
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-request.png') });
    const response = live(page).getByRole('button', { name: new RegExp(`^ProduceResponse #\\d+ → producer from broker ${leader}`) });
    await stepUntil(page, response);
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-response.png') });
    await step(page);
    await sequence(page).getByRole('button', { name: new RegExp(`^ProduceRequest #\\d+ → broker ${leader}`) }).waitFor();
    await sequence(page).getByRole('button', { name: /^ProduceResponse #\d+ → producer/ }).waitFor();
    await sequence(page).getByRole('img', { name: `produce() to payments-${p}` }).first().waitFor();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-response-dark.png') });
  },

  async 'clicking a packet on the wire opens the inspector on its real bytes'({ page }) {
    const p = await lingerSetup(page, arguments[0].baseUrl);
    await flush(page);
    const request = live(page).getByRole('button', { name: /^ProduceRequest #\d+ → broker/ });
    await request.click();
    const inspector = page.getByRole('region', { name: new RegExp(`Batch of payments-${p} in ProduceRequest #\\d+`) });
    await inspector.waitFor();
    assert.match(await inspector.textContent(), /CRC-32C valid/);
    assert.match(await inspector.textContent(), /3 record\(s\)/);
  },

  async 'lose the next ack: the response vanishes with a mark and the retry arrow follows; crash the leader: it is drawn down'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await setSetting(page, 'socket.timeout.ms', '1000');
    await createTopic(page, 'payments', 3, 3);
    const p = crc32Partition('Alice', 3);
    const leader = await leaderOf(page, 'payments', p);
    await page.getByRole('group', { name: `Broker ${leader}` }).getByRole('button', { name: 'Lose next ack' }).click();
    await produce(page, 'Alice', LECTURE_VALUE);
    await flush(page);
    const lost = live(page).getByRole('button', { name: /^ProduceResponse #\d+ → producer from broker \d+, lost on the way$/ });
    await stepUntil(page, lost);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-lost-ack.png') });
    assert.equal(await lost.locator('line').count(), 2, 'a cross marks where it vanished');
    // The request times out after socket.timeout.ms and goes again: the retry's arrow follows.
    const firstReq = Number((await sequence(page).getByRole('button', { name: /^ProduceRequest #\d+/ }).first().getAttribute('aria-label')).match(/#(\d+)/)[1]);
    await playback(page).getByRole('button', { name: 'Next report' }).click();
    await sequence(page).getByRole('button', { name: new RegExp(`^ProduceRequest #${firstReq + 1} → broker ${leader}`) }).waitFor({ state: 'attached' });

    // Crash the leader: it is drawn down, and the next event's request goes to the new leader.
    await page.getByRole('group', { name: `Broker ${leader}` }).getByRole('button', { name: 'Crash' }).click();
    await live(page).getByRole('img', { name: `Broker ${leader}: down (crashed)`, exact: true }).waitFor();
    await live(page).getByRole('img', { name: `link producer – broker ${leader}: down (crashed)` }).waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-crashed-now.png') });
    await produce(page, 'Alice', `${LECTURE_VALUE} again`);
    await flush(page);
    await playback(page).getByRole('button', { name: 'Next report' }).click();
    const newLeader = await leaderOf(page, 'payments', p);
    assert.ok(newLeader && newLeader !== leader, `a new leader: ${newLeader}`);
    await sequence(page).getByRole('button', { name: new RegExp(`^ProduceRequest #\\d+ → broker ${newLeader}`) }).first().waitFor({ state: 'attached' });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-crashed.png') });
  },

  async 'paused, the picture stands still; Step moves one event; Back moves the packet back'({ page, baseUrl }) {
    await lingerSetup(page, baseUrl);
    await flush(page);
    const request = live(page).getByRole('button', { name: /^ProduceRequest #\d+ → broker/ });
    await request.waitFor();
    const a = await live(page).screenshot();
    await page.waitForTimeout(1000);
    const b = await live(page).screenshot();
    assert.ok(a.equals(b), 'two screenshots a second apart are identical');

    const x0 = await xOf(request);
    const e0 = await eventsProcessed(page);
    const t0 = await virtualTimeUs(page);
    // Step: exactly one event (here the request reaching the leader: it leaves the wire).
    await step(page);
    assert.equal(await eventsProcessed(page), e0 + 1, 'exactly one event');
    const t1 = await virtualTimeUs(page);
    assert.ok(t1 > t0);
    await request.waitFor({ state: 'detached' });
    // Rewind to the moment before: the packet is back on the wire where it was.
    await playback(page).getByRole('slider', { name: 'Virtual time' }).fill(String(t0));
    await request.waitFor();
    assert.equal(await virtualTimeUs(page), t0);
    assert.equal(await xOf(request), x0, 'the same place at the same virtual time');
    // Half way through its flight it is drawn half way: a pure function of virtual time.
    await playback(page).getByRole('slider', { name: 'Virtual time' }).fill(String(Math.round((t0 + t1) / 2)));
    const xMid = await xOf(request);
    assert.ok(xMid > x0, `moved forward: ${x0} → ${xMid}`);
  },

  async 'reduced motion: nothing in the drawings has a transition or animation'({ page, baseUrl }) {
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(baseUrl);
    await live(page).waitFor();
    // Reduced motion opens paused (no autoplay).
    await playback(page).getByRole('button', { name: 'Play' }).waitFor();
    const moving = await page.evaluate(() => [...document.querySelectorAll('.scene *')].filter((e) => {
      const s = getComputedStyle(e);
      return (s.transitionDuration !== '0s' && s.transitionProperty !== 'none') || s.animationName !== 'none';
    }).length);
    assert.equal(moving, 0);
  },

  async 'phone: the live view stacks the producer above the brokers and the scrubber keeps its length'({ page, baseUrl, outDir }) {
    await page.setViewportSize({ width: 390, height: 844 });
    await lingerSetup(page, baseUrl);
    await flush(page);
    await step(page);
    const box = await live(page).boundingBox();
    assert.ok(box.width <= 390, `${box.width}`);
    const scrubber = await page.getByRole('slider', { name: 'Virtual time' }).boundingBox();
    assert.ok(scrubber.width >= 200, `the scrubber is ${scrubber.width}px wide`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `page scrolls sideways by ${overflow}px`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(outDir, 'live-phone.png') });
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-phone-stage.png') });
    // The sequence diagram scrolls sideways in its own box, opened at "now" (the right end).
    const scroll = await page.locator('.seq-scroll').evaluate((e) => ({ left: e.scrollLeft, max: e.scrollWidth - e.clientWidth }));
    assert.ok(scroll.max > 0 && scroll.left >= scroll.max - 2, `scrolled to ${scroll.left} of ${scroll.max}`);
  },
};

export const firstMinute = {
  async 'fresh page: Produce at once puts the lecture event at offset 0 of its crc32 partition, no topic to create'({ page, baseUrl }) {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.goto(baseUrl);
    const produceButton = page.getByRole('form', { name: 'Produce an event' }).getByRole('button', { name: 'Produce', exact: true });
    await produceButton.waitFor();
    // Visible without scrolling at 1280×800: the Produce button and the live view.
    const b = await produceButton.boundingBox();
    assert.ok(b.y + b.height <= 800, `the Produce button ends at ${b.y + b.height}px`);
    const lv = await live(page).boundingBox();
    assert.ok(lv.y + lv.height / 2 <= 800, `the live view starts at ${lv.y}px`);
    await page.getByRole('note', { name: 'Where to start' }).waitFor();
    await page.screenshot({ path: join(arguments[0].outDir, 'first-minute-1280x800.png') });
    const key = await page.getByRole('form', { name: 'Produce an event' }).getByLabel('Key').inputValue();
    const value = await page.getByRole('form', { name: 'Produce an event' }).getByLabel('Value').inputValue();
    assert.equal(key, 'Alice');
    await produceButton.click();
    const p = crc32Partition(key, 3);
    const row = page.getByRole('table', { name: `payments-${p} log` }).getByRole('row').filter({ hasText: value });
    await row.waitFor({ timeout: 15000 });
    assert.equal((await row.getByRole('cell').first().textContent()).trim(), '0');
    assert.equal(await page.getByText('Create a topic first.').count(), 0);
  },

  async 'the first-visit hint can be dismissed for good and never shows in an embed'({ page, baseUrl }) {
    await page.goto(baseUrl);
    const hint = page.getByRole('note', { name: 'Where to start' });
    await hint.getByRole('button', { name: 'Dismiss the hint' }).click();
    await hint.waitFor({ state: 'detached' });
    await page.reload();
    await live(page).waitFor();
    assert.equal(await hint.count(), 0, 'not back after a reload');
    const embed = await page.context().newPage();
    await embed.goto(`${baseUrl}?embed=1&lesson=compression`);
    await embed.getByRole('figure', { name: /^Live view/ }).waitFor();
    assert.equal(await embed.getByRole('note', { name: 'Where to start' }).count(), 0);
    await embed.close();
  },
};
Object.assign(tests, firstMinute);

Object.assign(tests, {
  async 'a lesson embed is compact: at most 900 px tall at 720 px wide, with the lesson and its drawing'({ page, baseUrl, outDir }) {
    await page.setViewportSize({ width: 720, height: 900 });
    await page.goto(`${baseUrl}?embed=1&lesson=batching&autoplay=0`);
    // The batching lesson is about timing: its embed draws the sequence diagram.
    await sequence(page).waitFor();
    await page.getByRole('heading', { name: /Batching/ }).waitFor();
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.screenshot({ path: join(outDir, 'embed-720.png'), fullPage: true });
    assert.ok(height <= 900, `the embed is ${height}px tall`);
  },
});

Object.assign(tests, {
  async 'busy: at 10,000 events/s the drawing aggregates and stays under its node cap; the batching lesson draws the lecture diagram'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await page.getByText('Produce many events', { exact: true }).click();
    const gen = page.getByRole('form', { name: 'Produce many events' });
    await gen.getByLabel('Count').fill('200000');
    await gen.getByLabel('Rate (events/s)').fill('10000');
    await gen.getByRole('button', { name: 'Start producing' }).click();
    await page.getByLabel('Speed').selectOption({ label: '1× real time' });
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await page.waitForTimeout(2500);
    await playback(page).getByRole('button', { name: 'Pause' }).click();
    const nodes = await live(page).locator('svg *').count();
    // live_layout::MAX_NODES (700) plus a <title>-free renderer: the cap holds in the browser.
    assert.ok(nodes <= 700, `${nodes} SVG elements`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-busy.png') });

    await page.goto(`${baseUrl}?lesson=batching`);
    await openPaused(page, `${baseUrl}?lesson=batching`);
    for (let i = 0; i < 40; i++) await step(page);
    await page.locator('.stage').screenshot({ path: join(outDir, 'live-lesson-batching.png') });
    assert.ok(await sequence(page).getByRole('img', { name: /^produce\(\) to events-0/ }).count() > 0);
  },
});
