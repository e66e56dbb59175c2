import {
  GenAiAttributes as A,
  agentAttributes,
  asNumber,
  asScalarText,
  asString,
  INCOMPLETE,
  INCOMPLETE_REASON,
  type IncompleteReason,
  isRecord,
  llmAttributes,
  llmSpanName,
  messagesJson,
  RunRegistry,
  toolAttributes,
} from '@galileo-otel/core/adapter';
import { type Attributes, type SpanStatus, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { AdkAttributes, type AdkSpanType, adkSpanType, parentSpanIdOf } from './adk-span.js';
import {
  contentsToMessages,
  hasText,
  type KnownCall,
  lastUserText,
  parseJsonAttribute,
  restoreCallIds,
  systemInstructionText,
  type TextMessage,
  usageOf,
} from './gemini-messages.js';

/** What the mapper decided for one ADK span. */
export interface MappedSpan {
  name?: string;
  attributes: Attributes;
  status?: SpanStatus;
}

interface Output {
  messages: TextMessage[];
  text: boolean;
  seq: number;
}

/** A failed model call below a span (no output of its own). */
interface Failure {
  message: string;
  type: string;
  seq: number;
}

interface Collected {
  input?: string;
  output?: Output;
  error?: Failure;
  /** Tool calls run below (their ids, which ADK leaves out of what it records for the model). */
  calls?: KnownCall[];
}

/** A run being mapped: what its spans collected for their parents, by the parent's span id. */
interface Run {
  traceId: string;
  waiting: Map<string, Collected>;
}

/** Options of the {@link AdkSpanMapper}. */
export interface AdkSpanMapperOptions {
  /** `gen_ai.provider.name` of model calls and agents. */
  provider: string;
  /** Runs (traces) whose state is kept at once; past it the oldest is given up on. */
  maxOpenRuns?: number | undefined;
}

const MAX_WAITING_PER_RUN = 1_000;
const MAX_CALLS = 128;
const MERGED_TOOLS = '(merged tools)';
const NOT_SPECIFIED = '<not specified>';
/** Status message of a tool span ADK ended without a result (the tool threw). */
export const BARE_TOOL_MESSAGE =
  'the tool failed: ADK recorded no result (add googleAdkPlugin() to the runner to capture the error message)';

/** The more recent of two records (either may be missing). */
function later<T extends { seq: number }>(a: T | undefined, b: T | undefined): T | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.seq >= b.seq ? a : b;
}

/** The output to show: one with text over one without, else the more recent. */
function better(a: Output | undefined, b: Output | undefined): Output | undefined {
  if (a && b && a.text !== b.text) return a.text ? a : b;
  return later(a, b);
}

/**
 * The failure that ended a run below a span: a failed model call not followed by a text answer
 * (a bare tool call, such as a hand-off, does not count as recovering from it).
 */
function unrecovered(collected: Collected | undefined): Failure | undefined {
  const error = collected?.error;
  if (!error) return undefined;
  const output = collected?.output;
  return output?.text && output.seq > error.seq ? undefined : error;
}

/**
 * Turns ADK's native spans into Galileo's shapes. Children end before their parents, so the
 * mapper collects each span's input, output, failure and tool-call ids under its parent's id and
 * hands them to the parent when it ends. State is kept per run (trace), consumed as the parents
 * end, and bounded: past `maxOpenRuns` the oldest run is given up on, and its spans that end
 * later are marked `galileo.incomplete` (reason `evicted`): what they would have lifted from
 * their children may be missing.
 */
export class AdkSpanMapper {
  readonly #provider: string;
  readonly #runs: RunRegistry<string, Run>;
  /** Runs given up on, so their spans that end later say so. */
  readonly #givenUp: RunRegistry<string, IncompleteReason>;
  #seq = 0;

  /** @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1. */
  constructor(options: AdkSpanMapperOptions) {
    this.#provider = options.provider;
    const { maxOpenRuns } = options;
    this.#givenUp = new RunRegistry({ maxOpenRuns, abandon: () => {} });
    this.#runs = new RunRegistry({
      maxOpenRuns,
      abandon: (run, reason) => this.#givenUp.set(run.traceId, reason),
    });
  }

  /** Runs with state kept now (for tests and leak checks). */
  get openRuns(): number {
    return this.#runs.size;
  }

  map(span: ReadableSpan): MappedSpan | undefined {
    const type = adkSpanType(span);
    if (!type) return undefined;
    const { traceId, spanId } = span.spanContext();
    const waiting = this.#runs.get(traceId)?.waiting;
    const own = waiting?.get(spanId);
    waiting?.delete(spanId);
    const mapped = this.#mapType(type, span, own);
    const reason = this.#givenUp.get(traceId);
    if (reason && type !== 'tool') {
      mapped.attributes[INCOMPLETE] = true;
      mapped.attributes[INCOMPLETE_REASON] = reason;
    }
    if (type === 'invocation') this.#givenUp.delete(traceId);
    if (this.#runs.get(traceId)?.waiting.size === 0) this.#runs.delete(traceId);
    return mapped;
  }

  /** Forgets every run (at shutdown). */
  clear(): void {
    this.#runs.giveUpAll('shutdown');
    this.#givenUp.giveUpAll('shutdown');
  }

  #mapType(type: AdkSpanType, span: ReadableSpan, own: Collected | undefined): MappedSpan {
    switch (type) {
      case 'llm':
        return this.#mapLlm(span, own);
      case 'tool':
        return this.#mapTool(span);
      case 'agent':
        return this.#mapAgent(span, own);
      case 'invocation':
        return this.#mapInvocation(span, own);
    }
  }

  /** What the span's children collected for its parent so far (without taking it). */
  #parentEntry(span: ReadableSpan): Collected | undefined {
    const parentId = parentSpanIdOf(span);
    return parentId ? this.#runs.get(span.spanContext().traceId)?.waiting.get(parentId) : undefined;
  }

  #report(
    span: ReadableSpan,
    found: { input?: string; output?: Output; error?: Failure; calls?: readonly KnownCall[] },
  ): void {
    const parentId = parentSpanIdOf(span);
    const { input, output, error, calls = [] } = found;
    if (!parentId || (input === undefined && output === undefined && !error && !calls.length)) {
      return;
    }
    const traceId = span.spanContext().traceId;
    let run = this.#runs.get(traceId);
    if (!run) {
      run = { traceId, waiting: new Map() };
      this.#runs.set(traceId, run);
    }
    let entry = run.waiting.get(parentId);
    if (!entry) {
      // Spans that never end (an abandoned run) must not grow one long trace's state forever.
      if (run.waiting.size >= MAX_WAITING_PER_RUN) return;
      entry = {};
      run.waiting.set(parentId, entry);
    }
    entry.input ??= input;
    const best = better(entry.output, output);
    if (best) entry.output = best;
    const last = later(entry.error, error);
    if (last) entry.error = last;
    if (calls.length > 0) {
      entry.calls = [...(entry.calls ?? []), ...calls].slice(-MAX_CALLS);
    }
  }

  #mapLlm(span: ReadableSpan, own: Collected | undefined): MappedSpan {
    const attrs = span.attributes;
    const request = parseJsonAttribute(attrs[AdkAttributes.LLM_REQUEST]);
    const response = parseJsonAttribute(attrs[AdkAttributes.LLM_RESPONSE]);
    const streamed = parseJsonAttribute(attrs[AdkAttributes.PLUGIN_LLM_OUTPUT]);
    const model = asString(attrs[A.REQUEST_MODEL]) ?? asString(request?.model);
    const config = isRecord(request?.config) ? request.config : undefined;
    const system = systemInstructionText(config?.systemInstruction);
    // ADK records the request and the response without the ids it gives tool calls: put back
    // the ids of the tool spans that ran them (earlier turns: reported to the agent; this
    // turn's: reported to this span), so tool_calls and tool messages pair up on the wire.
    restoreCallIds(request?.contents, this.#parentEntry(span)?.calls);
    const conversation = contentsToMessages(request?.contents, 'user');
    const responseContent =
      streamed ?? (isRecord(response?.content) ? response.content : undefined);
    restoreCallIds(responseContent, own?.calls);
    const output = responseContent ? contentsToMessages(responseContent, 'assistant') : [];
    const usage = usageOf(response?.usageMetadata) ?? {
      inputTokens: asNumber(attrs[A.USAGE_INPUT_TOKENS]),
      outputTokens: asNumber(attrs[A.USAGE_OUTPUT_TOKENS]),
    };
    const finish = attrs[A.FINISH_REASONS];
    const attributes = llmAttributes({
      model,
      provider: this.#provider,
      systemInstructions: system,
      finishReasons: Array.isArray(finish) ? finish.map(String) : undefined,
      usage,
    });
    const input: TextMessage[] = system
      ? [{ role: 'system', content: system }, ...conversation]
      : conversation;
    if (input.length > 0) attributes[A.INPUT_MESSAGES] = messagesJson(input);
    if (output.length > 0) attributes[A.OUTPUT_MESSAGES] = messagesJson(output);

    let status: SpanStatus | undefined;
    const errorCode = asScalarText(response?.errorCode);
    if (errorCode && span.status.code !== SpanStatusCode.ERROR) {
      status = {
        code: SpanStatusCode.ERROR,
        message: asString(response?.errorMessage) ?? errorCode,
      };
      attributes[A.ERROR_TYPE] = errorCode;
    }

    const mine: Output | undefined =
      output.length > 0 ? { messages: output, text: hasText(output), seq: ++this.#seq } : undefined;
    const failed = status ?? (span.status.code === SpanStatusCode.ERROR ? span.status : undefined);
    const failure: Failure | undefined =
      failed && !mine
        ? {
            message: failed.message ?? 'the model call failed',
            type:
              asString(attributes[A.ERROR_TYPE]) ?? asString(attrs[A.ERROR_TYPE]) ?? 'ModelError',
            seq: ++this.#seq,
          }
        : undefined;
    this.#report(span, {
      input: lastUserText(conversation) ?? own?.input,
      output: better(own?.output, mine),
      error: later(own?.error, failure),
      calls: own?.calls,
    });
    return { name: llmSpanName(model), attributes, ...(status ? { status } : {}) };
  }

  #mapTool(span: ReadableSpan): MappedSpan {
    const attrs = span.attributes;
    const name = asString(attrs[A.TOOL_NAME]) ?? span.name.slice('execute_tool '.length);
    const callId = asString(attrs[A.TOOL_CALL_ID]);
    const id = callId === NOT_SPECIFIED ? undefined : callId;
    const args = asString(attrs[AdkAttributes.TOOL_CALL_ARGS]);
    const attributes = toolAttributes({
      name,
      callId: id,
      type: 'function',
      description: asString(attrs[A.TOOL_DESCRIPTION]),
      arguments: args,
      result: asString(attrs[AdkAttributes.TOOL_RESPONSE]),
    });
    if (id && name !== MERGED_TOOLS) this.#report(span, { calls: [{ name, id, arguments: args }] });
    // ADK only writes the tool's attributes after it returned: a span without them is a tool that
    // threw (ADK ends the span in a `finally` and records nothing).
    const bare = attrs[A.OPERATION_NAME] === undefined;
    const pluginError = asString(attrs[AdkAttributes.PLUGIN_TOOL_ERROR]);
    let status: SpanStatus | undefined;
    if (span.status.code !== SpanStatusCode.ERROR && (bare || pluginError)) {
      status = { code: SpanStatusCode.ERROR, message: pluginError ?? BARE_TOOL_MESSAGE };
    }
    if (
      (status || span.status.code === SpanStatusCode.ERROR) &&
      attrs[A.ERROR_TYPE] === undefined
    ) {
      attributes[A.ERROR_TYPE] = 'ToolError';
    }
    return { attributes, ...(status ? { status } : {}) };
  }

  #mapAgent(span: ReadableSpan, own: Collected | undefined): MappedSpan {
    const attrs = span.attributes;
    const attributes = agentAttributes({
      name: asString(attrs[A.AGENT_NAME]) ?? span.name.slice('invoke_agent '.length),
      description: asString(attrs[A.AGENT_DESCRIPTION]),
      provider: this.#provider,
      conversationId: asString(attrs[A.CONVERSATION_ID]),
    });
    this.#fillIo(attributes, attrs, own);
    const failure = unrecovered(own);
    this.#report(span, { input: own?.input, output: own?.output, error: failure });
    return { attributes, ...this.#failedRun(span, attributes, failure) };
  }

  #mapInvocation(span: ReadableSpan, own: Collected | undefined): MappedSpan {
    const attributes: Attributes = {};
    this.#fillIo(attributes, span.attributes, own);
    return { attributes, ...this.#failedRun(span, attributes, unrecovered(own)) };
  }

  /**
   * ADK ends an agent (and its invocation) normally after a failed model call, with only an
   * error event to show for it: the run failed, so the span says so.
   */
  #failedRun(
    span: ReadableSpan,
    attributes: Attributes,
    failure: Failure | undefined,
  ): { status?: SpanStatus } {
    if (!failure || span.status.code === SpanStatusCode.ERROR) return {};
    if (span.attributes[A.ERROR_TYPE] === undefined) attributes[A.ERROR_TYPE] = failure.type;
    return { status: { code: SpanStatusCode.ERROR, message: failure.message } };
  }

  #fillIo(attributes: Attributes, existing: Attributes, own: Collected | undefined): void {
    if (own?.input !== undefined && existing[A.INPUT_MESSAGES] === undefined) {
      attributes[A.INPUT_MESSAGES] = messagesJson([{ role: 'user', content: own.input }]);
    }
    if (own?.output && existing[A.OUTPUT_MESSAGES] === undefined) {
      attributes[A.OUTPUT_MESSAGES] = messagesJson(own.output.messages);
    }
  }
}
