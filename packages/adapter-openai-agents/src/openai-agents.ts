import { createAdapterLogger, type GalileoAdapter } from '@galileo-otel/core/adapter';
import { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
import { installBridge } from './internal/install-bridge.js';
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
 * @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1.
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { openaiAgents } from '@galileo-otel/adapter-openai-agents';
 * registerGalileo({ serviceName: 'agents-api', adapters: [openaiAgents()] });
 */
export function openaiAgents(options: OpenAIAgentsAdapterOptions = {}): OpenAIAgentsAdapter {
  const logger = createAdapterLogger('openai-agents');
  // Made here, not in install(), so a bad option throws at the call that passed it.
  const bridge = new GalileoAgentsTracingProcessor({ ...options, logger });
  return {
    name: 'openai-agents',
    get openRuns() {
      return bridge.openRuns;
    },
    install(host) {
      logger.attach(host);
      installBridge(bridge, options, logger);
    },
    async forceFlush() {
      await bridge.forceFlush();
    },
    async shutdown() {
      await bridge.shutdown();
    },
  };
}
