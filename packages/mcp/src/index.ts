export {
  type InstrumentedMcpClass,
  type InstrumentMcpOptions,
  instrumentMcp,
  type McpInstrumentationStatus,
} from './instrument-mcp.js';
export { instrumentMcpClient } from './instrument-mcp-client.js';
export { instrumentMcpServer } from './instrument-mcp-server.js';
export { mcpFetch } from './mcp-fetch.js';
export { type McpStats, mcpStats } from './mcp-stats.js';
export { type McpTracingOptions, tracedByDefault } from './mcp-tracing-options.js';
export { type TraceMcpTransportOptions, traceMcpTransport } from './trace-mcp-transport.js';
