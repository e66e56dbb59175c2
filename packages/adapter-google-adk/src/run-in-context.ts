import { type Context, context } from '@opentelemetry/api';

/**
 * Binds an ADK run to an OpenTelemetry context. `runner.runAsync()` is an async generator, and
 * ADK starts its `invocation` span in whatever context is active at the generator's first
 * `next()`, not where `runAsync()` was called: a handler that returns the generator (or iterates
 * it after its span or `context.with` scope closed) starts a new, disconnected trace. The
 * returned generator runs every `next()`, `return()` and `throw()` in `ctx`.
 *
 * @param generator - The generator, e.g. `runner.runAsync({ userId, sessionId, newMessage })`.
 * @param ctx - The context to run in.
 * @defaultValue `ctx`: the context active at this call
 *
 * @example
 * const ctx = extractContext(req.headers);
 * for await (const event of runInContext(runner.runAsync(params), ctx)) { ... }
 */
export function runInContext<T, TReturn = unknown, TNext = unknown>(
  generator: AsyncGenerator<T, TReturn, TNext>,
  ctx: Context = context.active(),
): AsyncGenerator<T, TReturn, TNext> {
  const bound = {
    next: (...args: [] | [TNext]) => context.with(ctx, () => generator.next(...args)),
    return: (value: TReturn | PromiseLike<TReturn>) =>
      context.with(ctx, () => generator.return(value)),
    throw: (error: unknown) => context.with(ctx, () => generator.throw(error)),
    [Symbol.asyncIterator]() {
      return bound;
    },
    [Symbol.asyncDispose]: async () => {
      await context.with(ctx, () => generator.return(undefined as TReturn));
    },
  };
  return bound as AsyncGenerator<T, TReturn, TNext>;
}
