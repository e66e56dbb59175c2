// Two real processes: this one is the caller (a real @a2a-js/sdk client, traced with
// traceA2AClient), the agent runs in __fixtures__/a2a-agent.mjs behind the SDK's express
// JSON-RPC server, traced with traceA2AHandler. Both export OTLP to one sink; the tests assert on
// the decoded spans.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { type Client, ClientFactory } from '@a2a-js/sdk/client';
import { type GalileoRegistration, registerGalileo, withGalileoSession } from '@galileo-otel/core';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { traceA2AClient } from './index.js';

const SERVER = 2;
const CLIENT = 3;
const ERROR = 2;

interface Agent {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

async function startAgent(env: Record<string, string> = {}): Promise<Agent> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./__fixtures__/a2a-agent.mjs', import.meta.url))],
    {
      env: { ...process.env, GALILEO_API_KEY: 'agent-key', GALILEO_API_ENDPOINT: sink.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = /LISTENING (\S+)/.exec(chunk.toString());
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`agent exited (${code}) before listening\n${output}`)),
    );
  });
  return {
    url,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

let sink: OtlpSink;
let galileo: GalileoRegistration;
let agent: Agent;
let plainClient: Client;
let client: Client;

/** A user message as the SDK's types spell it out (every protobuf field present). */
const message = (text: string): Parameters<Client['sendMessage']>[0] => ({
  tenant: '',
  configuration: undefined,
  metadata: undefined,
  message: {
    messageId: randomUUID(),
    contextId: '',
    taskId: '',
    role: 1,
    parts: [
      {
        content: { $case: 'text', value: text },
        mediaType: 'text/plain',
        filename: '',
        metadata: undefined,
      },
    ],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  },
});

/** The spans of both processes, once both flushed. */
async function flushed(): Promise<OtlpSpan[]> {
  await galileo.forceFlush();
  await fetch(`${agent.url}/flush`, { method: 'POST' });
  return sink.spans();
}

/** Every span of `traceId`, after checking that each names a parent that arrived. */
function treeOf(spans: OtlpSpan[], traceId: string): OtlpSpan[] {
  const tree = spans.filter((s) => s.traceId === traceId);
  const ids = new Set(tree.map((s) => s.spanId));
  expect(tree.filter((s) => s.parentSpanId && !ids.has(s.parentSpanId))).toEqual([]);
  return tree;
}

function one(spans: OtlpSpan[], predicate: (s: OtlpSpan) => boolean): OtlpSpan {
  const found = spans.filter(predicate);
  expect(found).toHaveLength(1);
  return found[0] as OtlpSpan;
}

const textOf = (result: unknown): string =>
  ((result as { parts?: { content?: { value?: string } }[] }).parts ?? [])
    .map((p) => p.content?.value ?? '')
    .join('');

beforeAll(async () => {
  sink = await startOtlpSink();
  agent = await startAgent();
  galileo = registerGalileo({
    apiKey: 'caller-key',
    endpoint: sink.url,
    serviceName: 'a2a-caller',
    logger: false,
  });
  plainClient = await new ClientFactory().createFromUrl(agent.url);
  client = traceA2AClient(plainClient);
});

afterAll(async () => {
  await agent?.stop();
  await galileo?.shutdown();
  await sink?.close();
});

describe('an A2A call between two processes', () => {
  it('is one tree: SERVER under CLIENT under the caller, the agent under SERVER, session on both sides', async () => {
    const tracer = trace.getTracer('caller');
    const { reply, toolSpanId } = await withGalileoSession({ sessionId: 'sess-a2a' }, () =>
      tracer.startActiveSpan('execute_tool delegate_research', async (span) => {
        const reply = await client.sendMessage(message('Voyager 1'));
        span.end();
        return { reply, toolSpanId: span.spanContext().spanId };
      }),
    );
    expect(textOf(reply)).toBe('facts about Voyager 1');

    const spans = await flushed();
    const tool = one(spans, (s) => s.spanId === toolSpanId);
    const tree = treeOf(spans, tool.traceId);
    const clientSpan = one(tree, (s) => s.name === 'SendMessage' && s.kind === CLIENT);
    const serverSpan = one(tree, (s) => s.name === 'SendMessage' && s.kind === SERVER);
    const work = one(tree, (s) => s.name === 'agent-work');
    expect(clientSpan.parentSpanId).toBe(tool.spanId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    expect(work.parentSpanId).toBe(serverSpan.spanId);
    expect(clientSpan.resource['service.name']).toBe('a2a-caller');
    expect(serverSpan.resource['service.name']).toBe('a2a-agent');
    for (const span of [clientSpan, serverSpan, work]) {
      expect(span.attributes['galileo.session.id']).toBe('sess-a2a');
    }
    const contextId = (reply as { contextId: string }).contextId;
    expect(contextId).toMatch(/^[0-9a-f-]{36}$/);
    for (const span of [clientSpan, serverSpan]) {
      expect(span.scope.name).toBe('@galileo-otel/a2a');
      expect(span.attributes).toMatchObject({
        'rpc.method': 'SendMessage',
        'gen_ai.conversation.id': contextId,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', content: 'Voyager 1' }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', content: 'facts about Voyager 1' },
        ]),
      });
      expect(span.status.code).not.toBe(ERROR);
    }
    expect(clientSpan.attributes['gen_ai.agent.name']).toBe('research_agent');
  });

  it("ends a streaming call's spans when the stream ends, with every chunk and the final state", async () => {
    const events: string[] = [];
    const root = await trace.getTracer('caller').startActiveSpan('stream-caller', async (span) => {
      for await (const event of client.sendMessageStream(message('stream please'))) {
        events.push(event.payload?.$case ?? '?');
      }
      span.end();
      return span;
    });
    expect(events).toEqual([
      'task',
      'artifactUpdate',
      'artifactUpdate',
      'artifactUpdate',
      'statusUpdate',
    ]);

    const tree = treeOf(await flushed(), root.spanContext().traceId);
    const clientSpan = one(tree, (s) => s.name === 'SendStreamingMessage' && s.kind === CLIENT);
    const serverSpan = one(tree, (s) => s.name === 'SendStreamingMessage' && s.kind === SERVER);
    const lastChunk = one(tree, (s) => s.name === 'chunk-3');
    expect(clientSpan.parentSpanId).toBe(root.spanContext().spanId);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    expect(lastChunk.parentSpanId).toBe(serverSpan.spanId);
    for (const span of [clientSpan, serverSpan]) {
      // Written when the span ends, so they prove it ended after the last event: the state comes
      // with the last event only, and the text is every chunk's. (End timestamps of two spans
      // are not compared: OTel anchors each span to the wall clock at its start, to 1 ms.)
      expect(span.attributes['a2a.task.state']).toBe('TASK_STATE_COMPLETED');
      expect(span.attributes['gen_ai.output.messages']).toBe(
        JSON.stringify([{ role: 'assistant', content: 'chunk 1. chunk 2. chunk 3. ' }]),
      );
      expect(span.attributes['a2a.task.id']).toBe(serverSpan.attributes['a2a.task.id']);
    }
    expect(serverSpan.attributes['a2a.task.id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("keeps 20 parallel calls each in its own caller's trace", async () => {
    const tracer = trace.getTracer('caller');
    const calls = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        withGalileoSession({ sessionId: `sess-${i}` }, () =>
          tracer.startActiveSpan(`caller-${i}`, async (span) => {
            const reply = await client.sendMessage(message(`topic ${i}`));
            span.end();
            return { i, reply, span };
          }),
        ),
      ),
    );
    const spans = await flushed();
    for (const { i, reply, span } of calls) {
      expect(textOf(reply)).toBe(`facts about topic ${i}`);
      const tree = treeOf(spans, span.spanContext().traceId);
      const clientSpan = one(tree, (s) => s.kind === CLIENT);
      const serverSpan = one(tree, (s) => s.kind === SERVER);
      const work = one(tree, (s) => s.name === 'agent-work');
      expect(tree).toHaveLength(4);
      expect(clientSpan.parentSpanId).toBe(span.spanContext().spanId);
      expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
      expect(work.parentSpanId).toBe(serverSpan.spanId);
      expect(serverSpan.attributes['gen_ai.input.messages']).toContain(`topic ${i}`);
      expect(work.attributes['galileo.session.id']).toBe(`sess-${i}`);
    }
  });
});

/** What a call gave its caller: the value, or the error's class, name and message. */
async function outcome(run: () => Promise<unknown>) {
  try {
    return { value: await run() };
  } catch (error) {
    const e = error as Error;
    return { error: { class: e.constructor.name, name: e.name, message: e.message } };
  }
}

describe('a call that fails', () => {
  it('returns the same FAILED task as untraced, and both spans are ERROR in the one shape', async () => {
    const plain = (await plainClient.sendMessage(message('fail'))) as {
      status: { state: number; message: unknown };
    };
    const { traced, traceId } = await trace
      .getTracer('caller')
      .startActiveSpan('fail-caller', async (span) => {
        const traced = (await client.sendMessage(message('fail'))) as typeof plain;
        span.end();
        return { traced, traceId: span.spanContext().traceId };
      });
    expect(plain.status.state).toBe(4);
    expect(traced.status.state).toBe(plain.status.state);
    expect(textOf(traced.status.message)).toBe('Agent execution error: research backend down');
    expect(textOf(traced.status.message)).toBe(textOf(plain.status.message));

    const tree = treeOf(await flushed(), traceId);
    for (const kind of [CLIENT, SERVER]) {
      const span = one(tree, (s) => s.name === 'SendMessage' && s.kind === kind);
      expect(span.status).toEqual({
        code: ERROR,
        message: 'Agent execution error: research backend down',
      });
      expect(span.attributes['error.type']).toBe('TaskFailed');
      expect(span.attributes['a2a.task.state']).toBe('TASK_STATE_FAILED');
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
      expect(span.events[0]?.attributes).toMatchObject({
        'exception.type': 'TaskFailed',
        'exception.message': 'Agent execution error: research backend down',
      });
    }
  });

  it('rejects with the same JSON-RPC error as untraced, and both spans are ERROR', async () => {
    const id = randomUUID();
    const plain = await outcome(() => plainClient.getTask({ id, tenant: '' }));
    const { traced, traceId } = await trace
      .getTracer('caller')
      .startActiveSpan('get-caller', async (span) => {
        const traced = await outcome(() => client.getTask({ id, tenant: '' }));
        span.end();
        return { traced, traceId: span.spanContext().traceId };
      });
    expect(plain.error?.name).toBe('TaskNotFoundError');
    expect(traced).toEqual(plain);

    const tree = treeOf(await flushed(), traceId);
    const clientSpan = one(tree, (s) => s.name === 'GetTask' && s.kind === CLIENT);
    const serverSpan = one(tree, (s) => s.name === 'GetTask' && s.kind === SERVER);
    expect(serverSpan.parentSpanId).toBe(clientSpan.spanId);
    for (const span of [clientSpan, serverSpan]) {
      expect(span.status.code).toBe(ERROR);
      expect(span.attributes['error.type']).toBe('TaskNotFoundError');
      expect(span.attributes['a2a.task.id']).toBe(id);
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });

  /** Reads a stream to its end; `onEvent` runs after each event. */
  const readStream = async (c: Client, text: string, onEvent = async (_kind: string) => {}) => {
    const events: string[] = [];
    const result = await outcome(async () => {
      for await (const event of c.sendMessageStream(message(text))) {
        events.push(event.payload?.$case ?? '?');
        await onEvent(event.payload?.$case ?? '?');
      }
    });
    return { events, ...result };
  };

  it('fails like untraced when the server dies mid-stream or mid-call, and the span is ERROR', async () => {
    const calls = {
      stream: (c: Client, url: string) =>
        // The first chunk arrived: the server process goes away now.
        readStream(c, 'die', async (kind) => {
          if (kind === 'artifactUpdate')
            await fetch(`${url}/die`, { method: 'POST' }).catch(() => {});
        }),
      blocking: (c: Client) => outcome(() => c.sendMessage(message('die now'))),
    };
    const dying = await Promise.all(Array.from({ length: 4 }, () => startAgent({ PLAIN: '1' })));
    try {
      const seen: Record<string, { error?: { name: string; message: string } }> = {};
      for (const [index, [name, call]] of Object.entries(calls).entries()) {
        const [plainDying, tracedDying] = dying.slice(index * 2) as [Agent, Agent];
        const plain = await call(
          await new ClientFactory().createFromUrl(plainDying.url),
          plainDying.url,
        );
        const traced = await trace
          .getTracer('caller')
          .startActiveSpan(`die-${name}`, async (span) => {
            const c = traceA2AClient(await new ClientFactory().createFromUrl(tracedDying.url));
            const result = await call(c, tracedDying.url);
            span.end();
            return result;
          });
        expect(traced, name).toEqual(plain);
        expect(plain.error?.name, name).toBe('TypeError');
        seen[name] = plain;
      }
      expect(seen.stream).toMatchObject({ events: ['task', 'artifactUpdate'] });

      await galileo.forceFlush();
      const spans = sink.spans();
      for (const name of Object.keys(calls)) {
        const caller = one(spans, (s) => s.name === `die-${name}`);
        const span = one(treeOf(spans, caller.traceId), (s) => s.kind === CLIENT);
        expect(span.status, name).toEqual({ code: ERROR, message: seen[name]?.error?.message });
        expect(span.attributes['error.type'], name).toBe('TypeError');
        expect(span.events.map((e) => e.name)).toEqual(['exception']);
      }
    } finally {
      await Promise.all(dying.map((d) => d.stop()));
    }
  });

  it('ends like untraced when a stream stops before a final state, and both spans are ERROR', async () => {
    // The SDK's client reports a stream the server closed early as a normal end.
    const plain = await readStream(plainClient, 'stream stop');
    const { traced, traceId } = await trace
      .getTracer('caller')
      .startActiveSpan('stop-caller', async (span) => {
        const traced = await readStream(client, 'stream stop');
        span.end();
        return { traced, traceId: span.spanContext().traceId };
      });
    expect(plain).toEqual({ events: ['task', 'artifactUpdate'], value: undefined });
    expect(traced).toEqual(plain);

    const tree = treeOf(await flushed(), traceId);
    for (const kind of [CLIENT, SERVER]) {
      const span = one(tree, (s) => s.name === 'SendStreamingMessage' && s.kind === kind);
      expect(span.status).toEqual({
        code: ERROR,
        message:
          'the stream ended before a message or a final task state (last state: TASK_STATE_WORKING)',
      });
      expect(span.attributes['error.type']).toBe('StreamEndedEarly');
      expect(span.attributes['gen_ai.output.messages']).toContain('chunk 1.');
      expect(span.events.map((e) => e.name)).toEqual(['exception']);
    }
  });
});

/** A JSON-RPC `SendMessage` as any A2A client would post it, with only the given headers. */
async function postSendMessage(text: string, headers: Record<string, string>) {
  const response = await fetch(`${agent.url}/a2a`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'a2a-version': '1.0', ...headers },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'SendMessage',
      params: { message: { messageId: randomUUID(), role: 'ROLE_USER', parts: [{ text }] } },
    }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('trace context from clients that are not ours', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const parentId = '00f067aa0ba902b7';

  it('joins a plain client that sends only traceparent and baggage headers', async () => {
    const reply = await postSendMessage('plain caller', {
      traceparent: `00-${traceId}-${parentId}-01`,
      baggage: 'galileo.session.id=plain-session',
    });
    expect(reply.status).toBe(200);
    expect(JSON.stringify(reply.body.result)).toContain('facts about plain caller');
    const tree = (await flushed()).filter((s) => s.traceId === traceId);
    const serverSpan = one(tree, (s) => s.kind === SERVER);
    const work = one(tree, (s) => s.name === 'agent-work');
    expect(serverSpan.parentSpanId).toBe(parentId);
    expect(work.parentSpanId).toBe(serverSpan.spanId);
    expect(serverSpan.attributes['galileo.session.id']).toBe('plain-session');
    expect(work.attributes['galileo.session.id']).toBe('plain-session');
  });

  it('ignores and counts a malformed, repeated or oversized traceparent or baggage', async () => {
    const before = (await (await fetch(`${agent.url}/stats`)).json()) as Record<string, number>;
    const cases: [string, Record<string, string>][] = [
      ['bad-parent', { traceparent: `00-${traceId.slice(2)}-${parentId}-01` }],
      ['long-parent', { traceparent: `cc-${traceId}-${parentId}-01-${'a'.repeat(2000)}` }],
      [
        'two-parents',
        { traceparent: `00-${traceId}-${parentId}-01, 00-${traceId}-${parentId}-01` },
      ],
      ['long-baggage', { baggage: `galileo.session.id=evil,${'k=v,'.repeat(2500)}x=y` }],
      ['bad-member', { baggage: 'galileo.session.id=kept,bad member=1' }],
    ];
    for (const [name, headers] of cases) {
      const reply = await postSendMessage(name, headers);
      expect(reply.status, name).toBe(200);
      expect(JSON.stringify(reply.body.result), name).toContain(`facts about ${name}`);
    }
    const after = (await (await fetch(`${agent.url}/stats`)).json()) as Record<string, number>;
    expect(after).toEqual({
      traceparentRejected: (before.traceparentRejected ?? 0) + 3,
      baggageRejected: (before.baggageRejected ?? 0) + 2,
    });

    const spans = await flushed();
    const served = (name: string) =>
      one(
        spans,
        (s) => s.kind === SERVER && String(s.attributes['gen_ai.input.messages']).includes(name),
      );
    for (const name of ['bad-parent', 'long-parent', 'two-parents']) {
      const span = served(name);
      expect(span.parentSpanId, name).toBeUndefined();
      expect(span.traceId, name).not.toBe(traceId);
    }
    expect(served('long-baggage').attributes['galileo.session.id']).toBeUndefined();
    expect(served('bad-member').attributes['galileo.session.id']).toBe('kept');
  });

  it('sends a plain A2A server a traceparent that names our client span', async () => {
    const plainAgent = await startAgent({ PLAIN: '1' });
    try {
      const c = traceA2AClient(await new ClientFactory().createFromUrl(plainAgent.url));
      const reply = await c.sendMessage(message('who called?'));
      await galileo.forceFlush();
      const clientSpan = one(
        sink.spans(),
        (s) =>
          s.kind === CLIENT &&
          s.attributes['gen_ai.output.messages'] !== undefined &&
          String(s.attributes['gen_ai.output.messages']).includes('traceparent='),
      );
      expect(textOf(reply)).toBe(`traceparent=00-${clientSpan.traceId}-${clientSpan.spanId}-01`);
    } finally {
      await plainAgent.stop();
    }
  });
});
