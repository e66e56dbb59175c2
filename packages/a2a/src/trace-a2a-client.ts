import type { Client, RequestOptions } from '@a2a-js/sdk/client';
import { injectTraceHeaders } from '@galileo-otel/core';
import { adapterPackage, asString, GenAiAttributes, isRecord } from '@galileo-otel/core/adapter';
import { type Context, context, SpanKind, type TracerProvider } from '@opentelemetry/api';
import { log } from './internal/caller-context.js';
import { traceMethods } from './internal/trace-methods.js';
import { startCall } from './internal/traced-call.js';

const pkg = adapterPackage(import.meta.url);

// `Client` method → the A2A v1.0 method it sends (the span's name).
const CALLS: Readonly<Record<string, string>> = {
  sendMessage: 'SendMessage',
  getTask: 'GetTask',
  cancelTask: 'CancelTask',
  listTasks: 'ListTasks',
  createTaskPushNotificationConfig: 'CreateTaskPushNotificationConfig',
  getTaskPushNotificationConfig: 'GetTaskPushNotificationConfig',
  listTaskPushNotificationConfig: 'ListTaskPushNotificationConfigs',
  deleteTaskPushNotificationConfig: 'DeleteTaskPushNotificationConfig',
};
const STREAMS: Readonly<Record<string, string>> = {
  sendMessageStream: 'SendStreamingMessage',
  resubscribeTask: 'SubscribeToTask',
};

/** Options of {@link traceA2AClient}. */
export interface TraceA2AClientOptions {
  /**
   * The tracer provider for the client spans.
   * @defaultValue the global provider (the one `registerGalileo()` installs)
   */
  tracerProvider?: TracerProvider | undefined;
}

/** The request options of a call with the span's W3C context added as service parameters. */
function withTraceContext(options: unknown, ctx: Context): RequestOptions {
  const given = isRecord(options) ? (options as RequestOptions) : {};
  return {
    ...given,
    serviceParameters: { ...given.serviceParameters, ...injectTraceHeaders({}, ctx) },
  };
}

/**
 * Traces an `@a2a-js/sdk` client: every call gets a CLIENT span named after the A2A method
 * (`SendMessage`, `SendStreamingMessage`, `GetTask`, ...) under the active span, and carries that
 * span's W3C `traceparent`, `tracestate` and `baggage` to the agent as service parameters (HTTP
 * headers on JSON-RPC and HTTP+JSON, metadata on gRPC), so the agent's spans join the trace. A
 * stream's span ends when the stream does. A JSON-RPC error, a failed connection or a task that
 * ends `TASK_STATE_FAILED` / `TASK_STATE_REJECTED` marks the span ERROR; the call itself returns
 * or throws exactly what the untraced client would.
 *
 * @example
 * const client = traceA2AClient(await new ClientFactory().createFromUrl('http://localhost:8001'));
 * const reply = await client.sendMessage({ message });
 */
export function traceA2AClient<C extends Client>(
  client: C,
  options: TraceA2AClientOptions = {},
): C {
  const tracer = pkg.tracer(options.tracerProvider);
  const card = (client as unknown as { agentCard?: unknown }).agentCard;
  return traceMethods(client, CALLS, STREAMS, {
    parent: () => context.active(),
    begin(method, params, parent) {
      // The card the client was made from (a private field of the SDK's Client, read if there).
      const agent = isRecord(card) ? asString(card.name) : undefined;
      return startCall(tracer, {
        method,
        kind: SpanKind.CLIENT,
        parent,
        params,
        attributes: agent ? { [GenAiAttributes.AGENT_NAME]: agent } : undefined,
      });
    },
    forward: (requestOptions, traced) =>
      log.guard('inject', () => withTraceContext(requestOptions, traced.ctx)) ?? requestOptions,
  });
}
