import { createOpenAI } from '@ai-sdk/openai';
import {
  extractContext,
  type GalileoRegistration,
  galileoKind,
  tracedFetch,
} from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { context, trace } from '@opentelemetry/api';
import {
  embed,
  generateObject,
  generateText,
  Output,
  registerTelemetry,
  stepCountIs,
  streamObject,
  streamText,
  ToolLoopAgent,
  tool,
} from 'ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  byName,
  type Harness,
  hostsOf,
  registerForTest,
  spansSince,
  startEchoService,
  startHarness,
  tree,
} from './test-support/harness.js';
import {
  expectCanonicalMessages,
  expectErrorShape,
  messagesOf,
  midStreamErrorFetch,
} from './test-support/wire-shapes.js';
import { galileoTelemetry, vercelAiTelemetry } from './vercel-ai-telemetry.js';

let h: Harness;
let galileo: GalileoRegistration;
let openai: ReturnType<typeof createOpenAI>;
let from = 0;

// Provider first, integration second: the order most apps use. setup-order.test.ts covers the
// other order in its own process (registerTelemetry has no unregister).
beforeAll(async () => {
  h = await startHarness();
  galileo = registerForTest(h.sink);
  registerTelemetry(vercelAiTelemetry());
  openai = createOpenAI({ baseURL: `${h.model.url}/v1`, apiKey: 'local' });
});
afterAll(async () => {
  await galileo.shutdown();
  await h.close();
});
beforeEach(() => {
  from = h.sink.spans().length;
  h.model.requests.length = 0;
});

const weather = tool({
  description: 'Get the weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, tempC: 21, sky: 'sunny' }),
});

function slow(ms: number) {
  return createOpenAI({
    baseURL: `${h.model.url}/v1`,
    apiKey: 'local',
    headers: { 'x-local-model-scenario': `latency:${ms}` },
  });
}

function json(value: unknown): unknown {
  return typeof value === 'string' ? JSON.parse(value) : value;
}

/** The llm spans, in the order they started. */
function llmsInOrder(spans: readonly OtlpSpan[]): OtlpSpan[] {
  return spans
    .filter((s) => galileoKind(s) === 'llm')
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
}

function childrenOf(spans: readonly OtlpSpan[], parent: OtlpSpan): OtlpSpan[] {
  return spans.filter((s) => s.parentSpanId === parent.spanId);
}

/**
 * Every span of one call is timed by one clock, so a child starts and ends inside its parent
 * exactly, not just to within the millisecond the OTel SDK's per-span anchoring allows.
 */
function expectInside(child: OtlpSpan, parent: OtlpSpan): void {
  expect(child.startTimeUnixNano).toBeGreaterThanOrEqual(parent.startTimeUnixNano);
  expect(child.endTimeUnixNano).toBeLessThanOrEqual(parent.endTimeUnixNano);
}

describe('vercelAiTelemetry: generateText', () => {
  it('traces a tool-calling generateText as agent → llm, tool, llm with steps folded away', async () => {
    const result = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      system: 'You are a weather assistant.',
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      runtimeContext: { sessionId: 'sess-42', userId: 'user-7' },
      telemetry: {
        functionId: 'weather-fn',
        includeRuntimeContext: { sessionId: true, userId: true },
      },
    });
    expect(result.text).toContain('weather');
    const spans = await spansSince(galileo, h.sink, from);

    expect(spans.map((s) => s.name).sort(), tree(spans)).toEqual([
      'chat gpt-4.1-mini',
      'chat gpt-4.1-mini',
      'execute_tool weather',
      'invoke_agent weather-fn',
    ]);
    const agent = byName(spans, 'invoke_agent weather-fn');
    const tool = byName(spans, 'execute_tool weather');
    const llms = spans.filter((s) => s.name === 'chat gpt-4.1-mini');
    expect(agent.parentSpanId).toBeUndefined();
    expect(childrenOf(spans, agent)).toHaveLength(3);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);

    expect(galileoKind(agent)).toBe('agent');
    expect(galileoKind(tool)).toBe('tool');
    for (const llm of llms) expect(galileoKind(llm)).toBe('llm');

    expect(agent.attributes).toMatchObject({
      'gen_ai.agent.name': 'weather-fn',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.system_instructions': 'You are a weather assistant.',
      'galileo.session.id': 'sess-42',
      'session.id': 'sess-42',
      'user.id': 'user-7',
    });
    expect(json(agent.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(json(agent.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', content: result.text },
    ]);
    // Usage lives on the llm spans only, so Galileo never counts a call twice.
    expect(agent.attributes['gen_ai.usage.input_tokens']).toBeUndefined();
    expect(agent.resource['galileo.session.id']).toBe('sess-42');

    const [first, second] = [...llms].sort((a, b) =>
      a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1,
    ) as [OtlpSpan, OtlpSpan];
    expect(first.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini',
      'gen_ai.response.finish_reasons': ['tool-calls'],
      'galileo.session.id': 'sess-42',
    });
    expect(first.kind).toBe(3);
    const usage = first.attributes;
    expect(usage['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    expect(usage['gen_ai.usage.prompt_tokens']).toBe(usage['gen_ai.usage.input_tokens']);
    expect(usage['gen_ai.usage.completion_tokens']).toBe(usage['gen_ai.usage.output_tokens']);
    expect(usage['gen_ai.usage.total_tokens']).toBe(
      Number(usage['gen_ai.usage.input_tokens']) + Number(usage['gen_ai.usage.output_tokens']),
    );
    expect(String(first.attributes['gen_ai.response.id'])).toMatch(/^chatcmpl-/);
    expect(json(first.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'system', content: 'You are a weather assistant.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    const firstOutput = json(first.attributes['gen_ai.output.messages']) as Array<{
      role: string;
      tool_calls?: Array<{ id: string; function: { name: string; arguments: string } }>;
    }>;
    expect(firstOutput[0]?.role).toBe('assistant');
    expect(firstOutput[0]?.tool_calls?.[0]?.function.name).toBe('weather');
    expect(json(String(first.attributes['gen_ai.tool.definitions']))).toMatchObject([
      { name: 'weather', description: 'Get the weather for a city' },
    ]);

    // The second call sees the tool result as a `tool` message.
    const secondInput = json(second.attributes['gen_ai.input.messages']) as Array<{
      role: string;
      tool_call_id?: string;
    }>;
    expect(secondInput.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'tool']);
    expect(secondInput[3]?.tool_call_id).toBe(firstOutput[0]?.tool_calls?.[0]?.id);
    expect(second.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);

    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'weather',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.description': 'Get the weather for a city',
      'gen_ai.tool.call.id': firstOutput[0]?.tool_calls?.[0]?.id,
    });
    expect(json(tool.attributes['gen_ai.tool.call.arguments'])).toHaveProperty('city');
    expect(json(tool.attributes['gen_ai.tool.call.result'])).toMatchObject({ tempC: 21 });
    for (const span of spans) expect(span.status.code).toBe(0);

    expect(h.model.requests.map((r) => r.path)).toEqual([
      '/v1/chat/completions',
      '/v1/chat/completions',
    ]);
    expect(hostsOf(h.fetched)).toEqual(['127.0.0.1']);
  });

  it('joins an incoming traceparent: the agent span is a child of the remote caller', async () => {
    const incoming = extractContext({
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    await context.with(incoming, () =>
      generateText({
        model: openai.chat('gpt-4.1-mini'),
        prompt: 'Tell me about Mars',
        telemetry: { functionId: 'joined' },
      }),
    );
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent joined');
    expect(agent.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(agent.parentSpanId).toBe('b7ad6b7169203331');
    expect(byName(spans, 'chat gpt-4.1-mini').parentSpanId).toBe(agent.spanId);
  });

  it('names the agent after the model when no functionId is given', async () => {
    await generateText({ model: openai.chat('gpt-4.1-mini'), prompt: 'Tell me about Venus' });
    const spans = await spansSince(galileo, h.sink, from);
    expect(byName(spans, 'invoke_agent gpt-4.1-mini').attributes['gen_ai.agent.name']).toBe(
      'gpt-4.1-mini',
    );
  });

  it('works with the Responses API provider too', async () => {
    await generateText({
      model: openai.responses('gpt-4.1-mini'),
      prompt: 'What is the weather in Oslo?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'responses-fn' },
    });
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent responses-fn');
    expect(spans.map((s) => galileoKind(s)).sort(), tree(spans)).toEqual([
      'agent',
      'llm',
      'llm',
      'tool',
    ]);
    for (const span of spans.filter((s) => s !== agent)) {
      expect(span.parentSpanId).toBe(agent.spanId);
    }
    expect(String(byName(spans, 'chat gpt-4.1-mini').attributes['gen_ai.response.id'])).toMatch(
      /^resp_/,
    );
    expect(h.model.requests.every((r) => r.path === '/v1/responses')).toBe(true);
  });

  it('runs the provider request inside the llm span context', async () => {
    const activeAtRequest: Array<string | undefined> = [];
    const observed = createOpenAI({
      baseURL: `${h.model.url}/v1`,
      apiKey: 'local',
      fetch: (input, init) => {
        activeAtRequest.push(trace.getActiveSpan()?.spanContext().spanId);
        return fetch(input, init);
      },
    });
    await generateText({
      model: observed.chat('gpt-4.1-mini'),
      prompt: 'Tell me about Mercury',
      telemetry: { functionId: 'http-under-llm' },
    });
    const spans = await spansSince(galileo, h.sink, from);
    expect(activeAtRequest).toEqual([byName(spans, 'chat gpt-4.1-mini').spanId]);
  });

  it('leaves prompts and outputs out when the call sets recordInputs / recordOutputs to false', async () => {
    await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'My secret is hunter2',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'private', recordInputs: false, recordOutputs: false },
    });
    const spans = await spansSince(galileo, h.sink, from);
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.result']).toBeUndefined();
      expect(JSON.stringify(span.attributes)).not.toContain('hunter2');
    }
  });
});

describe('vercelAiTelemetry: streaming', () => {
  it('ends the streamText spans when the stream ends and records time to first chunk', async () => {
    const result = streamText({
      model: slow(150).chat('gpt-4.1-mini'),
      prompt: 'What is the weather in Rome?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'stream-fn' },
    });
    let text = '';
    for await (const chunk of result.textStream) text += chunk;
    expect(text).toContain('Rome');
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent stream-fn');
    const llms = spans.filter((s) => galileoKind(s) === 'llm');
    expect(llms.map((s) => s.name)).toEqual(['chat gpt-4.1-mini', 'chat gpt-4.1-mini']);
    expect(byName(spans, 'execute_tool weather').parentSpanId).toBe(agent.spanId);
    expectInside(byName(spans, 'execute_tool weather'), agent);
    for (const llm of llms) {
      expect(llm.parentSpanId).toBe(agent.spanId);
      expect(llm.attributes['gen_ai.request.stream']).toBe(true);
      const firstChunk = Number(llm.attributes['gen_ai.client.operation.time_to_first_chunk']);
      // The local model waits 150 ms before answering: the first chunk cannot come sooner.
      expect(firstChunk).toBeGreaterThanOrEqual(0.14);
      expect(llm.endTimeUnixNano - llm.startTimeUnixNano).toBeGreaterThanOrEqual(140_000_000n);
      expectInside(llm, agent);
      expect(Number(llm.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    }
    expect(json(agent.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', content: text },
    ]);
    expect(h.model.requests.every((r) => r.stream === true)).toBe(true);
  });

  it('does not end the agent span before the stream is consumed', async () => {
    const result = streamText({
      model: slow(200).chat('gpt-4.1-mini'),
      prompt: 'Tell me about Jupiter',
      telemetry: { functionId: 'lazy-stream' },
    });
    const early = await spansSince(galileo, h.sink, from);
    expect(early.find((s) => s.name === 'invoke_agent lazy-stream')).toBeUndefined();
    await result.text;
    const spans = await spansSince(galileo, h.sink, from);
    expect(byName(spans, 'invoke_agent lazy-stream').status.code).toBe(0);
  });

  it('traces streamObject as agent → llm, ending both when the stream ends', async () => {
    const result = streamObject({
      model: slow(150).chat('gpt-4.1-mini'),
      prompt: 'Describe Paris',
      schema: z.object({ name: z.string() }),
      telemetry: { functionId: 'object-stream' },
    });
    const early = await spansSince(galileo, h.sink, from);
    expect(early.map((s) => s.name)).toEqual([]);
    let partials = 0;
    for await (const _ of result.partialObjectStream) partials++;
    expect(partials).toBeGreaterThan(0);
    const object = await result.object;
    const spans = await spansSince(galileo, h.sink, from);
    expect(spans.map((s) => s.name).sort(), tree(spans)).toEqual([
      'chat gpt-4.1-mini',
      'invoke_agent object-stream',
    ]);
    const agent = byName(spans, 'invoke_agent object-stream');
    const llm = byName(spans, 'chat gpt-4.1-mini');
    expect(llm.parentSpanId).toBe(agent.spanId);
    expect(galileoKind(agent)).toBe('agent');
    expect(galileoKind(llm)).toBe('llm');
    expect(llm.attributes['gen_ai.request.stream']).toBe(true);
    // The local model waits 150 ms before answering: the first chunk cannot come sooner.
    const firstChunk = Number(llm.attributes['gen_ai.client.operation.time_to_first_chunk']);
    expect(firstChunk).toBeGreaterThanOrEqual(0.14);
    expect(llm.endTimeUnixNano - llm.startTimeUnixNano).toBeGreaterThanOrEqual(140_000_000n);
    expectInside(llm, agent);
    expect(Number(llm.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    const output = json(llm.attributes['gen_ai.output.messages']) as Array<{ content: string }>;
    expect(JSON.parse(output[0]?.content ?? '')).toEqual(object);
    expect(json(agent.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', content: JSON.stringify(object) },
    ]);
    for (const span of spans) expect(span.status.code, span.name).toBe(0);
    expect(h.model.requests.map((r) => r.stream)).toEqual([true]);
  });
});

describe('vercelAiTelemetry: streaming edge cases', () => {
  it('parents a streamText call on the caller context even though it starts asynchronously', async () => {
    const incoming = extractContext({
      traceparent: '00-11111111111111111111111111111111-2222222222222222-01',
    });
    const result = context.with(incoming, () =>
      streamText({
        model: openai.chat('gpt-4.1-mini'),
        prompt: 'Tell me about Neptune',
        telemetry: { functionId: 'joined-stream' },
      }),
    );
    await result.text;
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent joined-stream');
    expect(agent.traceId).toBe('11111111111111111111111111111111');
    expect(agent.parentSpanId).toBe('2222222222222222');
  });

  it('ends every open span as an error when the stream is aborted', async () => {
    const controller = new AbortController();
    const result = streamText({
      model: slow(300).chat('gpt-4.1-mini'),
      prompt: 'Tell me about Pluto',
      abortSignal: controller.signal,
      telemetry: { functionId: 'aborted-stream' },
    });
    setTimeout(() => controller.abort(), 50);
    await result.consumeStream();
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent aborted-stream');
    expect(agent.status.code).toBe(2);
    expect(agent.attributes['error.type']).toBe('AbortError');
    for (const span of spans) {
      expect(span.status.code, span.name).toBe(2);
      expect(span.endTimeUnixNano).toBeGreaterThan(0n);
    }
  });
});

describe('vercelAiTelemetry: agents and tools', () => {
  it('traces a ToolLoopAgent like generateText, named by its telemetry functionId', async () => {
    const agent = new ToolLoopAgent({
      id: 'weather-agent',
      model: openai.chat('gpt-4.1-mini'),
      instructions: 'You answer weather questions.',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'weather-agent' },
    });
    const generated = await agent.generate({ prompt: 'Weather in Lisbon?' });
    const streamed = await agent.stream({ prompt: 'Weather in Madrid?' });
    await streamed.text;
    expect(generated.text).toContain('Lisbon');
    const spans = await spansSince(galileo, h.sink, from);
    const agents = spans.filter((s) => s.name === 'invoke_agent weather-agent');
    expect(agents).toHaveLength(2);
    for (const root of agents) {
      expect(galileoKind(root)).toBe('agent');
      expect(root.attributes['gen_ai.system_instructions']).toBe('You answer weather questions.');
      expect(
        childrenOf(spans, root)
          .map((s) => galileoKind(s))
          .sort(),
      ).toEqual(['llm', 'llm', 'tool']);
    }
  });

  it('marks the tool span as error when the tool throws, and the run goes on', async () => {
    const failing = tool({
      description: 'Get the weather for a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async (): Promise<{ tempC: number }> => {
        throw new TypeError('weather service down');
      },
    });
    const result = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'What is the weather in Paris?',
      tools: { weather: failing },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'failing-tool' },
    });
    expect(result.text).toContain('weather service down');
    const spans = await spansSince(galileo, h.sink, from);
    const toolSpan = byName(spans, 'execute_tool weather');
    expect(toolSpan.status).toEqual({ code: 2, message: 'weather service down' });
    expectErrorShape(toolSpan, 'TypeError', 'weather service down');
    expect(toolSpan.attributes['gen_ai.tool.call.arguments']).toBe('{"city":"Paris"}');
    expect(toolSpan.attributes['gen_ai.tool.call.result']).toBeUndefined();
    expect(byName(spans, 'invoke_agent failing-tool').status.code).toBe(0);
    // The model is told of the failure as a tool message answering the call.
    expect(messagesOf(llmsInOrder(spans)[1] as OtlpSpan, 'input').at(-1)).toEqual({
      role: 'tool',
      content: 'TypeError: weather service down',
      tool_call_id: toolSpan.attributes['gen_ai.tool.call.id'],
    });
    expectCanonicalMessages(spans);
  });

  it('nests an agent and an outbound HTTP call made inside a tool under that tool span', async () => {
    const service = await startEchoService();
    try {
      const delegate = tool({
        description: 'Delegate research on a topic to the research agent',
        inputSchema: z.object({ topic: z.string() }),
        execute: async ({ topic }) => {
          const inner = await generateText({
            model: openai.chat('gpt-4.1-mini'),
            system: 'Return 3 concise key facts.',
            prompt: `Research ${topic}`,
            telemetry: { functionId: 'research-agent' },
          });
          const response = await tracedFetch(`${service.url}/research`, {
            method: 'POST',
            body: JSON.stringify({ topic }),
          });
          return { facts: inner.text, remote: await response.json() };
        },
      });
      await generateText({
        model: openai.chat('gpt-4.1-mini'),
        prompt: 'Research Voyager 1 for me',
        tools: { delegate_research: delegate },
        stopWhen: stepCountIs(3),
        telemetry: { functionId: 'orchestrator' },
      });
      const spans = await spansSince(galileo, h.sink, from);
      const outer = byName(spans, 'invoke_agent orchestrator');
      const toolSpan = byName(spans, 'execute_tool delegate_research');
      const inner = byName(spans, 'invoke_agent research-agent');
      const client = byName(spans, 'POST /research');
      expect(toolSpan.parentSpanId, tree(spans)).toBe(outer.spanId);
      expect(inner.parentSpanId).toBe(toolSpan.spanId);
      expect(client.parentSpanId).toBe(toolSpan.spanId);
      expect(childrenOf(spans, inner).map((s) => galileoKind(s))).toEqual(['llm']);
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
      // The callee receives a traceparent pointing at the client span under the tool.
      expect(service.headers[0]?.traceparent).toBe(`00-${outer.traceId}-${client.spanId}-01`);
      expect(hostsOf(h.fetched)).toEqual(['127.0.0.1']);
    } finally {
      await service.close();
    }
  });
});

describe('vercelAiTelemetry: structured output, embeddings and errors', () => {
  it('records structured output from generateText with Output.object', async () => {
    const result = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'Describe Paris',
      output: Output.object({ schema: z.object({ name: z.string(), population: z.number() }) }),
      telemetry: { functionId: 'city-card' },
    });
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent city-card');
    const output = json(agent.attributes['gen_ai.output.messages']) as Array<{ content: string }>;
    expect(JSON.parse(output[0]?.content ?? '')).toEqual(result.output);
    expect(galileoKind(byName(spans, 'chat gpt-4.1-mini'))).toBe('llm');
  });

  it('traces the deprecated generateObject as agent → llm', async () => {
    const result = await generateObject({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'Describe Paris',
      schema: z.object({ name: z.string() }),
      telemetry: { functionId: 'object-fn' },
    });
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent object-fn');
    const llm = byName(spans, 'chat gpt-4.1-mini');
    expect(llm.parentSpanId).toBe(agent.spanId);
    expect(galileoKind(llm)).toBe('llm');
    expect(Number(llm.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    expect(json(agent.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', content: JSON.stringify(result.object) },
    ]);
    expect(json(agent.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', content: 'Describe Paris' },
    ]);
  });

  it('traces embed as an llm span with operation embeddings and its usage', async () => {
    const model = openai.embedding('text-embedding-3-small');
    const result = await embed({
      model,
      value: 'sunny weather',
      runtimeContext: { sessionId: 'emb-1' },
      telemetry: { includeRuntimeContext: { sessionId: true } },
    });
    expect(result.usage.tokens).toBeGreaterThan(0);
    expect(result.embedding.length).toBeGreaterThan(0);
    const spans = await spansSince(galileo, h.sink, from);
    expect(spans.map((s) => s.name)).toEqual(['embeddings text-embedding-3-small']);
    const span = spans[0] as OtlpSpan;
    expect(galileoKind(span)).toBe('llm');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'embeddings',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'text-embedding-3-small',
      'gen_ai.usage.input_tokens': result.usage.tokens,
      'gen_ai.usage.prompt_tokens': result.usage.tokens,
      'gen_ai.embeddings.dimension.count': result.embedding.length,
      'galileo.session.id': 'emb-1',
    });
    expect(json(span.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', content: 'sunny weather' },
    ]);
  });

  it('marks the embeddings span as error when the provider call fails', async () => {
    await expect(
      embed({
        model: openai.embedding('text-embedding-3-small@500'),
        value: 'hello',
        maxRetries: 0,
      }),
    ).rejects.toThrow();
    const spans = await spansSince(galileo, h.sink, from);
    const span = byName(spans, 'embeddings text-embedding-3-small@500');
    expect(span.status.code).toBe(2);
    expect(span.attributes['error.type']).toBe('AI_APICallError');
  });

  it('marks agent and llm spans as error when the provider answers 500', async () => {
    await expect(
      generateText({
        model: openai.chat('gpt-4.1-mini@500'),
        prompt: 'Tell me about Saturn',
        maxRetries: 0,
        telemetry: { functionId: 'broken' },
      }),
    ).rejects.toThrow(/500/);
    const spans = await spansSince(galileo, h.sink, from);
    const agent = byName(spans, 'invoke_agent broken');
    const llm = byName(spans, 'chat gpt-4.1-mini@500');
    expect(llm.parentSpanId).toBe(agent.spanId);
    for (const span of [agent, llm]) expectErrorShape(span, 'AI_APICallError', /500/);
  });

  it('marks a model call that finishes with reason error (a mid-stream provider error)', async () => {
    const failing = createOpenAI({
      baseURL: `${h.model.url}/v1`,
      apiKey: 'local',
      fetch: midStreamErrorFetch,
    });
    const result = streamText({
      model: failing.chat('gpt-4.1-mini'),
      prompt: 'Tell me about Ceres',
      telemetry: { functionId: 'mid-stream-error' },
      onError: () => {},
    });
    await result.consumeStream();
    expect(await result.finishReason).toBe('error');
    const spans = await spansSince(galileo, h.sink, from);
    const llm = byName(spans, 'chat gpt-4.1-mini');
    const agent = byName(spans, 'invoke_agent mid-stream-error');
    expect(llm.attributes['gen_ai.response.finish_reasons']).toEqual(['error']);
    for (const span of [llm, agent]) expectErrorShape(span, 'FinishReasonError', /reason "error"/);
  });

  it('keeps concurrent calls apart (state is keyed by call id)', async () => {
    await Promise.all(
      ['Oslo', 'Lima', 'Cairo'].map((city) =>
        generateText({
          model: openai.chat('gpt-4.1-mini'),
          prompt: `What is the weather in ${city}?`,
          tools: { weather },
          stopWhen: stepCountIs(3),
          telemetry: { functionId: `agent-${city}` },
        }),
      ),
    );
    const spans = await spansSince(galileo, h.sink, from);
    for (const city of ['Oslo', 'Lima', 'Cairo']) {
      const agent = byName(spans, `invoke_agent agent-${city}`);
      const children = childrenOf(spans, agent);
      expect(children.map((s) => galileoKind(s)).sort()).toEqual(['llm', 'llm', 'tool']);
      expect(children.every((s) => s.traceId === agent.traceId)).toBe(true);
      const toolSpan = children.find((s) => galileoKind(s) === 'tool');
      expect(String(toolSpan?.attributes['gen_ai.tool.call.arguments'])).toContain(city);
    }
  });

  /**
   * Leaves a streamText call unread (its spans open), then runs a generateText call through the
   * same integration: with room for one call, the unread one is given up on.
   */
  async function evictionRun(integration: ReturnType<typeof vercelAiTelemetry>) {
    const unread = streamText({
      model: slow(200).chat('gpt-4.1-mini'),
      prompt: 'Tell me about Io',
      telemetry: { functionId: 'never-read', integrations: [integration] },
    });
    await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'Tell me about Europa',
      telemetry: { functionId: 'read', integrations: [integration] },
    });
    const spans = await spansSince(galileo, h.sink, from);
    await unread.consumeStream();
    // Events of the given-up call find no state: nothing more is written for it.
    expect(await spansSince(galileo, h.sink, from)).toHaveLength(spans.length);
    return spans;
  }

  it('ends the oldest unfinished call past maxOpenRuns, marked galileo.incomplete (evicted)', async () => {
    const spans = await evictionRun(vercelAiTelemetry({ maxOpenRuns: 1 }));
    const evicted = byName(spans, 'invoke_agent never-read');
    expect(evicted.attributes).toMatchObject({
      'galileo.incomplete': true,
      'galileo.incomplete.reason': 'evicted',
    });
    expect(evicted.attributes['galileo.adapter.evicted']).toBeUndefined();
    expect(evicted.status.code).toBe(0);
    for (const span of spans.filter((s) => s.parentSpanId === evicted.spanId)) {
      expect(span.attributes['galileo.incomplete.reason'], span.name).toBe('evicted');
    }
    const finished = byName(spans, 'invoke_agent read');
    expect(finished.attributes['galileo.incomplete']).toBeUndefined();
    expect(json(finished.attributes['gen_ai.output.messages'])).toEqual([
      { role: 'assistant', content: expect.stringContaining('Europa') },
    ]);
  });

  it('keeps the deprecated galileoTelemetry({ maxOpenCalls }) working, with one warning', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const spans = await evictionRun(galileoTelemetry({ maxOpenCalls: 1 }));
      galileoTelemetry({ maxOpenCalls: 5 });
      expect(byName(spans, 'invoke_agent never-read').attributes['galileo.incomplete.reason']).toBe(
        'evicted',
      );
      const lines = warn.mock.calls.map((call) => String(call[0]));
      expect(lines.filter((line) => line.includes('maxOpenCalls'))).toEqual([
        '[galileo-otel] vercel-ai: the option maxOpenCalls is deprecated: pass maxOpenRuns instead (same meaning).',
      ]);
    } finally {
      warn.mockRestore();
    }
  });

  it('refuses a maxOpenRuns that is not a whole number of at least 1, naming the option', () => {
    expect(() => vercelAiTelemetry({ maxOpenRuns: 0 })).toThrow(RangeError);
    expect(() => vercelAiTelemetry({ maxOpenRuns: 1.5 })).toThrow(/maxOpenRuns/);
  });

  it('never throws into the program, whatever the events look like', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const integration = vercelAiTelemetry();
    const hooks = integration as unknown as Record<string, (event: unknown) => void>;
    for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(integration))) {
      if (name === 'constructor' || name.startsWith('execute')) continue;
      for (const event of [
        undefined,
        null,
        42,
        {},
        { callId: 'x', operationId: 'ai.generateText' },
      ]) {
        expect(() => hooks[name]?.call(integration, event)).not.toThrow();
      }
    }
    await expect(
      integration.executeTool?.({ callId: 'nope', toolCallId: 'nope', execute: async () => 7 }),
    ).resolves.toBe(7);
    // Each broken hook is reported once, through the package's one logger.
    const lines = warn.mock.calls.map((call) => String(call[0]));
    warn.mockRestore();
    expect(lines.filter((line) => line.includes(': onStart failed'))).toEqual([
      expect.stringMatching(
        /^\[galileo-otel\] vercel-ai: onStart failed and was skipped \(tracing continues\): /,
      ),
    ]);
    expect(new Set(lines).size).toBe(lines.length);
    // The hand-made call `x` wrote spans: export them here, not into the next test's window.
    await spansSince(galileo, h.sink, from);
  });
});

describe('vercelAiTelemetry: the one wire shape', () => {
  it('chains the assistant tool_calls to the tool message by the real call id', async () => {
    await generateText({
      model: openai.chat('gpt-4.1-mini'),
      system: 'You are a weather assistant.',
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'wire-shape' },
    });
    const spans = await spansSince(galileo, h.sink, from);
    const toolSpan = byName(spans, 'execute_tool weather');
    const callId = String(toolSpan.attributes['gen_ai.tool.call.id']);
    expect(callId).toMatch(/^call_/);
    const [first, second] = llmsInOrder(spans);
    expect(messagesOf(first as OtlpSpan, 'output')).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: callId,
            type: 'function',
            function: { name: 'weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
    ]);
    expect(messagesOf(second as OtlpSpan, 'input').slice(2)).toEqual([
      messagesOf(first as OtlpSpan, 'output')[0],
      {
        role: 'tool',
        content: toolSpan.attributes['gen_ai.tool.call.result'],
        tool_call_id: callId,
      },
    ]);
    expect(toolSpan.attributes['gen_ai.tool.call.arguments']).toBe('{"city":"Paris"}');
    expect(json(toolSpan.attributes['gen_ai.tool.call.result'])).toEqual({
      city: 'Paris',
      tempC: 21,
      sky: 'sunny',
    });
    expect(expectCanonicalMessages(spans)).toBeGreaterThanOrEqual(9);
  });
});
