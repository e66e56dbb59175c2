// End to end: every ordered pair of the six framework examples (36), as real OS processes
// talking real HTTP, exporting OTLP protobuf to the local Galileo receiver, with the local model
// server in place of OpenAI, Gemini and Anthropic and every service preloading the loopback guard.
//
// To fit CI, each framework runs as two processes for the whole file (agent-a-<fw>, agent-b-<fw>,
// so even same-framework pairs show two service names), not two per pair. Every A process sends
// its research calls to one loopback pass-through proxy that the test points at the B of the
// current pair; the proxy forwards headers unchanged, so it is invisible in the trace.
import { spawnSync } from 'node:child_process';
import { startDevServer } from '@galileo-otel/devtools';
import { startLocalModel } from '@galileo-otel/local-model';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { checkTrace } from './check-trace.mjs';
import {
  FRAMEWORKS,
  guardPath,
  postJson,
  prepareFramework,
  root,
  startEgressTrap,
  startService,
  startSwitchboard,
} from './run-service.mjs';

const QUESTION = 'Tell me about Voyager 1.';
/** Model calls, not embeddings (the LangChain research graph embeds its notes and queries). */
const isChat = (request) => request.protocol !== 'openai-embeddings';
const PAIRS = FRAMEWORKS.flatMap((from) => FRAMEWORKS.map((to) => [from, to]));

let receiver;
let model;
let board;
let trap;
/** What each framework's service needs beyond the shared environment. */
const own = {};
const a = {};
const b = {};

/** A service's environment: spans to `galileo` (a devtools receiver), models from the local one. */
function serviceEnv(galileo, extra = {}) {
  return {
    GALILEO_API_ENDPOINT: galileo.otlpUrl,
    GALILEO_API_KEY: 'local',
    GALILEO_PROJECT: 'examples-e2e',
    OPENAI_BASE_URL: `${model.url}/v1`,
    OPENAI_API_KEY: 'sk-local',
    GOOGLE_GEMINI_BASE_URL: model.url,
    GOOGLE_API_KEY: 'local',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'local',
    ...extra,
  };
}

/**
 * Sends the question to A (pointed at B through the switchboard) and checks the whole request
 * arrived as one trace of the expected shape, with the hop of transport `via`.
 */
async function expectOneTrace(from, to, A, B, via) {
  board.target = B.url;
  const since = Date.now();
  const modelCalls = model.requests.length;

  const reply = await postJson(`${A.url}/ask`, { question: QUESTION });
  expect(reply.answer).toContain('Voyager 1');
  expect(reply.sessionId).toMatch(/^session-/);
  expect(reply.traceId).toMatch(/^[0-9a-f]{32}$/);
  await Promise.all([postJson(`${A.url}/flush`), postJson(`${B.url}/flush`)]);

  const expected = {
    from,
    to,
    serviceA: A.name,
    serviceB: B.name,
    sessionId: reply.sessionId,
    serverIo: true,
    via,
  };
  let spans = [];
  let result;
  for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
    spans = receiver.store.getTrace(reply.traceId);
    result = checkTrace(spans, expected);
    if (result.problems.length === 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(result.problems).toEqual([]);

  // Nothing of this request landed in another trace.
  const traces = receiver.store
    .listTraces({ limit: 50 })
    .filter(
      (t) =>
        t.lastReceivedMs >= since && (t.services.includes(A.name) || t.services.includes(B.name)),
    );
  expect(traces.map((t) => t.traceId)).toEqual([reply.traceId]);

  // Every span of the trace, on both sides, carries the session id A chose.
  const sessions = new Set(spans.map((s) => s.attributes['galileo.session.id']));
  expect([...sessions]).toEqual([reply.sessionId]);

  // Three model calls (A: tool call + final answer; B: facts), all answered by the local model;
  // a LangChain B also embeds the topic for its retriever.
  const calls = model.requests.slice(modelCalls);
  expect(calls.filter(isChat).map((c) => c.status)).toEqual([200, 200, 200]);
  const embedded = calls.filter((c) => !isChat(c));
  if (to === 'langchain') {
    expect(embedded.length).toBeGreaterThan(0);
    expect(embedded.every((c) => c.status === 200)).toBe(true);
  } else {
    expect(embedded).toEqual([]);
  }
  return reply;
}

beforeAll(async () => {
  receiver = await startDevServer({ port: 0, dbPath: ':memory:' });
  model = await startLocalModel({ port: 0 });
  board = await startSwitchboard();
  trap = await startEgressTrap();
  for (const framework of FRAMEWORKS) {
    const extra = await prepareFramework(framework, (line) => console.log(line));
    own[framework] = framework === 'claude-agent-sdk' ? { ...extra, ...trap.env } : extra;
  }
  const env = serviceEnv(receiver, { GALILEO_OTEL: 'on' });
  const started = await Promise.allSettled(
    FRAMEWORKS.flatMap((framework) => [
      startService({
        framework,
        guard: true,
        env: { ...env, ...own[framework], SERVICE_NAME: `agent-b-${framework}` },
      }).then((s) => {
        b[framework] = s;
      }),
      startService({
        framework,
        guard: true,
        env: {
          ...env,
          ...own[framework],
          SERVICE_NAME: `agent-a-${framework}`,
          AGENT_B_URL: board.url,
        },
      }).then((s) => {
        a[framework] = s;
      }),
    ]),
  );
  const failed = started.filter((r) => r.status === 'rejected');
  if (failed.length > 0) throw new Error(failed.map((r) => r.reason.message).join('\n\n'));
});

afterAll(async () => {
  await Promise.all([...Object.values(a), ...Object.values(b)].map((s) => s.stop()));
  await board?.close();
  await trap?.close();
  await model?.close();
  await receiver?.close();
});

describe('any two frameworks, two OS processes, one trace', () => {
  it.each(PAIRS)('%s → %s: the whole request arrives as one trace', async (from, to) => {
    const reply = await expectOneTrace(from, to, a[from], b[to], 'http');
    expect(board.headers.at(-1)?.traceparent).toContain(reply.traceId);
  });

  it('the services contacted nothing but loopback and delivered every span', async () => {
    const all = [...Object.values(a), ...Object.values(b)];
    expect(all).toHaveLength(FRAMEWORKS.length * 2);
    expect(all.flatMap((s) => s.violations)).toEqual([]);
    // The Claude Code CLI children went nowhere but the local model either.
    expect(trap.attempts).toEqual([]);
    for (const service of all) {
      const stats = await (await fetch(`${service.url}/stats`)).json();
      expect(stats, service.name).toMatchObject({
        spansFailed: 0,
        spansDropped: 0,
        spansRejected: 0,
        spansOversized: 0,
        hookErrors: 0,
      });
      expect(stats.spansExported, service.name).toBeGreaterThan(0);
    }
    // The local model is the only "provider" that was called: 36 pairs × 3 model calls.
    expect(model.requests.filter(isChat)).toHaveLength(PAIRS.length * 3);
    expect(new Set(model.requests.map((r) => r.protocol)).size).toBeGreaterThan(0);
  });
});

describe('GALILEO_OTEL=off: the same services without galileo-otel', () => {
  it('answers across processes in every framework, sends no trace headers and exports nothing', async () => {
    // A receiver of their own: anything that reaches it came from these services.
    const galileo = await startDevServer({ port: 0, dbPath: ':memory:' });
    onTestFinished(() => galileo.close());
    const env = serviceEnv(galileo, { GALILEO_OTEL: 'off', AGENT_B_URL: board.url });
    const services = await Promise.all(
      FRAMEWORKS.map((framework) =>
        startService({
          framework,
          guard: true,
          env: { ...env, ...own[framework], SERVICE_NAME: `off-${framework}` },
        }),
      ),
    );
    try {
      // Each framework's /ask delegates to the next framework's /research, in another process.
      for (const [i, A] of services.entries()) {
        board.target = services[(i + 1) % services.length].url;
        const forwarded = board.headers.length;
        const modelCalls = model.requests.length;
        const reply = await postJson(`${A.url}/ask`, { question: QUESTION });
        expect(reply.answer, A.name).toContain('Voyager 1');
        expect(reply.traceId, A.name).toBeUndefined();
        const crossed = board.headers.slice(forwarded);
        expect(crossed, A.name).toHaveLength(1);
        expect(crossed[0], A.name).not.toHaveProperty('traceparent');
        expect(crossed[0], A.name).not.toHaveProperty('baggage');
        expect(
          model.requests
            .slice(modelCalls)
            .filter(isChat)
            .map((c) => c.status),
        ).toEqual([200, 200, 200]);
      }
      await Promise.all(services.map((s) => postJson(`${s.url}/flush`)));
    } finally {
      // SIGTERM would export whatever was still queued.
      await Promise.all(services.map((s) => s.stop()));
    }
    expect(galileo.store.listTraces({ limit: 50 })).toEqual([]);
    // Includes OpenAI Agents' own trace export to api.openai.com, which the switch turns off.
    expect(services.flatMap((s) => s.violations)).toEqual([]);
  });
});

describe('shutting down', () => {
  it('SIGTERM exports the spans still queued, in every framework', async () => {
    const since = Date.now();
    for (const framework of FRAMEWORKS) {
      await postJson(`${b[framework].url}/research`, { topic: 'Voyager 1' });
    }
    // No /flush: the spans sit in the queue (5 s batch delay) until the signal.
    await Promise.all(Object.values(b).map((s) => s.stop()));
    for (const framework of FRAMEWORKS) {
      const [summary, ...others] = receiver.store
        .listTraces({ limit: 50 })
        .filter((t) => t.lastReceivedMs >= since && t.services.includes(b[framework].name));
      expect(others, framework).toEqual([]);
      expect(summary?.rootName, framework).toBe('POST /research');
      expect(summary?.kinds, framework).toEqual(expect.arrayContaining(['agent', 'llm']));
    }
  });
});

describe('started from another folder', () => {
  it('the Google ADK service keeps its ADK spans when started from the repository root', async () => {
    // Here @google/adk is installed in examples/google-adk/node_modules, not where the process
    // starts: without the example's googleAdkTracing({ searchFrom }) line every ADK span is lost.
    const service = await startService({
      framework: 'google-adk',
      cwd: root,
      guard: true,
      env: {
        SERVICE_NAME: 'adk-from-root',
        GALILEO_API_ENDPOINT: receiver.otlpUrl,
        GALILEO_API_KEY: 'local',
        GOOGLE_GEMINI_BASE_URL: model.url,
        GOOGLE_API_KEY: 'local',
      },
    });
    try {
      await postJson(`${service.url}/research`, { topic: 'Voyager 1' });
      await postJson(`${service.url}/flush`);
      const [summary] = receiver.store
        .listTraces({ limit: 50 })
        .filter((t) => t.services.includes('adk-from-root'));
      expect(summary?.kinds).toEqual(expect.arrayContaining(['agent', 'llm', 'workflow']));
      expect(service.violations).toEqual([]);
    } finally {
      await service.stop();
    }
  });
});

describe('the seed twin (examples/seed)', () => {
  it('agent_a.mjs (OpenAI Agents) → agent_b.mjs (Google ADK): one trace, flushed on SIGTERM', async () => {
    const env = {
      GALILEO_API_ENDPOINT: receiver.otlpUrl,
      GALILEO_API_KEY: 'local',
      GALILEO_PROJECT: 'otel-distributed-tracing',
      OPENAI_BASE_URL: `${model.url}/v1`,
      OPENAI_API_KEY: 'sk-local',
      GOOGLE_GEMINI_BASE_URL: model.url,
      GOOGLE_API_KEY: 'local',
    };
    const common = { framework: 'seed', guard: true, health: false };
    const agentB = await startService({ ...common, script: 'agent_b.mjs', env });
    const agentA = await startService({
      ...common,
      script: 'agent_a.mjs',
      env: { ...env, AGENT_B_URL: agentB.url },
    });
    try {
      const since = Date.now();
      const reply = await postJson(`${agentA.url}/ask`, { question: QUESTION });
      expect(reply.answer).toContain('Voyager 1');
      // The seed has no flush route: its spans go out when the processes shut down.
      await Promise.all([agentA.stop(), agentB.stop()]);
      const [summary, ...others] = receiver.store
        .listTraces({ project: 'otel-distributed-tracing' })
        .filter((t) => t.lastReceivedMs >= since);
      expect(others).toEqual([]);
      const spans = receiver.store.getTrace(summary.traceId);
      const { problems } = checkTrace(spans, {
        from: 'openai-agents',
        to: 'google-adk',
        serviceA: 'agent-a',
        serviceB: 'agent-b',
      });
      expect(problems).toEqual([]);
      expect([...agentA.violations, ...agentB.violations]).toEqual([]);
    } finally {
      await Promise.all([agentA.stop(), agentB.stop()]);
    }
  });
});

describe('the checks are not vacuous', () => {
  it('the loopback guard refuses and reports a non-loopback connection', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        guardPath,
        '-e',
        [
          "fetch('https://api.openai.com/v1/traces/ingest').catch(() => {});",
          "require('node:net').connect(443, '203.0.113.7').on('error', () => {});",
          "require('node:dns').lookup('telemetry.example.com', (e) => console.log('dns', e?.code));",
          "require('node:dns').promises.lookup('api.example.com').catch((e) => console.log('dns-promise', e.code));",
          "const u = require('node:dgram').createSocket('udp4');",
          "u.send('x', 8125, '203.0.113.9', (e) => { console.log('udp', e?.code); u.close(); });",
          "require('node:dns').lookup('localhost', (e) => console.log('local dns', e?.code ?? 'ok'));",
        ].join('\n'),
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    expect(run.stderr).toContain('[loopback-guard] BLOCKED fetch https://api.openai.com');
    expect(run.stderr).toContain('[loopback-guard] BLOCKED connect to 203.0.113.7:443');
    expect(run.stderr).toContain('[loopback-guard] BLOCKED dns lookup telemetry.example.com');
    expect(run.stderr).toContain('[loopback-guard] BLOCKED dns lookup api.example.com');
    expect(run.stderr).toContain('[loopback-guard] BLOCKED udp send to 203.0.113.9');
    expect(run.stdout.split('\n').sort()).toEqual(
      ['', 'dns ENOTFOUND', 'dns-promise ENOTFOUND', 'local dns ok', 'udp ECONNREFUSED'].sort(),
    );
  });
});
