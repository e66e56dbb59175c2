import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { galileoKind, tracedFetch, traceHttpHandler } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE_OPTIONS,
  drain,
  mcpSdkDir,
  type SdkMessage,
  weatherServer,
} from './test-support/claude-sdk.js';
import { type Harness, renderTree, startHarness } from './test-support/harness.js';
import { childrenOf, expectCanonical, expectFailed, messagesOf, one } from './test-support/wire.js';

// The real Claude Agent SDK and its native CLI (installed once by the global setup) against the
// local model server, offline: every assertion is on the OTLP the receiver decoded.

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

const WEATHER = ['mcp__weather__get_weather'];

/** A query with the `weather` MCP server, read to its end. */
function askWeather(prompt: string, options: Record<string, unknown> = {}) {
  return drain(
    h.query({
      prompt,
      options: {
        ...BASE_OPTIONS,
        env: h.env(),
        tools: [],
        mcpServers: { weather: weatherServer(h.sdk) },
        allowedTools: WEATHER,
        ...options,
      },
    }),
  );
}

const llms = (spans: readonly OtlpSpan[]) => spans.filter((s) => galileoKind(s) === 'llm');

describe('a run with a tool', () => {
  let spans: OtlpSpan[];
  let messages: SdkMessage[];
  let activeInTool: string | undefined;
  beforeAll(async () => {
    const requests = h.model.requests.length;
    messages = await askWeather('What is the weather in Paris?', {
      mcpServers: {
        weather: weatherServer(h.sdk, async (city) => {
          activeInTool = trace.getActiveSpan()?.spanContext().spanId;
          return `Sunny, 22C in ${city}`;
        }),
      },
    });
    spans = await h.flushSpans();
    expect(h.model.requests.length - requests).toBe(2);
  });

  it('is one tree: invoke_agent, chat, execute_tool, chat', () => {
    expect(renderTree(spans)).toBe(
      [
        'invoke_agent claude [agent]',
        '  chat claude-sonnet-4-5 [llm]',
        '  execute_tool get_weather [tool]',
        '  chat claude-sonnet-4-5 [llm]',
      ].join('\n'),
    );
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(h.adapter.openRuns).toBe(0);
  });

  it('chains the tool call by its id: tool_calls out, the tool span, tool_call_id in', () => {
    expectCanonical(spans);
    const [first, second] = childrenOf(spans, one(spans, 'invoke_agent claude')).filter(
      (s) => galileoKind(s) === 'llm',
    ) as [OtlpSpan, OtlpSpan];
    const [call] = messagesOf(first, 'output')[0]?.tool_calls ?? [];
    expect(call?.function).toEqual({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    const span = one(spans, 'execute_tool get_weather');
    expect(span.attributes).toMatchObject({
      'gen_ai.tool.name': 'get_weather',
      'gen_ai.tool.call.id': call?.id,
      'gen_ai.tool.type': 'mcp',
      'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      'gen_ai.tool.call.result': 'Sunny, 22C in Paris',
      'claude_agent_sdk.mcp.server': 'weather',
    });
    expect(messagesOf(second, 'input')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [call] },
      { role: 'tool', content: 'Sunny, 22C in Paris', tool_call_id: call?.id },
    ]);
    expect(messagesOf(second, 'output')[0]?.content).toContain('Sunny, 22C in Paris');
  });

  it('runs the in-process tool body with its execute_tool span active', () => {
    expect(activeInTool).toBe(one(spans, 'execute_tool get_weather').spanId);
  });

  it('carries usage per model call, and the run totals, cost and answer on the agent span', () => {
    const calls = llms(spans);
    for (const span of calls) {
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(span.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(1);
      expect(span.attributes['gen_ai.usage.prompt_tokens']).toBe(
        span.attributes['gen_ai.usage.input_tokens'],
      );
      expect(span.attributes['gen_ai.usage.completion_tokens']).toBe(
        span.attributes['gen_ai.usage.output_tokens'],
      );
    }
    expect(calls.map((s) => s.attributes['gen_ai.response.finish_reasons'])).toEqual([
      ['tool_use'],
      ['end_turn'],
    ]);
    const sum = (key: string) => calls.reduce((n, s) => n + Number(s.attributes[key]), 0);
    const result = messages.find((m) => m.type === 'result') as SdkMessage;
    const root = one(spans, 'invoke_agent claude');
    expect(root.attributes).toMatchObject({
      'gen_ai.agent.name': 'claude',
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': sum('gen_ai.usage.input_tokens'),
      'gen_ai.usage.output_tokens': sum('gen_ai.usage.output_tokens'),
      'claude_agent_sdk.cost_usd': result.total_cost_usd,
      'claude_agent_sdk.results': 1,
      'claude_agent_sdk.num_turns': 2,
      'claude_agent_sdk.session_id': result.session_id,
    });
    expect(messagesOf(root, 'input')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(messagesOf(root, 'output')).toEqual([{ role: 'assistant', content: result.result }]);
    expect(root.status.code).not.toBe(2);
  });

  it('hides the stream events it asked the CLI for, and the CLI reached nothing but loopback', () => {
    expect(messages.filter((m) => m.type === 'stream_event')).toEqual([]);
    expect(messages.at(-1)?.type).toBe('result');
    expect(h.trap.attempts).toEqual([]);
  });
});

describe('a subagent that calls a tool', () => {
  let spans: OtlpSpan[];
  let results: SdkMessage[];
  beforeAll(async () => {
    const messages = await askWeather('What is the weather in Paris? [scenario:tool:Agent]', {
      tools: ['Agent'],
      allowedTools: ['Agent', ...WEATHER],
      agents: {
        'weather-agent': {
          description: 'Finds the weather',
          prompt: 'You answer weather questions with the get_weather tool.',
          tools: WEATHER,
        },
      },
    });
    results = messages.filter((m) => m.type === 'result');
    spans = await h.flushSpans();
  });

  it('nests the subagent under the Agent tool call that started it, its tool under it', () => {
    expect(renderTree(spans)).toBe(
      [
        'invoke_agent claude [agent]',
        '  chat claude-sonnet-4-5 [llm]',
        '  execute_tool Agent [tool]',
        '    invoke_agent weather-agent [agent]',
        '      chat claude-sonnet-4-5 [llm]',
        '      execute_tool get_weather [tool]',
        '      chat claude-sonnet-4-5 [llm]',
        '  chat claude-sonnet-4-5 [llm]',
        '  chat claude-sonnet-4-5 [llm]',
      ].join('\n'),
    );
    expectCanonical(spans);
    const agentCall = one(spans, 'execute_tool Agent');
    const sub = one(spans, 'invoke_agent weather-agent');
    expect(sub.parentSpanId).toBe(agentCall.spanId);
    expect(agentCall.attributes['gen_ai.tool.type']).toBe('agent');
    const weather = one(spans, 'execute_tool get_weather');
    expect(weather.parentSpanId).toBe(sub.spanId);
    expect(weather.attributes['claude_agent_sdk.agent_id']).toBe(sub.attributes['gen_ai.agent.id']);
    expect(sub.attributes['claude_agent_sdk.background']).toBe(true);
    expect(messagesOf(sub, 'input')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(messagesOf(sub, 'output')[0]?.content).toContain('Sunny, 22C in Paris');
    // The subagent's own model calls: its tool call, then the tool's answer.
    const [ask, answer] = childrenOf(spans, sub).filter((s) => galileoKind(s) === 'llm');
    const call = messagesOf(ask as OtlpSpan, 'output')[0]?.tool_calls?.[0];
    expect(call?.id).toBe(weather.attributes['gen_ai.tool.call.id']);
    expect(messagesOf(answer as OtlpSpan, 'input').at(-1)).toEqual({
      role: 'tool',
      content: 'Sunny, 22C in Paris',
      tool_call_id: call?.id,
    });
  });

  it('keeps the run open through both results of the background agent', () => {
    expect(results).toHaveLength(2);
    const root = one(spans, 'invoke_agent claude');
    expect(root.attributes['claude_agent_sdk.results']).toBe(2);
    expect(root.attributes['claude_agent_sdk.cost_usd']).toBe(results[1]?.total_cost_usd);
    expect(spans.every((s) => s.endTimeUnixNano <= root.endTimeUnixNano)).toBe(true);
    // The turn the finished subagent started: its notification is that model call's last input.
    const last = childrenOf(spans, root).at(-1) as OtlpSpan;
    expect(messagesOf(last, 'input').at(-1)?.content).toMatch(/^<task-notification>/);
    expect(spans.some((s) => s.attributes['galileo.incomplete'] !== undefined)).toBe(false);
    expect(h.adapter.openRuns).toBe(0);
  });
});

describe('failures, in the one error shape', () => {
  it('a throwing tool: the tool span fails, the model gets the error, the run goes on', async () => {
    const server = weatherServer(h.sdk, async () => {
      throw new RangeError('weather backend down');
    });
    await askWeather('What is the weather in Oslo?', { mcpServers: { weather: server } });
    const spans = await h.flushSpans();
    const failed = one(spans, 'execute_tool get_weather');
    expectFailed(failed, 'ToolError', /weather backend down/);
    expect(failed.attributes['gen_ai.tool.call.arguments']).toBe('{"city":"Oslo"}');
    const answer = llms(spans).at(-1) as OtlpSpan;
    expect(messagesOf(answer, 'input').at(-1)).toMatchObject({
      role: 'tool',
      tool_call_id: failed.attributes['gen_ai.tool.call.id'],
    });
    expect(one(spans, 'invoke_agent claude').status.code).not.toBe(2);
  });

  it('a failing model call: the llm span and the run fail, the iterator rejects', async () => {
    await expect(askWeather('What is the weather in Rome? [scenario:500]')).rejects.toThrow(
      /API Error: 500/,
    );
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      ['invoke_agent claude [agent] ERROR', '  chat claude-sonnet-4-5 [llm] ERROR'].join('\n'),
    );
    const [call] = llms(spans) as [OtlpSpan];
    expectFailed(call, 'api_error', /API Error: 500/);
    expect(call.attributes['gen_ai.output.messages']).toBeUndefined();
    expectFailed(one(spans, 'invoke_agent claude'), 'api_error', /API Error: 500/);
    expect(h.adapter.openRuns).toBe(0);
  });

  it('a denied permission: the tool span fails as PermissionDenied, the run counts it', async () => {
    await askWeather('What is the weather in Lima?', { allowedTools: [] });
    const spans = await h.flushSpans();
    expectFailed(one(spans, 'execute_tool get_weather'), 'PermissionDenied', /permission/);
    expect(one(spans, 'invoke_agent claude').attributes).toMatchObject({
      'claude_agent_sdk.permission_denials': 1,
    });
    expect(h.adapter.openRuns).toBe(0);
  });

  it('interrupt(): the tool it cut short and the run end, marked, and nothing stays open', async () => {
    let started: () => void = () => {};
    const inTool = new Promise<void>((resolve) => {
      started = resolve;
    });
    const server = weatherServer(h.sdk, async () => {
      started();
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return 'too late';
    });
    const q = h.query({
      prompt: 'What is the weather in Cairo?',
      options: {
        ...BASE_OPTIONS,
        env: h.env(),
        tools: [],
        mcpServers: { weather: server },
        allowedTools: WEATHER,
      },
    });
    const reading = drain(q).then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await inTool;
    await q.interrupt();
    await reading;
    const spans = await h.flushSpans();
    const root = one(spans, 'invoke_agent claude');
    const cut = one(spans, 'execute_tool get_weather');
    expect(cut.status.code).toBe(2);
    expect(['Interrupted', 'ToolError']).toContain(cut.attributes['error.type']);
    expect(root.endTimeUnixNano).toBeGreaterThanOrEqual(cut.endTimeUnixNano);
    expect(h.adapter.openRuns).toBe(0);
  });

  it('an app that stops reading ends every span, marked cancelled', async () => {
    const q = h.query({
      prompt: 'What is the weather in Quito?',
      options: {
        ...BASE_OPTIONS,
        env: h.env(),
        tools: [],
        mcpServers: { weather: weatherServer(h.sdk) },
        allowedTools: WEATHER,
      },
    });
    for await (const message of q) if (message.type === 'assistant') break;
    const spans = await h.flushSpans();
    const root = one(spans, 'invoke_agent claude');
    expect(root.attributes).toMatchObject({
      'galileo.incomplete': true,
      'galileo.incomplete.reason': 'cancelled',
    });
    expect(root.status.code).not.toBe(2);
    expect(h.adapter.openRuns).toBe(0);
  });
});

describe('the caller and other tools', () => {
  let server: Server;
  let url: string;
  let seen: string[];
  beforeAll(async () => {
    seen = [];
    // An HTTP service whose handler runs a traced query: the run joins its server span.
    server = createServer(
      traceHttpHandler(async (req, res) => {
        seen.push(String(req.headers.traceparent ?? ''));
        if (req.url === '/ask') await askWeather('What is the weather in Nairobi?');
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("joins an HTTP server span, and another framework's tool span", async () => {
    await tracedFetch(`${url}/ask`, { method: 'POST' });
    const tracer = trace.getTracer('another-framework');
    await tracer.startActiveSpan('execute_tool delegate', async (span) => {
      await askWeather('What is the weather in Accra?');
      span.end();
    });
    const spans = await h.flushSpans();
    const roots = spans.filter((s) => s.name === 'invoke_agent claude');
    expect(roots).toHaveLength(2);
    const http = spans.find((s) => s.name === 'POST /ask' && s.kind === 2) as OtlpSpan;
    const delegate = one(spans, 'execute_tool delegate');
    expect(roots.map((r) => r.parentSpanId).sort()).toEqual([http.spanId, delegate.spanId].sort());
    for (const root of roots) {
      const parent = spans.find((s) => s.spanId === root.parentSpanId) as OtlpSpan;
      expect(root.traceId).toBe(parent.traceId);
    }
  });

  it('a tool body calling another service sends a traceparent naming the tool span', async () => {
    const sdkServer = weatherServer(h.sdk, async (city) => {
      const answer = await tracedFetch(`${url}/forecast`, { method: 'POST' });
      return `${await answer.text()} ${city}`;
    });
    seen.length = 0;
    await askWeather('What is the weather in Lagos?', { mcpServers: { weather: sdkServer } });
    const spans = await h.flushSpans();
    const toolSpan = one(spans, 'execute_tool get_weather');
    const client = spans.find((s) => s.name === 'POST /forecast' && s.kind === 3) as OtlpSpan;
    expect(client.parentSpanId).toBe(toolSpan.spanId);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(toolSpan.traceId);
  });

  it('an external MCP server (stdio) and a built-in tool are execute_tool spans too', async () => {
    const fixture = fileURLToPath(new URL('./__fixtures__/facts-mcp-server.mjs', import.meta.url));
    await askWeather('Tell me about Voyager 1.', {
      mcpServers: {
        facts: {
          type: 'stdio',
          command: process.execPath,
          args: [fixture],
          env: { MCP_SDK_DIR: mcpSdkDir() },
        },
      },
      allowedTools: ['mcp__facts__lookup_facts'],
    });
    // The local model fills every argument with the topic: Glob(pattern = path = the folder).
    const folder = fileURLToPath(new URL('./__fixtures__', import.meta.url));
    await askWeather(`Tell me about ${folder}.`, {
      tools: ['Glob'],
      mcpServers: {},
      allowedTools: ['Glob'],
    });
    const spans = await h.flushSpans();
    const stdio = one(spans, 'execute_tool lookup_facts');
    expect(stdio.attributes).toMatchObject({
      'gen_ai.tool.type': 'mcp',
      'claude_agent_sdk.mcp.server': 'facts',
      'gen_ai.tool.call.arguments': '{"topic":"Voyager 1"}',
      'gen_ai.tool.call.result': 'Voyager 1 left the heliosphere in 2012.',
    });
    const glob = one(spans, 'execute_tool Glob');
    expect(glob.status.code).not.toBe(2);
    expect(glob.attributes['gen_ai.tool.type']).toBe('function');
    expect(JSON.parse(String(glob.attributes['gen_ai.tool.call.arguments']))).toMatchObject({
      pattern: folder,
    });
    expect(JSON.parse(String(glob.attributes['gen_ai.tool.call.result']))).toHaveProperty(
      'filenames',
    );
    expect(h.trap.attempts).toEqual([]);
  });
});

describe('many queries at once', () => {
  it('20 concurrent queries: 20 trees, each whole, none mixed up, none left open', async () => {
    const cities = Array.from({ length: 20 }, (_, i) => `City${String.fromCharCode(65 + i)}`);
    const tracer = trace.getTracer('test');
    await Promise.all(
      cities.map((city) =>
        tracer.startActiveSpan(`ask ${city}`, async (span) => {
          await askWeather(`What is the weather in ${city}?`);
          span.end();
        }),
      ),
    );
    expect(h.adapter.openRuns).toBe(0);
    const spans = await h.flushSpans();
    for (const city of cities) {
      const parent = one(spans, `ask ${city}`);
      const tree = spans.filter((s) => s.traceId === parent.traceId);
      expect(renderTree(tree)).toBe(
        [
          `ask ${city} [workflow]`,
          '  invoke_agent claude [agent]',
          '    chat claude-sonnet-4-5 [llm]',
          '    execute_tool get_weather [tool]',
          '    chat claude-sonnet-4-5 [llm]',
        ].join('\n'),
      );
      const text = JSON.stringify(tree.map((s) => s.attributes));
      expect(text).toContain(city);
      expect(cities.filter((c) => c !== city && text.includes(`${c}"`))).toEqual([]);
    }
  });
});

describe("the CLI's own beta tracing", () => {
  const telemetry = () => ({
    CLAUDE_CODE_ENABLE_TELEMETRY: '1',
    CLAUDE_CODE_ENHANCED_TELEMETRY_BETA: '1',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: h.sink.url,
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
  });

  it('would send a second span per model call and tool into the run (untraced query)', async () => {
    const q = h.sdk.query({
      prompt: 'What is the weather in Paris?',
      options: {
        ...BASE_OPTIONS,
        env: h.env(telemetry()),
        tools: [],
        mcpServers: { weather: weatherServer(h.sdk) },
        allowedTools: WEATHER,
      },
    });
    await drain(q);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = await h.flushSpans();
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining(['claude_code.llm_request', 'claude_code.tool']),
    );
  });

  it('is turned off for traced queries: exactly one span per model call and per tool', async () => {
    await askWeather('What is the weather in Paris?', { env: h.env(telemetry()) });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const spans = await h.flushSpans();
    expect(renderTree(spans)).toBe(
      [
        'invoke_agent claude [agent]',
        '  chat claude-sonnet-4-5 [llm]',
        '  execute_tool get_weather [tool]',
        '  chat claude-sonnet-4-5 [llm]',
      ].join('\n'),
    );
    expect(h.warnings.join('\n')).toContain('OTEL_TRACES_EXPORTER=none');
  });
});
