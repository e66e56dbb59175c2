import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { decodeTraceRequest, type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GalileoAttributes as G } from '../attributes/attribute-names.js';
import { GalileoOtlpExporter } from './galileo-otlp-exporter.js';

const KEY = 'gal-exporter-key-0123456789';
let sink: OtlpSink;
beforeEach(async () => {
  sink = await startOtlpSink();
});
afterEach(async () => {
  await sink.close();
});

function exporter(options: ConstructorParameters<typeof GalileoOtlpExporter>[0] = {}) {
  return new GalileoOtlpExporter({
    apiKey: KEY,
    endpoint: sink.url,
    project: 'exp-project',
    logStream: 'exp-stream',
    logger: false,
    ...options,
  });
}

describe('GalileoOtlpExporter with a stock BatchSpanProcessor', () => {
  it('sends OTLP protobuf with the headers, one request per routing group, routing in the Resource', async () => {
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'bsp-app' }),
      spanProcessors: [new BatchSpanProcessor({ exporter: exporter() })],
    });
    const tracer = provider.getTracer('app');
    tracer.startSpan('default-route').end();
    tracer.startSpan('other-project', { attributes: { [G.PROJECT]: 'elsewhere' } }).end();
    await provider.forceFlush();
    await provider.shutdown();

    expect(sink.requests).toHaveLength(2);
    const byProject = Object.fromEntries(
      sink.requests.map((r) => [String(r.headers.project), r] as const),
    );
    expect(byProject['exp-project']?.headers).toMatchObject({
      'galileo-api-key': KEY,
      logstream: 'exp-stream',
      'content-type': 'application/x-protobuf',
    });
    expect(byProject.elsewhere?.spans.map((s) => s.name)).toEqual(['other-project']);
    const span = sink.spans().find((s) => s.name === 'default-route');
    expect(span?.resource).toMatchObject({
      'service.name': 'bsp-app',
      [G.PROJECT]: 'exp-project',
      [G.LOG_STREAM]: 'exp-stream',
    });
  });

  it('redacts on the way out, as the processor does', async () => {
    const provider = new TracerProvider({
      spanProcessors: [new BatchSpanProcessor({ exporter: exporter() })],
    });
    provider
      .getTracer('app')
      .startSpan(`leaky ${KEY}`, {
        attributes: {
          password: 'hunter2',
          note: `key=${KEY}`,
          'http.request.header.authorization': 'Bearer abcdefghijk',
        },
      })
      .end();
    await provider.shutdown();
    const [span] = sink.spans();
    expect(span?.name).toBe('leaky [REDACTED]');
    expect(span?.attributes).toMatchObject({
      password: '[REDACTED]',
      note: 'key=[REDACTED]',
      'http.request.header.authorization': '[REDACTED]',
    });
  });
});

describe('GalileoOtlpExporter as a SpanExporter', () => {
  function ended(count: number) {
    const memory = new InMemorySpanExporter();
    const provider = new TracerProvider({
      spanProcessors: [new SimpleSpanProcessor({ exporter: memory })],
    });
    for (let i = 0; i < count; i++) provider.getTracer('t').startSpan(`s${i}`).end();
    return memory.getFinishedSpans();
  }

  function exportOnce(target: GalileoOtlpExporter, spans: ReturnType<typeof ended>) {
    return new Promise<{ code: ExportResultCode; error?: Error }>((resolve) =>
      target.export(spans, resolve),
    );
  }

  it('reports SUCCESS when every span was delivered and FAILED with the count otherwise', async () => {
    const target = exporter();
    expect(await exportOnce(target, ended(3))).toEqual({ code: ExportResultCode.SUCCESS });
    sink.script({ status: 400, body: '{"detail":"bad"}' });
    const failed = await exportOnce(target, ended(2));
    expect(failed.code).toBe(ExportResultCode.FAILED);
    expect(failed.error?.message).toBe('2 of 2 spans were not delivered');
    expect(target.stats()).toMatchObject({ spansExported: 3, spansFailed: 2 });
  });

  it('refuses exports after shutdown, and waits for those in flight first', async () => {
    const target = exporter();
    sink.script({ status: 200, delayMs: 50 });
    const inFlight = exportOnce(target, ended(1));
    await target.shutdown();
    expect((await inFlight).code).toBe(ExportResultCode.SUCCESS);
    const late = await exportOnce(target, ended(1));
    expect(late.code).toBe(ExportResultCode.FAILED);
    expect(late.error?.message).toBe('the Galileo exporter is shut down');
    expect(sink.spans()).toHaveLength(1);
  });

  it('fails at construction without an API key, naming the variable', () => {
    expect(() => new GalileoOtlpExporter({ endpoint: sink.url })).toThrow(/GALILEO_API_KEY/);
  });
});

describe('GalileoOtlpExporter with gzip', () => {
  // The raw body, before any gunzip: what the level changes.
  const turns = Array.from({ length: 200 }, (_, i) => `turn ${i % 17}: the tool said ${i}`);

  async function gzippedBody(compressionLevel: number, message = turns.join(' ')): Promise<Buffer> {
    const bodies: { encoding: string | undefined; body: Buffer }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.push({ encoding: req.headers['content-encoding'], body: Buffer.concat(chunks) });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const provider = new TracerProvider({
        spanProcessors: [
          new SimpleSpanProcessor({
            exporter: exporter({
              endpoint: `http://127.0.0.1:${port}/otel/traces`,
              compression: 'gzip',
              compressionLevel,
            }),
          }),
        ],
      });
      provider
        .getTracer('app')
        .startSpan('chat', { attributes: { 'gen_ai.input.messages': message } })
        .end();
      await provider.shutdown();
    } finally {
      server.close();
    }
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.encoding).toBe('gzip');
    return bodies[0]?.body ?? Buffer.alloc(0);
  }

  it('compresses at the configured zlib level', async () => {
    const fastest = await gzippedBody(1);
    const smallest = await gzippedBody(9);
    for (const [level, body] of [
      [1, fastest],
      [9, smallest],
    ] as const) {
      const plain = gunzipSync(body);
      expect(decodeTraceRequest(plain).spans.map((s) => s.name)).toEqual(['chat']);
      // zlib's output is a function of its input and level: the body is that level's output.
      expect(Buffer.compare(body, gzipSync(plain, { level }))).toBe(0);
    }
    expect(smallest.length).toBeLessThan(fastest.length);
  });

  it('sends a body larger than the zlib output buffer as the same single gzip stream', async () => {
    // Base64 of seeded bytes barely compresses: 900 KB of it is ~680 KB gzipped, several fills
    // of the largest output buffer the transport gives zlib (256 KiB). And a 60 KB body, one
    // fill of the smallest.
    let seed = 7;
    const bytes = Buffer.alloc(675_000);
    for (let i = 0; i < bytes.length; i++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      bytes[i] = seed >>> 24;
    }
    for (const message of [bytes.toString('base64'), turns.join(' ').repeat(10)]) {
      const body = await gzippedBody(4, message);
      const plain = gunzipSync(body);
      expect(decodeTraceRequest(plain).spans[0]?.attributes['gen_ai.input.messages']).toBe(message);
      expect(Buffer.compare(body, gzipSync(plain, { level: 4 }))).toBe(0);
    }
  });
});
