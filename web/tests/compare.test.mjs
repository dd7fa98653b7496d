// "Run both ways" as a learner uses it: the acks lesson's comparison shows acks=1 beside
// acks=all, one lost record on one side and none on the other, the difference in words; bad
// settings get a message at their field and run nothing. The numbers are the core's outcome
// (`ksim::variant`); the test only reads the page.
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';

/** The row header's text and each cell's of the comparison table's row for `measure`. */
async function row(region, measure) {
  const r = region.getByRole('row').filter({ has: region.page().getByRole('rowheader', { name: measure }) });
  return [await r.getByRole('rowheader').textContent(), ...await r.getByRole('cell').allTextContents()];
}

export const tests = {
  'the acks lesson runs both ways: acks=1 loses the acknowledged record, acks=all does not': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?lesson=acks-and-leader-crash&autoplay=0`);
    const panel = page.getByRole('region', { name: 'Run both ways' });
    assert.equal(await panel.getByLabel('Side A settings').inputValue(), 'acks=1', 'the lesson starts from its contrast');
    assert.equal(await panel.getByLabel('Side B settings').inputValue(), 'acks=all');
    await panel.getByRole('button', { name: 'Run both ways' }).click();
    const region = page.getByRole('region', { name: 'Comparison' });
    await region.waitFor();
    const heads = await region.getByRole('columnheader').allTextContents();
    assert.deepEqual(heads.slice(1, 3), ['acks=1', 'acks=all'], 'acks=1 beside acks=all');
    const [lost, lostA, lostB] = await row(region, /^Lost/);
    assert.equal(lostA, '1', 'acks=1 lost the acknowledged record');
    assert.equal(lostB, '0', 'acks=all lost none');
    assert.match(lost, /\(differs\)$/, 'the difference is said in words, not colour alone');
    const [acked, ackA, ackB] = await row(region, /^Records acknowledged/);
    assert.deepEqual([acked, ackA, ackB], ['Records acknowledged', '1', '1'], 'both sides were acknowledged');
    await region.getByText('acks=1 lost 1 acknowledged record; acks=all lost none.').waitFor();
    await region.getByText("The comparison shows the lesson's point").waitFor();
    // Both sides' sequence diagrams, one above the other on one timeline: the acks=1 answer comes
    // back before the leader crashes; the acks=all answer only after it, from the new leader.
    const seqA = region.getByRole('figure', { name: 'Sequence diagram, acks=1' });
    const seqB = region.getByRole('figure', { name: 'Sequence diagram, acks=all' });
    const [boxA, boxB] = [await seqA.boundingBox(), await seqB.boundingBox()];
    assert.ok(boxB.y >= boxA.y + boxA.height - 1, 'side B is drawn below side A');
    const x = async (fig, name) => {
      const b = await fig.getByRole('img', { name }).first().boundingBox();
      return { left: b.x, right: b.x + b.width };
    };
    const [crashA, crashB] = [await x(seqA, 'fault: broker 1 crashes'), await x(seqB, 'fault: broker 1 crashes')];
    assert.ok(Math.abs(crashA.left - crashB.left) < 1, `the crash is at one x on both sides (${crashA.left} vs ${crashB.left})`);
    const answerA = await x(seqA, /^ProduceResponse #0 → producer from broker 1/);
    assert.ok(answerA.right <= crashA.left + 1, `acks=1 is answered (${answerA.right}) before the crash (${crashA.left})`);
    const answerB = await x(seqB, /^ProduceResponse #\d+ → producer from broker [23]/);
    assert.ok(answerB.left > crashB.right, 'acks=all is answered after the crash, by a new leader');
    await region.getByRole('img', { name: /cut out of the timeline/ }).first().waitFor();
    await region.screenshot({ path: 'web/test-output/compare-acks.png' });
    await page.setViewportSize({ width: 390, height: 844 });
    await region.screenshot({ path: 'web/test-output/compare-acks-phone.png' });
    const box = await region.boundingBox();
    assert.ok(box.width <= 390, `the comparison fits a phone's width (${box.width} px)`);
  },

  'the serialization lesson runs both ways: the same payments as JSON and as Avro': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?lesson=serialization&autoplay=0`);
    const panel = page.getByRole('region', { name: 'Run both ways' });
    assert.equal(await panel.getByLabel('Side A settings').inputValue(), 'value.serializer=json', 'the lesson starts from its contrast');
    assert.equal(await panel.getByLabel('Side B settings').inputValue(), 'value.serializer=avro');
    await panel.getByRole('button', { name: 'Run both ways' }).click();
    const region = page.getByRole('region', { name: 'Comparison' });
    await region.waitFor();
    const [, ackA, ackB] = await row(region, /^Records acknowledged/);
    assert.deepEqual([ackA, ackB], ['2', '2'], 'every payment arrives either way');
    const [wire, wireA, wireB] = await row(region, /^Bytes on the wire/);
    assert.match(wire, /\(differs\)$/);
    const bytes = (t) => Number(t.replace(/[^\d]/g, ''));
    assert.ok(bytes(wireB) < bytes(wireA), `Avro ${wireB} < JSON ${wireA}`);
    await region.getByText(/^value\.serializer=json put \d+ B of ProduceRequests on the wire; value\.serializer=avro \d+ B\.$/).waitFor();
    await region.getByText("The comparison shows the lesson's point").waitFor();
    // Both sides' sequence diagrams, on one timeline: only the Avro side calls the Schema
    // Registry, once per subject (payments-json-value, payments-avro-value), before produce().
    const calls = (side) => region.getByRole('figure', { name: `Sequence diagram, ${side}` })
      .getByRole('img', { name: /^RegisterSchema: the serializer asks the Schema Registry/ }).count();
    assert.equal(await calls('value.serializer=avro'), 2);
    assert.equal(await calls('value.serializer=json'), 0);
    await region.screenshot({ path: 'web/test-output/compare-serialization.png' });
  },

  'bad settings are refused at their field and nothing runs': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?lesson=acks-and-leader-crash&autoplay=0`);
    const panel = page.getByRole('region', { name: 'Run both ways' });
    await panel.getByLabel('Side A settings').fill('lingr.ms=5');
    await panel.getByLabel('Side B settings').fill('acks=maybe');
    await panel.getByRole('button', { name: 'Run both ways' }).click();
    const a = panel.getByLabel('Side A settings');
    assert.equal(await a.getAttribute('aria-invalid'), 'true');
    await panel.getByText('unknown setting "lingr.ms"').waitFor();
    await panel.getByText('acks=maybe is not valid').waitFor();
    assert.equal(await page.getByRole('region', { name: 'Comparison' }).count(), 0, 'nothing ran');
  },

  'a share link carries the comparison: an embed opens with both sides filled and runs them': async ({ page, baseUrl }) => {
    // The course author runs a comparison; the page's link now holds it.
    await page.goto(`${baseUrl}?lesson=acks-and-leader-crash&autoplay=0`);
    const panel = page.getByRole('region', { name: 'Run both ways' });
    await panel.getByLabel('Side B settings').fill('acks=all, linger.ms=5');
    await panel.getByRole('button', { name: 'Run both ways' }).click();
    await page.getByRole('region', { name: 'Comparison' }).waitFor();
    await page.waitForFunction(() => location.hash.startsWith('#s=2.'));
    const fragment = await page.evaluate(() => location.hash);
    // A course page embeds it: the comparison is filled in and has run, nothing clicked.
    await page.goto(`${baseUrl}?embed=1&panel=compare${fragment}`);
    const embedded = page.getByRole('region', { name: 'Run both ways' });
    assert.equal(await embedded.getByLabel('Side A settings').inputValue(), 'acks=1');
    assert.equal(await embedded.getByLabel('Side B settings').inputValue(), 'acks=all, linger.ms=5');
    const region = page.getByRole('region', { name: 'Comparison' });
    await region.waitFor();
    assert.deepEqual((await region.getByRole('columnheader').allTextContents()).slice(1, 3), ['acks=1', 'acks=all, linger.ms=5']);
    await region.getByRole('figure', { name: 'Sequence diagram, acks=all, linger.ms=5' }).waitFor();
    // A link whose comparison cannot run says why (as text: the setting's name is data, not
    // markup) and opens the default scenario instead.
    const envelope = { base: null, diff: { topics: [{ name: 't', partitions: 1 }] },
      ui: { compare: { a: ['<b>lingr.ms</b>=5'], b: [] } } };
    const bad = 's=2.' + deflateSync(JSON.stringify(envelope)).toString('base64url');
    await page.goto(`${baseUrl}?autoplay=0#${bad}`);
    await page.getByText('This link\'s comparison or sweep cannot run: side A: unknown setting "<b>lingr.ms</b>"').waitFor();
    assert.equal(await page.locator('b', { hasText: 'lingr.ms' }).count(), 0, 'nothing from the link became markup');
  },
};
