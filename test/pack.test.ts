// The package as a user gets it: `npm pack`, installed from the tarball into an empty folder (with the official
// SDK beside it), then a node:test file there that uses startCatalogServer() with the SDK, `npx catalog-server
// exec -- node check.js`, `npx catalog-server serve`, and a TypeScript file type-checked against the shipped
// types. Installing compiles better-sqlite3 from source, so this takes a minute or two.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = join(import.meta.dirname, '..');
const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version;

/** The environment of a user's shell: without the marker that makes a nested `node --test` report to this runner. */
const { NODE_TEST_CONTEXT: _, ...userEnv } = process.env;

function sh(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, env: userEnv, encoding: 'utf8', timeout: 480_000, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, `${command} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r;
}

const CHECK_TEST = `
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ApiKeySession, CatalogsApi } from 'klaviyo-api';
import { startCatalogServer } from 'klaviyo-catalog-server';

let server;
before(async () => { server = await startCatalogServer(); });
after(() => server.stop());

it('serves the official SDK and the controls from the installed package', async () => {
  const { apiKey, controls } = await server.newAccount();
  const catalogs = new CatalogsApi(new ApiKeySession(apiKey));
  catalogs.basePath = server.url;
  await catalogs.createCatalogItem({ data: { type: 'catalog-item', attributes: { externalId: 'PACKED', title: 'Packed', description: 'd', url: 'https://shop.example/p' } } });
  assert.equal((await catalogs.getCatalogItem('$custom:::$default:::PACKED')).body.data.attributes.title, 'Packed');
  assert.deepEqual((await controls.exportFixture()).data.attributes.items.map((i) => i.external_id), ['PACKED']);
});
`;

const CHECK_JS = `
import { ApiKeySession, CatalogsApi } from 'klaviyo-api';
const catalogs = new CatalogsApi(new ApiKeySession(process.env.KLAVIYO_API_KEY));
catalogs.basePath = process.env.KLAVIYO_BASE_URL;
await catalogs.createCatalogItem({ data: { type: 'catalog-item', attributes: { externalId: 'EXEC', title: 'Exec', description: 'd', url: 'https://shop.example/e' } } });
const items = await catalogs.getCatalogItems();
console.log('check: ' + items.body.data.map((i) => i.id).join(','));
process.exit(items.body.data.length === 1 ? 0 : 1);
`;

const TYPES_TS = `
import { startCatalogServer, CatalogControls, ControlError, type CatalogServer, type CatalogFixture, type Pace } from 'klaviyo-catalog-server';
const server: CatalogServer = await startCatalogServer({ jobPace: 'manual', rateLimits: false });
const pace: Pace = (await server.controls.getJobPace()).pace;
const fixture: CatalogFixture = await server.controls.exportFixture();
const firstTitle: string | undefined = fixture.data.attributes.items?.[0]?.title;
// @ts-expect-error not a pace: the shipped types say which are
await server.controls.setJobPace('slow');
const other = new CatalogControls(server.url, { apiKey: server.apiKey });
console.log(pace, firstTitle, other.url, new ControlError(400, []) instanceof Error);
`;

/** `npx catalog-server serve` until it says where it listens; then SIGTERM to its process group. */
async function serveOnce(cwd: string): Promise<{ healthz: number; exit: number | string | null; output: string }> {
  const child = spawn('npx', ['catalog-server', 'serve'], {
    cwd, detached: true, env: { ...userEnv, PORT: '0', DATABASE_URL: `sqlite:${join(cwd, 'data', 'catalog.db')}` }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const m = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}:\n${output}`)));
  });
  const healthz = (await fetch(`${url}/healthz`)).status;
  // npx itself dies of the signal; the server under it stops cleanly (exit 0), or npx would say otherwise.
  const exited = new Promise<number | string | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  process.kill(-child.pid!, 'SIGTERM');
  return { healthz, exit: await exited, output };
}

it('packs into a tarball that installs in an empty folder and works there without dev dependencies', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'catalog-pack-'));
  const packed = sh('npm', ['pack', ROOT, '--pack-destination', dir, '--loglevel=error'], dir).stdout.trim().split('\n').pop()!;
  assert.equal(packed, `klaviyo-catalog-server-${VERSION}.tgz`);
  const files = sh('tar', ['tzf', join(dir, packed)], dir).stdout.trim().split('\n');
  assert.deepEqual(files.filter((f) => !/^package\/dist\/.+\.(js|d\.ts)$/.test(f)).sort(), ['package/README.md', 'package/package.json']);
  assert.ok(files.includes('package/dist/index.d.ts') && files.includes('package/dist/cli.js'));

  const app = join(dir, 'app');
  sh('mkdir', [app], dir);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'pack-check', private: true, type: 'module' }));
  sh('npm', ['install', join(dir, packed), 'klaviyo-api@^23', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], app);
  for (const dev of ['typescript', 'tsx', 'vitest', 'fast-check', 'autocannon']) assert.ok(!existsSync(join(app, 'node_modules', dev)), `${dev} is not installed`);

  writeFileSync(join(app, 'check.test.mjs'), CHECK_TEST);
  const tested = sh(process.execPath, ['--test', 'check.test.mjs'], app);
  assert.match(tested.stdout, /# pass 1\n# fail 0/);

  writeFileSync(join(app, 'check.js'), CHECK_JS);
  const executed = sh('npx', ['catalog-server', 'exec', '--', 'node', 'check.js'], app);
  assert.match(executed.stdout, /check: \$custom:::\$default:::EXEC/);
  writeFileSync(join(app, 'fail.js'), 'process.exit(5)');
  assert.equal(spawnSync('npx', ['catalog-server', 'exec', '--', 'node', 'fail.js'], { cwd: app, env: userEnv }).status, 5);

  const served = await serveOnce(app);
  assert.equal(served.healthz, 200);
  assert.ok(served.exit === 0 || served.exit === 'SIGTERM', `${served.exit}: ${served.output}`);
  assert.match(served.output, /Created a full-access API key/);

  // The shipped types, as a TypeScript project using the package sees them.
  writeFileSync(join(app, 'types.ts'), TYPES_TS);
  sh(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext',
    '--target', 'es2022', '--skipLibCheck', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', 'types.ts'], app);
});
