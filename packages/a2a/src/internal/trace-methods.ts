import type { Context } from '@opentelemetry/api';
import { runCall, streamCall, type TracedCall } from './traced-call.js';

/** How one side (client or server) traces the calls of the object it wraps. */
export interface CallTracing {
  /** The parent of the call's span, read when the method is called (in the caller's context). */
  parent(second: unknown): Context;
  /** Starts the call's span; `undefined` runs the call untraced. */
  begin(method: string, params: unknown, parent: Context): TracedCall | undefined;
  /** The second argument (request options, call context) the traced call is given. */
  forward(second: unknown, traced: TracedCall): unknown;
}

/**
 * A proxy of an SDK object (client or request handler) whose `(params, second)` methods named in
 * `calls` or `streams` run traced, each span named by the table; everything else is the object's
 * own, bound to it.
 */
export function traceMethods<T extends object>(
  target: T,
  calls: Readonly<Record<string, string>>,
  streams: Readonly<Record<string, string>>,
  tracing: CallTracing,
): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof property !== 'string' || typeof value !== 'function') return value;
      const original = (params: unknown, second: unknown) =>
        Reflect.apply(value, object, [params, second]);
      const call = calls[property];
      if (call) {
        return (params: unknown, second?: unknown) => {
          const traced = tracing.begin(call, params, tracing.parent(second));
          if (!traced) return original(params, second);
          const forwarded = tracing.forward(second, traced);
          return runCall(traced, () => original(params, forwarded));
        };
      }
      const stream = streams[property];
      if (stream) {
        return (params: unknown, second?: unknown) => {
          // The parent is read now, in the caller's context; the span starts at the first read.
          const parent = tracing.parent(second);
          let forwarded = second;
          return streamCall(
            () => {
              const traced = tracing.begin(stream, params, parent);
              if (traced) forwarded = tracing.forward(second, traced);
              return traced;
            },
            () => original(params, forwarded),
          );
        };
      }
      return (value as (...args: unknown[]) => unknown).bind(object);
    },
  });
}
