// Fixtures and exec from the command line: `catalog-server export` / `import` (JSON fixtures and a CSV feed of
// 10,000 rows, with a progress bar on a terminal), CATALOG_SEED at the first start, and `exec -- <command>`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { forEachStore } from './support/targets.ts';
import { CLI, cli, sdk, sqliteTarget, startServer, type RunningServer } from './support/server.ts';

const id = (externalId: string) => `$custom:::$default:::${externalId}`;
const ROWS = 10_000;

function run(args: string[], env: Record<string, string | undefined> = {}) {
  return spawnSync(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function tempFile(name: string, content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'catalog-cli-')), name);
  writeFileSync(path, content);
  return path;
}

/** A feed in the documented format: quoted cells with commas and quotes, lists, JSON metadata, empty cells. */
function feed(rows: number): string {
  const lines = ['external_id,title,description,url,price,published,images,categories,custom_metadata'];
  for (let i = 0; i < rows; i++) {
    const sku = `SKU-${String(i).padStart(5, '0')}`;
    lines.push([
      sku, `"Shirt ""${i}"""`, `"Soft, blue shirt number ${i}"`, `https://shop.example/p/${i}`, (i / 4).toFixed(2),
      i % 3 ? 'true' : 'false', i % 2 ? 'https://img.example/a.jpg|https://img.example/b.jpg' : '',
      i % 5 ? 'shirts' : 'shirts|sale', i % 4 ? '' : `"{""batch"":${i}}"`,
    ].join(','));
  }
  return `${lines.join('\n')}\n`;
}

await forEachStore('export and import from the command line', (target) => {
  let server: RunningServer;
  before(async () => {
    server = await startServer({ databaseUrl: await target.freshDatabaseUrl() });
  });
  after(() => server.stop());

  it('exports an account to a file and imports it into another account, which then exports identically', async () => {
    const api = sdk(server.url, server.key);
    await api.createCatalogCategory({ data: { type: 'catalog-category', attributes: { externalId: 'CAT', name: 'Cat' } } });
    for (const x of ['B', 'A']) {
      await api.createCatalogItem({ data: { type: 'catalog-item', attributes: { externalId: x, title: x, description: 'd', url: 'https://shop.example/x', images: ['https://img.example/1.jpg'] }, relationships: { categories: { data: [{ type: 'catalog-category', id: id('CAT') }] } } } });
    }
    await api.createCatalogVariant({ data: { type: 'catalog-variant', attributes: { externalId: 'A-1', title: 'v', description: 'd', sku: 'A1', inventoryQuantity: 0, price: 3, url: 'u' }, relationships: { item: { data: { type: 'catalog-item', id: id('A') } } } } });
    const text = cli(server.databaseUrl, ['export']);
    assert.deepEqual(JSON.parse(text).data.attributes.items.map((i: any) => i.external_id), ['A', 'B']);
    const file = tempFile('fixture.json', text);
    assert.match(cli(server.databaseUrl, ['import', file, '--account', 'copy']), /imported 2 items, 1 variants and 1 categories into account "copy"/);
    assert.equal(cli(server.databaseUrl, ['export', '--account', 'copy']), text);
    const bad = tempFile('bad.json', JSON.stringify({ data: { type: 'catalog-fixture', attributes: { items: [{ external_id: 'Z', title: 'z', description: 'd' }] } } }));
    const refused = run(['import', bad, '--account', 'copy'], { DATABASE_URL: server.databaseUrl });
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /bad\.json \(\/data\/attributes\/items\/0\/url\): 'url' is a required field\./);
  });
});

it(`imports a CSV feed of ${ROWS.toLocaleString('en')} rows, all of it readable through the API`, async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const path = tempFile('feed.csv', feed(ROWS));
  const imported = run(['import', path], { DATABASE_URL: databaseUrl });
  assert.equal(imported.status, 0, imported.stderr);
  assert.equal(imported.stdout.trim(), `imported ${ROWS} items, 0 variants and 2 categories into account "default"`);
  assert.doesNotMatch(imported.stderr, /\[#/, 'no progress bar when stderr is not a terminal');

  const exportRun = run(['export'], { DATABASE_URL: databaseUrl });
  assert.equal(exportRun.status, 0, exportRun.stderr);
  const exported = JSON.parse(exportRun.stdout).data.attributes;
  assert.equal(exported.items.length, ROWS);
  assert.deepEqual(exported.categories.map((c: any) => [c.external_id, c.name]), [['sale', 'sale'], ['shirts', 'shirts']]);
  const server = await startServer({ databaseUrl });
  try {
    const api = sdk(server.url, server.key);
    const row = (await api.getCatalogItem(id('SKU-04244'))).response.data.data.attributes;
    assert.deepEqual(
      [row.title, row.description, row.price, row.published, row.images, row.custom_metadata],
      ['Shirt "4244"', 'Soft, blue shirt number 4244', 1061, true, [], { batch: 4244 }],
    );
    const odd = (await api.getCatalogItem(id('SKU-00003'))).response.data.data.attributes;
    assert.deepEqual([odd.published, odd.images, odd.custom_metadata, odd.price], [false, ['https://img.example/a.jpg', 'https://img.example/b.jpg'], null, 0.75]);
    const sale = (await api.getItemIdsForCatalogCategory(id('sale'))).response.data;
    assert.deepEqual(sale.data.slice(0, 2).map((r: any) => r.id), [id('SKU-00000'), id('SKU-00005')]);
  } finally {
    await server.stop();
  }
});

it('draws a progress bar while it reads a feed on a terminal', { skip: existsSync('/usr/bin/script') ? false : 'needs script(1) for a pseudo-terminal' }, async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const path = tempFile('feed.csv', feed(2_000));
  // script(1) runs the command on a pseudo-terminal, as a developer's shell would.
  const r = spawnSync('script', ['-qec', `"${process.execPath}" "${CLI}" import "${path}"`, '/dev/null'], { env: { ...process.env, DATABASE_URL: databaseUrl }, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout);
  assert.match(r.stdout, new RegExp(`\\rreading ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\[#{30}\\] 100%`));
  assert.match(r.stdout, /imported 2000 items/);
});

it('names the line and column of a bad cell, and stores nothing of a feed that fails', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const cases: [string, RegExp][] = [
    ['external_id,title,description,url,price\nA,a,d,u,1\nB,b,d,u,cheap\n', /feed\.csv: line 3, column price: 'cheap' is not a number\./],
    ['external_id,title,description,url,published\nA,a,d,u,maybe\n', /line 2, column published: 'maybe' is not true or false/],
    ['external_id,title,description,url,custom_metadata\nA,a,d,u,[1]\n', /line 2, column custom_metadata: is not a JSON object/],
    ['external_id,title,description,url,colour\n', /line 1: unknown column 'colour'/],
    ['external_id,title,url\n', /line 1: the feed needs the columns description/],
    ['external_id,title,description,url\nA,a,d,u\nA,again,d,u\n', /\(line 3, column external_id\): 'A' is also at/],
    [`external_id,title,description,url\nA,${'x'.repeat(1001)},d,u\n`, /\(line 2, column title\): /],
  ];
  for (const [content, message] of cases) {
    const r = run(['import', tempFile('feed.csv', content)], { DATABASE_URL: databaseUrl });
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(JSON.parse(cli(databaseUrl, ['export'])).data.attributes.items, []);
  const missing = run(['import', '/nonexistent/feed.json'], { DATABASE_URL: databaseUrl });
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /\/nonexistent\/feed\.json: ENOENT/);
  assert.equal(run(['import'], { DATABASE_URL: databaseUrl }).status, 2, 'usage');
});

it('CATALOG_SEED imports a fixture or a feed into the default account at the first start only', async () => {
  const databaseUrl = await sqliteTarget.freshDatabaseUrl();
  const seed = tempFile('seed.csv', 'external_id,title,description,url,categories\nSEEDED,Seeded,d,https://shop.example/s,new\n');
  const first = await startServer({ databaseUrl, env: { CATALOG_SEED: seed } });
  const api = sdk(first.url, first.key);
  try {
    assert.equal((await api.getCatalogItem(id('SEEDED'))).response.data.data.attributes.title, 'Seeded');
    await api.deleteCatalogItem(id('SEEDED'));
  } finally {
    await first.stop();
  }
  const second = await startServer({ databaseUrl, env: { CATALOG_SEED: seed } });
  try {
    assert.deepEqual((await sdk(second.url, second.key).getCatalogItems()).response.data.data, [], 'an account that holds something (a category) is not seeded again');
  } finally {
    await second.stop();
  }
  const broken = tempFile('seed.json', JSON.stringify({ data: { type: 'catalog-fixture', attributes: { items: [{ external_id: 'X' }] } } }));
  await assert.rejects(startServer({ databaseUrl: await sqliteTarget.freshDatabaseUrl(), env: { CATALOG_SEED: broken } }), /exited with 2:[\s\S]*CATALOG_SEED: .*seed\.json \(\/data\/attributes\/items\/0\/title\): 'title' is a required field/);
});

it('exec runs a command against a fresh server, passes its exit status on, and stops the server', async () => {
  const used = await sqliteTarget.freshDatabaseUrl();
  cli(used, ['import', tempFile('f.json', JSON.stringify({ data: { type: 'catalog-fixture', attributes: { items: [{ external_id: 'OLD', title: 't', description: 'd', url: 'u' }] } } }))]);
  const script = `
    const headers = { authorization: 'Klaviyo-API-Key ' + process.env.KLAVIYO_API_KEY, revision: '2026-04-15' };
    const items = await (await fetch(process.env.KLAVIYO_BASE_URL + '/api/catalog-items', { headers })).json();
    const clock = await fetch(process.env.KLAVIYO_BASE_URL + '/__admin/clock', { headers: { authorization: 'Bearer ' + process.env.CATALOG_ADMIN_TOKEN } });
    console.log(JSON.stringify({ url: process.env.KLAVIYO_BASE_URL, items: items.data.length, clock: clock.status }));
    process.exit(7);`;
  const r = run(['exec', '--', process.execPath, '--input-type=module', '-e', script], { DATABASE_URL: used });
  assert.equal(r.status, 7, r.stderr);
  const seen = JSON.parse(r.stdout.trim().split('\n').pop()!);
  assert.deepEqual([seen.items, seen.clock], [0, 200], 'a fresh database whatever DATABASE_URL says, with the controls on');
  assert.match(seen.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await assert.rejects(fetch(`${seen.url}/healthz`), 'the server is gone');

  assert.equal(run(['exec', '--', process.execPath, '-e', 'process.exit(0)']).status, 0);
  const missing = run(['exec', '--', 'no-such-command-anywhere']);
  assert.equal(missing.status, 127);
  assert.match(missing.stderr, /cannot run no-such-command-anywhere/);
  assert.equal(run(['exec']).status, 2, 'usage');
});
