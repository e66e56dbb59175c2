import { type AdapterLogger, isRecord } from '@galileo-otel/core/adapter';
import { context } from '@opentelemetry/api';
import type { ClaudeRun, RunOutcome } from './claude-run.js';
import type { QueryLike } from './sdk-shapes.js';

/**
 * The SDK's `Query` as the app sees it, mirrored into `run`: every message it yields is read
 * before the app gets it, and the run ends with the iterator (all of it: a run with a
 * background subagent yields a `result` per turn, so the first `result` is not the end). The
 * `stream_event` messages the adapter asked for are skipped unless the app asked for them too.
 * Everything else (`interrupt()`, `setPermissionMode()`, ...) is the SDK's own method.
 */
export function tracedQuery(
  query: QueryLike,
  run: ClaudeRun,
  hidePartial: boolean,
  log: AdapterLogger,
): QueryLike {
  const ctx = run.context;
  const finish = (outcome: RunOutcome) => log.guard('finish', () => run.finish(outcome));

  const next = async (...args: [] | [unknown]): Promise<IteratorResult<unknown, void>> => {
    for (;;) {
      let result: IteratorResult<unknown, void>;
      try {
        result = await context.with(ctx, () => query.next(...args));
      } catch (error) {
        finish({ kind: 'threw', error });
        throw error;
      }
      if (result.done) {
        finish({ kind: 'done' });
        return result;
      }
      log.guard('message', () => run.onMessage(result.value));
      if (hidePartial && isRecord(result.value) && result.value.type === 'stream_event') continue;
      return result;
    }
  };
  const stop = async (value?: unknown): Promise<IteratorResult<unknown, void>> => {
    if (run.open) finish({ kind: 'cancelled' });
    return context.with(ctx, () => query.return(value as undefined));
  };
  const fail = async (error?: unknown): Promise<IteratorResult<unknown, void>> => {
    if (run.open) finish({ kind: 'threw', error });
    return context.with(ctx, () => query.throw(error));
  };

  const proxy: QueryLike = new Proxy(query, {
    get(target, property) {
      switch (property) {
        case 'next':
          return next;
        case 'return':
          return stop;
        case 'throw':
          return fail;
        case Symbol.asyncIterator:
          return () => proxy;
        case 'interrupt':
          return (...args: unknown[]) => {
            log.guard('interrupt', () => run.interrupted());
            return (target.interrupt as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          };
        case 'close':
          return (...args: unknown[]) => {
            if (run.open) finish({ kind: 'cancelled' });
            return (target.close as (...a: unknown[]) => void).apply(target, args);
          };
        default: {
          const value = Reflect.get(target, property, target);
          return typeof value === 'function' ? value.bind(target) : value;
        }
      }
    },
  });
  return proxy;
}
