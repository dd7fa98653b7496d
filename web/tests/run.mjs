// Browser end-to-end tests: serves dist/ on 127.0.0.1, drives Debian's Chromium with
// playwright-core, and runs every web/tests/*.test.mjs. Any console error or page error fails
// the test that caused it. Screenshots go to web/test-output/.
//
//   node web/tests/run.mjs [filter]
import { createServer } from 'node:http';
import { readFile, readdir, mkdir } from 'node:fs/promises';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = normalize(join(here, '..', '..'));
const dist = join(root, 'dist');
export const outDir = join(root, 'web', 'test-output');

const types = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.wasm': 'application/wasm', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.webmanifest': 'application/manifest+json',
};

/** Static server for dist/ (and examples/ for the embed page), loopback only. */
function serve() {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    let path = decodeURIComponent(url.pathname);
    let base = dist;
    if (path.startsWith('/examples/')) { base = root; }
    if (path.endsWith('/')) path += 'index.html';
    const file = normalize(join(base, path));
    if (!file.startsWith(base)) { res.writeHead(403).end(); return; }
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function main() {
  const filter = process.argv[2] || '';
  await mkdir(outDir, { recursive: true });
  const server = await serve();
  const baseUrl = `http://127.0.0.1:${server.address().port}/`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const files = (await readdir(here)).filter((f) => f.endsWith('.test.mjs') && f.includes(filter)).sort();
  let passed = 0;
  let failed = 0;
  for (const f of files) {
    const mod = await import(pathToFileURL(join(here, f)).href);
    for (const [name, fn] of Object.entries(mod.tests)) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const page = await context.newPage();
      const errors = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      const t0 = Date.now();
      try {
        await fn({ page, context, browser, baseUrl, outDir, errors });
        if (errors.length) throw new Error(`errors in the page:\n  ${errors.join('\n  ')}`);
        passed++;
        console.log(`ok   ${f} › ${name} (${Date.now() - t0} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${f} › ${name}\n     ${String(e.stack || e).split('\n').join('\n     ')}`);
        await page.screenshot({ path: join(outDir, `FAILED-${f}-${name}.png`.replace(/[^\w.-]+/g, '_')) }).catch(() => {});
      }
      await context.close();
    }
  }
  await browser.close();
  server.close();
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => { console.error(e); process.exit(1); });
