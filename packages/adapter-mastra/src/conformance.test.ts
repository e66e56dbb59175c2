import {
  type AdapterDriver,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { Mastra } from '@mastra/core';
import { Agent } from '@mastra/core/agent';
import { createTool } from '@mastra/core/tools';
import { Observability } from '@mastra/observability';
import { context } from '@opentelemetry/api';
import { z } from 'zod';
import { mastraExporter } from './index.js';

// The project's conformance kit: one agent with a tool, a throwing tool, streaming, three
// concurrent runs, an incoming traceparent, a secret in the input, flush and offline, all
// checked on the spans the OTLP receiver decoded.

let galileo: GalileoRegistration;
let observability: Observability;
let researcher: Agent;
let flaky: Agent;
const inputSchema = z.object({ topic: z.string() });
const lookupFacts = createTool({
  id: 'lookup_facts',
  description: 'Look up facts about a topic',
  inputSchema,
  execute: async ({ topic }) => `Facts about ${topic}: launched, still flying.`,
});
const flakyLookup = createTool({
  id: 'flaky_lookup',
  description: 'Look up facts about a topic',
  inputSchema,
  execute: async (): Promise<string> => {
    throw new RangeError('lookup backend down');
  },
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
    const model = {
      id: 'openai/gpt-4.1-mini' as const,
      url: `${env.modelUrl}/v1`,
      apiKey: 'local',
    };
    researcher = new Agent({
      id: 'researcher',
      name: 'Researcher',
      instructions: 'Answer with facts.',
      model,
      tools: { lookup_facts: lookupFacts },
    });
    flaky = new Agent({
      id: 'flaky',
      name: 'Flaky',
      instructions: 'Answer with facts.',
      model,
      tools: { flaky_lookup: flakyLookup },
    });
    observability = new Observability({
      configs: { default: { serviceName: 'conformance', bridge: mastraExporter() } },
    });
    new Mastra({ agents: { researcher, flaky }, observability, logger: false });
    return { processor: galileo.processor };
  },
  runAgentWithTool: ({ input }) => researcher.generate(input, { maxSteps: 3 }),
  runThrowingTool: ({ input }) => flaky.generate(input, { maxSteps: 3 }),
  runStreamed: async ({ input }) => {
    const stream = await researcher.stream(input, { maxSteps: 3 });
    for await (const _ of stream.textStream) {
      // consume the stream
    }
  },
  runUnderTraceparent: ({ input, traceparent }) =>
    context.with(traceparentContext(traceparent), () =>
      researcher.generate(input, { maxSteps: 3 }),
    ),
  // Mastra hands spans to its exporters asynchronously: flush observability first.
  async forceFlush() {
    await observability.flush();
    await galileo.forceFlush();
  },
  teardown: () => galileo.shutdown(),
};

runAdapterConformance({ name: 'mastra', driver });
