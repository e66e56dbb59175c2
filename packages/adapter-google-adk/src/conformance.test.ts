import {
  type AdapterDriver,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import {
  FunctionTool,
  Gemini,
  InMemoryRunner,
  LlmAgent,
  LogLevel,
  type RunConfig,
  StreamingMode,
  setLogLevel,
} from '@google/adk';
import { z } from 'zod';
import { googleAdk, googleAdkPlugin, runInContext } from './index.js';

// The project's conformance kit: one agent with a tool, a throwing tool, streaming, three
// concurrent runs, an incoming traceparent, a secret in the input, flush and offline, all
// checked on the spans the OTLP receiver decoded.

let galileo: GalileoRegistration;
const parameters = z.object({ topic: z.string() });
const lookupFacts = new FunctionTool({
  name: 'lookup_facts',
  description: 'Look up facts about a topic',
  parameters,
  execute: async ({ topic }) => ({ facts: `Facts about ${topic}: launched, still flying.` }),
});
const flakyLookup = new FunctionTool({
  name: 'flaky_lookup',
  description: 'Look up facts about a topic',
  parameters,
  execute: async () => {
    throw new RangeError('lookup backend down');
  },
});

interface AskOptions {
  tool?: FunctionTool;
  runConfig?: RunConfig;
  traceparent?: string;
}

async function ask(input: string, options: AskOptions = {}): Promise<void> {
  const agent = new LlmAgent({
    name: 'research_agent',
    description: 'Answers with facts',
    model: new Gemini({ model: 'gemini-2.5-flash', apiKey: 'local' }),
    instruction: 'Answer with facts from the lookup tool.',
    tools: [options.tool ?? lookupFacts],
  });
  const runner = new InMemoryRunner({
    agent,
    appName: 'conformance',
    plugins: [googleAdkPlugin()],
  });
  const session = await runner.sessionService.createSession({
    appName: 'conformance',
    userId: 'u1',
  });
  const events = runner.runAsync({
    userId: 'u1',
    sessionId: session.id,
    newMessage: { role: 'user', parts: [{ text: input }] },
    ...(options.runConfig ? { runConfig: options.runConfig } : {}),
  });
  const bound = options.traceparent
    ? runInContext(events, traceparentContext(options.traceparent))
    : events;
  for await (const _ of bound) {
    // drain the run
  }
}

const driver: AdapterDriver = {
  async setup(env) {
    setLogLevel(LogLevel.ERROR);
    process.env.GOOGLE_GEMINI_BASE_URL = env.modelUrl;
    galileo = registerGalileo({
      apiKey: env.apiKey,
      endpoint: env.otlpEndpoint,
      project: env.project,
      logStream: env.logStream,
      adapters: [googleAdk()],
      logger: false,
    });
    return { processor: galileo.processor };
  },
  runAgentWithTool: ({ input }) => ask(input),
  runThrowingTool: ({ input }) => ask(input, { tool: flakyLookup }),
  runStreamed: ({ input }) => ask(input, { runConfig: { streamingMode: StreamingMode.SSE } }),
  runUnderTraceparent: ({ input, traceparent }) => ask(input, { traceparent }),
  teardown: () => galileo.shutdown(),
};

runAdapterConformance({ name: 'google-adk', driver });
