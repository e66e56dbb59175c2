import { recordSpanError } from '@galileo-otel/core/adapter';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  type SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { CallRecord } from './call-record.js';
import { log } from './caller-context.js';

/** One traced A2A call: its span, the context that has it active, and what it carried. */
export interface TracedCall {
  readonly span: Span;
  readonly ctx: Context;
  readonly record: CallRecord;
  ended: boolean;
}

/** What a call's span is made of. */
export interface CallStart {
  /** The A2A method as it goes on the wire (`SendMessage`), the span's name. */
  method: string;
  kind: SpanKind;
  parent: Context;
  params: unknown;
  attributes?: Attributes | undefined;
}

/** Starts a call's span; `undefined` when that failed, and the call then runs untraced. */
export function startCall(tracer: Tracer, start: CallStart): TracedCall | undefined {
  return log.guard('start span', () => {
    const record = new CallRecord();
    record.request(start.params);
    const span = tracer.startSpan(
      start.method,
      {
        kind: start.kind,
        attributes: { ...record.startAttributes(start.method), ...start.attributes },
      },
      start.parent,
    );
    return { span, ctx: trace.setSpan(start.parent, span), record, ended: false };
  });
}

function end(call: TracedCall, error?: { error: unknown }): void {
  if (call.ended) return;
  call.ended = true;
  log.guard('end span', () => {
    call.record.finish(call.span);
    if (error) recordSpanError(call.span, error.error);
    call.span.end();
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Runs a call with its span active. The span ends when the call settles; a throw or rejection is
 * recorded on it and reaches the caller unchanged (a synchronous throw stays synchronous).
 */
export function runCall(call: TracedCall, run: () => unknown): unknown {
  let result: unknown;
  try {
    result = context.with(call.ctx, run);
  } catch (error) {
    end(call, { error });
    throw error;
  }
  if (!isThenable(result)) {
    log.guard('observe result', () => call.record.observe(result));
    end(call);
    return result;
  }
  return Promise.resolve(result).then(
    (value) => {
      log.guard('observe result', () => call.record.observe(value));
      end(call);
      return value;
    },
    (error: unknown) => {
      end(call, { error });
      throw error;
    },
  );
}

/**
 * A stream whose span starts when it is first read and ends when it ends: after its last event,
 * at its error (recorded, then rethrown unchanged), or when the reader stops early. Each read of
 * the inner stream runs with the span active.
 */
export async function* streamCall<T>(
  begin: () => TracedCall | undefined,
  open: () => AsyncIterable<T>,
): AsyncGenerator<T, void, undefined> {
  const call = begin();
  if (!call) {
    yield* open();
    return;
  }
  let inner: AsyncIterator<T> | undefined;
  let finished = false;
  try {
    const iterator = context.with(call.ctx, () => open()[Symbol.asyncIterator]());
    inner = iterator;
    for (;;) {
      const step = await context.with(call.ctx, () => iterator.next());
      if (step.done) {
        log.guard('observe end', () => call.record.streamEnded());
        break;
      }
      log.guard('observe event', () => call.record.observe(step.value));
      yield step.value;
    }
    finished = true;
    end(call);
  } catch (error) {
    finished = true;
    end(call, { error });
    throw error;
  } finally {
    if (!finished) {
      // The reader stopped early (`break`, `return()`): let the inner stream clean up too.
      end(call);
      await inner?.return?.();
    }
  }
}
