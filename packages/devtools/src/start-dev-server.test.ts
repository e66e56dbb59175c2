import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DevServer, type StoredSpan, startDevServer, type TraceSummary } from './index.js';
import {
  GALILEO_HEADERS,
  otlpExporter,
  patchBytes,
  recordAgentTrace,
  recordSpans,
  toProtobuf,
} from './test-support/agent-trace.js';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };
const AUTH = { 'galileo-api-key': 'k', ...PROTOBUF };

let server: DevServer;
let dir: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'galileo-devtools-'));
  server = await startDevServer({ port: 0, dbPath: join(dir, 'traces.db') });
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(
  body: Uint8Array | string,
  headers: Record<string, string>,
  path = '/otel/traces',
): Promise<{ status: number; json: unknown; headers: Headers }> {
  const res = await fetch(`${server.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, json: await res.json(), headers: res.headers };
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

async function oneSpanBody(name = 'one', attributes: Record<string, string> = {}) {
  const spans = await recordSpans((tracer) => tracer.startSpan(name, { attributes }).end());
  return { bytes: toProtobuf(spans), traceId: spans[0]?.spanContext().traceId ?? '' };
}

describe('startDevServer: the official OTLP exporter', () => {
  it('stores a two-service trace and serves it through the read API with kinds', async () => {
    const recorded = await recordAgentTrace(otlpExporter(server.otlpUrl));
    const spans = await server.store.waitForSpans(recorded.traceId, recorded.spanCount, 20_000);
    expect(spans).toHaveLength(8);

    const list = await getJson<TraceSummary[]>('/api/traces?project=p&logstream=l');
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      traceId: recorded.traceId,
      project: 'p',
      logStream: 'l',
      experimentId: null,
      rootName: 'workflow run',
      services: ['planner', 'researcher'],
      spanCount: 8,
      errorCount: 1,
      kinds: ['agent', 'llm', 'retriever', 'tool', 'workflow'],
    });
    expect(list[0]?.durationMs).toBeCloseTo(1550, 0);
    expect(await getJson<TraceSummary[]>('/api/traces?project=other')).toEqual([]);

    const detail = await getJson<{ traceId: string; spans: StoredSpan[] }>(
      `/api/traces/${recorded.traceId}`,
    );
    const byName = new Map(detail.spans.map((s) => [s.name, s]));
    expect(byName.get('workflow run')).toMatchObject({
      kind: 'workflow',
      parentSpanId: null,
      serviceName: 'planner',
      orphan: false,
    });
    expect(byName.get('invoke_agent researcher')).toMatchObject({
      kind: 'agent',
      parentSpanId: recorded.ids.agent,
      serviceName: 'researcher',
    });
    expect(byName.get('chat gpt-4o-mini')).toMatchObject({
      kind: 'llm',
      attributes: { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 42 },
    });
    expect(byName.get('query docs')?.kind).toBe('retriever');
    const tool = byName.get('execute_tool get_weather');
    expect(tool).toMatchObject({
      kind: 'tool',
      status: { code: 2, message: 'weather API timed out' },
      attributes: { 'error.type': 'TimeoutError' },
    });
    expect(tool?.events[0]).toMatchObject({
      name: 'exception',
      attributes: { 'exception.message': 'weather API timed out' },
    });
    expect(tool?.durationMs).toBeCloseTo(250, 0);

    const latest = await getJson<{ traceId: string }>('/api/traces/latest');
    expect(latest.traceId).toBe(recorded.traceId);
  });

  it('accepts gzip bodies and the /otel/v1/traces path', async () => {
    const recorded = await recordAgentTrace(
      otlpExporter(`${server.url}/otel/v1/traces`, GALILEO_HEADERS, 'gzip'),
    );
    await server.store.waitForSpans(recorded.traceId, recorded.spanCount, 20_000);
    const { bytes, traceId } = await oneSpanBody();
    const res = await post(gzipSync(bytes), { ...AUTH, 'content-encoding': 'gzip' });
    expect(res).toMatchObject({ status: 200, json: {} });
    expect(server.store.getTrace(traceId)).toHaveLength(1);
  });

  it('stores a re-sent export once (trace id + span id is the key)', async () => {
    const { bytes, traceId } = await oneSpanBody();
    const first = await post(bytes, AUTH);
    const second = await post(bytes, AUTH);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('x-galileo-otel-duplicate-spans')).toBe('0');
    expect(second.headers.get('x-galileo-otel-duplicate-spans')).toBe('1');
    expect(server.store.getTrace(traceId)).toHaveLength(1);
    expect(server.store.countSpans()).toBe(1);
    // The count survives a lost answer: a user reads it from the API, not the response header.
    expect(await getJson('/api/stats')).toEqual({
      acceptedRequests: 2,
      refusedRequests: 0,
      insertedSpans: 1,
      duplicateSpans: 1,
      rejectedSpans: 0,
    });
    expect(server.stats().duplicateSpans).toBe(1);
  });

  it('keeps traces across a restart on the same database file', async () => {
    const recorded = await recordAgentTrace(otlpExporter(server.otlpUrl));
    await server.store.waitForSpans(recorded.traceId, recorded.spanCount, 20_000);
    await server.close();
    server = await startDevServer({ port: 0, dbPath: join(dir, 'traces.db') });
    expect(server.store.getTrace(recorded.traceId)).toHaveLength(8);
    const list = await getJson<TraceSummary[]>('/api/traces');
    expect(list.map((t) => t.traceId)).toEqual([recorded.traceId]);
  });
});

describe('startDevServer: routing headers and resource attributes', () => {
  it('defaults project and log stream to "default" and honours projectid', async () => {
    const a = await oneSpanBody('a');
    expect((await post(a.bytes, AUTH)).status).toBe(200);
    const b = await oneSpanBody('b');
    expect((await post(b.bytes, { ...AUTH, projectid: 'proj-123' })).status).toBe(200);
    expect(server.store.getTrace(a.traceId)[0]).toMatchObject({
      project: 'default',
      logStream: 'default',
      experimentId: null,
    });
    expect(server.store.getTrace(b.traceId)[0]?.project).toBe('proj-123');
  });

  it('honours logstreamid like projectid, and refuses a name and an id of one entity', async () => {
    const a = await oneSpanBody('a');
    expect((await post(a.bytes, { ...AUTH, project: 'p', logstreamid: 'ls-42' })).status).toBe(200);
    expect(server.store.getTrace(a.traceId)[0]).toMatchObject({
      project: 'p',
      logStream: 'ls-42',
      experimentId: null,
    });
    // Name XOR id, as the ingest has it: both at once is an error, not a guess.
    const b = await oneSpanBody('b');
    const streams = await post(b.bytes, { ...AUTH, logstream: 'by-name', logstreamid: 'ls-42' });
    expect(streams).toMatchObject({
      status: 422,
      json: {
        detail: 'Send either a logstream header (the name) or a logstreamid header, not both.',
      },
    });
    const projects = await post(b.bytes, { ...AUTH, project: 'p', projectid: 'proj-1' });
    expect(projects).toMatchObject({
      status: 422,
      json: { detail: 'Send either a project header (the name) or a projectid header, not both.' },
    });
    expect(server.store.getTrace(b.traceId)).toEqual([]);
    const c = await oneSpanBody('c');
    const both = await post(c.bytes, { ...AUTH, logstreamid: 'ls-42', experimentid: 'exp-1' });
    expect(both.status).toBe(422);
    expect((both.json as { detail: string }).detail).toBe(
      'Send either a logstream (or logstreamid) header or an experimentid header, not both: experiment traces have no log stream.',
    );
    expect(server.store.getTrace(c.traceId)).toEqual([]);
  });

  it('files experiment traces without a log stream, and refuses both headers', async () => {
    const a = await oneSpanBody();
    const res = await post(a.bytes, { ...AUTH, project: 'p', experimentid: 'exp-1' });
    expect(res.status).toBe(200);
    expect(server.store.getTrace(a.traceId)[0]).toMatchObject({
      project: 'p',
      logStream: null,
      experimentId: 'exp-1',
    });
    const b = await oneSpanBody();
    const both = await post(b.bytes, { ...AUTH, logstream: 'l', experimentid: 'exp-1' });
    expect(both.status).toBe(422);
    expect((both.json as { detail: string }).detail).toMatch(
      /either a logstream .* or an experimentid/,
    );
    expect(server.store.getTrace(b.traceId)).toEqual([]);
  });

  it('lets resource attributes override the headers', async () => {
    const spans = await recordSpans((tracer) => tracer.startSpan('routed').end(), {
      'service.name': 'svc',
      'galileo.project.name': 'from-resource',
      'galileo.logstream.name': 'stream-r',
    });
    const res = await post(toProtobuf(spans), { ...AUTH, project: 'p', logstream: 'l' });
    expect(res.status).toBe(200);
    const traceId = spans[0]?.spanContext().traceId ?? '';
    expect(server.store.getTrace(traceId)[0]).toMatchObject({
      project: 'from-resource',
      logStream: 'stream-r',
    });
    const experiment = await recordSpans((tracer) => tracer.startSpan('exp').end(), {
      'galileo.experiment.id': 'exp-9',
    });
    await post(toProtobuf(experiment), { ...AUTH, logstream: 'l' });
    expect(server.store.getTrace(experiment[0]?.spanContext().traceId ?? '')[0]).toMatchObject({
      project: 'default',
      logStream: null,
      experimentId: 'exp-9',
    });
    const conflicting = await recordSpans((tracer) => tracer.startSpan('both').end(), {
      'galileo.logstream.name': 'stream-r',
      'galileo.experiment.id': 'exp-9',
    });
    const refused = await post(toProtobuf(conflicting), AUTH);
    expect(refused.json).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage:
          'Rejected 1 of 1 spans: 1 with a resource with both galileo.logstream.name and galileo.experiment.id.',
      },
    });
    expect(server.store.getTrace(conflicting[0]?.spanContext().traceId ?? '')).toEqual([]);
  });
});

describe('startDevServer: bad input', () => {
  let baseline: { traceId: string; count: number };

  beforeEach(async () => {
    const { bytes, traceId } = await oneSpanBody('kept');
    expect((await post(bytes, AUTH)).status).toBe(200);
    baseline = { traceId, count: server.store.countSpans() };
  });

  afterEach(async () => {
    // The server keeps serving and nothing stored is lost or duplicated.
    const list = await getJson<TraceSummary[]>('/api/traces');
    expect(list.some((t) => t.traceId === baseline.traceId)).toBe(true);
    expect(server.store.getTrace(baseline.traceId)).toHaveLength(1);
    const { bytes, traceId } = await oneSpanBody('after');
    expect((await post(bytes, AUTH)).status).toBe(200);
    expect(server.store.getTrace(traceId)).toHaveLength(1);
  });

  it('answers 401 without a key, or with the wrong key when one is pinned', async () => {
    const { bytes } = await oneSpanBody();
    expect(await post(bytes, PROTOBUF)).toMatchObject({
      status: 401,
      json: { detail: 'API Key is missing' },
    });
    expect((await post(bytes, { ...AUTH, 'galileo-api-key': '  ' })).status).toBe(401);

    const pinned = await startDevServer({ port: 0, dbPath: ':memory:', apiKey: 'secret' });
    try {
      const wrong = await fetch(pinned.otlpUrl, { method: 'POST', headers: AUTH, body: bytes });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ detail: 'Invalid API Key' });
      const right = await fetch(pinned.otlpUrl, {
        method: 'POST',
        headers: { ...AUTH, 'galileo-api-key': 'secret' },
        body: bytes,
      });
      expect(right.status).toBe(200);
    } finally {
      await pinned.close();
    }
    expect(server.store.countSpans()).toBe(baseline.count);
  });

  it('answers 415 for OTLP/JSON, other content types and none', async () => {
    const json = await post('{"resourceSpans":[]}', {
      'galileo-api-key': 'k',
      'content-type': 'application/json',
    });
    expect(json.status).toBe(415);
    expect((json.json as { detail: string }).detail).toMatch(/OTLP\/JSON is not accepted/);
    const text = await post('x', { 'galileo-api-key': 'k', 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    const none = await post(new Uint8Array([1, 2]), { 'galileo-api-key': 'k' });
    expect(none.status).toBe(415);
    expect((none.json as { detail: string }).detail).toMatch(/application\/x-protobuf/);
  });

  it('answers 422 for a request with no spans', async () => {
    const empty = await post(new Uint8Array(), AUTH);
    expect(empty).toMatchObject({ status: 422, json: { detail: 'No spans found in request.' } });
    // A resourceSpans entry with no spans: field 1, length 0.
    expect((await post(new Uint8Array([0x0a, 0x00]), AUTH)).status).toBe(422);
  });

  it('answers 400 for random bytes and truncated protobuf', async () => {
    const random = await post(randomBytes(4096), AUTH);
    expect(random.status).toBe(400);
    expect((random.json as { detail: string }).detail).toMatch(/not a valid OTLP protobuf/);
    const { bytes } = await oneSpanBody();
    const truncated = await post(bytes.subarray(0, bytes.length - 7), AUTH);
    expect(truncated.status).toBe(400);
    const badGzip = await post(randomBytes(64), { ...AUTH, 'content-encoding': 'gzip' });
    expect(badGzip.status).toBe(400);
    expect((badGzip.json as { detail: string }).detail).toMatch(/not valid gzip/);
    const brotli = await post(bytes, { ...AUTH, 'content-encoding': 'br' });
    expect(brotli.status).toBe(415);
  });

  it('answers 413 for a 100 MB body, chunked or declared, and for a gzip bomb', async () => {
    // A 100 MB upload, declared up front or chunked: the answer comes while the client is
    // still sending (as with any HTTP server that refuses early), so read it as soon as it
    // arrives and stop sending, the way an OTLP client on node:http sees it.
    const sendHundredMegabytes = (declare: boolean) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const total = 100;
        const headers: Record<string, string | number> = { ...AUTH };
        if (declare) headers['content-length'] = total * 1024 * 1024;
        const req = request(server.otlpUrl, { method: 'POST', headers }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        });
        req.on('error', (error) => {
          if (!req.destroyed) reject(error);
        });
        const piece = Buffer.alloc(1024 * 1024, 2);
        let sent = 0;
        const pump = (): void => {
          while (sent < total && !req.destroyed) {
            sent++;
            if (!req.write(piece)) {
              req.once('drain', pump);
              return;
            }
          }
          if (!req.destroyed) req.end();
        };
        pump();
      });
    const declared = await sendHundredMegabytes(true);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).detail).toMatch(/exceeds the 10485760 byte limit/);
    const chunked = await sendHundredMegabytes(false);
    expect(chunked.status).toBe(413);

    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const inflated = await post(bomb, { ...AUTH, 'content-encoding': 'gzip' });
    expect(inflated.status).toBe(413);
    expect((inflated.json as { detail: string }).detail).toMatch(/Decompressed/);
  });

  it('rejects spans with bad ids or ending before they start, in partialSuccess', async () => {
    const spans = await recordSpans((tracer) => {
      tracer.startSpan('good').end();
      tracer.startSpan('backwards').end();
      tracer.startSpan('zero-ids').end();
    });
    const zero = spans.find((s) => s.name === 'zero-ids');
    const backwards = spans.find((s) => s.name === 'backwards');
    if (!zero || !backwards) throw new Error('missing span');
    // The SDK clamps a backwards end time, so move it on the finished span, as a buggy sender would.
    Object.defineProperty(backwards, 'endTime', { value: [backwards.startTime[0] - 1, 0] });
    const context = zero.spanContext();
    Object.assign(context, { spanId: '0000000000000000' });
    const res = await post(toProtobuf(spans), AUTH);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      partialSuccess: {
        rejectedSpans: 2,
        errorMessage: expect.stringMatching(/^Rejected 2 of 3 spans: /),
      },
    });
    const message = (res.json as { partialSuccess: { errorMessage: string } }).partialSuccess
      .errorMessage;
    expect(message).toContain('1 with an invalid span id');
    expect(message).toContain('1 with an end time before its start time');
    const good = spans.find((s) => s.name === 'good');
    expect(server.store.getTrace(good?.spanContext().traceId ?? '')).toHaveLength(1);
    expect(server.store.countSpans()).toBe(baseline.count + 1);
  });

  it('stores repaired non-UTF-8 strings and reports the count', async () => {
    const spans = await recordSpans((tracer) =>
      tracer.startSpan('utf8', { attributes: { note: 'ok@@BAD@@ok' } }).end(),
    );
    const bytes = patchBytes(
      toProtobuf(spans),
      '@@BAD@@',
      [0x40, 0xff, 0xfe, 0x41, 0x42, 0xc3, 0x40],
    );
    const res = await post(bytes, AUTH);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-galileo-otel-repaired-strings')).toBe('1');
    expect(res.json).toEqual({
      partialSuccess: {
        rejectedSpans: 0,
        errorMessage: '1 strings were not valid UTF-8 and were stored with U+FFFD replacements.',
      },
    });
    const stored = server.store.getTrace(spans[0]?.spanContext().traceId ?? '');
    expect(stored[0]?.attributes.note).toBe('ok@\uFFFD\uFFFDAB\uFFFD@ok');
  });

  it('answers 405 and 404 for other methods and paths', async () => {
    expect((await fetch(server.otlpUrl)).status).toBe(405);
    expect((await fetch(`${server.url}/api/traces/${'ab'.repeat(16)}`)).status).toBe(404);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
  });
});

/** One request with exactly these headers (fetch may not set Host); `host: null` sends none. */
function rawRequest(
  path: string,
  options: {
    method?: string;
    host?: string | null;
    headers?: Record<string, string>;
    body?: Uint8Array;
  },
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const { method = 'GET', host, headers = {}, body } = options;
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method,
        setHost: host !== null,
        headers: host ? { ...headers, host } : headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
          // The event stream never ends by itself.
          if (path === '/api/events') res.destroy();
        });
        res.on('close', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('startDevServer: DNS rebinding and browser hardening', () => {
  const port = () => new URL(server.url).port;

  it('answers 421 in plain text to a Host name DNS could point here, on every route', async () => {
    const { bytes } = await oneSpanBody('posted through attacker.test');
    const routes: [method: string, path: string][] = [
      ['GET', '/'],
      ['GET', `/traces/${'ab'.repeat(16)}`],
      ['GET', '/api/traces'],
      ['GET', '/api/traces/latest'],
      ['GET', '/api/stats'],
      ['GET', '/api/events'],
      ['POST', '/otel/traces'],
      ['POST', '/otel/v1/traces'],
      ['GET', '/nope'],
    ];
    const names = [
      `attacker.test:${port()}`,
      'attacker.test',
      `localhost.attacker.test:${port()}`,
      `127.0.0.1.nip.io:${port()}`,
      `localhost@attacker.test:${port()}`,
    ];
    for (const host of names) {
      for (const [method, path] of routes) {
        const res = await rawRequest(path, {
          method,
          host,
          headers: method === 'POST' ? AUTH : {},
          body: method === 'POST' ? bytes : undefined,
        });
        expect({ host, path, status: res.status }).toEqual({ host, path, status: 421 });
        expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.body).toMatch(
          /^Host ".*" refused: this receiver answers only localhost, IP addresses and its --host \(127\.0\.0\.1\), against DNS rebinding\.\n$/,
        );
      }
    }
    // No Host at all: Node itself answers HTTP/1.1 requests without one with 400.
    const hostless = await rawRequest('/api/traces', { host: null });
    expect(hostless.status).toBe(400);
    expect(server.store.countSpans()).toBe(0);
    expect(server.stats()).toMatchObject({ insertedSpans: 0, refusedRequests: names.length * 2 });
  });

  it('answers loopback names, IP addresses and the --host value, with any port', async () => {
    for (const host of [
      `127.0.0.1:${port()}`,
      `localhost:${port()}`,
      'LOCALHOST',
      `app.localhost:${port()}`,
      '127.3.2.1:80',
      `[::1]:${port()}`,
      `192.168.1.20:${port()}`,
    ]) {
      expect({ host, status: (await rawRequest('/api/stats', { host })).status }).toEqual({
        host,
        status: 200,
      });
    }
  });

  it('answers 403 to a POST from a page on another name (Origin), and stores nothing', async () => {
    const { bytes, traceId } = await oneSpanBody('posted from a page');
    for (const origin of [`http://attacker.test:${port()}`, 'null', 'file://']) {
      const res = await rawRequest('/otel/traces', {
        method: 'POST',
        headers: { ...AUTH, origin },
        body: bytes,
      });
      expect({ origin, status: res.status }).toEqual({ origin, status: 403 });
      expect(res.body).toContain(`Origin ${JSON.stringify(origin)} refused`);
    }
    expect(server.store.getTrace(traceId)).toEqual([]);
    // A page on a loopback name passes this check (the browser's CORS preflight still applies).
    const local = await rawRequest('/otel/traces', {
      method: 'POST',
      headers: { ...AUTH, origin: 'http://localhost:3000' },
      body: bytes,
    });
    expect(local.status).toBe(200);
    expect(server.store.getTrace(traceId)).toHaveLength(1);
  });

  it('sends a strict Content-Security-Policy, nosniff and no-framing headers', async () => {
    const page = await rawRequest('/', {});
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(
      /^default-src 'none'; script-src 'sha256-[A-Za-z0-9+/]{43}='; style-src 'sha256-[A-Za-z0-9+/]{43}='; connect-src 'self'; /,
    );
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe');
    for (const res of [
      page,
      await rawRequest('/api/traces', {}),
      await rawRequest('/otel/traces', { method: 'POST' }),
    ]) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
    }
    expect((await rawRequest('/api/traces', {})).headers['content-security-policy']).toBe(
      "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    );
  });
});

describe('TraceStore', () => {
  it('flags orphans whose parent never arrived, and still lists them', async () => {
    const spans = await recordSpans((tracer) => {
      const parent = tracer.startSpan('never-sent');
      tracer.startSpan('orphan', {}, trace.setSpan(context.active(), parent)).end();
      // The parent never ends, so it is never exported.
    });
    expect(spans.map((s) => s.name)).toEqual(['orphan']);
    expect((await post(toProtobuf(spans), AUTH)).status).toBe(200);
    const traceId = spans[0]?.spanContext().traceId ?? '';
    const [orphan] = server.store.getTrace(traceId);
    expect(orphan).toMatchObject({ name: 'orphan', orphan: true });
    expect(orphan?.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
    const [summary] = server.store.listTraces();
    expect(summary).toMatchObject({ traceId, rootName: 'orphan', spanCount: 1 });
  });

  it('waitForSpans rejects with the count seen when the timeout passes', async () => {
    await expect(server.store.waitForSpans('ab'.repeat(16), 1, 50)).rejects.toThrow(
      /waiting for 1 spans of trace a.*; 0 arrived/,
    );
  });

  it('notifies live viewers over server-sent events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body?.getReader();
    if (!reader) throw new Error('no body');
    const { bytes, traceId } = await oneSpanBody();
    await post(bytes, AUTH);
    let received = '';
    while (!received.includes('event: spans')) {
      const chunk = await reader.read();
      if (chunk.done) break;
      received += new TextDecoder().decode(chunk.value);
    }
    controller.abort();
    expect(received).toContain(`"traceIds":["${traceId}"]`);
  });
});
