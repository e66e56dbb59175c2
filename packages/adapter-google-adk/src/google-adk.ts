import {
  type AdapterHost,
  type AdapterStartDecision,
  asString,
  type GalileoAdapter,
  GenAiAttributes,
  recordSpanError,
  type SpanTranslation,
} from '@galileo-otel/core/adapter';
import { type Context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import {
  type AdkTracingStatus,
  connectAdkTracing,
  googleAdkTracing,
} from './google-adk-tracing.js';
import { adkLogger } from './internal/adk-logger.js';
import { ADK_SCOPE, AdkAttributes, VENDOR_JSON_ATTRIBUTES } from './internal/adk-span.js';
import { AdkSpanMapper, type MappedSpan } from './internal/adk-span-mapper.js';
import { globalRegistryProblem } from './internal/global-registry.js';

/** Options of {@link googleAdk}. */
export interface GoogleAdkOptions {
  /**
   * `gen_ai.provider.name` of ADK's model calls and agents (`gcp.vertex_ai` for Vertex AI).
   * @defaultValue `'gcp.gemini'`
   */
  provider?: string | undefined;
  /**
   * Export the tools and handed-off sub-agents that ADK starts under `call_llm` as children of
   * the agent instead (the model call becomes a leaf, which Galileo shows best). The OTel context
   * is not changed: HTTP calls made inside a tool still nest under the tool.
   * @defaultValue `true`
   */
  llmSpansAsLeaves?: boolean | undefined;
  /**
   * Keep ADK's `gcp.vertex.agent.llm_request` / `llm_response` / `tool_call_args` /
   * `tool_response` JSON attributes next to the Galileo ones (they duplicate them and are large).
   * @defaultValue `false`
   */
  keepVendorAttributes?: boolean | undefined;
  /**
   * Connect `@google/adk`'s own `@opentelemetry/api` copy to the provider when the processor is
   * created (see {@link googleAdkTracing}); without it ADK spans vanish in one import order.
   * @defaultValue `true`
   */
  ensureTracing?: boolean | undefined;
  /**
   * Most ADK runs (traces) whose spans' input, output and tool-call ids are being collected at
   * once. Past it the oldest run is given up on: its spans that end later are exported without
   * what they would have lifted from their children and marked `galileo.incomplete = true`,
   * `galileo.incomplete.reason = 'evicted'`, so runs whose spans never end cannot grow memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
}

/** The Google ADK adapter, plus what its start-up check found. */
export interface GoogleAdkAdapter extends GalileoAdapter {
  /** What {@link googleAdkTracing} found when the processor was created (`undefined` before). */
  readonly tracingStatus: AdkTracingStatus | undefined;
  /**
   * ADK runs (traces) whose state the adapter holds now; `0` once every run has ended. A count
   * that keeps growing means runs whose spans never end (given up on at `maxOpenRuns`).
   */
  readonly openRuns: number;
}

/** Printed once when an agent runs under an `invocation` the plugin did not mark. */
export const MISSING_PLUGIN_MESSAGE: string =
  'an ADK runner has no googleAdkPlugin(), so a failed model call is exported as ' +
  'OK, a throwing tool gets a generic error message, and streamed (SSE) tool-call output is ' +
  "lost. Fix: import { googleAdkPlugin } from '@galileo-otel/adapter-google-adk' and pass " +
  'plugins: [googleAdkPlugin()] to the runner, e.g. new InMemoryRunner({ agent, appName, ' +
  'plugins: [googleAdkPlugin()] }).';

function isAdkSpan(span: { instrumentationScope?: { name: string } | undefined }): boolean {
  return span.instrumentationScope?.name === ADK_SCOPE;
}

/**
 * The Google ADK (`@google/adk` 2.x) adapter for the Galileo span processor. ADK emits
 * OpenTelemetry spans itself; this reshapes them as they end: `invocation` → workflow,
 * `invoke_agent <name>` → agent (input and output lifted from its model calls),
 * `call_llm` → llm `chat <model>` (`{role, content}` messages, provider, usage),
 * `execute_tool <name>` → tool (arguments, result; ERROR when the tool threw). It also connects
 * ADK's pinned `@opentelemetry/api` copy to the provider so no import order loses ADK's spans.
 * Add {@link googleAdkPlugin} to the runner for exact tool and model errors and streamed output.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { googleAdk } from '@galileo-otel/adapter-google-adk';
 * registerGalileo({ adapters: [googleAdk()] });
 */
export function googleAdk(options: GoogleAdkOptions = {}): GoogleAdkAdapter {
  const mapper = new AdkSpanMapper({
    provider: options.provider ?? 'gcp.gemini',
    maxOpenRuns: options.maxOpenRuns,
  });
  const mapped = new WeakSet<object>();
  const reparent = options.llmSpansAsLeaves ?? true;
  const removeAttributes = options.keepVendorAttributes ? undefined : VENDOR_JSON_ATTRIBUTES;
  let tracingStatus: AdkTracingStatus | undefined;
  let registryChecked = false;
  let pluginMissingReported = false;

  const mapOnce = (span: ReadableSpan): MappedSpan | undefined => {
    if (mapped.has(span)) return undefined;
    mapped.add(span);
    return mapper.map(span);
  };

  return {
    name: 'google-adk',
    get tracingStatus() {
      return tracingStatus;
    },
    get openRuns() {
      return mapper.openRuns;
    },

    install(host: AdapterHost): void {
      adkLogger.attach(host);
      if (options.ensureTracing === false) return;
      tracingStatus = googleAdkTracing();
    },

    onStart(span: Span, parentContext: Context): AdapterStartDecision | undefined {
      if (!registryChecked) {
        // The first span proves the set-up is complete: check once who registered the global.
        registryChecked = true;
        const problem = globalRegistryProblem();
        if (problem) adkLogger.warnOnce(`tracing:${problem}`, problem);
        // ADK may have been loaded since the processor was created: connect required copies.
        if (options.ensureTracing !== false) {
          const known = new Set([...(tracingStatus?.problems ?? []), problem]);
          for (const text of connectAdkTracing({ logger: false }).status.problems) {
            if (!known.has(text)) adkLogger.warnOnce(`tracing:${text}`, text);
          }
        }
      }
      const readable = span as unknown as ReadableSpan;
      if (!isAdkSpan(readable)) return undefined;
      const name = readable.name;
      if (!name.startsWith('execute_tool') && !name.startsWith('invoke_agent ')) return undefined;
      const parent = trace.getSpan(parentContext) as unknown as ReadableSpan | undefined;
      if (
        !pluginMissingReported &&
        parent?.name === 'invocation' &&
        isAdkSpan(parent) &&
        parent.attributes?.[AdkAttributes.PLUGIN_MARKER] === undefined
      ) {
        // The plugin marks the invocation before ADK starts the agent; checked here rather than
        // at the invocation's end so a run that fails before any agent (no session) is not
        // blamed on a missing plugin.
        pluginMissingReported = true;
        adkLogger.warnOnce('no-plugin', MISSING_PLUGIN_MESSAGE);
      }
      if (!reparent) return undefined;
      if (parent?.name !== 'call_llm' || !isAdkSpan(parent)) return undefined;
      const grandParent = parent.parentSpanContext?.spanId;
      return grandParent ? { parentSpanId: grandParent } : undefined;
    },

    onEnding(span: Span): void {
      const readable = span as unknown as ReadableSpan;
      if (!isAdkSpan(readable)) return;
      const result = mapOnce(readable);
      if (!result) return;
      if (result.name) span.updateName(result.name);
      span.setAttributes(result.attributes);
      if (result.status?.code === SpanStatusCode.ERROR) {
        // A failure ADK did not record: status, error.type and the exception event, as always.
        const type = asString(readable.attributes[GenAiAttributes.ERROR_TYPE]);
        recordSpanError(span, result.status.message ?? 'failed', type);
      }
    },

    translate(span: ReadableSpan): SpanTranslation | undefined {
      if (!isAdkSpan(span)) return undefined;
      // Providers without `onEnding` (OTel SDK before 2.12) get the same mapping at export.
      // TODO(kit): SpanTranslation cannot add events, so a failure found here has no exception
      // event (status and error.type only).
      const result = mapOnce(span);
      if (!result) return removeAttributes ? { removeAttributes } : undefined;
      return {
        ...(result.name ? { name: result.name } : {}),
        attributes: result.attributes,
        ...(result.status ? { status: result.status } : {}),
        ...(removeAttributes ? { removeAttributes } : {}),
      };
    },

    async shutdown(): Promise<void> {
      mapper.clear();
    },
  };
}
