// Drivers over the fake framework, for testing the kit only.
import { GalileoSpanProcessor } from '@galileo-otel/core';
import type { GalileoAdapter } from '@galileo-otel/core/adapter';
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import type { AdapterDriver } from '../driver/adapter-driver.js';
import { traceparentContext } from '../traceparent-context.js';
import { type Breakage, fakeBridgeAdapter } from './fake-bridge-adapter.js';
import { FakeAgentFramework, type FakeTool } from './fake-framework.js';

const lookupFacts: FakeTool = {
  name: 'lookup_facts',
  description: 'Look up facts about a topic',
  parameters: {
    type: 'object',
    properties: { topic: { type: 'string', description: 'The topic' } },
    required: ['topic'],
  },
  execute: async (args) => `Facts about ${String(args.topic)}: launched, still flying.`,
};

const flakyLookup: FakeTool = {
  ...lookupFacts,
  name: 'flaky_lookup',
  execute: async () => {
    throw new RangeError('lookup backend down');
  },
};

let contextManager = false;

/**
 * A driver over the fake framework. The adapter is the fake bridge (broken as asked), or the one
 * `adapter` builds for the framework. The provider is registered globally for the suite, as
 * `registerGalileo()` would, and unregistered at teardown so the next suite can register its own.
 */
export function fakeDriver(
  breakage: Breakage = 'none',
  adapter: (framework: FakeAgentFramework) => GalileoAdapter = (framework) =>
    fakeBridgeAdapter(framework, breakage),
): AdapterDriver {
  let framework: FakeAgentFramework | undefined;
  let provider: TracerProvider | undefined;
  const fw = () => {
    if (!framework) throw new Error('setup() has not run');
    return framework;
  };
  const run = (input: string, tools: FakeTool[] = [lookupFacts], stream = false) =>
    fw().run({ agent: 'research_agent', input, tools, stream });
  return {
    async setup(env) {
      if (!contextManager) {
        context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        contextManager = true;
      }
      framework = new FakeAgentFramework(env.modelUrl);
      const processor = new GalileoSpanProcessor({
        apiKey: env.apiKey,
        endpoint: env.otlpEndpoint,
        project: env.project,
        logStream: env.logStream,
        adapters: [adapter(framework)],
        logger: false,
      });
      provider = new TracerProvider({ spanProcessors: [processor] });
      trace.setGlobalTracerProvider(provider);
      return { processor };
    },
    runAgentWithTool: ({ input }) => run(input),
    runThrowingTool: ({ input }) => run(input, [flakyLookup]),
    runStreamed: ({ input }) => run(input, [lookupFacts], true),
    runUnderTraceparent: ({ input, traceparent }) =>
      context.with(traceparentContext(traceparent), () => run(input)),
    async teardown() {
      await provider?.shutdown();
      trace.disable();
    },
  };
}
