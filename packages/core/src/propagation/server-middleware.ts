import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, type Span } from '@opentelemetry/api';
import { type ExtractOptions, endServerSpan, startServerSpan } from './propagation.js';

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const query = raw.indexOf('?');
  return query === -1 ? raw : raw.slice(0, query);
}

/** Ends the server span once, when the response finishes or the connection closes. */
function endWithResponse(span: Span, res: ServerResponse): () => void {
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    endServerSpan(span, res.statusCode);
  };
  res.once('finish', end);
  res.once('close', end);
  return end;
}

/**
 * Wraps a `node:http` request handler: each request gets a SERVER span in the caller's trace,
 * and the handler runs with it active.
 *
 * @example
 * http.createServer(traceHttpHandler(async (req, res) => { ... }));
 */
export function traceHttpHandler<Req extends IncomingMessage, Res extends ServerResponse>(
  handler: (req: Req, res: Res) => unknown,
  options: ExtractOptions = {},
): (req: Req, res: Res) => void {
  return (req, res) => {
    const { span, context: ctx } = startServerSpan(
      { method: req.method ?? 'GET', path: pathOf(req.url), headers: req.headers },
      options,
    );
    const end = endWithResponse(span, res);
    context.with(ctx, () => {
      try {
        const result = handler(req, res);
        if (result && typeof (result as Promise<unknown>).catch === 'function') {
          (result as Promise<unknown>).catch(() => {});
        }
      } catch (error) {
        end();
        throw error;
      }
    });
  };
}

/**
 * Express (and Connect) middleware: a SERVER span per request in the caller's trace; the rest
 * of the chain runs with it active.
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
    endWithResponse(span, res);
    context.with(ctx, next);
  };
}

/** The part of Hono's context the middleware uses. */
export interface HonoLikeContext {
  req: { method: string; path: string; raw: Request };
  res: Response;
}

/**
 * Hono middleware: a SERVER span per request in the caller's trace; downstream handlers run
 * with it active.
 */
export function galileoHono(
  options: ExtractOptions = {},
): (c: HonoLikeContext, next: () => Promise<void>) => Promise<void> {
  return async (c, next) => {
    const { span, context: ctx } = startServerSpan(
      { method: c.req.method, path: c.req.path, headers: c.req.raw.headers },
      options,
    );
    try {
      await context.with(ctx, next);
      endServerSpan(span, c.res.status);
    } catch (error) {
      endServerSpan(span, 500);
      throw error;
    }
  };
}

/** The part of a Fastify instance the plugin uses. */
export interface FastifyLike {
  addHook(
    name: 'onRequest',
    hook: (
      request: { method: string; url: string; headers: IncomingMessage['headers'] },
      reply: unknown,
      done: () => void,
    ) => void,
  ): unknown;
  addHook(
    name: 'onResponse',
    hook: (request: object, reply: { statusCode: number }, done: () => void) => void,
  ): unknown;
}

const FASTIFY_SPAN = Symbol.for('galileo-otel.fastify.span');

/**
 * Registers Fastify hooks: a SERVER span per request in the caller's trace; handlers run with
 * it active. Call as `galileoFastify(app)` before registering routes.
 */
export function galileoFastify(app: FastifyLike, options: ExtractOptions = {}): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const { span, context: ctx } = startServerSpan(
      { method: request.method, path: pathOf(request.url), headers: request.headers },
      options,
    );
    (request as Record<symbol, unknown>)[FASTIFY_SPAN] = span;
    context.with(ctx, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = (request as Record<symbol, unknown>)[FASTIFY_SPAN] as
      | Parameters<typeof endServerSpan>[0]
      | undefined;
    if (span) endServerSpan(span, reply.statusCode);
    done();
  });
}
