import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GalileoRegistration, galileoKind, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import {
  Agent,
  createMCPListToolsSpan,
  getGlobalTraceProvider,
  run,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTracingDisabled,
  tool,
  withCustomSpan,
  withTrace,
} from '@openai/agents';
import { trace } from '@opentelemetry/api';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
import { installOpenAIAgentsTracing, openaiAgentsTracing } from './openai-agents-tracing.js';
import { outboundHosts, recordOutbound, renderTree } from './test-support/harness.js';
import { withToolContext } from './with-tool-context.js';

const MODEL = 'gpt-4.1-mini';
let sink: OtlpSink;
let model: LocalModelServer;
let galileo: GalileoRegistration;
let bridge: GalileoAgentsTracingProcessor | undefined;
let seen = 0;
const warned: string[] = [];
const originalWarn = console.warn;

beforeAll(async () => {
  process.env.OPENAI_API_KEY = 'sk-this-key-must-never-leave-the-machine';
  recordOutbound();
  console.warn = (...args: unknown[]) => warned.push(args.map(String).join(' '));
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  galileo = registerGalileo({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'agents-tests',
    logger: false,
  });
  setTracingDisabled(false);
  setOpenAIAPI('chat_completions');
  setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-local', baseURL: `${model.url}/v1` }));
});
afterEach(async () => {
  await bridge?.shutdown();
  bridge = undefined;
});
afterAll(async () => {
  console.warn = originalWarn;
  await galileo.shutdown();
  await model.close();
  await sink.close();
});

async function flushSpans(): Promise<OtlpSpan[]> {
  await galileo.forceFlush();
  const all = sink.spans();
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
}

function tree(spans: readonly OtlpSpan[]): string {
  return renderTree(spans, (s) => galileoKind(s));
}

function agentWithProbe(useHelper: boolean): Agent {
  const probe = tool({
    name: 'probe',
    description: 'Probe the backend',
    parameters: z.object({ query: z.string() }),
    execute: async () => {
      const body = () => {
        trace.getTracer('app').startSpan('inside tool').end();
        return 'probed';
      };
      return useHelper ? withToolContext(body) : body();
    },
  });
  return new Agent({ name: 'Prober', instructions: 'Probe.', model: MODEL, tools: [probe] });
}

describe('openaiAgentsTracing', () => {
  it('with toolContext: false, spans in a tool fall outside the run unless wrapped in withToolContext()', async () => {
    bridge = openaiAgentsTracing({ toolContext: false });
    await run(agentWithProbe(false), 'Probe the backend please');
    const plain = await flushSpans();
    const root = plain.find((s) => s.name === 'Agent workflow') as OtlpSpan;
    const stray = plain.find((s) => s.name === 'inside tool') as OtlpSpan;
    // the bridge's spans are never the active OTel context by themselves: a new trace starts
    expect(stray.parentSpanId).toBeUndefined();
    expect(stray.traceId).not.toBe(root.traceId);

    await run(agentWithProbe(true), 'Probe the backend please');
    const wrapped = await flushSpans();
    const toolSpan = wrapped.find((s) => s.name === 'execute_tool probe') as OtlpSpan;
    const inside = wrapped.find((s) => s.name === 'inside tool') as OtlpSpan;
    expect(inside.parentSpanId).toBe(toolSpan.spanId);
    expect(inside.traceId).toBe(toolSpan.traceId);
  });

  it('by default nests spans started in a tool under it, and restores the context afterwards', async () => {
    bridge = openaiAgentsTracing();
    await trace.getTracer('app').startActiveSpan('caller', async (span) => {
      await run(agentWithProbe(false), 'Probe the backend please');
      trace.getTracer('app').startSpan('after run').end();
      span.end();
    });
    const spans = await flushSpans();
    const toolSpan = spans.find((s) => s.name === 'execute_tool probe') as OtlpSpan;
    expect(spans.find((s) => s.name === 'inside tool')?.parentSpanId).toBe(toolSpan.spanId);
    const caller = spans.find((s) => s.name === 'caller') as OtlpSpan;
    expect(spans.find((s) => s.name === 'after run')?.parentSpanId).toBe(caller.spanId);
    // 'auto': a caller span parents the agent directly, no workflow level
    expect(spans.find((s) => s.name === 'invoke_agent Prober')?.parentSpanId).toBe(caller.spanId);
    expect(bridge.openRuns).toBe(0);
  });

  it("workflowSpan: 'always' adds the workflow level under a caller; 'never' omits it without one", async () => {
    bridge = openaiAgentsTracing({ workflowSpan: 'always' });
    await trace.getTracer('app').startActiveSpan('POST /ask', async (span) => {
      await withTrace('ask-workflow', () => run(agentWithProbe(false), 'Probe the backend please'));
      span.end();
    });
    expect(tree(await flushSpans())).toBe(
      [
        'POST /ask [workflow]',
        '  ask-workflow [workflow]',
        '    invoke_agent Prober [agent]',
        `      chat ${MODEL} [llm]`,
        '      execute_tool probe [tool]',
        '        inside tool [workflow]',
        `      chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    await bridge.shutdown();

    bridge = openaiAgentsTracing({ workflowSpan: 'never' });
    await run(agentWithProbe(false), 'Probe the backend please');
    const spans = await flushSpans();
    expect(spans.find((s) => s.name === 'invoke_agent Prober')?.parentSpanId).toBeUndefined();
    expect(spans.some((s) => s.name === 'Agent workflow')).toBe(false);
  });

  it('maps mcp_tools and custom spans, and omits content with captureContent: false', async () => {
    bridge = openaiAgentsTracing({ captureContent: false });
    await withTrace('custom-work', async () => {
      const mcp = createMCPListToolsSpan({ data: { server: 'files', result: ['read', 'write'] } });
      mcp.start();
      mcp.end();
      await withCustomSpan(async () => 'ok', { data: { name: 'prepare', data: { step: 1 } } });
      await run(agentWithProbe(false), 'Probe the backend please');
    });
    const spans = await flushSpans();
    const mcp = spans.find((s) => s.name === 'mcp_list_tools files') as OtlpSpan;
    expect(galileoKind(mcp)).toBe('tool');
    expect(mcp.attributes).toMatchObject({
      'gen_ai.tool.type': 'mcp',
      'openai_agents.mcp.server': 'files',
      'gen_ai.tool.call.result': '["read","write"]',
    });
    const custom = spans.find((s) => s.name === 'prepare') as OtlpSpan;
    expect(galileoKind(custom)).toBe('workflow');
    expect(custom.attributes['openai_agents.custom.data']).toBeUndefined();
    for (const span of spans) {
      expect(span.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(span.attributes['gen_ai.tool.call.arguments']).toBeUndefined();
    }
    expect(
      spans.find((s) => s.name === `chat ${MODEL}`)?.attributes['gen_ai.usage.input_tokens'],
    ).toBeGreaterThan(0);
  });

  it('ends the oldest run early when more than maxOpenRuns are open, and shutdown ends the rest', async () => {
    bridge = openaiAgentsTracing({ maxOpenRuns: 1 });
    const provider = getGlobalTraceProvider();
    const first = provider.createTrace({ name: 'first' });
    const second = provider.createTrace({ name: 'second' });
    await first.start();
    await second.start();
    expect(bridge.openRuns).toBe(1);
    await bridge.shutdown();
    expect(bridge.openRuns).toBe(0);
    const spans = await flushSpans();
    expect(spans.map((s) => s.name).sort()).toEqual(['first', 'second']);
    const reasons = Object.fromEntries(
      spans.map((s) => [
        s.name,
        [s.attributes['galileo.incomplete'], s.attributes['galileo.incomplete.reason']],
      ]),
    );
    expect(reasons).toEqual({ first: [true, 'evicted'], second: [true, 'shutdown'] });
    for (const span of spans) expect(span.attributes['openai_agents.incomplete']).toBeUndefined();
  });

  it('refuses a maxOpenRuns that is not a whole number of at least 1, naming the option', () => {
    expect(() => openaiAgentsTracing({ maxOpenRuns: 0 })).toThrow(
      new RangeError('maxOpenRuns must be a whole number of at least 1, got 0'),
    );
  });

  it('keeps the deprecated installOpenAIAgentsTracing() name working', async () => {
    bridge = installOpenAIAgentsTracing();
    await run(agentWithProbe(false), 'Probe the backend please');
    expect((await flushSpans()).map((s) => s.name)).toContain('invoke_agent Prober');
  });

  it('warns once when the SDK has tracing disabled (NODE_ENV=test)', () => {
    setTracingDisabled(true);
    try {
      bridge = openaiAgentsTracing();
    } finally {
      setTracingDisabled(false);
    }
    expect(warned.some((line) => line.includes('setTracingDisabled(false)'))).toBe(true);
  });

  it('keepOpenAIExport also sends the SDK trace to the OpenAI exporter, after the bridge', async () => {
    const ingested: string[] = [];
    const ingest: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        ingested.push(body);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => ingest.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(ingest.address() as AddressInfo).port}/v1/traces/ingest`;
    try {
      bridge = openaiAgentsTracing({ keepOpenAIExport: { endpoint, apiKey: 'sk-local' } });
      await run(agentWithProbe(true), 'Probe the backend please');
      await getGlobalTraceProvider().forceFlush();
      const spans = await flushSpans();
      expect(spans.some((s) => s.name === 'execute_tool probe')).toBe(true);
      expect(ingested.join('\n')).toContain('"type":"function"');
    } finally {
      ingest.close();
    }
    expect(outboundHosts()).toEqual(['127.0.0.1']);
  });
});
