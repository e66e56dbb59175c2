import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { type DestinationKind, type GalileoKind, galileoKind } from '@galileo-otel/core';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { spanTree } from './internal/span-tree.js';
import { type JsonValue, toJsonAttributes } from './internal/to-json-value.js';

export type { JsonValue } from './internal/to-json-value.js';

/**
 * Where Galileo would file a span: a project plus either a log stream or an experiment, and the
 * contract (path and auth header) it came by.
 */
export interface SpanDestination {
  /**
   * The ingest contract the span came by: `galileo` (`/otel/traces` or `/otel/v1/traces` with
   * `Galileo-API-Key`), `splunk-ao` (the same paths with `Splunk-AO-API-Key`) or `splunk-o11y`
   * (`/v2/trace/otlp` with `X-SF-Token`).
   */
  contract: DestinationKind;
  /** Project name (or the project id, when the span was routed by id only). */
  project: string;
  /** Log stream name (or its id, when routed by id only); `null` in experiment mode. */
  logStream: string | null;
  /** Experiment id; `null` in log stream mode. */
  experimentId: string | null;
}

/**
 * One row of `GET /api/traces`: a trace as filed under one project and log stream/experiment,
 * by one contract.
 */
export interface TraceSummary extends SpanDestination {
  /** Trace id, 32 lower-case hex characters. */
  traceId: string;
  /** Distinct session ids of the trace's spans, sorted (usually none or one). */
  sessionIds: string[];
  /** Name of the root span (the earliest span without a parent, else the earliest span). */
  rootName: string;
  /** Distinct `service.name` values of the trace's resources, sorted. */
  services: string[];
  /** Number of stored spans. */
  spanCount: number;
  /** Number of spans with status code 2 (error). */
  errorCount: number;
  /** Distinct Galileo kinds among the spans, sorted. */
  kinds: GalileoKind[];
  /** Earliest span start, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** Earliest span start in milliseconds since the epoch. */
  startMs: number;
  /** Latest end minus earliest start, in milliseconds. */
  durationMs: number;
  /** When the most recent span of the trace arrived (milliseconds since the epoch). */
  lastReceivedMs: number;
}

/** A span event as served by the read API. */
export interface StoredEvent {
  /** Event name. */
  name: string;
  /** Nanoseconds since the epoch, as a decimal string. */
  timeUnixNano: string;
  /** Event attributes. */
  attributes: Record<string, JsonValue>;
}

/** One stored span, as served by `GET /api/traces/:traceId`. */
export interface StoredSpan extends SpanDestination {
  /** Trace id, lower-case hex. */
  traceId: string;
  /** Span id, lower-case hex. */
  spanId: string;
  /** Parent span id, or `null` for a root span. */
  parentSpanId: string | null;
  /** True when the span names a parent that is not stored (yet): it is shown, and flagged. */
  orphan: boolean;
  /**
   * True when the span's parent chain loops back to it (a parent cycle, which no real trace
   * has): it is shown, and flagged.
   */
  cycle: boolean;
  /** Span name. */
  name: string;
  /** Galileo span type, derived with `galileoKind` from `@galileo-otel/core`. */
  kind: GalileoKind;
  /** OTLP span kind number (0 unspecified … 5 consumer). */
  spanKind: number;
  /** The resource's `service.name`, or `null`. */
  serviceName: string | null;
  /**
   * The span's session: `galileo.session.id`, else `gen_ai.conversation.id`, else `session.id`
   * (span attributes first, then the resource's); `null` when it has none.
   */
  sessionId: string | null;
  /** Start, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** End, nanoseconds since the epoch, as a decimal string. */
  endTimeUnixNano: string;
  /** Start in milliseconds since the epoch. */
  startMs: number;
  /** Duration in milliseconds. */
  durationMs: number;
  /** Status: code 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
  /** Span attributes (64-bit integers beyond 2^53 as strings, bytes as base64). */
  attributes: Record<string, JsonValue>;
  /** Resource attributes. */
  resource: Record<string, JsonValue>;
  /** Instrumentation scope. */
  scope: { name: string; version: string };
  /** Span events. */
  events: StoredEvent[];
  /** Span links. */
  links: { traceId: string; spanId: string; attributes: Record<string, JsonValue> }[];
}

/** One row of `GET /api/sessions`: a conversation and every trace that belongs to it. */
export interface SessionSummary {
  /** The session (conversation) id, as the spans carry it. */
  sessionId: string;
  /** Distinct `service.name` values over all spans of its traces, sorted. */
  services: string[];
  /** Distinct contracts its spans came by, sorted. */
  contracts: DestinationKind[];
  /** Number of traces with at least one span in this session. */
  traceCount: number;
  /** Number of spans of those traces. */
  spanCount: number;
  /** Number of those spans with status code 2 (error). */
  errorCount: number;
  /** Earliest span start, nanoseconds since the epoch, as a decimal string. */
  startTimeUnixNano: string;
  /** Earliest span start (the first time), milliseconds since the epoch. */
  startMs: number;
  /** Latest span end (the last time), milliseconds since the epoch. */
  endMs: number;
  /** When the most recent span of the session arrived (milliseconds since the epoch). */
  lastReceivedMs: number;
}

/** `GET /api/sessions/:id`: the session and its traces, earliest first. */
export interface SessionDetail extends SessionSummary {
  /** The session's traces in start-time order, across services and contracts. */
  traces: TraceSummary[];
}

/** Filters for {@link TraceStore.listTraces}. */
export interface ListTracesOptions {
  /** Only traces filed under this project. */
  project?: string | undefined;
  /** Only traces filed under this log stream. */
  logStream?: string | undefined;
  /** Only traces filed under this experiment. */
  experimentId?: string | undefined;
  /** Only traces that came by this contract. */
  contract?: DestinationKind | undefined;
  /** Only traces with a span in this session. */
  sessionId?: string | undefined;
  /** At most this many traces, most recently received first. Defaults to 50, capped at 1000. */
  limit?: number | undefined;
}

/** How {@link TraceStore} opens its file. */
export interface TraceStoreOptions {
  /**
   * Open the file read-only: nothing is created, converted or written, and a file that is not a
   * trace store is refused. Ignored for `':memory:'`, which is always a new, empty store.
   * @defaultValue false
   */
  readOnly?: boolean | undefined;
}

/** The outcome of {@link TraceStore.insertSpans}. */
export interface InsertResult {
  /** Spans newly stored. */
  inserted: number;
  /** Spans skipped because a span with the same trace id and span id was already stored. */
  duplicates: number;
  /** Trace ids that received new spans. */
  traceIds: string[];
}

interface SpanRow {
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  contract: string;
  session_id: string | null;
  project: string;
  log_stream: string | null;
  experiment_id: string | null;
  name: string;
  kind: string;
  span_kind: number;
  service_name: string | null;
  start_ns: string;
  end_ns: string;
  status_code: number;
  status_message: string;
  attributes: string;
  resource: string;
  scope_name: string;
  scope_version: string;
  events: string;
  links: string;
}

interface SummaryRow {
  trace_id: string;
  contract: string;
  sessions: string | null;
  project: string;
  log_stream: string | null;
  experiment_id: string | null;
  root_name: string | null;
  services: string | null;
  kinds: string | null;
  span_count: number;
  error_count: number;
  start_ns: string;
  duration_ms: number;
  last_received: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spans (
  trace_id TEXT NOT NULL,
  span_id TEXT NOT NULL,
  parent_span_id TEXT,
  project TEXT NOT NULL,
  log_stream TEXT,
  experiment_id TEXT,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  span_kind INTEGER NOT NULL,
  service_name TEXT,
  start_ns INTEGER NOT NULL,
  end_ns INTEGER NOT NULL,
  status_code INTEGER NOT NULL,
  status_message TEXT NOT NULL,
  attributes TEXT NOT NULL,
  resource TEXT NOT NULL,
  scope_name TEXT NOT NULL,
  scope_version TEXT NOT NULL,
  events TEXT NOT NULL,
  links TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  contract TEXT NOT NULL DEFAULT 'galileo',
  session_id TEXT,
  PRIMARY KEY (trace_id, span_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS spans_received ON spans (received_at);
CREATE INDEX IF NOT EXISTS spans_destination ON spans (project, log_stream, experiment_id);
`;
// After the table has every column (a store written before they existed gets them first).
const INDEXES = 'CREATE INDEX IF NOT EXISTS spans_session ON spans (session_id);';

// The session of a span, worked out again from its stored JSON: how a store written before the
// session_id column is filled in (and read, when opened read-only). Same order as sessionOf().
const SESSION_KEYS = ['galileo.session.id', 'gen_ai.conversation.id', 'session.id'];
const SESSION_FROM_JSON = `COALESCE(${['attributes', 'resource']
  .flatMap((column) =>
    SESSION_KEYS.map((key) => `NULLIF(CAST(json_extract(${column}, '$."${key}"') AS TEXT), '')`),
  )
  .join(', ')})`;

// Columns added after the first release: a store without them is upgraded when opened for
// writing, and read with these stand-ins when opened read-only.
const ADDED_COLUMNS: Readonly<Record<string, { definition: string; fallback: string }>> = {
  contract: { definition: "TEXT NOT NULL DEFAULT 'galileo'", fallback: "'galileo'" },
  session_id: { definition: 'TEXT', fallback: SESSION_FROM_JSON },
};

// The columns a file must have to be read as a trace store, taken from the schema itself.
const STORE_COLUMNS = [...SCHEMA.matchAll(/^ {2}(\w+) (?:TEXT|INTEGER)/gm)]
  .map((m) => m[1])
  .filter((c) => c !== undefined && !(c in ADDED_COLUMNS));
const SQLITE_NOTADB = 26;

/** The session id of a decoded span: span attributes first, then its resource. */
function sessionOf(span: OtlpSpan): string | null {
  for (const source of [span.attributes, span.resource]) {
    for (const key of SESSION_KEYS) {
      const value = source[key];
      if (typeof value === 'string' && value !== '') return value;
    }
  }
  return null;
}

/**
 * Throws, naming the file, unless the database is a trace store or, when `mayCreate`, holds no
 * table at all (a new file). Runs before anything writes, so a refused file is left untouched.
 */
function checkIsTraceStore(db: DatabaseSync, path: string, mayCreate: boolean): Set<string> {
  let tables: string[];
  try {
    tables = (
      db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .all() as { name: string }[]
    ).map((t) => t.name);
  } catch (error) {
    if ((error as { errcode?: number }).errcode !== SQLITE_NOTADB) throw error;
    throw notATraceStore(path, 'not an SQLite database');
  }
  if (!tables.includes('spans')) {
    if (mayCreate && tables.length === 0) return new Set();
    throw notATraceStore(
      path,
      tables.length === 0 ? 'no spans table' : `no spans table; its tables: ${tables.join(', ')}`,
    );
  }
  const columns = new Set(
    (db.prepare("SELECT name FROM pragma_table_info('spans')").all() as { name: string }[]).map(
      (c) => c.name,
    ),
  );
  const missing = STORE_COLUMNS.filter((c) => c !== undefined && !columns.has(c));
  if (missing.length > 0) {
    throw notATraceStore(path, `its spans table lacks ${missing.join(', ')}`);
  }
  return columns;
}

function notATraceStore(path: string, reason: string): Error {
  return Object.assign(
    new Error(`${path} is not a galileo-otel trace store (${reason}); it was left untouched.`),
    { code: 'ERR_NOT_A_TRACE_STORE' },
  );
}

const SPAN_COLUMNS = `trace_id, span_id, parent_span_id, contract, session_id, project, log_stream,
  experiment_id, name, kind, span_kind, service_name, CAST(start_ns AS TEXT) AS start_ns,
  CAST(end_ns AS TEXT) AS end_ns, status_code, status_message, attributes, resource, scope_name,
  scope_version, events, links`;

const INSERT_COLUMNS = [
  'trace_id',
  'span_id',
  'parent_span_id',
  'contract',
  'session_id',
  'project',
  'log_stream',
  'experiment_id',
  'name',
  'kind',
  'span_kind',
  'service_name',
  'start_ns',
  'end_ns',
  'status_code',
  'status_message',
  'attributes',
  'resource',
  'scope_name',
  'scope_version',
  'events',
  'links',
  'received_at',
];

interface SessionRow {
  session_id: string;
  trace_count: number;
  span_count: number;
  error_count: number;
  services: string | null;
  contracts: string;
  start_ns: string;
  end_ns: string;
  last_received: number;
}

const MAX_LIMIT = 1000;

/** A list limit: 50 by default, between 1 and 1000. */
function clampLimit(limit: number | undefined): number {
  const value = Math.min(Math.max(Math.trunc(limit ?? 50), 1), MAX_LIMIT);
  return Number.isFinite(value) ? value : 50;
}

const NS_PER_MS = 1_000_000n;

function nsToMs(ns: string): number {
  const big = BigInt(ns);
  return Number(big / NS_PER_MS) + Number(big % NS_PER_MS) / 1e6;
}

function splitSorted(list: string | null): string[] {
  if (!list) return [];
  return [...new Set(list.split('\u001f').filter((x) => x !== ''))].sort();
}

/**
 * The local trace database: one SQLite file (or `:memory:`) written by the dev server and read
 * by the read API, the viewer and the CLI. A span is keyed by trace id + span id, so a retried
 * export never stores it twice.
 */
export class TraceStore {
  /** The SQLite path this store was opened with. */
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #insert: StatementSync | undefined;
  readonly #listeners = new Set<(traceIds: string[]) => void>();
  #closed = false;

  /**
   * Opens (creating when needed) the database at `path`; `':memory:'` keeps it in memory. An
   * existing file must be a trace store or an empty database: any other file (another app's
   * SQLite database, a text file) is refused with an error naming it (`code`
   * `'ERR_NOT_A_TRACE_STORE'`) before anything is written to it. A store written by an earlier
   * version gains the newer columns when opened for writing, and is read as is when read-only.
   */
  constructor(path: string, options: TraceStoreOptions = {}) {
    this.path = path;
    const memory = path === ':memory:';
    const readOnly = options.readOnly === true && !memory;
    if (!memory && !readOnly) mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path, { timeout: 5000, readOnly });
    let columns: Set<string>;
    try {
      columns = checkIsTraceStore(this.#db, path, !readOnly);
    } catch (error) {
      this.#db.close();
      throw error;
    }
    const missing = Object.entries(ADDED_COLUMNS).filter(
      ([name]) => columns.size > 0 && !columns.has(name),
    );
    if (readOnly) {
      // Nothing may be written to the file: a view in the connection's own temp schema, which
      // hides the table of the same name, stands in for the columns it lacks.
      if (missing.length > 0) {
        const extra = missing.map(([name, c]) => `${c.fallback} AS ${name}`).join(', ');
        this.#db.exec(`CREATE TEMP VIEW spans AS SELECT *, ${extra} FROM main.spans`);
      }
      this.#insert = undefined;
      return;
    }
    // WAL lets the CLI read while the receiver writes.
    if (!memory) this.#db.exec('PRAGMA journal_mode = WAL;');
    this.#db.exec(SCHEMA);
    for (const [name, column] of missing) {
      this.#db.exec(`ALTER TABLE spans ADD COLUMN ${name} ${column.definition}`);
      if (name === 'session_id') this.#db.exec(`UPDATE spans SET session_id = ${column.fallback}`);
    }
    this.#db.exec(INDEXES);
    this.#insert = this.#db.prepare(
      `INSERT OR IGNORE INTO spans (${INSERT_COLUMNS.join(', ')})
       VALUES (${INSERT_COLUMNS.map((c) => `$${c}`).join(', ')})`,
    );
  }

  /**
   * Stores decoded spans at their destinations in one transaction. Spans already stored (same
   * trace id and span id) are skipped and counted as duplicates.
   */
  insertSpans(
    spans: ReadonlyArray<{ span: OtlpSpan; destination: SpanDestination }>,
  ): InsertResult {
    const insert = this.#insert;
    if (!insert) throw new Error(`${this.path} was opened read-only: spans cannot be stored`);
    let inserted = 0;
    const traceIds = new Set<string>();
    const now = Date.now();
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      for (const { span, destination } of spans) {
        const serviceName = span.resource['service.name'];
        const result = insert.run({
          trace_id: span.traceId,
          span_id: span.spanId,
          parent_span_id: span.parentSpanId ?? null,
          contract: destination.contract,
          session_id: sessionOf(span),
          project: destination.project,
          log_stream: destination.logStream,
          experiment_id: destination.experimentId,
          name: span.name,
          kind: galileoKind(span),
          span_kind: span.kind,
          service_name: typeof serviceName === 'string' ? serviceName : null,
          start_ns: span.startTimeUnixNano,
          end_ns: span.endTimeUnixNano,
          status_code: span.status.code,
          status_message: span.status.message,
          attributes: JSON.stringify(toJsonAttributes(span.attributes)),
          resource: JSON.stringify(toJsonAttributes(span.resource)),
          scope_name: span.scope.name,
          scope_version: span.scope.version,
          events: JSON.stringify(
            span.events.map((e) => ({
              name: e.name,
              timeUnixNano: e.timeUnixNano.toString(),
              attributes: toJsonAttributes(e.attributes),
            })),
          ),
          links: JSON.stringify(
            span.links.map((l) => ({
              traceId: l.traceId,
              spanId: l.spanId,
              attributes: toJsonAttributes(l.attributes),
            })),
          ),
          received_at: now,
        });
        if (Number(result.changes) > 0) {
          inserted++;
          traceIds.add(span.traceId);
        }
      }
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#db.exec('ROLLBACK');
      throw error;
    }
    const ids = [...traceIds];
    if (ids.length > 0) for (const listener of this.#listeners) listener(ids);
    return { inserted, duplicates: spans.length - inserted, traceIds: ids };
  }

  /**
   * Traces, most recently received first, one row per trace, destination (project and log stream
   * or experiment) and contract.
   */
  listTraces(options: ListTracesOptions = {}): TraceSummary[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: clampLimit(options.limit) };
    const filters = [
      ['project', options.project],
      ['log_stream', options.logStream],
      ['experiment_id', options.experimentId],
      ['contract', options.contract],
    ] as const;
    for (const [column, value] of filters) {
      if (value === undefined) continue;
      where.push(`${column} = $${column}`);
      params[column] = value;
    }
    if (options.sessionId !== undefined) {
      where.push('trace_id IN (SELECT trace_id FROM spans WHERE session_id = $session_id)');
      params.session_id = options.sessionId;
    }
    const rows = this.#db
      .prepare(
        `SELECT trace_id, contract, project, log_stream, experiment_id,
           (SELECT r.name FROM spans r WHERE r.trace_id = s.trace_id
              ORDER BY r.parent_span_id IS NOT NULL, r.start_ns LIMIT 1) AS root_name,
           (SELECT json_group_array(DISTINCT x.session_id) FROM spans x
              WHERE x.trace_id = s.trace_id AND x.session_id IS NOT NULL) AS sessions,
           group_concat(service_name, char(31)) AS services,
           group_concat(kind, char(31)) AS kinds,
           COUNT(*) AS span_count,
           SUM(status_code = 2) AS error_count,
           CAST(MIN(start_ns) AS TEXT) AS start_ns,
           (MAX(end_ns) - MIN(start_ns)) / 1000000.0 AS duration_ms,
           MAX(received_at) AS last_received
         FROM spans s
         ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
         GROUP BY trace_id, contract, project, log_stream, experiment_id
         ORDER BY last_received DESC, start_ns DESC
         LIMIT $limit`,
      )
      .all(params) as unknown as SummaryRow[];
    return rows.map((row) => ({
      traceId: row.trace_id,
      contract: row.contract as DestinationKind,
      project: row.project,
      logStream: row.log_stream,
      experimentId: row.experiment_id,
      sessionIds: (JSON.parse(row.sessions ?? '[]') as string[]).sort(),
      rootName: row.root_name ?? '',
      services: splitSorted(row.services),
      spanCount: row.span_count,
      errorCount: row.error_count,
      kinds: splitSorted(row.kinds) as GalileoKind[],
      startTimeUnixNano: row.start_ns,
      startMs: nsToMs(row.start_ns),
      durationMs: Math.max(row.duration_ms, 0),
      lastReceivedMs: row.last_received,
    }));
  }

  /**
   * Sessions (conversations), most recently received first: every session id the spans carry,
   * with the traces that have a span in it, counted over all spans of those traces.
   */
  listSessions(options: { limit?: number | undefined } = {}): SessionSummary[] {
    return this.#sessions(undefined, clampLimit(options.limit));
  }

  /** One session and its traces, earliest first; `undefined` when no span carries that id. */
  getSession(sessionId: string): SessionDetail | undefined {
    const [summary] = this.#sessions(sessionId, 1);
    if (!summary) return undefined;
    const traces = this.listTraces({ sessionId, limit: MAX_LIMIT }).sort((a, b) => {
      const diff = BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano);
      return diff < 0n ? -1 : diff > 0n ? 1 : a.traceId < b.traceId ? -1 : 1;
    });
    return { ...summary, traces };
  }

  #sessions(sessionId: string | undefined, limit: number): SessionSummary[] {
    const rows = this.#db
      .prepare(
        `WITH member AS (
           SELECT DISTINCT session_id, trace_id FROM spans
           WHERE ${sessionId === undefined ? 'session_id IS NOT NULL' : 'session_id = $session_id'}
         )
         SELECT m.session_id,
           COUNT(DISTINCT m.trace_id) AS trace_count,
           COUNT(*) AS span_count,
           SUM(s.status_code = 2) AS error_count,
           group_concat(s.service_name, char(31)) AS services,
           json_group_array(DISTINCT s.contract) AS contracts,
           CAST(MIN(s.start_ns) AS TEXT) AS start_ns,
           CAST(MAX(s.end_ns) AS TEXT) AS end_ns,
           MAX(s.received_at) AS last_received
         FROM member m JOIN spans s ON s.trace_id = m.trace_id
         GROUP BY m.session_id
         ORDER BY last_received DESC, start_ns DESC
         LIMIT $limit`,
      )
      .all(
        sessionId === undefined ? { limit } : { limit, session_id: sessionId },
      ) as unknown as SessionRow[];
    return rows.map((row) => ({
      sessionId: row.session_id,
      services: splitSorted(row.services),
      contracts: (JSON.parse(row.contracts) as DestinationKind[]).sort(),
      traceCount: row.trace_count,
      spanCount: row.span_count,
      errorCount: row.error_count,
      startTimeUnixNano: row.start_ns,
      startMs: nsToMs(row.start_ns),
      endMs: nsToMs(row.end_ns),
      lastReceivedMs: row.last_received,
    }));
  }

  /** Every stored span of a trace, ordered by start time; empty when the trace is unknown. */
  getTrace(traceId: string): StoredSpan[] {
    const rows = this.#db
      .prepare(
        `SELECT ${SPAN_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ns, end_ns DESC, span_id`,
      )
      .all(traceId.toLowerCase()) as unknown as SpanRow[];
    const ids = new Set(rows.map((r) => r.span_id));
    const spans: StoredSpan[] = rows.map((row) => {
      const startMs = nsToMs(row.start_ns);
      return {
        traceId: row.trace_id,
        spanId: row.span_id,
        parentSpanId: row.parent_span_id,
        orphan: row.parent_span_id !== null && !ids.has(row.parent_span_id),
        cycle: false,
        name: row.name,
        kind: row.kind as GalileoKind,
        spanKind: row.span_kind,
        serviceName: row.service_name,
        sessionId: row.session_id,
        contract: row.contract as DestinationKind,
        project: row.project,
        logStream: row.log_stream,
        experimentId: row.experiment_id,
        startTimeUnixNano: row.start_ns,
        endTimeUnixNano: row.end_ns,
        startMs,
        durationMs: Math.max(nsToMs(row.end_ns) - startMs, 0),
        status: { code: row.status_code, message: row.status_message },
        attributes: JSON.parse(row.attributes),
        resource: JSON.parse(row.resource),
        scope: { name: row.scope_name, version: row.scope_version },
        events: JSON.parse(row.events),
        links: JSON.parse(row.links),
      };
    });
    for (const row of spanTree(spans)) row.span.cycle = row.cycle;
    return spans;
  }

  /** The id of the trace that most recently received a span, or `undefined` when empty. */
  latestTraceId(): string | undefined {
    const row = this.#db
      .prepare('SELECT trace_id FROM spans ORDER BY received_at DESC, start_ns DESC LIMIT 1')
      .get() as { trace_id: string } | undefined;
    return row?.trace_id;
  }

  /** Total number of stored spans. */
  countSpans(): number {
    const row = this.#db.prepare('SELECT COUNT(*) AS n FROM spans').get() as { n: number };
    return row.n;
  }

  /**
   * Resolves with the trace's spans once at least `count` are stored; rejects after `timeoutMs`
   * (default 10 s) with an error saying how many arrived. Polls, so it also sees spans written
   * by another process to the same file.
   */
  waitForSpans(traceId: string, count: number, timeoutMs = 10_000): Promise<StoredSpan[]> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (this.#closed) {
          reject(new Error(`trace store closed while waiting for trace ${traceId}`));
          return;
        }
        const spans = this.getTrace(traceId);
        if (spans.length >= count) {
          resolve(spans);
        } else if (Date.now() >= deadline) {
          reject(
            new Error(
              `timed out after ${timeoutMs} ms waiting for ${count} spans of trace ${traceId}; ` +
                `${spans.length} arrived`,
            ),
          );
        } else {
          setTimeout(check, 20);
        }
      };
      check();
    });
  }

  /** Calls `listener` with the affected trace ids after each insert that stored new spans. */
  onSpans(listener: (traceIds: string[]) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Closes the database. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#listeners.clear();
    this.#db.close();
  }
}
