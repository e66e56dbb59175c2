import { createOpenAI } from '@ai-sdk/openai';
import { type AdapterDriver, traceparentContext } from '@galileo-otel/adapter-testkit';
import { type GalileoAdapter, type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { context } from '@opentelemetry/api';
import { generateText, type LanguageModel, stepCountIs, streamText, type ToolSet, tool } from 'ai';
import { z } from 'zod';

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

/**
 * The conformance driver shared by both entry points: the same agent, tools and runs, with the
 * telemetry set up by `options` (the integration, or @ai-sdk/otel plus the translator).
 */
export function conformanceDriver(options: {
  adapters?: GalileoAdapter[];
  registerIntegration: () => void;
}): AdapterDriver {
  return {
    async setup(env) {
      galileo = registerGalileo({
        apiKey: env.apiKey,
        endpoint: env.otlpEndpoint,
        project: env.project,
        logStream: env.logStream,
        logger: false,
        adapters: options.adapters ?? [],
      });
      // After registerGalileo: an integration may take its tracer from the global provider.
      options.registerIntegration();
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
}
