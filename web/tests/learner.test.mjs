// What a learner does with the playground (issue 5's list), asserting what the page shows. Every
// expected number is read from the simulation's own output on the page (event log, partition
// logs, delivery reports, inspector) or computed here independently (crc32 partitioner); the
// tests never compute Kafka behaviour themselves. Virtual time only moves through Step, Next
// report or Play, so each test is deterministic.
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createTopic, produce, crc32Partition } from './helpers.mjs';
import {
  playback, openPaused, virtualTimeUs, logCount, setSetting, logLines, leaderOf, replicaItem, logTable,
} from './learner-steps.mjs';

const LECTURE_VALUE = 'Made a payment of $200 to Bob';

/** Drops the next ProduceResponse of `key`'s partition leader, produces, runs to the report. */
async function lostAckRun(page, baseUrl, idempotence) {
  await openPaused(page, baseUrl);
  // librdkafka notices a lost response only after socket.timeout.ms (60 s by default).
  await setSetting(page, 'socket.timeout.ms', '1000');
  if (idempotence) await setSetting(page, 'enable.idempotence', 'true');
  await createTopic(page, 'payments', 3, 3);
  const p = crc32Partition('Alice', 3);
  const leader = await leaderOf(page, 'payments', p);
  assert.ok(leader, `payments-${p} has a leader`);
  await page.getByRole('group', { name: `Broker ${leader}` }).getByRole('button', { name: 'Lose next ack' }).click();
  await produce(page, 'Alice', LECTURE_VALUE);
  await playback(page).getByRole('button', { name: 'Next report' }).click();
  await page.getByRole('table', { name: 'Delivery reports' }).waitFor();
  // The response was lost, the request timed out and the batch went again.
  assert.equal((await logLines(page, 'network dropped ProduceResponse')).length, 1, 'one response lost');
  assert.match((await logLines(page, 'timed out')).join('\n'), /_TIMED_OUT/);
  const retries = (await logLines(page, 'ProduceRequest #')).filter((l) => l.includes('(retry)'));
  assert.equal(retries.length, 1, 'one retry');
  assert.match(retries[0], new RegExp(`-> broker ${leader}:`));
  return { p, leader };
}

export const tests = {
  async 'linger.ms 60000: five events wait in one open batch, flush() sends them in one request'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await setSetting(page, 'queue.buffering.max.ms', '60000'); // shown as linger.ms
    await createTopic(page, 'payments', 3, 3);
    const p = crc32Partition('Alice', 3);
    for (let i = 0; i < 5; i++) await produce(page, 'Alice', `${LECTURE_VALUE} #${i}`);

    const open = page.getByRole('listitem', { name: `open batch payments-${p}` });
    await open.waitFor();
    const fill = open.getByText(/^\d+ msg · \d+ B$/);
    assert.match(await fill.textContent(), /^5 msg · /);
    assert.match(await open.textContent(), /linger ends in/);
    assert.equal(await page.getByRole('listitem', { name: /^open batch / }).count(), 1, 'one open batch');

    // Time passes (a few events: followers fetching), the batch keeps waiting for linger.ms.
    const t0 = await virtualTimeUs(page);
    for (let i = 0; i < 3; i++) await playback(page).getByRole('button', { name: 'Step', exact: true }).click();
    assert.ok(await virtualTimeUs(page) > t0, 'virtual time moved');
    assert.match(await fill.textContent(), /^5 msg · /);
    assert.deepEqual(await logLines(page, 'ProduceRequest'), [], 'nothing sent before flush()');
    await page.screenshot({ path: join(outDir, 'learner-linger-open-batch.png'), fullPage: true });

    await page.getByRole('form', { name: 'Produce an event' }).getByRole('button', { name: 'flush()' }).click();
    const sealed = await logLines(page, 'sealed');
    assert.equal(sealed.length, 1, 'one batch sealed');
    assert.match(sealed[0], new RegExp(`^payments-${p}: batch of 5 record\\(s\\) sealed \\(Flush\\)`));
    const requests = await logLines(page, 'ProduceRequest #');
    assert.equal(requests.length, 1, 'one ProduceRequest');
    assert.match(requests[0], new RegExp(`1 batch\\(es\\) \\["payments-${p}:5rec`));
    const inFlight = page.getByRole('table', { name: 'Requests in flight' });
    assert.equal(await inFlight.locator('tbody tr').count(), 1);
    assert.match(await inFlight.locator('tbody tr').textContent(), new RegExp(`payments-${p}: 5 msg`));
    assert.equal(await open.count(), 0, 'the accumulator is empty');

    await playback(page).getByRole('button', { name: 'Next report' }).click();
    await page.getByRole('table', { name: `payments-${p} log` }).waitFor();
    const rows = await logTable(page, 'payments', p);
    assert.deepEqual(rows.map((r) => r.offset), [0, 1, 2, 3, 4]);
    assert.deepEqual(rows.map((r) => r.batch), ['#0', '#0', '#0', '#0', '#0'], 'all five in batch #0');
    rows.forEach((r, i) => assert.match(r.value, new RegExp(`#${i}`)));
    assert.equal((await logLines(page, 'ProduceRequest #')).length, 1, 'still exactly one request');
    assert.match((await logLines(page, 'appended'))[0], new RegExp(`appended payments-${p} offsets 0\\.\\.4 `));
    await page.screenshot({ path: join(outDir, 'learner-linger-flushed.png'), fullPage: true });
  },

  async 'each codec: the inspector shows the stored size and codec the broker appended'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'invoices', 1, 3);
    const value = JSON.stringify(Array.from({ length: 8 }, (_, i) => ({ payment_id: i, from: 'Alice', to: 'Bob', amount_cents: 20000, currency: 'EUR', status: 'created' })));
    const sizes = {};
    let batch = 0;
    for (const codec of ['none', 'gzip', 'snappy', 'lz4', 'zstd']) {
      if (codec !== 'none') await setSetting(page, 'compression.codec', codec);
      await produce(page, 'Alice', value, 'invoices');
      await playback(page).getByRole('button', { name: 'Next report' }).click();
      // The core's numbers: "broker B appended invoices-0 offsets N..N (S B, codec)".
      const appended = (await logLines(page, `appended invoices-0 offsets ${batch}..${batch} `));
      assert.equal(appended.length, 1, `batch ${batch} appended once`);
      const [, stored, appendedCodec] = appended[0].match(/\((\d+) B, (\w+)\)/);
      assert.equal(appendedCodec, codec);
      const sealed = (await logLines(page, 'sealed')).at(-1);
      assert.match(sealed, new RegExp(`: ${stored} B on the wire \\(${codec}, records \\d+ B uncompressed\\)`));

      await page.getByRole('button', { name: `Inspect batch ${batch} of invoices-0` }).click();
      const inspector = page.getByRole('region', { name: new RegExp(`^Batch #${batch} of invoices-0 on broker \\d+$`) });
      await inspector.waitFor();
      assert.equal(await inspector.getByText(/^\d+ B stored$/).textContent(), `${stored} B stored`, `${codec}: inspector size = appended size`);
      assert.equal(await inspector.getByText(/^codec (none|gzip|snappy|lz4|zstd)$/).textContent(), `codec ${codec}`);
      await inspector.getByText('CRC-32C valid').waitFor();
      const attributes = await inspector.getByRole('table', { name: 'Batch fields' }).getByRole('row').filter({ hasText: /^attributes/ }).textContent();
      assert.match(attributes, new RegExp(`\\(${codec},`), `${codec}: attributes name the codec`);
      const compared = await inspector.getByRole('table', { name: 'Codec comparison' }).getByRole('row').filter({ hasText: '(this batch)' }).textContent();
      assert.match(compared, new RegExp(`^${codec} \\(this batch\\)${stored} B`), `${codec}: comparison row = stored size`);
      // Modelled codec cost: none costs nothing; gzip (zlib level 6) costs most to compress.
      const cost = async (name) => {
        const row = inspector.getByRole('table', { name: 'Codec comparison' }).getByRole('row').filter({ hasText: new RegExp(`^${name}`) });
        const text = (await row.getByRole('cell').nth(3).textContent()).trim();
        const m = text.match(/^([\d.]+) (ns|µs|ms)$/);
        return m ? Number(m[1]) * { ns: 0.001, µs: 1, ms: 1000 }[m[2]] : text;
      };
      assert.equal(await cost('none'), '–');
      assert.ok(await cost('gzip') > await cost('lz4'), `${codec}: gzip costs more to compress than lz4`);
      if (codec === 'zstd') await page.screenshot({ path: join(outDir, 'learner-inspector-zstd.png'), fullPage: true });
      await inspector.getByRole('button', { name: 'Close inspector' }).click();
      sizes[codec] = Number(stored);
      batch++;
    }
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) {
      assert.ok(sizes[codec] < sizes.none, `${codec} (${sizes[codec]} B) is smaller than none (${sizes.none} B)`);
    }
    assert.ok(new Set(Object.values(sizes)).size >= 4, `sizes differ by codec: ${JSON.stringify(sizes)}`);
    // The metrics split the compression ratio by the codec each batch was sealed with.
    const ratios = await page.getByRole('region', { name: 'Metrics' }).locator('.by-codec').textContent();
    const perCodec = Object.fromEntries([...ratios.matchAll(/(\w+) ([\d.]+)×/g)].map((m) => [m[1], Number(m[2])]));
    assert.deepEqual(Object.keys(perCodec).sort(), ['gzip', 'lz4', 'none', 'snappy', 'zstd'], ratios);
    assert.equal(perCodec.none, 1);
    for (const codec of ['gzip', 'snappy', 'lz4', 'zstd']) assert.ok(perCodec[codec] > 1, `${codec} ratio > 1: ${ratios}`);
  },

  async 'lost ack without idempotence: the retry writes the record twice'({ page, baseUrl, outDir }) {
    const { p } = await lostAckRun(page, baseUrl, false);
    const rows = await logTable(page, 'payments', p);
    assert.deepEqual(rows.map((r) => [r.offset, r.key]), [[0, 'Alice'], [1, 'Alice']], 'the duplicate is in the log');
    assert.ok(rows.every((r) => r.value.startsWith(LECTURE_VALUE)));
    const report = page.getByRole('table', { name: 'Delivery reports' }).locator('tbody tr');
    assert.equal(await report.count(), 1);
    assert.equal((await report.getByRole('cell').nth(2).textContent()).trim(), '1', 'the report names the duplicate offset 1');
    assert.deepEqual(await logLines(page, 'duplicate batch'), []);
    await page.screenshot({ path: join(outDir, 'learner-lost-ack-duplicate.png'), fullPage: true });
  },

  async 'lost ack with enable.idempotence=true: the broker drops the duplicate, offset 0'({ page, baseUrl, outDir }) {
    const { p, leader } = await lostAckRun(page, baseUrl, true);
    const rows = await logTable(page, 'payments', p);
    assert.deepEqual(rows.map((r) => [r.offset, r.key]), [[0, 'Alice']], 'the record is stored once');
    const dup = await logLines(page, 'duplicate batch');
    assert.equal(dup.length, 1);
    assert.match(dup[0], new RegExp(`^broker ${leader} payments-${p}: duplicate batch .* original offset 0$`));
    const report = page.getByRole('table', { name: 'Delivery reports' }).locator('tbody tr');
    assert.equal(await report.count(), 1);
    assert.equal((await report.getByRole('cell').nth(0).textContent()).trim(), 'None', 'no error');
    assert.equal((await report.getByRole('cell').nth(2).textContent()).trim(), '0', 'offset 0');
    await page.screenshot({ path: join(outDir, 'learner-lost-ack-idempotent.png'), fullPage: true });
  },

  async 'crash the leader: broker down, new leader, ISR shrinks; the producer sends nothing to it and delivers to the new leader'({ page, baseUrl, outDir }) {
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3);
    const p = crc32Partition('Alice', 3);
    const old = await leaderOf(page, 'payments', p);
    assert.ok(old);
    const faults = page.getByRole('group', { name: `Broker ${old}` });
    await faults.getByRole('button', { name: 'Crash' }).click();
    const broker = page.getByRole('article', { name: `Broker ${old}` });
    assert.equal((await broker.locator('header .status').textContent()).trim(), 'down');
    await faults.getByRole('button', { name: 'Restart' }).waitFor();
    await produce(page, 'Alice', LECTURE_VALUE);

    // Run fast (100× real time) until the event is stored, then freeze the page.
    await page.getByLabel('Speed').selectOption({ label: '100×' });
    await playback(page).getByRole('button', { name: 'Play' }).click();
    await page.getByRole('table', { name: `payments-${p} log` }).getByRole('row').filter({ hasText: LECTURE_VALUE }).waitFor({ timeout: 30000 });
    await playback(page).getByRole('button', { name: 'Pause' }).click();

    const now = await leaderOf(page, 'payments', p);
    assert.ok(now && now !== old, `a new leader (was ${old}, now ${now})`);
    assert.deepEqual(await logLines(page, `payments-${p}: leader ->`), [`payments-${p}: leader -> broker ${now} epoch 1`]);
    const isr = await logLines(page, `payments-${p}: ISR ->`);
    assert.equal(isr.length, 1);
    const members = JSON.parse(isr[0].match(/ISR -> (\[[\d, ]*\])/)[1]);
    assert.equal(members.length, 2, 'ISR shrank from 3 to 2');
    assert.ok(!members.includes(old) && members.includes(now));
    assert.match(await replicaItem(page, old, 'payments', p).textContent(), /out of ISR/);
    assert.match(await replicaItem(page, now, 'payments', p).textContent(), / leader.*HW \d+ ISR/);
    assert.equal((await broker.locator('header .status').textContent()).trim(), 'down');

    // librdkafka builds no ProduceRequest for a broker whose connection is down: the reset of the
    // crashed broker's socket reaches the producer before linger.ms seals the batch.
    assert.ok((await logLines(page, `connection to broker ${old} is down`)).length >= 1, 'the producer saw the reset');
    const requests = await logLines(page, 'ProduceRequest #');
    assert.ok(requests.length >= 1);
    assert.ok(requests.every((r) => !r.includes(`-> broker ${old}:`)), `nothing sent to the crashed leader: ${requests}`);
    assert.match(requests.at(-1), new RegExp(`-> broker ${now}:`), 'sent to the new leader');
    const rows = await logTable(page, 'payments', p);
    assert.deepEqual(rows.map((r) => r.offset), [0]);
    assert.equal((await page.getByRole('table', { name: 'Delivery reports' }).locator('tbody tr').getByRole('cell').nth(2).textContent()).trim(), '0');
    await page.screenshot({ path: join(outDir, 'learner-crash-leader.png'), fullPage: true });
  },

  async 'keyboard only: Space plays and pauses, → steps, ← steps back, ? opens help'({ page, baseUrl }) {
    // Something to watch (set up with the mouse; from here on only the keyboard is used).
    await openPaused(page, baseUrl);
    await createTopic(page, 'payments', 3, 3);
    await produce(page, 'Alice', LECTURE_VALUE);
    const focused = () => page.evaluate(() => {
      const el = document.activeElement;
      return { tag: el.tagName, name: el.getAttribute('aria-label') || el.textContent.trim().slice(0, 40), role: el.getAttribute('role') };
    });
    // Focus is on the Produce button: Shift+Tab back to the Play/Pause button; Space presses it.
    for (let i = 0; i < 80 && !['Play', 'Pause'].includes((await focused()).name); i++) await page.keyboard.press('Shift+Tab');
    const start = await focused();
    assert.equal(start.tag, 'BUTTON');
    assert.ok(['Play', 'Pause'].includes(start.name), `first stop is Play/Pause, got ${start.name}`);
    const outline = await page.evaluate(() => {
      const s = getComputedStyle(document.activeElement);
      return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 || s.boxShadow !== 'none';
    });
    assert.ok(outline, 'the focused button has a visible focus indicator');
    const other = (n) => (n === 'Play' ? 'Pause' : 'Play');
    await page.keyboard.press('Space');
    assert.equal((await focused()).name, other(start.name), 'Space toggled play/pause');
    await page.keyboard.press('Space');
    assert.equal((await focused()).name, start.name, 'Space toggled back');
    if (start.name === 'Pause') await page.keyboard.press('Space'); // pause for stepping
    await playback(page).getByRole('button', { name: 'Play' }).waitFor();

    // The page's own shortcuts work where focus is not in a control: Tab on to the event log.
    for (let i = 0; i < 200 && (await focused()).role !== 'log'; i++) await page.keyboard.press('Tab');
    assert.equal((await focused()).role, 'log', 'the event log is reachable by Tab');
    await page.keyboard.press('Space');
    await playback(page).getByRole('button', { name: 'Pause' }).waitFor();
    await page.keyboard.press('Space');
    await playback(page).getByRole('button', { name: 'Play' }).waitFor();

    // → processes one event. Several events can share a virtual time and some (a follower's
    // empty fetch) write nothing to the log, so one press may show no change; a few presses must
    // move the clock forward one event time after another and reach the linger expiry.
    const seen = [[await virtualTimeUs(page), await logCount(page)]];
    for (let i = 0; i < 40 && !(await logLines(page, 'sealed')).length; i++) {
      await page.getByRole('log', { name: 'Event log' }).focus(); // logLines typed in the filter box
      await page.keyboard.press('ArrowRight');
      seen.push([await virtualTimeUs(page), await logCount(page)]);
    }
    for (let i = 1; i < seen.length; i++) {
      assert.ok(seen[i][0] >= seen[i - 1][0] && seen[i][1] >= seen[i - 1][1], `→ only moves forward: ${JSON.stringify(seen)}`);
    }
    assert.equal((await logLines(page, 'sealed')).length, 1, `→ reached the linger expiry: ${JSON.stringify(seen)}`);
    assert.ok(new Set(seen.map(([t]) => t)).size >= 2, 'the clock advanced');
    const t3 = seen.at(-1)[0];
    await page.getByRole('log', { name: 'Event log' }).focus();
    await playback(page).getByRole('button', { name: 'Play' }).waitFor(); // stepping leaves it paused
    await page.keyboard.press('ArrowLeft');
    const tBack = await virtualTimeUs(page);
    assert.ok(tBack < t3, `← went back (${t3} → ${tBack} µs)`);
    assert.match(await page.getByRole('toolbar', { name: 'Playback' }).textContent(), /rewound/);

    await page.keyboard.press('?');
    const help = page.getByRole('region', { name: 'Help' });
    await help.waitFor();
    assert.match(await help.textContent(), /What is simplified/);
    await page.keyboard.press('?');
    await help.waitFor({ state: 'detached' });
  },
};
