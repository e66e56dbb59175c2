// Item 2: the peers' processors. First, can each one load next to this project's OTel line
// (API 1.10, SDK 3)? Each was installed on its own in bench/peers/sdk3-<peer> by
// bench/peers/install.mjs; this reports what npm said and the exact error of loading it.
// Then, where they do load (their own line, SDK 2, in bench/peers/sdk2), it measures them
// against the plain SDK 2 pipeline in one process.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { finish, runChild } from '../lib/child.mjs';

const quick = process.argv.includes('--quick');
process.send?.({ type: 'ready' });
const peersDir = fileURLToPath(new URL('../peers/', import.meta.url));
const PEERS = [
  {
    id: 'openinference',
    pkg: '@arizeai/openinference-vercel',
    label: '`@arizeai/openinference-vercel` 3.2.1 (OpenInferenceBatchSpanProcessor)',
  },
  {
    id: 'langfuse',
    pkg: '@langfuse/otel',
    label: '`@langfuse/otel` 5.11.1 (LangfuseSpanProcessor)',
  },
];
let installLog;
try {
  installLog = JSON.parse(readFileSync(`${peersDir}install-log.json`, 'utf8'));
} catch {
  installLog = undefined;
}

const rows = [];
for (const peer of PEERS) {
  const dir = `${peersDir}sdk3-${peer.id}/`;
  const log = installLog?.[`sdk3-${peer.id}`];
  if (!log || !existsSync(`${dir}node_modules`)) {
    rows.push({
      label: peer.label,
      result: 'not installed here: run `node bench/peers/install.mjs` (needs the registry)',
    });
    continue;
  }
  const install =
    log.plainInstall === 'ok'
      ? `\`npm install\` succeeded${log.npmSaid.length ? ` with \`${log.npmSaid[0]}\`` : ''}`
      : `\`npm install\` failed: \`${log.npmSaid
          .filter((l) => !l.includes('code ERESOLVE'))
          .slice(0, 4)
          .join(' ')
          .replace(/npm error /g, '')}\`; installed with \`--legacy-peer-deps\` to try loading it`;
  // Load it from the peer's folder, as an app that installed it there would.
  const probe = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import(${JSON.stringify(peer.pkg)}).then(() => console.log('LOADED'), (e) => console.log(e.code + ': ' + e.message))`,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  const said = probe.stdout.trim().replaceAll(peersDir, 'bench/peers/');
  const load = said === 'LOADED' ? 'loads' : `\`import('${peer.pkg}')\` throws \`${said}\``;
  rows.push({ label: peer.label, result: `${install}. ${load}.`, loads: load === 'loads' });
}

let sdk2;
let sdk2Error;
if (installLog?.sdk2?.plainInstall === 'ok' && existsSync(`${peersDir}sdk2/node_modules`)) {
  try {
    sdk2 = await runChild('peers/sdk2/measure.mjs', quick ? ['--quick'] : [], {
      execArgv: ['--expose-gc'],
    });
  } catch (error) {
    sdk2Error = String(error?.message ?? error);
  }
}
finish({ rows, sdk2, sdk2Error });
