// After one visit the playground works without a network (service worker), including the
// wasm and a lesson link.
import assert from 'node:assert/strict';

export const tests = {
  async 'the playground loads and runs offline after the first visit'({ page, context, baseUrl }) {
    await page.goto(baseUrl);
    await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
    await page.evaluate(async () => { await navigator.serviceWorker.ready; });
    await context.setOffline(true);
    await page.goto(`${baseUrl}?lesson=batching`);
    await page.getByRole('heading', { name: 'Kafka Producer Playground' }).waitFor();
    await page.getByRole('heading', { name: 'Batching' }).waitFor();
    // The simulation really runs (wasm loaded from the cache): the clock moves.
    const clock = page.locator('.clock').first();
    const t0 = await clock.textContent();
    await page.waitForTimeout(600);
    assert.notEqual(await clock.textContent(), t0);
    await context.setOffline(false);
  },
};
