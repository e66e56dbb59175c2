import type { TracerProvider } from '@opentelemetry/api';

/** Options of {@link claudeAgentSdk}. */
export interface ClaudeAgentSdkOptions {
  /**
   * Where the spans are created. Resolved at every run, so a provider registered after the
   * adapter is installed is still used.
   * @defaultValue the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * The name of the run's agent span (`invoke_agent <name>`) when the query names no `agent`
   * of its own; `claudeAgentSdkQuery(query, { agentName })` sets it per wrapped function.
   * @defaultValue `'claude'` (the name Claude Code gives its main agent)
   */
  agentName?: string | undefined;
  /**
   * Record prompts, model messages, tool arguments and tool results. `false` keeps every span,
   * names, models, usage, cost and errors, and leaves the content out.
   * @defaultValue `true`
   */
  captureContent?: boolean | undefined;
  /**
   * Runs traced at once (a whole number, at least 1). Past it the oldest run is ended early,
   * its open spans exported with `galileo.incomplete = true` and
   * `galileo.incomplete.reason = "evicted"`, so a query whose iterator is dropped half read
   * cannot hold memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
}

/** Options of {@link claudeAgentSdkQuery}. */
export interface ClaudeAgentSdkQueryOptions {
  /**
   * The name of the agent span of every run of this wrapped `query` (`invoke_agent <name>`),
   * unless the query names an `agent` itself.
   * @defaultValue the adapter's `agentName`
   */
  agentName?: string | undefined;
}
