import type { OpenAITracingExporterOptions } from '@openai/agents';
import type { TracerProvider } from '@opentelemetry/api';

/** Options of {@link openaiAgents} and {@link openaiAgentsTracing}. */
export interface OpenAIAgentsAdapterOptions {
  /**
   * Where the bridge's OpenTelemetry spans are created. Resolved at every run, so a provider
   * registered after the adapter is installed is still used.
   * @defaultValue the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Keep the SDK's own export to OpenAI's traces dashboard (`api.openai.com/v1/traces/ingest`,
   * active whenever `OPENAI_API_KEY` is set) next to the Galileo bridge; an object is passed to
   * the SDK's `OpenAITracingExporter` (`apiKey`, `endpoint`, ...).
   * @defaultValue `false`: the bridge replaces every other OpenAI Agents trace processor
   */
  keepOpenAIExport?: boolean | Partial<OpenAITracingExporterOptions> | undefined;
  /**
   * When a `workflow` span is made for the SDK trace (named after the workflow):
   * `'auto'` only when no OpenTelemetry span is active as the run starts (a caller's span,
   * e.g. `POST /ask`, otherwise parents the agent spans directly); `'always'`; `'never'`.
   * @defaultValue `'auto'`
   */
  workflowSpan?: 'auto' | 'always' | 'never' | undefined;
  /**
   * Make a tool's `execute_tool` span the active OpenTelemetry context while the tool body
   * runs, so spans it starts (an outbound `tracedFetch`) nest under it and the `traceparent`
   * sent downstream points at the tool. Needs `@opentelemetry/api` 1.10+ and a context manager
   * with `attach()` (the AsyncLocalStorage one registered by `registerGalileo`); otherwise wrap
   * tool bodies in `withToolContext()`.
   * @defaultValue `true`
   */
  toolContext?: boolean | undefined;
  /**
   * Record message content, tool arguments and tool results. `false` keeps every span, names,
   * models, usage and errors, and omits the content (the SDK's own
   * `traceIncludeSensitiveData: false` has the same effect for the data it withholds).
   * @defaultValue `true`
   */
  captureContent?: boolean | undefined;
  /**
   * `gen_ai.provider.name` of the model spans.
   * @defaultValue `'openai'`
   */
  providerName?: string | undefined;
  /**
   * Runs tracked at once (a whole number, at least 1). When more are open, the oldest is ended
   * early, its open spans exported with `galileo.incomplete = true` and
   * `galileo.incomplete.reason = "evicted"`, so a run whose end never arrives cannot leak memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
}
