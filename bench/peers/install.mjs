#!/usr/bin/env node
// Installs the peers in two folders outside the npm workspaces (they must never enter the
// monorepo's lockfile): `sdk3-*` = each peer next to this project's OTel line, `sdk2` = the line they
// support. Records what npm said in `install-log.json`, which the peers benchmark reports.
// Needs the npm registry. Usage: node bench/peers/install.mjs
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const log = {};
for (const line of ['sdk3-openinference', 'sdk3-langfuse', 'sdk2']) {
  const dir = `${here}${line}`;
  const run = (extra) =>
    spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', ...extra], {
      cwd: dir,
      encoding: 'utf8',
    });
  const first = run([]);
  const lines = (first.stderr + first.stdout)
    .split('\n')
    .filter((l) => l && !l.includes('Unknown user config'));
  const entry = {
    plainInstall: first.status === 0 ? 'ok' : 'failed',
    npmSaid: lines
      .filter((l) => /ERESOLVE|Could not resolve|Conflicting|peer @opentelemetry\/api/.test(l))
      .slice(0, 8),
  };
  if (first.status !== 0) {
    // Install anyway, ignoring peers, to see whether the code would load at all.
    const forced = run(['--legacy-peer-deps']);
    entry.legacyPeerDepsInstall = forced.status === 0 ? 'ok' : 'failed';
  }
  log[line] = entry;
  console.log(line, entry.plainInstall, entry.legacyPeerDepsInstall ?? '');
}
writeFileSync(`${here}install-log.json`, `${JSON.stringify(log, null, 2)}\n`);
