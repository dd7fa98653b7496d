// Serialization as a learner meets it in the playground: switch a topic to AvroSerializer with
// the lesson's payment schema, produce a payment, and see the Schema Registry register it
// (subject payments-value, version 1, schema id 1) in its panel and in the live view, and the
// partition log decode the record through the registry; then a value that does not match the
// schema fails in the serializer before produce(), naming the field. The core serializes,
// registers and decodes; the test only reads the page.
import assert from 'node:assert/strict';

export const tests = {
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
    assert.match(await produce.getByText(/type the value in Avro's JSON encoding/).textContent(), /payments/);
    await produce.getByLabel('Value').fill('{"payment_id": "pay-7", "amount": "\\u0004\\u00e2", "timestamp": 1700000000000, "status": "SETTLED", "note": null}');
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
