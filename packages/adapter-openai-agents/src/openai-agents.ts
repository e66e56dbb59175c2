import type { GalileoAdapter } from '@galileo-otel/core';
import type { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
import { installBridge } from './install-openai-agents-tracing.js';
import type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';

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
export function openaiAgents(options: OpenAIAgentsAdapterOptions = {}): GalileoAdapter {
  let bridge: GalileoAgentsTracingProcessor | undefined;
  return {
    name: 'openai-agents',
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
