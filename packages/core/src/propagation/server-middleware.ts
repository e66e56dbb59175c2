import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Span, SpanStatusCode } from '@opentelemetry/api';
import { recordSpanError } from '../attributes/genai-shapes.js';
import { type ExtractOptions, startServerSpan } from './propagation.js';

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/** `error.type` of a server span whose request ended with no response. */
const NO_RESPONSE = 'ResponseNotSent';

/**
 * Ends a server span. `status` is the response's status code, or `undefined` when no response was
 * sent (Node's `res.statusCode` says 200 before anything is sent, so it is not reported then). A
 * span that already recorded the handler's error keeps that error's status and `error.type`.
 */
function finishServerSpan(span: Span, status: number | undefined, failed: boolean): void {
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  if (!failed) {
    if (status === undefined) {
      span.setStatus({
        code: SpanStatusCode.ERROR,
        message: 'the connection closed before a response was sent',
      });
      span.setAttribute('error.type', NO_RESPONSE);
    } else if (status >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${status}` });
      span.setAttribute('error.type', String(status));
    }
  }
  span.end();
}

/** The end of one server span, whichever of the response, the connection or an error comes first. */
interface ServerSpanEnd {
  /** Records a handler error on the span (ERROR, `error.type`, an `exception` event). */
  fail(error: unknown): void;
  /** Ends the span now, from what the response has sent so far. */
  end(): void;
}

/** Ends the server span once: when the response finishes, or when the connection closes. */
function endWithResponse(span: Span, res: ServerResponse): ServerSpanEnd {
  let ended = false;
  let failed = false;
  const end = () => {
    if (ended) return;
    ended = true;
    finishServerSpan(span, res.headersSent ? res.statusCode : undefined, failed);
  };
  res.once('finish', end);
  res.once('close', end);
  return {
    fail: (error) => {
      if (ended) return;
      failed = true;
      recordSpanError(span, error);
    },
    end,
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Wraps a `node:http` request handler: each request gets a SERVER span in the caller's trace,
 * and the handler runs with it active. The handler's errors reach Node exactly as without
 * tracing (a synchronous throw is rethrown; a rejected promise stays rejected and unhandled),
 * and the span records them: status ERROR, `error.type` and an `exception` event. A request
 * closed before any response is an ERROR span with no status code.
 *
 * @example
 * http.createServer(traceHttpHandler(async (req, res) => { ... }));
 */
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req, res: Res) => unknown,
  options: ExtractOptions = {},
): (req: Req, res: Res) => unknown {
  return (req, res) => {
    const { span, context: ctx } = startServerSpan(
      { method: req.method ?? 'GET', path: pathOf(req.url), headers: req.headers },
      options,
    );
    const spanEnd = endWithResponse(span, res);
    const failed = (error: unknown) => {
      spanEnd.fail(error);
      // A handler that failed before answering will not answer: the span ends now, so it is
      // queued even if the error ends the process.
      if (!res.headersSent) spanEnd.end();
    };
    return context.with(ctx, () => {
      let result: unknown;
      try {
        result = handler(req, res);
      } catch (error) {
        failed(error);
        throw error;
      }
      if (!isThenable(result)) return result;
      // Returned, not caught: the promise Node gets rejects with the handler's own error, so an
      // unhandled rejection stays one, exactly as without tracing.
      return result.then(undefined, (error: unknown) => {
        failed(error);
        throw error;
      });
    });
  };
}

const REQUEST_SPAN = Symbol.for('galileo-otel.server.span');

type WithSpan = Record<symbol, ServerSpanEnd | undefined>;

/**
 * Express (and Connect) middleware: a SERVER span per request in the caller's trace; the rest
 * of the chain runs with it active. Express answers errors itself (500); add
 * {@link galileoExpressErrors} after your routes to record the error on the span as well.
 */
export function galileoExpress(
  options: ExtractOptions = {},
): (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    const original = (req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url;
    const { span, context: ctx } = startServerSpan(
      { method: req.method ?? 'GET', path: pathOf(original), headers: req.headers },
      options,
    );
    (req as unknown as WithSpan)[REQUEST_SPAN] = endWithResponse(span, res);
    context.with(ctx, next);
  };
}

/**
 * Express error middleware that records the error on the request's server span (status ERROR,
 * `error.type`, an `exception` event), then passes it on unchanged, so Express or your own error
 * handlers answer as they would without it. Register it after your routes and before your own
 * error handlers.
 *
 * @example
 * app.use(galileoExpress());
 * app.get('/', handler);
 * app.use(galileoExpressErrors());
 */
export function galileoExpressErrors(): (
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  return (error, req, _res, next) => {
    (req as unknown as WithSpan)[REQUEST_SPAN]?.fail(error);
    next(error);
  };
}

/** The part of Hono's context the middleware uses. */
export interface HonoLikeContext {
  req: { method: string; path: string; raw: Request };
  res: Response;
  /** Set by Hono when a handler threw and its error handler answered. */
  error?: Error | undefined;
}

/**
 * Hono middleware: a SERVER span per request in the caller's trace; downstream handlers run
 * with it active. A handler's error is recorded on the span (status ERROR, `error.type`, an
 * `exception` event) and still reaches Hono's error handling unchanged.
 */
export function galileoHono(
  options: ExtractOptions = {},
): (c: HonoLikeContext, next: () => Promise<void>) => Promise<void> {
  return async (c, next) => {
    const { span, context: ctx } = startServerSpan(
      { method: c.req.method, path: c.req.path, headers: c.req.raw.headers },
      options,
    );
    let ended = false;
    let failed = false;
    const finish = (status: number | undefined) => {
      if (ended) return;
      ended = true;
      finishServerSpan(span, status, failed);
    };
    // A client that gives up on a handler that never answers: the span still ends.
    const signal = c.req.raw.signal as AbortSignal | undefined;
    const onAbort = () => finish(undefined);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await context.with(ctx, next);
      if (c.error && !ended) {
        failed = true;
        recordSpanError(span, c.error);
      }
      finish(c.res.status);
    } catch (error) {
      if (!ended) {
        failed = true;
        recordSpanError(span, error);
      }
      finish(500);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  };
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (
      request: { method: string; url: string; headers: IncomingMessage['headers'] },
      reply: { raw: ServerResponse },
      done: () => void,
    ) => void,
  ): unknown;
  addHook(
    name: 'onError',
    hook: (request: object, reply: unknown, error: unknown, done: () => void) => void,
  ): unknown;
}

/**
 * Registers Fastify hooks: a SERVER span per request in the caller's trace; handlers run with
 * it active. A handler's error is recorded on the span (status ERROR, `error.type`, an
 * `exception` event) and Fastify answers it as it would without tracing. Call as
 * `galileoFastify(app)` before registering routes.
 */
export function galileoFastify(app: FastifyLike, options: ExtractOptions = {}): void {
  app.addHook('onRequest', (request, reply, done) => {
    const { span, context: ctx } = startServerSpan(
      { method: request.method, path: pathOf(request.url), headers: request.headers },
      options,
    );
    (request as unknown as WithSpan)[REQUEST_SPAN] = endWithResponse(span, reply.raw);
    context.with(ctx, done);
  });
  app.addHook('onError', (request, _reply, error, done) => {
    (request as unknown as WithSpan)[REQUEST_SPAN]?.fail(error);
    done();
  });
}
