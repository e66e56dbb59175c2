import {
  GenAiAttributes as A,
  errorType,
  messagesJson,
  recordSpanError,
  safeJsonStringify,
} from '@galileo-otel/core/adapter';
// Types only: importing this package must not load @google/adk (a `--import` set-up file stays
// light and registers before ADK is evaluated). ADK's plugin manager is duck-typed.
import type { BasePlugin, BaseTool } from '@google/adk';
import { type Span, trace } from '@opentelemetry/api';
import { adkLogger } from './internal/adk-logger.js';
import { AdkPluginBase } from './internal/adk-plugin-base.js';
import { AdkAttributes } from './internal/adk-span.js';
import { checkEmittingAdk } from './internal/emitting-adk.js';

/** Options of {@link GoogleAdkPlugin}. */
export interface GoogleAdkPluginOptions {
  /**
   * The plugin's name in ADK's plugin manager (names must be unique per runner).
   * @defaultValue `'galileo_otel'`
   */
  name?: string | undefined;
}

/** The parameter object of one of ADK's plugin callbacks. */
type Params<K extends keyof BasePlugin> = BasePlugin[K] extends (params: infer P) => unknown
  ? P
  : never;
/** The result of one of ADK's plugin callbacks. */
type Result<K extends keyof BasePlugin> = BasePlugin[K] extends (...args: never[]) => infer R
  ? R
  : never;
type Content = Params<'onUserMessageCallback'>['userMessage'];
type RunAsync = BaseTool['runAsync'];

const WRAPPED = Symbol.for('galileo-otel.adk.tool-wrapped');
const MAX_STREAMED_PARTS = 1_000;
/** Output parts kept per streamed `call_llm` span (keyed by the span, so nothing leaks). */
const streamed = new WeakMap<object, unknown[]>();

function activeSpanNamed(name: string): Span | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  return (span as unknown as { name?: unknown }).name === name ? span : undefined;
}

function textOf(content: Content | undefined): string {
  return (content?.parts ?? [])
    .map((part) => (typeof part.text === 'string' && !part.thought ? part.text : ''))
    .join('');
}

/**
 * An ADK plugin (a `BasePlugin` for the runner's `plugins`) that repairs what ADK 2.0's own spans
 * get wrong, from inside the callbacks that run while those spans are active:
 * - a tool that throws: ADK ends `execute_tool` with status OK and no attributes; the plugin
 *   records the error (status ERROR, `error.type`, exception event), the arguments and call id;
 * - a model error: ADK ends `call_llm` bare; the plugin records the error and the request;
 * - streaming (SSE): ADK keeps only the last (usage-only) chunk as the response; the plugin keeps
 *   the whole output;
 * - the user's message becomes the `invocation` span's input;
 * - when a run starts without a recording span and the `@google/adk` copy running it (found on
 *   the call stack) is not connected to the provider, it warns once with the exact fix.
 * It overrides only those callbacks (every other one is `BasePlugin`'s no-op), never changes
 * what ADK does (each returns `undefined`) and never throws.
 *
 * @example
 * const runner = new InMemoryRunner({ agent, appName: 'app', plugins: [googleAdkPlugin()] });
 */
export class GoogleAdkPlugin extends AdkPluginBase {
  constructor(options: GoogleAdkPluginOptions = {}) {
    super(options.name ?? 'galileo_otel');
  }

  /** Marks the `invocation` span (live runs call this, not `onUserMessageCallback`). */
  override async beforeRunCallback(
    _params: Params<'beforeRunCallback'>,
  ): Result<'beforeRunCallback'> {
    adkLogger.guard('beforeRunCallback', () => this.#markInvocation());
    return undefined;
  }

  /** Sets the `invocation` span's input to the user's message. */
  override async onUserMessageCallback(
    params: Params<'onUserMessageCallback'>,
  ): Result<'onUserMessageCallback'> {
    adkLogger.guard('onUserMessageCallback', () => {
      const span = this.#markInvocation();
      // No recording invocation span: maybe the ADK copy running this agent was never connected.
      if (!span) checkEmittingAdk(params.invocationContext);
      const text = textOf(params.userMessage);
      if (span && text) span.setAttribute(A.INPUT_MESSAGES, messagesJson(text));
    });
    return undefined;
  }

  /** Prepares the tool so an error it throws is recorded on its `execute_tool` span. */
  override async beforeToolCallback(
    params: Params<'beforeToolCallback'>,
  ): Result<'beforeToolCallback'> {
    adkLogger.guard('beforeToolCallback', () => wrapTool(params.tool));
    return undefined;
  }

  /** Keeps every complete output part of the model call on its `call_llm` span. */
  override async afterModelCallback(
    params: Params<'afterModelCallback'>,
  ): Result<'afterModelCallback'> {
    adkLogger.guard('afterModelCallback', () => {
      const response = params.llmResponse;
      const parts = response.content?.parts;
      const span = activeSpanNamed('call_llm');
      if (!span || response.partial || !parts || parts.length === 0) return;
      let kept = streamed.get(span);
      if (!kept) {
        kept = [];
        streamed.set(span, kept);
      }
      if (kept.length < MAX_STREAMED_PARTS) kept.push(...parts);
      span.setAttribute(
        AdkAttributes.PLUGIN_LLM_OUTPUT,
        safeJsonStringify({ role: response.content?.role ?? 'model', parts: kept }),
      );
    });
    return undefined;
  }

  /** Records a failed model call (error, HTTP status, request) on its `call_llm` span. */
  override async onModelErrorCallback(
    params: Params<'onModelErrorCallback'>,
  ): Result<'onModelErrorCallback'> {
    adkLogger.guard('onModelErrorCallback', () => {
      const span = activeSpanNamed('call_llm');
      if (!span) return;
      const request = params.llmRequest;
      recordSpanError(span, params.error);
      const status = (params.error as { status?: unknown }).status;
      if (typeof status === 'number') span.setAttribute('http.response.status_code', status);
      if (request.model) span.setAttribute(A.REQUEST_MODEL, request.model);
      span.setAttribute(
        AdkAttributes.LLM_REQUEST,
        safeJsonStringify({
          model: request.model,
          contents: request.contents.map((content) => ({
            role: content.role,
            parts: (content.parts ?? []).filter((part) => !part.inlineData),
          })),
          config: { systemInstruction: request.config?.systemInstruction },
        }),
      );
    });
    return undefined;
  }

  /**
   * Marks the active `invocation` span as run with the plugin (`googleAdk()` warns when an
   * agent starts under an invocation without the mark) and returns it.
   */
  #markInvocation(): Span | undefined {
    const span = activeSpanNamed('invocation');
    span?.setAttribute(AdkAttributes.PLUGIN_MARKER, this.name);
    return span;
  }
}

/**
 * Wraps the tool's `runAsync` (once per tool object) so an error it throws is recorded on the
 * `execute_tool` span active at that moment; ADK ends that span before any plugin callback sees
 * the error.
 */
function wrapTool(tool: BaseTool): void {
  const holder = tool as unknown as Record<symbol, unknown> & { runAsync: RunAsync };
  if (holder[WRAPPED]) return;
  const original = holder.runAsync;
  if (typeof original !== 'function') return;
  const spanName = `execute_tool ${tool.name}`;
  const wrapped: RunAsync = async function (this: BaseTool, request) {
    try {
      return await original.call(this, request);
    } catch (error) {
      adkLogger.guard('tool error', () => {
        const span = activeSpanNamed(spanName);
        if (!span) return;
        const type = errorType(error);
        recordSpanError(span, error, type === 'Error' ? 'ToolError' : type);
        span.setAttribute(AdkAttributes.TOOL_CALL_ARGS, safeJsonStringify(request.args ?? {}));
        const callId = request.toolContext?.functionCallId;
        if (callId) span.setAttribute(A.TOOL_CALL_ID, callId);
      });
      throw error;
    }
  };
  Object.defineProperty(holder, 'runAsync', { value: wrapped, configurable: true, writable: true });
  Object.defineProperty(holder, WRAPPED, { value: true });
}

/**
 * Creates the {@link GoogleAdkPlugin}; add it to the runner's `plugins`.
 *
 * @example
 * new InMemoryRunner({ agent, appName: 'app', plugins: [googleAdkPlugin()] });
 */
export function googleAdkPlugin(options: GoogleAdkPluginOptions = {}): GoogleAdkPlugin {
  return new GoogleAdkPlugin(options);
}
