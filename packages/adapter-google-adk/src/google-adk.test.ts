import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractContext, tracedFetch, traceHttpHandler } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import {
  type Event,
  FunctionTool,
  Gemini,
  InMemoryRunner,
  LlmAgent,
  LogLevel,
  type Runner,
  StreamingMode,
  setLogLevel,
} from '@google/adk';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { googleAdkPlugin } from './google-adk-plugin.js';
import { BARE_TOOL_MESSAGE } from './internal/adk-span-mapper.js';
import { runInContext } from './run-in-context.js';
import {
  APP,
  all,
  type Harness,
  hostsOf,
  json,
  kindOf,
  one,
  runOnce,
  startHarness,
  traceOf,
} from './test-support/adk-harness.js';

// `@google/adk` is imported above, before the provider is registered in beforeAll: the import
// order that loses every ADK span unless the adapter connects ADK's own @opentelemetry/api 1.9.0.
let h: Harness;
let backend: Server;
let backendUrl: string;
const backendHeaders: Record<string, string | string[] | undefined>[] = [];

beforeAll(async () => {
  setLogLevel(LogLevel.ERROR);
  h = await startHarness();
  backend = createServer((req, res) => {
    backendHeaders.push(req.headers);
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ forecast: 'Sunny, 22C' }));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}/forecast`;
});

afterAll(async () => {
  await h?.close();
  await new Promise<void>((resolve) => backend?.close(() => resolve()));
});

const MODEL = 'gemini-2.5-flash';

function weatherTool(mode: 'ok' | 'throw' | 'http' = 'ok') {
  return new FunctionTool({
    name: 'get_weather',
    description: 'Get the weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      if (mode === 'throw') throw new Error('weather backend down');
      if (mode === 'http') {
        const response = await tracedFetch(backendUrl, { method: 'POST', body: city });
        return (await response.json()) as Record<string, unknown>;
      }
      return { weather: `Sunny in ${city}` };
    },
  });
}

function weatherAgent(options: { model?: string; tool?: FunctionTool; subAgent?: boolean } = {}) {
  return new LlmAgent({
    name: 'weather_agent',
    description: 'Answers weather questions',
    model: new Gemini({ model: options.model ?? MODEL, apiKey: 'local' }),
    instruction: 'Answer weather questions with the get_weather tool.',
    tools: [options.tool ?? weatherTool()],
    ...(options.subAgent ? { disallowTransferToParent: true, disallowTransferToPeers: true } : {}),
  });
}

function runnerFor(agent: LlmAgent, plugin = true): Runner {
  return new InMemoryRunner({ agent, appName: APP, plugins: plugin ? [googleAdkPlugin()] : [] });
}

/** The marker makes the local model call ADK's transfer_to_agent (agentName from the topic). */
const HAND_OFF = 'Tell me about weather_agent [scenario:tool:transfer_to_agent]';

/** Runs a router that hands the question to `sub` (named weather_agent). */
function runHandOff(sub: LlmAgent): Promise<Event[]> {
  const router = new LlmAgent({
    name: 'router',
    description: 'Routes questions',
    model: new Gemini({ model: MODEL, apiKey: 'local' }),
    instruction: 'Hand weather questions to weather_agent.',
    subAgents: [sub],
  });
  return runOnce(runnerFor(router), HAND_OFF);
}

describe('googleAdk with the real @google/adk and Gemini client', () => {
  it('connects ADK’s own @opentelemetry/api 1.9.0 copy although ADK was imported first', () => {
    const status = h.adapter.tracingStatus;
    expect(status?.ok).toBe(true);
    expect(status?.adk[0]?.version).toBe('2.0.0');
    expect(status?.apiInstances).toContainEqual(
      expect.objectContaining({ version: '1.9.0', state: 'bridged' }),
    );
    expect(h.warnings).toEqual([]);
  });

  it('exports a tool round trip as workflow > agent > llm, tool, llm with Galileo attributes', async () => {
    const before = h.sink.spans().length;
    const requestsBefore = h.model.requests.length;
    const events = await runOnce(runnerFor(weatherAgent()), 'What is the weather in Paris?');
    expect(events.some((e) => e.content?.parts?.some((p) => p.text?.includes('Sunny')))).toBe(true);

    const spans = await traceOf(h, before);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gemini-2.5-flash',
      'chat gemini-2.5-flash',
      'execute_tool get_weather',
      'invocation',
      'invoke_agent weather_agent',
    ]);
    const invocation = one(spans, 'invocation');
    const agent = one(spans, 'invoke_agent weather_agent');
    const tool = one(spans, 'execute_tool get_weather');
    const [first, second] = all(spans, 'chat gemini-2.5-flash').sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    if (!first || !second) throw new Error('two llm spans expected');

    expect(spans.map(kindOf).sort()).toEqual(['agent', 'llm', 'llm', 'tool', 'workflow']);
    expect(kindOf(invocation)).toBe('workflow');
    expect(invocation.parentSpanId).toBeUndefined();
    expect(agent.parentSpanId).toBe(invocation.spanId);
    expect(first.parentSpanId).toBe(agent.spanId);
    expect(second.parentSpanId).toBe(agent.spanId);
    // ADK starts the tool under the first call_llm; exported under the agent so llm spans are leaves.
    expect(tool.parentSpanId).toBe(agent.spanId);
    for (const span of spans) expect(span.status.code).toBe(0);

    expect(first.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.request.model': MODEL,
      'gen_ai.agent.name': 'weather_agent',
      'gen_ai.response.finish_reasons': ['stop'],
    });
    expect(first.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(first.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(first.attributes['gen_ai.usage.total_tokens']).toBeGreaterThan(0);
    expect(first.attributes['gen_ai.system_instructions']).toContain('Answer weather questions');
    expect(json(first, 'gen_ai.input.messages')).toEqual([
      { role: 'system', content: expect.stringContaining('Answer weather questions') },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(json(first, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: expect.any(String),
            type: 'function',
            function: { name: 'get_weather', arguments: expect.stringContaining('"city"') },
          },
        ],
      },
    ]);
    const secondInput = json(second, 'gen_ai.input.messages') as { role: string }[];
    expect(secondInput.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(json(second, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny in') },
    ]);
    // The vendor JSON copies are converted, then removed.
    for (const span of spans) {
      expect(
        Object.keys(span.attributes).filter((k) => k.startsWith('gcp.vertex.agent.llm_')),
      ).toEqual([]);
    }

    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.description': 'Get the weather for a city',
    });
    expect(tool.attributes['gen_ai.tool.call.id']).toMatch(/^adk-/);
    expect(json(tool, 'gen_ai.tool.call.arguments')).toEqual({ city: expect.any(String) });
    expect(json(tool, 'gen_ai.tool.call.result')).toEqual({
      weather: expect.stringContaining('Sunny in'),
    });

    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'weather_agent',
      'gen_ai.agent.description': 'Answers weather questions',
      'gen_ai.provider.name': 'gcp.gemini',
    });
    expect(json(agent, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(json(agent, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny in') },
    ]);
    expect(json(invocation, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(json(invocation, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny in') },
    ]);
    expect(invocation.resource['galileo.project.name']).toBe('adk-tests');

    // Nothing left loopback: two model calls on the local server, every fetch to 127.0.0.1.
    const calls = h.model.requests.slice(requestsBefore);
    expect(calls.map((r) => r.path)).toEqual([
      `/v1beta/models/${MODEL}:generateContent`,
      `/v1beta/models/${MODEL}:generateContent`,
    ]);
    expect(hostsOf(h.fetched)).toEqual(['127.0.0.1']);
  });

  it('puts a handed-off sub-agent under the agent that handed off, with lifted input and output', async () => {
    const before = h.sink.spans().length;
    await runHandOff(weatherAgent({ subAgent: true }));

    const spans = await traceOf(h, before);
    const invocation = one(spans, 'invocation');
    const routerSpan = one(spans, 'invoke_agent router');
    const transfer = one(spans, 'execute_tool transfer_to_agent');
    const sub = one(spans, 'invoke_agent weather_agent');
    const tool = one(spans, 'execute_tool get_weather');
    const llms = all(spans, 'chat gemini-2.5-flash');
    expect(llms).toHaveLength(3);
    expect(routerSpan.parentSpanId).toBe(invocation.spanId);
    expect(transfer.parentSpanId).toBe(routerSpan.spanId);
    expect(sub.parentSpanId).toBe(routerSpan.spanId);
    expect(tool.parentSpanId).toBe(sub.spanId);
    expect(llms.filter((s) => s.parentSpanId === routerSpan.spanId)).toHaveLength(1);
    expect(llms.filter((s) => s.parentSpanId === sub.spanId)).toHaveLength(2);
    expect(kindOf(sub)).toBe('agent');
    expect(kindOf(transfer)).toBe('tool');
    expect(json(transfer, 'gen_ai.tool.call.arguments')).toEqual({ agentName: 'weather_agent' });
    // The router's own model output is only the transfer call: its output is the sub-agent's answer.
    const answer = [
      { role: 'assistant', content: expect.stringContaining('get_weather returned') },
    ];
    expect(json(sub, 'gen_ai.output.messages')).toEqual(answer);
    expect(json(routerSpan, 'gen_ai.output.messages')).toEqual(answer);
    expect(json(invocation, 'gen_ai.output.messages')).toEqual(answer);
    expect(json(routerSpan, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: HAND_OFF },
    ]);
  });

  it('keeps the streamed (SSE) model output on the llm span with the plugin', async () => {
    const before = h.sink.spans().length;
    const requestsBefore = h.model.requests.length;
    await runOnce(runnerFor(weatherAgent()), 'What is the weather in Rome?', {
      streamingMode: StreamingMode.SSE,
    });
    expect(h.model.requests.slice(requestsBefore).every((r) => r.stream)).toBe(true);

    const spans = await traceOf(h, before);
    const [first, second] = all(spans, 'chat gemini-2.5-flash').sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    if (!first || !second) throw new Error('two llm spans expected');
    expect(json(first, 'gen_ai.output.messages')).toEqual([
      expect.objectContaining({
        role: 'assistant',
        tool_calls: [
          expect.objectContaining({ function: expect.objectContaining({ name: 'get_weather' }) }),
        ],
      }),
    ]);
    expect(json(second, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny in') },
    ]);
    expect(first.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
    expect(json(one(spans, 'invoke_agent weather_agent'), 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny in') },
    ]);
  });

  it('loses the streamed tool-call output without the plugin (the ADK defect the plugin repairs)', async () => {
    const before = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent(), false), 'What is the weather in Oslo?', {
      streamingMode: StreamingMode.SSE,
    });
    const spans = await traceOf(h, before);
    const [first] = all(spans, 'chat gemini-2.5-flash').sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    );
    expect(first?.attributes['gen_ai.output.messages']).toBeUndefined();
    expect(kindOf(first as never)).toBe('llm');
  });

  it('marks the tool span as error with the message when the tool throws', async () => {
    const before = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent({ tool: weatherTool('throw') })), 'Weather in Paris?');
    const spans = await traceOf(h, before);
    const tool = one(spans, 'execute_tool get_weather');
    expect(kindOf(tool)).toBe('tool');
    expect(tool.status).toEqual({
      code: 2,
      message: "Error in tool 'get_weather': weather backend down",
    });
    expect(tool.attributes['error.type']).toBe('ToolError');
    expect(json(tool, 'gen_ai.tool.call.arguments')).toEqual({ city: expect.any(String) });
    expect(tool.attributes['gen_ai.tool.call.id']).toMatch(/^adk-/);
    expect(tool.events.map((e) => e.name)).toContain('exception');
    // The model still answers (ADK passes the error back to it); the rest of the run is OK.
    expect(one(spans, 'invoke_agent weather_agent').status.code).toBe(0);
  });

  it('marks a throwing tool as error even without the plugin', async () => {
    const before = h.sink.spans().length;
    await runOnce(
      runnerFor(weatherAgent({ tool: weatherTool('throw') }), false),
      'Weather in Lima?',
    );
    const tool = one(await traceOf(h, before), 'execute_tool get_weather');
    expect(tool.status).toEqual({ code: 2, message: BARE_TOOL_MESSAGE });
    expect(tool.attributes['error.type']).toBe('ToolError');
    expect(tool.attributes['gen_ai.tool.name']).toBe('get_weather');
    expect(kindOf(tool)).toBe('tool');
  });

  it('records a model error (HTTP 500) on the llm span with the plugin', async () => {
    const before = h.sink.spans().length;
    const requestsBefore = h.model.requests.length;
    const events = await runOnce(
      runnerFor(weatherAgent({ model: `${MODEL}@500` })),
      'What is the weather in Paris?',
    );
    expect(events.some((e) => e.errorCode === '500')).toBe(true);
    expect(h.model.requests.slice(requestsBefore).map((r) => r.status)).toContain(500);

    const spans = await traceOf(h, before);
    const llm = one(spans, `chat ${MODEL}@500`);
    expect(kindOf(llm)).toBe('llm');
    expect(llm.status.code).toBe(2);
    expect(llm.status.message).toContain('local-model scenario 500');
    expect(llm.attributes['error.type']).toBe('ApiError');
    expect(llm.attributes['http.response.status_code']).toBe(500);
    expect(llm.attributes['gen_ai.request.model']).toBe(`${MODEL}@500`);
    expect(json(llm, 'gen_ai.input.messages')).toEqual([
      { role: 'system', content: expect.any(String) },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    const invocation = one(spans, 'invocation');
    expect(json(invocation, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    // ADK ends the agent and the invocation normally, with only an error event: the run failed,
    // so both say so, with the model call's message and error type.
    const agent = one(spans, 'invoke_agent weather_agent');
    expect(agent.parentSpanId).toBe(invocation.spanId);
    expect(llm.parentSpanId).toBe(agent.spanId);
    for (const span of [agent, invocation]) {
      expect(span.status, span.name).toEqual({ code: 2, message: llm.status.message });
      expect(span.attributes['error.type'], span.name).toBe('ApiError');
    }
  });

  it('still exports the failed model call as an llm span without the plugin', async () => {
    const before = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent({ model: `${MODEL}@500` }), false), 'Weather in Bern?');
    const spans = await traceOf(h, before);
    const llm = one(spans, 'chat');
    expect(kindOf(llm)).toBe('llm');
    expect(llm.attributes['gen_ai.provider.name']).toBe('gcp.gemini');
    // ADK leaves the failed call bare: without the plugin nothing tells it failed (known limit,
    // which googleAdk() warns about), so the whole run is exported as OK.
    for (const span of spans) expect(span.status.code, span.name).toBe(0);
  });

  it('marks the router and the invocation ERROR when the handed-off sub-agent’s model call fails', async () => {
    const before = h.sink.spans().length;
    await runHandOff(weatherAgent({ subAgent: true, model: `${MODEL}@500` }));
    const spans = await traceOf(h, before);
    const failed = one(spans, `chat ${MODEL}@500`);
    const sub = one(spans, 'invoke_agent weather_agent');
    const routerSpan = one(spans, 'invoke_agent router');
    expect(failed.parentSpanId).toBe(sub.spanId);
    expect(sub.parentSpanId).toBe(routerSpan.spanId);
    // the router's own model call (the hand-off) and the transfer succeeded
    expect(one(spans, `chat ${MODEL}`).status.code).toBe(0);
    expect(one(spans, 'execute_tool transfer_to_agent').status.code).toBe(0);
    for (const span of [sub, routerSpan, one(spans, 'invocation')]) {
      expect(span.status, span.name).toEqual({ code: 2, message: failed.status.message });
      expect(span.attributes['error.type'], span.name).toBe('ApiError');
    }
  });

  it('joins an incoming traceparent and nests the tool’s outbound HTTP call under the tool', async () => {
    const before = h.sink.spans().length;
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const remoteParent = '00f067aa0ba902b7';
    const ctx = extractContext({ traceparent: `00-${traceId}-${remoteParent}-01` });
    // The generator is consumed outside any `context.with`, as a streaming handler would.
    await runOnce(
      runnerFor(weatherAgent({ tool: weatherTool('http') })),
      'Weather in Paris?',
      undefined,
      (g) => runInContext(g, ctx),
    );
    await h.galileo.forceFlush();
    const spans = h.sink
      .spans()
      .slice(before)
      .filter((s) => s.traceId === traceId);
    const invocation = one(spans, 'invocation');
    expect(invocation.parentSpanId).toBe(remoteParent);
    const tool = one(spans, 'execute_tool get_weather');
    const client = one(spans, 'POST /forecast');
    expect(client.parentSpanId).toBe(tool.spanId);
    expect(client.kind).toBe(3);
    expect(json(tool, 'gen_ai.tool.call.result')).toEqual({ forecast: 'Sunny, 22C' });
    const sent = backendHeaders.at(-1)?.traceparent;
    expect(sent).toBe(`00-${traceId}-${client.spanId}-01`);
    expect(spans.every((s) => s.traceId === traceId)).toBe(true);
    expect(spans).toHaveLength(6);
  });

  it('joins a traceparent through a traceHttpHandler server: POST /ask > invocation > agent > llm', async () => {
    const before = h.sink.spans().length;
    const runner = runnerFor(weatherAgent());
    const server = createServer(
      traceHttpHandler(async (req, res) => {
        const chunks: Buffer[] = [];
        for await (const chunk of req) chunks.push(chunk as Buffer);
        const { question } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          question: string;
        };
        const session = await runner.sessionService.createSession({ appName: APP, userId: 'u1' });
        // No explicit context: runInContext binds the one active here, the POST /ask span.
        const events = runInContext(
          runner.runAsync({
            userId: 'u1',
            sessionId: session.id,
            newMessage: { role: 'user', parts: [{ text: question }] },
          }),
        );
        // Pulled outside the handler's context, as a streaming library would: only the binding
        // keeps the run in the request's trace.
        const texts = await context.with(ROOT_CONTEXT, async () => {
          const out: string[] = [];
          for await (const event of events) {
            for (const part of event.content?.parts ?? []) if (part.text) out.push(part.text);
          }
          return out;
        });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ answer: texts.join('') }));
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const traceId = '6bf92f3577b34da6a3ce929d0e0e4736';
    const upstream = '00f067aa0ba902b7';
    try {
      const response = await fetch(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/ask`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            traceparent: `00-${traceId}-${upstream}-01`,
          },
          body: JSON.stringify({ question: 'What is the weather in Paris?' }),
        },
      );
      expect(response.status).toBe(200);
      expect(((await response.json()) as { answer: string }).answer).toContain('Sunny in');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }

    await h.galileo.forceFlush();
    const spans = h.sink.spans().slice(before);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    expect(spans.map((s) => s.name).sort()).toEqual([
      'POST /ask',
      'chat gemini-2.5-flash',
      'chat gemini-2.5-flash',
      'execute_tool get_weather',
      'invocation',
      'invoke_agent weather_agent',
    ]);
    const ask = one(spans, 'POST /ask');
    const invocation = one(spans, 'invocation');
    const agent = one(spans, 'invoke_agent weather_agent');
    const tool = one(spans, 'execute_tool get_weather');
    const llms = all(spans, 'chat gemini-2.5-flash');
    expect(ask.kind).toBe(2);
    expect(ask.parentSpanId).toBe(upstream);
    expect(invocation.parentSpanId).toBe(ask.spanId);
    expect(agent.parentSpanId).toBe(invocation.spanId);
    expect(tool.parentSpanId).toBe(agent.spanId);
    for (const llm of llms) expect(llm.parentSpanId).toBe(agent.spanId);
    expect(kindOf(ask)).toBe('workflow');
    expect(kindOf(invocation)).toBe('workflow');
    expect(kindOf(agent)).toBe('agent');
    expect(kindOf(tool)).toBe('tool');
    expect(llms.map(kindOf)).toEqual(['llm', 'llm']);
    for (const span of spans) expect(span.status.code, span.name).toBe(0);
  });

  it('starts a new trace when the generator is created in context but iterated outside it', async () => {
    const before = h.sink.spans().length;
    const traceId = '5bf92f3577b34da6a3ce929d0e0e4736';
    const ctx = extractContext({ traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const runner = runnerFor(weatherAgent());
    const session = await runner.sessionService.createSession({ appName: APP, userId: 'u1' });
    const generator = context.with(ctx, () =>
      runner.runAsync({
        userId: 'u1',
        sessionId: session.id,
        newMessage: { role: 'user', parts: [{ text: 'Weather in Paris?' }] },
      }),
    );
    for await (const _ of generator) {
      // drain
    }
    const spans = await traceOf(h, before);
    expect(one(spans, 'invocation').traceId).not.toBe(traceId);
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});

/** The model calls of a trace in the order they started. */
function llmsInOrder(spans: readonly OtlpSpan[]): OtlpSpan[] {
  return spans
    .filter((s) => kindOf(s) === 'llm')
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
}

const MESSAGE_KEYS = new Set(['role', 'content', 'tool_calls', 'tool_call_id']);

/** Every message value is `[{role, content}]` (+ `tool_calls` / `tool_call_id`), nothing else. */
function expectCanonicalMessages(span: OtlpSpan): void {
  for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages']) {
    const value = json(span, key);
    if (value === undefined) continue;
    expect(Array.isArray(value), `${span.name} ${key}`).toBe(true);
    for (const message of value as Record<string, unknown>[]) {
      expect(Object.keys(message).filter((k) => !MESSAGE_KEYS.has(k))).toEqual([]);
      expect(typeof message.role).toBe('string');
      expect(typeof message.content).toBe('string');
      if (message.role === 'tool') expect(message.tool_call_id).toEqual(expect.any(String));
      for (const call of (message.tool_calls ?? []) as Record<string, unknown>[]) {
        expect(Object.keys(call).sort()).toEqual(['function', 'id', 'type']);
        expect(call).toEqual({
          id: expect.stringMatching(/./),
          type: 'function',
          function: { name: expect.stringMatching(/./), arguments: expect.any(String) },
        });
        expect(() => JSON.parse((call.function as { arguments: string }).arguments)).not.toThrow();
      }
    }
  }
}

/** Status ERROR, `error.type` and an `exception` event with its message and type. */
function expectFailed(span: OtlpSpan, type: string): void {
  expect(span.status.code, span.name).toBe(2);
  expect(span.status.message, span.name).toEqual(expect.stringMatching(/./));
  expect(span.attributes['error.type'], span.name).toBe(type);
  const exceptions = span.events.filter((e) => e.name === 'exception');
  expect(exceptions, span.name).toHaveLength(1);
  expect(exceptions[0]?.attributes['exception.message'], span.name).toEqual(
    expect.stringMatching(/./),
  );
  expect(exceptions[0]?.attributes['exception.type'], span.name).toEqual(
    expect.stringMatching(/./),
  );
}

describe('the one wire shape: messages, tool spans and errors', () => {
  it('chains a tool call: the assistant tool_calls id is the tool span’s and the tool message’s', async () => {
    const before = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent()), 'What is the weather in Paris?');
    const spans = await traceOf(h, before);
    const [first, second] = llmsInOrder(spans);
    if (!first || !second) throw new Error('two llm spans expected');
    const tool = one(spans, 'execute_tool get_weather');
    const id = tool.attributes['gen_ai.tool.call.id'];
    expect(id).toMatch(/^adk-/);

    const output = json(first, 'gen_ai.output.messages') as {
      tool_calls: { function: { arguments: string } }[];
    }[];
    const call = {
      id,
      type: 'function',
      function: { name: 'get_weather', arguments: expect.any(String) },
    };
    expect(output).toEqual([{ role: 'assistant', content: '', tool_calls: [call] }]);
    const args = output[0]?.tool_calls[0]?.function.arguments ?? '';
    expect(JSON.parse(args)).toEqual(json(tool, 'gen_ai.tool.call.arguments'));

    const input = json(second, 'gen_ai.input.messages') as { content: string }[];
    expect(input).toEqual([
      { role: 'system', content: expect.stringContaining('Answer weather questions') },
      { role: 'user', content: 'What is the weather in Paris?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ ...call, function: { ...call.function, arguments: args } }],
      },
      { role: 'tool', content: expect.any(String), tool_call_id: id },
    ]);
    expect(JSON.parse(input[3]?.content ?? '')).toEqual(json(tool, 'gen_ai.tool.call.result'));
    for (const span of spans) expectCanonicalMessages(span);
  });

  it('keeps the canonical messages through a hand-off and in streaming mode', async () => {
    const before = h.sink.spans().length;
    await runHandOff(weatherAgent({ subAgent: true }));
    const handOff = await traceOf(h, before);
    const middle = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent()), 'What is the weather in Rome?', {
      streamingMode: StreamingMode.SSE,
    });
    const streamed = await traceOf(h, middle);
    expect(handOff.length).toBeGreaterThan(5);
    expect(streamed.length).toBe(5);
    for (const span of [...handOff, ...streamed]) expectCanonicalMessages(span);
    const [first] = llmsInOrder(streamed);
    const tool = one(streamed, 'execute_tool get_weather');
    expect(json(first as OtlpSpan, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: tool.attributes['gen_ai.tool.call.id'],
            type: 'function',
            function: { name: 'get_weather', arguments: expect.any(String) },
          },
        ],
      },
    ]);
  });

  it('gives a throwing tool ERROR, error.type and an exception event, with the plugin or without', async () => {
    for (const plugin of [true, false]) {
      const before = h.sink.spans().length;
      await runOnce(
        runnerFor(weatherAgent({ tool: weatherTool('throw') }), plugin),
        'Weather in Paris?',
      );
      const spans = await traceOf(h, before);
      const tool = one(spans, 'execute_tool get_weather');
      expectFailed(tool, 'ToolError');
      expect(tool.attributes['gen_ai.tool.call.arguments']).toEqual(
        plugin ? expect.stringContaining('city') : undefined,
      );
      expect(tool.attributes['gen_ai.tool.call.result']).toBeUndefined();
      // the model answers the error: nothing else failed
      for (const span of spans.filter((s) => s !== tool)) expect(span.status.code).toBe(0);
    }
  });

  it('gives a failed model call, its agent and the invocation ERROR, error.type and an exception event', async () => {
    const before = h.sink.spans().length;
    await runOnce(runnerFor(weatherAgent({ model: `${MODEL}@500` })), 'Weather in Paris?');
    const spans = await traceOf(h, before);
    const llm = one(spans, `chat ${MODEL}@500`);
    expect(spans).toHaveLength(3);
    for (const span of spans) expectFailed(span, 'ApiError');
    const exception = llm.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toContain('local-model scenario 500');
    for (const span of spans) {
      const own = span.events.find((e) => e.name === 'exception');
      expect(own?.attributes['exception.message'], span.name).toBe(llm.status.message);
    }
  });

  it('fails every span above a handed-off sub-agent’s failed model call the same way', async () => {
    const before = h.sink.spans().length;
    await runHandOff(weatherAgent({ subAgent: true, model: `${MODEL}@500` }));
    const spans = await traceOf(h, before);
    for (const name of [
      `chat ${MODEL}@500`,
      'invoke_agent weather_agent',
      'invoke_agent router',
      'invocation',
    ]) {
      expectFailed(one(spans, name), 'ApiError');
    }
    expect(one(spans, `chat ${MODEL}`).events).toEqual([]);
  });
});
