import { type GalileoAdapter, GalileoSpanProcessor, galileoKind } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { CallbackManager } from '@langchain/core/callbacks/manager';
import { RunnableLambda } from '@langchain/core/runnables';
import { tool } from '@langchain/core/tools';
import { createReactAgent } from '@langchain/langgraph/prebuilt';
import { ChatOpenAI } from '@langchain/openai';
import { context, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider as SdkTracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { langchain, langchainCallbackHandler } from './index.js';
import { ask, lookupFacts, renderTree } from './test-support/harness.js';

// The handler on its own (passed in `callbacks`, no registerGalileo), the process-wide install
// and its removal, the incomplete marker, content capture off, and a broken tracer: each on its
// own GalileoSpanProcessor exporting OTLP to a local sink, so nothing here is global but the
// AsyncLocalStorage context manager.

let sink: OtlpSink;
let model: LocalModelServer;
let chat: ChatOpenAI;
const originalConfigure = CallbackManager._configureSync;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  chat = new ChatOpenAI({
    model: 'gpt-4.1-mini',
    apiKey: 'sk-local',
    configuration: { baseURL: `${model.url}/v1` },
    maxRetries: 0,
  });
});
afterAll(async () => {
  await model.close();
  await sink.close();
});

/** A provider whose processor exports to the sink (with `adapters`, when given). */
function pipeline(adapters: GalileoAdapter[] = []) {
  const processor = new GalileoSpanProcessor({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'handler-tests',
    adapters,
    logger: false,
  });
  const provider = new SdkTracerProvider({ spanProcessors: [processor] });
  return { processor, provider };
}

/** Runs `fn`, flushes, and returns the spans the sink received meanwhile. */
async function exported(provider: SdkTracerProvider, fn: () => Promise<unknown>) {
  const before = sink.spans().length;
  await fn();
  await provider.forceFlush();
  return sink.spans().slice(before);
}

const agent = () => createReactAgent({ llm: chat, tools: [lookupFacts], name: 'research_agent' });
const AGENT_TREE = [
  'invoke_agent research_agent [agent]',
  '  agent [workflow]',
  '    chat gpt-4.1-mini [llm]',
  '  tools [workflow]',
  '    execute_tool lookup_facts [tool]',
  '  agent [workflow]',
  '    chat gpt-4.1-mini [llm]',
].join('\n');

describe('langchainCallbackHandler() passed in callbacks', () => {
  it('traces the run it is given, with no adapter installed, under the active span', async () => {
    expect(CallbackManager._configureSync).toBe(originalConfigure);
    const { provider } = pipeline();
    const handler = langchainCallbackHandler({ tracerProvider: provider });
    const caller = provider.getTracer('app').startSpan('POST /ask');
    const spans = await exported(provider, async () => {
      await context.with(trace.setSpan(context.active(), caller), () =>
        agent().invoke(ask('Tell me about Voyager 1.'), { callbacks: [handler] }),
      );
      caller.end();
      // A run without the handler is not traced.
      await agent().invoke(ask('Tell me about Voyager 1.'));
    });
    expect(renderTree(spans)).toBe(`POST /ask [workflow]\n${AGENT_TREE.replace(/^/gm, '  ')}`);
    expect(handler.openRuns).toBe(0);
    await provider.shutdown();
  });

  it("ends a run's spans before the run returns, while another handler's background queue is stuck", async () => {
    const { provider } = pipeline();
    const handler = langchainCallbackHandler({ tracerProvider: provider });
    // An app handler that runs in LangChain's background queue (the default) and holds it.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = BaseCallbackHandler.fromMethods({ handleLLMStart: () => held });
    slow.awaitHandlers = false;
    try {
      await chat.invoke('Tell me about Voyager 1.', { callbacks: [slow, handler] });
      expect(handler.openRuns).toBe(0);
      await provider.forceFlush();
      expect(sink.spans().some((s) => s.name === 'chat gpt-4.1-mini')).toBe(true);
    } finally {
      release();
      await provider.shutdown();
    }
  });

  it('records no content with captureContent: false, and keeps names, usage and ids', async () => {
    const { provider } = pipeline();
    const handler = langchainCallbackHandler({ tracerProvider: provider, captureContent: false });
    const spans = await exported(provider, () =>
      agent().invoke(ask('Tell me about Voyager 1.'), { callbacks: [handler] }),
    );
    expect(renderTree(spans)).toBe(AGENT_TREE);
    const contentKeys = [
      'gen_ai.input.messages',
      'gen_ai.output.messages',
      'gen_ai.tool.call.arguments',
      'gen_ai.tool.call.result',
    ];
    for (const span of spans) {
      for (const key of contentKeys)
        expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
    }
    for (const span of spans.filter((s) => galileoKind(s) === 'llm')) {
      expect(span.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(span.attributes['gen_ai.response.id']).toMatch(/^chatcmpl-/);
    }
    const toolSpan = spans.find((s) => galileoKind(s) === 'tool') as OtlpSpan;
    expect(toolSpan.attributes['gen_ai.tool.call.id']).toMatch(/^call_/);
    await provider.shutdown();
  });

  it('marks the spans it ends early galileo.incomplete with a reason', async () => {
    const { provider } = pipeline();
    // Three open runs at most: the graph, its node, and the node's model call evict each other.
    const evicting = langchainCallbackHandler({ tracerProvider: provider, maxOpenRuns: 2 });
    const spans = await exported(provider, () =>
      agent().invoke(ask('Tell me about Voyager 1.'), { callbacks: [evicting] }),
    );
    const evicted = spans.filter((s) => s.attributes['galileo.incomplete'] === true);
    expect(evicted.length).toBeGreaterThan(0);
    for (const span of evicted)
      expect(span.attributes['galileo.incomplete.reason']).toBe('evicted');
    expect(evicting.openRuns).toBeLessThanOrEqual(2);

    // Given up on mid-run (what the adapter does at shutdown): the open spans end, marked.
    const handler = langchainCallbackHandler({ tracerProvider: provider });
    const stop = tool(
      async () => {
        handler.giveUpAll('shutdown');
        return 'stopped';
      },
      {
        name: 'lookup_facts',
        description: 'Look up facts about a topic',
        schema: z.object({ topic: z.string() }),
      },
    );
    const cut = await exported(provider, () =>
      createReactAgent({ llm: chat, tools: [stop], name: 'cut_short' }).invoke(
        ask('Tell me about Voyager 1.'),
        { callbacks: [handler] },
      ),
    );
    const marked = cut.filter((s) => s.attributes['galileo.incomplete'] === true);
    expect(marked.map((s) => s.name).sort()).toEqual(
      ['execute_tool lookup_facts', 'invoke_agent cut_short', 'tools'].sort(),
    );
    for (const span of marked)
      expect(span.attributes['galileo.incomplete.reason']).toBe('shutdown');
    expect(handler.openRuns).toBe(0);
    await provider.shutdown();
  });

  it('never throws into the app when tracing fails, and says so once', async () => {
    const warnings: string[] = [];
    const broken = {
      getTracer: () => {
        throw new Error('tracer exploded');
      },
    } as unknown as TracerProvider;
    const handler = langchainCallbackHandler({ tracerProvider: broken });
    const warn = console.warn;
    console.warn = (line: string) => warnings.push(String(line));
    try {
      const result = await agent().invoke(ask('Tell me about Voyager 1.'), {
        callbacks: [handler],
      });
      expect(String(result.messages.at(-1)?.content)).toContain('Here is what I found');
    } finally {
      console.warn = warn;
    }
    const lines = warnings.filter((w) => w.includes('tracer exploded'));
    expect(lines.length).toBeGreaterThan(0);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines[0]).toMatch(/^\[galileo-otel\] langchain: handle\w+ failed and was skipped/);
  });
});

describe('langchain() in a processor', () => {
  it('traces runs started anywhere, keeps one handler per run, and is removed at shutdown', async () => {
    const adapter = langchain();
    const { provider } = pipeline([adapter]);
    // The adapter writes to the global provider, as registerGalileo() sets it.
    trace.setGlobalTracerProvider(provider);
    expect(CallbackManager._configureSync).not.toBe(originalConfigure);
    const explicit = langchainCallbackHandler({ tracerProvider: provider });

    const spans = await exported(provider, async () => {
      // No callbacks: traced by the installed handler.
      await agent().invoke(ask('Tell me about Voyager 1.'));
      // An explicit Galileo handler too: the run gets one of them, not both.
      await agent().invoke(ask('Tell me about Voyager 1.'), { callbacks: [explicit] });
      // A plain chain at the top is a workflow span named after it.
      await RunnableLambda.from(async (x: string) => x.toUpperCase())
        .withConfig({ runName: 'shout' })
        .invoke('hello');
    });
    expect(renderTree(spans)).toBe(`${AGENT_TREE}\n${AGENT_TREE}\nshout [workflow]`);
    expect(adapter.openRuns).toBe(0);
    expect(explicit.openRuns).toBe(0);

    await provider.shutdown();
    expect(CallbackManager._configureSync).toBe(originalConfigure);
    const after = sink.spans().length;
    await agent().invoke(ask('Tell me about Voyager 1.'));
    expect(sink.spans().length).toBe(after);
  });
});
