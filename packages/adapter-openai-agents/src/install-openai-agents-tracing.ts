import {
  BatchTraceProcessor,
  getGlobalTraceProvider,
  OpenAITracingExporter,
  setTraceProcessors,
  type TracingProcessor,
} from '@openai/agents';
import {
  GalileoAgentsTracingProcessor,
  type ProcessorOptions,
} from './galileo-agents-tracing-processor.js';
import type { OpenAIAgentsAdapterOptions } from './openai-agents-options.js';

/**
 * Registers the Galileo bridge as the OpenAI Agents SDK's trace processor, replacing the
 * default export to OpenAI (unless `keepOpenAIExport`), and returns it. For apps that do not
 * pass `openaiAgents()` in a Galileo processor's `adapters`. Calling it again replaces the
 * previous bridge (the SDK shuts the old one down).
 *
 * @example
 * registerGalileo({ serviceName: 'agents-api' });
 * installOpenAIAgentsTracing();
 */
export function installOpenAIAgentsTracing(
  options: OpenAIAgentsAdapterOptions = {},
): GalileoAgentsTracingProcessor {
  return installBridge(options);
}

/** Shared by the adapter, which adds the processor's deduplicating logger. */
export function installBridge(options: ProcessorOptions): GalileoAgentsTracingProcessor {
  const bridge = new GalileoAgentsTracingProcessor(options);
  const processors: TracingProcessor[] = [bridge];
  const keep = options.keepOpenAIExport;
  if (keep) {
    // After the bridge: the SDK awaits processors in order, and the bridge must see each event
    // synchronously (it sets the tool's OTel context from inside span.start()).
    const exporter = new OpenAITracingExporter(keep === true ? undefined : keep);
    processors.push(new BatchTraceProcessor(exporter));
  }
  setTraceProcessors(processors);
  warnIfDisabled(options);
  return bridge;
}

function warnIfDisabled(options: ProcessorOptions): void {
  try {
    if (getGlobalTraceProvider().createTrace({}).traceId !== 'no-op') return;
    const message =
      'OpenAI Agents tracing is disabled (NODE_ENV=test or OPENAI_AGENTS_DISABLE_TRACING), so no ' +
      'agent spans will be made: call setTracingDisabled(false) from @openai/agents to enable it';
    if (options.log) options.log('openai-agents:disabled', message);
    else console.warn(`[galileo-otel] ${message}`);
  } catch {
    // A probe that fails says nothing about the user's program.
  }
}
