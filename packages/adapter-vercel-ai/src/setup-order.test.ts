import { createOpenAI } from '@ai-sdk/openai';
import { type GalileoRegistration, galileoKind } from '@galileo-otel/core';
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
} from './test-support/harness.js';
import { vercelAiTelemetry } from './vercel-ai-telemetry.js';

// This file runs in its own worker: the integration is registered at import time, before any
// OpenTelemetry provider exists (the order that gives @ai-sdk/otel zero spans).
registerTelemetry(vercelAiTelemetry());

let h: Harness;
let galileo: GalileoRegistration | undefined;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await galileo?.shutdown();
  await h.close();
});

const weather = tool({
  description: 'Get the weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, tempC: 18 }),
});

describe('set-up order', () => {
  it('traces calls when the integration is registered before the tracer provider', async () => {
    const openai = createOpenAI({ baseURL: `${h.model.url}/v1`, apiKey: 'local' });
    // A call before any provider is registered must still work (its spans go nowhere).
    const early = await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
    });
    expect(early.text).toContain('Paris');

    galileo = registerForTest(h.sink);
    await generateText({
      model: openai.chat('gpt-4.1-mini'),
      prompt: 'What is the weather in Paris?',
      tools: { weather },
      stopWhen: stepCountIs(3),
      telemetry: { functionId: 'late-provider' },
    });
    const spans = await spansSince(galileo, h.sink, 0);
    const agent = byName(spans, 'invoke_agent late-provider');
    expect(spans.map((s) => galileoKind(s)).sort()).toEqual(['agent', 'llm', 'llm', 'tool']);
    for (const span of spans.filter((s) => s !== agent)) {
      expect(span.parentSpanId).toBe(agent.spanId);
    }
    expect(hostsOf(h.fetched)).toEqual(['127.0.0.1']);
  });
});
