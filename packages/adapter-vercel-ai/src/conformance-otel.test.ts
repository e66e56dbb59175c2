import { createOpenAI } from '@ai-sdk/openai';
import { OpenTelemetry } from '@ai-sdk/otel';
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
import { vercelAi } from './index.js';

// The project's conformance kit over the translator: the AI SDK's own @ai-sdk/otel
// integration emits spans and vercelAi() rewrites them at export.

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
      adapters: [vercelAi()],
      logger: false,
    });
    // After registerGalileo: the integration takes its tracer from the global provider.
    registerTelemetry(new OpenTelemetry());
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

runAdapterConformance({ name: 'vercel-ai (@ai-sdk/otel translator)', driver });
