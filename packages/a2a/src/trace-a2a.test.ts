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

const message = (text: string) => ({
  message: {
    messageId: randomUUID(),
    role: 1,
    parts: [{ content: { $case: 'text' as const, value: text }, mediaType: 'text/plain' }],
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
      // Written when the span ends: the state comes with the last event only.
      expect(span.attributes['a2a.task.state']).toBe('TASK_STATE_COMPLETED');
      expect(span.attributes['gen_ai.output.messages']).toBe(
        JSON.stringify([{ role: 'assistant', content: 'chunk 1. chunk 2. chunk 3. ' }]),
      );
      expect(span.attributes['a2a.task.id']).toBe(serverSpan.attributes['a2a.task.id']);
    }
    expect(serverSpan.attributes['a2a.task.id']).toMatch(/^[0-9a-f-]{36}$/);
    // Order, not timing: the server span ended after the last chunk was made, the client span
    // after the server's stream was over.
    expect(serverSpan.endTimeUnixNano >= lastChunk.endTimeUnixNano).toBe(true);
    expect(clientSpan.endTimeUnixNano >= serverSpan.endTimeUnixNano).toBe(true);
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
