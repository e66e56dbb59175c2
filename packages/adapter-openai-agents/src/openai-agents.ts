import type { GalileoAdapter } from '@galileo-otel/core';
import type { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
import { installBridge } from './install-openai-agents-tracing.js';
import type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';

/** The adapter returned by {@link openaiAgents}: a `GalileoAdapter` plus a read of its state. */
export interface OpenAIAgentsAdapter extends GalileoAdapter {
  /**
   * SDK runs the bridge is tracking right now: `0` before the adapter is installed and once
   * every run has ended. A count that keeps growing means runs whose end never arrives (they
   * are ended early at `maxOpenRuns`), e.g. for a health or metrics endpoint.
   */
  readonly openRuns: number;
}

/**
 * The OpenAI Agents SDK adapter for `GalileoSpanProcessor` / `registerGalileo`: when the
 * processor is created it registers the bridge with `setTraceProcessors`, so every run becomes
 * Galileo-shaped OpenTelemetry spans in the caller's trace and nothing goes to OpenAI.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { openaiAgents } from '@galileo-otel/adapter-openai-agents';
 * registerGalileo({ serviceName: 'agents-api', adapters: [openaiAgents()] });
 */
export function openaiAgents(options: OpenAIAgentsAdapterOptions = {}): OpenAIAgentsAdapter {
  let bridge: GalileoAgentsTracingProcessor | undefined;
  return {
    name: 'openai-agents',
    get openRuns() {
      return bridge?.openRuns ?? 0;
    },
    install(host) {
      bridge = installBridge({ ...options, log: host.log });
    },
    async forceFlush() {
      await bridge?.forceFlush();
    },
    async shutdown() {
      await bridge?.shutdown();
    },
  };
}
