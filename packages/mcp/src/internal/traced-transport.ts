import type { IncomingHeaders } from '@galileo-otel/core';
import {
  type AdapterLogger,
  adapterPackage,
  asScalarText,
  asString,
  createAdapterLogger,
  isRecord,
  markIncomplete,
  RunRegistry,
  recordSpanError,
} from '@galileo-otel/core/adapter';
import {
  context as api,
  type Context,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type McpTracingOptions, tracedByDefault } from '../mcp-tracing-options.js';
import { count } from './counters.js';
import { guessNetworkTransport, requestSpan } from './request-span.js';
import { contextFromRequest, withTraceMeta } from './trace-meta.js';

/** The part of an MCP transport the instrumentation uses (both SDK lines, the AI SDK's own). */
export interface TransportLike {
  send(message: unknown, options?: unknown): unknown;
  onmessage?: ((message: unknown, extra?: unknown) => void) | undefined;
  onclose?: (() => void) | undefined;
  sessionId?: string | undefined;
}

/** Which end of the connection a transport is. */
export type McpSide = 'client' | 'server';

const TRACED = Symbol.for('galileo-otel.mcp.traced-transport');
const WRAPPER = Symbol.for('galileo-otel.mcp.handler-wrapper');
const MAX_ERROR_TEXT = 1000;
const CLOSED = 'connection_closed';

const pkg = adapterPackage(import.meta.url);
const logger = createAdapterLogger('mcp');
/**
 * The instrumentation's one logger: warnings once per key, and `guard()`, which reports a
 * failure once, counts it in `mcpStats().hookErrors` and lets the MCP traffic go on untouched.
 */
export const log: Pick<AdapterLogger, 'warnOnce' | 'guard'> = {
  warnOnce: logger.warnOnce,
  guard<T>(key: string, fn: () => T, fallback?: T): T | undefined {
    try {
      return fn();
    } catch (error) {
      count('hookErrors');
      logger.failed(key, error);
      return fallback;
    }
  },
};

interface Message {
  method?: unknown;
  id?: unknown;
  params?: unknown;
  result?: unknown;
  error?: unknown;
}

const asMessage = (value: unknown): Message | undefined =>
  isRecord(value) ? (value as Message) : undefined;
const isRequest = (m: Message): boolean =>
  typeof m.method === 'string' && m.id !== undefined && m.id !== null;
const isResponse = (m: Message): boolean =>
  m.method === undefined && m.id !== undefined && ('result' in m || 'error' in m);
const cancelledId = (m: Message): unknown =>
  m.method === 'notifications/cancelled' && isRecord(m.params) ? m.params.requestId : undefined;

/**
 * Traces one MCP transport in place (the object is changed, so every holder of it sees the
 * traced one): requests it sends as CLIENT spans with the context in `params._meta`
 * (`side: 'client'`), or requests it receives as SERVER spans whose handler runs in the caller's
 * context (`side: 'server'`). A transport already traced is left alone. Never throws: a
 * transport that cannot be changed is reported once and left as it was.
 */
export function traceTransport<T extends object>(
  transport: T,
  side: McpSide,
  options: McpTracingOptions = {},
): T {
  log.guard(`trace-${side}-transport`, () => {
    if (!isRecord(transport) || typeof transport.send !== 'function') {
      log.warnOnce(
        'not-a-transport',
        'an object without send() was given as an MCP transport; it is not traced',
      );
      return;
    }
    if (TRACED in transport) return;
    if (side === 'client') new ClientTracing(transport as unknown as TransportLike, options);
    else new ServerTracing(transport as unknown as TransportLike, options);
    Object.defineProperty(transport, TRACED, { value: side });
  });
  return transport;
}

/** State shared by both sides: the tracer, the open spans by request id, the handler hooks. */
abstract class Tracing {
  protected readonly tracer: Tracer;
  protected readonly methods: (method: string) => boolean;
  protected readonly network: string | undefined;
  protected readonly open: RunRegistry<unknown, Span>;

  constructor(
    protected readonly transport: TransportLike,
    protected readonly options: McpTracingOptions,
  ) {
    this.tracer = pkg.tracer(options.tracerProvider);
    this.methods = options.methods ?? tracedByDefault;
    this.network = options.networkTransport ?? guessNetworkTransport(transport);
    this.open = new RunRegistry<unknown, Span>({
      maxOpenRuns: options.maxOpenRuns,
      abandon: (span, reason) => {
        count('spansAbandoned');
        if (reason === CLOSED) {
          recordSpanError(span, 'the MCP connection closed before the answer', CLOSED);
        } else markIncomplete(span, reason);
        span.end();
      },
    });
    intercept(
      transport,
      'onmessage',
      (handler) =>
        (...args: unknown[]) =>
          this.receive(handler, args),
    );
    intercept(transport, 'onclose', (handler) => (...args: unknown[]) => {
      log.guard('close', () => this.open.giveUpAll(CLOSED));
      return handler(...args);
    });
    // Last: a transport that refused the handler hooks (frozen) is left as it was.
    const send = transport.send;
    transport.send = (...args: unknown[]) => this.send(send.bind(transport), args);
  }

  /** Called with every message the transport sends. */
  protected abstract send(original: (...args: unknown[]) => unknown, args: unknown[]): unknown;

  /** Called with every message the transport receives. */
  protected abstract receive(handler: (...args: unknown[]) => unknown, args: unknown[]): unknown;

  protected startSpan(kind: SpanKind, message: Message, parent: Context): Span {
    const { name, attributes } = requestSpan({
      method: message.method as string,
      id: message.id,
      params: message.params,
      sessionId: this.transport.sessionId,
      networkTransport: this.network,
    });
    const span = this.tracer.startSpan(name, { kind, attributes }, parent);
    this.open.set(message.id, span);
    return span;
  }

  /** Ends the span of the request a response answers, with its outcome. */
  protected answered(message: Message): void {
    const span = this.open.delete(message.id);
    if (!span) return;
    const error = isRecord(message.error) ? message.error : undefined;
    if (error) {
      const code = asScalarText(error.code) ?? 'error';
      span.setAttribute('rpc.response.status_code', code);
      recordSpanError(span, asString(error.message) ?? `JSON-RPC error ${code}`, code);
    } else if (isRecord(message.result) && message.result.isError === true) {
      recordSpanError(span, toolErrorText(message.result), 'tool_error');
    }
    span.end();
  }

  /** Ends the span of a request that failed without an answer. */
  protected failed(id: unknown, error: unknown, type?: string): void {
    const span = this.open.delete(id);
    if (!span) return;
    recordSpanError(span, error, type);
    span.end();
  }
}

class ClientTracing extends Tracing {
  protected send(original: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const plan = log.guard('client-send', () => this.plan(args[0]));
    if (!plan) return original(...args);
    const traced = [plan.message, ...args.slice(1)];
    let result: unknown;
    try {
      // The request's span is active while the transport sends it, so a custom fetch
      // (mcpFetch) puts the same parent in the HTTP headers.
      result = api.with(plan.context, () => original(...traced));
    } catch (error) {
      this.failed(plan.id, error);
      throw error;
    }
    if (plan.id !== undefined && result instanceof Promise) {
      // Observed, not replaced: the caller gets the transport's own promise.
      result.then(undefined, (error: unknown) => this.failed(plan.id, error));
    }
    return result;
  }

  private plan(raw: unknown): { message: unknown; context: Context; id: unknown } | undefined {
    const message = asMessage(raw);
    if (!message) return undefined;
    const cancelled = cancelledId(message);
    if (cancelled !== undefined) {
      this.failed(cancelled, 'the client cancelled the request', 'cancelled');
      return undefined;
    }
    if (!isRequest(message)) return undefined;
    const parent = api.active();
    let context = parent;
    let id: unknown;
    if (this.methods(message.method as string)) {
      context = trace.setSpan(parent, this.startSpan(SpanKind.CLIENT, message, parent));
      id = message.id;
    }
    const params = withTraceMeta(message.params, context);
    return { message: params === message.params ? raw : { ...message, params }, context, id };
  }

  protected receive(handler: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    log.guard('client-receive', () => {
      const message = asMessage(args[0]);
      if (message && isResponse(message)) this.answered(message);
    });
    return handler(...args);
  }
}

class ServerTracing extends Tracing {
  // A handler chained onto another one (both wrapped) sees each message twice; trace it once.
  private readonly seen = new WeakSet<object>();

  protected receive(handler: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    const context = log.guard('server-receive', () => this.plan(args[0], args[1]));
    if (!context) return handler(...args);
    // The handler's work (the tool, the agent it runs) starts below the SERVER span, and the
    // processor reads the session from this context's baggage.
    return api.with(context, () => handler(...args));
  }

  private plan(raw: unknown, extra: unknown): Context | undefined {
    const message = asMessage(raw);
    if (!message || this.seen.has(message)) return undefined;
    this.seen.add(message);
    const cancelled = cancelledId(message);
    if (cancelled !== undefined) {
      this.failed(cancelled, 'the client cancelled the request', 'cancelled');
      return undefined;
    }
    if (!isRequest(message)) return undefined;
    const parent = contextFromRequest(
      message.params,
      headersOf(extra),
      this.options.ignoreIncoming === true,
    );
    if (!this.methods(message.method as string)) return parent;
    return trace.setSpan(parent, this.startSpan(SpanKind.SERVER, message, parent));
  }

  protected send(original: (...args: unknown[]) => unknown, args: unknown[]): unknown {
    log.guard('server-send', () => {
      const message = asMessage(args[0]);
      if (message && isResponse(message)) this.answered(message);
    });
    return original(...args);
  }
}

/** The HTTP request headers an incoming message arrived with (v1 `requestInfo`, v2 `request`). */
function headersOf(extra: unknown): IncomingHeaders | undefined {
  if (!isRecord(extra)) return undefined;
  const info = isRecord(extra.requestInfo) ? extra.requestInfo : undefined;
  if (info && isRecord(info.headers)) return info.headers as IncomingHeaders;
  const request = isRecord(extra.request) ? extra.request : undefined;
  if (request && request.headers instanceof Headers) return request.headers;
  return undefined;
}

function toolErrorText(result: Record<string, unknown>): string {
  const content = Array.isArray(result.content) ? result.content : [];
  for (const item of content) {
    if (isRecord(item) && item.type === 'text' && typeof item.text === 'string') {
      return item.text.length > MAX_ERROR_TEXT
        ? `${item.text.slice(0, MAX_ERROR_TEXT)}…`
        : item.text;
    }
  }
  return 'the tool reported an error (isError)';
}

/**
 * Wraps the handler the transport calls under `key` now and whenever it is set again (the SDK
 * sets `onmessage` / `onclose` in `connect()`, before `start()`). Keeps an accessor the class
 * defines (v1's Streamable HTTP server transport forwards these to an inner transport).
 */
function intercept(
  target: TransportLike,
  key: 'onmessage' | 'onclose',
  wrap: (handler: (...args: unknown[]) => unknown) => (...args: unknown[]) => unknown,
): void {
  let owner: object | null = target;
  let descriptor: PropertyDescriptor | undefined;
  while (owner && !descriptor) {
    descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (!descriptor) owner = Object.getPrototypeOf(owner);
  }
  const accessor = descriptor?.get || descriptor?.set ? descriptor : undefined;
  if (accessor && !accessor.set) return;
  let slot: unknown = accessor ? undefined : descriptor?.value;
  const read = (): unknown => (accessor ? accessor.get?.call(target) : slot);
  const write = (value: unknown): void => {
    if (accessor) accessor.set?.call(target, value);
    else slot = value;
  };
  const install = (value: unknown): unknown => {
    if (typeof value !== 'function' || WRAPPER in value) return value;
    const wrapped = wrap(value as (...args: unknown[]) => unknown);
    Object.defineProperty(wrapped, WRAPPER, { value: true });
    return wrapped;
  };
  write(install(read()));
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get: read,
    set: (value: unknown) => write(install(value)),
  });
}
