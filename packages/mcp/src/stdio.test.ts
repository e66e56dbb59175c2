// MCP over stdio between real OS processes: this process is the client (the official SDK's
// Client, 1.x), the fixture is an McpServer spawned by it; both export OTLP to one sink, and the
// assertions are on the decoded spans. The servers are shared by the whole file; the ones that
// die mid-call do so in the last tests.
import { fileURLToPath } from 'node:url';
import type { GalileoRegistration } from '@galileo-otel/core';
import { withGalileoSession } from '@galileo-otel/core';
import type { OtlpSink } from '@galileo-otel/otlp-proto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMcpClient } from './instrument-mcp-client.js';
import {
  answer,
  CLIENT,
  FIXTURE,
  only,
  orphans,
  SERVER,
  serverEnv,
  service,
  spansOf,
  startTracing,
} from './test-support/mcp-harness.js';

const V2_FIXTURE = fileURLToPath(new URL('./__fixtures__/v2-research-server.mjs', import.meta.url));

let sink: OtlpSink;
let galileo: GalileoRegistration;
/** Our client (instrumented) → an instrumented server. */
let traced: Client;
/** A plain official-SDK client (not instrumented; `_meta` by hand) → an instrumented server. */
let plain: Client;
/** Our client → a plain server (no tracing of its own). */
let toPlainServer: Client;

const tracer = trace.getTracer('stdio-test');

async function connect(
  client: Client,
  env: Record<string, string> = {},
  fixture = FIXTURE,
): Promise<Client> {
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [fixture],
      env: serverEnv(env),
      stderr: 'inherit',
    }),
  );
  return client;
}

/** Runs `fn` under a new root span and returns its result with that span's trace id. */
async function underRoot<T>(
  name: string,
  fn: () => Promise<T>,
): Promise<{ traceId: string; value: T }> {
  return tracer.startActiveSpan(name, { root: true }, async (span) => {
    try {
      return { traceId: span.spanContext().traceId, value: await fn() };
    } finally {
      span.end();
    }
  });
}

beforeAll(async () => {
  ({ sink, galileo } = await startTracing());
  [traced, plain, toPlainServer] = await Promise.all([
    connect(instrumentMcpClient(new Client({ name: 'traced', version: '1.0.0' }))),
    connect(new Client({ name: 'plain', version: '1.0.0' })),
    connect(instrumentMcpClient(new Client({ name: 'traced', version: '1.0.0' })), {
      MCP_INSTRUMENT: 'none',
    }),
  ]);
});

afterAll(async () => {
  await Promise.allSettled([traced?.close(), plain?.close(), toPlainServer?.close()]);
  await galileo?.shutdown();
  await sink?.close();
});

describe('a tool call over stdio', () => {
  it('is one tree: caller span → CLIENT span → the server process SERVER span → the tool work', async () => {
    const { traceId, value } = await withGalileoSession({ sessionId: 'sess-stdio' }, () =>
      underRoot('caller', () =>
        traced.callTool({ name: 'research', arguments: { topic: 'Voyager 1' } }),
      ),
    );
    expect(answer(value).topic).toBe('Voyager 1');
    const spans = await spansOf(sink, traceId, 4);
    expect(spans.map((s) => s.name).sort()).toEqual(
      ['caller', 'research work', 'tools/call research', 'tools/call research'].sort(),
    );
    expect(orphans(spans)).toEqual([]);
    const caller = only(spans, 'caller');
    const client = only(spans, 'tools/call research', CLIENT);
    const server = only(spans, 'tools/call research', SERVER);
    const work = only(spans, 'research work');
    expect(client.parentSpanId).toBe(caller.spanId);
    expect(server.parentSpanId).toBe(client.spanId);
    expect(work.parentSpanId).toBe(server.spanId);
    expect([service(client), service(server), service(work)]).toEqual([
      'mcp-client',
      'mcp-server',
      'mcp-server',
    ]);
    for (const span of [client, server]) {
      expect(span.attributes).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'research',
        'network.transport': 'pipe',
        'jsonrpc.request.id': expect.stringMatching(/^\d+$/),
      });
      expect(span.status.code).toBe(0);
      // A plain workflow span in Galileo: the framework's own tool span is the tool.
      expect(span.attributes['gen_ai.operation.name']).toBeUndefined();
    }
    // The session crossed in `_meta.baggage`; the server's processor stamped it from there.
    for (const span of spans) expect(span.attributes['galileo.session.id']).toBe('sess-stdio');
  });

  it('keeps each of 20 parallel calls on one connection in its own caller trace', async () => {
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        underRoot(`caller-${i}`, () =>
          traced.callTool({ name: 'research', arguments: { topic: `topic-${'x'.repeat(i)}` } }),
        ),
      ),
    );
    expect(new Set(calls.map((c) => c.traceId)).size).toBe(20);
    for (const [i, { traceId, value }] of calls.entries()) {
      const seen = answer(value);
      expect(seen.topic).toBe(`topic-${'x'.repeat(i)}`);
      expect(seen.traceId).toBe(traceId);
      const spans = await spansOf(sink, traceId, 4);
      expect(spans).toHaveLength(4);
      expect(orphans(spans)).toEqual([]);
      const client = only(spans, 'tools/call research', CLIENT);
      expect(client.parentSpanId).toBe(only(spans, `caller-${i}`).spanId);
      expect(only(spans, 'tools/call research', SERVER).parentSpanId).toBe(client.spanId);
      expect((seen.meta as Record<string, unknown>).traceparent).toBe(
        `00-${traceId}-${client.spanId}-01`,
      );
    }
  });
});

describe('failures', () => {
  it('marks both spans ERROR for an isError result, which the app gets as it would untraced', async () => {
    const { traceId, value } = await underRoot('caller-fail', () =>
      traced.callTool({ name: 'fail', arguments: {} }),
    );
    expect(value).toEqual(await plain.callTool({ name: 'fail', arguments: {} }));
    expect(value).toMatchObject({ isError: true, content: [{ text: 'tool blew up' }] });
    const spans = await spansOf(sink, traceId, 3);
    for (const span of [
      only(spans, 'tools/call fail', CLIENT),
      only(spans, 'tools/call fail', SERVER),
    ]) {
      expect(span.status).toEqual({ code: 2, message: 'tool blew up' });
      expect(span.attributes['error.type']).toBe('tool_error');
      expect(span.events.map((e) => [e.name, e.attributes['exception.message']])).toEqual([
        ['exception', 'tool blew up'],
      ]);
      expect(span.events[0]?.attributes['exception.type']).toBe('tool_error');
    }
  });

  it('marks both spans ERROR for a JSON-RPC error, and the call fails as it would untraced', async () => {
    const request = { method: 'prompts/get', params: { name: 'nope' } };
    const untraced = await plain.getPrompt(request.params).catch((error: unknown) => error);
    const { traceId, value } = await underRoot('caller-rpc-error', () =>
      traced.getPrompt(request.params).catch((error: unknown) => error),
    );
    expect(value).toBeInstanceOf(Error);
    expect(value).toEqual(untraced);
    expect((value as { code: number }).code).toBe(-32601);
    const spans = await spansOf(sink, traceId, 3);
    for (const span of [
      only(spans, 'prompts/get nope', CLIENT),
      only(spans, 'prompts/get nope', SERVER),
    ]) {
      expect(span.status.code).toBe(2);
      expect(span.attributes).toMatchObject({
        'error.type': '-32601',
        'rpc.response.status_code': '-32601',
        'gen_ai.prompt.name': 'nope',
      });
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });
});

describe('the 2.x line', () => {
  it('traces the 2.x McpServer too: its SERVER span under our CLIENT span', async () => {
    const client = await connect(
      instrumentMcpClient(new Client({ name: 'traced', version: '1.0.0' })),
      {
        SERVICE_NAME: 'mcp-server-v2',
      },
      V2_FIXTURE,
    );
    try {
      const { traceId, value } = await underRoot('caller-v2', () =>
        client.callTool({ name: 'research', arguments: { topic: 'v2' } }),
      );
      expect(answer(value)).toEqual({ topic: 'v2', traceId });
      const spans = await spansOf(sink, traceId, 3);
      const server = only(spans, 'tools/call research', SERVER);
      expect(server.parentSpanId).toBe(only(spans, 'tools/call research', CLIENT).spanId);
      expect(service(server)).toBe('mcp-server-v2');
    } finally {
      await client.close();
    }
  });
});

describe('trace context from clients and servers that are not ours', () => {
  it('joins a plain client that puts a traceparent and baggage in _meta by hand', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = '00f067aa0ba902b7';
    const result = await plain.callTool({
      name: 'research',
      arguments: { topic: 'by hand' },
      _meta: { traceparent: `00-${traceId}-${parent}-01`, baggage: 'galileo.session.id=sess-hand' },
    });
    expect(answer(result).traceId).toBe(traceId);
    const spans = await spansOf(sink, traceId, 2);
    const server = only(spans, 'tools/call research', SERVER);
    expect(server.parentSpanId).toBe(parent);
    expect(only(spans, 'research work').parentSpanId).toBe(server.spanId);
    for (const span of spans) expect(span.attributes['galileo.session.id']).toBe('sess-hand');
  });

  it('sends a plain server a traceparent in _meta that names our CLIENT span', async () => {
    const { traceId, value } = await underRoot('caller-plain-server', () =>
      toPlainServer.callTool({ name: 'research', arguments: { topic: 'plain' } }),
    );
    const spans = await spansOf(sink, traceId, 2);
    // The plain server made no span of its own and ran its tool outside any trace.
    expect(spans.map((s) => service(s))).toEqual(['mcp-client', 'mcp-client']);
    const client = only(spans, 'tools/call research', CLIENT);
    expect(answer(value)).toMatchObject({
      traceId: null,
      meta: { traceparent: `00-${traceId}-${client.spanId}-01` },
    });
  });
});

describe('hostile _meta', () => {
  const HOSTILE = 'deadbeefdeadbeefdeadbeefdeadbeef';
  const cases: [string, Record<string, unknown>, Partial<Record<string, number>>][] = [
    [
      'a traceparent that is not W3C syntax',
      { traceparent: 'not-a-traceparent' },
      { traceparentRejected: 1 },
    ],
    [
      'an oversized traceparent',
      { traceparent: `01-${HOSTILE}-00f067aa0ba902b7-01-${'x'.repeat(64 * 1024)}` },
      { traceparentRejected: 1 },
    ],
    [
      'all-zero ids',
      { traceparent: `00-${'0'.repeat(32)}-${'0'.repeat(16)}-01` },
      { traceparentRejected: 1 },
    ],
    [
      'a traceparent that is not a string',
      { traceparent: { toString: 'x' } },
      { traceparentRejected: 1 },
    ],
    [
      'oversized baggage with a valid traceparent',
      {
        traceparent: `00-${'a'.repeat(32)}-00f067aa0ba902b7-01`,
        baggage: `galileo.session.id=${'s'.repeat(9000)}`,
      },
      { baggageRejected: 1 },
    ],
    [
      'malformed baggage and tracestate',
      {
        traceparent: `00-${'b'.repeat(32)}-00f067aa0ba902b7-01`,
        baggage: '%%;;;=,,',
        tracestate: 'a=\u0001',
      },
      { baggageRejected: 1, tracestateRejected: 1 },
    ],
  ];

  it.each(cases)(
    'ignores and counts %s, and the server keeps serving',
    async (_, meta, counted) => {
      const before = answer(await plain.callTool({ name: 'stats', arguments: {} }));
      const result = await plain.callTool({
        name: 'research',
        arguments: { topic: 'hostile' },
        _meta: meta,
      });
      const after = answer(await plain.callTool({ name: 'stats', arguments: {} }));
      const seen = answer(result);
      expect(seen.topic).toBe('hostile');
      for (const key of ['traceparentRejected', 'tracestateRejected', 'baggageRejected']) {
        expect(Number(after[key]) - Number(before[key]), key).toBe(counted[key] ?? 0);
      }
      expect(after.hookErrors).toBe(0);
      const spans = await spansOf(sink, seen.traceId as string, 2);
      const server = only(spans, 'tools/call research', SERVER);
      if (counted.traceparentRejected) {
        // Never adopted: a new trace, rooted at the SERVER span.
        expect(server.traceId).not.toBe(HOSTILE);
        expect(server.parentSpanId).toBeUndefined();
      } else {
        // The valid traceparent is kept; only the bad field went.
        expect(server.traceId).toBe(String(meta.traceparent).slice(3, 35));
        expect(server.parentSpanId).toBe('00f067aa0ba902b7');
        expect(server.traceState).toBe('');
      }
      for (const span of spans) expect(span.attributes['galileo.session.id']).toBeUndefined();
    },
  );
});

describe('a server that dies mid-call', () => {
  it('leaves the CLIENT span ERROR, and the call fails as it would untraced', async () => {
    const untraced = await plain.callTool({ name: 'die', arguments: {} }).catch((e: unknown) => e);
    const { traceId, value } = await underRoot('caller-die', () =>
      traced.callTool({ name: 'die', arguments: {} }).catch((e: unknown) => e),
    );
    expect(value).toBeInstanceOf(Error);
    expect(value).toEqual(untraced);
    expect(String(value)).toMatch(/Connection closed/);
    const spans = await spansOf(sink, traceId, 2);
    const client = only(spans, 'tools/call die', CLIENT);
    expect(client.status.code).toBe(2);
    expect(client.attributes['error.type']).toBe('connection_closed');
    expect(client.events.map((e) => e.name)).toEqual(['exception']);
    expect(orphans(spans)).toEqual([]);
  });
});
