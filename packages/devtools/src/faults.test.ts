import { createServer as createHttpServer, get, type Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { type GalileoProcessorOptions, GalileoSpanProcessor } from '@galileo-otel/core';
import { context, trace } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DevServer,
  type IngestStats,
  type StoredSpan,
  startDevServer,
  type TraceSummary,
} from './index.js';
import { type FaultProxy, type FaultStep, startFaultProxy } from './test-support/fault-proxy.js';

// The faults of core's fault-injection suite, against the real local receiver: spans are stored
// in SQLite and deduplicated by (trace id, span id), so a lost answer shows as counted
// duplicates rather than as extra rows.

const API_KEY = 'local-fault-key';
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function receiver(options: { port?: number; maxBodyBytes?: number } = {}) {
  const server = await startDevServer({ port: 0, dbPath: ':memory:', apiKey: API_KEY, ...options });
  closers.push(() => server.close());
  return server;
}

async function proxyTo(server: DevServer): Promise<FaultProxy> {
  const proxy = await startFaultProxy(server.otlpUrl);
  closers.push(() => proxy.close());
  return proxy;
}

function pipeline(endpoint: string, options: GalileoProcessorOptions = {}) {
  const warnings: string[] = [];
  const processor = new GalileoSpanProcessor({
    apiKey: API_KEY,
    endpoint,
    project: 'faults',
    logStream: 'local',
    scheduledDelayMillis: 20,
    logger: { warn: (line) => warnings.push(line) },
    ...options,
  });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  closers.push(() => provider.shutdown());
  const tracer = provider.getTracer('faults');
  /** One trace: a root and `count - 1` children; returns its id and every span id. */
  const emit = (count: number, attributes: Record<string, string> = {}) => {
    const root = tracer.startSpan('batch root', { attributes });
    const parent = trace.setSpan(context.active(), root);
    const ids = [root.spanContext().spanId];
    for (let i = 1; i < count; i++) {
      const child = tracer.startSpan(`child ${i}`, { attributes }, parent);
      child.end();
      ids.push(child.spanContext().spanId);
    }
    root.end();
    return { traceId: root.spanContext().traceId, ids };
  };
  return { processor, provider, tracer, emit, warnings };
}

async function getJson<T>(server: DevServer, path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** The span ids the receiver serves for a trace, as a user reads them from the API. */
async function storedIds(server: DevServer, traceId: string): Promise<string[]> {
  const res = await fetch(`${server.url}/api/traces/${traceId}`);
  if (res.status === 404) return [];
  const { spans } = (await res.json()) as { spans: StoredSpan[] };
  return spans.map((s) => s.spanId);
}

/** Every emitted span id is stored, once, and nothing else is in the trace. */
async function expectStoredOnce(server: DevServer, traceId: string, ids: string[]) {
  const stored = await storedIds(server, traceId);
  expect(stored.length).toBe(ids.length);
  expect([...stored].sort()).toEqual([...ids].sort());
  const list = await getJson<TraceSummary[]>(server, '/api/traces?project=faults&logstream=local');
  expect(list.find((t) => t.traceId === traceId)?.spanCount).toBe(ids.length);
}

const receiverStats = (server: DevServer) => getJson<IngestStats>(server, '/api/stats');

async function freePort(): Promise<number> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** Polls (the loop keeps running) until `ready()` holds; the test timeout bounds it. */
async function until(ready: () => boolean): Promise<void> {
  while (!ready()) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe('delivery to the local receiver under faults', () => {
  it('stores every span once through a burst of 503s the receiver never saw', async () => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    const busy: FaultStep = { do: 'answer', status: 503, headers: { 'retry-after': '0' } };
    proxy.script(busy, busy, busy);
    const { processor, provider, emit } = pipeline(proxy.url);
    const { traceId, ids } = emit(30);
    await provider.forceFlush();

    await expectStoredOnce(server, traceId, ids);
    expect(proxy.requests.map((r) => r.upstreamStatus)).toEqual([
      undefined,
      undefined,
      undefined,
      200,
    ]);
    expect(await receiverStats(server)).toMatchObject({
      acceptedRequests: 1,
      insertedSpans: 30,
      duplicateSpans: 0,
    });
    expect(processor.stats()).toMatchObject({
      spansExported: 30,
      spansFailed: 0,
      spansDropped: 0,
      exportRequests: 4,
      exportRetries: 3,
    });
  });

  it('retries a 429 with Retry-After and stores every span once', async () => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    proxy.script({ do: 'answer', status: 429, headers: { 'retry-after': '1' } });
    const { processor, provider, emit } = pipeline(proxy.url);
    const { traceId, ids } = emit(12);
    await provider.forceFlush();

    await expectStoredOnce(server, traceId, ids);
    expect(proxy.requests).toHaveLength(2);
    expect(await receiverStats(server)).toMatchObject({ acceptedRequests: 1, duplicateSpans: 0 });
    expect(processor.stats()).toMatchObject({
      spansExported: 12,
      spansFailed: 0,
      spansDropped: 0,
      exportRetries: 1,
    });
  });

  it('splits batches over the receiver body limit, and drops only a span too large alone', async () => {
    // The receiver's own 413 (refused from Content-Length, before reading the body).
    const server = await receiver({ maxBodyBytes: 4096 });
    const proxy = await proxyTo(server);
    const { processor, provider, tracer, emit, warnings } = pipeline(proxy.url, {
      maxExportBatchSize: 1000,
    });
    const { traceId, ids } = emit(40, { payload: 'p'.repeat(300) });
    const huge = tracer.startSpan('huge', { attributes: { payload: 'h'.repeat(8000) } });
    huge.end();
    await provider.forceFlush();

    await expectStoredOnce(server, traceId, ids);
    expect(await storedIds(server, huge.spanContext().traceId)).toEqual([]);
    const stats = await receiverStats(server);
    expect(stats.refusedRequests).toBeGreaterThan(1);
    expect(stats).toMatchObject({ insertedSpans: 40, duplicateSpans: 0 });
    expect(proxy.requests.every((r) => r.upstreamStatus === 200 || r.upstreamStatus === 413)).toBe(
      true,
    );
    expect(processor.stats()).toMatchObject({
      spansExported: 40,
      spansOversized: 1,
      spansFailed: 0,
      spansDropped: 0,
      exportRetries: 0,
    });
    expect(warnings.some((w) => w.includes('(413)'))).toBe(true);
  });

  it('splits a batch on a 413 from a gateway in front of the receiver', async () => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    proxy.script({ do: 'answer', status: 413 });
    const { processor, provider, emit } = pipeline(proxy.url);
    const { traceId, ids } = emit(20);
    await provider.forceFlush();

    await expectStoredOnce(server, traceId, ids);
    expect(proxy.requests.map((r) => r.upstreamStatus)).toEqual([undefined, 200, 200]);
    expect(processor.stats()).toMatchObject({ spansExported: 20, spansFailed: 0 });
  });

  it.each([
    ['answered 503 instead', '503'],
    ['lost to a connection reset', 'reset'],
    ['stalled past the attempt timeout', 'stall'],
  ] as const)(
    'stores a batch whose answer was %s once, and counts the retry as duplicates',
    async (_, as) => {
      const server = await receiver();
      const proxy = await proxyTo(server);
      proxy.script({ do: 'lose', as });
      // 4 s budget: one attempt gets a third of it, so a stalled one is retried within it.
      const { processor, provider, emit } = pipeline(proxy.url, { exportTimeoutMillis: 4000 });
      const { traceId, ids } = emit(25);
      await provider.forceFlush();

      await expectStoredOnce(server, traceId, ids);
      // The receiver stored the first attempt; only its answer was lost. The retry resent the
      // same bytes, so it could only ever be the same spans again.
      expect(proxy.requests.map((r) => r.upstreamStatus)).toEqual([200, 200]);
      expect(proxy.requests[1]?.sha256).toBe(proxy.requests[0]?.sha256);
      expect(await receiverStats(server)).toEqual({
        acceptedRequests: 2,
        refusedRequests: 0,
        insertedSpans: 25,
        duplicateSpans: 25,
        rejectedSpans: 0,
      });
      expect(processor.stats()).toMatchObject({
        spansExported: 25,
        spansFailed: 0,
        spansDropped: 0,
        exportRequests: 2,
        exportRetries: 1,
      });
    },
  );

  it('counts spans as failed when no answer came back in time, though the receiver stored them', async () => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    proxy.otherwise({ do: 'lose', as: 'stall' });
    const { processor, provider, emit, warnings } = pipeline(proxy.url, {
      exportTimeoutMillis: 2000,
    });
    const { traceId, ids } = emit(10);
    await provider.forceFlush();

    // The client cannot know the spans landed, so it says so; the receiver stored them once.
    await expectStoredOnce(server, traceId, ids);
    const attempts = proxy.requests.length;
    expect(attempts).toBeGreaterThanOrEqual(1);
    expect(new Set(proxy.requests.map((r) => r.sha256)).size).toBe(1);
    expect(await receiverStats(server)).toMatchObject({
      acceptedRequests: attempts,
      insertedSpans: 10,
      duplicateSpans: (attempts - 1) * 10,
    });
    expect(processor.stats()).toMatchObject({
      spansExported: 0,
      spansFailed: 10,
      exportRequests: attempts,
      exportRetries: attempts - 1,
    });
    expect(warnings.some((w) => /timed out|gave up/.test(w))).toBe(true);
  });

  it('delivers every span once after the receiver comes up, when it was down at start', async () => {
    const port = await freePort();
    const { processor, provider, emit } = pipeline(`http://127.0.0.1:${port}/otel/traces`, {
      exportTimeoutMillis: 15_000,
    });
    const { traceId, ids } = emit(10);
    const flushed = provider.forceFlush();
    // Nothing listens: the first attempt is refused and the exporter backs off.
    await until(() => processor.stats().exportRetries >= 1);
    expect(processor.stats().spansExported).toBe(0);
    const server = await receiver({ port });
    await flushed;

    await expectStoredOnce(server, traceId, ids);
    expect(await receiverStats(server)).toMatchObject({ acceptedRequests: 1, duplicateSpans: 0 });
    expect(processor.stats()).toMatchObject({
      spansExported: 10,
      spansFailed: 0,
      spansDropped: 0,
    });
  });

  it('keeps the queue bounded while the receiver holds every request, and stores what it counts as exported', async () => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    proxy.otherwise({ do: 'hold' });
    const { processor, provider, emit } = pipeline(proxy.url, {
      maxQueueSize: 200,
      maxExportBatchSize: 50,
    });
    const traces: { traceId: string; ids: string[] }[] = [];
    let peakQueue = 0;
    for (let round = 0; round < 20; round++) {
      traces.push(emit(100));
      peakQueue = Math.max(peakQueue, processor.stats().queueLength);
      await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => proxy.held() === 2);
    expect(peakQueue).toBeLessThanOrEqual(200);
    proxy.release();
    await provider.forceFlush();

    const stats = processor.stats();
    expect(stats.spansQueued + stats.spansDropped).toBe(2000);
    expect(stats.spansDropped).toBeGreaterThan(0);
    expect(stats).toMatchObject({ spansExported: stats.spansQueued, spansFailed: 0 });
    const emitted = new Set(traces.flatMap((t) => t.ids));
    const stored: string[] = [];
    for (const { traceId } of traces) stored.push(...(await storedIds(server, traceId)));
    expect(new Set(stored).size).toBe(stored.length);
    expect(stored.every((id) => emitted.has(id))).toBe(true);
    expect(stored.length).toBe(stats.spansExported);
    expect(await receiverStats(server)).toMatchObject({
      insertedSpans: stats.spansExported,
      duplicateSpans: 0,
    });
  });
});

describe("the app's requests during faults", () => {
  interface Fault {
    start(proxy: FaultProxy): void;
    /** The export is in flight and stuck: nothing of it has reached the receiver yet. */
    stuck(proxy: FaultProxy, processor: GalileoSpanProcessor): boolean;
    end(proxy: FaultProxy): void;
  }
  const faults: [string, Fault][] = [
    [
      'holds every export request open',
      {
        start: (proxy) => proxy.otherwise({ do: 'hold' }),
        stuck: (proxy) => proxy.held() >= 1 && proxy.requests.every((r) => !r.upstreamStatus),
        end: (proxy) => proxy.release(),
      },
    ],
    [
      'answers every export with 503 and Retry-After',
      {
        start: (proxy) =>
          proxy.otherwise({ do: 'answer', status: 503, headers: { 'retry-after': '1' } }),
        stuck: (proxy, processor) =>
          processor.stats().exportRetries >= 1 && proxy.requests.every((r) => !r.upstreamStatus),
        end: (proxy) => proxy.otherwise({ do: 'pass' }),
      },
    ],
  ];

  it.each(faults)('are all answered while the receiver %s', async (_, fault) => {
    const server = await receiver();
    const proxy = await proxyTo(server);
    fault.start(proxy);
    const { processor, provider, tracer, emit } = pipeline(proxy.url, {
      exportTimeoutMillis: 30_000,
    });
    const warmup = emit(5);
    await until(() => fault.stuck(proxy, processor));

    const traces: { traceId: string; ids: string[] }[] = [warmup];
    const endings: { returned: unknown; queuedBy: number }[] = [];
    const app: Server = createHttpServer((req, res) => {
      const span = tracer.startSpan(`GET ${req.url}`);
      const work = tracer.startSpan('work', {}, trace.setSpan(context.active(), span));
      work.end();
      const before = processor.stats().spansQueued;
      const returned = span.end();
      endings.push({ returned, queuedBy: processor.stats().spansQueued - before });
      traces.push({
        traceId: span.spanContext().traceId,
        ids: [span.spanContext().spanId, work.spanContext().spanId],
      });
      res.end('ok');
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => app.close(() => resolve())));
    const { port } = app.address() as { port: number };

    let ticks = 0;
    let spinning = true;
    const spin = () => {
      ticks++;
      if (spinning) setImmediate(spin);
    };
    setImmediate(spin);

    const answered: { status: number; ticks: number; stuck: boolean; exported: number }[] = [];
    for (let i = 0; i < 40; i++) {
      const status = await new Promise<number>((resolve, reject) => {
        get(`http://127.0.0.1:${port}/r/${i}`, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        }).on('error', reject);
      });
      answered.push({
        status,
        ticks,
        stuck: fault.stuck(proxy, processor),
        exported: processor.stats().spansExported,
      });
    }
    spinning = false;

    // Every app request was answered while the export was still stuck.
    expect(answered.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(answered.every((a) => a.stuck && a.exported === 0)).toBe(true);
    // span.end() returned synchronously, with the span already queued.
    expect(endings).toHaveLength(40);
    expect(endings.every((e) => e.returned === undefined && e.queuedBy === 1)).toBe(true);
    // The event loop kept turning between every two responses.
    for (let i = 1; i < answered.length; i++) {
      expect(answered[i]?.ticks).toBeGreaterThan(answered[i - 1]?.ticks ?? 0);
    }
    expect(answered[0]?.ticks).toBeGreaterThan(0);

    fault.end(proxy);
    await provider.forceFlush();
    for (const { traceId, ids } of traces) await expectStoredOnce(server, traceId, ids);
    expect(await receiverStats(server)).toMatchObject({ insertedSpans: 85, duplicateSpans: 0 });
    expect(processor.stats()).toMatchObject({
      spansExported: 85,
      spansFailed: 0,
      spansDropped: 0,
    });
  });
});
