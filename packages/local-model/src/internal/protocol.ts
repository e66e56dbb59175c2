import type { IncomingHttpHeaders } from 'node:http';
import type { Conversation, Decision } from './policy.js';

/** A request the protocol could not accept; answered with 400 in the provider's shape. */
export class BadRequestError extends Error {
  readonly param: string | null;
  constructor(message: string, param: string | null = null) {
    super(message);
    this.name = 'BadRequestError';
    this.param = param;
  }
}

/** A parsed provider request. */
export interface ParsedRequest {
  /** Model as requested, including any `@scenario` suffix. */
  model: string;
  stream: boolean;
  conversation: Conversation;
  body: Record<string, unknown>;
}

/** One server-sent event. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** What a protocol renders: a JSON body or a list of SSE events. */
export type Rendered = { kind: 'json'; body: unknown } | { kind: 'sse'; events: SseEvent[] };

/** The kinds of error a protocol must express in its own shape. */
export type ErrorKind =
  | 'bad-request'
  | 'too-large'
  | 'not-found'
  | 'rate-limit'
  | 'server-error'
  | 'unauthenticated'
  | 'overloaded';

/** HTTP status of each error kind, unless a protocol says otherwise ({@link Protocol.errorStatus}). */
const ERROR_STATUS: Record<ErrorKind, number> = {
  'bad-request': 400,
  'too-large': 413,
  'not-found': 404,
  'rate-limit': 429,
  'server-error': 500,
  unauthenticated: 401,
  overloaded: 503,
};

/** The HTTP status a protocol answers an error kind with. */
export function errorStatus(protocol: Protocol, kind: ErrorKind): number {
  return protocol.errorStatus?.[kind] ?? ERROR_STATUS[kind];
}

/** Where a request was routed and what else the protocol's parser needs from it. */
export interface RouteInfo {
  /** The request headers (Anthropic validates the body by `anthropic-version`). */
  headers?: IncomingHttpHeaders;
  /** Model from the path (Gemini). */
  model?: string;
  /** Streaming chosen by the path (Gemini). */
  stream?: boolean;
  /** A token-count request (Anthropic `count_tokens`): no answer is generated. */
  countTokens?: boolean;
}

/** Everything render needs besides the decision. */
export interface RenderContext {
  /** Hex hash of the request (route plus raw body). */
  hash: string;
  /** Model name without the `@scenario` suffix. */
  model: string;
  usage: { input: number; output: number };
}

/** One provider protocol (OpenAI Chat Completions, OpenAI Responses, Gemini, Anthropic). */
export interface Protocol {
  parse(body: Record<string, unknown>, route: RouteInfo): ParsedRequest;
  render(req: ParsedRequest, decision: Decision, ctx: RenderContext): Rendered;
  error(kind: ErrorKind, message: string, param?: string | null, requestId?: string): unknown;
  /** Header checks (credentials, API version) made before the body is parsed. */
  checkHeaders?(headers: IncomingHttpHeaders): { kind: ErrorKind; message: string } | undefined;
  /** Statuses that differ from the usual ones (Anthropic's overloaded is 529). */
  errorStatus?: Partial<Record<ErrorKind, number>>;
  /** Response header that carries the request id on every answer (Anthropic's `request-id`). */
  requestIdHeader?: string;
  /** Blank line between SSE events; `\n\n` unless set. */
  sseSeparator?: string;
}

/** Plain-object guard. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A JSON value's type as OpenAI's validation messages name it (`an integer`, `an object`). */
export function jsonTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a decimal';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

/**
 * Checks an OpenAI message `content` (Chat Completions and Responses alike): absent, `null`, a
 * string, or an array of objects (parts). Anything else is the 400 the real API answers.
 */
export function checkOpenaiContent(content: unknown, param: string): void {
  if (content === undefined || content === null || typeof content === 'string') return;
  if (Array.isArray(content) && content.every(isRecord)) return;
  throw new BadRequestError(
    `Invalid type for '${param}': expected one of a string or array of objects, but got ${jsonTypeName(content)} instead.`,
    param,
  );
}

/** Text of an OpenAI-style content value: a string or an array of parts with `text`. */
export function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (isRecord(part) && typeof part.text === 'string' ? part.text : ''))
      .filter((t) => t !== '')
      .join('\n');
  }
  if (content === null || content === undefined) return '';
  return JSON.stringify(content);
}

/** The OpenAI error body. */
export function openaiError(
  kind: ErrorKind,
  message: string,
  param: string | null = null,
): unknown {
  const map: Record<ErrorKind, { type: string; code: string | null }> = {
    'bad-request': { type: 'invalid_request_error', code: null },
    'too-large': { type: 'invalid_request_error', code: null },
    'not-found': { type: 'invalid_request_error', code: 'unknown_url' },
    'rate-limit': { type: 'requests', code: 'rate_limit_exceeded' },
    'server-error': { type: 'server_error', code: null },
    unauthenticated: { type: 'invalid_request_error', code: 'invalid_api_key' },
    overloaded: { type: 'server_error', code: null },
  };
  const { type, code } = map[kind];
  return { error: { message, type, param, code } };
}
