import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DestinationKind } from '@galileo-otel/core';
import { hostAllowList } from './internal/allowed-host.js';
import { handleIngest, INGEST_PATHS } from './internal/ingest-request.js';
import { VIEWER_CONTENT_SECURITY_POLICY, viewerPage } from './internal/viewer-page.js';
import { TraceStore } from './trace-store.js';

/** Options for {@link startDevServer}. */
export interface DevServerOptions {
  /** Port to listen on; `0` picks a free one. @defaultValue 4318 */
  port?: number | undefined;
  /** Interface to listen on. @defaultValue `'127.0.0.1'` */
  host?: string | undefined;
  /** SQLite file, or `':memory:'`. @defaultValue `'./.galileo-otel/traces.db'` */
  dbPath?: string | undefined;
  /**
   * When set, only this key is accepted (in `Galileo-API-Key`, `Splunk-AO-API-Key` or
   * `X-SF-Token`); otherwise any non-empty key is.
   */
  apiKey?: string | undefined;
  /** Body limit in bytes, on the wire and after gunzip. @defaultValue 10 MiB */
  maxBodyBytes?: number | undefined;
}

/**
 * What the receiver took in since it started, as `GET /api/stats` serves it. The duplicate count
 * is the one place a lost answer shows: the receiver stored the export, its answer never reached
 * the client, and the client's retry found every span already stored.
 */
export interface IngestStats {
  /** Export requests answered 200. */
  acceptedRequests: number;
  /** Export requests refused with an HTTP error (401, 413, 415, ...). */
  refusedRequests: number;
  /** Spans newly stored. */
  insertedSpans: number;
  /** Spans already stored (same trace id and span id), skipped: retried exports. */
  duplicateSpans: number;
  /** Spans refused one by one in a `partialSuccess`. */
  rejectedSpans: number;
}

/** A running local Galileo. */
export interface DevServer {
  /** Base URL, e.g. `http://127.0.0.1:4318`; the viewer is served here. */
  url: string;
  /**
   * The OTLP traces endpoint to export to with the Galileo contract: `<url>/otel/traces`. The
   * same server takes `<url>/otel/v1/traces` (Galileo or Splunk AO) and `<url>/v2/trace/otlp`
   * (Splunk Observability Cloud).
   */
  otlpUrl: string;
  /** The store the server writes to; read it directly in tests. */
  store: TraceStore;
  /** A snapshot of the ingest counters since start (also `GET /api/stats`). */
  stats(): IngestStats;
  /** Stops listening, ends live viewer connections and closes the database. */
  close(): Promise<void>;
}

/** Default SQLite location, relative to the working directory. */
export const DEFAULT_DB_PATH = './.galileo-otel/traces.db';
/** Default body limit: 10 MiB, compressed and decompressed. */
export const DEFAULT_MAX_BODY_BYTES: number = 10 * 1024 * 1024;

const DRAIN_TIMEOUT_MS = 10_000;
// The viewer's own routes; its script renders each one from the read API.
const VIEWER_PATHS = /^\/(?:|traces\/[0-9a-fA-F]{32}|sessions|sessions\/[^/]+)$/;

// On every answer. The API's JSON is data, never a page: no scripts, no sniffing, no framing, and
// no reading from another origin even in no-cors mode. The viewer page replaces the policy.
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-resource-policy': 'same-origin',
};

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * After an answer sent before the body was read (401, 413, 421, ...): discard the rest so the
 * client, still sending, can read the answer; give up on the connection if it never ends.
 */
function discardBody(req: IncomingMessage): void {
  if (req.complete) return;
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** The `host:port` of an `Origin` header; `undefined` for `null` and anything not http(s). */
function originHost(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Starts a Galileo-compatible OTLP receiver with a read API and the live web viewer.
 *
 * @example
 * const server = await startDevServer({ port: 0, dbPath: ':memory:' });
 * // export spans to server.otlpUrl with header Galileo-API-Key, then:
 * const spans = await server.store.waitForSpans(traceId, 3);
 * await server.close();
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const host = options.host ?? '127.0.0.1';
  const store = new TraceStore(options.dbPath ?? DEFAULT_DB_PATH);
  const stats: IngestStats = {
    acceptedRequests: 0,
    refusedRequests: 0,
    insertedSpans: 0,
    duplicateSpans: 0,
    rejectedSpans: 0,
  };
  const ingest = {
    store,
    apiKey: options.apiKey,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    stats,
  };
  const streams = new Set<ServerResponse>();
  const unsubscribe = store.onSpans((traceIds) => {
    const message = `event: spans\ndata: ${JSON.stringify({ traceIds })}\n\n`;
    for (const stream of streams) stream.write(message);
  });

  const allowedHost = hostAllowList(host);
  /** 421 for a `Host` that DNS could point here, 403 for a write from a page on such a name. */
  const refuseForeign = (req: IncomingMessage): { status: number; text: string } | undefined => {
    const shown = (value: string) => JSON.stringify(value.slice(0, 200));
    if (!allowedHost(req.headers.host)) {
      return {
        status: 421,
        text:
          `Host ${shown(req.headers.host ?? '')} refused: this receiver answers only localhost, ` +
          `IP addresses and its --host (${host}), against DNS rebinding.\n`,
      };
    }
    const origin = req.headers.origin;
    const writes = req.method !== 'GET' && req.method !== 'HEAD';
    if (writes && origin !== undefined && !allowedHost(originHost(origin))) {
      return {
        status: 403,
        text:
          `Origin ${shown(origin)} refused: only pages on localhost, an IP address or --host ` +
          `(${host}) may send to this receiver.\n`,
      };
    }
    return undefined;
  };
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';

    // Before any route, the OTLP paths included: see internal/allowed-host.ts.
    const refusal = refuseForeign(req);
    if (refusal) {
      if (INGEST_PATHS.has(path)) stats.refusedRequests++;
      sendText(res, refusal.status, refusal.text);
      discardBody(req);
      return;
    }

    if (INGEST_PATHS.has(path)) {
      if (req.method !== 'POST') {
        sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: 'POST' });
        return;
      }
      const answer = await handleIngest(req, path, ingest);
      if (answer.status >= 400) stats.refusedRequests++;
      sendJson(res, answer.status, answer.body, answer.headers);
      discardBody(req);
      return;
    }

    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendJson(res, 405, { detail: 'Method Not Allowed' }, { allow: 'GET' });
      return;
    }
    if (path === '/api/stats') {
      sendJson(res, 200, { ...stats });
      return;
    }
    if (path === '/api/traces') {
      const limit = url.searchParams.get('limit');
      sendJson(
        res,
        200,
        store.listTraces({
          project: url.searchParams.get('project') || undefined,
          logStream: url.searchParams.get('logstream') || undefined,
          experimentId: url.searchParams.get('experimentid') || undefined,
          contract: (url.searchParams.get('contract') || undefined) as DestinationKind | undefined,
          sessionId: url.searchParams.get('session') || undefined,
          limit: limit ? Number(limit) || undefined : undefined,
        }),
      );
      return;
    }
    if (path === '/api/sessions') {
      const limit = url.searchParams.get('limit');
      sendJson(
        res,
        200,
        store.listSessions({ limit: limit ? Number(limit) || undefined : undefined }),
      );
      return;
    }
    // Any string can be a session id: it arrives percent-encoded as one path segment.
    const sessionMatch = /^\/api\/sessions\/([^/]+)$/.exec(url.pathname);
    if (sessionMatch?.[1]) {
      let id: string;
      try {
        id = decodeURIComponent(sessionMatch[1]);
      } catch {
        sendJson(res, 400, { detail: 'Malformed percent-encoding in the session id.' });
        return;
      }
      const session = store.getSession(id);
      if (session) sendJson(res, 200, session);
      else sendJson(res, 404, { detail: 'Session not found.' });
      return;
    }
    const traceMatch = /^\/api\/traces\/([0-9a-fA-F]{1,32}|latest)$/.exec(path);
    if (traceMatch?.[1]) {
      const id = traceMatch[1] === 'latest' ? store.latestTraceId() : traceMatch[1].toLowerCase();
      const spans = id ? store.getTrace(id) : [];
      if (!id || spans.length === 0) {
        sendJson(res, 404, { detail: `Trace ${traceMatch[1]} not found.` });
      } else {
        sendJson(res, 200, { traceId: id, spans });
      }
      return;
    }
    if (path === '/api/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    if (VIEWER_PATHS.test(path)) {
      const html = viewerPage();
      res.writeHead(200, {
        'content-security-policy': VIEWER_CONTENT_SECURITY_POLICY,
        'content-type': 'text/html; charset=utf-8',
        'content-length': Buffer.byteLength(html),
        'cache-control': 'no-store',
      });
      res.end(html);
      return;
    }
    sendJson(res, 404, { detail: 'Not Found' });
  };

  const server = createServer((req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { detail: `Internal error: ${(error as Error).message}` });
      } else {
        res.destroy();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 4318, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${hostForUrl(host)}:${address.port}`;

  let closing: Promise<void> | undefined;
  return {
    url,
    otlpUrl: `${url}/otel/traces`,
    store,
    stats: () => ({ ...stats }),
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => {
          store.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
