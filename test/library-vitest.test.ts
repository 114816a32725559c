// Library mode under Vitest: runs test/vitest/library.spec.ts (the README's Vitest example, importing the
// package by name) with Vitest itself and reads its JSON report.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { it } from 'node:test';

const ROOT = join(import.meta.dirname, '..');

it('runs the Vitest example suite: every test passes', () => {
  const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
  const r = spawnSync(process.execPath, [vitest, 'run', '--root', join(ROOT, 'test', 'vitest'), '--reporter=json'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
  assert.deepEqual([report.numTotalTests, report.numPassedTests, report.numFailedTests], [3, 3, 0]);
  assert.deepEqual(report.testResults[0].assertionResults.map((t: any) => t.status), ['passed', 'passed', 'passed']);
});
