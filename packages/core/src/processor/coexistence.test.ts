import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import {
  type Attributes,
  context,
  propagation,
  ROOT_CONTEXT,
  type SpanContext,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { GalileoAdapter } from '../adapter/galileo-adapter.js';
import { routedSinkSpans, spanNamed } from '../test-support/wire-harness.js';
import { GalileoSpanProcessor } from './galileo-span-processor.js';

const API_KEY = 'gal-coexist-key-0123456789';
let sink: OtlpSink;
beforeAll(async () => {
  sink = await startOtlpSink();
});
afterAll(() => sink.close());
beforeEach(() => sink.clear());

function galileo(adapters: GalileoAdapter[] = []): GalileoSpanProcessor {
  return new GalileoSpanProcessor({
    apiKey: API_KEY,
    endpoint: sink.url,
    project: 'coexist-project',
    logStream: 'coexist-stream',
    scheduledDelayMillis: 60_000,
    adapters,
    logger: false,
  });
}

/** What the Galileo processor in these tests stamps on every request and span. */
const ROUTING = { apiKey: API_KEY, project: 'coexist-project', logStream: 'coexist-stream' };

// ---------------------------------------------------------------------------------------------
// OTel JS SDK 2.x. Its packages require @opentelemetry/api < 1.10 as a peer, which the
// monorepo's lockfile (API 1.10 for SDK 3) cannot hold, so, as bench/peers does, the SDK 2 line
// is installed from the npm registry outside the workspaces, once per checkout.

const SDK2_LINES = [
  { version: '2.0.1', alias: 'sdk-trace-base-2-0', onEnding: false },
  { version: '2.12.1', alias: 'sdk-trace-base-2-12', onEnding: true },
] as const;
const SDK2_API = '1.9.1';
const SDK2_DIR = fileURLToPath(new URL('../../node_modules/.cache/otel-sdk2/', import.meta.url));

function installSdk2(): void {
  const specs = [
    `@opentelemetry/api@${SDK2_API}`,
    ...SDK2_LINES.map((l) => `${l.alias}@npm:@opentelemetry/sdk-trace-base@${l.version}`),
  ];
  const marker = join(SDK2_DIR, 'installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(specs)) return;
  mkdirSync(SDK2_DIR, { recursive: true });
  writeFileSync(join(SDK2_DIR, 'package.json'), '{ "private": true }\n');
  const npm = spawnSync(
    'npm',
    ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...specs],
    { cwd: SDK2_DIR, encoding: 'utf8' },
  );
  if (npm.status !== 0) {
    throw new Error(`could not install the OTel SDK 2 line: ${npm.error ?? ''} ${npm.stderr}`);
  }
  writeFileSync(marker, JSON.stringify(specs));
}

interface Sdk2Provider {
  getTracer(name: string): Tracer;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}
interface Sdk2 {
  version: string;
  BasicTracerProvider: new (config: {
    resource?: unknown;
    spanProcessors?: unknown[];
  }) => Sdk2Provider;
  SimpleSpanProcessor: new (exporter: unknown) => unknown;
  InMemorySpanExporter: new () => {
    getFinishedSpans(): { name: string; spanContext(): SpanContext; attributes: Attributes }[];
  };
  resourceFromAttributes(attributes: Attributes): unknown;
  /** The SDK 2 side's own copy of @opentelemetry/api (1.9). */
  api: typeof import('@opentelemetry/api');
}

function loadSdk2(alias: string): Sdk2 {
  const fromSdk = createRequire(join(SDK2_DIR, 'node_modules', alias, 'package.json'));
  return {
    ...fromSdk('./'),
    version: fromSdk('./package.json').version,
    resourceFromAttributes: fromSdk('@opentelemetry/resources').resourceFromAttributes,
    api: fromSdk('@opentelemetry/api'),
  };
}

describe.each(SDK2_LINES)('on an OTel SDK $version BasicTracerProvider', (line) => {
  let sdk: Sdk2;
  const providers: Sdk2Provider[] = [];
  beforeAll(() => {
    installSdk2();
    sdk = loadSdk2(line.alias);
  }, 120_000);
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((p) => p.shutdown()));
  });

  function sdk2Pipeline(adapters: GalileoAdapter[] = []) {
    const other = new sdk.InMemorySpanExporter();
    const provider = new sdk.BasicTracerProvider({
      resource: sdk.resourceFromAttributes({ 'service.name': 'sdk2-app' }),
      spanProcessors: [galileo(adapters), new sdk.SimpleSpanProcessor(other)],
    });
    providers.push(provider);
    return { provider, tracer: provider.getTracer('sdk2-app'), other };
  }

  it('runs the SDK 2 line with its own API copy', () => {
    expect(sdk.version).toBe(line.version);
    expect(sdk.api.trace).not.toBe(trace);
  });

  it('exports its spans with Galileo routing, parents and the provider resource', async () => {
    const { provider, tracer, other } = sdk2Pipeline();
    const root = tracer.startSpan('POST /ask');
    const child = tracer.startSpan(
      'chat m',
      { attributes: { 'gen_ai.operation.name': 'chat' } },
      sdk.api.trace.setSpan(sdk.api.ROOT_CONTEXT, root),
    );
    child.end();
    root.end();
    await provider.forceFlush();

    const spans = routedSinkSpans(sink, ROUTING);
    const rootOnWire = spanNamed(spans, 'POST /ask');
    const childOnWire = spanNamed(spans, 'chat m');
    expect(childOnWire.parentSpanId).toBe(rootOnWire.spanId);
    expect(childOnWire.traceId).toBe(root.spanContext().traceId);
    expect(childOnWire.resource['service.name']).toBe('sdk2-app');
    expect(childOnWire.attributes['gen_ai.operation.name']).toBe('chat');
    // The provider's other processor still gets every span.
    expect(
      other
        .getFinishedSpans()
        .map((s) => s.spanContext().spanId)
        .sort(),
    ).toEqual([rootOnWire.spanId, childOnWire.spanId].sort());
  });

  it('stamps the session from baggage made with the SDK 2 API copy', async () => {
    const { provider, tracer } = sdk2Pipeline();
    const bag = sdk.api.propagation.createBaggage({ 'galileo.session.id': { value: 'sess-2' } });
    tracer
      .startSpan('with-session', {}, sdk.api.propagation.setBaggage(sdk.api.ROOT_CONTEXT, bag))
      .end();
    await provider.forceFlush();
    const span = spanNamed(sink.spans(), 'with-session');
    expect(span.attributes['galileo.session.id']).toBe('sess-2');
    expect(span.resource['galileo.session.id']).toBe('sess-2');
  });

  it('re-parents the children of a span an adapter drops', async () => {
    const folding: GalileoAdapter = {
      name: 'folding',
      onStart: (span) =>
        (span as unknown as ReadableSpan).name === 'step' ? { drop: true } : undefined,
    };
    const { provider, tracer } = sdk2Pipeline([folding]);
    const agent = tracer.startSpan('invoke_agent a');
    const step = tracer.startSpan('step', {}, sdk.api.trace.setSpan(sdk.api.ROOT_CONTEXT, agent));
    tracer.startSpan('chat m', {}, sdk.api.trace.setSpan(sdk.api.ROOT_CONTEXT, step)).end();
    step.end();
    agent.end();
    await provider.forceFlush();
    const spans = sink.spans();
    expect(spans.map((s) => s.name).sort()).toEqual(['chat m', 'invoke_agent a']);
    expect(spanNamed(spans, 'chat m').parentSpanId).toBe(agent.spanContext().spanId);
  });

  // SDK 2 calls onEnding from 2.12 on (the hook the README documents for 2.12+ and 3.x).
  if (line.onEnding)
    it('lets an adapter change a span in onEnding', async () => {
      const stamping: GalileoAdapter = {
        name: 'stamping',
        onEnding: (span) => {
          span.setAttribute('adapter.saw_ending', true);
        },
      };
      const { provider, tracer } = sdk2Pipeline([stamping]);
      tracer.startSpan('ending').end();
      await provider.forceFlush();
      expect(spanNamed(sink.spans(), 'ending').attributes['adapter.saw_ending']).toBe(true);
    });
});

// ---------------------------------------------------------------------------------------------
// A provider someone else registered globally (Sentry, @vercel/otel, a NodeSDK do this), with its
// own processor, context manager and propagator. The Galileo processor is one more processor on it.

describe('on a provider another tool registered globally', () => {
  const theirs = new InMemorySpanExporter();
  let provider: TracerProvider;
  beforeAll(() => {
    provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'their-app' }),
      spanProcessors: [new SimpleSpanProcessor({ exporter: theirs }), galileo()],
    });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });
  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });

  it('exports spans from the global tracer, joined to an incoming traceparent', async () => {
    const incoming = {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    const remote = propagation.extract(ROOT_CONTEXT, incoming);
    const tracer = trace.getTracer('app');
    await context.with(remote, () =>
      tracer.startActiveSpan('GET /weather', async (server) => {
        await new Promise((r) => setTimeout(r, 5));
        tracer.startSpan('execute_tool weather').end();
        server.end();
      }),
    );
    await provider.forceFlush();

    const spans = routedSinkSpans(sink, ROUTING);
    const server = spanNamed(spans, 'GET /weather');
    expect(server.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(server.parentSpanId).toBe('b7ad6b7169203331');
    expect(spanNamed(spans, 'execute_tool weather').parentSpanId).toBe(server.spanId);
    expect(server.resource['service.name']).toBe('their-app');
    expect(
      theirs
        .getFinishedSpans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(['GET /weather', 'execute_tool weather']);
  });
});
