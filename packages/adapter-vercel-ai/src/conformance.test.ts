import { createOpenAI } from '@ai-sdk/openai';
import {
  type AdapterDriver,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { context } from '@opentelemetry/api';
import {
  generateText,
  type LanguageModel,
  registerTelemetry,
  stepCountIs,
  streamText,
  type ToolSet,
  tool,
} from 'ai';
import { z } from 'zod';
import { galileoTelemetry } from './index.js';

// The project's conformance kit over galileoTelemetry() (the AI SDK telemetry integration):
// one agent with a tool, a throwing tool, streaming, three concurrent runs, an incoming
// traceparent, a secret in the input, flush and offline, checked on the decoded wire spans.

let galileo: GalileoRegistration;
let model: LanguageModel;
const inputSchema = z.object({ topic: z.string() });
const lookupFacts = tool({
  description: 'Look up facts about a topic',
  inputSchema,
  execute: async ({ topic }) => `Facts about ${topic}: launched, still flying.`,
});
const flakyLookup = tool({
  description: 'Look up facts about a topic',
  inputSchema,
  execute: async (): Promise<string> => {
    throw new RangeError('lookup backend down');
  },
});
const settings = (prompt: string, tools: ToolSet = { lookup_facts: lookupFacts }) => ({
  model,
  prompt,
  tools,
  stopWhen: stepCountIs(3),
  telemetry: { functionId: 'research-agent' },
});

const driver: AdapterDriver = {
  async setup(env) {
    galileo = registerGalileo({
      apiKey: env.apiKey,
      endpoint: env.otlpEndpoint,
      project: env.project,
      logStream: env.logStream,
      logger: false,
    });
    registerTelemetry(galileoTelemetry());
    model = createOpenAI({ baseURL: `${env.modelUrl}/v1`, apiKey: 'local' }).chat('gpt-4.1-mini');
    return { processor: galileo.processor };
  },
  runAgentWithTool: ({ input }) => generateText(settings(input)),
  runThrowingTool: ({ input }) => generateText(settings(input, { flaky_lookup: flakyLookup })),
  runStreamed: async ({ input }) => {
    for await (const _ of streamText(settings(input)).textStream) {
      // consume the stream
    }
  },
  runUnderTraceparent: ({ input, traceparent }) =>
    context.with(traceparentContext(traceparent), () => generateText(settings(input))),
  teardown: () => galileo.shutdown(),
};

runAdapterConformance({ name: 'vercel-ai', driver });
