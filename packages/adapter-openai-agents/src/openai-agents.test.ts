import { galileoKind } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import {
  Agent,
  InputGuardrailTripwireTriggered,
  MCPServerStreamableHttp,
  OpenAIChatCompletionsModel,
  OpenAIResponsesModel,
  OutputGuardrailTripwireTriggered,
  Runner,
  run,
  setOpenAIAPI,
  tool,
} from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Harness,
  outbound,
  outboundHostsAfterSdkFlush,
  renderTree,
  startHarness,
} from './test-support/harness.js';
import { startMcpTestServer } from './test-support/mcp-server.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const MODEL = 'gpt-4.1-mini';

function byName(spans: readonly OtlpSpan[], name: string): OtlpSpan[] {
  return spans.filter((s) => s.name === name);
}

function one(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = byName(spans, name);
  expect(found, `exactly one span named ${name} in\n${tree(spans)}`).toHaveLength(1);
  return found[0] as OtlpSpan;
}

function tree(spans: readonly OtlpSpan[]): string {
  return renderTree(spans, (s) => galileoKind(s));
}

function childrenOf(spans: readonly OtlpSpan[], parent: OtlpSpan): OtlpSpan[] {
  return spans
    .filter((s) => s.parentSpanId === parent.spanId)
    .sort((a, b) => (a.startTimeUnixNano < b.startTimeUnixNano ? -1 : 1));
}

function json(value: unknown): unknown {
  return JSON.parse(String(value));
}

interface ToolCall {
  id: string;
  type: string;
  function: { name: string; arguments: string };
}
interface Message {
  role: string;
  content: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

function messages(span: OtlpSpan, key: 'gen_ai.input.messages' | 'gen_ai.output.messages') {
  return json(span.attributes[key]) as Message[];
}

/** Every message on the span is `{role, content}` with text content, plus the two tool keys. */
function expectCanonicalMessages(span: OtlpSpan): void {
  for (const key of ['gen_ai.input.messages', 'gen_ai.output.messages'] as const) {
    if (span.attributes[key] === undefined) continue;
    for (const message of messages(span, key)) {
      const keys = Object.keys(message).filter((k) => k !== 'tool_calls' && k !== 'tool_call_id');
      expect(keys.sort(), `${span.name} ${key}`).toEqual(['content', 'role']);
      expect(typeof message.content, `${span.name} ${key}`).toBe('string');
      for (const call of message.tool_calls ?? []) {
        expect(Object.keys(call).sort()).toEqual(['function', 'id', 'type']);
        expect(call.type).toBe('function');
        expect(call.id).not.toBe('');
        expect(() => JSON.parse(call.function.arguments)).not.toThrow();
      }
    }
  }
}

/** The one error shape: ERROR, `error.type`, and an `exception` event saying the same. */
function expectFailed(span: OtlpSpan, type: string): void {
  expect(span.status.code, span.name).toBe(2);
  expect(span.attributes['error.type'], span.name).toBe(type);
  const exceptions = span.events.filter((e) => e.name === 'exception');
  expect(exceptions, span.name).toHaveLength(1);
  expect(exceptions[0]?.attributes, span.name).toMatchObject({
    'exception.type': type,
    'exception.message': span.status.message,
  });
}

const weather = tool({
  name: 'get_weather',
  description: 'Get the weather for a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => `Sunny, 22C in ${city}`,
});

function weatherAgent(): Agent {
  return new Agent({
    name: 'WeatherAgent',
    instructions: 'Answer weather questions.',
    model: MODEL,
    tools: [weather],
  });
}

const MODEL_500 = '500 The server had an error (local-model scenario 500).';

/** Reads a streamed run to its end; rejects with the run's error. */
async function consume(stream: {
  toTextStream(): AsyncIterable<string>;
  completed: Promise<void>;
}) {
  for await (const _ of stream.toTextStream()) {
    // drain
  }
  await stream.completed;
}

/** A failed model call: llm ERROR ModelError under an agent and root ERROR AgentRunError. */
function expectFailedModelRun(spans: OtlpSpan[], rootName: string, llmMessage: string): void {
  const root = one(spans, rootName);
  const agentSpan = one(spans, 'invoke_agent Doomed');
  const llms = spans.filter((s) => galileoKind(s) === 'llm');
  expect(llms, tree(spans)).toHaveLength(1);
  const llm = llms[0] as OtlpSpan;
  expect(spans).toHaveLength(3);
  expect(agentSpan.parentSpanId).toBe(root.spanId);
  expect(llm.parentSpanId).toBe(agentSpan.spanId);
  expect(llm.status).toEqual({ code: 2, message: llmMessage });
  expectFailed(llm, 'ModelError');
  for (const span of [root, agentSpan]) {
    expect(span.status, span.name).toEqual({
      code: 2,
      message: `Error in agent run: Error: ${MODEL_500}`,
    });
    // the SDK reports the client's error only as text (`Error: 500 ...`): no class to name
    expectFailed(span, 'AgentRunError');
  }
}

/** A tripped guardrail: the guardrail, its agent and the root all ERROR, naming the tripwire. */
function expectTripped(
  spans: OtlpSpan[],
  names: { root: string; agent: string; guardrail: string; errorType: string },
): void {
  const root = one(spans, names.root);
  const agentSpan = one(spans, names.agent);
  const guardrail = one(spans, `guardrail ${names.guardrail}`);
  expect(agentSpan.parentSpanId).toBe(root.spanId);
  expect(guardrail.parentSpanId).toBe(agentSpan.spanId);
  expect(guardrail.attributes).toMatchObject({
    'gen_ai.tool.name': names.guardrail,
    'gen_ai.tool.type': 'guardrail',
    'gen_ai.tool.call.result': '{"triggered":true}',
    'openai_agents.guardrail.triggered': true,
    'error.type': 'GuardrailTripwireTriggered',
  });
  expect(guardrail.status).toEqual({
    code: 2,
    message: `guardrail ${names.guardrail} tripped`,
  });
  expectFailed(guardrail, 'GuardrailTripwireTriggered');
  for (const span of [root, agentSpan]) expectFailed(span, names.errorType);
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  for (const span of spans) expect(span.endTimeUnixNano > 0n).toBe(true);
}

describe.each(['chat_completions', 'responses'] as const)('over %s', (api) => {
  beforeAll(() => {
    setOpenAIAPI(api);
  });

  const failingModel = () => {
    const client = new OpenAI({ apiKey: 'sk-local', baseURL: `${h.model.url}/v1`, maxRetries: 0 });
    return api === 'responses'
      ? new OpenAIResponsesModel(client, `${MODEL}@500`)
      : new OpenAIChatCompletionsModel(client, `${MODEL}@500`);
  };

  it('maps a tool round trip to workflow → agent → llm, tool, llm with content and usage', async () => {
    const runner = new Runner({ workflowName: 'weather-workflow', groupId: 'conv-123' });
    const result = await runner.run(weatherAgent(), 'What is the weather in Paris?');
    expect(result.finalOutput).toContain('Sunny, 22C');
    const spans = await h.flushSpans();

    expect(tree(spans)).toBe(
      [
        'weather-workflow [workflow]',
        '  invoke_agent WeatherAgent [agent]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool get_weather [tool]',
        `    chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    const root = one(spans, 'weather-workflow');
    const agent = one(spans, 'invoke_agent WeatherAgent');
    const [chat1, toolSpan, chat2] = childrenOf(spans, agent) as [OtlpSpan, OtlpSpan, OtlpSpan];
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(root.parentSpanId).toBeUndefined();
    expect(agent.parentSpanId).toBe(root.spanId);
    for (const span of spans) expect(span.status.code).toBe(0);

    expect(root.attributes['gen_ai.conversation.id']).toBe('conv-123');
    // The run's groupId is its session, on every span of the run and on their Resource: core
    // passes the workflow span's session down to the spans started under it.
    for (const span of spans) {
      expect(span.attributes['galileo.session.id']).toBe('conv-123');
      expect(span.attributes['session.id']).toBe('conv-123');
      expect(span.resource['galileo.session.id']).toBe('conv-123');
    }
    expect(json(root.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(String(root.attributes['gen_ai.output.messages'])).toContain('Sunny, 22C');

    expect(agent.attributes).toMatchObject({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.agent.name': 'WeatherAgent',
      'gen_ai.provider.name': 'openai',
      'gen_ai.conversation.id': 'conv-123',
    });
    expect(json(agent.attributes['gen_ai.input.messages'])).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(String(agent.attributes['gen_ai.output.messages'])).toContain('Sunny, 22C');

    for (const chat of [chat1, chat2]) {
      expect(chat.attributes).toMatchObject({
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': MODEL,
        'gen_ai.provider.name': 'openai',
        'gen_ai.system_instructions': 'Answer weather questions.',
      });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.total_tokens']).toBe(
        Number(chat.attributes['gen_ai.usage.input_tokens']) +
          Number(chat.attributes['gen_ai.usage.output_tokens']),
      );
    }
    // the model's request is `tool_calls` on the assistant message, with the API's call id
    const [asked] = messages(chat1, 'gen_ai.output.messages');
    expect(asked).toEqual({
      role: 'assistant',
      content: '',
      tool_calls: [
        {
          id: expect.stringMatching(/^call_/),
          type: 'function',
          function: { name: 'get_weather', arguments: expect.any(String) },
        },
      ],
    });
    const call = asked?.tool_calls?.[0] as ToolCall;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: 'Paris' });

    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.type': 'function',
      'gen_ai.tool.call.id': call.id,
      'gen_ai.tool.call.arguments': call.function.arguments,
    });
    const answer = String(toolSpan.attributes['gen_ai.tool.call.result']);
    expect(answer).toMatch(/^Sunny, 22C in /);
    // the next model call's input answers that call: a tool message with its id
    expect(messages(chat2, 'gen_ai.input.messages')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', content: answer, tool_call_id: call.id },
    ]);
    expect(messages(chat2, 'gen_ai.output.messages')).toEqual([
      { role: 'assistant', content: expect.stringContaining('Sunny, 22C') },
    ]);
    for (const span of spans) expectCanonicalMessages(span);
    // task and turn are collapsed, never exported
    expect(spans.some((s) => /task|turn/.test(s.name))).toBe(false);
    // children start and end inside their parents (one clock per run)
    for (const child of spans) {
      const parent = spans.find((s) => s.spanId === child.parentSpanId);
      if (!parent) continue;
      expect(child.startTimeUnixNano >= parent.startTimeUnixNano).toBe(true);
      expect(child.endTimeUnixNano <= parent.endTimeUnixNano).toBe(true);
    }
  });

  it('maps a streamed run to the same tree, with usage, ending after the stream', async () => {
    const stream = await run(weatherAgent(), 'What is the weather in Oslo?', { stream: true });
    let text = '';
    for await (const chunk of stream.toTextStream()) text += chunk;
    await stream.completed;
    expect(text).toContain('Sunny, 22C');
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'Agent workflow [workflow]',
        '  invoke_agent WeatherAgent [agent]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool get_weather [tool]',
        `    chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    for (const chat of byName(spans, `chat ${MODEL}`)) {
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      expect(String(chat.attributes['gen_ai.output.messages'])).not.toBe('');
    }
    const root = one(spans, 'Agent workflow');
    const agent = one(spans, 'invoke_agent WeatherAgent');
    expect(root.endTimeUnixNano >= agent.endTimeUnixNano).toBe(true);
    expect(String(agent.attributes['gen_ai.output.messages'])).toContain('Sunny, 22C');
  });

  it('marks the tool span as error when the tool throws, and the run goes on', async () => {
    const broken = tool({
      name: 'get_weather',
      description: 'Get the weather for a city',
      parameters: z.object({ city: z.string() }),
      execute: async () => {
        throw new Error('weather backend down');
      },
    });
    const agent = new Agent({
      name: 'WeatherAgent',
      instructions: 'Answer weather questions.',
      model: MODEL,
      tools: [broken],
    });
    await run(agent, 'What is the weather in Rome?');
    const spans = await h.flushSpans();
    const toolSpan = one(spans, 'execute_tool get_weather');
    expect(galileoKind(toolSpan)).toBe('tool');
    expect(toolSpan.status.code).toBe(2);
    // the SDK redacts tool error details in its span (`Error details are redacted.`)
    expect(toolSpan.status.message).toContain('Error running tool');
    expectFailed(toolSpan, 'ToolError');
    // the tool still got its arguments; the error, not a result, says how it ended
    expect(JSON.parse(String(toolSpan.attributes['gen_ai.tool.call.arguments']))).toEqual({
      city: 'Rome',
    });
    expect(one(spans, 'invoke_agent WeatherAgent').status.code).toBe(0);
    expect(one(spans, 'Agent workflow').status.code).toBe(0);
    expect(byName(spans, `chat ${MODEL}`)).toHaveLength(2);
  });

  it('ends the root and every open span as ERROR when a guardrail tripwire aborts the run', async () => {
    const agent = new Agent({
      name: 'GuardedAgent',
      instructions: 'Answer weather questions.',
      model: MODEL,
      tools: [weather],
      inputGuardrails: [
        {
          name: 'no_secrets',
          execute: async () => ({ outputInfo: { reason: 'secret' }, tripwireTriggered: true }),
        },
      ],
    });
    await expect(
      new Runner({ workflowName: 'guarded' }).run(agent, 'My password is hunter2, weather?'),
    ).rejects.toBeInstanceOf(InputGuardrailTripwireTriggered);
    const spans = await h.flushSpans();
    const root = one(spans, 'guarded');
    const agentSpan = one(spans, 'invoke_agent GuardedAgent');
    const guardrail = one(spans, 'guardrail no_secrets');
    expect(agentSpan.parentSpanId).toBe(root.spanId);
    expect(guardrail.parentSpanId).toBe(agentSpan.spanId);
    expect(galileoKind(guardrail)).toBe('tool');
    expect(guardrail.attributes).toMatchObject({
      'gen_ai.tool.name': 'no_secrets',
      'gen_ai.tool.type': 'guardrail',
      'openai_agents.guardrail.triggered': true,
      'error.type': 'GuardrailTripwireTriggered',
    });
    expectFailed(guardrail, 'GuardrailTripwireTriggered');
    for (const span of [root, agentSpan]) expectFailed(span, 'InputGuardrailTripwireTriggered');
    // every span of the run was ended and exported, in one trace
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const span of spans) expect(span.endTimeUnixNano > 0n).toBe(true);
  });

  it('ends the run as ERROR with error.type when the model call fails (no onTraceEnd)', async () => {
    const agent = new Agent({ name: 'Doomed', instructions: 'Answer.', model: failingModel() });
    await expect(new Runner({ workflowName: 'doomed' }).run(agent, 'Hello?')).rejects.toThrow(
      MODEL_500,
    );
    expectFailedModelRun(await h.flushSpans(), 'doomed', MODEL_500);
  });

  it('ends a streamed run as ERROR with error.type when the model call fails', async () => {
    const agent = new Agent({ name: 'Doomed', instructions: 'Answer.', model: failingModel() });
    const stream = await new Runner({ workflowName: 'doomed-stream' }).run(agent, 'Hello?', {
      stream: true,
    });
    await expect(consume(stream)).rejects.toThrow(MODEL_500);
    expectFailedModelRun(
      await h.flushSpans(),
      'doomed-stream',
      `Error streaming response: Error: ${MODEL_500}`,
    );
  });

  it('ends a streamed run as ERROR when its input guardrail trips', async () => {
    const agent = new Agent({
      name: 'GuardedAgent',
      instructions: 'Answer weather questions.',
      model: MODEL,
      tools: [weather],
      inputGuardrails: [
        {
          name: 'no_secrets',
          execute: async () => ({ outputInfo: { reason: 'secret' }, tripwireTriggered: true }),
        },
      ],
    });
    const stream = await new Runner({ workflowName: 'guarded-stream' }).run(
      agent,
      'My password is hunter2, weather?',
      { stream: true },
    );
    await expect(consume(stream)).rejects.toBeInstanceOf(InputGuardrailTripwireTriggered);
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'guarded-stream [workflow] ERROR',
        '  invoke_agent GuardedAgent [agent] ERROR',
        '    guardrail no_secrets [tool] ERROR',
      ].join('\n'),
    );
    expectTripped(spans, {
      root: 'guarded-stream',
      agent: 'invoke_agent GuardedAgent',
      guardrail: 'no_secrets',
      errorType: 'InputGuardrailTripwireTriggered',
    });
  });

  it('ends the run as ERROR when an output guardrail trips, keeping the finished turn', async () => {
    const agent = new Agent({
      name: 'CheckedAgent',
      instructions: 'Answer weather questions.',
      model: MODEL,
      tools: [weather],
      outputGuardrails: [
        {
          name: 'no_weather_talk',
          execute: async () => ({ outputInfo: { reason: 'off topic' }, tripwireTriggered: true }),
        },
      ],
    });
    await expect(
      new Runner({ workflowName: 'checked' }).run(agent, 'What is the weather in Paris?'),
    ).rejects.toBeInstanceOf(OutputGuardrailTripwireTriggered);
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'checked [workflow] ERROR',
        '  invoke_agent CheckedAgent [agent] ERROR',
        `    chat ${MODEL} [llm]`,
        '    execute_tool get_weather [tool]',
        `    chat ${MODEL} [llm]`,
        '    guardrail no_weather_talk [tool] ERROR',
      ].join('\n'),
    );
    expectTripped(spans, {
      root: 'checked',
      agent: 'invoke_agent CheckedAgent',
      guardrail: 'no_weather_talk',
      errorType: 'OutputGuardrailTripwireTriggered',
    });
    // the model and tool work that ran before the check is exported as it happened
    for (const span of spans.filter((s) => ['llm', 'tool'].includes(galileoKind(s)))) {
      if (span.name.startsWith('guardrail')) continue;
      expect(span.status.code, span.name).toBe(0);
      expect(span.attributes['galileo.incomplete'], span.name).toBeUndefined();
    }
  });

  it('maps a handoff to an execute_tool transfer span and the target agent as a sibling', async () => {
    const target = weatherAgent();
    const triage = new Agent({
      name: 'Triage',
      instructions: 'Route weather questions to the WeatherAgent.',
      model: MODEL,
      handoffs: [target],
    });
    const result = await run(triage, 'Ask WeatherAgent: what is the weather in Lima?');
    expect(result.lastAgent?.name).toBe('WeatherAgent');
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'Agent workflow [workflow]',
        '  invoke_agent Triage [agent]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool transfer_to_WeatherAgent [tool]',
        '  invoke_agent WeatherAgent [agent]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool get_weather [tool]',
        `    chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    const transfer = one(spans, 'execute_tool transfer_to_WeatherAgent');
    expect(transfer.attributes).toMatchObject({
      'gen_ai.tool.name': 'transfer_to_WeatherAgent',
      'gen_ai.tool.type': 'handoff',
      'openai_agents.handoff.from_agent': 'Triage',
      'openai_agents.handoff.to_agent': 'WeatherAgent',
    });
    expect(String(transfer.attributes['gen_ai.tool.call.id'])).toMatch(/^call_/);
    // the handoff is the model's transfer_to_ call, named with the same id on the triage llm span
    const triageChat = childrenOf(spans, one(spans, 'invoke_agent Triage'))[0] as OtlpSpan;
    expect(messages(triageChat, 'gen_ai.output.messages')).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          {
            id: transfer.attributes['gen_ai.tool.call.id'],
            type: 'function',
            function: {
              name: 'transfer_to_WeatherAgent',
              arguments: transfer.attributes['gen_ai.tool.call.arguments'],
            },
          },
        ],
      },
    ]);
    for (const span of spans) expectCanonicalMessages(span);
    expect(json(transfer.attributes['gen_ai.tool.call.result'])).toEqual({
      assistant: 'WeatherAgent',
    });
  });

  it('maps a tool from an MCP server to an mcp tool span, next to its list-tools spans', async () => {
    const mcp = await startMcpTestServer([
      {
        name: 'get_forecast',
        description: 'Get the weather forecast for a city',
        inputSchema: {
          type: 'object',
          properties: { city: { type: 'string' } },
          required: ['city'],
        },
        call: (args) => `Rain in ${String(args.city)}`,
      },
    ]);
    const server = new MCPServerStreamableHttp({ url: mcp.url, name: 'weather-mcp' });
    await server.connect();
    try {
      const agent = new Agent({
        name: 'McpAgent',
        instructions: 'Answer weather questions.',
        model: MODEL,
        mcpServers: [server],
      });
      const result = await run(agent, 'What is the weather in Paris?');
      expect(result.finalOutput).toContain('Rain in Paris');
    } finally {
      await server.close();
      await mcp.close();
    }
    expect(mcp.methods).toContain('tools/call');
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'Agent workflow [workflow]',
        '  invoke_agent McpAgent [agent]',
        '    mcp_list_tools weather-mcp [tool]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool get_forecast [tool]',
        '    mcp_list_tools weather-mcp [tool]',
        `    chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    const [chat1] = byName(spans, `chat ${MODEL}`) as [OtlpSpan];
    const call = messages(chat1, 'gen_ai.output.messages')[0]?.tool_calls?.[0] as ToolCall;
    expect(call.function.name).toBe('get_forecast');
    const toolSpan = one(spans, 'execute_tool get_forecast');
    expect(toolSpan.status.code).toBe(0);
    expect(toolSpan.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'get_forecast',
      'gen_ai.tool.type': 'mcp',
      'gen_ai.tool.call.id': call.id,
      'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      'openai_agents.mcp.server': 'weather-mcp',
      'openai_agents.mcp.data': '{"server":"weather-mcp"}',
    });
    expect(String(toolSpan.attributes['gen_ai.tool.call.result'])).toContain('Rain in Paris');
    for (const list of byName(spans, 'mcp_list_tools weather-mcp')) {
      expect(list.attributes).toMatchObject({
        'gen_ai.tool.type': 'mcp',
        'openai_agents.mcp.server': 'weather-mcp',
        'gen_ai.tool.call.result': '["get_forecast"]',
      });
    }
  });

  it('keeps spans but omits content with traceIncludeSensitiveData: false', async () => {
    const runner = new Runner({ workflowName: 'redacted', traceIncludeSensitiveData: false });
    await runner.run(weatherAgent(), 'What is the weather in Cairo?');
    const spans = await h.flushSpans();
    expect(tree(spans)).toBe(
      [
        'redacted [workflow]',
        '  invoke_agent WeatherAgent [agent]',
        `    ${api === 'responses' ? 'chat' : `chat ${MODEL}`} [llm]`,
        '    execute_tool get_weather [tool]',
        `    ${api === 'responses' ? 'chat' : `chat ${MODEL}`} [llm]`,
      ].join('\n'),
    );
    for (const span of spans) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.output.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.result']).toBeUndefined();
    }
    for (const chat of spans.filter((s) => galileoKind(s) === 'llm')) {
      // usage recovered from the turn, since the model spans carry none when redacted
      expect(chat.attributes['openai_agents.usage_source']).toBe('turn');
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    }
  });
});

it('never contacts anything but loopback, even with OPENAI_API_KEY set', async () => {
  expect(process.env.OPENAI_API_KEY).toMatch(/^sk-/);
  await h.galileo.forceFlush();
  expect(outbound.length).toBeGreaterThan(0);
  expect(await outboundHostsAfterSdkFlush()).toEqual(['127.0.0.1']);
  expect(outbound.some((url) => url.includes('/v1/chat/completions'))).toBe(true);
  expect(outbound.some((url) => url.includes('/v1/responses'))).toBe(true);
  // only the deliberate `@500` scenarios failed (plain and streamed, over both APIs)
  expect(h.model.requests.filter((r) => r.status !== 200).map((r) => r.scenario)).toEqual([
    '500',
    '500',
    '500',
    '500',
  ]);
  expect(h.warnings).toEqual([]);
});
