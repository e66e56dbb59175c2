import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type GalileoAdapter, type GalileoRegistration, registerGalileo } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';

/** Everything a test file needs: local model, OTLP sink, and every URL fetched. */
export interface Harness {
  model: LocalModelServer;
  sink: OtlpSink;
  fetched: string[];
  close(): Promise<void>;
}

/** Starts the local model and the sink, and records every URL `fetch` is asked for. */
export async function startHarness(): Promise<Harness> {
  const model = await startLocalModel({ port: 0 });
  const sink = await startOtlpSink();
  const fetched: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    fetched.push(url);
    return original(input, init);
  };
  return {
    model,
    sink,
    fetched,
    async close() {
      globalThis.fetch = original;
      await model.close();
      await sink.close();
    },
  };
}

/** Registers the Galileo provider globally, exporting to the sink. */
export function registerForTest(
  sink: OtlpSink,
  adapters: GalileoAdapter[] = [],
): GalileoRegistration {
  return registerGalileo({
    apiKey: 'gal-test-key-0123456789',
    endpoint: sink.url,
    project: 'proj-vercel',
    logStream: 'stream-vercel',
    serviceName: 'vercel-test',
    adapters,
    logger: false,
  });
}

/** Flushes and returns the spans exported since `from` (an earlier `sink.spans().length`). */
export async function spansSince(
  galileo: GalileoRegistration,
  sink: OtlpSink,
  from: number,
): Promise<OtlpSpan[]> {
  await galileo.forceFlush();
  return sink.spans().slice(from);
}

/** Every host contacted, deduplicated. */
export function hostsOf(urls: readonly string[]): string[] {
  return [...new Set(urls.map((url) => new URL(url).hostname))];
}

/** A tiny HTTP service that records the headers of each request and answers JSON. */
export async function startEchoService(): Promise<{
  url: string;
  headers: IncomingHttpHeaders[];
  close(): Promise<void>;
}> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"summary":"echoed"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    headers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The span with this name (fails loudly when absent). */
export function byName(spans: readonly OtlpSpan[], name: string): OtlpSpan {
  const found = spans.find((span) => span.name === name);
  if (!found) throw new Error(`no span named ${name}; got ${spans.map((s) => s.name).join(', ')}`);
  return found;
}

/** A compact tree print of spans for failure messages. */
export function tree(spans: readonly OtlpSpan[]): string {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of spans) {
      const isRoot = parent === undefined && (!span.parentSpanId || !ids.has(span.parentSpanId));
      if (isRoot || (parent !== undefined && span.parentSpanId === parent)) {
        lines.push(`${'  '.repeat(depth)}${span.name}`);
        walk(span.spanId, depth + 1);
      }
    }
  };
  walk(undefined, 0);
  return lines.join('\n');
}
