// End to end over every transport but plain HTTP (which pairs.test.mjs runs for all 36 pairs):
// for each `--via` of run-service.mjs's VIAS table, each framework calls the next one, so every
// framework's client of that transport (its MCP client, for MCP) and every framework's server
// of it take part once. Real OS processes, the local receiver and model, the loopback guard in
// every service (and in a B that A starts itself over stdio), and the demo's own tree check.
import { startDevServer } from '@galileo-otel/devtools';
import { startLocalModel } from '@galileo-otel/local-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrace } from './check-trace.mjs';
import {
  FRAMEWORKS,
  postJson,
  prepareFramework,
  startEgressTrap,
  startService,
  VIAS,
} from './run-service.mjs';

const QUESTION = 'Tell me about Voyager 1.';
const ROTATION = FRAMEWORKS.map((from, i) => [from, FRAMEWORKS[(i + 1) % FRAMEWORKS.length]]);
const TRANSPORTS = Object.keys(VIAS).filter((via) => via !== 'http');

let receiver;
let model;
let trap;
/** What each framework's service needs beyond the shared environment (the Claude CLI's own). */
const own = {};
/** B services by framework, for the transports where B runs on its own (shared). */
const b = {};

function serviceEnv(extra = {}) {
  return {
    GALILEO_API_ENDPOINT: receiver.otlpUrl,
    GALILEO_API_KEY: 'local',
    GALILEO_PROJECT: 'examples-via',
    OPENAI_BASE_URL: `${model.url}/v1`,
    OPENAI_API_KEY: 'sk-local',
    GOOGLE_GEMINI_BASE_URL: model.url,
    GOOGLE_API_KEY: 'local',
    ANTHROPIC_BASE_URL: model.url,
    ANTHROPIC_API_KEY: 'local',
    GALILEO_OTEL: 'on',
    ...extra,
  };
}

beforeAll(async () => {
  receiver = await startDevServer({ port: 0, dbPath: ':memory:' });
  model = await startLocalModel({ port: 0 });
  trap = await startEgressTrap();
  for (const framework of FRAMEWORKS) {
    const extra = await prepareFramework(framework, (line) => console.log(line));
    own[framework] = framework === 'claude-agent-sdk' ? { ...extra, ...trap.env } : extra;
  }
  if (TRANSPORTS.some((via) => VIAS[via].serviceB)) {
    await Promise.all(
      FRAMEWORKS.map(async (framework) => {
        b[framework] = await startService({
          framework,
          guard: true,
          env: serviceEnv({ ...own[framework], SERVICE_NAME: `agent-b-${framework}` }),
        });
      }),
    );
  }
});

afterAll(async () => {
  await Promise.all(Object.values(b).map((s) => s.stop()));
  await trap?.close();
  await model?.close();
  await receiver?.close();
});

describe.each(TRANSPORTS)('--via %s', (via) => {
  /** A services by pair, started together for this transport. */
  const a = {};

  beforeAll(async () => {
    await Promise.all(
      ROTATION.map(async ([from, to]) => {
        const serviceB = VIAS[via].serviceB ? b[to].name : `agent-b-${to}-${via}`;
        a[from] = await startService({
          framework: from,
          guard: true,
          env: serviceEnv({
            ...own[from],
            // A B that A starts itself gets A's environment: it needs its own settings there.
            ...(VIAS[via].serviceB ? {} : own[to]),
            SERVICE_NAME: `agent-a-${from}-${via}`,
            ...VIAS[via].envA({ b: b[to], to, serviceB, guard: true }),
          }),
        });
        a[from].serviceB = serviceB;
      }),
    );
  });

  afterAll(async () => {
    // Stopping A closes its MCP connection; a stdio B then flushes and exits.
    await Promise.all(Object.values(a).map((s) => s.stop()));
  });

  it.each(ROTATION)('%s → %s: the whole request arrives as one trace', async (from, to) => {
    const A = a[from];
    const since = Date.now();
    const modelCalls = model.requests.length;
    const reply = await postJson(`${A.url}/ask`, { question: QUESTION });
    expect(reply.answer).toContain('Voyager 1');
    await Promise.all(
      [A, VIAS[via].serviceB && b[to]].filter(Boolean).map((s) => postJson(`${s.url}/flush`)),
    );

    const expected = {
      from,
      to,
      via,
      serviceA: A.name,
      serviceB: A.serviceB,
      sessionId: reply.sessionId,
      serverIo: true,
    };
    let spans = [];
    let result;
    for (let attempt = 0; attempt < 200; attempt++) {
      spans = receiver.store.getTrace(reply.traceId);
      result = checkTrace(spans, expected);
      if (result.problems.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(result.problems).toEqual([]);
    if (via.startsWith('mcp')) {
      for (const role of ['clientA', 'researchServer']) {
        expect(result.roles[role].attributes, role).toMatchObject({
          'mcp.method.name': 'tools/call',
          'gen_ai.tool.name': 'research',
          'network.transport': via === 'mcp' ? 'pipe' : 'tcp',
        });
      }
    }
    // Nothing of the request went to another trace.
    const traces = receiver.store
      .listTraces({ limit: 100 })
      .filter(
        (t) =>
          t.lastReceivedMs >= since &&
          (t.services.includes(A.name) || t.services.includes(A.serviceB)),
      );
    expect(traces.map((t) => t.traceId)).toEqual([reply.traceId]);
    // A: tool call and final answer; B: facts. A LangChain B also embeds the topic.
    const chats = model.requests
      .slice(modelCalls)
      .filter((c) => c.protocol !== 'openai-embeddings');
    expect(chats.map((c) => c.status)).toEqual([200, 200, 200]);
    expect(A.violations).toEqual([]);
    // The Claude Code CLIs (of A, of B, of a B that A started) reached nothing but loopback.
    expect(trap.attempts).toEqual([]);
    const stats = await (await fetch(`${A.url}/stats`)).json();
    expect(stats).toMatchObject({ spansFailed: 0, spansDropped: 0, hookErrors: 0 });
  });
});
