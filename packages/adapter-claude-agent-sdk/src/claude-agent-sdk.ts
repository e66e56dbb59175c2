import { createAdapterLogger, type GalileoAdapter } from '@galileo-otel/core/adapter';
import type { ClaudeAgentSdkOptions } from './claude-agent-sdk-options.js';
import { dropTracer, RunTracer, useTracer } from './internal/run-tracer.js';

/** The adapter returned by {@link claudeAgentSdk}: a `GalileoAdapter` plus a read of its state. */
export interface ClaudeAgentSdkAdapter extends GalileoAdapter {
  /**
   * Queries being traced right now: `0` when none runs. A count that keeps growing means
   * queries whose iterator is never read to its end nor closed (they are ended early at
   * `maxOpenRuns`).
   */
  readonly openRuns: number;
}

/**
 * The Claude Agent SDK adapter for `registerGalileo({ adapters })` / `GalileoSpanProcessor`:
 * every `query()` made through {@link claudeAgentSdkQuery} becomes Galileo-shaped spans in the
 * caller's trace (`invoke_agent` for the run, `chat <model>` per model call, `execute_tool
 * <name>` per tool, subagents nested under the tool call that started them), with the
 * adapter's logger, `maxOpenRuns` bound and shutdown. Shutting the processor down ends the
 * spans of queries still open (`galileo.incomplete`, reason `shutdown`).
 *
 * @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1.
 * @example
 * import { query as sdkQuery } from '@anthropic-ai/claude-agent-sdk';
 * import { registerGalileo } from '@galileo-otel/core';
 * import { claudeAgentSdk, claudeAgentSdkQuery } from '@galileo-otel/adapter-claude-agent-sdk';
 * registerGalileo({ serviceName: 'agents-api', adapters: [claudeAgentSdk()] });
 * const query = claudeAgentSdkQuery(sdkQuery);
 */
export function claudeAgentSdk(options: ClaudeAgentSdkOptions = {}): ClaudeAgentSdkAdapter {
  const log = createAdapterLogger('claude-agent-sdk');
  // Made here, not in install(), so a bad option throws at the call that passed it.
  const tracer = new RunTracer(options, log);
  return {
    name: 'claude-agent-sdk',
    get openRuns() {
      return tracer.openRuns;
    },
    install(host) {
      log.attach(host);
      useTracer(tracer);
    },
    async shutdown() {
      log.guard('shutdown', () => {
        dropTracer(tracer);
        tracer.giveUpAll();
      });
    },
  };
}
