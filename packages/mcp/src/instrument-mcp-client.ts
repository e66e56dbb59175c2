import { instrumentConnect } from './internal/instrument-connect.js';
import type { McpTracingOptions } from './mcp-tracing-options.js';

/**
 * Traces an official MCP SDK `Client` (`@modelcontextprotocol/sdk` 1.x or
 * `@modelcontextprotocol/client` 2.x): every request it sends carries the W3C trace context in
 * `params._meta` and gets a CLIENT span named `{mcp.method.name} {target}` (`tools/call
 * research`), parented on the active context, so it nests under the framework's tool span. Give
 * it an instance (before or after `connect()`), or the `Client` class itself to cover every
 * client created from it, including those a framework creates inside (see `instrumentMcp()` to
 * find them). Returns what it was given.
 *
 * @example
 * import { Client } from '@modelcontextprotocol/sdk/client/index.js';
 * const client = instrumentMcpClient(new Client({ name: 'agent-a', version: '1.0.0' }));
 */
export function instrumentMcpClient<T>(client: T, options: McpTracingOptions = {}): T {
  return instrumentConnect(client, 'client', options);
}
