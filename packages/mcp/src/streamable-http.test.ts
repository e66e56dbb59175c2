// MCP over Streamable HTTP on loopback between real OS processes: the fixture McpServer (stateful
// sessions) in a child process, this process the client. Both export OTLP to one sink.
import { spawn } from 'node:child_process';
import type { GalileoRegistration } from '@galileo-otel/core';
import type { OtlpSink } from '@galileo-otel/otlp-proto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instrumentMcpClient } from './instrument-mcp-client.js';
import { mcpFetch } from './mcp-fetch.js';
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
let server: ReturnType<typeof spawn>;
let url: URL;
const tracer = trace.getTracer('http-test');

beforeAll(async () => {
  ({ sink, galileo } = await startTracing());
  server = spawn(process.execPath, [FIXTURE], {
    env: serverEnv({ MCP_TRANSPORT: 'http' }),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  url = await new Promise<URL>((resolve, reject) => {
    server.once('exit', (code) => reject(new Error(`the fixture server exited (${code})`)));
    server.stdout?.on('data', (chunk: Buffer) => {
      const match = /listening on (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(new URL(match[1]));
    });
  });
});

afterAll(async () => {
  server?.kill('SIGTERM');
  await galileo?.shutdown();
  await sink?.close();
});

describe('a tool call over Streamable HTTP', () => {
  it('is one tree with the session id, and the context in _meta and in the HTTP headers', async () => {
    const client = instrumentMcpClient(new Client({ name: 'traced', version: '1.0.0' }));
    await client.connect(new StreamableHTTPClientTransport(url, { fetch: mcpFetch() }));
    try {
      const { traceId, value } = await tracer.startActiveSpan('caller', async (span) => {
        const result = await client.callTool({ name: 'research', arguments: { topic: 'HTTP' } });
        span.end();
        return { traceId: span.spanContext().traceId, value: result };
      });
      const spans = await spansOf(sink, traceId, 4);
      expect(orphans(spans)).toEqual([]);
      const clientSpan = only(spans, 'tools/call research', CLIENT);
      const serverSpan = only(spans, 'tools/call research', SERVER);
      expect(clientSpan.parentSpanId).toBe(only(spans, 'caller').spanId);
      expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
      expect(only(spans, 'research work').parentSpanId).toBe(serverSpan.spanId);
      const traceparent = `00-${traceId}-${clientSpan.spanId}-01`;
      expect(answer(value)).toMatchObject({ meta: { traceparent }, header: traceparent });
      for (const span of [clientSpan, serverSpan]) {
        expect(span.attributes).toMatchObject({
          'network.transport': 'tcp',
          'mcp.session.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        });
      }
      expect(clientSpan.attributes['mcp.session.id']).toBe(serverSpan.attributes['mcp.session.id']);
    } finally {
      await client.close();
    }
  });

  it('joins a plain client that sends the traceparent as an HTTP header only', async () => {
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const parent = 'b7ad6b7169203331';
    const client = new Client({ name: 'plain', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(url, {
        requestInit: { headers: { traceparent: `00-${traceId}-${parent}-01` } },
      }),
    );
    try {
      const result = await client.callTool({ name: 'research', arguments: { topic: 'header' } });
      expect(answer(result)).toMatchObject({ meta: {}, traceId });
      const spans = await spansOf(sink, traceId, 2);
      expect(only(spans, 'tools/call research', SERVER).parentSpanId).toBe(parent);
    } finally {
      await client.close();
    }
  });
});
