import type { TracerProvider } from '@opentelemetry/api';

/** Options of the MCP instrumentation, the same on the client and the server side. */
export interface McpTracingOptions {
  /**
   * The tracer provider spans go to.
   * @defaultValue the global provider (the one `registerGalileo()` registers), looked up lazily
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Which requests get a span, by JSON-RPC method. Every request carries the trace context in
   * `params._meta` either way.
   * @defaultValue {@link tracedByDefault}: all but connection set-up and listings
   */
  methods?: ((method: string) => boolean) | undefined;
  /**
   * Most requests waiting for an answer on one connection. Past it the oldest one's span ends,
   * marked `galileo.incomplete` (reason `evicted`), so a peer that never answers cannot grow
   * memory.
   * @defaultValue 1000
   */
  maxOpenRuns?: number | undefined;
  /**
   * Server side: ignore the caller's `traceparent` / `baggage` (a public server is a trust
   * boundary: callers should not choose your trace ids or session ids). Each request starts a
   * new trace instead.
   * @defaultValue `false`
   */
  ignoreIncoming?: boolean | undefined;
  /**
   * The `network.transport` attribute (`pipe` for stdio, `tcp` for HTTP).
   * @defaultValue guessed from the transport's class name (`Stdio…` → `pipe`, `…HTTP…` / `SSE` /
   * `WebSocket` → `tcp`); left out when it tells nothing
   */
  networkTransport?: string | undefined;
}

const UNTRACED = new Set([
  'initialize',
  'ping',
  'server/discover',
  'logging/setLevel',
  'tools/list',
  'prompts/list',
  'resources/list',
  'resources/templates/list',
  'roots/list',
]);

/**
 * The default of {@link McpTracingOptions.methods}: every request but connection set-up
 * (`initialize`, `ping`, `server/discover`, `logging/setLevel`) and listings (`tools/list`,
 * `prompts/list`, `resources/list`, `resources/templates/list`, `roots/list`). Frameworks list
 * a server's tools before every run or model call, and ADK connects anew for each; as spans,
 * those would add pairs that say nothing about the run to every trace.
 */
export function tracedByDefault(method: string): boolean {
  return !UNTRACED.has(method);
}
