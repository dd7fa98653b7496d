// Serialization as a learner meets it in the playground: switch a topic to AvroSerializer with
// the lesson's payment schema, produce a payment, and see the Schema Registry register it
// (subject payments-value, version 1, schema id 1) in its panel and in the live view, and the
// partition log decode the record through the registry; then a value that does not match the
// schema fails in the serializer before produce(), naming the field. The core serializes,
// registers and decodes; the test only reads the page.
import assert from 'node:assert/strict';

export const tests = {
  'the inspector shows an Avro value beside its JSON, and a batch of 1,000 such events per codec': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?lesson=serialization&autoplay=0`);
    await page.getByRole('button', { name: 'Play' }).click();
    const logs = page.getByRole('region', { name: 'Partition logs' });
    await logs.getByText(/Avro · schema id 1 \(payments-avro-value\) · 57 B/).first().waitFor({ timeout: 20000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    for (const [topic, own] of [['payments-avro', /Avro, schema id 1/], ['payments-json', /JSON/]]) {
      await page.getByRole('button', { name: `Inspect batch 0 of ${topic}-0` }).click();
      const inspector = page.getByRole('region', { name: new RegExp(`^Batch #0 of ${topic}-0 on broker`) });
      await inspector.waitFor();
      assert.match(await inspector.locator('.value-bytes .stat-line').first().textContent(), own);
      const both = inspector.getByRole('group', { name: 'Offset 0 in both formats' });
      const sizes = await both.getByRole('row').allTextContents();
      assert.deepEqual(sizes.slice(1), ['JSON (json.dumps)134 B', 'Avro, schema id 1 (payments-avro-value)57 B — 43 % of the JSON'], topic);
      if (topic === 'payments-avro') assert.match(await both.getByLabel('The same event as JSON').textContent(), /^{"payment_id": "pay-0001", "amount": 12\.5,/);
      else assert.equal(await both.getByLabel('The same event as JSON').count(), 0, 'the JSON value is shown once');
    }
    const inspector = page.getByRole('region', { name: /^Batch #0 of payments-json-0 on broker/ });
    const both = inspector.getByRole('group', { name: 'Offset 0 in both formats' });
    await both.getByRole('button', { name: 'Batch 1,000 such events per codec' }).click();
    const table = both.getByRole('table', { name: /A batch of 1,000 such events/ });
    await table.waitFor();
    const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.children].map((c) => c.textContent)));
    assert.deepEqual(rows.map((r) => r[0]), ['values alone', 'none', 'gzip', 'snappy', 'lz4', 'zstd']);
    const bytes = (t) => Number(t.replace(/ B.*$/, '').replace(/,/g, ''));
    for (const [codec, json, avro, ratio] of rows) {
      assert.ok(bytes(avro) < bytes(json), `${codec}: Avro ${avro} < JSON ${json}`);
      assert.match(ratio, /^\d+ %$/);
    }
    assert.deepEqual(rows[0].slice(1, 3), ['134,615 B', '57,000 B'], 'ids numbered, amounts varied: not 1,000 copies');
    assert.ok(bytes(rows[2][1]) < bytes(rows[1][1]) / 3, 'gzip shrinks the JSON batch');
    await inspector.screenshot({ path: 'web/test-output/serialization-same-event.png' });
  },

  'switching a topic to Avro registers the schema, and the log decodes what was produced': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?autoplay=0`);
    await page.getByText('Serialize values (JSON, Avro)').click();
    const form = page.getByRole('form', { name: 'Serialize values' });
    await form.getByLabel('Topic').selectOption('payments');
    await form.getByLabel('Value serializer').selectOption('avro');
    await form.getByLabel('Start from').selectOption('payment');
    await form.getByRole('button', { name: 'Use this serializer' }).click();
    await form.getByText('Now, for payments: values: AvroSerializer with schema payment (subject payments-value).').waitFor();
    const produce = page.getByRole('form', { name: 'Produce an event' });
    assert.match(await produce.getByText(/type the value as the program's dict in JSON/).textContent(), /payments/);
    // The program's dict, as AvroSerializer takes it: the decimal as a number.
    await produce.getByLabel('Value').fill('{"payment_id": "pay-7", "amount": 12.50, "timestamp": 1700000000000, "status": "SETTLED", "note": null}');
    await produce.getByRole('button', { name: 'Produce' }).click();
    await produce.getByRole('button', { name: 'flush()' }).click();
    await page.getByLabel('Speed').selectOption({ label: '10×' });
    await page.getByRole('button', { name: 'Play' }).click();
    const registry = page.getByRole('region', { name: 'Schema Registry' });
    await registry.getByText('version 1 · schema id 1').waitFor({ timeout: 20000 });
    assert.match(await registry.textContent(), /payments-value · compatibility BACKWARD \(global\)/);
    await page.locator('[role="img"][aria-label^="Schema Registry: 1 subject · 1 version · newest payments-value v1 (id 1)"]').waitFor();
    const logs = page.getByRole('region', { name: 'Partition logs' });
    await logs.getByText(/Avro · schema id 1 \(payments-value\) · \d+ B/).first().waitFor({ timeout: 20000 });
    await logs.getByText('"payment_id": "pay-7"', { exact: false }).first().waitFor();
    // Type safety: no amount, no default → the serializer refuses it before produce().
    await page.getByRole('button', { name: 'Pause' }).click();
    await produce.getByLabel('Value').fill('{"payment_id": "pay-8", "timestamp": 1700000000000, "status": "SETTLED", "note": null}');
    await produce.getByRole('button', { name: 'Produce' }).click();
    await page.getByRole('button', { name: 'Play' }).click();
    await page.getByRole('region', { name: 'Event log' }).getByText(/ValueSerializationError.*amount/).first().waitFor({ timeout: 20000 });
    await registry.screenshot({ path: 'web/test-output/serialization-registry.png' });
  },

  'a schema that is not Avro is refused at the form and changes nothing': async ({ page, baseUrl }) => {
    await page.goto(`${baseUrl}?autoplay=0`);
    await page.getByText('Serialize values (JSON, Avro)').click();
    const form = page.getByRole('form', { name: 'Serialize values' });
    await form.getByLabel('Value serializer').selectOption('avro');
    await form.getByLabel('Schema (schema_str)').fill('{"type": "record", "name": "P", "fields": [{"name": "x", "type": "money"}]}');
    await form.getByRole('button', { name: 'Use this serializer' }).click();
    await form.getByRole('alert').waitFor();
    assert.match(await form.getByRole('alert').textContent(), /money/);
    assert.equal(await form.getByLabel('Schema (schema_str)').getAttribute('aria-invalid'), 'true');
    await form.getByText("values: StringSerializer('utf_8')").waitFor();
    assert.equal(await page.getByRole('region', { name: 'Schema Registry' }).count(), 0, 'no registry appeared');
  },
};
