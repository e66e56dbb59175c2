export { type A2AStats, a2aStats } from './a2a-stats.js';
export { type TraceA2AClientOptions, traceA2AClient } from './trace-a2a-client.js';
export { type TraceA2AHandlerOptions, traceA2AHandler } from './trace-a2a-handler.js';
