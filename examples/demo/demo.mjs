#!/usr/bin/env node
// `npm run demo [-- --from <framework> --to <framework>]`
//
// Agent A (one framework) delegates to Agent B (another framework) in a second OS process over
// HTTP, and the whole request shows up as ONE trace. This runner:
//   1. starts the local Galileo receiver (devtools) unless GALILEO_API_KEY / GALILEO_API_ENDPOINT
//      is set, and the local model server unless the provider keys are set;
//   2. spawns B, then A (`node examples/<framework>/server.mjs`), and waits until both are up;
//   3. sends {"question": "Tell me about Voyager 1."} to A's POST /ask and prints the answer;
//   4. asks both services to flush their spans, then prints the trace tree as the receiver got it
//      and the viewer URL, and checks the tree (exit 0 only when it arrived whole).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkTrace, formatTree } from './check-trace.mjs';

export const FRAMEWORKS = ['openai-agents', 'google-adk', 'vercel-ai', 'mastra'];
const PROVIDER = {
  'openai-agents': 'openai',
  'google-adk': 'google',
  'vercel-ai': 'openai',
  mastra: 'openai',
};

const here = dirname(new URL(import.meta.url).pathname);
const root = join(here, '..', '..');
const guard = join(here, 'loopback-guard.mjs');

const { values: args } = parseArgs({
  options: {
    from: { type: 'string', default: 'openai-agents' },
    to: { type: 'string', default: 'google-adk' },
    question: { type: 'string', default: 'Tell me about Voyager 1.' },
    'no-wait': { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (args.help) {
  console.log(`Usage: npm run demo -- [--from <framework>] [--to <framework>] [--no-wait] [--build] [--verbose]
Frameworks: ${FRAMEWORKS.join(', ')} (default: --from openai-agents --to google-adk)

Environment:
  GALILEO_API_KEY / GALILEO_API_ENDPOINT  send spans there instead of starting the local receiver
  GALILEO_PROJECT, GALILEO_LOG_STREAM     where in Galileo (default: galileo-otel-demo / default)
  OPENAI_API_KEY, GOOGLE_API_KEY          use the real providers instead of the local model
  CI                                      exit after printing instead of keeping the viewer up`);
  process.exit(0);
}
for (const name of [args.from, args.to]) {
  if (!FRAMEWORKS.includes(name)) {
    console.error(`Unknown framework "${name}". Choose from: ${FRAMEWORKS.join(', ')}`);
    process.exit(2);
  }
}

const log = (...line) => console.log(...line);
const dim = (text) =>
  process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[2m${text}\u001b[0m` : text;
const bold = (text) =>
  process.stdout.isTTY && !process.env.NO_COLOR ? `\u001b[1m${text}\u001b[0m` : text;

const cleanups = [];
async function cleanup() {
  while (cleanups.length > 0) {
    try {
      await cleanups.pop()();
    } catch {}
  }
}
async function fail(message, code = 1) {
  console.error(`\n✗ ${message}`);
  await cleanup();
  process.exit(code);
}
process.on('SIGINT', () => {
  cleanup().then(() => process.exit(130));
});

// 1. The packages the services import must be built. Build them once when a dist is missing
//    (turbo's cache makes later runs instant); `--build` rebuilds after you edit a package.
const needed = [
  'core',
  'devtools',
  'local-model',
  'otlp-proto',
  ...new Set([args.from, args.to].map((f) => `adapter-${f}`)),
];
const unbuilt = needed.filter((p) => !existsSync(join(root, 'packages', p, 'dist', 'index.js')));
if (args.build || unbuilt.length > 0) {
  log(
    dim(
      `building packages${unbuilt.length ? ` (${unbuilt.join(', ')} not built yet)` : ''}: npx turbo run build`,
    ),
  );
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (built.status !== 0) await fail('the build failed; run `npx turbo run build` to see why', 3);
}

const { startDevServer } = await import('@galileo-otel/devtools');
const { startLocalModel } = await import('@galileo-otel/local-model');

// 2. Where spans go.
const external = Boolean(process.env.GALILEO_API_KEY || process.env.GALILEO_API_ENDPOINT);
const serviceEnv = {
  GALILEO_PROJECT: process.env.GALILEO_PROJECT ?? 'galileo-otel-demo',
  GALILEO_LOG_STREAM: process.env.GALILEO_LOG_STREAM ?? 'default',
};
let receiver;
if (!external) {
  const port = (await isPortFree(4318)) ? 4318 : 0;
  receiver = await startDevServer({ port, dbPath: join(root, '.galileo-otel', 'demo.db') });
  cleanups.push(() => receiver.close());
  serviceEnv.GALILEO_API_ENDPOINT = receiver.otlpUrl;
  serviceEnv.GALILEO_API_KEY = 'local';
  log(
    `${bold('Local Galileo')} (receiver + viewer): ${receiver.url}   ${dim('(set GALILEO_API_KEY to send to Galileo instead)')}`,
  );
} else {
  log(
    `${bold('Galileo')}: ${process.env.GALILEO_API_ENDPOINT ?? 'endpoint from GALILEO_CONSOLE_URL / GALILEO_API_URL / default'}, project ${serviceEnv.GALILEO_PROJECT}`,
  );
}

// 3. Which models: the real providers when their keys are set, else the local model server.
const providers = new Set([PROVIDER[args.from], PROVIDER[args.to]]);
const missingOpenAI = providers.has('openai') && !process.env.OPENAI_API_KEY;
const missingGoogle =
  providers.has('google') &&
  !(process.env.GOOGLE_API_KEY || process.env.GEMINI_API_KEY || process.env.GOOGLE_GENAI_API_KEY);
let model;
if (missingOpenAI || missingGoogle) {
  model = await startLocalModel({ port: 0 });
  cleanups.push(() => model.close());
  if (missingOpenAI)
    Object.assign(serviceEnv, { OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: 'sk-local' });
  if (missingGoogle) {
    Object.assign(serviceEnv, { GOOGLE_GEMINI_BASE_URL: model.url, GOOGLE_API_KEY: 'local' });
  }
  const which = [missingOpenAI && 'OpenAI', missingGoogle && 'Gemini']
    .filter(Boolean)
    .join(' and ');
  log(
    `${bold('Local model')} for ${which}: ${model.url}   ${dim('(set OPENAI_API_KEY / GOOGLE_API_KEY to use the real providers)')}`,
  );
}
// Fully offline runs also prove it: every service refuses (and reports) non-loopback traffic.
const offline =
  !external &&
  !(providers.has('openai') && !missingOpenAI) &&
  !(providers.has('google') && !missingGoogle);

// 4. B first (A needs its URL), then A.
const serviceA = `agent-a-${args.from}`;
const serviceB = `agent-b-${args.to}`;
const b = await startService(args.to, { SERVICE_NAME: serviceB, AGENT_ROLE: 'B' });
const a = await startService(args.from, {
  SERVICE_NAME: serviceA,
  AGENT_ROLE: 'A',
  AGENT_B_URL: b.url,
});
log(`B: ${serviceB} at ${b.url}`);
log(`A: ${serviceA} at ${a.url}  ${dim(`(AGENT_B_URL=${b.url})`)}`);

// 5. The question.
log(`\n${bold('POST')} ${a.url}/ask ${JSON.stringify({ question: args.question })}`);
const started = Date.now();
let reply;
try {
  const response = await fetch(`${a.url}/ask`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ question: args.question }),
    signal: AbortSignal.timeout(120_000),
  });
  reply = await response.json();
  if (!response.ok)
    throw new Error(`HTTP ${response.status}: ${reply.error ?? JSON.stringify(reply)}`);
} catch (error) {
  dumpLogs();
  await fail(`A's /ask failed: ${error.message}`);
}
log(
  `\n${bold('Answer')} (${Date.now() - started} ms, session ${reply.sessionId}):\n${reply.answer}\n`,
);

// 6. Flush both services, then read what arrived.
const flushed = await Promise.all([a, b].map((s) => post(`${s.url}/flush`)));
for (const s of [a, b]) s.stop();

if (external) {
  let bad = false;
  for (const [i, stats] of flushed.entries()) {
    const name = i === 0 ? serviceA : serviceB;
    log(
      `${name}: exported ${stats.spansExported} spans in ${stats.exportRequests} requests, failed ${stats.spansFailed}, rejected ${stats.spansRejected}, dropped ${stats.spansDropped}`,
    );
    if (
      stats.spansFailed + stats.spansRejected + stats.spansDropped + stats.spansOversized > 0 ||
      stats.spansExported === 0
    )
      bad = true;
  }
  log(
    `\nTrace id: ${reply.traceId} (session ${reply.sessionId}); open Galileo, project ${serviceEnv.GALILEO_PROJECT}, log stream ${serviceEnv.GALILEO_LOG_STREAM}.`,
  );
  await cleanup();
  if (bad) await fail('export errors (see the counts above)');
  process.exit(0);
}

const expected = { from: args.from, to: args.to, serviceA, serviceB, sessionId: reply.sessionId };
const traceId = reply.traceId;
let spans = [];
let result = { problems: ['no spans arrived'] };
for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
  spans = receiver.store.getTrace(traceId);
  result = checkTrace(spans, expected);
  if (result.problems.length === 0) break;
  await new Promise((r) => setTimeout(r, 100));
}
// Every trace that arrived during this run: exactly one is expected.
const traces = receiver.store
  .listTraces({ limit: 100 })
  .filter(
    (t) =>
      t.lastReceivedMs >= started &&
      (t.services.includes(serviceA) || t.services.includes(serviceB)),
  );
if (traces.length > 1) {
  result.problems.push(
    `${traces.length} traces arrived for one request: ${traces.map((t) => `${t.traceId} (${t.rootName})`).join(', ')}`,
  );
}

log(`${bold('Trace')} ${traceId} as received (${spans.length} spans):\n`);
log(spans.length > 0 ? formatTree(spans) : '(nothing)');
log(`\nViewer: ${receiver.url}/traces/${traceId}`);
log(dim(`CLI:    npx galileo-otel trace ${traceId} --db .galileo-otel/demo.db`));
const violations = [a, b].flatMap((s) => s.violations);
if (offline && violations.length > 0)
  result.problems.push(`non-loopback traffic: ${violations.join('; ')}`);
if (model && model.requests.length === 0)
  result.problems.push('the local model server received no requests');

if (result.problems.length > 0) {
  console.error(
    `\n✗ The trace did not arrive whole:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  if (args.verbose) dumpLogs();
  await cleanup();
  process.exit(1);
}
log(
  `\n✓ One trace, ${spans.length} spans, both services (${serviceA}, ${serviceB}), no orphans, session ${reply.sessionId} on both sides${offline ? `, nothing but loopback contacted (${model?.requests.length ?? 0} model calls)` : ''}.`,
);

if (process.env.CI || args['no-wait'] || !process.stdout.isTTY) {
  await cleanup();
  process.exit(0);
}
log(dim('\nThe viewer stays up until you press Ctrl-C.'));

// ---------------------------------------------------------------------------------------------

function isPortFree(port) {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

async function post(url) {
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(30_000) });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function dumpLogs() {
  for (const s of [globalThis.__svcA, globalThis.__svcB].filter(Boolean)) {
    console.error(`\n--- ${s.name} output ---\n${s.output.join('')}`);
  }
}

/** Spawns `node examples/<framework>/server.mjs` on a free port and waits for its health check. */
async function startService(framework, env) {
  const file = join(root, 'examples', framework, 'server.mjs');
  const nodeArgs = offline ? ['--import', guard, file] : [file];
  const child = spawn(process.execPath, nodeArgs, {
    // The example's own folder: that is where its dependencies resolve from.
    cwd: join(root, 'examples', framework),
    env: { ...process.env, ...serviceEnv, ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const service = {
    name: env.SERVICE_NAME,
    output: [],
    violations: [],
    url: undefined,
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
  globalThis[env.AGENT_ROLE === 'A' ? '__svcA' : '__svcB'] = service;
  cleanups.push(async () => {
    service.stop();
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
  });
  const onData = (chunk) => {
    const text = chunk.toString();
    service.output.push(text);
    if (args.verbose) process.stderr.write(text.replace(/^(?=.)/gm, `[${env.AGENT_ROLE}] `));
    for (const line of text.split('\n')) {
      if (line.startsWith('[loopback-guard] BLOCKED')) service.violations.push(line);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('did not start within 60 s')), 60_000);
    child.stdout.on('data', (chunk) => {
      const match = /listening on (http:\/\/\S+)/.exec(chunk.toString());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}`));
    });
  }).catch(async (error) => {
    console.error(`\n--- ${service.name} output ---\n${service.output.join('')}`);
    await fail(`${service.name} (examples/${framework}/server.mjs) ${error.message}`, 3);
  });
  service.url = url;
  const health = await fetch(`${url}/health`).catch(() => undefined);
  if (!health?.ok) await fail(`${service.name} is not healthy at ${url}/health`, 3);
  return service;
}
