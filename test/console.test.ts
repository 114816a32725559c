// The web console in real Chromium (Debian's package, driven by playwright-core): sign-in (with the keyboard),
// catalog browsing to a resource created through the official SDK, a `realistic` job watched from
// `processing` to `complete` without a reload while a separate worker process runs it, a `manual` job stepped
// with the buttons, the journal's live tail (a request's bodies, a curl command without the key), a 503 fault
// rule added with the form and seen firing, accounts, keys and the clock with the admin token, and what the
// views show when the server has no controls. Each view is saved as a
// screenshot (CATALOG_SCREENSHOT_DIR, default .screenshots/; the README's come from docs/screenshots/).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page, Request } from 'playwright-core';
import { launchBrowser } from './support/browser.ts';
import { sdk, sqliteTarget, startServer, startWorker, type RunningServer } from './support/server.ts';

const SCREENSHOTS = process.env.CATALOG_SCREENSHOT_DIR || join(import.meta.dirname, '..', '.screenshots');
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };
const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const ITEM_JOB = 'catalog-item-bulk-create-job';

/** What a page did that a test must see: every request, and any script error or policy violation. */
interface Watched {
  page: Page;
  requests: Request[];
  problems: string[];
}

async function openPage(browser: Browser, viewport = DESKTOP): Promise<Watched> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(15_000);
  const watched: Watched = { page, requests: [], problems: [] };
  page.on('request', (r) => watched.requests.push(r));
  page.on('pageerror', (e) => watched.problems.push(`page error: ${e.message}`));
  // Failed loads (a 404 the page expects) are logged too; violations of the policy and script errors are not expected.
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) watched.problems.push(m.text());
  });
  return watched;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page: Page, server: RunningServer, secret = server.key): Promise<void> {
  await page.goto(`${server.url}/console`);
  await page.getByLabel('API key or admin token').fill(secret);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Requests of the page that went to `path` (on the server), with their Authorization header. */
const requestsTo = (w: Watched, path: string) => w.requests.filter((r) => new URL(r.url()).pathname === path);

function itemAttributes(externalId: string, title = `${externalId} title`) {
  return { externalId, title, description: `${externalId} description`, url: `https://shop.example/${externalId}`, price: 19.5 };
}

function createItemsJob(prefix: string, count: number) {
  return {
    data: {
      type: ITEM_JOB as any,
      attributes: { items: { data: Array.from({ length: count }, (_, i) => ({ type: 'catalog-item' as any, attributes: itemAttributes(`${prefix}-${i}`) })) } },
    },
  };
}

const browser = await launchBrowser();
if (!browser) {
  describe('console in Chromium', () => it('needs Chromium', { skip: 'chromium is not installed' }, () => {}));
} else {
  after(() => browser.close());

  describe('console in Chromium, manual pace', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_JOB_PACE: 'manual', CATALOG_STREAM_POLL_MS: '50' } });
    });
    after(() => server.stop());

    it('serves the page and its files with a strict Content-Security-Policy, no inline script', async () => {
      const page = await fetch(`${server.url}/console`);
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-type'), 'text/html; charset=utf-8');
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'(;|$)/);
      assert.match(csp, /require-trusted-types-for 'script'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
      const html = await page.text();
      assert.doesNotMatch(html, /<script(?![^>]*\ssrc=)[^>]*>/, 'every script is a file');
      assert.doesNotMatch(html, /\sstyle=|\son[a-z]+=/i, 'no inline style or handler');
      for (const [file, type] of [['app.js', 'text/javascript; charset=utf-8'], ['style.css', 'text/css; charset=utf-8']]) {
        const res = await fetch(`${server.url}/console/${file}`);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('content-type'), type);
        assert.equal(res.headers.get('content-security-policy'), csp);
      }
      const missing = await fetch(`${server.url}/console/..%2Fcli.js`);
      assert.equal(missing.status, 404);
      assert.equal((await missing.json()).errors[0].code, 'not_found');
    });

    it('signs in with the keyboard alone, and keeps the key out of URLs and lasting storage', async (t) => {
      const w = await openPage(browser);
      const { page } = w;
      await page.goto(`${server.url}/console`);
      const timing = await page.evaluate(() => (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).loadEventEnd);
      t.diagnostic(`first page load: ${Math.round(timing)} ms`);
      const input = page.getByLabel('API key or admin token');
      assert.equal(await input.getAttribute('type'), 'password');
      await screenshot(page, 'sign-in');

      // Tab from the top of the page: the skip link, the home link, then the key's field.
      const focused: string[] = [];
      for (let i = 0; i < 4 && !(await input.evaluate((el) => el === document.activeElement)); i++) {
        await page.keyboard.press('Tab');
        focused.push(await page.evaluate(() => document.activeElement?.textContent?.trim() || document.activeElement?.id || ''));
      }
      assert.ok(await input.evaluate((el) => el === document.activeElement), `the key's field is reached by Tab (focus went to ${focused.join(', ')})`);
      assert.equal(focused[0], 'Skip to content');

      await page.keyboard.type('pk_not_a_key_of_this_server_000000000000');
      await page.keyboard.press('Enter');
      await page.getByRole('alert').filter({ hasText: 'Could not sign in' }).waitFor();

      await input.fill('');
      await page.keyboard.type(server.key);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Items', level: 1 }).waitFor();
      assert.equal(await page.getByRole('link', { name: 'Items' }).getAttribute('aria-current'), 'page');

      const stored = await page.evaluate(() => ({ session: JSON.stringify(sessionStorage), local: localStorage.length, cookie: document.cookie }));
      assert.ok(stored.session.includes(server.key), 'kept in sessionStorage');
      assert.deepEqual([stored.local, stored.cookie], [0, '']);
      assert.ok(w.requests.length > 0);
      for (const r of w.requests) assert.ok(!r.url().includes(server.key), `no key in ${r.url()}`);
      const api = w.requests.filter((r) => new URL(r.url()).pathname.startsWith('/api/'));
      assert.deepEqual(await Promise.all(api.map((r) => r.headerValue('authorization'))), [
        'Klaviyo-API-Key pk_not_a_key_of_this_server_000000000000', // the refused sign-in
        ...api.slice(1).map(() => `Klaviyo-API-Key ${server.key}`),
      ]);
      assert.deepEqual(w.problems, []);
      await page.close();
    });

    it('browses to an item created through the SDK: filters, paging, every attribute, relationships and its JSON', async () => {
      const catalogs = sdk(server.url, server.key);
      // A title that would be markup if it were ever rendered as HTML.
      const title = 'Shirt <img src=x data-injected=1> & "friends"';
      await catalogs.createCatalogCategory({ data: { type: 'catalog-category' as any, attributes: { externalId: 'TOPS', name: 'Tops' } } });
      await catalogs.createCatalogItem({
        data: { type: 'catalog-item' as any, attributes: { ...itemAttributes('SHIRT-1', title), customMetadata: { fabric: 'linen' } }, relationships: { categories: { data: [{ type: 'catalog-category' as any, id: id('TOPS') }] } } },
      });
      await catalogs.createCatalogVariant({
        data: { type: 'catalog-variant' as any, attributes: { externalId: 'SHIRT-1-M', title: 'Shirt M', description: 'M', sku: 'SKU-SHIRT-1-M', inventoryQuantity: 3, price: 21, url: 'https://shop.example/v/m' }, relationships: { item: { data: { type: 'catalog-item' as any, id: id('SHIRT-1') } } } },
      });
      for (let i = 0; i < 11; i++) await catalogs.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: itemAttributes(`PAGE-${String(i).padStart(2, '0')}`) } });

      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server);
      await page.getByRole('heading', { name: 'Items', level: 1 }).waitFor();

      // Paging: 12 items, 10 per page.
      await page.getByLabel('Per page').selectOption('10');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByRole('link', { name: 'PAGE-09' }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'PAGE-08' }).waitFor();
      assert.equal(await page.locator('main tbody tr').count(), 10);
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByRole('link', { name: 'PAGE-10' }).waitFor();
      assert.deepEqual(await page.locator('main tbody tr td:first-child').allTextContents(), ['PAGE-09', 'PAGE-10']);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await page.getByRole('link', { name: 'SHIRT-1' }).waitFor();

      // Klaviyo's filters: title contains.
      await page.getByLabel('Title contains').fill('Shirt <img');
      await page.getByRole('button', { name: 'Apply' }).click();
      await page.getByText('filter=contains(title,"Shirt <img")').waitFor();
      await page.getByRole('link', { name: 'PAGE-00' }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'SHIRT-1' }).waitFor();
      assert.deepEqual(await page.locator('main tbody tr td:first-child').allTextContents(), ['SHIRT-1']);
      await screenshot(page, 'items');

      await page.getByRole('link', { name: 'SHIRT-1' }).click();
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      const attributes = page.getByRole('region', { name: 'Attributes' });
      for (const [name, value] of [['external_id', 'SHIRT-1'], ['title', title], ['price', '19.5'], ['custom_metadata', '{"fabric":"linen"}'], ['image_full_url', '""'], ['published', 'true']]) {
        assert.equal(await attributes.getByRole('row', { name: new RegExp(`^${name} `) }).locator('td').textContent(), value, name);
      }
      const json = await page.locator('figure.json pre').textContent();
      const shown = JSON.parse(json!);
      assert.equal(shown.data.id, id('SHIRT-1'));
      assert.equal(shown.data.attributes.title, title);
      assert.equal(await page.locator('[data-injected]').count(), 0, 'catalog text is never markup');
      await page.getByRole('link', { name: 'SHIRT-1-M — Shirt M' }).waitFor();
      await page.getByRole('link', { name: 'TOPS — Tops' }).waitFor();
      await screenshot(page, 'item');

      // The same page on a phone-sized screen: nothing wider than the screen but the scrolling regions.
      const phone = await openPage(browser, PHONE);
      await phone.page.goto(`${server.url}/console`);
      await phone.page.evaluate((key) => sessionStorage.setItem('catalog-console.credential', JSON.stringify({ kind: 'key', secret: key })), server.key);
      await phone.page.goto(`${server.url}/console#/items/${id('SHIRT-1')}`);
      await phone.page.reload();
      await phone.page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await phone.page.getByRole('link', { name: 'TOPS — Tops' }).waitFor();
      assert.equal(await phone.page.evaluate(() => document.documentElement.scrollWidth), PHONE.width, 'no sideways scrolling of the page');
      await screenshot(phone.page, 'item-390px');
      await phone.page.close();

      // Relationships: the category, and back to the item through its items.
      await page.getByRole('link', { name: 'TOPS — Tops' }).click();
      await page.getByRole('heading', { name: 'Tops', level: 1 }).waitFor();
      await page.getByRole('link', { name: `SHIRT-1 — ${title}` }).click();
      await page.getByRole('heading', { name: title, level: 1 }).waitFor();
      await page.getByRole('link', { name: 'SHIRT-1-M — Shirt M' }).click();
      await page.getByRole('heading', { name: 'Shirt M', level: 1 }).waitFor();
      assert.equal(await page.getByRole('region', { name: 'Attributes' }).getByRole('row', { name: /^sku / }).locator('td').textContent(), 'SKU-SHIRT-1-M');
      assert.deepEqual(w.problems, []);
      await page.close();
    });

    it('steps a manual job with its buttons while the job stream shows each step, and lists errors per resource', async () => {
      const catalogs = sdk(server.url, server.key);
      const jobId = (await catalogs.bulkCreateCatalogItems(createItemsJob('MANUAL', 3))).body.data.id!;
      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server);
      await page.getByRole('link', { name: 'Jobs' }).click();
      await page.getByRole('link', { name: jobId }).click();
      const status = page.getByTestId('job-status');
      await page.getByText('0 of 3 resources tried').waitFor();
      assert.equal(await status.textContent(), 'processing');
      await page.getByText("This account's pace: manual.").waitFor();
      await page.getByText("Live: updates arrive from the server's job event stream.").waitFor();

      await page.getByLabel('Resources to apply').fill('1');
      await page.getByRole('button', { name: 'Apply next' }).click();
      await page.getByText('1 of 3 resources tried: 1 completed, 0 failed').waitFor();
      assert.equal(await page.getByLabel('Progress').getAttribute('value'), '1');
      await screenshot(page, 'job-manual');
      await page.getByRole('button', { name: 'Complete' }).click();
      await page.getByText('3 of 3 resources tried: 3 completed, 0 failed').waitFor();
      assert.equal(await status.textContent(), 'complete');
      assert.equal(await page.getByRole('button', { name: 'Apply next' }).count(), 0, 'no controls for a finished job');
      await page.getByRole('link', { name: 'MANUAL-2' }).waitFor();
      const [stream] = requestsTo(w, `/__admin/jobs/${jobId}/stream`);
      assert.ok(stream, 'the page read the job event stream');
      assert.equal(await stream.headerValue('authorization'), `Klaviyo-API-Key ${server.key}`);

      // A job with a resource that fails: its error in the table.
      const updateId = (await catalogs.bulkUpdateCatalogItems({
        data: { type: 'catalog-item-bulk-update-job' as any, attributes: { items: { data: [
          { type: 'catalog-item' as any, id: id('MANUAL-0'), attributes: { title: 'renamed' } },
          { type: 'catalog-item' as any, id: id('NOWHERE'), attributes: { title: 'x' } },
        ] } } },
      })).body.data.id!;
      await page.goto(`${server.url}/console#/jobs/catalog-item-bulk-update-job/${updateId}`);
      await page.getByRole('button', { name: 'Complete' }).click();
      await page.getByText('2 of 2 resources tried: 1 completed, 1 failed').waitFor();
      const errors = page.getByRole('region', { name: 'Errors per resource' });
      assert.deepEqual(await errors.locator('tbody tr td').allTextContents(), [
        id('NOWHERE'), 'invalid', 'Invalid input', `An item with the id \`${id('NOWHERE')}\` does not exist.`, '/data/attributes/items/data/id',
      ]);
      await screenshot(page, 'job-errors');

      // Cancel: what was applied stays.
      const cancelId = (await catalogs.bulkCreateCatalogItems(createItemsJob('CANCEL', 2))).body.data.id!;
      await page.goto(`${server.url}/console#/jobs/${ITEM_JOB}/${cancelId}`);
      await page.getByRole('button', { name: 'Cancel job' }).click();
      await page.getByTestId('job-status').filter({ hasText: 'cancelled' }).waitFor();

      // The jobs list, filtered by status, shows every kind's jobs.
      await page.goto(`${server.url}/console#/jobs`);
      await page.getByRole('link', { name: cancelId }).waitFor();
      await page.getByLabel('Status').selectOption('complete');
      await page.getByRole('link', { name: cancelId }).waitFor({ state: 'detached' });
      await page.getByRole('link', { name: updateId }).waitFor();
      const statuses = await page.locator('main tbody tr td:nth-child(3)').allTextContents();
      assert.deepEqual([...new Set(statuses)], ['complete']);
      assert.equal(statuses.length, 2);
      await page.getByLabel('Status').selectOption('');
      await page.getByRole('link', { name: cancelId }).waitFor();
      await screenshot(page, 'jobs');
      assert.deepEqual(w.problems, []);
      await page.close();
    });
  });

  describe('console in Chromium, realistic pace with a separate worker process', () => {
    let server: RunningServer;
    const pace = { CATALOG_JOB_PACE: 'realistic', CATALOG_JOB_PACE_SCALE: '0.001' };
    before(async () => {
      // No worker in the API process: the job stays processing until the test starts one.
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), args: ['--no-worker'], env: { ...pace, CATALOG_STREAM_POLL_MS: '50' } });
    });
    after(() => server.stop());

    it('shows a job go from processing to complete without a reload', async () => {
      const jobId = (await sdk(server.url, server.key).bulkCreateCatalogItems(createItemsJob('REAL', 4))).body.data.id!;
      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server);
      await page.getByRole('heading', { name: 'Items', level: 1 }).waitFor();
      await page.goto(`${server.url}/console#/jobs/${ITEM_JOB}/${jobId}`);
      const status = page.getByTestId('job-status');
      await status.filter({ hasText: 'processing' }).waitFor();
      await page.getByText("Live: updates arrive from the server's job event stream.").waitFor();
      await page.getByText('0 of 4 resources tried').waitFor();
      await screenshot(page, 'job-processing');
      // Set on this document: a reload would lose it.
      await page.evaluate(() => ((window as any).notReloaded = true));

      const worker = await startWorker(server.databaseUrl, pace);
      try {
        await status.filter({ hasText: 'complete' }).waitFor();
      } finally {
        await worker.stop();
      }
      assert.equal(await page.evaluate(() => (window as any).notReloaded), true, 'the page was not reloaded');
      await page.getByText('4 of 4 resources tried: 4 completed, 0 failed').waitFor();
      assert.equal(await page.getByLabel('Progress').getAttribute('value'), '4');
      assert.equal(await page.getByRole('row', { name: /^completed_at / }).locator('td').textContent().then((t) => t === '—'), false);
      await page.getByRole('link', { name: 'REAL-3' }).waitFor();
      await screenshot(page, 'job-complete');
      assert.equal(requestsTo(w, `/__admin/jobs/${jobId}/stream`).length, 1, 'one stream, no reconnects or polling');
      assert.equal(requestsTo(w, `/api/catalog-item-bulk-create-jobs/${jobId}`).length, 1, 'the job was read once, then streamed');
      assert.deepEqual(w.problems, []);
      await page.close();
    });
  });

  describe('console in Chromium, journal, faults and server controls', () => {
    let server: RunningServer;
    const adminToken = 'console-admin-token-0123456789';
    before(async () => {
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_ADMIN_TOKEN: adminToken } });
    });
    after(() => server.stop());

    /** The text of the `figure.json` block whose caption starts with `caption`. */
    const block = (page: Page, caption: string) => page.locator('figure.json', { has: page.locator('figcaption', { hasText: caption }) }).locator('pre').textContent();

    it('tails the journal live: a request made with the SDK appears without a reload, with its bodies and a curl command without the key', async () => {
      const w = await openPage(browser);
      const { page } = w;
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
      await signIn(page, server);
      await page.getByRole('link', { name: 'Journal' }).click();
      await page.getByRole('heading', { name: 'Journal', level: 1 }).waitFor();
      // Shown once the stream answered: from then on the server sends every new entry.
      await page.getByText('Live: new requests appear at the top.').waitFor();
      await page.evaluate(() => ((window as any).notReloaded = true));

      const title = 'Journal <b data-injected=1>shirt</b>';
      const created = await sdk(server.url, server.key).createCatalogItem({ data: { type: 'catalog-item' as any, attributes: itemAttributes('JOURNAL-1', title) } });
      const row = page.getByRole('row').filter({ hasText: 'create_catalog_item' });
      await row.waitFor();
      assert.equal(await page.evaluate(() => (window as any).notReloaded), true, 'the page was not reloaded');
      assert.deepEqual((await row.locator('td').allTextContents()).slice(1, 5), ['POST', '/api/catalog-items', 'create_catalog_item', '201']);

      await row.getByRole('button').click();
      await page.getByRole('heading', { name: 'POST /api/catalog-items', level: 2 }).waitFor();
      const sent = JSON.parse((await block(page, 'Request body'))!);
      assert.equal(sent.data.attributes.title, title);
      assert.equal(sent.data.attributes.external_id, 'JOURNAL-1');
      const answered = JSON.parse((await block(page, 'Response body'))!);
      assert.equal(answered.data.id, created.body.data.id);
      assert.equal(answered.data.attributes.title, title);
      const requestHeaders = page.getByRole('region', { name: 'Request headers' });
      assert.equal(await requestHeaders.getByRole('row', { name: /^authorization / }).locator('td').textContent(), 'Klaviyo-API-Key …(elided)');
      assert.equal(await page.locator('[data-injected]').count(), 0, 'bodies are text, never markup');

      const curl = (await block(page, 'As curl'))!;
      assert.ok(curl.startsWith(`curl -X POST '${server.url}/api/catalog-items'`), curl);
      assert.match(curl, /-H "authorization: Klaviyo-API-Key \$KLAVIYO_API_KEY"/);
      assert.match(curl, /--data-raw '\{"data":\{"type":"catalog-item"/);
      await page.getByRole('button', { name: 'Copy as curl' }).click();
      await page.getByText('Copied.').waitFor();
      const copied = await page.evaluate(() => navigator.clipboard.readText());
      assert.equal(copied, curl);
      for (const text of [copied, await page.content()]) {
        assert.ok(!text.includes(server.key), 'the key is in neither the page nor the copied command');
        assert.ok(!text.includes(server.key.slice(7)), 'nor any of it past its prefix');
      }
      await screenshot(page, 'journal');
      assert.equal(requestsTo(w, '/__admin/journal/stream').length, 1, 'one stream, no polling');
      assert.deepEqual(w.problems, []);
      await page.close();
    });

    it('adds a 503 rule for an operation with the form, sees it fire in the journal and counted, and deletes it', async () => {
      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server);
      await page.getByRole('link', { name: 'Faults' }).click();
      await page.getByText('No fault rules.').waitFor();
      await page.getByLabel('Operation').selectOption('create_catalog_item');
      assert.equal(await page.getByLabel('Action').inputValue(), 'status');
      await page.getByLabel('Status', { exact: true }).fill('503');
      await page.getByRole('button', { name: 'Add rule' }).click();
      const rule = page.getByRole('region', { name: 'Fault rules' }).getByRole('row').filter({ hasText: 'create_catalog_item' });
      await rule.waitFor();
      const ruleId = (await rule.locator('td code').textContent())!;
      assert.equal(await rule.getByTestId('fired').textContent(), '0');
      const [listed] = (await (await fetch(`${server.url}/__admin/faults`, { headers: { authorization: `Klaviyo-API-Key ${server.key}` } })).json()).data;
      assert.equal(listed.id, ruleId);
      assert.deepEqual(listed.attributes.action, { type: 'status', status: 503, code: 'service_unavailable' });
      assert.equal(listed.attributes.when, 'before');

      // The client used for these tests retries nothing, so the 503 reaches it.
      const catalogs = sdk(server.url, server.key);
      await assert.rejects(
        catalogs.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: itemAttributes('FAULTED') } }),
        (err: any) => err.response.status === 503 && err.response.data.errors[0].code === 'service_unavailable',
      );
      // Only the rule's operation fails.
      assert.equal((await catalogs.getCatalogItems()).body.data.length, 1);

      await page.getByRole('link', { name: 'Journal' }).click();
      await page.getByLabel('Status').selectOption('5xx');
      const faulted = page.getByRole('row').filter({ hasText: 'create_catalog_item' });
      await faulted.locator('td:nth-child(5)', { hasText: '503' }).waitFor();
      assert.equal(await page.locator('table.journal tbody tr').count(), 1, 'the 5xx filter leaves the faulted request alone');
      assert.equal(await faulted.locator('td').nth(6).textContent(), `status 503 (service_unavailable) before (rule ${ruleId})`);
      await faulted.getByRole('button').click();
      assert.equal(await page.getByTestId('entry-fault').textContent(), `Fault: status 503 (service_unavailable) before (rule ${ruleId})`);
      assert.equal(JSON.parse((await block(page, 'Response body'))!).errors[0].status, 503);
      await screenshot(page, 'journal-fault');

      await page.getByRole('link', { name: 'Faults' }).click();
      await rule.getByTestId('fired').filter({ hasText: '1' }).waitFor();
      await screenshot(page, 'faults');
      await page.getByRole('button', { name: `Delete rule ${ruleId}` }).click();
      await page.getByText('No fault rules.').waitFor();
      await catalogs.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: itemAttributes('UNFAULTED') } });
      assert.deepEqual(w.problems, []);
      await page.close();
    });

    it('with the admin token: creates an account whose key is shown once, revokes a key, advances the clock', async () => {
      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server, adminToken);
      await page.getByRole('heading', { name: 'Server', level: 1 }).waitFor();
      const clock = page.getByRole('region', { name: 'Clock' });
      const clockValue = (name: string) => clock.getByRole('row', { name: new RegExp(`^${name} `) }).locator('td').textContent();
      assert.equal(await clockValue('offset_seconds'), '0');

      await page.getByRole('button', { name: 'Create an account with a key' }).click();
      const shown = page.getByTestId('new-key');
      await shown.waitFor();
      const key = (await shown.textContent())!;
      const account = (await page.locator('.notice.secret strong').textContent())!;
      assert.match(key, /^pk_[A-Za-z0-9]+$/);
      assert.match(account, /^acct_/);
      // The key works, for its own account only: the new account holds nothing of the default one.
      const theirs = sdk(server.url, key);
      assert.deepEqual((await theirs.getCatalogItems()).body.data, []);
      await theirs.createCatalogItem({ data: { type: 'catalog-item' as any, attributes: itemAttributes('NEW-ACCOUNT') } });

      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: account }) });
      await row.getByText(`${key.slice(0, 7)}…`).waitFor();
      await screenshot(page, 'server');
      // Shown once: read again, the page lists the key by its prefix only.
      await page.reload();
      await row.getByText(`${key.slice(0, 7)}…`).waitFor();
      assert.equal(await page.getByTestId('new-key').count(), 0);
      assert.ok(!(await page.content()).includes(key));

      await row.getByRole('button', { name: /^Revoke key / }).click();
      await row.getByText(/\(revoked /).waitFor();
      await assert.rejects(theirs.getCatalogItems(), (err: any) => err.response.status === 401);

      await page.getByLabel('Advance by (seconds)').fill('3600');
      await page.getByRole('button', { name: 'Advance' }).click();
      await clock.getByRole('row', { name: /^offset_seconds 3600$/ }).waitFor();
      assert.equal(await clockValue('real'), 'false');
      const read = await (await fetch(`${server.url}/__admin/clock`, { headers: { authorization: `Bearer ${adminToken}` } })).json();
      assert.equal(read.data.attributes.offset_seconds, 3600);
      assert.ok(Math.abs(Date.parse(read.data.attributes.now) - Date.now() - 3_600_000) < 60_000, 'an hour ahead');
      await page.getByRole('button', { name: 'Back to real time' }).click();
      await clock.getByRole('row', { name: /^offset_seconds 0$/ }).waitFor();
      assert.deepEqual(w.problems, []);
      await page.close();
    });
  });

  describe('console in Chromium, a server without controls', () => {
    let server: RunningServer;
    before(async () => {
      server = await startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_CONTROLS: 'off', CATALOG_JOB_PACE: 'manual' } });
    });
    after(() => server.stop());

    it('says which views need controls, and follows jobs by reading them', async () => {
      const jobId = (await sdk(server.url, server.key).bulkCreateCatalogItems(createItemsJob('OFF', 1))).body.data.id!;
      const w = await openPage(browser);
      const { page } = w;
      await signIn(page, server, 'an-admin-token');
      await page.getByRole('alert').filter({ hasText: 'This server has no admin controls' }).waitFor();
      await page.getByLabel('API key or admin token').fill(server.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('link', { name: 'Journal' }).click();
      await page.getByText('The request journal is not available on this server: GET /__admin/journal answered 404.').waitFor();
      await page.getByRole('link', { name: 'Faults' }).click();
      await page.getByText('Fault injection is not available on this server: GET /__admin/faults answered 404.').waitFor();
      await page.goto(`${server.url}/console#/jobs/${ITEM_JOB}/${jobId}`);
      await page.getByText('This server has no job event stream; reading the job every 2 s.').waitFor();
      await page.getByRole('button', { name: 'Complete' }).click();
      await page.getByRole('alert').filter({ hasText: 'The step failed: 404' }).waitFor();
      assert.deepEqual(w.problems, []);
      await page.close();
    });
  });
}
