import {
  GenAiAttributes as A,
  errorType,
  recordSpanError,
  safeJsonStringify,
} from '@galileo-otel/core';
import {
  BasePlugin,
  type BaseTool,
  type Context,
  type InvocationContext,
  type LlmRequest,
  type LlmResponse,
} from '@google/adk';
import { type Span, trace } from '@opentelemetry/api';
import { AdkAttributes } from './internal/adk-span.js';

/** Options of {@link GalileoAdkPlugin}. */
export interface GalileoAdkPluginOptions {
  /**
   * The plugin's name in ADK's plugin manager (names must be unique per runner).
   * @defaultValue `'galileo_otel'`
   */
  name?: string | undefined;
}

type Content = Parameters<BasePlugin['onUserMessageCallback']>[0]['userMessage'];

const WRAPPED = Symbol.for('galileo-otel.adk.tool-wrapped');
const MAX_STREAMED_PARTS = 1_000;

type RunAsync = BaseTool['runAsync'];

function activeSpanNamed(predicate: (name: string) => boolean): Span | undefined {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return undefined;
  const name = (span as unknown as { name?: unknown }).name;
  return typeof name === 'string' && predicate(name) ? span : undefined;
}

function textOf(content: Content | undefined): string {
  return (content?.parts ?? [])
    .map((part) => (typeof part.text === 'string' && !part.thought ? part.text : ''))
    .join('');
}

/**
 * An ADK plugin that repairs what ADK 2.0's own spans get wrong, from inside the callbacks that
 * run while those spans are active:
 * - a tool that throws: ADK ends `execute_tool` with status OK and no attributes; the plugin
 *   records the error (status ERROR, `error.type`, exception event) and the arguments;
 * - a model error: ADK ends `call_llm` bare; the plugin records the error and the request;
 * - streaming (SSE): ADK keeps only the last (usage-only) chunk as the response; the plugin keeps
 *   the whole streamed output;
 * - the user's message becomes the `invocation` span's input.
 * It never changes what ADK does (every callback returns `undefined`) and never throws.
 *
 * @example
 * const runner = new InMemoryRunner({ agent, appName: 'app', plugins: [galileoAdkPlugin()] });
 */
export class GalileoAdkPlugin extends BasePlugin {
  readonly #streamed = new WeakMap<object, unknown[]>();

  constructor(options: GalileoAdkPluginOptions = {}) {
    super(options.name ?? 'galileo_otel');
  }

  override async onUserMessageCallback(params: {
    invocationContext: InvocationContext;
    userMessage: Content;
  }): Promise<Content | undefined> {
    try {
      const span = activeSpanNamed((name) => name === 'invocation');
      const text = textOf(params.userMessage);
      if (span && text) {
        span.setAttribute(A.INPUT_MESSAGES, safeJsonStringify([{ role: 'user', content: text }]));
      }
    } catch {
      // Tracing never breaks the run.
    }
    return undefined;
  }

  override async beforeToolCallback(params: {
    tool: BaseTool;
    toolArgs: Record<string, unknown>;
    toolContext: Context;
  }): Promise<Record<string, unknown> | undefined> {
    try {
      wrapTool(params.tool);
    } catch {
      // Tracing never breaks the run.
    }
    return undefined;
  }

  override async afterModelCallback(params: {
    callbackContext: Context;
    llmResponse: LlmResponse;
  }): Promise<LlmResponse | undefined> {
    try {
      const response = params.llmResponse;
      const parts = response.content?.parts;
      const span = activeSpanNamed((name) => name === 'call_llm');
      if (span && !response.partial && parts && parts.length > 0) {
        let kept = this.#streamed.get(span);
        if (!kept) {
          kept = [];
          this.#streamed.set(span, kept);
        }
        if (kept.length < MAX_STREAMED_PARTS) kept.push(...parts);
        span.setAttribute(
          AdkAttributes.PLUGIN_LLM_OUTPUT,
          safeJsonStringify({ role: response.content?.role ?? 'model', parts: kept }),
        );
      }
    } catch {
      // Tracing never breaks the run.
    }
    return undefined;
  }

  override async onModelErrorCallback(params: {
    callbackContext: Context;
    llmRequest: LlmRequest;
    error: Error;
  }): Promise<LlmResponse | undefined> {
    try {
      const span = activeSpanNamed((name) => name === 'call_llm');
      if (span) {
        const request = params.llmRequest;
        recordSpanError(span, params.error, errorType(params.error));
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
      }
    } catch {
      // Tracing never breaks the run.
    }
    return undefined;
  }
}

/**
 * Wraps the tool's `runAsync` (once per tool object) so an error it throws is recorded on the
 * `execute_tool` span that is active at that moment; ADK ends that span before any plugin
 * callback sees the error.
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
      try {
        const span = activeSpanNamed((name) => name === spanName);
        if (span) {
          const type = errorType(error);
          recordSpanError(span, error, type === 'Error' ? 'ToolError' : type);
          span.setAttribute(AdkAttributes.TOOL_CALL_ARGS, safeJsonStringify(request.args ?? {}));
          const callId = request.toolContext?.functionCallId;
          if (callId) span.setAttribute(A.TOOL_CALL_ID, callId);
        }
      } catch {
        // Tracing never breaks the run.
      }
      throw error;
    }
  };
  Object.defineProperty(holder, 'runAsync', { value: wrapped, configurable: true, writable: true });
  Object.defineProperty(holder, WRAPPED, { value: true });
}

/**
 * Creates the {@link GalileoAdkPlugin}; add it to the runner's `plugins`.
 *
 * @example
 * new InMemoryRunner({ agent, appName: 'app', plugins: [galileoAdkPlugin()] });
 */
export function galileoAdkPlugin(options: GalileoAdkPluginOptions = {}): GalileoAdkPlugin {
  return new GalileoAdkPlugin(options);
}
