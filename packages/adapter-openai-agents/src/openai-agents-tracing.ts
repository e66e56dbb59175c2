import { createAdapterLogger } from '@galileo-otel/core/adapter';
import { GalileoAgentsTracingProcessor } from './galileo-agents-tracing-processor.js';
import { installBridge } from './internal/install-bridge.js';
import type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';

/**
 * Registers the Galileo bridge as the OpenAI Agents SDK's trace processor, replacing the
 * default export to OpenAI (unless `keepOpenAIExport`), and returns it. For apps that do not
 * pass `openaiAgents()` in a Galileo processor's `adapters` (e.g. a `GalileoSpanProcessor`
 * added to a provider someone else registered). Calling it again replaces the previous bridge
 * (the SDK shuts the old one down).
 *
 * @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1.
 * @example
 * registerGalileo({ serviceName: 'agents-api' });
 * openaiAgentsTracing();
 */
export function openaiAgentsTracing(
  options: OpenAIAgentsAdapterOptions = {},
): GalileoAgentsTracingProcessor {
  const logger = createAdapterLogger('openai-agents');
  const bridge = new GalileoAgentsTracingProcessor({ ...options, logger });
  installBridge(bridge, options, logger);
  return bridge;
}

/**
 * The old name of {@link openaiAgentsTracing}, which it calls.
 *
 * @deprecated Use `openaiAgentsTracing()`.
 */
export function installOpenAIAgentsTracing(
  options: OpenAIAgentsAdapterOptions = {},
): GalileoAgentsTracingProcessor {
  return openaiAgentsTracing(options);
}
