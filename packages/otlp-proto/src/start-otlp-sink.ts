import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest, type OtlpSpan } from './decode-trace-request.js';

/** One export request the sink received. */
export interface SinkRequest {
  /** The request path, e.g. `/otel/traces`. */
  path: string;
  /** Request headers (lower-case names). */
  headers: IncomingHttpHeaders;
  /** The decoded spans. */
  spans: OtlpSpan[];
  /** Body size in bytes after gunzip. */
  bytes: number;
}

/** A response the sink gives to one request. */
export interface ScriptedResponse {
  /** HTTP status. */
  status: number;
  /** Body text. @defaultValue `{}` */
  body?: string;
  /** Extra headers (e.g. `retry-after`). */
  headers?: Record<string, string>;
  /** Wait before answering, in milliseconds. */
  delayMs?: number;
  /** Destroy the connection instead of answering (a connection reset). */
  reset?: boolean;
}

/** Options of {@link startOtlpSink}. */
export interface OtlpSinkOptions {
  /** Port to listen on. @defaultValue `0` (an ephemeral port) */
  port?: number;
}

/** A running sink. */
export interface OtlpSink {
  /** The OTLP traces URL to export to. */
  url: string;
  /** Every request received, in order (undecodable ones excluded; they get a 400). */
  requests: SinkRequest[];
  /** Spans accepted (2xx) so far. */
  spans(): OtlpSpan[];
  /** Forgets every request and span received so far. */
  clear(): void;
  /** Responses used for the next requests, in order; afterwards 200 `{}`. */
  script(...responses: ScriptedResponse[]): void;
  /** A function deciding each response (overrides the script). */
  respondWith(fn: ((request: SinkRequest) => ScriptedResponse | undefined) | undefined): void;
  close(): Promise<void>;
}

/**
 * A minimal real OTLP/HTTP protobuf receiver on 127.0.0.1 for tests: decodes every request,
 * records headers and spans, and answers as scripted (200 `{}` by default). For the full Galileo
 * contract (auth, 415, 422, storage, viewer) use `@galileo-otel/devtools`.
 */
export async function startOtlpSink(options: OtlpSinkOptions = {}): Promise<OtlpSink> {
  const requests: SinkRequest[] = [];
  const accepted: OtlpSpan[] = [];
  let scripted: ScriptedResponse[] = [];
  let responder: ((request: SinkRequest) => ScriptedResponse | undefined) | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      let spans: OtlpSpan[] = [];
      try {
        spans = decodeTraceRequest(body).spans;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"detail":"bad protobuf"}');
        return;
      }
      const request = { path: req.url ?? '/', headers: req.headers, spans, bytes: body.length };
      requests.push(request);
      const response = responder?.(request) ?? scripted.shift() ?? { status: 200, body: '{}' };
      if (response.delayMs) await new Promise((r) => setTimeout(r, response.delayMs));
      if (response.reset) {
        requests.pop();
        req.socket.destroy();
        return;
      }
      if (response.status >= 200 && response.status < 300) accepted.push(...spans);
      res
        .writeHead(response.status, { 'content-type': 'application/json', ...response.headers })
        .end(response.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/otel/traces`,
    requests,
    spans: () => accepted,
    clear: () => {
      requests.length = 0;
      accepted.length = 0;
    },
    script: (...responses) => {
      scripted = responses;
    },
    respondWith: (fn) => {
      responder = fn;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
