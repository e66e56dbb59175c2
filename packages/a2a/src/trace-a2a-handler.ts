import type { A2ARequestHandler } from '@a2a-js/sdk/server';
import type { ExtractOptions } from '@galileo-otel/core';
import { adapterPackage, isRecord } from '@galileo-otel/core/adapter';
import { type Context, context, SpanKind, type TracerProvider, trace } from '@opentelemetry/api';
import { callerContext, log } from './internal/caller-context.js';
import { traceMethods } from './internal/trace-methods.js';
import { startCall } from './internal/traced-call.js';

const pkg = adapterPackage(import.meta.url);

// `A2ARequestHandler` method → the A2A v1.0 method it serves (the span's name).
const CALLS: Readonly<Record<string, string>> = {
  sendMessage: 'SendMessage',
  getTask: 'GetTask',
  cancelTask: 'CancelTask',
  listTasks: 'ListTasks',
  getAuthenticatedExtendedAgentCard: 'GetExtendedAgentCard',
  createTaskPushNotificationConfig: 'CreateTaskPushNotificationConfig',
  getTaskPushNotificationConfig: 'GetTaskPushNotificationConfig',
  listTaskPushNotificationConfigs: 'ListTaskPushNotificationConfigs',
  deleteTaskPushNotificationConfig: 'DeleteTaskPushNotificationConfig',
};
const STREAMS: Readonly<Record<string, string>> = {
  sendMessageStream: 'SendStreamingMessage',
  resubscribe: 'SubscribeToTask',
};

/** Options of {@link traceA2AHandler}. */
export interface TraceA2AHandlerOptions extends ExtractOptions {
  /**
   * The tracer provider for the server spans.
   * @defaultValue the global provider (the one `registerGalileo()` installs)
   */
  tracerProvider?: TracerProvider | undefined;
}

/**
 * The context a served call runs under: the active one when a span is already active there (an
 * HTTP server span of the app joined the caller), else the caller's, read from the request
 * headers that the SDK's default context builder keeps in `context.state.get('headers')`.
 */
function parentOf(callContext: unknown, options: ExtractOptions): Context {
  const active = context.active();
  if (trace.getSpan(active)) return active;
  const state = isRecord(callContext) ? callContext.state : undefined;
  const headers = state instanceof Map ? state.get('headers') : undefined;
  if (!isRecord(headers)) return active;
  return callerContext(headers, options, active);
}

/**
 * Traces an `@a2a-js/sdk` request handler (a `DefaultRequestHandler`, or your own): every A2A
 * call it serves, over any transport it is mounted on (JSON-RPC, HTTP+JSON, gRPC), gets a SERVER
 * span named after the A2A method, parented on the caller's W3C `traceparent`, and the agent
 * executor runs with that span and the caller's baggage active, so the agent's own spans (and
 * the session id the caller put in baggage) land under it. A stream's span ends when the stream
 * does. A thrown error, or a task that ends `TASK_STATE_FAILED` / `TASK_STATE_REJECTED` (which
 * is what the SDK makes of an executor that throws), marks the span ERROR; what the handler
 * returns or throws is unchanged. A malformed or oversized `traceparent` or `baggage` is
 * ignored and counted in {@link a2aStats}.
 *
 * @example
 * const handler = traceA2AHandler(new DefaultRequestHandler(card, new InMemoryTaskStore(), executor));
 * app.use('/a2a', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
 */
export function traceA2AHandler<H extends A2ARequestHandler>(
  handler: H,
  options: TraceA2AHandlerOptions = {},
): H {
  const tracer = pkg.tracer(options.tracerProvider);
  return traceMethods(handler, CALLS, STREAMS, {
    parent: (callContext) =>
      log.guard('read caller context', () => parentOf(callContext, options)) ?? context.active(),
    begin: (method, params, parent) =>
      startCall(tracer, { method, kind: SpanKind.SERVER, parent, params }),
    forward: (callContext) => callContext,
  });
}
