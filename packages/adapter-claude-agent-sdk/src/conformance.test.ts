import {
  type AdapterDriver,
  type ConformanceRun,
  runAdapterConformance,
  traceparentContext,
} from '@galileo-otel/adapter-testkit';
import { type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { context } from '@opentelemetry/api';
import { z } from 'zod';
import { claudeAgentSdk, claudeAgentSdkQuery } from './index.js';
import {
  BASE_OPTIONS,
  type ClaudeSdk,
  cliEnv,
  drain,
  loadSdk,
  type Query,
  startEgressTrap,
} from './test-support/claude-sdk.js';

// The project's conformance kit: an agent with a tool, a throwing tool, a failing model call, the
// stream with its events, three concurrent runs, an incoming traceparent, a secret in the input,
// flush and offline, all checked on the spans the OTLP receiver decoded. Each run is the real
// SDK spawning its real CLI against the kit's local model.

let galileo: GalileoRegistration;
let sdk: ClaudeSdk;
let query: (params: { prompt: string; options?: Record<string, unknown> }) => Query;
let env: Record<string, string | undefined>;
let trap: Awaited<ReturnType<typeof startEgressTrap>>;

/** An in-process MCP server `facts` whose `lookup_facts(topic)` answers, or throws. */
function facts(throws: boolean): unknown {
  const lookup = sdk.tool(
    'lookup_facts',
    'Look up facts about a topic',
    { topic: z.string() },
    async (args) => {
      if (throws) throw new RangeError('lookup backend down');
      return { content: [{ type: 'text', text: `Facts about ${args.topic}: still flying.` }] };
    },
    { alwaysLoad: true },
  );
  return sdk.createSdkMcpServer({ name: 'facts', version: '1.0.0', tools: [lookup] });
}

function ask({ input }: ConformanceRun, extra: Record<string, unknown> = {}) {
  return drain(
    query({
      prompt: input,
      options: {
        ...BASE_OPTIONS,
        env,
        tools: [],
        mcpServers: { facts: facts(extra.throws === true) },
        allowedTools: ['mcp__facts__lookup_facts'],
        ...(extra.stream ? { includePartialMessages: true } : {}),
      },
    }),
  );
}

const driver: AdapterDriver = {
  async setup(kit) {
    sdk = await loadSdk();
    trap = await startEgressTrap();
    env = cliEnv(kit.modelUrl, trap.url);
    galileo = registerGalileo({
      apiKey: kit.apiKey,
      endpoint: kit.otlpEndpoint,
      project: kit.project,
      logStream: kit.logStream,
      adapters: [claudeAgentSdk({ agentName: 'research_agent' })],
      logger: false,
    });
    query = claudeAgentSdkQuery(sdk.query);
    return { processor: galileo.processor };
  },
  runAgentWithTool: (run) => ask(run),
  runThrowingTool: (run) => ask(run, { throws: true }),
  // `includePartialMessages`: the app reads the stream events as they come.
  runStreamed: (run) => ask(run, { stream: true }),
  runUnderTraceparent: (run) => context.with(traceparentContext(run.traceparent), () => ask(run)),
  async teardown() {
    await galileo.shutdown();
    await trap.close();
    if (trap.attempts.length > 0) {
      throw new Error(`the CLI reached beyond loopback: ${trap.attempts.join(', ')}`);
    }
  },
};

runAdapterConformance({ name: 'claude-agent-sdk', driver });
