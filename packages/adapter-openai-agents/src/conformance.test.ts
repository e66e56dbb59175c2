import {
  type AdapterDriver,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import {
  Agent,
  run,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import { context } from '@opentelemetry/api';
import OpenAI from 'openai';
import { z } from 'zod';
import { openaiAgents } from './index.js';

// The project's conformance kit: one agent with a tool, a throwing tool, streaming, three
// concurrent runs, an incoming traceparent, a secret in the input, flush and offline, all
// checked on the spans the OTLP receiver decoded.

let galileo: GalileoRegistration;
const parameters = z.object({ topic: z.string() });
const lookupFacts = tool({
  name: 'lookup_facts',
  description: 'Look up facts about a topic',
  parameters,
  execute: async ({ topic }) => `Facts about ${topic}: launched, still flying.`,
});
const flakyLookup = tool({
  name: 'flaky_lookup',
  description: 'Look up facts about a topic',
  parameters,
  execute: async (): Promise<string> => {
    throw new RangeError('lookup backend down');
  },
});
const agent = (tools = [lookupFacts]) =>
  new Agent({
    name: 'ResearchAgent',
    instructions: 'Answer with facts.',
    model: 'gpt-4.1-mini',
    tools,
  });

const driver: AdapterDriver = {
  async setup(env) {
    // NODE_ENV=test (set by vitest) disables the SDK's tracing at import.
    setTracingDisabled(false);
    galileo = registerGalileo({
      apiKey: env.apiKey,
      endpoint: env.otlpEndpoint,
      project: env.project,
      logStream: env.logStream,
      adapters: [openaiAgents()],
      logger: false,
    });
    setDefaultOpenAIClient(new OpenAI({ apiKey: 'sk-local', baseURL: `${env.modelUrl}/v1` }));
    setOpenAIAPI('chat_completions');
    return { processor: galileo.processor };
  },
  runAgentWithTool: ({ input }) => run(agent(), input),
  runThrowingTool: ({ input }) => run(agent([flakyLookup]), input),
  runStreamed: async ({ input }) => {
    const stream = await run(agent(), input, { stream: true });
    for await (const _ of stream.toTextStream()) {
      // consume the stream
    }
    await stream.completed;
  },
  runUnderTraceparent: ({ input, traceparent }) =>
    context.with(traceparentContext(traceparent), () => run(agent(), input)),
  teardown: () => galileo.shutdown(),
};

runAdapterConformance({ name: 'openai-agents', driver });
