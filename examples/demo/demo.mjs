#!/usr/bin/env node
// `npm run demo [-- --from <framework> --to <framework> --via <transport>]`
//
// Agent A (one framework) delegates to Agent B (another framework) in a second OS process over
// HTTP (or another transport, `--via`), and the whole request shows up as ONE trace. This runner:
//   1. starts the local Galileo receiver (devtools) unless a destination is configured (the
//      variables of Galileo, Splunk AO or Splunk Observability Cloud, as core's
//      resolveDestination() reads them), and the local model server unless the provider keys are
//      set;
//   2. spawns B, then A (`node examples/<framework>/server.mjs`), and waits until both are up
//      (over MCP stdio, A starts B itself: `node examples/<framework>/mcp-server.mjs`);
//   3. sends {"question": "Tell me about Voyager 1."} to A's POST /ask and prints the answer;
//   4. asks both services to flush their spans, then prints the trace tree as the receiver got it
//      and the viewer URL, and checks the tree (exit 0 only when it arrived whole).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkTrace, formatTree } from './check-trace.mjs';
import {
  FRAMEWORKS,
  PROVIDER,
  postJson,
  prepareFramework,
  root,
  startService,
  VIAS,
} from './run-service.mjs';

// Before the build and before anything loads node:sqlite (the receiver's store), so an older Node
// gets one line instead of a stack trace from deep inside an import.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `npm run demo needs Node.js >= 22.18 (for node:sqlite); this is Node.js ${process.versions.node}.`,
  );
  process.exit(1);
}

const USAGE = `Usage: npm run demo -- [--from <framework>] [--to <framework>] [--via <transport>] [--no-wait] [--build] [--verbose]
Frameworks: ${FRAMEWORKS.join(', ')} (default: --from openai-agents --to google-adk)
Transports: ${Object.entries(VIAS)
  .map(([name, via]) => `${name} (${via.label})`)
  .join(', ')}; default http

Environment (any destination's variables send the spans there instead of the local receiver):
  GALILEO_API_KEY [GALILEO_API_ENDPOINT | GALILEO_API_URL | GALILEO_CONSOLE_URL]   Galileo
  SPLUNK_AO_API_KEY [SPLUNK_AO_API_URL | SPLUNK_AO_CONSOLE_URL]                    Splunk AO
  SPLUNK_AO_REALM SPLUNK_AO_O11Y_TOKEN                    Splunk AO on Splunk Observability Cloud
  GALILEO_PROJECT / SPLUNK_AO_PROJECT     the project (default: galileo-otel-demo)
  OPENAI_API_KEY, GOOGLE_API_KEY,
  ANTHROPIC_API_KEY                       use the real providers instead of the local model
  CI                                      exit after printing instead of keeping the viewer up`;

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      from: { type: 'string', default: 'openai-agents' },
      to: { type: 'string', default: 'google-adk' },
      via: { type: 'string', default: 'http' },
      question: { type: 'string', default: 'Tell me about Voyager 1.' },
      'no-wait': { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (error) {
  console.error(`${error.message}\n\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
for (const name of [args.from, args.to]) {
  if (!FRAMEWORKS.includes(name)) {
    console.error(`Unknown framework "${name}". Choose from: ${FRAMEWORKS.join(', ')}`);
    process.exit(2);
  }
}
if (!Object.hasOwn(VIAS, args.via)) {
  console.error(`Unknown transport "${args.via}". Choose from: ${Object.keys(VIAS).join(', ')}`);
  process.exit(2);
}
const via = VIAS[args.via];

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const dim = (text) => (color ? `\u001b[2m${text}\u001b[0m` : text);
const bold = (text) => (color ? `\u001b[1m${text}\u001b[0m` : text);
const log = (text = '') => console.log(text);

const cleanups = [];
const services = [];
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
function dumpLogs() {
  for (const s of services) console.error(`\n--- ${s.name} output ---\n${s.output.join('')}`);
}
process.on('SIGINT', () => {
  cleanup().then(() => process.exit(130));
});

// 1. The services import the packages' dist folders. Build once when one is missing (turbo's
//    cache makes it quick); `--build` rebuilds after you edited a package.
const needed = [
  'core',
  'devtools',
  'local-model',
  'otlp-proto',
  'a2a',
  'mcp',
  ...new Set([args.from, args.to].map((f) => `adapter-${f}`)),
];
const unbuilt = needed.filter((p) => !existsSync(join(root, 'packages', p, 'dist', 'index.js')));
if (args.build || unbuilt.length > 0) {
  log(dim(`building packages${unbuilt.length ? ` (${unbuilt.join(', ')} not built)` : ''}...`));
  const built = spawnSync('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
  });
  if (built.status !== 0) await fail('the build failed: run `npx turbo run build` to see why', 3);
}
const { resolveDestination } = await import('@galileo-otel/core');
const { startDevServer } = await import('@galileo-otel/devtools');
const { startLocalModel } = await import('@galileo-otel/local-model');

// 2. Where spans go: the destination the services' galileo-otel resolves from the environment
//    (Galileo, Splunk AO or Splunk Observability Cloud) when one is configured, else the local
//    receiver. Same resolver, so the demo and the services cannot disagree.
const LABEL = {
  galileo: 'Galileo',
  'splunk-ao': 'Splunk AO',
  'splunk-o11y': 'Splunk Observability Cloud',
};
const KEY_VARIABLE = {
  galileo: 'GALILEO_API_KEY',
  'splunk-ao': 'SPLUNK_AO_API_KEY',
  'splunk-o11y': 'SPLUNK_AO_O11Y_TOKEN',
};
let destination;
try {
  destination = resolveDestination({}, process.env);
} catch (error) {
  console.error(error.message);
  process.exit(2);
}
const external = destination.sources.kind !== 'default';
if (external && destination.sources.apiKey === undefined) {
  console.error(
    `${destination.sources.kind.slice('env:'.length)} is set but ${KEY_VARIABLE[destination.kind]} is not: the services need a key to export (any non-empty value for a local receiver).`,
  );
  process.exit(2);
}
const serviceEnv = {};
// The demo's own project unless one is chosen, in the variables of the destination's family.
if (!destination.sources.project?.startsWith('env:') && !destination.sources.projectId) {
  serviceEnv[destination.routingFamily === 'galileo' ? 'GALILEO_PROJECT' : 'SPLUNK_AO_PROJECT'] =
    'galileo-otel-demo';
}
let receiver;
if (external) {
  destination = resolveDestination({}, { ...process.env, ...serviceEnv });
  log(
    `${bold(`Spans go to ${LABEL[destination.kind]}`)} (${destination.kind}, from ${destination.sources.kind.slice('env:'.length)}): ${destination.endpoint}, header ${destination.authHeader}, project ${destination.routing.project ?? destination.routing.projectId}`,
  );
} else {
  const port = (await isPortFree(4318)) ? 4318 : 0;
  receiver = await startDevServer({ port, dbPath: join(root, '.galileo-otel', 'demo.db') });
  cleanups.push(() => receiver.close());
  serviceEnv.GALILEO_API_ENDPOINT = receiver.otlpUrl;
  serviceEnv.GALILEO_API_KEY = 'local';
  log(`${bold('Local Galileo')} (receiver + viewer): ${receiver.url}`);
  log(`Spans go to the local receiver: ${receiver.otlpUrl}, header Galileo-API-Key`);
  log(
    dim(
      '  set GALILEO_API_KEY, SPLUNK_AO_API_KEY or SPLUNK_AO_REALM + SPLUNK_AO_O11Y_TOKEN to send them to Galileo or Splunk AO instead',
    ),
  );
}

// 3. Which models: the real providers when their keys are set, else the local model server.
const providers = new Set([PROVIDER[args.from], PROVIDER[args.to]]);
const localOpenAI = providers.has('openai') && !process.env.OPENAI_API_KEY;
const localGoogle =
  providers.has('google') && !(process.env.GOOGLE_API_KEY || process.env.GEMINI_API_KEY);
const localAnthropic = providers.has('anthropic') && !process.env.ANTHROPIC_API_KEY;
let model;
if (localOpenAI || localGoogle || localAnthropic) {
  model = await startLocalModel({ port: 0 });
  cleanups.push(() => model.close());
  if (localOpenAI) {
    Object.assign(serviceEnv, { OPENAI_BASE_URL: `${model.url}/v1`, OPENAI_API_KEY: 'sk-local' });
  }
  if (localGoogle) {
    Object.assign(serviceEnv, { GOOGLE_GEMINI_BASE_URL: model.url, GOOGLE_API_KEY: 'local' });
  }
  if (localAnthropic) {
    Object.assign(serviceEnv, { ANTHROPIC_BASE_URL: model.url, ANTHROPIC_API_KEY: 'local' });
  }
  const which = [localOpenAI && 'OpenAI', localGoogle && 'Gemini', localAnthropic && 'Anthropic']
    .filter(Boolean)
    .join(' and ');
  log(`${bold('Local model')} for ${which}: ${model.url}`);
  log(dim('  set OPENAI_API_KEY / GOOGLE_API_KEY / ANTHROPIC_API_KEY to use the real providers'));
}
// A fully offline run proves it: the services refuse (and report) any non-loopback connection.
const offline =
  !external &&
  (!providers.has('openai') || localOpenAI) &&
  (!providers.has('google') || localGoogle) &&
  (!providers.has('anthropic') || localAnthropic);

// 4. B first (A needs its URL), then A. Over MCP stdio, A starts B itself as its child.
const serviceA = `agent-a-${args.from}`;
const serviceB = `agent-b-${args.to}`;
async function start(framework, env) {
  try {
    // The Claude Agent SDK is installed here on first use (it is not part of npm install).
    const own = await prepareFramework(framework, (line) => log(dim(line)));
    const service = await startService({
      framework,
      env: { ...serviceEnv, ...own, ...env },
      guard: offline,
      onOutput: args.verbose
        ? (text) => process.stderr.write(text.replace(/^(?=.)/gm, `[${env.AGENT_ROLE}] `))
        : undefined,
    });
    services.push(service);
    cleanups.push(() => service.stop());
    return service;
  } catch (error) {
    return fail(error.message, 3);
  }
}
const b = via.serviceB
  ? await start(args.to, { SERVICE_NAME: serviceB, AGENT_ROLE: 'B' })
  : undefined;
const reachB = via.envA({ b, to: args.to, serviceB, guard: offline });
// A B that A starts itself gets A's environment, so what B's framework needs goes there too.
const ownB = b ? {} : await prepareFramework(args.to, (line) => log(dim(line)));
const a = await start(args.from, { SERVICE_NAME: serviceA, AGENT_ROLE: 'A', ...ownB, ...reachB });
const shown = Object.entries(reachB)
  .map(([key, value]) => `${key}=${value.startsWith('[') ? JSON.parse(value).at(-1) : value}`)
  .join(' ');
log(`\nVia: ${via.label}`);
log(
  b
    ? `B: ${serviceB.padEnd(24)} ${b.url}   node examples/${args.to}/server.mjs`
    : `B: ${serviceB.padEnd(24)} started by A   node examples/${args.to}/mcp-server.mjs`,
);
log(`A: ${serviceA.padEnd(24)} ${a.url}   node examples/${args.from}/server.mjs  (${shown})`);

// 5. The question.
log(`\n${bold('POST')} ${a.url}/ask ${JSON.stringify({ question: args.question })}`);
const started = Date.now();
let reply;
try {
  reply = await postJson(`${a.url}/ask`, { question: args.question });
} catch (error) {
  if (!args.verbose) dumpLogs();
  await fail(`A's /ask failed: ${error.message}`);
}
log(`\n${bold('Answer')} (${Date.now() - started} ms):\n${reply.answer}`);

// 6. Flush both services (their spans are exported now, not within 5 s), then stop them. A B
//    started by A over stdio exports each span as it ends, and exits when A stops.
const running = [a, b].filter(Boolean);
let flushed;
try {
  flushed = await Promise.all(running.map((s) => postJson(`${s.url}/flush`)));
} catch (error) {
  await fail(`flushing failed: ${error.message}`);
}
await Promise.all(running.map((s) => s.stop()));

if (external) {
  let bad = false;
  log();
  for (const [i, stats] of flushed.entries()) {
    log(
      `${running[i].name}: exported ${stats.spansExported} spans in ${stats.exportRequests} requests; failed ${stats.spansFailed}, rejected ${stats.spansRejected}, dropped ${stats.spansDropped}, oversized ${stats.spansOversized}`,
    );
    const lost =
      stats.spansFailed + stats.spansRejected + stats.spansDropped + stats.spansOversized;
    if (lost > 0 || stats.spansExported === 0) bad = true;
  }
  log(`\nTrace ${reply.traceId}, session ${reply.sessionId}`);
  const { routing } = destination;
  const stream = routing.experimentId
    ? `experiment ${routing.experimentId}`
    : `${destination.kind === 'galileo' ? 'log stream' : 'agent stream'} ${routing.logStream ?? routing.logStreamId ?? '(none)'}`;
  log(
    `Open ${LABEL[destination.kind]}: project ${routing.project ?? routing.projectId}, ${stream}.`,
  );
  await cleanup();
  if (bad) {
    // The services' own export warnings say why (a rejected key, a wrong endpoint).
    if (!args.verbose) dumpLogs();
    await fail("spans were not all delivered (see the counts and the services' output above)");
  }
  process.exit(0);
}

// 7. What the receiver got: wait (briefly) until the tree is whole, then print and judge it.
const expected = {
  from: args.from,
  to: args.to,
  via: args.via,
  serviceA,
  serviceB,
  sessionId: reply.sessionId,
  serverIo: true,
};
let spans = [];
let result = { problems: ['no spans arrived'] };
for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
  spans = reply.traceId ? receiver.store.getTrace(reply.traceId) : [];
  result = checkTrace(spans, expected);
  if (result.problems.length === 0) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
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
const violations = services.flatMap((s) => s.violations);
if (violations.length > 0) result.problems.push(`non-loopback traffic: ${violations.join('; ')}`);

log(
  `\n${bold('Trace')} ${reply.traceId} as received (${spans.length} spans, session ${reply.sessionId}):\n`,
);
log(spans.length > 0 ? formatTree(spans) : '(nothing)');
log(`\nViewer: ${receiver.url}/traces/${reply.traceId}`);
log(
  dim(
    `CLI:    npx -p @galileo-otel/devtools galileo-otel trace ${reply.traceId} --db .galileo-otel/demo.db`,
  ),
);

if (result.problems.length > 0) {
  console.error(
    `\n✗ The trace did not arrive whole:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
  if (!args.verbose) dumpLogs();
  await cleanup();
  process.exit(1);
}
const calls = model ? `, ${model.requests.length} calls to the local model` : '';
log(
  `\n✓ One trace: ${spans.length} spans from ${serviceA} and ${serviceB}, every parent present, session id on both sides${offline ? `, nothing but loopback contacted${calls}` : ''}.`,
);

if (process.env.CI || args['no-wait'] || !process.stdout.isTTY) {
  await cleanup();
  process.exit(0);
}
log(dim('\nThe viewer stays up until you press Ctrl-C.'));

function isPortFree(port) {
  return new Promise((resolve) => {
    const probe = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
