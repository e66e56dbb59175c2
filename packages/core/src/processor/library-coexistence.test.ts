import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routedSinkSpans, spanNamed } from '../test-support/wire-harness.js';

// The real libraries users put next to Galileo, each owning the global OTel provider. They pin
// OTel lines the monorepo's lockfile cannot hold (SDK 2, API 1.9), so, as coexistence.test.ts
// does for SDK 2, each is installed from the npm registry outside the workspaces, with exact
// versions, once per checkout (about 10 s, in parallel, on the first run). Each scenario runs in
// its own Node process, so every library gets fresh OTel globals, and exports to a sink here.

const INSTALLS = {
  'node-sdk-3': [
    '@opentelemetry/api@1.10.0',
    '@opentelemetry/sdk-node@0.301.0',
    '@opentelemetry/instrumentation-http@0.301.0',
  ],
  'node-sdk-2': [
    '@opentelemetry/api@1.9.1',
    '@opentelemetry/sdk-node@0.223.0',
    '@opentelemetry/instrumentation-http@0.223.0',
  ],
  // @vercel/otel keeps the OTel SDK as peers; these are the newest SDK 2 releases it accepts.
  'vercel-otel-2': [
    '@opentelemetry/api@1.9.1',
    '@vercel/otel@2.1.3',
    '@opentelemetry/api-logs@0.223.0',
    '@opentelemetry/instrumentation@0.223.0',
    '@opentelemetry/resources@2.12.1',
    '@opentelemetry/sdk-logs@0.223.0',
    '@opentelemetry/sdk-metrics@2.12.1',
    '@opentelemetry/sdk-trace-base@2.12.1',
  ],
  // The last line built on the OTel SDK (2.x), and the current one, which dropped it.
  'sentry-10': ['@opentelemetry/api@1.9.1', '@sentry/node@10.78.0'],
  'sentry-11': ['@opentelemetry/api@1.10.0', '@sentry/node@11.12.0'],
} as const;
type InstallName = keyof typeof INSTALLS;

const CACHE = fileURLToPath(new URL('../../node_modules/.cache/coexist/', import.meta.url));
const FIXTURES = fileURLToPath(new URL('./__fixtures__/coexist/', import.meta.url));
const CORE_DIST = fileURLToPath(new URL('../../dist/index.js', import.meta.url));
const API_KEY = 'gal-coexist-key-0123456789';
const CLASH =
  /@opentelemetry\/api 1\.9\.1 registered the OpenTelemetry globals, .* 1\.10\.0, which cannot use them: its spans would be lost/;
const FOREIGN = /another OpenTelemetry tracer provider is already registered globally/;

async function install(name: InstallName): Promise<void> {
  const dir = join(CACHE, name);
  const specs: readonly string[] = INSTALLS[name];
  const marker = join(dir, 'installed.json');
  if (existsSync(marker) && readFileSync(marker, 'utf8') === JSON.stringify(specs)) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "private": true }\n');
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...specs],
      { cwd: dir, encoding: 'utf8' },
    );
  } catch (error) {
    throw new Error(`could not install ${specs.join(' ')}: ${(error as Error).message}`);
  }
  writeFileSync(marker, JSON.stringify(specs));
}

interface ScenarioResult {
  library: string;
  api: 'shared' | 'separate copies';
  rootTraceId: string;
  /** Warnings printed before the app made its first span. */
  atStartUp: string[];
  /** Every warning, including those of the late registerGalileo() call. */
  warnings: string[];
}

interface Envelope {
  header: { trace?: { trace_id?: string; transaction?: string } };
  items: string[];
}

let sink: OtlpSink;
let sentry: Server;
let envelopes: Envelope[] = [];
let sentryDsn: string;

beforeAll(async () => {
  if (!existsSync(CORE_DIST)) throw new Error('build core first: npx turbo run build');
  sink = await startOtlpSink();
  // A loopback Sentry ingest, so nothing leaves the machine and Sentry's own delivery is visible.
  sentry = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const [header = '{}', ...items] = body.split('\n');
      envelopes.push({ header: JSON.parse(header), items });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => sentry.listen(0, '127.0.0.1', resolve));
  sentryDsn = `http://public@127.0.0.1:${(sentry.address() as AddressInfo).port}/1`;
  await Promise.all((Object.keys(INSTALLS) as InstallName[]).map(install));
}, 180_000);
afterAll(async () => {
  await sink?.close();
  await new Promise((resolve) => sentry?.close(resolve));
});

/** Runs one scenario script in its own process; resolves with what it printed. */
async function runScenario(
  script: string,
  installName: InstallName,
  env: Record<string, string> = {},
): Promise<ScenarioResult> {
  sink.clear();
  envelopes = [];
  const child = spawn(process.execPath, [join(FIXTURES, script)], {
    env: {
      ...process.env,
      ...env,
      COEXIST_LIB_DIR: join(CACHE, installName),
      COEXIST_SINK_URL: sink.url,
      COEXIST_API_KEY: API_KEY,
      COEXIST_SENTRY_DSN: sentryDsn,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`${script} exited with ${code}:\n${stderr}`);
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ScenarioResult;
}

/** What the Galileo processor in these tests stamps on every request and span. */
const ROUTING = { apiKey: API_KEY, project: 'coexist-project', logStream: 'coexist-stream' };

function spansNamedLike(spans: readonly OtlpSpan[], pattern: RegExp): OtlpSpan[] {
  return spans.filter((s) => pattern.test(s.name));
}

/** Checks the app's tree: ask → http client → (http server) → chat model, in one trace. */
function expectOneTrace(
  spans: readonly OtlpSpan[],
  result: ScenarioResult,
  client: RegExp,
  server: RegExp | undefined,
): void {
  const ask = spanNamed(spans, 'ask');
  expect(ask.traceId).toBe(result.rootTraceId);
  expect(ask.parentSpanId).toBeUndefined();
  const [clientSpan, ...moreClients] = spansNamedLike(spans, client).filter((s) => s.kind !== 2);
  expect(moreClients).toEqual([]);
  expect(clientSpan?.parentSpanId).toBe(ask.spanId);
  let parentOfChat = clientSpan?.spanId;
  if (server) {
    const serverSpan = spansNamedLike(spans, server).find((s) => s.kind === 2);
    expect(serverSpan?.parentSpanId).toBe(clientSpan?.spanId);
    parentOfChat = serverSpan?.spanId;
  }
  const chat = spanNamed(spans, 'chat model');
  expect(chat.parentSpanId).toBe(parentOfChat);
  expect(chat.attributes['gen_ai.operation.name']).toBe('chat');
  for (const span of [clientSpan, chat]) expect(span?.traceId).toBe(result.rootTraceId);
}

/** Checks the warning about the API copy fired before the first span, when it should. */
function expectApiCopyVerdict(result: ScenarioResult, spans: readonly OtlpSpan[], clash: boolean) {
  const lostToCopy = !spans.some((s) => s.name === 'through core api copy');
  expect(lostToCopy).toBe(clash);
  if (clash) {
    expect(result.atStartUp).toEqual([expect.stringMatching(CLASH)]);
    expect(result.warnings.filter((w) => CLASH.test(w))).toHaveLength(1);
  } else {
    expect(result.atStartUp).toEqual([]);
    expect(result.warnings.some((w) => /cannot use them/.test(w))).toBe(false);
  }
}

/** registerGalileo() after the library: one warning, and spans still flow via the processor. */
function expectLateRegistrationWarned(result: ScenarioResult, spans: readonly OtlpSpan[]) {
  expect(result.warnings.filter((w) => FOREIGN.test(w))).toHaveLength(1);
  expect(spanNamed(spans, 'after registerGalileo').traceId).not.toBe(result.rootTraceId);
  expect(sink.requests.every((r) => r.headers.logstream !== 'late-registration')).toBe(true);
}

describe.each([
  { install: 'node-sdk-3', version: '0.301.0', clash: false },
  { install: 'node-sdk-2', version: '0.223.0', clash: true },
] as const)('next to a NodeSDK from @opentelemetry/sdk-node $version', (line) => {
  let result: ScenarioResult;
  let spans: OtlpSpan[];
  beforeAll(async () => {
    result = await runScenario('node-sdk.mjs', line.install);
    spans = routedSinkSpans(sink, ROUTING);
  }, 60_000);

  it('exports the app and http instrumentation spans in one trace with Galileo routing', () => {
    expect(result.library).toBe(`@opentelemetry/sdk-node@${line.version}`);
    expectOneTrace(spans, result, /^GET$/, /^GET$/);
    expect(spansNamedLike(spans, /^GET$/).map((s) => s.kind)).toEqual(
      expect.arrayContaining([2, 3]),
    );
    expect(spanNamed(spans, 'ask').resource['service.name']).toBe('node-sdk-app');
  });

  it(
    line.clash
      ? 'warns at start-up that the API copy core loads cannot use the SDK 2 globals'
      : 'stays quiet at start-up when the API copies are compatible',
    () => expectApiCopyVerdict(result, spans, line.clash),
  );

  it('warns when registerGalileo() is called anyway, and spans keep reaching Galileo', () => {
    expectLateRegistrationWarned(result, spans);
    expect(result.warnings.find((w) => FOREIGN.test(w))).toMatch(
      /registered globally \(TracerProvider\): .* a NodeSDK/,
    );
  });
});

describe('GalileoOtlpExporter as the traceExporter of a NodeSDK 0.301.0', () => {
  it('exports the app and http instrumentation spans in one trace with Galileo routing', async () => {
    const result = await runScenario('node-sdk-exporter.mjs', 'node-sdk-3');
    const spans = routedSinkSpans(sink, ROUTING);
    expect(result.library).toBe('@opentelemetry/sdk-node@0.301.0');
    expectOneTrace(spans, result, /^GET$/, /^GET$/);
    expect(spanNamed(spans, 'ask').resource['service.name']).toBe('node-sdk-exporter-app');
  }, 60_000);
});

describe('next to @vercel/otel 2.1.3 registerOTel()', () => {
  let result: ScenarioResult;
  let spans: OtlpSpan[];
  beforeAll(async () => {
    result = await runScenario('vercel-otel.mjs', 'vercel-otel-2');
    spans = routedSinkSpans(sink, ROUTING);
  }, 60_000);

  it('exports the app and fetch instrumentation spans in one trace with Galileo routing', () => {
    expect(result.library).toBe('@vercel/otel@2.1.3');
    expectOneTrace(spans, result, /^fetch GET http:\/\/127\.0\.0\.1:\d+\/ask$/, undefined);
    expect(spansNamedLike(spans, /^fetch GET/)[0]?.kind).toBe(3);
    expect(spanNamed(spans, 'ask').resource['service.name']).toBe('vercel-app');
  });

  it('warns at start-up that the API copy core loads cannot use the SDK 2 globals', () =>
    expectApiCopyVerdict(result, spans, true));

  it('warns when registerGalileo() is called anyway, and spans keep reaching Galileo', () => {
    expectLateRegistrationWarned(result, spans);
    // The bundle's minified class name is left out of the message.
    expect(result.warnings.find((w) => FOREIGN.test(w))).toMatch(/registered globally: spans/);
  });
});

describe('next to @sentry/node 10.78.0 with openTelemetrySpanProcessors', () => {
  let result: ScenarioResult;
  let spans: OtlpSpan[];
  let sentryGot: Envelope[];
  beforeAll(async () => {
    result = await runScenario('sentry.mjs', 'sentry-10', {
      COEXIST_SENTRY_MODE: 'span-processors',
    });
    spans = routedSinkSpans(sink, ROUTING);
    sentryGot = envelopes;
  }, 60_000);

  it('exports the app and Sentry http spans in one trace with Galileo routing', () => {
    expect(result.library).toBe('@sentry/node@10.78.0');
    expectOneTrace(spans, result, /^GET http:\/\/127\.0\.0\.1:\d+\/ask$/, /^GET \/ask$/);
  });

  it('leaves Sentry its own transactions for the same trace', () => {
    expect(sentryGot.map((e) => e.header.trace)).toContainEqual(
      expect.objectContaining({ trace_id: result.rootTraceId, transaction: 'ask' }),
    );
  });

  it('warns at start-up that the API copy core loads cannot use the SDK 2 globals', () =>
    expectApiCopyVerdict(result, spans, true));

  it('warns when registerGalileo() is called anyway, and spans keep reaching Galileo', () =>
    expectLateRegistrationWarned(result, spans));
});

describe('next to @sentry/node 11.12.0, which no longer runs the OTel SDK', () => {
  it('does not feed its own provider to span processors: registerGalileo() warns, with the fix', async () => {
    const result = await runScenario('sentry.mjs', 'sentry-11', {
      COEXIST_SENTRY_MODE: 'sentry-provider',
    });
    expect(result.library).toBe('@sentry/node@11.12.0');
    // With enableOpenTelemetrySetup, Sentry's provider owns @opentelemetry/api and has no
    // processor pipeline: none of the app's spans can reach Galileo...
    expect(sink.spans()).toEqual([]);
    expect(envelopes.map((e) => e.header.trace)).toContainEqual(
      expect.objectContaining({ trace_id: result.rootTraceId, transaction: 'ask' }),
    );
    // ...and the user is told so, with what to change.
    const foreign = result.warnings.filter((w) => FOREIGN.test(w));
    expect(foreign).toEqual([expect.stringContaining('(SentryTracerProvider)')]);
    expect(foreign[0]).toMatch(
      /Sentry 11\+ takes no span processors: leave `enableOpenTelemetrySetup` off/,
    );
  });

  it('leaves OTel to registerGalileo() by default, so OTel API spans reach Galileo', async () => {
    const result = await runScenario('sentry.mjs', 'sentry-11', {
      COEXIST_SENTRY_MODE: 'galileo-provider',
    });
    const spans = routedSinkSpans(sink, ROUTING);
    expect(result.warnings).toEqual([]);
    const ask = spanNamed(spans, 'ask');
    expect(ask.traceId).toBe(result.rootTraceId);
    expect(ask.resource['service.name']).toBe('sentry-app');
    expect(spans.map((s) => s.name)).toContain('through core api copy');
    // Sentry traces node:http itself and sends those spans to Sentry only, so none reach
    // Galileo; the app's injectTraceHeaders() carries the OTel trace to the server side.
    expect(spansNamedLike(spans, /GET/)).toEqual([]);
    const chat = spanNamed(spans, 'chat model');
    expect(chat.traceId).toBe(result.rootTraceId);
    expect(chat.parentSpanId).toBe(ask.spanId);
    expect(envelopes.length).toBeGreaterThan(0);
  });
});
