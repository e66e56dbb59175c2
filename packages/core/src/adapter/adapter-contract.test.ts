import { EventEmitter } from 'node:events';
import {
  type Span as ApiSpan,
  type Context,
  context,
  ROOT_CONTEXT,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { agentAttributes, agentSpanName, toolAttributes } from '../attributes/genai-shapes.js';
import { galileoKind } from '../kinds/galileo-kind.js';
import { spanNamed, startWireHarness, type WireHarness } from '../test-support/wire-harness.js';
import type { AdapterHost, GalileoAdapter } from './galileo-adapter.js';

const open: WireHarness[] = [];
async function harness(adapters: GalileoAdapter[]): Promise<WireHarness> {
  const started = await startWireHarness({ adapters });
  open.push(started);
  return started;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
  trace.disable();
});

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => context.disable());

const nameOf = (span: Span) => (span as unknown as ReadableSpan).name;

/**
 * A framework with its own event model (like OpenAI Agents or Mastra): runs start, call tools
 * and finish through events, and events arrive outside the caller's async context.
 */
class FakeAgentFramework extends EventEmitter {
  run(agent: string, tools: string[]): Promise<void> {
    return new Promise((resolve) => {
      this.emit('run:start', { runId: 'r1', agent });
      // A timer callback sees the root context, as framework callbacks often do.
      setTimeout(() => {
        context.with(ROOT_CONTEXT, () => {
          for (const tool of tools) this.emit('tool', { runId: 'r1', tool });
          this.emit('run:end', { runId: 'r1', output: `${agent} done` });
          resolve();
        });
      }, 5);
    });
  }
}

/** A bridge adapter: creates OTel spans from the framework's events through the global tracer. */
class FakeBridge implements GalileoAdapter {
  readonly name = 'fake-bridge';
  host: AdapterHost | undefined;
  installs = 0;
  readonly #framework: FakeAgentFramework;
  readonly #runs = new Map<string, { span: ApiSpan; context: Context }>();

  constructor(framework: FakeAgentFramework) {
    this.#framework = framework;
  }

  install(host: AdapterHost): void {
    this.installs++;
    this.host = host;
    this.#framework.on('run:start', ({ runId, agent }) => {
      // Parent on the context active when the run started: the run joins the caller's trace.
      const parent = context.active();
      const span = trace
        .getTracer('fake-bridge')
        .startSpan(agentSpanName(agent), { attributes: agentAttributes({ name: agent }) }, parent);
      this.#runs.set(runId, { span, context: trace.setSpan(parent, span) });
    });
    this.#framework.on('tool', ({ runId, tool }) => {
      const run = this.#runs.get(runId);
      trace
        .getTracer('fake-bridge')
        .startSpan(
          `execute_tool ${tool}`,
          { attributes: toolAttributes({ name: tool }) },
          run?.context,
        )
        .end();
    });
    this.#framework.on('run:end', ({ runId }) => {
      this.#runs.get(runId)?.span.end();
      this.#runs.delete(runId);
    });
  }
}

describe('bridge adapters', () => {
  it('installs once with the default routing and joins the caller trace from framework events', async () => {
    const framework = new FakeAgentFramework();
    const bridge = new FakeBridge(framework);
    const { provider, tracer, flushSpans } = await harness([bridge]);
    trace.setGlobalTracerProvider(provider);
    expect(bridge.installs).toBe(1);
    expect(bridge.host?.routing).toEqual({
      project: 'harness-project',
      logStream: 'harness-stream',
      experimentId: undefined,
    });

    await tracer.startActiveSpan('POST /ask', async (request) => {
      await framework.run('planner', ['search', 'calculator']);
      request.end();
    });
    const spans = await flushSpans();

    const request = spanNamed(spans, 'POST /ask');
    const agent = spanNamed(spans, 'invoke_agent planner');
    expect(agent.parentSpanId).toBe(request.spanId);
    expect(agent.traceId).toBe(request.traceId);
    expect(galileoKind(agent)).toBe('agent');
    for (const tool of ['search', 'calculator']) {
      const span = spanNamed(spans, `execute_tool ${tool}`);
      expect(span.parentSpanId).toBe(agent.spanId);
      expect(span.traceId).toBe(request.traceId);
      expect(galileoKind(span)).toBe('tool');
    }
  });

  it('sends adapter log lines to the processor logger, once per key', async () => {
    const chatty: GalileoAdapter = {
      name: 'chatty',
      install: (host) => {
        host.log('unsupported', 'framework version 0.1 is not supported');
        host.log('unsupported', 'framework version 0.1 is not supported');
      },
    };
    const { warnings } = await harness([chatty]);
    expect(warnings).toEqual(['[galileo-otel] framework version 0.1 is not supported']);
  });
});

describe('translate-style adapter hooks', () => {
  it('exports a span under the parent that onStart names', async () => {
    // A framework that hangs tool spans under the llm span that requested them.
    const moveTools: GalileoAdapter = {
      name: 'move-tools',
      onStart: (span, parentContext) => {
        if (!nameOf(span).startsWith('execute_tool')) return undefined;
        const llm = trace.getSpan(parentContext) as unknown as ReadableSpan | undefined;
        return llm?.parentSpanContext ? { parentSpanId: llm.parentSpanContext.spanId } : undefined;
      },
    };
    const { tracer, flushSpans } = await harness([moveTools]);
    const agent = tracer.startSpan('invoke_agent a');
    const llm = tracer.startSpan('chat m', {}, trace.setSpan(ROOT_CONTEXT, agent));
    const tool = tracer.startSpan('execute_tool t', {}, trace.setSpan(ROOT_CONTEXT, llm));
    const nested = tracer.startSpan('tool-internals', {}, trace.setSpan(ROOT_CONTEXT, tool));
    for (const span of [nested, tool, llm, agent]) span.end();
    const spans = await flushSpans();

    const agentId = agent.spanContext().spanId;
    expect(spanNamed(spans, 'execute_tool t').parentSpanId).toBe(agentId);
    expect(spanNamed(spans, 'chat m').parentSpanId).toBe(agentId);
    // The moved span keeps its own children.
    expect(spanNamed(spans, 'tool-internals').parentSpanId).toBe(tool.spanContext().spanId);
  });

  it('takes the re-parenting of a later adapter when an earlier one has no opinion', async () => {
    const silent: GalileoAdapter = { name: 'silent', onStart: () => undefined };
    let target = '';
    const mover: GalileoAdapter = {
      name: 'mover',
      onStart: (span) => (nameOf(span) === 'moved' ? { parentSpanId: target } : undefined),
    };
    const { tracer, flushSpans } = await harness([silent, mover]);
    const root = tracer.startSpan('root');
    target = root.spanContext().spanId;
    const middle = tracer.startSpan('middle', {}, trace.setSpan(ROOT_CONTEXT, root));
    const moved = tracer.startSpan('moved', {}, trace.setSpan(ROOT_CONTEXT, middle));
    for (const span of [moved, middle, root]) span.end();
    expect(spanNamed(await flushSpans(), 'moved').parentSpanId).toBe(target);
  });

  it('lets onEnding change a span while it can still be changed', async () => {
    const stamping: GalileoAdapter = {
      name: 'stamping',
      onEnding: (span) => {
        span.setAttribute('adapter.saw_ending', true);
        span.updateName(`${nameOf(span)} (finished)`);
      },
    };
    const { tracer, flushSpans } = await harness([stamping]);
    tracer.startSpan('work').end();
    const span = spanNamed(await flushSpans(), 'work (finished)');
    expect(span.attributes['adapter.saw_ending']).toBe(true);
  });

  it('keeps exporting when onEnding throws, and counts the hook error', async () => {
    const broken: GalileoAdapter = {
      name: 'broken-ending',
      onEnding: () => {
        throw new Error('onEnding bug');
      },
    };
    const { processor, tracer, flushSpans, warnings } = await harness([broken]);
    tracer.startSpan('survives').end();
    expect(spanNamed(await flushSpans(), 'survives').name).toBe('survives');
    expect(processor.stats().hookErrors).toBe(1);
    expect(warnings.filter((w) => w.includes('broken-ending.onEnding'))).toHaveLength(1);
  });
});

/** A bridge that keeps run spans open until it is flushed or shut down. */
class HoldingBridge implements GalileoAdapter {
  readonly name = 'holding';
  readonly calls: string[] = [];
  tracer: Tracer | undefined;
  readonly #open: ApiSpan[] = [];
  begin(name: string): void {
    if (!this.tracer) throw new Error('set the tracer first');
    this.#open.push(this.tracer.startSpan(name));
  }
  async forceFlush(): Promise<void> {
    this.calls.push('forceFlush');
    await new Promise((r) => setTimeout(r, 5));
    for (const span of this.#open.splice(0)) span.end();
  }
  async shutdown(): Promise<void> {
    this.calls.push('shutdown');
    for (const span of this.#open.splice(0)) span.end();
  }
}

describe('adapter flush and shutdown', () => {
  it('flushes the adapter first, so spans it ends then go out in the same forceFlush', async () => {
    const bridge = new HoldingBridge();
    const { provider, sink } = await harness([bridge]);
    bridge.tracer = provider.getTracer('holding');
    bridge.begin('run-open-at-flush');
    await provider.forceFlush();
    expect(bridge.calls).toEqual(['forceFlush']);
    expect(sink.spans().map((s) => s.name)).toEqual(['run-open-at-flush']);
  });

  it('shuts the adapter down before the final flush, exporting the runs it closes', async () => {
    const bridge = new HoldingBridge();
    const { provider, sink } = await harness([bridge]);
    bridge.tracer = provider.getTracer('holding');
    bridge.begin('run-open-at-shutdown');
    await provider.shutdown();
    // shutdown() ends with a flush, which flushes the adapter again after shutting it down.
    expect(bridge.calls).toEqual(['shutdown', 'forceFlush']);
    expect(sink.spans().map((s) => s.name)).toEqual(['run-open-at-shutdown']);
  });

  it('still flushes queued spans when an adapter forceFlush rejects', async () => {
    const failing: GalileoAdapter = {
      name: 'failing-flush',
      forceFlush: () => Promise.reject(new Error('flush bug')),
      shutdown: () => Promise.reject(new Error('shutdown bug')),
    };
    const { processor, tracer, flushSpans, warnings } = await harness([failing]);
    tracer.startSpan('queued').end();
    expect((await flushSpans()).map((s) => s.name)).toEqual(['queued']);
    expect(processor.stats().hookErrors).toBe(1);
    expect(warnings.some((w) => w.includes('failing-flush.forceFlush failed'))).toBe(true);
  });
});
