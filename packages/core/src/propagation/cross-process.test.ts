import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { galileoKind } from '../kinds/galileo-kind.js';
import { type GalileoRegistration, registerGalileo } from '../register-galileo.js';
import { tracedFetch, withGalileoSession } from './propagation.js';

let sink: OtlpSink;
let child: ChildProcess;
let childUrl: string;
let galileo: GalileoRegistration;

beforeAll(async () => {
  sink = await startOtlpSink();
  child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../__fixtures__/child-server.mjs', import.meta.url))],
    {
      env: { ...process.env, GALILEO_API_KEY: 'child-key', GALILEO_API_ENDPOINT: sink.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const [line] = (await once(child.stdout as NodeJS.ReadableStream, 'data')) as [Buffer];
  const port = /LISTENING (\d+)/.exec(line.toString())?.[1];
  childUrl = `http://127.0.0.1:${port}`;
  galileo = registerGalileo({
    apiKey: 'parent-key',
    endpoint: sink.url,
    serviceName: 'parent-service',
    logger: false,
  });
});

afterAll(async () => {
  child.kill('SIGTERM');
  await once(child, 'exit');
  await galileo.shutdown();
  await sink.close();
});

describe('propagation between two real processes', () => {
  it('joins the callee into the caller trace and carries the session as baggage', async () => {
    const tracer = trace.getTracer('parent');
    const callerSpanId = await withGalileoSession({ sessionId: 'sess-42', userId: 'user-7' }, () =>
      tracer.startActiveSpan('execute_tool delegate_research', async (span) => {
        const response = await tracedFetch(`${childUrl}/research`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic: 'Voyager 1' }),
        });
        expect(await response.json()).toEqual({ findings: 'facts about Voyager 1' });
        span.end();
        return span.spanContext().spanId;
      }),
    );
    await fetch(`${childUrl}/flush`);
    await galileo.forceFlush();

    const spans = sink.spans().filter((s) => !s.name.includes('/flush'));
    const caller = spans.find((s) => s.name === 'execute_tool delegate_research');
    // OTLP span kinds: 2 = SERVER, 3 = CLIENT.
    const server = spans.find((s) => s.name === 'POST /research' && s.kind === 2);
    const clientSpan = spans.find((s) => s.name === 'POST /research' && s.kind === 3);
    const work = spans.find((s) => s.name === 'research-work');
    expect(caller?.spanId).toBe(callerSpanId);
    expect(clientSpan?.parentSpanId).toBe(caller?.spanId);
    expect(server?.parentSpanId).toBe(clientSpan?.spanId);
    expect(work?.parentSpanId).toBe(server?.spanId);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(clientSpan?.resource['service.name']).toBe('parent-service');
    expect(server?.resource['service.name']).toBe('child-service');
    for (const span of [caller, clientSpan, server, work]) {
      expect(span?.attributes['galileo.session.id']).toBe('sess-42');
      expect(span?.attributes['user.id']).toBe('user-7');
    }
    expect(caller && galileoKind(caller)).toBe('workflow');
    expect(server && galileoKind(server)).toBe('workflow');
  });

  it('carries a session a framework set on its own span to the callee, without any baggage', async () => {
    const tracer = trace.getTracer('parent');
    // As the OpenAI Agents adapter does with a run's group id: the session is an attribute of the
    // agent span, and nothing put it in the baggage.
    const traceId = await tracer.startActiveSpan(
      'invoke_agent planner',
      { attributes: { 'gen_ai.conversation.id': 'thread-9', 'user.id': 'user-private' } },
      async (span) => {
        const response = await tracedFetch(`${childUrl}/research`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic: 'Io' }),
        });
        expect(await response.json()).toEqual({ findings: 'facts about Io' });
        span.end();
        return span.spanContext().traceId;
      },
    );
    await fetch(`${childUrl}/flush`);
    await galileo.forceFlush();

    const spans = sink.spans().filter((s) => s.traceId === traceId);
    const names = spans.map((s) => `${s.name}/${s.kind}`).sort();
    expect(names).toEqual([
      'POST /research/2',
      'POST /research/3',
      'invoke_agent planner/1',
      'research-work/1',
    ]);
    for (const span of spans) {
      expect(span.attributes['galileo.session.id']).toBe('thread-9');
      expect(span.attributes['gen_ai.conversation.id']).toBe('thread-9');
      expect(span.resource['galileo.session.id']).toBe('thread-9');
    }
    // A user id travels in-process from parent to child, but only the app's baggage sends one on.
    const callee = spans.filter((s) => s.resource['service.name'] === 'child-service');
    expect(callee).toHaveLength(2);
    for (const span of callee) expect(span.attributes['user.id']).toBeUndefined();
    const clientSpan = spans.find((s) => s.kind === 3);
    expect(clientSpan?.attributes['user.id']).toBe('user-private');
  });
});
