import type { AdapterLogger } from '@galileo-otel/core/adapter';
import {
  BatchTraceProcessor,
  getGlobalTraceProvider,
  OpenAITracingExporter,
  setTraceProcessors,
  type TracingProcessor,
} from '@openai/agents';
import type { GalileoAgentsTracingProcessor } from '../galileo-agents-tracing-processor.js';
import type { OpenAIAgentsAdapterOptions } from '../openai-agents-options.js';

/**
 * Makes `bridge` the SDK's first trace processor (replacing the default export to OpenAI,
 * unless `keepOpenAIExport`), and warns once when the SDK has tracing disabled.
 */
export function installBridge(
  bridge: GalileoAgentsTracingProcessor,
  options: OpenAIAgentsAdapterOptions,
  log: AdapterLogger,
): void {
  const processors: TracingProcessor[] = [bridge];
  const keep = options.keepOpenAIExport;
  if (keep) {
    // After the bridge: the SDK awaits processors in order, and the bridge must see each event
    // synchronously (it sets the tool's OTel context from inside span.start()).
    const exporter = new OpenAITracingExporter(keep === true ? undefined : keep);
    processors.push(new BatchTraceProcessor(exporter));
  }
  setTraceProcessors(processors);
  warnIfDisabled(log);
}

function warnIfDisabled(log: AdapterLogger): void {
  try {
    if (getGlobalTraceProvider().createTrace({}).traceId !== 'no-op') return;
    log.warnOnce(
      'disabled',
      'OpenAI Agents tracing is disabled (NODE_ENV=test or OPENAI_AGENTS_DISABLE_TRACING), so no ' +
        'agent spans will be made: call setTracingDisabled(false) from @openai/agents to enable it',
    );
  } catch {
    // A probe that fails says nothing about the user's program.
  }
}
