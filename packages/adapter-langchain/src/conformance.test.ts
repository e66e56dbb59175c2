import {
  type AdapterDriver,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import type { StructuredToolInterface } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { context } from '@opentelemetry/api';
import { createAgent } from 'langchain';
import { langchain } from './index.js';
import { ask, flakyLookup, lookupFacts } from './test-support/harness.js';

// The project's conformance kit: an agent with a tool, a throwing tool, streaming, 50 concurrent
// runs, an incoming traceparent, a secret in the input, flush and offline, all checked on the
// spans the OTLP receiver decoded. The runs pass no `callbacks`: `langchain()` traces them from
// registerGalileo(), which runs in the kit's setup, an async context of its own.

let galileo: GalileoRegistration;
let model: ChatOpenAI;
const agent = (tools: StructuredToolInterface[] = [lookupFacts]) =>
  createAgent({ model, tools, name: 'research_agent' });

const driver: AdapterDriver = {
  async setup(env) {
    galileo = registerGalileo({
      apiKey: env.apiKey,
      endpoint: env.otlpEndpoint,
      project: env.project,
      logStream: env.logStream,
      adapters: [langchain()],
      logger: false,
    });
    model = new ChatOpenAI({
      model: 'gpt-4.1-mini',
      apiKey: 'sk-local',
      configuration: { baseURL: `${env.modelUrl}/v1` },
      maxRetries: 0,
    });
    return { processor: galileo.processor };
  },
  runAgentWithTool: ({ input }) => agent().invoke(ask(input)),
  runThrowingTool: ({ input }) => agent([flakyLookup]).invoke(ask(input)),
  runStreamed: async ({ input }) => {
    for await (const _ of await agent().stream(ask(input), { streamMode: 'messages' })) {
      // consume the stream
    }
  },
  runUnderTraceparent: ({ input, traceparent }) =>
    context.with(traceparentContext(traceparent), () => agent().invoke(ask(input))),
  teardown: () => galileo.shutdown(),
};

runAdapterConformance({ name: 'langchain', driver, concurrency: 50 });
