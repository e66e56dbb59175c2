// `npm run demo` on a Node too old for node:sqlite: one line and exit 1, before any build or import.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './run-service.mjs';

// The system Node of this machine is 20; the test needs one older than 22.18 to mean anything.
const OLD_NODE = '/usr/bin/node';
const version = existsSync(OLD_NODE)
  ? execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : undefined;
const [major = 0, minor = 0] = (version ?? '').split('.').map(Number);
const isOld = version !== undefined && (major < 22 || (major === 22 && minor < 18));

describe.skipIf(!isOld)(
  `npm run demo on ${OLD_NODE} (skipped when it is missing or >= 22.18: ${version ?? 'missing'})`,
  () => {
    it('prints one line naming the Node version it needs and exits 1, with no stack trace', () => {
      const run = spawnSync(OLD_NODE, [join(root, 'examples', 'demo', 'demo.mjs'), '--no-wait'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, NO_COLOR: '1' },
      });
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `npm run demo needs Node.js >= 22.18 (for node:sqlite); this is Node.js ${version}.\n`,
      );
      expect(run.status).toBe(1);
    });
  },
);
