import {
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingHttpHeaders,
  validateHeaderName,
  validateHeaderValue,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip as gzipCallback, constants as zlibConstants } from 'node:zlib';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { adapterPackage } from '../adapter/adapter-tracer.js';
import { DESTINATION_TERMS } from '../config/destination-terms.js';
import type { ResolvedGalileoConfig } from '../config/resolve-config.js';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import type { DedupLogger } from '../internal/logger.js';
import { nextTurn } from '../internal/next-turn.js';
import { PacedEncoder } from '../internal/paced-encoder.js';
import type { ExportStats } from './export-stats.js';

const gzip = promisify(gzipCallback);
/**
 * zlib's output buffer for a gzip request, by body size: a quarter of the body (span bodies
 * compress to about a sixth at level 4), at least zlib's default 16 KiB, at most 256 KiB. zlib
 * goes back to the main thread each time the buffer fills, and each of those round trips costs
 * main-thread CPU: for a 900 KB body, 16 KiB buffers cost 1.3–1.9 ms of main-thread CPU and
 * 9.8–10.8 ms in all, 256 KiB 0.5 ms and 8.4 ms (BENCHMARKS.md). Larger buffers cost more to
 * allocate than they save.
 */
function gzipChunkSize(bodyBytes: number): number {
  return Math.min(256 * 1024, Math.max(16 * 1024, bodyBytes >>> 2));
}
const RETRYABLE = new Set([429, 502, 503, 504]);
const MAX_ATTEMPTS = 5;
const INITIAL_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 5000;
const MIN_ATTEMPT_MS = 1000;
/**
 * Spans per request: the default batch, as the stock exporter sends it. Stalls are bounded by
 * the paced encoder (pieces of a few milliseconds, joined into one body), not by cutting the
 * request; each request costs its own headers, connection work and answer (and, with gzip, its
 * own compression stream): 256 per request cost 0.35 µs per span more to send.
 */
const REQUEST_SLICE = 512;

/**
 * Settings of the HTTP transport: the resolved config's own fields (the extra `headers` there
 * exclude the key and routing headers, which are added per request).
 */
export type TransportSettings = Pick<
  ResolvedGalileoConfig,
  | 'endpoint'
  | 'compression'
  | 'compressionLevel'
  | 'exportTimeoutMillis'
  | 'headers'
  | 'apiKey'
  | 'authHeader'
  | 'destination'
>;

function describeFailure(
  status: number,
  detail: string,
  routing: Record<string, string>,
  settings: TransportSettings,
): string {
  const { authHeader } = settings;
  const { name, keyVariable, projectVariable, endpointHint } =
    DESTINATION_TERMS[settings.destination];
  const project = routing.project ?? (routing.projectid && `id ${routing.projectid}`) ?? 'default';
  const stream = routing.logstream ?? (routing.logstreamid && `id ${routing.logstreamid}`);
  const where = routing.experimentid
    ? `project '${project}', experiment '${routing.experimentid}'`
    : `project '${project}'${stream ? `, log stream '${stream}'` : ''}`;
  const said = detail ? `: ${detail}` : '';
  switch (status) {
    case 400:
      return `${name} rejected the export as malformed (400)${said}`;
    case 401:
      return `${name} rejected the API key (401, ${authHeader} header)${said}. Check ${keyVariable} or the apiKey option.`;
    case 403:
      return `The API key may not write to ${where} (403)${said}. Check the key's permissions.`;
    case 404:
      return `${name} could not find or create ${where} (404)${said}. Check ${projectVariable} / the project option.`;
    case 413:
      return `A single span is larger than ${name} accepts (413)${said}; it was dropped. Lower maxAttributeLength.`;
    case 415:
      return `The endpoint does not accept OTLP protobuf (415)${said}. Check that ${endpointHint}.`;
    case 422:
      return `${name} could not process the spans for ${where} (422)${said}.`;
    default:
      return `${name} answered ${status} to an export for ${where}${said}.`;
  }
}

function retryAfterMillis(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A finished HTTP exchange: status, headers and the whole (small) response body. */
interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readDetail(answer: HttpAnswer): string {
  const text = answer.body.subarray(0, 500).toString('utf8');
  try {
    const parsed = JSON.parse(text) as { detail?: unknown; message?: unknown };
    const detail = parsed.detail ?? parsed.message;
    if (detail !== undefined) return typeof detail === 'string' ? detail : JSON.stringify(detail);
  } catch {
    // not JSON: keep the text
  }
  return text.trim();
}

function readPartialSuccess(answer: HttpAnswer): { rejected: number; message: string } | undefined {
  try {
    const bytes = answer.body;
    if (bytes.length === 0) return undefined;
    const type = header(answer, 'content-type') ?? '';
    let partial: { rejectedSpans?: unknown; errorMessage?: unknown } | undefined;
    if (type.includes('json') || bytes[0] === 0x7b) {
      const parsed = JSON.parse(bytes.toString('utf8')) as {
        partialSuccess?: typeof partial;
        partial_success?: { rejected_spans?: unknown; error_message?: unknown };
      };
      const snake = parsed.partial_success;
      partial =
        parsed.partialSuccess ??
        (snake && { rejectedSpans: snake.rejected_spans, errorMessage: snake.error_message });
    } else {
      partial = ProtobufTraceSerializer.deserializeResponse(new Uint8Array(bytes))
        .partialSuccess as typeof partial;
    }
    const rejected = Number(partial?.rejectedSpans ?? 0);
    const message = String(partial?.errorMessage ?? '');
    if (rejected > 0 || message) return { rejected, message };
  } catch {
    // An unreadable success body is still a success.
  }
  return undefined;
}

const MAX_ANSWER_BYTES = 64 * 1024;
const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 8 });
const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 8 });

/**
 * One POST over node:http(s). Sends the body buffer as is (fetch copies it, which costs more CPU
 * than the whole encoding on large batches) and reads at most 64 KiB of the answer.
 */
function post(
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMillis: number,
  signal: AbortSignal,
): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new Error(String(signal.reason)));
      return;
    }
    const secure = url.protocol === 'https:';
    const request = (secure ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: secure ? httpsAgent : httpAgent,
        headers: { ...headers, 'Content-Length': String(body.byteLength) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < MAX_ANSWER_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on('error', reject);
      },
    );
    request.setTimeout(timeoutMillis, () => {
      request.destroy(new Error(`no answer within ${timeoutMillis} ms`));
    });
    const onAbort = () => request.destroy(new Error(String(signal.reason)));
    signal.addEventListener('abort', onAbort, { once: true });
    request.on('close', () => signal.removeEventListener('abort', onAbort));
    request.on('error', reject);
    request.end(body);
  });
}

// Unref'd: a backoff must not keep a finished app alive. The exit hooks hold the process open
// while an exit flush waits, and an abort ends the wait at once.
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref?.();
    signal.addEventListener('abort', done, { once: true });
  });

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A routing value as a header can carry it. Node refuses header values outside Latin-1 (and
 * control characters), which would fail every request of the group: such a value is sent
 * percent-encoded (UTF-8). The exact name still reaches Galileo, because every span's Resource
 * carries it (`galileo.project.name`, ...) and Galileo reads the Resource before the headers.
 */
export function headerSafe(value: string): string {
  // Printable Latin-1, as Node sends it and servers read it (ISO-8859-1).
  if (/^[\x20-\x7E\xA0-\xFF]*$/.test(value)) return value;
  // A lone surrogate cannot be percent-encoded: it becomes U+FFFD, as a UTF-8 encoder makes it.
  return encodeURIComponent(value.replace(LONE_SURROGATE, '\uFFFD'));
}

/** Whether Node refused the request itself (a header it cannot send), so a retry cannot help. */
function isLocalRefusal(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^ERR_(INVALID_|HTTP_INVALID)/.test(code);
}

// This package's version, read from its package.json as adapters read theirs.
const USER_AGENT = `galileo-otel-core/${adapterPackage(import.meta.url).version} Node.js/${process.versions.node}`;

/**
 * Sends spans as OTLP/HTTP protobuf requests with Galileo's headers: retries on 429, 502, 503,
 * 504 and network errors with exponential backoff and jitter (honouring `Retry-After`) within
 * the export time budget; splits a batch on 413 until the oversized span is isolated, and
 * remembers the size that passed so later requests are sent under it; reports every other
 * failure once, by cause. A failure costs the spans of its own routing group only.
 */
export class OtlpHttpTransport {
  readonly #settings: TransportSettings;
  readonly #stats: ExportStats;
  readonly #log: DedupLogger;
  readonly #url: URL;
  readonly #encoder = new PacedEncoder();
  #abort = new AbortController();
  // What 413 answers taught: the smallest body refused and the largest accepted below it.
  #smallestRefused: number | undefined;
  #largestAccepted = 0;

  /** @throws {GalileoConfigError} when an extra header could never be sent. */
  constructor(settings: TransportSettings, stats: ExportStats, log: DedupLogger) {
    // node:http refuses such a header on every request, which would look like an unreachable
    // endpoint retried until the time budget runs out: refuse it at start-up instead.
    for (const [name, value] of Object.entries(settings.headers)) {
      try {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      } catch (error) {
        throw new GalileoConfigError(
          'headers',
          `the \`headers\` option holds a header Node cannot send (${JSON.stringify(name)}): ${(error as Error).message}`,
        );
      }
    }
    this.#settings = settings;
    this.#url = new URL(settings.endpoint);
    this.#stats = stats;
    this.#log = log;
  }

  /**
   * The largest request body the endpoint is known to take, once it has answered 413; requests
   * are split to stay under it. `undefined` while no 413 has been seen.
   */
  get bodyLimit(): number | undefined {
    const refused = this.#smallestRefused;
    if (refused === undefined) return undefined;
    if (this.#largestAccepted > 0 && this.#largestAccepted < refused) return this.#largestAccepted;
    return refused - 1;
  }

  /**
   * Ends every send in flight now (requests destroyed, backoffs cut short): their spans count as
   * failed. Sends started later are not affected.
   */
  abort(reason: string): void {
    const controller = this.#abort;
    this.#abort = new AbortController();
    controller.abort(reason);
  }

  /**
   * Exports spans of one routing group; resolves when they are delivered or given up, with the
   * number of spans that were not delivered (failed, oversized or rejected).
   */
  async send(spans: ReadableSpan[], routing: Record<string, string>): Promise<number> {
    const deadline = Date.now() + this.#settings.exportTimeoutMillis;
    const signal = this.#abort.signal;
    const headers: Record<string, string> = {
      'User-Agent': USER_AGENT,
      ...this.#settings.headers,
      'Content-Type': 'application/x-protobuf',
      ...(this.#settings.compression === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}),
    };
    for (const [name, value] of Object.entries(routing)) headers[name] = headerSafe(value);
    headers[this.#settings.authHeader] = this.#settings.apiKey;
    let start = 0;
    let lost = 0;
    try {
      // Requests of at most REQUEST_SLICE spans, each encoded within a time budget
      // (PacedEncoder), with a turn of the event loop between them, keep one large batch (a
      // raised maxExportBatchSize) from stalling the app.
      for (; start < spans.length; start += REQUEST_SLICE) {
        if (start > 0) await nextTurn();
        const slice = spans.slice(start, start + REQUEST_SLICE);
        lost += await this.#sendWithin(slice, routing, headers, deadline, signal);
      }
    } catch (error) {
      // Whatever went wrong costs this group's unsent spans, counted, never another group's.
      this.#fail(
        spans.length - start,
        'send',
        `could not send ${spans.length - start} spans: ${(error as Error)?.message ?? String(error)}`,
      );
      lost += spans.length - start;
    }
    return lost;
  }

  async #sendWithin(
    spans: ReadableSpan[],
    routing: Record<string, string>,
    headers: Record<string, string>,
    deadline: number,
    signal: AbortSignal,
    halving = false,
  ): Promise<number> {
    if (spans.length === 0) return 0;
    if (signal.aborted) {
      this.#fail(spans.length, 'abandoned', `gave up on ${spans.length} spans: ${signal.reason}`);
      return spans.length;
    }
    const body =
      this.#settings.compression === 'gzip'
        ? await this.#gzipped(spans)
        : await this.#encoder.encode(spans);
    if (!body) {
      this.#fail(spans.length, 'encode', `could not encode ${spans.length} spans as OTLP protobuf`);
      return spans.length;
    }
    const limit = this.bodyLimit;
    // Halves of a refused request are sent as they are: they are what teaches the limit.
    if (!halving && limit !== undefined && body.byteLength > limit && spans.length > 1) {
      // Split once into pieces expected to fit, rather than learning the limit again by halving.
      const pieces = Math.min(spans.length, Math.ceil(body.byteLength / limit));
      const size = Math.ceil(spans.length / pieces);
      let lost = 0;
      for (let start = 0; start < spans.length; start += size) {
        const piece = spans.slice(start, start + size);
        lost += await this.#sendWithin(piece, routing, headers, deadline, signal);
      }
      return lost;
    }

    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) {
        this.#fail(spans.length, 'abandoned', `gave up on ${spans.length} spans: ${signal.reason}`);
        return spans.length;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) {
        this.#fail(
          spans.length,
          'timeout',
          `export timed out; ${spans.length} spans were not delivered`,
        );
        return spans.length;
      }
      let response: HttpAnswer | undefined;
      let networkError: unknown;
      try {
        this.#stats.exportRequests++;
        // One slow attempt must not eat the whole budget: a receiver that stalls once gets
        // retried (it dedupes by trace and span id if the first attempt did land).
        const attemptBudget = Math.min(
          remaining,
          Math.max(MIN_ATTEMPT_MS, Math.floor(this.#settings.exportTimeoutMillis / 3)),
        );
        response = await post(this.#url, headers, body, attemptBudget, signal);
      } catch (error) {
        networkError = error;
      }

      if (response && response.status >= 200 && response.status < 300) {
        this.#accepted(body.byteLength);
        this.#stats.bytesSent += body.byteLength;
        const partial = readPartialSuccess(response);
        const rejected = Math.min(partial?.rejected ?? 0, spans.length);
        this.#stats.spansExported += spans.length - rejected;
        this.#stats.spansRejected += rejected;
        if (partial) {
          this.#log.log(
            `partial:${partial.message}`,
            `${DESTINATION_TERMS[this.#settings.destination].name} accepted ${spans.length - rejected} of ${spans.length} spans and rejected ${rejected}${partial.message ? `: ${partial.message}` : ''}`,
          );
        }
        return rejected;
      }

      if (response?.status === 413) {
        this.#refused(body.byteLength);
        if (spans.length > 1) {
          const middle = Math.ceil(spans.length / 2);
          const first = spans.slice(0, middle);
          const rest = spans.slice(middle);
          return (
            (await this.#sendWithin(first, routing, headers, deadline, signal, true)) +
            (await this.#sendWithin(rest, routing, headers, deadline, signal, true))
          );
        }
        this.#stats.spansOversized += 1;
        this.#fail(1, '413', describeFailure(413, '', routing, this.#settings), false);
        return 1;
      }

      if (networkError !== undefined && (signal.aborted || isLocalRefusal(networkError))) {
        const why = signal.aborted
          ? String(signal.reason)
          : `Node refused the request (${(networkError as Error).message})`;
        this.#fail(spans.length, 'abandoned', `gave up on ${spans.length} spans: ${why}`);
        return spans.length;
      }
      const retryable = networkError !== undefined || RETRYABLE.has(response?.status ?? 0);
      if (!retryable) {
        const status = response?.status ?? 0;
        const detail = response ? readDetail(response) : '';
        this.#fail(
          spans.length,
          `status:${status}`,
          describeFailure(status, detail, routing, this.#settings),
        );
        return spans.length;
      }
      const backoff = Math.min(INITIAL_BACKOFF_MS * 1.5 ** (attempt - 1), MAX_BACKOFF_MS);
      const jittered = backoff * (0.8 + Math.random() * 0.4);
      const wait =
        retryAfterMillis(response ? (header(response, 'retry-after') ?? null) : null) ?? jittered;
      if (attempt >= MAX_ATTEMPTS || Date.now() + wait >= deadline) {
        const cause = networkError
          ? `the endpoint ${this.#url.host} is unreachable (${(networkError as Error).message})`
          : `${DESTINATION_TERMS[this.#settings.destination].name} kept answering ${response?.status}`;
        this.#fail(
          spans.length,
          `giveup:${response?.status ?? 'network'}`,
          `${cause}; gave up after ${attempt} attempts and dropped ${spans.length} spans`,
        );
        return spans.length;
      }
      this.#stats.exportRetries++;
      await sleep(wait, signal);
    }
  }

  /**
   * The gzip body of `spans`. zlib reads the request where the encoder wrote it: the body that
   * is kept (and sent again on a retry) is the compressed one, so the uncompressed request is
   * never copied out of the encoder's buffer.
   */
  async #gzipped(spans: ReadableSpan[]): Promise<Uint8Array | undefined> {
    const encoded = await this.#encoder.lease(spans);
    if (!encoded) return undefined;
    try {
      // A Buffer is a Uint8Array: sent as it is, not copied.
      return await gzip(encoded.bytes, {
        level: this.#settings.compressionLevel,
        chunkSize: gzipChunkSize(encoded.bytes.byteLength),
        // The body is all the input there is. zlib's default flush holds back the last blocks
        // until a second call finishes the stream, and the two outputs are then copied into a
        // third buffer; finishing on the one call gives one buffer, the same bytes, and one
        // trip to the libuv pool instead of two.
        flush: zlibConstants.Z_FINISH,
      });
    } finally {
      encoded.release();
    }
  }

  #accepted(bytes: number): void {
    const refused = this.#smallestRefused;
    // A body at least as large as one refused before went through: the limit was raised.
    if (refused !== undefined && bytes >= refused) this.#smallestRefused = undefined;
    if (bytes > this.#largestAccepted) this.#largestAccepted = bytes;
  }

  #refused(bytes: number): void {
    if (this.#smallestRefused === undefined || bytes < this.#smallestRefused) {
      this.#smallestRefused = bytes;
    }
    if (this.#largestAccepted >= bytes) this.#largestAccepted = 0;
  }

  #fail(count: number, key: string, message: string, countFailed = true): void {
    if (countFailed) this.#stats.spansFailed += count;
    this.#log.log(key, message);
  }
}
