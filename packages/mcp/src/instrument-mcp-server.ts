import { instrumentConnect } from './internal/instrument-connect.js';
import type { McpTracingOptions } from './mcp-tracing-options.js';

/**
 * Traces an official MCP SDK server (`McpServer` or the low-level `Server`, either SDK line):
 * every request it receives gets a SERVER span parented on the caller's trace context (from
 * `params._meta`, else the Streamable HTTP request's headers), and the handler (the tool) runs
 * below it, so the spans of the work it does join the caller's trace, with the session id of the
 * caller's baggage. A result with `isError` and a JSON-RPC error mark the span ERROR. Give it an
 * instance (before or after `connect()`) or the class. Returns what it was given.
 *
 * @example
 * import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
 * const server = instrumentMcpServer(new McpServer({ name: 'research', version: '1.0.0' }));
 */
export function instrumentMcpServer<T>(server: T, options: McpTracingOptions = {}): T {
  return instrumentConnect(server, 'server', options);
}
