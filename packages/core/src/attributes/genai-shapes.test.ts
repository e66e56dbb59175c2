import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import type { Attributes } from '@opentelemetry/api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { galileoKind } from '../kinds/galileo-kind.js';
import { spanNamed, startWireHarness, type WireHarness } from '../test-support/wire-harness.js';
import {
  agentAttributes,
  agentSpanName,
  llmAttributes,
  llmSpanName,
  messagesJson,
  recordSpanError,
  retrieverAttributes,
  toolAttributes,
  toolCall,
  toolSpanName,
  turnMessages,
  usageAttributes,
  workflowAttributes,
} from './genai-shapes.js';

let harness: WireHarness;
beforeAll(async () => {
  harness = await startWireHarness();
});
beforeEach(() => harness.sink.clear());
afterAll(() => harness.close());

/** Exports one span carrying these attributes and returns it as decoded off the wire. */
async function exported(name: string, attributes: Attributes): Promise<OtlpSpan> {
  harness.tracer.startSpan(name, { attributes }).end();
  return spanNamed(await harness.flushSpans(), name);
}

describe('usageAttributes', () => {
  it('writes token counts under both the current and the legacy names, with a total', async () => {
    const span = await exported('usage', usageAttributes({ inputTokens: 12, outputTokens: 5 }));
    expect(span.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.prompt_tokens': 12,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.completion_tokens': 5,
      'gen_ai.usage.total_tokens': 17,
    });
  });

  it('keeps a total the framework reported instead of recomputing it', async () => {
    const span = await exported(
      'usage-total',
      usageAttributes({ inputTokens: 10, outputTokens: 2, totalTokens: 40 }),
    );
    expect(span.attributes['gen_ai.usage.total_tokens']).toBe(40);
  });

  it('writes a count of zero, and skips missing, negative and non-finite counts', async () => {
    const zero = await exported('usage-zero', usageAttributes({ inputTokens: 0, outputTokens: 0 }));
    expect(zero.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 0,
      'gen_ai.usage.prompt_tokens': 0,
      'gen_ai.usage.output_tokens': 0,
      'gen_ai.usage.total_tokens': 0,
    });
    const span = await exported(
      'usage-partial',
      usageAttributes({ inputTokens: 7, outputTokens: Number.NaN }),
    );
    expect(span.attributes['gen_ai.usage.input_tokens']).toBe(7);
    expect(span.attributes).not.toHaveProperty('gen_ai.usage.output_tokens');
    expect(span.attributes).not.toHaveProperty('gen_ai.usage.completion_tokens');
    expect(usageAttributes({ inputTokens: -1 })).toEqual({});
    expect(usageAttributes(undefined)).toEqual({});
  });

  it('totals the valid counts when one is not a number, instead of losing the total', async () => {
    const span = await exported(
      'usage-nan',
      usageAttributes({ inputTokens: 7, outputTokens: Number.NaN, totalTokens: Number.NaN }),
    );
    expect(span.attributes['gen_ai.usage.total_tokens']).toBe(7);
  });
});

describe('messagesJson', () => {
  it('serialises messages as a JSON array of {role, content}, dropping other fields', async () => {
    const text = messagesJson([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi', name: 'ignored' },
      { role: 'assistant', content: [{ type: 'text', text: 'hello' }] },
      { role: 'tool' },
    ]);
    const span = await exported('messages', { 'gen_ai.input.messages': text });
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: '[{"type":"text","text":"hello"}]' },
      { role: 'tool', content: '' },
    ]);
  });

  it('turns a plain value into one message with the default role', () => {
    expect(JSON.parse(messagesJson('what is 2+2?'))).toEqual([
      { role: 'user', content: 'what is 2+2?' },
    ]);
    expect(JSON.parse(messagesJson({ answer: 4 }, 'assistant'))).toEqual([
      { role: 'assistant', content: '{"answer":4}' },
    ]);
    expect(JSON.parse(messagesJson(['a', 'b'], 'assistant'))).toEqual([
      { role: 'assistant', content: 'a' },
      { role: 'assistant', content: 'b' },
    ]);
  });

  it('never throws on circular or BigInt content', () => {
    const loop: Record<string, unknown> = { n: 1n };
    loop.self = loop;
    expect(JSON.parse(messagesJson([{ role: 'user', content: loop }]))).toEqual([
      { role: 'user', content: '{"n":"1","self":"[Circular]"}' },
    ]);
  });
});

describe('turnMessages', () => {
  const call = toolCall({ id: 'c1', name: 'get_weather', arguments: { city: 'Oslo' } });
  const result = { role: 'tool', content: '{"temp":3}', tool_call_id: 'c1' };

  it('joins the texts and keeps the tool calls on the turn message', () => {
    expect(
      turnMessages({
        role: 'assistant',
        texts: ['Let me ', 'check.'],
        toolCalls: [call],
        toolResults: [],
      }),
    ).toEqual([{ role: 'assistant', content: 'Let me check.', tool_calls: [call] }]);
  });

  it('gives only the tool messages for a turn of tool results', () => {
    expect(turnMessages({ role: 'user', texts: [], toolCalls: [], toolResults: [result] })).toEqual(
      [result],
    );
  });

  it('puts text before the tool results of the same turn, and keeps an empty turn', () => {
    expect(
      turnMessages({ role: 'user', texts: ['and?'], toolCalls: [], toolResults: [result] }),
    ).toEqual([{ role: 'user', content: 'and?' }, result]);
    expect(turnMessages({ role: 'user', texts: [], toolCalls: [], toolResults: [] })).toEqual([
      { role: 'user', content: '' },
    ]);
  });
});

describe('span shapes Galileo reads', () => {
  it('shapes an llm span: operation, model, provider, messages, finish reasons and usage', async () => {
    const name = llmSpanName('gpt-4.1-mini');
    expect(name).toBe('chat gpt-4.1-mini');
    const span = await exported(
      name,
      llmAttributes({
        model: 'gpt-4.1-mini',
        responseModel: 'gpt-4.1-mini-2025',
        responseId: 'resp-1',
        provider: 'openai',
        systemInstructions: 'be brief',
        inputMessages: [{ role: 'user', content: 'hi' }],
        outputMessages: 'hello',
        finishReasons: ['stop'],
        usage: { inputTokens: 3, outputTokens: 1 },
      }),
    );
    expect(galileoKind(span)).toBe('llm');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.response.model': 'gpt-4.1-mini-2025',
      'gen_ai.response.id': 'resp-1',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.system_instructions': 'be brief',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 3,
      'gen_ai.usage.completion_tokens': 1,
      'gen_ai.usage.total_tokens': 4,
    });
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'hi' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', content: 'hello' },
    ]);
  });

  it('names the operation of an embeddings call and leaves out what it was not given', async () => {
    const name = llmSpanName('text-embedding-3-small', 'embeddings');
    expect(name).toBe('embeddings text-embedding-3-small');
    expect(llmSpanName(undefined)).toBe('chat');
    const span = await exported(
      name,
      llmAttributes({ model: 'text-embedding-3-small', operation: 'embeddings' }),
    );
    expect(galileoKind(span)).toBe('llm');
    expect(span.attributes['gen_ai.operation.name']).toBe('embeddings');
    for (const absent of [
      'gen_ai.provider.name',
      'gen_ai.input.messages',
      'gen_ai.response.finish_reasons',
      'gen_ai.usage.total_tokens',
    ]) {
      expect(span.attributes).not.toHaveProperty(absent);
    }
  });

  it('shapes a tool span with JSON arguments and the result as text', async () => {
    const name = toolSpanName('weather');
    expect(name).toBe('execute_tool weather');
    const span = await exported(
      name,
      toolAttributes({
        name: 'weather',
        callId: 'call-7',
        description: 'looks up the weather',
        arguments: { city: 'Paris' },
        result: 'sunny',
      }),
    );
    expect(galileoKind(span)).toBe('tool');
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'weather',
      'gen_ai.tool.call.id': 'call-7',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.description': 'looks up the weather',
      'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      'gen_ai.tool.call.result': 'sunny',
    });
  });

  it('shapes a retriever span: a search, the query as input and {documents} as output', async () => {
    const span = await exported(
      'retrieve',
      retrieverAttributes({
        query: 'capital of France',
        documents: [{ id: 'd1', text: 'Paris is the capital.' }],
      }),
    );
    expect(galileoKind(span)).toBe('retriever');
    expect(span.attributes['db.operation']).toBe('search');
    expect(JSON.parse(String(span.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'capital of France' },
    ]);
    expect(JSON.parse(String(span.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', content: { documents: [{ id: 'd1', text: 'Paris is the capital.' }] } },
    ]);
  });

  it('shapes an agent span and a workflow span with user input and assistant output', async () => {
    harness.tracer
      .startSpan(agentSpanName('planner'), {
        attributes: agentAttributes({ name: 'planner', id: 'a-1', input: 'plan', output: 'done' }),
      })
      .end();
    harness.tracer
      .startSpan('pipeline', { attributes: workflowAttributes({ input: 'in', output: 'out' }) })
      .end();
    const spans = await harness.flushSpans();
    const agent = spanNamed(spans, 'invoke_agent planner');
    expect(galileoKind(agent)).toBe('agent');
    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'planner',
      'gen_ai.agent.id': 'a-1',
    });
    const workflow = spanNamed(spans, 'pipeline');
    expect(galileoKind(workflow)).toBe('workflow');
    expect(JSON.parse(String(workflow.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'in' },
    ]);
    expect(JSON.parse(String(workflow.attributes['gen_ai.output.messages']))).toEqual([
      { role: 'assistant', content: 'out' },
    ]);
  });
});

describe('recordSpanError', () => {
  it('sets status ERROR with the message, error.type and an exception event', async () => {
    const span = harness.tracer.startSpan('fails');
    recordSpanError(span, new TypeError('bad input'));
    span.end();
    const wire = spanNamed(await harness.flushSpans(), 'fails');
    expect(wire.status).toEqual({ code: 2, message: 'bad input' });
    expect(wire.attributes['error.type']).toBe('TypeError');
    expect(wire.events.map((e) => e.name)).toEqual(['exception']);
    expect(wire.events[0]?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'bad input',
    });
  });

  it('names the error type of a custom class, a thrown string and an explicit type', async () => {
    class RateLimitError extends Error {
      override name = 'RateLimitError';
    }
    const cases: [string, unknown, string | undefined, string, string][] = [
      ['custom', new RateLimitError('slow down'), undefined, 'RateLimitError', 'slow down'],
      ['string', 'plain failure', undefined, 'Error', 'plain failure'],
      ['object', { code: 42 }, undefined, 'Error', '{"code":42}'],
      ['typed', new Error('x'), 'ToolTimeout', 'ToolTimeout', 'x'],
    ];
    for (const [name, error, type] of cases) {
      const span = harness.tracer.startSpan(`err-${name}`);
      recordSpanError(span, error, type);
      span.end();
    }
    const spans = await harness.flushSpans();
    for (const [name, , , expectedType, expectedMessage] of cases) {
      const wire = spanNamed(spans, `err-${name}`);
      expect({ name, type: wire.attributes['error.type'], status: wire.status }).toEqual({
        name,
        type: expectedType,
        status: { code: 2, message: expectedMessage },
      });
    }
  });

  it('does not throw or change a span that has already ended', async () => {
    const span = harness.tracer.startSpan('ended-first');
    span.end();
    expect(() => recordSpanError(span, new Error('too late'))).not.toThrow();
    const wire = spanNamed(await harness.flushSpans(), 'ended-first');
    expect(wire.status.code).toBe(0);
    expect(wire.attributes).not.toHaveProperty('error.type');
  });
});
