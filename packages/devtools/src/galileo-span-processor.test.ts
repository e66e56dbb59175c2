import { GalileoSpanProcessor } from '@galileo-otel/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DevServer, startDevServer, type TraceSummary } from './index.js';
import { recordAgentTrace } from './test-support/agent-trace.js';

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
