import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  extractContext,
  type GalileoRegistration,
  galileoKind,
  registerGalileo,
  startServerSpan,
  tracedFetch,
  traceHttpHandler,
  withGalileoSession,
} from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import {
  type OtlpSpan as DecodedSpan,
  type OtlpSink,
  startOtlpSink,
} from '@galileo-otel/otlp-proto';
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { createStep, createWorkflow } from '@mastra/core/workflows';
import { Observability } from '@mastra/observability';
import { context, ProxyTracerProvider, type TracerProvider, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GalileoMastraExporter } from './galileo-mastra-exporter.js';
import { mastraExporter } from './mastra-exporter.js';
import { tracingOptionsFromContext } from './tracing-options-from-context.js';

const REMOTE_TRACE = '0af7651916cd43dd8448eb211c80319c';
const REMOTE_PARENT = 'b7ad6b7169203331';

let sink: OtlpSink;
let model: LocalModelServer;
let galileo: GalileoRegistration;
let research: Server;
let researchUrl: string;
/** Where `delegate_research` posts; a test may point it at another service. */
let researchTarget: string | undefined;
const researchHeaders: IncomingHttpHeaders[] = [];
const fetched: string[] = [];
const realFetch = globalThis.fetch;
const toolInputs: unknown[] = [];

class QuotaExceededError extends Error {
  override name = 'QuotaExceededError';
}

class LedgerClosedError extends Error {
  override name = 'LedgerClosedError';
}

function modelConfig() {
  return { id: 'openai/gpt-4.1-mini' as const, url: `${model.url}/v1`, apiKey: 'local' };
}

function tools() {
  const weather = createTool({
    id: 'weather',
    description: 'Get the weather for a city',
    // Secret-looking fields: Mastra's default SensitiveDataFilter must redact each of them.
    inputSchema: z.object({
      city: z.string(),
      apiKey: z.string(),
      token: z.string(),
      password: z.string(),
    }),
    execute: async (input) => {
      toolInputs.push(input);
      return { city: input.city, tempC: 21, sky: 'sunny' };
    },
  });
  const delegateResearch = createTool({
    id: 'delegate_research',
    description: 'Delegate a research question to the research service',
    inputSchema: z.object({ topic: z.string() }),
    execute: async (input) => {
      const response = await tracedFetch(researchTarget ?? researchUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(input),
      });
      return (await response.json()) as unknown;
    },
  });
  const quota = createTool({
    id: 'quota_lookup',
    description: 'Look up the quota of an account',
    inputSchema: z.object({ account: z.string() }),
    execute: async () => {
      throw new QuotaExceededError('quota service unavailable');
    },
  });
  return { weather, delegateResearch, quota };
}

/** A Mastra app with the exporter registered as bridge or exporter. */
function app(exporter: GalileoMastraExporter, mode: 'bridge' | 'exporter' | 'both') {
  const t = tools();
  const weatherAgent = new Agent({
    id: 'weather-agent',
    name: 'Weather Agent',
    instructions: 'You are a weather agent.',
    model: modelConfig(),
    tools: { weather: t.weather },
  });
  const orchestrator = new Agent({
    id: 'orchestrator',
    name: 'Orchestrator',
    instructions: 'You answer research questions by delegating them.',
    model: modelConfig(),
    tools: { delegate_research: t.delegateResearch },
  });
  const researchAgent = new Agent({
    id: 'research-agent',
    name: 'Research Agent',
    instructions: 'You are a researcher. Return 3-5 concise key facts.',
    model: modelConfig(),
  });
  const failingAgent = new Agent({
    id: 'failing-agent',
    name: 'Failing Agent',
    instructions: 'You answer.',
    model: { ...modelConfig(), id: 'openai/gpt-4.1-mini@500' },
  });
  const quotaAgent = new Agent({
    id: 'quota-agent',
    name: 'Quota Agent',
    instructions: 'You look up quotas.',
    model: modelConfig(),
    tools: { quota_lookup: t.quota },
  });
  const prepare = createStep({
    id: 'prepare',
    inputSchema: z.object({ city: z.string() }),
    outputSchema: z.object({ prompt: z.string() }),
    execute: async ({ inputData }) => ({ prompt: `What is the weather in ${inputData.city}?` }),
  });
  const ask = createStep({
    id: 'ask-agent',
    inputSchema: z.object({ prompt: z.string() }),
    outputSchema: z.object({ answer: z.string() }),
    execute: async ({ inputData, mastra }) => {
      const agent = mastra.getAgent('weatherAgent');
      const result = await agent.generate(inputData.prompt, { maxSteps: 3 });
      return { answer: result.text };
    },
  });
  const weatherWorkflow = createWorkflow({
    id: 'weather-wf',
    inputSchema: z.object({ city: z.string() }),
    outputSchema: z.object({ answer: z.string() }),
  })
    .then(prepare)
    .then(ask)
    .commit();
  const closeBooks = createStep({
    id: 'close-books',
    inputSchema: z.object({ month: z.string() }),
    outputSchema: z.object({ closed: z.boolean() }),
    execute: async ({ inputData }) => {
      throw new LedgerClosedError(`ledger for ${inputData.month} is already closed`);
    },
  });
  const ledgerWorkflow = createWorkflow({
    id: 'ledger-wf',
    inputSchema: z.object({ month: z.string() }),
    outputSchema: z.object({ closed: z.boolean() }),
  })
    .then(closeBooks)
    .commit();
  const observability = new Observability({
    configs: {
      default: {
        serviceName: 'mastra-test',
        ...(mode === 'exporter' ? {} : { bridge: exporter }),
        ...(mode === 'bridge' ? {} : { exporters: [exporter] }),
      },
    },
  });
  const mastra = new Mastra({
    agents: { weatherAgent, orchestrator, quotaAgent, researchAgent, failingAgent },
    workflows: { weatherWorkflow, ledgerWorkflow },
    observability,
    logger: false,
  });
  return { mastra, observability };
}

async function flushed(observability: Observability): Promise<DecodedSpan[]> {
  await observability.flush();
  await galileo.forceFlush();
  // Only this test's requests (cleared before each test); `sink.spans()` keeps every span.
  return sink.requests.flatMap((r) => r.spans);
}

function byTrace(spans: DecodedSpan[], traceId: string): DecodedSpan[] {
  return spans.filter((s) => s.traceId === traceId);
}

/** Every parent id is a span of the export or the given external parents. */
function expectNoOrphans(spans: DecodedSpan[], externalParents: string[] = []): void {
  const ids = new Set(spans.map((s) => s.spanId));
  for (const span of spans) {
    if (!span.parentSpanId) continue;
    expect(
      ids.has(span.parentSpanId) || externalParents.includes(span.parentSpanId),
      `${span.name} has an orphan parent`,
    ).toBe(true);
  }
}

function only(spans: DecodedSpan[], name: string): DecodedSpan {
  const found = spans.filter((s) => s.name === name);
  expect(found, name).toHaveLength(1);
  return found[0] as DecodedSpan;
}

const MESSAGE_KEYS = ['content', 'role', 'tool_call_id', 'tool_calls'];

/** A message as the wire carries it. */
interface WireMessage {
  role: string;
  content: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

/** The messages of one side of a span, checked against the one message model on the way. */
function messages(span: DecodedSpan | undefined, side: 'input' | 'output'): WireMessage[] {
  const raw = span?.attributes[`gen_ai.${side}.messages`];
  expect(typeof raw, `${span?.name} ${side} messages`).toBe('string');
  const list = JSON.parse(String(raw)) as WireMessage[];
  expect(list.length, `${span?.name} ${side} messages`).toBeGreaterThan(0);
  for (const message of list) {
    expect(Object.keys(message).filter((k) => !MESSAGE_KEYS.includes(k))).toEqual([]);
    expect(typeof message.content).toBe('string');
  }
  return list;
}

function byStart(spans: DecodedSpan[]): DecodedSpan[] {
  return [...spans].sort((a, b) => Number(a.startTimeUnixNano - b.startTimeUnixNano));
}

/** Status ERROR, `error.type` and an `exception` event that agree with each other. */
function expectFailed(span: DecodedSpan, type: string, message: string): void {
  expect(span.status.code, span.name).toBe(2);
  expect(span.status.message).toContain(message);
  expect(span.attributes['error.type']).toBe(type);
  const exceptions = span.events.filter((e) => e.name === 'exception');
  expect(exceptions, span.name).toHaveLength(1);
  expect(exceptions[0]?.attributes['exception.type']).toBe(type);
  expect(String(exceptions[0]?.attributes['exception.message'])).toContain(message);
}

/** A tool call exactly as the wire carries it on an assistant message. */
function wireCall(id: unknown, name: string, args: unknown) {
  return { id, type: 'function', function: { name, arguments: args } };
}

/**
 * The first llm span asks for the tool under the id the tool span ran with, and the second is
 * told the tool's result under that id.
 */
function expectToolCallChain(spans: DecodedSpan[], toolName: string): void {
  const tool = only(spans, `execute_tool ${toolName}`);
  const id = tool.attributes['gen_ai.tool.call.id'];
  expect(String(id)).toMatch(/^call_/);
  const [first, second] = byStart(spans.filter((s) => galileoKind(s) === 'llm'));
  expect(messages(first, 'output').flatMap((m) => m.tool_calls ?? [])).toEqual([
    wireCall(id, toolName, expect.any(String)),
  ]);
  expect(messages(second, 'input')).toContainEqual({
    role: 'tool',
    content: String(tool.attributes['gen_ai.tool.call.result']),
    tool_call_id: id,
  });
}

beforeAll(async () => {
  globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    fetched.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  }) as typeof fetch;
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  galileo = registerGalileo({
    apiKey: 'gal-test-key',
    endpoint: sink.url,
    project: 'mastra-proj',
    logStream: 'mastra-stream',
    serviceName: 'mastra-test',
    logger: false,
    // Core's export-time filter would redact secret-named fields on its own; off here so the
    // redaction test sees only what Mastra's SensitiveDataFilter and the adapter let through.
    redactSecrets: false,
  });
  research = createServer((req, res) => {
    researchHeaders.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ facts: ['Voyager 1 left the heliosphere in 2012.'] }));
    });
  });
  await new Promise<void>((resolve) => research.listen(0, '127.0.0.1', resolve));
  researchUrl = `http://127.0.0.1:${(research.address() as AddressInfo).port}/research`;
});

afterAll(async () => {
  globalThis.fetch = realFetch;
  await galileo?.shutdown();
  trace.disable();
  context.disable();
  await new Promise((resolve) => research?.close(resolve));
  await model?.close();
  await sink?.close();
});

beforeEach(() => {
  sink.requests.length = 0;
  model.requests.length = 0;
  researchHeaders.length = 0;
  toolInputs.length = 0;
});

describe('mastraExporter as the Mastra bridge', () => {
  it('exports an agent run with a tool round trip as agent, llm, tool, llm', async () => {
    const exporter = mastraExporter();
    const { mastra, observability } = app(exporter, 'bridge');
    const result = await mastra
      .getAgent('weatherAgent')
      .generate('What is the weather in Paris?', { maxSteps: 3 });
    expect(result.text).toContain('weather returned');
    expect(model.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/v1/chat/completions 200',
      '/v1/chat/completions 200',
    ]);
    const spans = await flushed(observability);

    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4.1-mini',
      'chat gpt-4.1-mini',
      'execute_tool weather',
      'invoke_agent Weather Agent',
    ]);
    const agent = only(spans, 'invoke_agent Weather Agent');
    const tool = only(spans, 'execute_tool weather');
    const llms = spans.filter((s) => s.name === 'chat gpt-4.1-mini');
    expect(galileoKind(agent)).toBe('agent');
    expect(galileoKind(tool)).toBe('tool');
    expect(llms.map(galileoKind)).toEqual(['llm', 'llm']);
    expect(agent.parentSpanId).toBeFalsy();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const child of [tool, ...llms]) expect(child.parentSpanId).toBe(agent.spanId);
    expectNoOrphans(spans);

    expect(agent.attributes).toMatchObject({
      'gen_ai.agent.name': 'Weather Agent',
      'gen_ai.agent.id': 'weather-agent',
      'gen_ai.system_instructions': 'You are a weather agent.',
      'mastra.span.type': 'agent_run',
    });
    expect(JSON.parse(String(agent.attributes['gen_ai.input.messages']))).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(String(agent.attributes['gen_ai.output.messages'])).toContain('weather returned');

    const [first, second] = [...llms].sort((a, b) =>
      Number(a.startTimeUnixNano - b.startTimeUnixNano),
    );
    expect(first?.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4.1-mini',
      'gen_ai.provider.name': 'openai',
      'gen_ai.response.finish_reasons': ['tool-calls'],
      'mastra.span.type': 'model_inference',
    });
    expect(first?.kind).toBe(3); // CLIENT
    expect(Number(first?.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(0);
    expect(Number(first?.attributes['gen_ai.usage.output_tokens'])).toBeGreaterThan(0);
    const firstInput = JSON.parse(String(first?.attributes['gen_ai.input.messages']));
    expect(firstInput).toEqual([
      { role: 'system', content: 'You are a weather agent.' },
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(String(first?.attributes['gen_ai.output.messages'])).toContain('weather');
    const secondInput = JSON.parse(String(second?.attributes['gen_ai.input.messages']));
    expect(secondInput.map((m: { role: string }) => m.role)).toEqual([
      'system',
      'user',
      'assistant',
      'tool',
    ]);
    expect(second?.attributes['gen_ai.response.finish_reasons']).toEqual(['stop']);

    expect(tool.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'weather',
      'gen_ai.tool.description': 'Get the weather for a city',
    });
    expect(String(tool.attributes['gen_ai.tool.call.id'])).toMatch(/^call_/);
    expect(JSON.parse(String(tool.attributes['gen_ai.tool.call.result']))).toMatchObject({
      tempC: 21,
    });
    expect(spans.every((s) => s.status.code !== 2)).toBe(true);
    expect(spans.every((s) => s.resource['galileo.project.name'] === 'mastra-proj')).toBe(true);
    expect(exporter.openSpans).toBe(0);
    expect(exporter.openRuns).toBe(0);
    // Mastra adopted the OTel ids: its trace id is the one Galileo shows.
    expect(result.traceId).toBe(agent.traceId);
  });

  it("keeps Mastra's default redaction of apiKey, token and password in tool arguments", async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await mastra.getAgent('weatherAgent').generate('What is the weather in Oslo?', { maxSteps: 3 });
    const spans = await flushed(observability);
    const tool = only(spans, 'execute_tool weather');
    const args = JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments']));
    expect(args).toEqual({
      city: 'Oslo',
      apiKey: '[REDACTED]',
      token: '[REDACTED]',
      password: '[REDACTED]',
    });
    // The tool itself got the real values: only telemetry is redacted.
    const raw = toolInputs[0] as Record<'apiKey' | 'token' | 'password', string>;
    const secrets = [raw.apiKey, raw.token, raw.password];
    for (const secret of secrets) {
      expect(secret).toBeTruthy();
      expect(secret).not.toBe('[REDACTED]');
    }
    // The model's tool-call output on the llm span is redacted too.
    const firstLlm = spans.find(
      (s) => s.attributes['gen_ai.response.finish_reasons']?.toString() === 'tool-calls',
    );
    const output = String(firstLlm?.attributes['gen_ai.output.messages']);
    for (const field of ['apiKey', 'token', 'password']) {
      expect(output).toContain(`\\"${field}\\":\\"[REDACTED]\\"`);
    }
  });

  it('exports a streamed run with the same tree', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const stream = await mastra
      .getAgent('weatherAgent')
      .stream('What is the weather in Rome?', { maxSteps: 3 });
    let text = '';
    for await (const chunk of stream.textStream) text += chunk;
    expect(text).toContain('weather returned');
    const spans = await flushed(observability);
    // Streaming must not add spans (model_chunk is dropped like the other wrapper levels).
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4.1-mini',
      'chat gpt-4.1-mini',
      'execute_tool weather',
      'invoke_agent Weather Agent',
    ]);
    const agent = only(spans, 'invoke_agent Weather Agent');
    const tool = only(spans, 'execute_tool weather');
    const llms = spans.filter((s) => s.name === 'chat gpt-4.1-mini');
    expect(galileoKind(agent)).toBe('agent');
    expect(galileoKind(tool)).toBe('tool');
    expect(llms.map(galileoKind)).toEqual(['llm', 'llm']);
    expect(agent.parentSpanId).toBeFalsy();
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    for (const child of [tool, ...llms]) expect(child.parentSpanId).toBe(agent.spanId);
    // Mastra stamps one completionStartTime per generation (the first chunk of the first call),
    // so only the first llm span can have a time to first chunk; a negative one is not written.
    const [first, second] = [...llms].sort((a, b) =>
      Number(a.startTimeUnixNano - b.startTimeUnixNano),
    );
    expect(
      Number(first?.attributes['gen_ai.client.operation.time_to_first_chunk']),
    ).toBeGreaterThanOrEqual(0);
    expect(second?.attributes['gen_ai.client.operation.time_to_first_chunk']).toBeUndefined();
    expect(spans.every((s) => s.status.code !== 2)).toBe(true);
    expect(model.requests.map((r) => `${r.path} ${r.stream}`)).toEqual([
      '/v1/chat/completions true',
      '/v1/chat/completions true',
    ]);
    expectToolCallChain(spans, 'weather');
    expectNoOrphans(spans);
  });

  it('marks the tool span as error when the tool throws, and the run still succeeds', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const result = await mastra
      .getAgent('quotaAgent')
      .generate('What is the quota of account acme?', { maxSteps: 3 });
    expect(typeof result.text).toBe('string');
    const spans = await flushed(observability);
    const agent = only(spans, 'invoke_agent Quota Agent');
    const tool = only(spans, 'execute_tool quota_lookup');
    expect(tool.parentSpanId).toBe(agent.spanId);
    expect(tool.status.code).toBe(2);
    expect(tool.status.message).toContain('quota service unavailable');
    expect(tool.attributes['error.type']).toBeTruthy();
    expect(tool.events.some((e) => e.name === 'exception')).toBe(true);
    expect(agent.status.code).not.toBe(2);
    expectNoOrphans(spans);
  });

  it('exports a two-step workflow whose step calls the agent', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const run = await mastra.getWorkflow('weatherWorkflow').createRun();
    const result = await run.start({ inputData: { city: 'Lisbon' } });
    expect(result.status).toBe('success');
    const spans = await flushed(observability);

    const root = spans.find((s) => s.attributes['mastra.span.type'] === 'workflow_run');
    expect(root).toBeDefined();
    expect(root && galileoKind(root)).toBe('workflow');
    expect(root?.parentSpanId).toBeFalsy();
    const steps = spans.filter((s) => s.attributes['mastra.span.type'] === 'workflow_step');
    expect(steps.map((s) => s.attributes['mastra.entity.id']).sort()).toEqual([
      'ask-agent',
      'prepare',
    ]);
    for (const step of steps) {
      expect(galileoKind(step)).toBe('workflow');
      expect(step.parentSpanId).toBe(root?.spanId);
    }
    const askStep = steps.find((s) => s.attributes['mastra.entity.id'] === 'ask-agent');
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(agent.parentSpanId).toBe(askStep?.spanId);
    expect(only(spans, 'execute_tool weather').parentSpanId).toBe(agent.spanId);
    expect(
      spans.filter((s) => galileoKind(s) === 'llm').every((s) => s.parentSpanId === agent.spanId),
    ).toBe(true);
    expect(String(root?.attributes['gen_ai.input.messages'])).toContain('Lisbon');
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expectNoOrphans(spans);
  });

  it('joins an incoming traceparent and nests an outbound tracedFetch under the tool span', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const incoming = {
      traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01`,
    };
    const server = startServerSpan({ method: 'POST', path: '/ask', headers: incoming });
    await context.with(server.context, () =>
      mastra.getAgent('orchestrator').generate('Tell me about Voyager 1.', { maxSteps: 3 }),
    );
    server.span.end();
    const spans = await flushed(observability);

    expect(spans.every((s) => s.traceId === REMOTE_TRACE)).toBe(true);
    const http = only(spans, 'POST /ask');
    expect(http.parentSpanId).toBe(REMOTE_PARENT);
    const agent = only(spans, 'invoke_agent Orchestrator');
    expect(agent.parentSpanId).toBe(http.spanId);
    const tool = only(spans, 'execute_tool delegate_research');
    expect(tool.parentSpanId).toBe(agent.spanId);
    const outbound = only(spans, 'POST /research');
    expect(galileoKind(outbound)).toBe('workflow');
    expect(outbound.parentSpanId).toBe(tool.spanId);
    expect(researchHeaders).toHaveLength(1);
    expect(researchHeaders[0]?.traceparent).toBe(`00-${REMOTE_TRACE}-${outbound.spanId}-01`);
    expect(String(tool.attributes['gen_ai.tool.call.result'])).toContain('heliosphere');
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });

  it('links two HTTP services (POST /ask → delegate_research → POST /research) in one trace', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const readBody = async (req: import('node:http').IncomingMessage) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      return JSON.parse(body) as Record<string, string>;
    };
    const researchService = createServer(
      traceHttpHandler(async (req, res) => {
        const { topic } = await readBody(req);
        const result = await mastra.getAgent('researchAgent').generate(`Research ${topic}.`);
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ facts: result.text }));
      }),
    );
    const askService = createServer(
      traceHttpHandler(async (req, res) => {
        const { question } = await readBody(req);
        const result = await mastra
          .getAgent('orchestrator')
          .generate(question ?? '', { maxSteps: 3 });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ answer: result.text }));
      }),
    );
    const listen = async (server: Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    researchTarget = `${await listen(researchService)}/research`;
    const askUrl = `${await listen(askService)}/ask`;
    try {
      const response = await realFetch(askUrl, {
        method: 'POST',
        headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` },
        body: JSON.stringify({ question: 'Tell me about Voyager 1.' }),
      });
      expect(response.status).toBe(200);
      expect(String(((await response.json()) as { answer: string }).answer)).toContain(
        'delegate_research',
      );
    } finally {
      researchTarget = undefined;
      await new Promise((resolve) => researchService.close(resolve));
      await new Promise((resolve) => askService.close(resolve));
    }
    const spans = await flushed(observability);
    expect(spans.every((s) => s.traceId === REMOTE_TRACE)).toBe(true);
    const ask = only(spans, 'POST /ask');
    expect(ask.kind).toBe(2);
    expect(ask.parentSpanId).toBe(REMOTE_PARENT);
    const orchestrator = only(spans, 'invoke_agent Orchestrator');
    expect(orchestrator.parentSpanId).toBe(ask.spanId);
    const tool = only(spans, 'execute_tool delegate_research');
    expect(tool.parentSpanId).toBe(orchestrator.spanId);
    const client = spans.find((s) => s.name === 'POST /research' && s.kind === 3);
    expect(client?.parentSpanId).toBe(tool.spanId);
    const server = spans.find((s) => s.name === 'POST /research' && s.kind === 2);
    expect(server?.parentSpanId).toBe(client?.spanId);
    const researcher = only(spans, 'invoke_agent Research Agent');
    expect(researcher.parentSpanId).toBe(server?.spanId);
    const researchLlm = spans.filter(
      (s) => galileoKind(s) === 'llm' && s.parentSpanId === researcher.spanId,
    );
    expect(researchLlm).toHaveLength(1);
    expect(String(tool.attributes['gen_ai.tool.call.result'])).toContain('1.');
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });

  it('joins a bare extracted traceparent context (no server span)', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const parent = extractContext({ traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` });
    await context.with(parent, () =>
      mastra.getAgent('weatherAgent').generate('What is the weather in Bern?', { maxSteps: 3 }),
    );
    const spans = await flushed(observability);
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(agent.traceId).toBe(REMOTE_TRACE);
    expect(agent.parentSpanId).toBe(REMOTE_PARENT);
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });

  it('sends model requests only to the local model over loopback', () => {
    expect(fetched.length).toBeGreaterThan(0);
    for (const url of fetched) expect(new URL(url).hostname).toBe('127.0.0.1');
  });
});

describe('mastraExporter in exporters (no bridge)', () => {
  it('joins the caller trace through tracingOptionsFromContext()', async () => {
    const exporter = mastraExporter();
    const { mastra, observability } = app(exporter, 'exporter');
    const server = startServerSpan({
      method: 'POST',
      path: '/ask',
      headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` },
    });
    await context.with(server.context, () =>
      mastra.getAgent('weatherAgent').generate('What is the weather in Paris?', {
        maxSteps: 3,
        tracingOptions: { ...tracingOptionsFromContext() },
      }),
    );
    server.span.end();
    const spans = await flushed(observability);
    expect(spans.every((s) => s.traceId === REMOTE_TRACE)).toBe(true);
    const http = only(spans, 'POST /ask');
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(agent.parentSpanId).toBe(http.spanId);
    const children = spans.filter((s) => s !== agent && s !== http);
    expect(children.map(galileoKind).sort()).toEqual(['llm', 'llm', 'tool']);
    for (const child of children) expect(child.parentSpanId).toBe(agent.spanId);
    // Built from the events alone, the history keeps the call ids as the bridge does.
    expectToolCallChain(spans, 'weather');
    expect(exporter.openSpans).toBe(0);
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });

  it('joins the caller trace with a workflow run through tracingOptionsFromContext()', async () => {
    const exporter = mastraExporter();
    const { mastra, observability } = app(exporter, 'exporter');
    const server = startServerSpan({
      method: 'POST',
      path: '/forecast',
      headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` },
    });
    const run = await mastra.getWorkflow('weatherWorkflow').createRun();
    const result = await context.with(server.context, () =>
      run.start({
        inputData: { city: 'Lisbon' },
        tracingOptions: { ...tracingOptionsFromContext() },
      }),
    );
    server.span.end();
    expect(result.status).toBe('success');
    const spans = await flushed(observability);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'POST /forecast',
      'chat gpt-4.1-mini',
      'chat gpt-4.1-mini',
      'execute_tool weather',
      'invoke_agent Weather Agent',
      "workflow run: 'weather-wf'",
      "workflow step: 'ask-agent'",
      "workflow step: 'prepare'",
    ]);
    expect(spans.every((s) => s.traceId === REMOTE_TRACE)).toBe(true);
    const http = only(spans, 'POST /forecast');
    expect(http.parentSpanId).toBe(REMOTE_PARENT);
    const root = only(spans, "workflow run: 'weather-wf'");
    expect(galileoKind(root)).toBe('workflow');
    expect(root.parentSpanId).toBe(http.spanId);
    const prepare = only(spans, "workflow step: 'prepare'");
    const ask = only(spans, "workflow step: 'ask-agent'");
    for (const step of [prepare, ask]) {
      expect(galileoKind(step)).toBe('workflow');
      expect(step.parentSpanId).toBe(root.spanId);
    }
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(agent.parentSpanId).toBe(ask.spanId);
    const children = spans.filter((s) => s.parentSpanId === agent.spanId);
    expect(children.map(galileoKind).sort()).toEqual(['llm', 'llm', 'tool']);
    expect(String(root.attributes['gen_ai.input.messages'])).toContain('Lisbon');
    expect(exporter.openSpans).toBe(0);
    expect(exporter.openRuns).toBe(0);
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });

  it('starts a new trace without tracingOptions (documented limit of exporter mode)', async () => {
    const { mastra, observability } = app(mastraExporter(), 'exporter');
    const server = startServerSpan({
      method: 'POST',
      path: '/ask',
      headers: { traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` },
    });
    await context.with(server.context, () =>
      mastra.getAgent('weatherAgent').generate('What is the weather in Paris?', { maxSteps: 3 }),
    );
    server.span.end();
    const spans = await flushed(observability);
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(agent.traceId).not.toBe(REMOTE_TRACE);
    expect(agent.parentSpanId).toBeFalsy();
    expectNoOrphans(spans, [REMOTE_PARENT]);
  });
});

// The bridge joins the caller's context by itself; exporter mode needs tracingOptions.
describe.each(['bridge', 'exporter'] as const)('mastraExporter under load (%s)', (mode) => {
  it('keeps 20 concurrent runs isolated, each in its own trace, with bounded state', async () => {
    const exporter = mastraExporter();
    const { mastra, observability } = app(exporter, mode);
    const agent = mastra.getAgent('weatherAgent');
    const parents = Array.from({ length: 20 }, (_, i) => ({
      traceId: (i + 1).toString(16).padStart(32, 'a'),
      spanId: (i + 1).toString(16).padStart(16, 'b'),
    }));
    await Promise.all(
      parents.map((p, i) =>
        context.with(extractContext({ traceparent: `00-${p.traceId}-${p.spanId}-01` }), () =>
          agent.generate(`What is the weather in City${i}?`, {
            maxSteps: 3,
            ...(mode === 'exporter' ? { tracingOptions: { ...tracingOptionsFromContext() } } : {}),
          }),
        ),
      ),
    );
    expect(exporter.openSpans).toBe(0);
    expect(exporter.openRuns).toBe(0);
    const spans = await flushed(observability);
    expect(spans).toHaveLength(20 * 4);
    for (const [i, p] of parents.entries()) {
      const own = byTrace(spans, p.traceId);
      expect(own.map((s) => galileoKind(s)).sort()).toEqual(['agent', 'llm', 'llm', 'tool']);
      const root = own.find((s) => galileoKind(s) === 'agent');
      expect(root?.parentSpanId).toBe(p.spanId);
      expect(String(root?.attributes['gen_ai.input.messages'])).toContain(`City${i}`);
      for (const s of own) if (s !== root) expect(s.parentSpanId).toBe(root?.spanId);
      const tool = own.find((s) => galileoKind(s) === 'tool');
      expect(String(tool?.attributes['gen_ai.tool.call.arguments'])).toContain(`City${i}`);
      expectToolCallChain(own, 'weather');
      // Each run's prompt reaches only its own llm spans.
      for (const llm of own.filter((s) => galileoKind(s) === 'llm')) {
        const input = String(llm.attributes['gen_ai.input.messages']);
        expect(input).toContain(`City${i}?`);
        expect(input.match(/City\d+\?/g)?.every((m) => m === `City${i}?`)).toBe(true);
      }
    }
  });
});

describe('mastraExporter options and failure modes', () => {
  it('makes model_generation the llm span when asked (one llm span, summed usage)', async () => {
    const { mastra, observability } = app(
      mastraExporter({ llmSpanType: 'model_generation' }),
      'bridge',
    );
    await mastra.getAgent('weatherAgent').generate('What is the weather in Kyiv?', { maxSteps: 3 });
    const spans = await flushed(observability);
    const agent = only(spans, 'invoke_agent Weather Agent');
    const llms = spans.filter((s) => galileoKind(s) === 'llm');
    expect(llms).toHaveLength(1);
    const llm = llms[0] as DecodedSpan;
    expect(llm.attributes['mastra.span.type']).toBe('model_generation');
    expect(llm.parentSpanId).toBe(agent.spanId);
    // The tool ran inside the model loop, so it now sits under the llm span.
    expect(only(spans, 'execute_tool weather').parentSpanId).toBe(llm.spanId);
    expect(messages(llm, 'input')).toEqual([
      { role: 'system', content: 'You are a weather agent.' },
      { role: 'user', content: 'What is the weather in Kyiv?' },
    ]);
    // The whole loop's answer: the tool call, its result under the call's id, the reply.
    const tool = only(spans, 'execute_tool weather');
    const id = tool.attributes['gen_ai.tool.call.id'];
    const output = messages(llm, 'output');
    expect(output.map((m) => [m.role, m.tool_call_id ?? m.tool_calls?.[0]?.id])).toEqual([
      ['assistant', id],
      ['tool', id],
      ['assistant', undefined],
    ]);
    expect(Number(llm.attributes['gen_ai.usage.input_tokens'])).toBeGreaterThan(100);
    expectNoOrphans(spans);
  });

  it('drops extra span types and re-parents their children', async () => {
    const { mastra, observability } = app(
      mastraExporter({ dropSpanTypes: ['workflow_step'] }),
      'bridge',
    );
    const run = await mastra.getWorkflow('weatherWorkflow').createRun();
    await run.start({ inputData: { city: 'Porto' } });
    const spans = await flushed(observability);
    expect(spans.some((s) => s.attributes['mastra.span.type'] === 'workflow_step')).toBe(false);
    const root = spans.find((s) => s.attributes['mastra.span.type'] === 'workflow_run');
    expect(only(spans, 'invoke_agent Weather Agent').parentSpanId).toBe(root?.spanId);
    expectNoOrphans(spans);
  });

  it('exports each span once when the same instance is both bridge and exporter', async () => {
    const exporter = mastraExporter();
    const { mastra, observability } = app(exporter, 'both');
    await mastra.getAgent('weatherAgent').generate('What is the weather in Riga?', { maxSteps: 3 });
    const spans = await flushed(observability);
    expect(spans.map((s) => galileoKind(s)).sort()).toEqual(['agent', 'llm', 'llm', 'tool']);
    expect(exporter.openSpans).toBe(0);
  });

  it('still takes the deprecated maxOpenSpans as maxOpenRuns, and says so once', async () => {
    const warnings: string[] = [];
    const exporter = mastraExporter({
      maxOpenSpans: 2,
      logger: { warn: (line) => warnings.push(line) },
    });
    const { mastra, observability } = app(exporter, 'bridge');
    const agent = mastra.getAgent('weatherAgent');
    const results = await Promise.all(
      [0, 1, 2].map((i) => agent.generate(`What is the weather in Town${i}?`, { maxSteps: 3 })),
    );
    for (const r of results) expect(r.text).toContain('weather returned');
    expect(exporter.openSpans).toBe(0);
    const spans = await flushed(observability);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    const cut = spans.filter((s) => s.attributes['galileo.incomplete'] === true);
    expect(new Set(cut.map((s) => s.traceId)).size).toBe(1);
    expect(warnings.filter((w) => w.includes('maxOpenSpans option is deprecated'))).toEqual([
      '[galileo-otel] mastra: the maxOpenSpans option is deprecated: use maxOpenRuns (it counts Mastra runs, not spans)',
    ]);
    expect(warnings.filter((w) => w.includes('runs were open at once'))).toHaveLength(1);
  });

  it('refuses a maxOpenRuns that is not a whole number of at least 1, naming the option', () => {
    expect(() => mastraExporter({ maxOpenRuns: 0 })).toThrow(/maxOpenRuns must be a whole number/);
  });

  it('is still exported under its former name galileoExporter', async () => {
    const { galileoExporter } = await import('./index.js');
    expect(galileoExporter).toBe(mastraExporter);
  });

  it('never breaks the run when the tracer provider throws', async () => {
    const warnings: string[] = [];
    const broken: TracerProvider = {
      getTracer() {
        throw new Error('provider exploded');
      },
    };
    const exporter = mastraExporter({
      tracerProvider: broken,
      logger: { warn: (line) => warnings.push(line) },
    });
    const { mastra, observability } = app(exporter, 'bridge');
    const result = await mastra
      .getAgent('weatherAgent')
      .generate('What is the weather in Oslo?', { maxSteps: 3 });
    expect(result.text).toContain('weather returned');
    expect(await flushed(observability)).toHaveLength(0);
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings.length).toBeLessThanOrEqual(3);
    expect(warnings.join('\n')).toContain('provider exploded');
  });

  it('lets Mastra keep its own distinct ids when no provider is registered (no-op tracer)', async () => {
    const exporter = mastraExporter({ tracerProvider: new ProxyTracerProvider() });
    const { mastra, observability } = app(exporter, 'bridge');
    const parent = extractContext({ traceparent: `00-${REMOTE_TRACE}-${REMOTE_PARENT}-01` });
    const result = await context.with(parent, () =>
      mastra.getAgent('weatherAgent').generate('What is the weather in Oslo?', { maxSteps: 3 }),
    );
    expect(result.text).toContain('weather returned');
    expect(result.traceId).toBeTruthy();
    // With a no-op tracer the parent's ids come back; they must not be handed to Mastra.
    expect(result.traceId).not.toBe(REMOTE_TRACE);
    expect(exporter.openSpans).toBe(0);
    expect(await flushed(observability)).toHaveLength(0);
  });

  it('warns once, naming registerGalileo(), when no tracer provider is registered', async () => {
    for (const mode of ['bridge', 'exporter'] as const) {
      const warnings: string[] = [];
      // What `trace.getTracerProvider()` is before anything is registered: a proxy with no
      // delegate, whose tracers are no-ops.
      const exporter = mastraExporter({
        tracerProvider: new ProxyTracerProvider(),
        logger: { warn: (line) => warnings.push(line) },
      });
      const { mastra, observability } = app(exporter, mode);
      for (const city of ['Oslo', 'Lima']) {
        const result = await mastra
          .getAgent('weatherAgent')
          .generate(`What is the weather in ${city}?`, { maxSteps: 3 });
        expect(result.text).toContain('weather returned');
      }
      expect(await flushed(observability)).toHaveLength(0);
      expect(warnings, mode).toEqual([
        expect.stringContaining('no OpenTelemetry tracer provider is registered'),
      ]);
      expect(warnings[0]).toContain("registerGalileo() from '@galileo-otel/core'");
      expect(warnings[0]).toContain('mastraExporter({ tracerProvider })');
    }
  });

  it('does not warn when a registered provider samples the run out', async () => {
    const warnings: string[] = [];
    const sampledOut = new SdkTracerProvider({ sampler: new AlwaysOffSampler() });
    const exporter = mastraExporter({
      tracerProvider: sampledOut,
      logger: { warn: (line) => warnings.push(line) },
    });
    const { mastra } = app(exporter, 'bridge');
    const result = await mastra
      .getAgent('weatherAgent')
      .generate('What is the weather in Oslo?', { maxSteps: 3 });
    expect(result.text).toContain('weather returned');
    expect(warnings).toEqual([]);
    await sampledOut.shutdown();
  });

  it('marks the agent span as error when the model call fails', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await expect(mastra.getAgent('failingAgent').generate('Hello there.')).rejects.toThrow(
      /scenario 500/,
    );
    const spans = await flushed(observability);
    const agent = only(spans, 'invoke_agent Failing Agent');
    expect(agent.status.code).toBe(2);
    expect(agent.status.message).toContain('scenario 500');
    expect(agent.attributes['error.type']).toBe('AI_APICallError');
    const llm = only(spans, 'chat gpt-4.1-mini@500');
    expect(llm.parentSpanId).toBe(agent.spanId);
    expect(llm.status.code).toBe(2);
    // Mastra records the cause only on the agent: the llm span takes it from there.
    expect(llm.attributes['error.type']).toBe('AI_APICallError');
    expect(llm.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('stamps the Galileo session from baggage on every Mastra span', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await withGalileoSession({ sessionId: 'sess-42', userId: 'user-7' }, () =>
      mastra.getAgent('weatherAgent').generate('What is the weather in Nice?', { maxSteps: 3 }),
    );
    const spans = await flushed(observability);
    expect(spans).toHaveLength(4);
    for (const span of spans) {
      expect(span.attributes['galileo.session.id']).toBe('sess-42');
      expect(span.attributes['user.id']).toBe('user-7');
    }
  });
});

describe('the one wire shape', () => {
  it('puts the tool call on the assistant message with its id, answered by a tool message in the next llm input', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await mastra
      .getAgent('weatherAgent')
      .generate('What is the weather in Paris?', { maxSteps: 3 });
    const spans = await flushed(observability);
    const tool = only(spans, 'execute_tool weather');
    const callId = String(tool.attributes['gen_ai.tool.call.id']);
    expect(callId).toMatch(/^call_/);
    const args = String(tool.attributes['gen_ai.tool.call.arguments']);
    expect(JSON.parse(args)).toMatchObject({ city: 'Paris' });
    const result = String(tool.attributes['gen_ai.tool.call.result']);
    expect(JSON.parse(result)).toEqual({ city: 'Paris', tempC: 21, sky: 'sunny' });

    const [first, second] = byStart(spans.filter((s) => galileoKind(s) === 'llm'));
    const asked = messages(first, 'output');
    expect(asked).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [wireCall(callId, 'weather', expect.any(String))],
      },
    ]);
    const call = asked[0]?.tool_calls?.[0];
    expect(JSON.parse(String(call?.function.arguments))).toEqual(JSON.parse(args));
    expect(messages(second, 'input')).toEqual([
      { role: 'system', content: 'You are a weather agent.' },
      { role: 'user', content: 'What is the weather in Paris?' },
      asked[0],
      { role: 'tool', content: result, tool_call_id: callId },
    ]);
    expect(messages(second, 'output')).toEqual([
      { role: 'assistant', content: expect.stringContaining('weather returned') },
    ]);
    const agent = only(spans, 'invoke_agent Weather Agent');
    expect(messages(agent, 'input')).toEqual([
      { role: 'user', content: 'What is the weather in Paris?' },
    ]);
    expect(messages(agent, 'output')).toEqual([
      { role: 'assistant', content: expect.stringContaining('weather returned') },
    ]);
  });

  it('keeps the tool calls and ids of a conversation the caller passes in (AI SDK parts)', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await mastra.getAgent('weatherAgent').generate(
      [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Checking.' },
            {
              type: 'tool-call',
              toolCallId: 'call_prev1',
              toolName: 'weather',
              input: { city: 'Oslo' },
            },
          ],
        },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 'call_prev1',
              toolName: 'weather',
              output: { type: 'json', value: { tempC: 3 } },
            },
          ],
        },
        { role: 'assistant', content: 'It is 3C.' },
        { role: 'user', content: 'And what is the weather in Paris?' },
      ],
      { maxSteps: 3 },
    );
    const spans = await flushed(observability);
    const history = [
      { role: 'user', content: 'Weather in Oslo?' },
      {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [wireCall('call_prev1', 'weather', '{"city":"Oslo"}')],
      },
      { role: 'tool', content: '{"tempC":3}', tool_call_id: 'call_prev1' },
      { role: 'assistant', content: 'It is 3C.' },
      { role: 'user', content: 'And what is the weather in Paris?' },
    ];
    expect(messages(only(spans, 'invoke_agent Weather Agent'), 'input')).toEqual(history);
    const [first] = byStart(spans.filter((s) => galileoKind(s) === 'llm'));
    expect(messages(first, 'input')).toEqual([
      { role: 'system', content: 'You are a weather agent.' },
      ...history,
    ]);
  });

  it('marks a throwing tool ERROR with error.type and an exception event', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await mastra
      .getAgent('quotaAgent')
      .generate('What is the quota of account acme?', { maxSteps: 3 });
    const spans = await flushed(observability);
    const tool = only(spans, 'execute_tool quota_lookup');
    expectFailed(tool, 'QuotaExceededError', 'quota service unavailable');
    expect(JSON.parse(String(tool.attributes['gen_ai.tool.call.arguments']))).toEqual({
      account: 'quota of account acme',
    });
    expect(tool.attributes['gen_ai.tool.call.result']).toBeUndefined();
    // The model is told the tool failed, under the call id it asked with.
    const [, second] = byStart(spans.filter((s) => galileoKind(s) === 'llm'));
    expect(messages(second, 'input').at(-1)).toEqual({
      role: 'tool',
      content: expect.stringContaining('quota service unavailable'),
      tool_call_id: tool.attributes['gen_ai.tool.call.id'],
    });
  });

  it('marks a failed model call ERROR on the llm and the agent span, with the real error type', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    await expect(mastra.getAgent('failingAgent').generate('Hello there.')).rejects.toThrow(
      /scenario 500/,
    );
    const spans = await flushed(observability);
    expectFailed(only(spans, 'invoke_agent Failing Agent'), 'AI_APICallError', 'scenario 500');
    expectFailed(only(spans, 'chat gpt-4.1-mini@500'), 'AI_APICallError', 'scenario 500');
  });

  it('marks a throwing workflow step and its run ERROR with the error class', async () => {
    const { mastra, observability } = app(mastraExporter(), 'bridge');
    const run = await mastra.getWorkflow('ledgerWorkflow').createRun();
    const result = await run.start({ inputData: { month: 'March' } });
    expect(result.status).toBe('failed');
    const spans = await flushed(observability);
    const step = only(spans, "workflow step: 'close-books'");
    const root = only(spans, "workflow run: 'ledger-wf'");
    expect(step.parentSpanId).toBe(root.spanId);
    expectFailed(step, 'LedgerClosedError', 'ledger for March is already closed');
    expectFailed(root, 'LedgerClosedError', 'ledger for March is already closed');
  });
});

describe('spans the exporter ends itself', () => {
  it('marks the spans of a run it gives up on past maxOpenRuns galileo.incomplete, reason evicted', async () => {
    const warnings: string[] = [];
    const exporter = mastraExporter({
      maxOpenRuns: 1,
      logger: { warn: (line) => warnings.push(line) },
    });
    const { mastra, observability } = app(exporter, 'bridge');
    const agent = mastra.getAgent('weatherAgent');
    const results = await Promise.all(
      ['Tartu', 'Parnu'].map((city) =>
        agent.generate(`What is the weather in ${city}?`, { maxSteps: 3 }),
      ),
    );
    for (const r of results) expect(r.text).toContain('weather returned');
    const spans = await flushed(observability);
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    const cut = spans.filter((s) => s.attributes['galileo.incomplete'] === true);
    expect(cut.length).toBeGreaterThan(0);
    // Only the older run was given up on, and nothing else says "incomplete".
    expect(new Set(cut.map((s) => s.traceId)).size).toBe(1);
    for (const span of cut) expect(span.attributes['galileo.incomplete.reason']).toBe('evicted');
    expect(
      spans.some((s) => Object.keys(s.attributes).some((k) => k.startsWith('mastra.inc'))),
    ).toBe(false);
    expect(warnings.filter((w) => w.includes('maxOpenRuns'))).toHaveLength(1);
    expect(exporter.openSpans).toBe(0);
  });

  it('ends the spans still open at shutdown as galileo.incomplete, reason shutdown', async () => {
    let entered!: () => void;
    let release!: () => void;
    const inTool = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowLookup = createTool({
      id: 'slow_lookup',
      description: 'Look up facts slowly',
      inputSchema: z.object({ topic: z.string() }),
      execute: async () => {
        entered();
        await gate;
        return 'facts';
      },
    });
    const exporter = mastraExporter();
    const slowAgent = new Agent({
      id: 'slow-agent',
      name: 'Slow Agent',
      instructions: 'You look things up.',
      model: modelConfig(),
      tools: { slow_lookup: slowLookup },
    });
    const observability = new Observability({
      configs: { default: { serviceName: 'mastra-test', bridge: exporter } },
    });
    new Mastra({ agents: { slowAgent }, observability, logger: false });
    const run = slowAgent.generate('Tell me about Voyager 1.', { maxSteps: 3 });
    await inTool;
    await exporter.shutdown();
    release();
    expect((await run).text).toBeTruthy();
    const spans = await flushed(observability);
    expect(spans.map((s) => s.name).sort()).toEqual([
      'chat gpt-4.1-mini',
      'execute_tool slow_lookup',
      'invoke_agent Slow Agent',
    ]);
    for (const span of spans) {
      expect(span.attributes['galileo.incomplete'], span.name).toBe(true);
      expect(span.attributes['galileo.incomplete.reason'], span.name).toBe('shutdown');
    }
    expect(exporter.openSpans).toBe(0);
  });
});
