import { GalileoSpanProcessor, type GalileoSpanProcessorOptions } from '@galileo-otel/core';
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { type SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DevServer,
  type SessionDetail,
  type StoredSpan,
  startDevServer,
  type TraceSummary,
} from './index.js';
import { otlpExporter, recordAgentTrace } from './test-support/agent-trace.js';

let server: DevServer;

beforeEach(async () => {
  server = await startDevServer({ port: 0, dbPath: ':memory:', apiKey: 'local-key' });
});

afterEach(async () => {
  await server.close();
});

describe("core's GalileoSpanProcessor against the local receiver", () => {
  it('delivers a two-service trace routed to its project and log stream', async () => {
    const recorded = await recordAgentTrace(
      (service) =>
        new GalileoSpanProcessor({
          apiKey: 'local-key',
          endpoint: server.otlpUrl,
          project: 'proc-project',
          logStream: service === 'planner' ? 'stream-a' : 'stream-b',
          scheduledDelayMillis: 50,
          maxExportBatchSize: 3,
          logger: false,
        }),
    );
    const spans = await server.store.waitForSpans(recorded.traceId, recorded.spanCount, 10_000);
    expect(spans.map((s) => s.kind).sort()).toEqual([
      'agent',
      'agent',
      'llm',
      'llm',
      'retriever',
      'tool',
      'tool',
      'workflow',
    ]);
    expect(new Set(spans.map((s) => s.project))).toEqual(new Set(['proc-project']));
    const byService = new Map(spans.map((s) => [s.serviceName, s.logStream]));
    expect(byService.get('planner')).toBe('stream-a');
    expect(byService.get('researcher')).toBe('stream-b');
    expect(spans.find((s) => s.name === 'invoke_agent researcher')?.parentSpanId).toBe(
      recorded.ids.agent,
    );
    expect(spans.filter((s) => s.orphan)).toEqual([]);

    const res = await fetch(`${server.url}/api/traces?project=proc-project&logstream=stream-b`);
    const list = (await res.json()) as TraceSummary[];
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ traceId: recorded.traceId, spanCount: 3, errorCount: 0 });
  });

  it('is refused with a wrong key and stores nothing', async () => {
    const processors: GalileoSpanProcessor[] = [];
    const recorded = await recordAgentTrace(() => {
      const processor = new GalileoSpanProcessor({
        apiKey: 'wrong-key',
        endpoint: server.otlpUrl,
        scheduledDelayMillis: 50,
        logger: false,
      });
      processors.push(processor);
      return processor;
    });
    // The processor did send (and was refused): the receiver, not the client, stored nothing.
    const stats = processors.map((p) => p.stats());
    expect(stats.reduce((n, s) => n + s.exportRequests, 0)).toBeGreaterThan(0);
    expect(stats.reduce((n, s) => n + s.spansFailed, 0)).toBe(recorded.spanCount);
    expect(server.store.getTrace(recorded.traceId)).toEqual([]);
    expect(server.store.countSpans()).toBe(0);
  });
});

/** One service's turn: a root span with a child, exported through `processor`; its trace id. */
async function turn(service: string, processor: SpanProcessor, startTime: number): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('turns');
  const root = tracer.startSpan(`turn ${service}`, {
    startTime,
    attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': service },
  });
  tracer
    .startSpan('step', { startTime: startTime + 10 }, trace.setSpan(context.active(), root))
    .end(startTime + 20);
  root.end(startTime + 30);
  await provider.shutdown();
  return root.spanContext().traceId;
}

describe('each destination of the real processor, received by its contract', () => {
  const processor = (options: GalileoSpanProcessorOptions) =>
    new GalileoSpanProcessor({
      apiKey: 'local-key',
      sessionId: 'conv-3',
      logger: false,
      flushOnExit: false,
      ...options,
    });

  it('stores each with its contract, its routing and one session across them', async () => {
    const base = Date.now() - 10_000;
    const galileo = await turn(
      'galileo-svc',
      processor({ endpoint: server.otlpUrl, project: 'g-project', logStream: 'g-stream' }),
      base,
    );
    const splunkAo = await turn(
      'splunk-ao-svc',
      processor({
        destination: 'splunk-ao',
        apiUrl: server.url,
        project: 'ao-project',
        logStream: 'ao-stream',
      }),
      base + 1000,
    );
    const o11y = await turn(
      'o11y-svc',
      processor({
        destination: 'splunk-o11y',
        endpoint: `${server.url}/v2/trace/otlp`,
        projectId: 'p-42',
        experimentId: 'exp-1',
      }),
      base + 2000,
    );

    const stored = (traceId: string): StoredSpan[] => server.store.getTrace(traceId);
    expect(stored(galileo)).toHaveLength(2);
    expect(stored(galileo)[0]).toMatchObject({
      contract: 'galileo',
      project: 'g-project',
      logStream: 'g-stream',
      sessionId: 'conv-3',
      resource: { 'galileo.project.name': 'g-project' },
    });
    expect(stored(splunkAo)[0]).toMatchObject({
      contract: 'splunk-ao',
      project: 'ao-project',
      logStream: 'ao-stream',
      sessionId: 'conv-3',
      resource: { 'splunk_ao.project.name': 'ao-project' },
    });
    expect(stored(o11y)[0]).toMatchObject({
      contract: 'splunk-o11y',
      project: 'p-42',
      logStream: null,
      experimentId: 'exp-1',
      sessionId: 'conv-3',
      resource: { 'splunk_ao.project.id': 'p-42', 'splunk_ao.experiment.id': 'exp-1' },
    });
    // Each root carries the conversation root mark, and every span the session.
    for (const traceId of [galileo, splunkAo, o11y]) {
      const [root, child] = stored(traceId);
      expect(root?.attributes['gen_ai.conversation_root']).toBe(true);
      expect(child?.attributes['gen_ai.conversation.id']).toBe('conv-3');
    }

    const list = (await (await fetch(`${server.url}/api/traces`)).json()) as TraceSummary[];
    expect(Object.fromEntries(list.map((t) => [t.traceId, t.contract]))).toEqual({
      [galileo]: 'galileo',
      [splunkAo]: 'splunk-ao',
      [o11y]: 'splunk-o11y',
    });
    const session = (await (
      await fetch(`${server.url}/api/sessions/conv-3`)
    ).json()) as SessionDetail;
    expect(session).toMatchObject({
      traceCount: 3,
      services: ['galileo-svc', 'o11y-svc', 'splunk-ao-svc'],
      contracts: ['galileo', 'splunk-ao', 'splunk-o11y'],
    });
    expect(session.traces.map((t) => t.traceId)).toEqual([galileo, splunkAo, o11y]);
  });

  it("joins a plain OTel service's gen_ai.conversation.id to our session", async () => {
    const base = Date.now() - 10_000;
    const ours = await turn('node-svc', processor({ endpoint: server.otlpUrl }), base + 500);
    // What a Python service on the Splunk AO SDK sends: OTLP with Splunk-AO-API-Key, routing on
    // its Resource, and only gen_ai.conversation.id on its spans. It started first.
    const provider = new TracerProvider({
      resource: resourceFromAttributes({
        'service.name': 'python-svc',
        'splunk_ao.project.name': 'py-project',
      }),
      spanProcessors: [
        otlpExporter(`${server.url}/otel/v1/traces`, { 'Splunk-AO-API-Key': 'local-key' })(''),
      ],
    });
    const span = provider.getTracer('py').startSpan('python turn', {
      startTime: base,
      attributes: { 'gen_ai.conversation.id': 'conv-3' },
    });
    span.end(base + 100);
    await provider.shutdown();

    const session = (await (
      await fetch(`${server.url}/api/sessions/conv-3`)
    ).json()) as SessionDetail;
    expect(session.services).toEqual(['node-svc', 'python-svc']);
    expect(session.traces.map((t) => [t.traceId, t.contract, t.project])).toEqual([
      [span.spanContext().traceId, 'splunk-ao', 'py-project'],
      [ours, 'galileo', 'default'],
    ]);
  });
});
