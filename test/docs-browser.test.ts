// GET /docs in a real browser: the reference page renders the OpenAPI document with every operation listed,
// under its strict Content-Security-Policy, with nothing fetched from anywhere but the server itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const browser = await launchBrowser();

if (!browser) {
  describe('reference page (/docs) in Chromium', () => it('needs Chromium', { skip: 'chromium not available' }, () => {}));
} else {
  describe('reference page (/docs) in Chromium', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl() });
    });
    after(async () => {
      await (browser as Browser).close();
      await server.stop();
    });

    it('lists every operation of /openapi.json, with nothing blocked and nothing fetched elsewhere', async () => {
      const doc = await (await fetch(`${server.url}/openapi.json`)).json();
      const expected = Object.values(doc.paths as Record<string, Record<string, any>>).flatMap((item) => Object.values(item).map((op) => op.operationId as string));
      assert.ok(expected.length >= 60);

      const page = await browser.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      const elsewhere: string[] = [];
      page.on('request', (r) => !r.url().startsWith(`${server.url}/`) && !r.url().startsWith('data:') && elsewhere.push(r.url()));

      const res = await page.goto(`${server.url}/docs`);
      assert.equal(res!.status(), 200);
      assert.match(res!.headers()['content-security-policy'], /script-src 'self'; style-src 'self'/);
      await page.waitForSelector('.opblock-summary-operation-id');
      const listed = await page.$$eval('.opblock-summary-operation-id', (els) => els.map((e) => e.textContent!.trim()));
      assert.deepEqual([...listed].sort(), [...expected].sort());
      assert.equal(await page.locator('.info .title').first().innerText().then((t) => t.startsWith('klaviyo-catalog-server')), true);
      assert.deepEqual(problems, [], 'no script error and no Content-Security-Policy violation');
      assert.deepEqual(elsewhere, []);
      await page.close();
    });
  });
}
