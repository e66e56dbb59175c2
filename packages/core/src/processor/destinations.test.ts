import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GalileoSpanProcessor } from './galileo-span-processor.js';

let sink: OtlpSink;
beforeAll(async () => {
  sink = await startOtlpSink();
});
afterAll(async () => {
  await sink.close();
});
afterEach(() => sink.clear());

const base = () => new URL(sink.url).origin;

async function send(options: ConstructorParameters<typeof GalileoSpanProcessor>[0]) {
  const processor = new GalileoSpanProcessor({ logger: false, flushOnExit: false, ...options });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'dest-app' }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('app');
  tracer.startSpan('default-route').end();
  tracer.startSpan('own-route', { attributes: { 'galileo.project.name': 'override' } }).end();
  await provider.shutdown();
  return sink.requests;
}

describe('each destination on the wire (real processor, decoded protobuf)', () => {
  it('Splunk AO standalone: /otel/v1/traces, Splunk-AO-API-Key, splunk_ao.* on the Resource', async () => {
    const requests = await send({
      destination: 'splunk-ao',
      apiKey: 'ao-key-0123456789',
      apiUrl: base(),
      project: 'ao-project',
      logStream: 'ao-stream',
    });
    expect(requests.map((r) => r.path)).toEqual(['/otel/v1/traces', '/otel/v1/traces']);
    const byProject = new Map(requests.map((r) => [r.headers.project, r]));
    const main = byProject.get('ao-project');
    expect(main?.headers).toMatchObject({
      'splunk-ao-api-key': 'ao-key-0123456789',
      logstream: 'ao-stream',
    });
    expect(main?.headers['galileo-api-key']).toBeUndefined();
    expect(main?.spans[0]?.resource).toMatchObject({
      'service.name': 'dest-app',
      'splunk_ao.project.name': 'ao-project',
      'splunk_ao.logstream.name': 'ao-stream',
    });
    expect(main?.spans[0]?.resource['galileo.project.name']).toBeUndefined();
    // A per-span override set in the other family is honoured, in its own request.
    expect(byProject.get('override')?.spans[0]?.resource['splunk_ao.project.name']).toBe(
      'override',
    );
  });

  it('Splunk Observability Cloud: X-SF-Token, no default routing, ids as given', async () => {
    const requests = await send({
      destination: 'splunk-o11y',
      apiKey: 'ingest-token-0123456789',
      endpoint: `${base()}/v2/trace/otlp`,
      projectId: 'p-42',
    });
    const main = requests.find((r) => r.headers.projectid === 'p-42');
    expect(main?.path).toBe('/v2/trace/otlp');
    expect(main?.headers['x-sf-token']).toBe('ingest-token-0123456789');
    expect(main?.headers.logstream).toBeUndefined();
    expect(main?.spans[0]?.resource).toMatchObject({ 'splunk_ao.project.id': 'p-42' });
    expect(main?.spans[0]?.resource['splunk_ao.logstream.name']).toBeUndefined();
  });

  it('Galileo: the seed contract is unchanged', async () => {
    const requests = await send({ apiKey: 'gal-key-0123456789', endpoint: sink.url });
    const main = requests.find((r) => r.headers.project === 'default');
    expect(main?.path).toBe('/otel/traces');
    expect(main?.headers).toMatchObject({
      'galileo-api-key': 'gal-key-0123456789',
      logstream: 'default',
    });
    expect(main?.spans[0]?.resource['galileo.project.name']).toBe('default');
  });

  it('sends no key to a destination the user did not choose', () => {
    const saved = process.env.GALILEO_API_KEY;
    process.env.GALILEO_API_KEY = 'galileo-key-0123456789';
    try {
      expect(() => new GalileoSpanProcessor({ destination: 'splunk-ao', logger: false })).toThrow(
        /No Splunk AO API key: set the SPLUNK_AO_API_KEY/,
      );
    } finally {
      if (saved === undefined) delete process.env.GALILEO_API_KEY;
      else process.env.GALILEO_API_KEY = saved;
    }
  });
});

describe("each destination's failures are told in its own terms", () => {
  async function firstWarning(
    status: number,
    options: ConstructorParameters<typeof GalileoSpanProcessor>[0],
  ): Promise<string> {
    const warnings: string[] = [];
    const logger = { warn: (message: string) => warnings.push(message) };
    sink.respondWith(() => ({ status, body: JSON.stringify({ detail: 'nope' }) }));
    try {
      const processor = new GalileoSpanProcessor({ flushOnExit: false, ...options, logger });
      const provider = new TracerProvider({ spanProcessors: [processor] });
      provider.getTracer('app').startSpan('s').end();
      await provider.shutdown();
    } finally {
      sink.respondWith(undefined);
    }
    expect(warnings).toHaveLength(1);
    return warnings[0] ?? '';
  }
  const splunkAo = () => ({
    destination: 'splunk-ao' as const,
    apiKey: 'ao-key-0123456789',
    apiUrl: base(),
    project: 'ao-project',
  });
  const o11y = () => ({
    destination: 'splunk-o11y' as const,
    apiKey: 'ingest-token-0123456789',
    endpoint: `${base()}/v2/trace/otlp`,
    project: 'o11y-project',
  });

  it.each([
    [
      'Splunk AO',
      splunkAo,
      401,
      /^\[galileo-otel\] Splunk AO rejected the API key \(401, Splunk-AO-API-Key header\): nope\. Check SPLUNK_AO_API_KEY/,
    ],
    [
      'Splunk AO',
      splunkAo,
      404,
      /Splunk AO could not find or create project 'ao-project'.*\(404\): nope\. Check SPLUNK_AO_PROJECT/,
    ],
    [
      'Splunk AO',
      splunkAo,
      415,
      /\(415\): nope\. Check that SPLUNK_AO_API_URL or SPLUNK_AO_CONSOLE_URL/,
    ],
    [
      'Splunk Observability Cloud',
      o11y,
      401,
      /Splunk Observability Cloud rejected the API key \(401, X-SF-Token header\): nope\. Check SPLUNK_AO_O11Y_TOKEN/,
    ],
    [
      'Splunk Observability Cloud',
      o11y,
      415,
      /Check that SPLUNK_AO_REALM \(or the endpoint option\)/,
    ],
    [
      'Splunk Observability Cloud',
      o11y,
      422,
      /^\[galileo-otel\] Splunk Observability Cloud could not process the spans for project 'o11y-project' \(422\): nope\.$/,
    ],
  ])(
    '%s answered %i: the message names that destination and its variables',
    async (_name, options, status, message) => {
      const warning = await firstWarning(status, options());
      expect(warning).toMatch(message);
      expect(warning).not.toMatch(/Galileo|GALILEO_/);
    },
  );
});

describe('sessions that cross languages (two real processes)', () => {
  const FIXTURES = new URL('../__fixtures__/', import.meta.url);
  const children: ChildProcess[] = [];
  afterAll(async () => {
    for (const child of children) {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });

  async function start(
    script: string,
    args: string[],
  ): Promise<{ child: ChildProcess; line: () => Promise<string> }> {
    const child = spawn(process.execPath, [fileURLToPath(new URL(script, FIXTURES)), ...args], {
      env: { ...process.env, GALILEO_API_KEY: 'k', GALILEO_API_ENDPOINT: sink.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[
      Symbol.asyncIterator
    ]();
    return { child, line: async () => String((await lines.next()).value) };
  }

  it('a plain OTel caller with only gen_ai.conversation.id puts our spans in that session', async () => {
    const ours = await start('session-service.mjs', []);
    const port = (await ours.line()).split(' ')[1];
    const caller = await start('plain-otel-peer.mjs', ['call', `http://127.0.0.1:${port}/work`]);
    const { status, traceId } = JSON.parse(await caller.line()) as {
      status: number;
      traceId: string;
    };
    expect(status).toBe(200);
    ours.child.kill('SIGTERM');
    await once(ours.child, 'exit');
    const spans = sink.spans().filter((s) => s.traceId === traceId);
    expect(spans.map((s) => s.name).sort()).toEqual(['GET /work', 'work']);
    for (const span of spans) {
      expect(span.attributes).toMatchObject({
        'gen_ai.conversation.id': 'conv-from-python',
        'galileo.session.id': 'conv-from-python',
      });
    }
    // The root of the trace is the caller's span, not ours.
    expect(spans.some((s) => s.attributes['gen_ai.conversation_root'] === true)).toBe(false);
  });

  it('our session reaches a plain OTel service as gen_ai.conversation.id too', async () => {
    const peer = await start('plain-otel-peer.mjs', ['serve']);
    const peerPort = (await peer.line()).split(' ')[1];
    const ours = await start('session-service.mjs', []);
    const port = (await ours.line()).split(' ')[1];
    const response = await fetch(
      `http://127.0.0.1:${port}/call?url=${encodeURIComponent(`http://127.0.0.1:${peerPort}/`)}`,
    );
    expect(await response.json()).toEqual({
      'galileo.session.id': 'conv-ours',
      'gen_ai.conversation.id': 'conv-ours',
    });
  });
});
