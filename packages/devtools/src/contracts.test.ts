// The receiver's three ingest contracts (Galileo, Splunk AO, Splunk Observability Cloud), routing
// from both attribute families, and the sessions of the read API, over real HTTP.
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { context, trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type DevServer,
  type SessionDetail,
  type SessionSummary,
  startDevServer,
  TraceStore,
  type TraceSummary,
} from './index.js';
import { recordSpans, toProtobuf } from './test-support/agent-trace.js';

const PROTOBUF = { 'content-type': 'application/x-protobuf' };

let server: DevServer;

beforeEach(async () => {
  server = await startDevServer({ port: 0, dbPath: ':memory:' });
});

afterEach(async () => {
  await server.close();
});

async function post(path: string, headers: Record<string, string>, body: Uint8Array) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { ...PROTOBUF, ...headers },
    body,
  });
  return { status: res.status, json: (await res.json()) as unknown };
}

async function getJson<T>(path: string): Promise<T> {
  const res = await fetch(`${server.url}${path}`);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** One span's export request; `resource` adds to `service.name: svc`. */
async function oneSpan(
  name: string,
  attributes: Record<string, string> = {},
  resource: Record<string, string> = {},
) {
  const spans = await recordSpans((tracer) => tracer.startSpan(name, { attributes }).end(), {
    'service.name': 'svc',
    ...resource,
  });
  return { body: toProtobuf(spans), traceId: spans[0]?.spanContext().traceId ?? '' };
}

describe('the three ingest contracts', () => {
  it('stores each trace with the contract its path and auth header name', async () => {
    const cases = [
      ['/otel/traces', 'Galileo-API-Key', 'galileo'],
      ['/otel/v1/traces', 'Galileo-API-Key', 'galileo'],
      ['/otel/v1/traces', 'Splunk-AO-API-Key', 'splunk-ao'],
      // Earlier Splunk AO SDK releases post to /otel/traces.
      ['/otel/traces', 'Splunk-AO-API-Key', 'splunk-ao'],
      ['/v2/trace/otlp', 'X-SF-Token', 'splunk-o11y'],
    ] as const;
    const sent: Record<string, string> = {};
    for (const [path, auth, contract] of cases) {
      const span = await oneSpan(`${path} ${auth}`);
      expect(await post(path, { [auth]: 'any-value' }, span.body)).toEqual({
        status: 200,
        json: {},
      });
      expect(server.store.getTrace(span.traceId)[0]?.contract).toBe(contract);
      sent[span.traceId] = contract;
    }
    const list = await getJson<TraceSummary[]>('/api/traces');
    expect(Object.fromEntries(list.map((t) => [t.traceId, t.contract]))).toEqual(sent);
    const ao = await getJson<TraceSummary[]>('/api/traces?contract=splunk-ao');
    expect(ao.map((t) => t.rootName).sort()).toEqual([
      '/otel/traces Splunk-AO-API-Key',
      '/otel/v1/traces Splunk-AO-API-Key',
    ]);
  });

  it("answers 401 in each contract's terms and stores nothing", async () => {
    const span = await oneSpan('refused');
    // Splunk Observability Cloud takes only its ingest token.
    expect(await post('/v2/trace/otlp', { 'Galileo-API-Key': 'k' }, span.body)).toEqual({
      status: 401,
      json: {
        detail:
          'Token is missing: send the Splunk Observability Cloud ingest token in the X-SF-Token header.',
      },
    });
    // Galileo and Splunk AO do not take it.
    expect(await post('/otel/v1/traces', { 'X-SF-Token': 't' }, span.body)).toEqual({
      status: 401,
      json: { detail: 'API Key is missing' },
    });
    expect(await post('/otel/traces', { 'Splunk-AO-API-Key': ' ' }, span.body)).toMatchObject({
      status: 401,
    });
    const both = await post(
      '/otel/v1/traces',
      { 'Galileo-API-Key': 'a', 'Splunk-AO-API-Key': 'b' },
      span.body,
    );
    expect(both).toEqual({
      status: 400,
      json: {
        detail:
          'Send one API key header, Galileo-API-Key or Splunk-AO-API-Key, not both: it says which contract the request follows.',
      },
    });
    expect(server.store.countSpans()).toBe(0);
    expect(server.stats().refusedRequests).toBe(4);
    expect((await fetch(`${server.url}/v2/trace/otlp`)).status).toBe(405);
  });

  it('accepts only the pinned key, whichever header carries it', async () => {
    const pinned = await startDevServer({ port: 0, dbPath: ':memory:', apiKey: 'secret' });
    try {
      const span = await oneSpan('pinned');
      const send = (path: string, headers: Record<string, string>) =>
        fetch(`${pinned.url}${path}`, {
          method: 'POST',
          headers: { ...PROTOBUF, ...headers },
          body: span.body,
        }).then(async (r) => [r.status, await r.json()]);
      expect(await send('/otel/v1/traces', { 'Splunk-AO-API-Key': 'wrong' })).toEqual([
        401,
        { detail: 'Invalid API Key' },
      ]);
      expect(await send('/v2/trace/otlp', { 'X-SF-Token': 'wrong' })).toEqual([
        401,
        { detail: 'Invalid token' },
      ]);
      expect(pinned.store.countSpans()).toBe(0);
      expect(await send('/v2/trace/otlp', { 'X-SF-Token': 'secret' })).toEqual([200, {}]);
      expect(pinned.store.getTrace(span.traceId)[0]?.contract).toBe('splunk-o11y');
    } finally {
      await pinned.close();
    }
  });
});

describe('routing from either attribute family', () => {
  it('reads splunk_ao.* on the Resource like galileo.*, names or ids, over the headers', async () => {
    const byName = await oneSpan(
      'ao',
      {},
      { 'splunk_ao.project.name': 'ao-project', 'splunk_ao.logstream.name': 'ao-stream' },
    );
    const headers = { 'Splunk-AO-API-Key': 'k', project: 'p', logstream: 'l' };
    expect((await post('/otel/v1/traces', headers, byName.body)).status).toBe(200);
    expect(server.store.getTrace(byName.traceId)[0]).toMatchObject({
      contract: 'splunk-ao',
      project: 'ao-project',
      logStream: 'ao-stream',
      experimentId: null,
    });
    const byId = await oneSpan(
      'o11y',
      {},
      { 'splunk_ao.project.id': 'p-42', 'splunk_ao.experiment.id': 'exp-7' },
    );
    expect((await post('/v2/trace/otlp', { 'X-SF-Token': 't' }, byId.body)).status).toBe(200);
    expect(server.store.getTrace(byId.traceId)[0]).toMatchObject({
      contract: 'splunk-o11y',
      project: 'p-42',
      logStream: null,
      experimentId: 'exp-7',
    });
    // The other family works on any contract.
    const galileoOnAo = await oneSpan('g', {}, { 'galileo.project.name': 'g-project' });
    expect((await post('/otel/v1/traces', headers, galileoOnAo.body)).status).toBe(200);
    expect(server.store.getTrace(galileoOnAo.traceId)[0]).toMatchObject({
      project: 'g-project',
      logStream: 'l',
    });
  });

  it("prefers the contract's own family, and a span's own routing over its Resource", async () => {
    const resource = {
      'galileo.project.name': 'from-galileo',
      'splunk_ao.project.name': 'from-ao',
    };
    const mixed = await oneSpan('mixed', {}, resource);
    await post('/otel/traces', { 'Galileo-API-Key': 'k' }, mixed.body);
    await post('/otel/v1/traces', { 'Splunk-AO-API-Key': 'k' }, mixed.body);
    const rows = (await getJson<TraceSummary[]>('/api/traces')).filter(
      (t) => t.traceId === mixed.traceId,
    );
    // Same span ids: the second export is a duplicate, so only the first is stored.
    expect(rows.map((t) => [t.contract, t.project])).toEqual([['galileo', 'from-galileo']]);
    const ao = await oneSpan('mixed-ao', {}, resource);
    await post('/otel/v1/traces', { 'Splunk-AO-API-Key': 'k' }, ao.body);
    expect(server.store.getTrace(ao.traceId)[0]?.project).toBe('from-ao');

    const own = await oneSpan(
      'own',
      { 'splunk_ao.project.name': 'span-project', 'galileo.logstream.id': 'ls-9' },
      { 'splunk_ao.project.name': 'resource-project' },
    );
    await post('/otel/v1/traces', { 'Splunk-AO-API-Key': 'k', logstream: 'l' }, own.body);
    expect(server.store.getTrace(own.traceId)[0]).toMatchObject({
      project: 'span-project',
      logStream: 'ls-9',
    });
  });

  it('rejects a span naming one entity by name and id at once, in partialSuccess', async () => {
    const bad = await oneSpan(
      'bad',
      {},
      { 'splunk_ao.project.name': 'p', 'splunk_ao.project.id': 'p-1' },
    );
    expect(await post('/otel/v1/traces', { 'Splunk-AO-API-Key': 'k' }, bad.body)).toEqual({
      status: 200,
      json: {
        partialSuccess: {
          rejectedSpans: 1,
          errorMessage:
            'Rejected 1 of 1 spans: 1 with a resource with both splunk_ao.project.name and splunk_ao.project.id.',
        },
      },
    });
    const stream = await oneSpan('stream', {
      'galileo.logstream.name': 'l',
      'galileo.experiment.id': 'e',
    });
    const answer = await post('/otel/traces', { 'Galileo-API-Key': 'k' }, stream.body);
    expect(answer.json).toMatchObject({
      partialSuccess: {
        errorMessage:
          'Rejected 1 of 1 spans: 1 with a span with both galileo.logstream.name and galileo.experiment.id.',
      },
    });
    expect(server.store.countSpans()).toBe(0);
  });
});

// Epoch milliseconds. The OTel SDK reads a small number as time since the process started
// (performance.now()), so times like 1_000 would depend on how long the worker has run.
const T0 = 1_700_000_000_000;

describe('sessions in the read API', () => {
  it('groups traces by galileo.session.id, else gen_ai.conversation.id or session.id', async () => {
    const first = await recordSpans(
      (tracer) => {
        const root = tracer.startSpan('turn 1', {
          startTime: T0 + 1_000,
          attributes: { 'galileo.session.id': 'conv-1', 'gen_ai.conversation.id': 'conv-1' },
        });
        // A span of the same trace without the attribute still counts for the session.
        tracer
          .startSpan(
            'plain child',
            { startTime: T0 + 1_100 },
            trace.setSpan(context.active(), root),
          )
          .end(T0 + 1_200);
        root.end(T0 + 1_500);
      },
      { 'service.name': 'node-agent' },
    );
    // What a Python service on the Splunk AO SDK sends: only gen_ai.conversation.id.
    const second = await recordSpans(
      (tracer) => {
        const span = tracer.startSpan('turn 2', {
          startTime: T0 + 2_000,
          attributes: { 'gen_ai.conversation.id': 'conv-1' },
        });
        span.setStatus({ code: 2, message: 'failed' });
        span.end(T0 + 2_600);
      },
      { 'service.name': 'py-agent' },
    );
    const other = await recordSpans((tracer) => tracer.startSpan('other').end(), {
      'service.name': 'svc',
      'galileo.session.id': 'on-resource',
    });
    const otel = await recordSpans((tracer) =>
      tracer.startSpan('otel', { attributes: { 'session.id': 'otel-session' } }).end(),
    );
    await post('/otel/traces', { 'Galileo-API-Key': 'k' }, toProtobuf(first));
    await post('/otel/v1/traces', { 'Splunk-AO-API-Key': 'k' }, toProtobuf(second));
    await post('/otel/traces', { 'Galileo-API-Key': 'k' }, toProtobuf(other));
    await post('/otel/traces', { 'Galileo-API-Key': 'k' }, toProtobuf(otel));

    const sessions = await getJson<SessionSummary[]>('/api/sessions');
    expect(sessions.map((s) => s.sessionId).sort()).toEqual([
      'conv-1',
      'on-resource',
      'otel-session',
    ]);
    const conv = sessions.find((s) => s.sessionId === 'conv-1');
    expect(conv).toEqual({
      sessionId: 'conv-1',
      services: ['node-agent', 'py-agent'],
      contracts: ['galileo', 'splunk-ao'],
      traceCount: 2,
      spanCount: 3,
      errorCount: 1,
      startTimeUnixNano: String(BigInt(T0 + 1_000) * 1_000_000n),
      startMs: T0 + 1_000,
      endMs: T0 + 2_600,
      lastReceivedMs: expect.any(Number),
    });

    const detail = await getJson<SessionDetail>('/api/sessions/conv-1');
    expect(detail.traces.map((t) => [t.rootName, t.services, t.contract])).toEqual([
      ['turn 1', ['node-agent'], 'galileo'],
      ['turn 2', ['py-agent'], 'splunk-ao'],
    ]);
    expect(detail.traces.map((t) => t.sessionIds)).toEqual([['conv-1'], ['conv-1']]);
    const [span] = server.store.getTrace(other[0]?.spanContext().traceId ?? '');
    expect(span?.sessionId).toBe('on-resource');
    const filtered = await getJson<TraceSummary[]>('/api/traces?session=conv-1');
    expect(filtered).toHaveLength(2);
  });

  it('serves any session id, percent-encoded, and says when one is unknown or malformed', async () => {
    const id = 'a/b?c#d%e "<f>" ü';
    const spans = await recordSpans((tracer) =>
      tracer.startSpan('odd', { attributes: { 'galileo.session.id': id } }).end(),
    );
    await post('/otel/traces', { 'Galileo-API-Key': 'k' }, toProtobuf(spans));
    const detail = await getJson<SessionDetail>(`/api/sessions/${encodeURIComponent(id)}`);
    expect(detail.sessionId).toBe(id);
    expect(detail.traces).toHaveLength(1);
    const missing = await fetch(`${server.url}/api/sessions/nope`);
    expect([missing.status, await missing.json()]).toEqual([404, { detail: 'Session not found.' }]);
    const malformed = await fetch(`${server.url}/api/sessions/%E0%A4%A`);
    expect(malformed.status).toBe(400);
    // The viewer's routes for sessions serve the page.
    for (const path of ['/sessions', `/sessions/${encodeURIComponent(id)}`]) {
      const page = await fetch(`${server.url}${path}`);
      expect(page.headers.get('content-type'), path).toBe('text/html; charset=utf-8');
    }
  });
});

describe('a trace store written before contracts and sessions', () => {
  const OLD_SCHEMA = `CREATE TABLE spans (
    trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT, project TEXT NOT NULL,
    log_stream TEXT, experiment_id TEXT, name TEXT NOT NULL, kind TEXT NOT NULL,
    span_kind INTEGER NOT NULL, service_name TEXT, start_ns INTEGER NOT NULL,
    end_ns INTEGER NOT NULL, status_code INTEGER NOT NULL, status_message TEXT NOT NULL,
    attributes TEXT NOT NULL, resource TEXT NOT NULL, scope_name TEXT NOT NULL,
    scope_version TEXT NOT NULL, events TEXT NOT NULL, links TEXT NOT NULL,
    received_at INTEGER NOT NULL, PRIMARY KEY (trace_id, span_id)) WITHOUT ROWID`;
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'galileo-devtools-old-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is read as is when read-only, and gains the columns when opened for writing', () => {
    const file = join(dir, 'old.db');
    const db = new DatabaseSync(file);
    db.exec(OLD_SCHEMA);
    db.prepare(
      `INSERT INTO spans VALUES (?, ?, NULL, 'p', 'l', NULL, 'old span', 'workflow', 1, 'svc',
        1000000, 2000000, 0, '', ?, ?, 's', '', '[]', '[]', 5)`,
    ).run('ab'.repeat(16), 'cd'.repeat(8), '{"gen_ai.conversation.id":"old-conv"}', '{}');
    db.close();
    const before = readFileSync(file);
    copyFileSync(file, join(dir, 'copy.db'));

    const reader = new TraceStore(file, { readOnly: true });
    expect(reader.getTrace('ab'.repeat(16))[0]).toMatchObject({
      contract: 'galileo',
      sessionId: 'old-conv',
    });
    expect(reader.listSessions().map((s) => s.sessionId)).toEqual(['old-conv']);
    reader.close();
    expect(readFileSync(file).equals(before)).toBe(true);

    const writer = new TraceStore(join(dir, 'copy.db'));
    expect(writer.getSession('old-conv')?.traces[0]?.contract).toBe('galileo');
    writer.close();
    const upgraded = new DatabaseSync(join(dir, 'copy.db'), { readOnly: true });
    const row = upgraded.prepare('SELECT contract, session_id FROM spans').get();
    upgraded.close();
    expect({ ...row }).toEqual({ contract: 'galileo', session_id: 'old-conv' });
  });
});
