// instrumentMcp() finds the SDK's classes where the app cannot reach them: the CommonJS build
// (what ADK `require`s from its ESM code) and the 2.x client (OpenAI Agents, Mastra). Each is
// proven with a real client of that build against the fixture server in another process.
import { createRequire } from 'node:module';
import type { GalileoRegistration } from '@galileo-otel/core';
import type { OtlpSink } from '@galileo-otel/otlp-proto';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMcp } from './instrument-mcp.js';
import {
  answer,
  CLIENT,
  FIXTURE,
  only,
  orphans,
  SERVER,
  serverEnv,
  spansOf,
  startTracing,
} from './test-support/mcp-harness.js';

let sink: OtlpSink;
let galileo: GalileoRegistration;
const require = createRequire(import.meta.url);
const tracer = trace.getTracer('instrument-test');

interface AnyClient {
  connect(transport: unknown): Promise<void>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

async function callUnderRoot(client: AnyClient, topic: string) {
  return tracer.startActiveSpan('caller', { root: true }, async (span) => {
    const value = await client.callTool({ name: 'research', arguments: { topic } });
    span.end();
    return { traceId: span.spanContext().traceId, value };
  });
}

async function expectTree(traceId: string) {
  const spans = await spansOf(sink, traceId, 4);
  expect(orphans(spans)).toEqual([]);
  const client = only(spans, 'tools/call research', CLIENT);
  expect(only(spans, 'tools/call research', SERVER).parentSpanId).toBe(client.spanId);
  expect(client.parentSpanId).toBe(only(spans, 'caller').spanId);
}

beforeAll(async () => {
  ({ sink, galileo } = await startTracing());
});

afterAll(async () => {
  await galileo?.shutdown();
  await sink?.close();
});

describe('instrumentMcp()', () => {
  it('patches the Client and Server of both builds of every SDK copy it can resolve, once', () => {
    const first = instrumentMcp();
    const described = first.instrumented.map((c) => `${c.package} ${c.side} ${c.format}`);
    // This package's own: the 1.x SDK and the 2.x client. Frameworks in the monorepo bring
    // copies of their own (Mastra pins 2.0.0), found too.
    expect(described).toEqual(
      expect.arrayContaining([
        '@modelcontextprotocol/client client cjs',
        '@modelcontextprotocol/client client esm',
        '@modelcontextprotocol/sdk client cjs',
        '@modelcontextprotocol/sdk client esm',
        '@modelcontextprotocol/sdk server cjs',
        '@modelcontextprotocol/sdk server esm',
      ]),
    );
    const files = first.instrumented.map((c) => c.file);
    expect(new Set(files).size).toBe(files.length);
    expect(first.problems).toEqual([]);
    // Again: the same classes, left as they are (one span per request, below).
    expect(instrumentMcp().instrumented.map((c) => c.file)).toEqual(files);
  });

  it('traces a client of the CommonJS build, created after the call', async () => {
    const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
    const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
    const client: AnyClient = new Client({ name: 'cjs', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [FIXTURE], env: serverEnv() }),
    );
    try {
      const { traceId, value } = await callUnderRoot(client, 'cjs');
      expect(answer(value).traceId).toBe(traceId);
      await expectTree(traceId);
    } finally {
      await client.close();
    }
  });

  it('traces a 2.x client negotiating its protocol version (the way OpenAI Agents connects)', async () => {
    const { Client } = await import('@modelcontextprotocol/client');
    const { StdioClientTransport } = await import('@modelcontextprotocol/client/stdio');
    const client = new Client(
      { name: 'v2', version: '1.0.0' },
      { versionNegotiation: { mode: 'auto' } },
    ) as unknown as AnyClient;
    await client.connect(
      new StdioClientTransport({ command: process.execPath, args: [FIXTURE], env: serverEnv() }),
    );
    try {
      const { traceId, value } = await callUnderRoot(client, 'v2');
      expect(answer(value).traceId).toBe(traceId);
      await expectTree(traceId);
    } finally {
      await client.close();
    }
  });
});
