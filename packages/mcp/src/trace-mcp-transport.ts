import { type McpSide, traceTransport } from './internal/traced-transport.js';
import type { McpTracingOptions } from './mcp-tracing-options.js';

/** Options of {@link traceMcpTransport}. */
export interface TraceMcpTransportOptions extends McpTracingOptions {
  /** Which end of the connection the transport is: `client` sends requests, `server` answers. */
  side: McpSide;
}

/**
 * Traces an MCP transport in place and returns it: the way in for clients that take a transport
 * object but are not the official SDK's `Client` (the AI SDK's `createMCPClient({ transport })`),
 * and for servers built on their own protocol code. On the `client` side every request it sends
 * carries the W3C trace context in `params._meta` and gets a CLIENT span; on the `server` side
 * every request it receives gets a SERVER span parented on the caller's context, with its
 * handler running below it. Works on any object with `send()` and `onmessage` (both SDK lines,
 * the AI SDK's transports), before or after `start()`. Tracing it twice does nothing more.
 *
 * @example
 * import { createMCPClient } from '@ai-sdk/mcp';
 * import { Experimental_StdioMCPTransport } from '@ai-sdk/mcp/mcp-stdio';
 * const transport = new Experimental_StdioMCPTransport({ command: 'node', args: ['server.mjs'] });
 * const client = await createMCPClient({ transport: traceMcpTransport(transport, { side: 'client' }) });
 */
export function traceMcpTransport<T extends object>(
  transport: T,
  options: TraceMcpTransportOptions,
): T {
  const { side, ...rest } = options;
  return traceTransport(transport, side, rest);
}
