import type { IncomingMessage } from 'node:http';
import { type DestinationKind, GalileoAttributes, SplunkAoAttributes } from '@galileo-otel/core';
import { decodeTraceRequest, OtlpDecodeError, type OtlpSpan } from '@galileo-otel/otlp-proto';
import type { IngestStats } from '../start-dev-server.js';
import type { SpanDestination, TraceStore } from '../trace-store.js';
import { BodyError, readBody } from './read-body.js';

/** What the receiver needs to answer an export. */
export interface IngestContext {
  store: TraceStore;
  /** When set, only this key is accepted; otherwise any non-empty key is. */
  apiKey: string | undefined;
  /** Byte limit for the body, applied on the wire and again after gunzip. */
  maxBodyBytes: number;
  /** Counters of accepted exports, updated here. */
  stats: IngestStats;
}

/** An HTTP answer: status, JSON body, extra headers. */
export interface IngestResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Response header carrying how many non-UTF-8 strings were repaired with U+FFFD. */
export const REPAIRED_STRINGS_HEADER = 'x-galileo-otel-repaired-strings';
/** Response header carrying how many spans were already stored (a retried export). */
export const DUPLICATE_SPANS_HEADER = 'x-galileo-otel-duplicate-spans';

const HEX_TRACE_ID = /^[0-9a-f]{32}$/;
const HEX_SPAN_ID = /^[0-9a-f]{16}$/;
const INT64_MAX = (1n << 63n) - 1n;

function header(req: IncomingMessage, name: string): string | undefined {
  const raw = req.headers[name];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  return value ? value : undefined;
}

function detail(status: number, message: string): IngestResponse {
  return { status, body: { detail: message }, headers: {} };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Why a span is refused, or `undefined` when it is acceptable. */
function rejection(span: OtlpSpan): string | undefined {
  if (!HEX_TRACE_ID.test(span.traceId) || /^0+$/.test(span.traceId)) return 'an invalid trace id';
  if (!HEX_SPAN_ID.test(span.spanId) || /^0+$/.test(span.spanId)) return 'an invalid span id';
  if (span.parentSpanId !== undefined && !HEX_SPAN_ID.test(span.parentSpanId)) {
    return 'an invalid parent span id';
  }
  if (span.startTimeUnixNano <= 0n) return 'no start time';
  if (span.startTimeUnixNano > INT64_MAX || span.endTimeUnixNano > INT64_MAX) {
    return 'a timestamp out of range';
  }
  if (span.endTimeUnixNano < span.startTimeUnixNano) return 'an end time before its start time';
  return undefined;
}

/** Routing fields, as headers name them and as each attribute family carries them. */
interface Routing {
  project?: string | undefined;
  projectId?: string | undefined;
  logStream?: string | undefined;
  logStreamId?: string | undefined;
  experimentId?: string | undefined;
}

type Family = Record<keyof Routing, string>;
const GALILEO_KEYS: Family = {
  project: GalileoAttributes.PROJECT,
  projectId: GalileoAttributes.PROJECT_ID,
  logStream: GalileoAttributes.LOG_STREAM,
  logStreamId: GalileoAttributes.LOG_STREAM_ID,
  experimentId: GalileoAttributes.EXPERIMENT_ID,
};
const SPLUNK_AO_KEYS: Family = {
  project: SplunkAoAttributes.PROJECT,
  projectId: SplunkAoAttributes.PROJECT_ID,
  logStream: SplunkAoAttributes.LOG_STREAM,
  logStreamId: SplunkAoAttributes.LOG_STREAM_ID,
  experimentId: SplunkAoAttributes.EXPERIMENT_ID,
};

/**
 * The routing an attribute set carries, each field from the contract's own family first, else
 * the other; or why it is refused (a name and an id of one entity, a log stream and an
 * experiment).
 */
function routingIn(
  attributes: OtlpSpan['attributes'],
  families: readonly Family[],
  where: string,
): Routing | string {
  const routing: Routing = {};
  const keys: Partial<Family> = {};
  for (const field of Object.keys(GALILEO_KEYS) as (keyof Routing)[]) {
    for (const family of families) {
      const value = text(attributes[family[field]]);
      if (value === undefined) continue;
      routing[field] = value;
      keys[field] = family[field];
      break;
    }
  }
  const both = (a: keyof Routing, b: keyof Routing): string | undefined =>
    routing[a] !== undefined && routing[b] !== undefined
      ? `a ${where} with both ${keys[a]} and ${keys[b]}`
      : undefined;
  return (
    both('project', 'projectId') ??
    both('logStream', 'logStreamId') ??
    both('logStream', 'experimentId') ??
    both('logStreamId', 'experimentId') ??
    routing
  );
}

/**
 * Where a span is filed: its own attributes, then its Resource (which override the headers, as
 * in Galileo's ingest), then the headers; project and log stream (or experiment) each from the
 * first of these that names one. A string says why the span is refused.
 */
function destinationOf(
  span: OtlpSpan,
  contract: DestinationKind,
  fromHeaders: Routing,
): SpanDestination | string {
  const families =
    contract === 'galileo' ? [GALILEO_KEYS, SPLUNK_AO_KEYS] : [SPLUNK_AO_KEYS, GALILEO_KEYS];
  const levels: Routing[] = [];
  for (const [attributes, where] of [
    [span.attributes, 'span'],
    [span.resource, 'resource'],
  ] as const) {
    const routing = routingIn(attributes, families, where);
    if (typeof routing === 'string') return routing;
    levels.push(routing);
  }
  levels.push(fromHeaders);
  const project = levels.find((r) => r.project ?? r.projectId);
  const stream = levels.find((r) => r.experimentId ?? r.logStream ?? r.logStreamId);
  const experimentId = stream?.experimentId ?? null;
  return {
    contract,
    project: project?.project ?? project?.projectId ?? 'default',
    logStream: experimentId ? null : (stream?.logStream ?? stream?.logStreamId ?? 'default'),
    experimentId,
  };
}

/** The paths the receiver takes exports on: Galileo's and Splunk AO's, and Splunk O11y's. */
export const INGEST_PATHS: ReadonlySet<string> = new Set([
  '/otel/traces',
  '/otel/v1/traces',
  '/v2/trace/otlp',
]);

/** The contract of a request (by path and auth header), or the error answer. */
function contractOf(
  req: IncomingMessage,
  path: string,
  pinned: string | undefined,
): DestinationKind | IngestResponse {
  if (path === '/v2/trace/otlp') {
    const token = header(req, 'x-sf-token');
    if (!token) {
      return detail(
        401,
        'Token is missing: send the Splunk Observability Cloud ingest token in the X-SF-Token header.',
      );
    }
    if (pinned !== undefined && token !== pinned) return detail(401, 'Invalid token');
    return 'splunk-o11y';
  }
  const galileo = header(req, 'galileo-api-key');
  const splunkAo = header(req, 'splunk-ao-api-key');
  if (galileo && splunkAo) {
    return detail(
      400,
      'Send one API key header, Galileo-API-Key or Splunk-AO-API-Key, not both: it says which contract the request follows.',
    );
  }
  const key = galileo ?? splunkAo;
  if (!key) return detail(401, 'API Key is missing');
  if (pinned !== undefined && key !== pinned) return detail(401, 'Invalid API Key');
  return galileo ? 'galileo' : 'splunk-ao';
}

/** The routing headers (name XOR id), or the 422 answer. */
function headerRouting(req: IncomingMessage): Routing | IngestResponse {
  const routing: Routing = {
    project: header(req, 'project'),
    projectId: header(req, 'projectid'),
    logStream: header(req, 'logstream'),
    logStreamId: header(req, 'logstreamid'),
    experimentId: header(req, 'experimentid'),
  };
  if (routing.project && routing.projectId) {
    return detail(422, 'Send either a project header (the name) or a projectid header, not both.');
  }
  if (routing.logStream && routing.logStreamId) {
    return detail(
      422,
      'Send either a logstream header (the name) or a logstreamid header, not both.',
    );
  }
  if ((routing.logStream ?? routing.logStreamId) && routing.experimentId) {
    return detail(
      422,
      'Send either a logstream (or logstreamid) header or an experimentid header, not both: experiment traces have no log stream.',
    );
  }
  return routing;
}

/**
 * Answers one OTLP/HTTP trace export the way the destination behind `path` and the auth header
 * does: Galileo or Splunk AO on `/otel/traces` and `/otel/v1/traces` (`Galileo-API-Key` or
 * `Splunk-AO-API-Key`), Splunk Observability Cloud on `/v2/trace/otlp` (`X-SF-Token`). Never
 * throws for bad input: every failure becomes an HTTP error or a `partialSuccess`.
 */
export async function handleIngest(
  req: IncomingMessage,
  path: string,
  context: IngestContext,
): Promise<IngestResponse> {
  const contract = contractOf(req, path, context.apiKey);
  if (typeof contract !== 'string') return contract;

  const contentType = header(req, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-protobuf') {
    const sent = contentType ? `Content-Type ${contentType}` : 'no Content-Type';
    const hint = contentType === 'application/json' ? ' OTLP/JSON is not accepted.' : '';
    return detail(
      415,
      `Unsupported media type: got ${sent}; send OTLP protobuf with Content-Type: application/x-protobuf.${hint}`,
    );
  }

  const fromHeaders = headerRouting(req);
  if ('status' in fromHeaders) return fromHeaders;

  let body: Buffer;
  try {
    body = await readBody(req, context.maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyError) return detail(error.status, error.message);
    return detail(400, `Could not read the request body: ${(error as Error).message}`);
  }

  let decoded: ReturnType<typeof decodeTraceRequest>;
  try {
    decoded = decodeTraceRequest(body);
  } catch (error) {
    if (OtlpDecodeError.isInstance(error)) {
      return detail(
        400,
        `Request body is not a valid OTLP protobuf trace export: ${error.message}`,
      );
    }
    throw error;
  }
  if (decoded.spans.length === 0) return detail(422, 'No spans found in request.');

  const accepted: { span: OtlpSpan; destination: SpanDestination }[] = [];
  const reasons = new Map<string, number>();
  for (const span of decoded.spans) {
    const reason = rejection(span);
    const destination = reason ?? destinationOf(span, contract, fromHeaders);
    if (typeof destination === 'string') {
      reasons.set(destination, (reasons.get(destination) ?? 0) + 1);
    } else {
      accepted.push({ span, destination });
    }
  }

  const result = context.store.insertSpans(accepted);
  const rejected = decoded.spans.length - accepted.length;
  context.stats.acceptedRequests++;
  context.stats.insertedSpans += result.inserted;
  context.stats.duplicateSpans += result.duplicates;
  context.stats.rejectedSpans += rejected;
  const messages: string[] = [];
  if (rejected > 0) {
    const why = [...reasons].map(([reason, n]) => `${n} with ${reason}`).join(', ');
    messages.push(`Rejected ${rejected} of ${decoded.spans.length} spans: ${why}.`);
  }
  if (decoded.repairedStrings > 0) {
    messages.push(
      `${decoded.repairedStrings} strings were not valid UTF-8 and were stored with U+FFFD replacements.`,
    );
  }
  const headers: Record<string, string> = {
    [REPAIRED_STRINGS_HEADER]: String(decoded.repairedStrings),
    [DUPLICATE_SPANS_HEADER]: String(result.duplicates),
  };
  const body200 =
    messages.length > 0
      ? { partialSuccess: { rejectedSpans: rejected, errorMessage: messages.join(' ') } }
      : {};
  return { status: 200, body: body200, headers };
}
