import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { galileoKind, tracedFetch, traceHttpHandler } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { Agent, run, setOpenAIAPI, tool } from '@openai/agents';
import { context, trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  type Harness,
  outboundHostsAfterSdkFlush,
  renderTree,
  startHarness,
} from './test-support/harness.js';

const MODEL = 'gpt-4.1-mini';
let h: Harness;
const servers: Server[] = [];

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
}

function parseTraceparent(value: unknown): { traceId: string; parentId: string } {
  const match = /^00-([0-9a-f]{32})-([0-9a-f]{16})-0[01]$/.exec(String(value));
  expect(match, `a W3C traceparent, got ${String(value)}`).not.toBeNull();
  return { traceId: match?.[1] ?? '', parentId: match?.[2] ?? '' };
}

function tree(spans: readonly OtlpSpan[]): string {
  return renderTree(spans, (s) => galileoKind(s));
}

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  for (const server of servers) server.close();
  await h?.close();
});

describe.each(['chat_completions', 'responses'] as const)('over %s', (api) => {
  beforeAll(() => {
    setOpenAIAPI(api);
  });

  it('joins an incoming traceparent and nests the outbound call of a tool under the tool span', async () => {
    const researcher = new Agent({
      name: 'researcher',
      instructions: 'Return 3-5 concise key facts about the topic.',
      model: MODEL,
    });
    const researchTraceparents: unknown[] = [];
    const researchUrl = await listen(
      createServer(
        traceHttpHandler(async (req, res) => {
          researchTraceparents.push(req.headers.traceparent);
          const body = await readJson(req);
          const result = await run(researcher, `Tell me about ${String(body.topic)}.`);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ facts: result.finalOutput }));
        }),
      ),
    );
    const delegate = tool({
      name: 'delegate_research',
      description: 'Ask the research service for key facts about a topic',
      parameters: z.object({ topic: z.string() }),
      execute: async ({ topic }) => {
        const response = await tracedFetch(`${researchUrl}/research`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic }),
        });
        return JSON.stringify(await response.json());
      },
    });
    const orchestrator = new Agent({
      name: 'orchestrator',
      instructions: 'Answer using the research service.',
      model: MODEL,
      tools: [delegate],
    });
    const askUrl = await listen(
      createServer(
        traceHttpHandler(async (req, res) => {
          const body = await readJson(req);
          const result = await run(orchestrator, String(body.question));
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ answer: result.finalOutput }));
        }),
      ),
    );

    const upstreamTrace = '4bf92f3577b34da6a3ce929d0e0e4736';
    const upstreamSpan = '00f067aa0ba902b7';
    const response = await fetch(`${askUrl}/ask`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${upstreamTrace}-${upstreamSpan}-01`,
      },
      body: JSON.stringify({ question: 'Tell me about Voyager 1.' }),
    });
    expect(response.status).toBe(200);
    expect(String(((await response.json()) as { answer: string }).answer)).toContain(
      'delegate_research',
    );
    const spans = await h.flushSpans();

    expect(tree(spans)).toBe(
      [
        'POST /ask [workflow]',
        '  invoke_agent orchestrator [agent]',
        `    chat ${MODEL} [llm]`,
        '    execute_tool delegate_research [tool]',
        '      POST /research [workflow]',
        '        POST /research [workflow]',
        '          invoke_agent researcher [agent]',
        `            chat ${MODEL} [llm]`,
        `    chat ${MODEL} [llm]`,
      ].join('\n'),
    );
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([upstreamTrace]));
    const ask = spans.find((s) => s.name === 'POST /ask') as OtlpSpan;
    expect(ask.kind).toBe(2);
    expect(ask.parentSpanId).toBe(upstreamSpan);
    const orchestratorSpan = spans.find((s) => s.name === 'invoke_agent orchestrator') as OtlpSpan;
    expect(orchestratorSpan.parentSpanId).toBe(ask.spanId);
    const toolSpan = spans.find((s) => s.name === 'execute_tool delegate_research') as OtlpSpan;
    const client = spans.find((s) => s.name === 'POST /research' && s.kind === 3) as OtlpSpan;
    const server = spans.find((s) => s.name === 'POST /research' && s.kind === 2) as OtlpSpan;
    expect(client.parentSpanId).toBe(toolSpan.spanId);
    expect(server.parentSpanId).toBe(client.spanId);
    // the traceparent sent downstream points at the tool's client call, inside the tool span
    expect(researchTraceparents).toHaveLength(1);
    expect(parseTraceparent(researchTraceparents[0])).toEqual({
      traceId: upstreamTrace,
      parentId: client.spanId,
    });
    const researcherSpan = spans.find((s) => s.name === 'invoke_agent researcher') as OtlpSpan;
    expect(researcherSpan.parentSpanId).toBe(server.spanId);
    expect(String(toolSpan.attributes['gen_ai.tool.call.result'])).toContain('facts');
    expect(await outboundHostsAfterSdkFlush()).toEqual(['127.0.0.1']);
  });

  it('keeps 50 concurrent runs apart, each tool call nested in its own run', async () => {
    const received: Array<{ city: string; traceparent: unknown }> = [];
    let peakOpenRuns = 0;
    const backendUrl = await listen(
      createServer(async (req, res) => {
        const body = await readJson(req);
        received.push({ city: String(body.city), traceparent: req.headers.traceparent });
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ forecast: `Sunny in ${String(body.city)}` }));
      }),
    );
    const lookup = tool({
      name: 'get_weather',
      description: 'Get the weather for a city',
      parameters: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        peakOpenRuns = Math.max(peakOpenRuns, h.adapter.openRuns);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20));
        const response = await tracedFetch(`${backendUrl}/lookup`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ city }),
        });
        return JSON.stringify(await response.json());
      },
    });
    const agent = new Agent({
      name: 'WeatherAgent',
      instructions: 'Answer weather questions.',
      model: MODEL,
      tools: [lookup],
    });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => run(agent, `What is the weather in City${i}?`)),
    );
    results.forEach((result, i) => {
      expect(String(result.finalOutput)).toContain(`City${i}`);
    });
    expect(trace.getSpan(context.active())).toBeUndefined();
    // every run's state was released as it ended: nothing left behind to leak or end late
    expect(peakOpenRuns).toBeGreaterThan(1);
    expect(h.adapter.openRuns).toBe(0);
    const spans = await h.flushSpans();

    const traces = new Map<string, OtlpSpan[]>();
    for (const span of spans) traces.set(span.traceId, [...(traces.get(span.traceId) ?? []), span]);
    expect(traces.size).toBe(50);
    const cities = new Set<string>();
    for (const [traceId, own] of traces) {
      expect(tree(own)).toBe(
        [
          'Agent workflow [workflow]',
          '  invoke_agent WeatherAgent [agent]',
          `    chat ${MODEL} [llm]`,
          '    execute_tool get_weather [tool]',
          '      POST /lookup [workflow]',
          `    chat ${MODEL} [llm]`,
        ].join('\n'),
      );
      const toolSpan = own.find((s) => s.name === 'execute_tool get_weather') as OtlpSpan;
      const client = own.find((s) => s.name === 'POST /lookup') as OtlpSpan;
      const { city } = JSON.parse(String(toolSpan.attributes['gen_ai.tool.call.arguments'])) as {
        city: string;
      };
      cities.add(city);
      const request = received.find((r) => r.city === city);
      expect(request, `backend request for ${city}`).toBeDefined();
      expect(parseTraceparent(request?.traceparent)).toEqual({ traceId, parentId: client.spanId });
      const input = own.find((s) => s.name === 'invoke_agent WeatherAgent')?.attributes[
        'gen_ai.input.messages'
      ];
      expect(String(input)).toContain(`${city.replace(/^.*?(City\d+).*$/, '$1')}?`);
    }
    expect(cities.size).toBe(50);
  });
});
