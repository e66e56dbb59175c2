// Diagnostic, not part of `npm run bench`: where the real demo's tracing cost goes (table 5).
// Runs `npm run demo`'s default pair (OpenAI Agents A → Google ADK B, real SDKs, local model, an
// OTLP sink) twice, tracing on then off, profiles both services over the same requests after a
// warm-up, and prints CPU milliseconds per request by group of code, on, off and added.
// Usage: node bench/profile-demo.mjs [requests=400]   (after `npm run build`)
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { postJson, startService } from '@galileo-otel/example-demo/run-service.mjs';
import { startChild } from './lib/child.mjs';
import { sleep } from './lib/stats.mjs';

const requests = Number(process.argv[2] ?? 400);
const WARMUP = 40;
const dir = mkdtempSync(join(tmpdir(), 'profile-demo-'));
const preload = fileURLToPath(new URL('./e2e/profile-preload.mjs', import.meta.url));

/** The group a sampled frame's time goes to: its code's owner. */
function group(url, name) {
  if (!url) {
    if (name === '(idle)' || name === '(program)') return undefined;
    if (name === '(garbage collector)') return 'GC';
    return /^(writev|writeUtf8String|writeBuffer|read)$/.test(name)
      ? 'socket reads and writes (native)'
      : 'other native';
  }
  if (/node:inspector/.test(url) || url.includes('profile-preload')) return undefined;
  if (/packages\/core\//.test(url)) return 'galileo-otel core';
  if (/packages\/adapter-/.test(url)) return 'galileo-otel adapters';
  if (/packages\/(mcp|a2a)\//.test(url)) return 'galileo-otel mcp / a2a';
  if (/@opentelemetry\//.test(url)) return 'OpenTelemetry API and SDK';
  if (/agents-core\/dist\/tracing/.test(url)) return "OpenAI Agents SDK's own tracing";
  if (/@google\/adk\/.*(telemetry|tracing)/.test(url)) return "ADK's own telemetry";
  if (url.startsWith('node:')) return 'Node (JS)';
  return 'frameworks, provider SDKs, the app';
}

function byGroup(file) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map();
  profile.samples.forEach((id, i) => {
    const frame = nodes.get(id).callFrame;
    const g = group(frame.url, frame.functionName);
    if (g) totals.set(g, (totals.get(g) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  return totals;
}

const sink = await startChild('lib/sink-child.mjs', ['ok']);
const model = await startChild('e2e/model-child.mjs', [JSON.stringify({ byModel: {} })]);
const totals = { on: new Map(), off: new Map() };
try {
  for (const mode of ['on', 'off']) {
    const env = {
      OPENAI_MODEL: 'gpt-4.1-mini',
      GEMINI_MODEL: 'gemini-2.5-flash',
      GALILEO_OTEL: mode,
      GALILEO_API_ENDPOINT: sink.url,
      GALILEO_API_KEY: 'bench',
      GALILEO_PROJECT: 'bench',
      OPENAI_BASE_URL: `${model.url}/v1`,
      OPENAI_API_KEY: 'sk-local',
      GOOGLE_GEMINI_BASE_URL: model.url,
      GOOGLE_API_KEY: 'local',
      PROFILE_DIR: dir,
    };
    const services = [];
    try {
      const b = await startService({
        framework: 'google-adk',
        env: { ...env, SERVICE_NAME: 'B' },
        guard: true,
        preload: [preload],
      });
      services.push(b);
      const a = await startService({
        framework: 'openai-agents',
        env: { ...env, SERVICE_NAME: 'A', AGENT_B_URL: b.url },
        guard: true,
        preload: [preload],
      });
      services.push(a);
      const ask = (i) => postJson(`${a.url}/ask`, { question: `Tell me about Voyager 1 (#${i})` });
      for (let i = 0; i < WARMUP; i++) await ask(i);
      for (const s of services) s.child.kill('SIGUSR2');
      await sleep(500);
      for (let i = 0; i < requests; i++) await ask(i);
      for (const s of services) s.child.kill('SIGUSR2');
      for (const s of services) {
        const file = join(dir, `${s.name}-${mode}.cpuprofile`);
        for (let t = 0; !s.output.join('').includes(file) && t < 200; t++) await sleep(50);
        for (const [g, us] of byGroup(file)) totals[mode].set(g, (totals[mode].get(g) ?? 0) + us);
      }
    } finally {
      for (const s of services) await s.stop();
    }
  }
} finally {
  await sink.close();
  await model.close();
}

const ms = (us) => (us / requests / 1000).toFixed(3).padStart(7);
const groups = [...new Set([...totals.on.keys(), ...totals.off.keys()])];
const added = (g) => (totals.on.get(g) ?? 0) - (totals.off.get(g) ?? 0);
groups.sort((x, y) => added(y) - added(x));
console.log(`CPU ms per request, services A + B, ${requests} requests (profiles in ${dir})`);
console.log(`${'group'.padEnd(36)}${'on'.padStart(7)}${'off'.padStart(7)}${'added'.padStart(7)}`);
let on = 0;
let off = 0;
for (const g of groups) {
  on += totals.on.get(g) ?? 0;
  off += totals.off.get(g) ?? 0;
  console.log(
    `${g.padEnd(36)}${ms(totals.on.get(g) ?? 0)}${ms(totals.off.get(g) ?? 0)}${ms(added(g))}`,
  );
}
console.log(`${'all (idle left out)'.padEnd(36)}${ms(on)}${ms(off)}${ms(on - off)}`);
