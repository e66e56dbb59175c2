import type { IncomingMessage } from 'node:http';
import { GalileoAttributes } from '@galileo-otel/core';
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

interface HeaderDestination {
  project: string;
  logStream: string | undefined;
  experimentId: string | undefined;
}

/** Resource attributes override the headers, span by span, as in Galileo's ingest. */
function destinationOf(span: OtlpSpan, fromHeaders: HeaderDestination): SpanDestination | string {
  const project = text(span.resource[GalileoAttributes.PROJECT]) ?? fromHeaders.project;
  const logStream = text(span.resource[GalileoAttributes.LOG_STREAM]);
  const experimentId = text(span.resource[GalileoAttributes.EXPERIMENT_ID]);
  if (logStream && experimentId) {
    return `a resource with both ${GalileoAttributes.LOG_STREAM} and ${GalileoAttributes.EXPERIMENT_ID}`;
  }
  if (experimentId) return { project, logStream: null, experimentId };
  if (logStream) return { project, logStream, experimentId: null };
  if (fromHeaders.experimentId) {
    return { project, logStream: null, experimentId: fromHeaders.experimentId };
  }
  return { project, logStream: fromHeaders.logStream ?? 'default', experimentId: null };
}

/**
 * Answers one OTLP/HTTP trace export the way Galileo's `/otel/traces` does. Never throws for bad
 * input: every failure becomes an HTTP error or a `partialSuccess`.
 */
export async function handleIngest(
  req: IncomingMessage,
  context: IngestContext,
): Promise<IngestResponse> {
  const apiKey = header(req, 'galileo-api-key');
  if (!apiKey) return detail(401, 'API Key is missing');
  if (context.apiKey !== undefined && apiKey !== context.apiKey) {
    return detail(401, 'Invalid API Key');
  }

  const contentType = header(req, 'content-type')?.split(';', 1)[0]?.trim().toLowerCase();
  if (contentType !== 'application/x-protobuf') {
    const sent = contentType ? `Content-Type ${contentType}` : 'no Content-Type';
    const hint = contentType === 'application/json' ? ' OTLP/JSON is not accepted.' : '';
    return detail(
      415,
      `Unsupported media type: got ${sent}; send OTLP protobuf with Content-Type: application/x-protobuf.${hint}`,
    );
  }

  const fromHeaders: HeaderDestination = {
    project: header(req, 'project') ?? header(req, 'projectid') ?? 'default',
    // Galileo takes a log stream by name or by id, as it takes the project.
    logStream: header(req, 'logstream') ?? header(req, 'logstreamid'),
    experimentId: header(req, 'experimentid'),
  };
  if (fromHeaders.logStream && fromHeaders.experimentId) {
    return detail(
      422,
      'Send either a logstream (or logstreamid) header or an experimentid header, not both: experiment traces have no log stream.',
    );
  }

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
    const destination = reason ?? destinationOf(span, fromHeaders);
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
