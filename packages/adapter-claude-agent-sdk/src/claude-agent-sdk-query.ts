import type { ClaudeAgentSdkQueryOptions } from './claude-agent-sdk-options.js';
import { currentTracer } from './internal/run-tracer.js';
import type { QueryFunction } from './internal/sdk-shapes.js';

/**
 * Wraps the SDK's `query` so every call is traced by the installed {@link claudeAgentSdk}
 * adapter (or, with none installed, by default options on the global tracer provider). The
 * SDK has no process-wide hook to install instead: `query` is a read-only ES module export,
 * `options.hooks` belong to one call, and the agent loop runs in a CLI child process.
 *
 * The wrapped function takes and returns exactly what `query` does: the same `Query`, whose
 * messages, `interrupt()` and other methods are the SDK's. It adds observing hooks to the
 * call's own, asks the CLI for its stream events (hidden from you unless you set
 * `includePartialMessages`), runs in-process MCP tools with their span active, and turns the
 * CLI's own beta trace export off (`OTEL_TRACES_EXPORTER=none`) so each model call and tool
 * is one span. With no tracer provider registered the query runs exactly as written.
 *
 * @example
 * import { query as sdkQuery } from '@anthropic-ai/claude-agent-sdk';
 * const query = claudeAgentSdkQuery(sdkQuery, { agentName: 'researcher' });
 * for await (const message of query({ prompt: 'Tell me about Voyager 1.' })) console.log(message);
 */
export function claudeAgentSdkQuery<Q extends (params: never) => unknown>(
  query: Q,
  options: ClaudeAgentSdkQueryOptions = {},
): Q {
  const original = query as unknown as QueryFunction;
  const traced = (params: Parameters<QueryFunction>[0]) =>
    currentTracer().trace(original, params, options.agentName);
  return traced as unknown as Q;
}
