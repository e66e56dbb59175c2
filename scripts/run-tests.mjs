#!/usr/bin/env node
// The project's test command (`npm test`): build, typecheck, lint, run every package's vitest
// suite and the package checks, then print one closing `N passed, N failed` line computed from
// the vitest JSON reports each package writes to `.vitest/results.json`.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
// The root package.json's workspaces: `packages/*`, `examples/*`, `tests/*` and `bench`.
const workspaces = [
  ...['packages', 'examples', 'tests'].flatMap((dir) =>
    existsSync(join(root, dir))
      ? readdirSync(join(root, dir), { withFileTypes: true })
          .filter((d) => d.isDirectory() && existsSync(join(root, dir, d.name, 'package.json')))
          .map((d) => join(root, dir, d.name))
      : [],
  ),
  join(root, 'bench'),
];
const reportOf = (ws) => join(ws, '.vitest', 'results.json');
for (const ws of workspaces) rmSync(reportOf(ws), { force: true });

const extra = process.argv.slice(2);
const env = { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' };
const run = (cmd, args) => spawnSync(cmd, args, { cwd: root, env, stdio: 'inherit' }).status ?? 1;
const turbo = run('npx', [
  'turbo',
  'run',
  'build',
  'typecheck',
  'test',
  'check:pkg',
  '--continue',
  '--output-logs=errors-only',
  ...extra,
]);
const lint = run('npx', ['biome', 'ci', '.']);

let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(join(ws, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  if (!existsSync(reportOf(ws))) {
    missing.push(pkg.name);
    continue;
  }
  const report = JSON.parse(readFileSync(reportOf(ws), 'utf8'));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + report.numTodoTests;
  // A file that fails outside its tests (it does not load, or a beforeAll/afterAll hook fails)
  // has no failed test of its own: count the file as one failure, or the run would be red
  // while the summary says 0 failed.
  for (const file of report.testResults ?? []) {
    const own = (file.assertionResults ?? []).filter((a) => a.status === 'failed').length;
    if (file.status === 'failed' && own === 0) failed += 1;
  }
}
if (missing.length > 0) {
  console.error(`no test report from: ${missing.join(', ')} (its test task did not run)`);
  failed += missing.length;
}
if (turbo !== 0) console.error('turbo reported a failing task (see the log above)');
if (lint !== 0) console.error('biome ci reported problems (see the log above)');
if (skipped) console.log(`${skipped} skipped`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(turbo !== 0 || lint !== 0 || failed > 0 ? 1 : 0);
