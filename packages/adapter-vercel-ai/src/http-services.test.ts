import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOpenAI } from '@ai-sdk/openai';
import {
  type GalileoRegistration,
  galileoKind,
  tracedFetch,
  traceHttpHandler,
} from '@galileo-otel/core';
import { generateText, registerTelemetry, stepCountIs, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  byName,
  type Harness,
  hostsOf,
  registerForTest,
  spansSince,
  startHarness,
  tree,
} from './test-support/harness.js';
import { vercelAiTelemetry } from './vercel-ai-telemetry.js';

// The shape of the examples: POST /ask runs an orchestrator whose tool POSTs to /research,
// which runs a research agent. Both services live in this process here; across processes the
// only link is the traceparent / baggage headers, exactly as below.
let h: Harness;
let galileo: GalileoRegistration;
const servers: Server[] = [];

async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
): Promise<string> {
  const server = createServer(traceHttpHandler(handler));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function body(req: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

beforeAll(async () => {
  h = await startHarness();
  galileo = registerForTest(h.sink);
  registerTelemetry(vercelAiTelemetry());
});
afterAll(async () => {
  for (const server of servers) await new Promise((resolve) => server.close(resolve));
  await galileo.shutdown();
  await h.close();
});

describe('two services joined by traceparent', () => {
  it('nests the research service under the orchestrator tool that called it', async () => {
    const model = createOpenAI({ baseURL: `${h.model.url}/v1`, apiKey: 'local' }).chat(
      'gpt-4.1-mini',
    );
    const researchUrl = await listen(async (req, res) => {
      const { topic } = await body(req);
      const result = await generateText({
        model,
        system: 'You are a research agent. Return 3-5 concise key facts.',
        prompt: `Research ${topic}`,
        telemetry: { functionId: 'research-agent' },
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ facts: result.text }));
    });
    const delegateResearch = tool({
      description: 'Delegate research on a topic to the research service',
      inputSchema: z.object({ topic: z.string() }),
      execute: async ({ topic }) => {
        // tracedFetch runs under the tool span (vercelAiTelemetry's executeTool), so its CLIENT
        // span and the traceparent it sends point at the tool.
        const response = await tracedFetch(`${researchUrl}/research`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ topic }),
        });
        return (await response.json()) as { facts: string };
      },
    });
    const askUrl = await listen(async (req, res) => {
      const { question } = await body(req);
      const result = await generateText({
        model,
        system: 'You are an orchestrator. Delegate research.',
        prompt: question ?? '',
        tools: { delegate_research: delegateResearch },
        stopWhen: stepCountIs(3),
        telemetry: { functionId: 'orchestrator' },
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ answer: result.text }));
    });

    const response = await fetch(`${askUrl}/ask`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
        baggage: 'galileo.session.id=sess-http',
      },
      body: JSON.stringify({ question: 'Tell me about Voyager 1' }),
    });
    expect(((await response.json()) as { answer: string }).answer).toContain('Voyager 1');

    const spans = await spansSince(galileo, h.sink, 0);
    const askServer = spans.find((s) => s.name === 'POST /ask' && s.kind === 2);
    const orchestrator = byName(spans, 'invoke_agent orchestrator');
    const toolSpan = byName(spans, 'execute_tool delegate_research');
    const client = spans.find((s) => s.name === 'POST /research' && s.kind === 3);
    const researchServer = spans.find((s) => s.name === 'POST /research' && s.kind === 2);
    const research = byName(spans, 'invoke_agent research-agent');
    const t = tree(spans);

    expect(askServer?.parentSpanId, t).toBe('00f067aa0ba902b7');
    expect(orchestrator.parentSpanId, t).toBe(askServer?.spanId);
    expect(toolSpan.parentSpanId, t).toBe(orchestrator.spanId);
    expect(client?.parentSpanId, t).toBe(toolSpan.spanId);
    expect(researchServer?.parentSpanId, t).toBe(client?.spanId);
    expect(research.parentSpanId, t).toBe(researchServer?.spanId);
    expect(spans.filter((s) => s.parentSpanId === research.spanId).map(galileoKind)).toEqual([
      'llm',
    ]);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(
      new Set(['4bf92f3577b34da6a3ce929d0e0e4736']),
    );
    // The session id rides in the baggage through both services.
    for (const span of spans)
      expect(span.attributes['galileo.session.id'], span.name).toBe('sess-http');
    expect(hostsOf(h.fetched)).toEqual(['127.0.0.1']);
  });
});
