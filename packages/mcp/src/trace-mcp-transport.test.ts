// The transport tracing on its own, in one process: the SDK's real InMemoryTransport pair, raw
// JSON-RPC on the wire, a real OTel SDK pipeline with an in-memory exporter. The cases a peer
// process cannot stage cheaply: no answer at all, a send that fails, a hook that throws.

import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  CompositePropagator,
  W3CBaggagePropagator,
  W3CTraceContextPropagator,
} from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { mcpStats } from './mcp-stats.js';
import { traceMcpTransport } from './trace-mcp-transport.js';

const exporter = new InMemorySpanExporter();
const tracerProvider = new TracerProvider({
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
});
const tracer = tracerProvider.getTracer('transport-test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    }),
  );
});
beforeEach(() => exporter.reset());

/** A linked pair; what reaches the far end is recorded. */
async function pair() {
  const [near, far] = InMemoryTransport.createLinkedPair();
  const received: Record<string, unknown>[] = [];
  far.onmessage = (message) => {
    received.push(message as Record<string, unknown>);
  };
  await Promise.all([near.start(), far.start()]);
  return { near, far, received };
}

const call = (id: number, name = 'research') => ({
  jsonrpc: '2.0' as const,
  id,
  method: 'tools/call',
  params: { name, arguments: {} },
});

describe('traceMcpTransport, client side', () => {
  it('ends the oldest waiting span as incomplete past maxOpenRuns', async () => {
    const { near } = await pair();
    traceMcpTransport(near, { side: 'client', tracerProvider, maxOpenRuns: 2 });
    const before = mcpStats().spansAbandoned;
    for (const id of [1, 2, 3]) await near.send(call(id));
    const ended = exporter.getFinishedSpans();
    expect(ended.map((s) => s.attributes['jsonrpc.request.id'])).toEqual(['1']);
    expect(ended[0]?.attributes).toMatchObject({
      'galileo.incomplete': true,
      'galileo.incomplete.reason': 'evicted',
    });
    expect(mcpStats().spansAbandoned - before).toBe(1);
  });

  it('marks the span ERROR when the send fails, and the caller gets the same error', async () => {
    const { near } = await pair();
    traceMcpTransport(near, { side: 'client', tracerProvider });
    const untraced = await new InMemoryTransport().send(call(1)).catch((e: unknown) => e);
    const error = await near
      .close()
      .then(() => near.send(call(1)))
      .catch((e: unknown) => e);
    expect(error).toEqual(untraced);
    const [span] = exporter.getFinishedSpans();
    expect(span?.status).toMatchObject({ code: 2, message: 'Not connected' });
    expect(span?.attributes['error.type']).toBe('Error');
  });

  it('ends a request the client cancels, as cancelled', async () => {
    const { near } = await pair();
    traceMcpTransport(near, { side: 'client', tracerProvider });
    await near.send(call(7));
    await near.send({
      jsonrpc: '2.0',
      method: 'notifications/cancelled',
      params: { requestId: 7, reason: 'timeout' },
    });
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes['error.type']).toBe('cancelled');
  });

  it('sends the request untouched when a hook throws, and counts it', async () => {
    const { near, received } = await pair();
    traceMcpTransport(near, {
      side: 'client',
      tracerProvider,
      methods: () => {
        throw new Error('broken filter');
      },
    });
    const before = mcpStats().hookErrors;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await tracer.startActiveSpan('caller', async (span) => {
      await near.send(call(1));
      span.end();
    });
    warn.mockRestore();
    expect(received).toEqual([call(1)]);
    expect(mcpStats().hookErrors - before).toBe(1);
  });

  it('makes one span per request when traced twice, and leaves other objects alone', async () => {
    const { near, far, received } = await pair();
    traceMcpTransport(near, { side: 'client', tracerProvider });
    traceMcpTransport(near, { side: 'client', tracerProvider });
    near.onmessage = () => {}; // the client's handler, set after tracing (as connect() does)
    const notTransport = { start() {} };
    expect(traceMcpTransport(notTransport, { side: 'client' })).toBe(notTransport);
    await tracer.startActiveSpan('caller', async (span) => {
      await near.send(call(1));
      await far.send({ jsonrpc: '2.0', id: 1, result: { content: [] } });
      span.end();
    });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(['tools/call research', 'caller']);
    const [client, caller] = spans;
    expect(client?.parentSpanContext?.spanId).toBe(caller?.spanContext().spanId);
    expect(received[0]?.params).toMatchObject({
      _meta: {
        traceparent: `00-${client?.spanContext().traceId}-${client?.spanContext().spanId}-01`,
      },
    });
  });
});

describe('traceMcpTransport, bad options', () => {
  it('reports a bad maxOpenRuns by name and leaves the transport as it was', async () => {
    const { near, received } = await pair();
    const send = near.send;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    traceMcpTransport(near, { side: 'client', tracerProvider, maxOpenRuns: 0 });
    const lines = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();
    expect(lines).toEqual([expect.stringContaining('maxOpenRuns must be a whole number')]);
    expect(near.send).toBe(send);
    await near.send(call(1));
    expect(received).toEqual([call(1)]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});

describe('traceMcpTransport, server side', () => {
  it('starts a new trace for every request with ignoreIncoming', async () => {
    const { near, far } = await pair();
    traceMcpTransport(far, { side: 'server', tracerProvider, ignoreIncoming: true });
    let seen: string | undefined;
    far.onmessage = (message) => {
      seen = trace.getActiveSpan()?.spanContext().traceId;
      void far.send({ jsonrpc: '2.0', id: (message as { id: number }).id, result: {} });
    };
    const request = call(1);
    await near.send({
      ...request,
      params: {
        ...request.params,
        _meta: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
      },
    });
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('tools/call research');
    expect(span?.spanContext().traceId).toBe(seen);
    expect(seen).not.toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span?.parentSpanContext).toBeUndefined();
  });
});
