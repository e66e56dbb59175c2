import {
  agentAttributes,
  agentSpanName,
  asNumber,
  asString,
  GenAiAttributes as G,
  type GalileoMessage,
  type GalileoToolCall,
  type IncompleteReason,
  ioAttributes,
  isRecord,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  recordSpanError,
  safeJsonStringify,
  type TokenUsage,
  toolAttributes,
  toolCall,
  toolSpanName,
  usageAttributes,
} from '@galileo-otel/core/adapter';
import {
  type Attributes,
  type Context,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { blocksOf, type Dict, isAgentTool, textOf, toolIdentity } from './sdk-shapes.js';

const PROVIDER = 'anthropic';
const CACHE_READ = 'gen_ai.usage.cache_read.input_tokens';
const CACHE_CREATION = 'gen_ai.usage.cache_creation.input_tokens';
/** Prefix of the attributes only this framework has. */
const A = 'claude_agent_sdk';

/** What a run needs from the adapter that traces it. */
export interface RunSetup {
  readonly tracer: Tracer;
  readonly now: () => number;
  readonly captureContent: boolean;
  /** The name of the run's agent span. */
  readonly agentName: string;
  /** The model the query asked for, if it named one. */
  readonly model: string | undefined;
  /** The prompt, when it was a string (streamed prompts arrive through the hooks). */
  readonly prompt: string | undefined;
  /** Called once, when the run has ended (to forget it). */
  readonly onEnd: () => void;
}

/** How a run's iterator ended. */
export type RunOutcome =
  | { kind: 'done' }
  | { kind: 'threw'; error: unknown }
  | { kind: 'cancelled' }
  | { kind: 'abandoned'; reason: IncompleteReason };

/** One model call (an API message), open until the stream shows the next thing its agent did. */
interface Turn {
  readonly id: string;
  readonly span: Span;
  readonly start: number;
  readonly input: GalileoMessage[] | undefined;
  model: string | undefined;
  readonly text: string[];
  readonly calls: GalileoToolCall[];
  inputTokens: number | undefined;
  /** Final output tokens: only the stream's `message_delta` has them (main agent). */
  outputTokens: number | undefined;
  cacheRead: number | undefined;
  cacheCreation: number | undefined;
  stopReason: string | undefined;
  error: { message: string; type: string } | undefined;
  lastSeen: number;
}

/** The main agent, or one subagent (keyed by the `Agent` tool call that started it). */
interface Thread {
  readonly key: string;
  readonly span: Span;
  readonly ctx: Context;
  readonly history: GalileoMessage[];
  /** When this agent's next model call started, at the latest. */
  cursor: number;
  turn: Turn | undefined;
  agentId: string | undefined;
  /** Set by `SubagentStop`: the subagent finished then, with this answer. */
  stoppedAt: number | undefined;
  answer: string | undefined;
  closed: boolean;
}

interface ToolRun {
  readonly id: string;
  readonly name: string;
  readonly span: Span;
  readonly ctx: Context;
  readonly thread: Thread;
  /** The subagent's type, for `Agent` tool calls. */
  readonly subagentType: string | undefined;
  ended: boolean;
}

/** Totals from the `result` messages (a run with a background subagent has two or more). */
interface Results {
  count: number;
  numTurns: number;
  costUsd: number | undefined;
  durationApiMs: number;
  last: Dict | undefined;
  modelUsage: Dict | undefined;
  denials: Set<string>;
}

/**
 * One traced `query()`: turns the SDK's hook calls (real time, for tools and subagents) and
 * its message stream (model calls, tool results, results) into Galileo-shaped spans under one
 * `invoke_agent` span. Every method is called inside the adapter's guard.
 */
export class ClaudeRun {
  readonly #setup: RunSetup;
  readonly #root: Span;
  readonly #main: Thread;
  /** Threads by the `Agent` tool call id that started them. */
  readonly #threads = new Map<string, Thread>();
  readonly #byAgentId = new Map<string, Thread>();
  readonly #tools = new Map<string, ToolRun>();
  /** `Agent` tool calls whose subagent has not started yet, oldest first. */
  readonly #pendingAgents: ToolRun[] = [];
  /** The prompt of each `Agent` call: the subagent's first user message. */
  readonly #agentPrompts = new Map<string, string>();
  /** Prompts `UserPromptSubmit` saw, not yet in the history (the stream's next turn takes them). */
  readonly #prompts: string[] = [];
  readonly #results: Results = {
    count: 0,
    numTurns: 0,
    costUsd: undefined,
    durationApiMs: 0,
    last: undefined,
    modelUsage: undefined,
    denials: new Set(),
  };
  #model: string | undefined;
  #sessionId: string | undefined;
  #interrupted = false;
  #ended = false;

  constructor(setup: RunSetup, parent: Context) {
    this.#setup = setup;
    this.#model = setup.model;
    const start = setup.now();
    const attributes = agentAttributes({
      name: setup.agentName,
      provider: PROVIDER,
      input: setup.captureContent ? setup.prompt : undefined,
    });
    if (setup.model) attributes[G.REQUEST_MODEL] = setup.model;
    this.#root = setup.tracer.startSpan(
      agentSpanName(setup.agentName),
      { kind: SpanKind.INTERNAL, attributes, startTime: start },
      parent,
    );
    this.#main = this.#thread('main', this.#root, parent, start);
  }

  /** The context the query runs in: its agent span. */
  get context(): Context {
    return this.#main.ctx;
  }

  /** Whether spans are recorded at all (a tracer provider is registered). */
  get recording(): boolean {
    return this.#root.isRecording();
  }

  /** False once the run has ended: later events are ignored. */
  get open(): boolean {
    return !this.#ended;
  }

  /** The context of a tool call's span while it runs (for in-process MCP tool bodies). */
  toolContext(toolUseId: string): Context | undefined {
    const tool = this.#tools.get(toolUseId);
    return tool && !tool.ended ? tool.ctx : undefined;
  }

  /** `interrupt()` was called: spans it cuts short are marked `interrupted`. */
  interrupted(): void {
    this.#interrupted = true;
  }

  // --- hooks (called as things happen) ---------------------------------------------------

  /** One hook call of the CLI. */
  onHook(input: unknown): void {
    if (this.#ended || !isRecord(input)) return;
    const now = this.#setup.now();
    switch (input.hook_event_name) {
      case 'UserPromptSubmit': {
        const prompt = asString(input.prompt);
        if (prompt) this.#prompts.push(prompt);
        this.#main.cursor = Math.max(this.#main.cursor, now);
        return;
      }
      case 'PreToolUse':
        this.#startTool(input, now);
        return;
      case 'PostToolUse':
        this.#endTool(asString(input.tool_use_id), now, { result: input.tool_response });
        return;
      case 'PostToolUseFailure':
        this.#endTool(asString(input.tool_use_id), now, {
          error: {
            message: asString(input.error) ?? 'the tool failed',
            type: input.is_interrupt === true ? 'Interrupted' : 'ToolError',
          },
        });
        return;
      case 'SubagentStart':
        this.#startSubagent(asString(input.agent_id), asString(input.agent_type), now);
        return;
      case 'SubagentStop': {
        const thread = this.#byAgentId.get(asString(input.agent_id) ?? '');
        if (!thread) return;
        thread.stoppedAt = now;
        thread.answer = asString(input.last_assistant_message);
        return;
      }
      default:
    }
  }

  // --- the message stream ------------------------------------------------------------------

  /** One message of the query's stream. */
  onMessage(message: unknown): void {
    if (this.#ended || !isRecord(message)) return;
    const now = this.#setup.now();
    switch (message.type) {
      case 'system':
        this.#onSystem(message, now);
        return;
      case 'stream_event':
        this.#onStreamEvent(message, now);
        return;
      case 'assistant':
        this.#onAssistant(message, now);
        return;
      case 'user':
        this.#onUser(message, now);
        return;
      case 'result':
        this.#onResult(message, now);
        return;
      default:
    }
  }

  #onSystem(message: Dict, now: number): void {
    switch (message.subtype) {
      case 'init':
        // Emitted at the start of every turn, after the prompt that started it.
        this.#takePrompts();
        this.#model ??= asString(message.model);
        this.#sessionId ??= asString(message.session_id);
        if (this.#sessionId) this.#root.setAttribute(`${A}.session_id`, this.#sessionId);
        if (asString(message.claude_code_version)) {
          this.#root.setAttribute(`${A}.cli_version`, String(message.claude_code_version));
        }
        return;
      case 'task_started': {
        const thread = this.#subagentThread(
          asString(message.tool_use_id),
          asString(message.task_id),
        );
        thread?.span.setAttribute(`${A}.background`, message.is_backgrounded === true);
        return;
      }
      case 'task_notification':
      case 'task_updated': {
        const patch = isRecord(message.patch) ? message.patch : message;
        const status = asString(patch.status);
        if (!status || status === 'running' || status === 'pending') return;
        const thread =
          this.#threads.get(asString(message.tool_use_id) ?? '') ??
          this.#byAgentId.get(asString(message.task_id) ?? '');
        if (thread) this.#closeThread(thread, now, status === 'completed' ? undefined : status);
        return;
      }
      case 'permission_denied':
        this.#endTool(asString(message.tool_use_id), now, {
          error: {
            message: asString(message.message) ?? 'permission denied',
            type: 'PermissionDenied',
          },
        });
        return;
      default:
    }
  }

  #onStreamEvent(message: Dict, now: number): void {
    const event = isRecord(message.event) ? message.event : undefined;
    if (!event) return;
    const thread = this.#threadOf(message);
    if (event.type === 'message_start' && isRecord(event.message)) {
      const id = asString(event.message.id);
      if (!id) return;
      const turn = this.#turn(thread, id, asString(event.message.model), now);
      this.#usage(turn, event.message.usage);
      return;
    }
    const id = asString(message.api_message_id);
    const turn = thread.turn;
    if (!turn || (id && id !== turn.id)) return;
    if (event.type === 'message_delta') {
      if (isRecord(event.delta)) turn.stopReason = asString(event.delta.stop_reason);
      this.#usage(turn, event.usage);
      turn.outputTokens = asNumber(isRecord(event.usage) ? event.usage.output_tokens : undefined);
    }
    turn.lastSeen = now;
  }

  #onAssistant(message: Dict, now: number): void {
    const body = isRecord(message.message) ? message.message : undefined;
    if (!body) return;
    const thread = this.#threadOf(message);
    const apiError = message.is_api_error_message === true || body.model === '<synthetic>';
    const id = asString(body.id) ?? `turn-${now}`;
    const model = apiError ? undefined : asString(body.model);
    const turn = this.#turn(thread, id, model, now);
    if (!apiError) this.#usage(turn, body.usage);
    for (const block of blocksOf(body.content)) {
      if (block.type === 'text' && typeof block.text === 'string') turn.text.push(block.text);
      if (block.type === 'tool_use') {
        const name = toolIdentity(asString(block.name) ?? 'tool').name;
        turn.calls.push(toolCall({ id: asString(block.id), name, arguments: block.input }));
      }
    }
    if (apiError) {
      turn.error = {
        message: turn.text.join('\n') || 'the model call failed',
        type: asString(message.api_error_type) ?? asString(message.error) ?? 'ApiError',
      };
    }
    turn.lastSeen = now;
  }

  #onUser(message: Dict, now: number): void {
    const thread = this.#threadOf(message);
    this.#endTurn(thread);
    const body = isRecord(message.message) ? message.message : undefined;
    const blocks = blocksOf(body?.content);
    const said = blocks.filter((b) => b.type === 'text').map((b) => String(b.text ?? ''));
    if (said.length > 0) thread.history.push({ role: 'user', content: said.join('\n') });
    for (const block of blocks) {
      if (block.type !== 'tool_result') continue;
      const id = asString(block.tool_use_id);
      const content = textOf(block.content) ?? safeJsonStringify(block.content ?? '');
      thread.history.push({ role: 'tool', content, tool_call_id: id });
      if (id && !this.#tools.has(id)) this.#startToolFromCall(thread, id);
      // A tool whose end no hook reported (denied before it ran): end it with what it gave.
      this.#endTool(
        id,
        now,
        block.is_error === true
          ? { error: { message: content, type: 'ToolError' } }
          : { result: content },
      );
      // A subagent that ran in the foreground has finished once its Agent call has a result.
      const sub = id ? this.#threads.get(id) : undefined;
      if (sub?.stoppedAt !== undefined) this.#closeThread(sub, now, undefined);
    }
    thread.cursor = Math.max(thread.cursor, now);
  }

  #onResult(message: Dict, now: number): void {
    this.#endTurn(this.#main);
    this.#main.cursor = Math.max(this.#main.cursor, now);
    const r = this.#results;
    r.count += 1;
    r.last = message;
    r.numTurns += asNumber(message.num_turns) ?? 0;
    r.durationApiMs += asNumber(message.duration_api_ms) ?? 0;
    const cost = asNumber(message.total_cost_usd);
    if (cost !== undefined) r.costUsd = Math.max(r.costUsd ?? 0, cost);
    if (isRecord(message.modelUsage) && Object.keys(message.modelUsage).length > 0) {
      r.modelUsage = message.modelUsage;
    }
    if (Array.isArray(message.permission_denials)) {
      for (const denial of message.permission_denials) {
        if (isRecord(denial))
          r.denials.add(asString(denial.tool_use_id) ?? safeJsonStringify(denial));
      }
    }
  }

  // --- the end -----------------------------------------------------------------------------

  /** Ends the run: every span still open, then the agent span. Idempotent. */
  finish(outcome: RunOutcome): void {
    if (this.#ended) return;
    this.#ended = true;
    const now = this.#setup.now();
    const reason: IncompleteReason | undefined =
      outcome.kind === 'abandoned'
        ? outcome.reason
        : outcome.kind === 'cancelled'
          ? 'cancelled'
          : outcome.kind === 'threw'
            ? this.#interrupted
              ? 'interrupted'
              : 'run-failed'
            : undefined;
    for (const thread of [...this.#threads.values()].reverse()) {
      // A subagent that stopped on its own finished, even if the stream never said so.
      this.#closeThread(
        thread,
        now,
        thread.stoppedAt === undefined ? (reason ?? 'run-ended') : undefined,
      );
    }
    this.#closeTools(this.#main, now, reason ?? 'run-ended');
    const turn = this.#main.turn;
    if (turn && reason && outcome.kind !== 'done') markIncomplete(turn.span, reason);
    this.#endTurn(this.#main);
    this.#finishRoot(outcome, reason, now);
    this.#setup.onEnd();
  }

  #finishRoot(outcome: RunOutcome, reason: IncompleteReason | undefined, now: number): void {
    const root = this.#root;
    const r = this.#results;
    const last = r.last;
    const attributes: Attributes = {};
    if (this.#model) attributes[G.REQUEST_MODEL] = this.#model;
    attributes[`${A}.results`] = r.count;
    if (r.count > 0) {
      attributes[`${A}.num_turns`] = r.numTurns;
      attributes[`${A}.duration_api_ms`] = r.durationApiMs;
      attributes[`${A}.permission_denials`] = r.denials.size;
    }
    if (r.costUsd !== undefined) attributes[`${A}.cost_usd`] = r.costUsd;
    if (last) {
      const terminal = asString(last.terminal_reason);
      if (terminal) attributes[`${A}.terminal_reason`] = terminal;
      if (asString(last.subtype)) attributes[`${A}.result.subtype`] = String(last.subtype);
    }
    Object.assign(attributes, this.#totalUsage());
    const answer = asString(last?.result) ?? this.#lastAnswer(this.#main);
    if (this.#setup.captureContent && answer !== undefined && last?.is_error !== true) {
      attributes[G.OUTPUT_MESSAGES] = safeJsonStringify([{ role: 'assistant', content: answer }]);
    }
    if (this.#setup.captureContent && !this.#setup.prompt && this.#main.history[0]) {
      attributes[G.INPUT_MESSAGES] = safeJsonStringify([this.#main.history[0]]);
    }
    root.setAttributes(attributes);
    if (outcome.kind === 'threw') {
      // The SDK throws a plain Error for every failed run: its kind is in the last result.
      const message =
        outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      recordSpanError(root, message, this.#interrupted ? 'Interrupted' : this.#failureType());
    } else if (last?.is_error === true) {
      recordSpanError(root, this.#failureMessage(last), this.#failureType());
    } else if (reason) {
      markIncomplete(root, reason);
    }
    root.end(Math.max(now, this.#main.cursor));
  }

  /** The low-cardinality kind of a failed run, from its last result. */
  #failureType(): string {
    const last = this.#results.last;
    if (last?.is_error !== true) return 'ClaudeAgentSdkError';
    const subtype = asString(last.subtype);
    return (
      asString(last.api_error_type) ??
      (subtype && subtype !== 'success' ? subtype : undefined) ??
      'ClaudeAgentSdkError'
    );
  }

  #failureMessage(result: Dict): string {
    if (Array.isArray(result.errors) && result.errors.length > 0) {
      return result.errors.map(String).join('; ');
    }
    return asString(result.result) ?? 'the run failed';
  }

  /** Usage of the whole run: the last result's per-model totals (subagents included). */
  #totalUsage(): Attributes {
    const models = this.#results.modelUsage;
    if (!models) return {};
    let input = 0;
    let output = 0;
    let read = 0;
    let created = 0;
    for (const usage of Object.values(models)) {
      if (!isRecord(usage)) continue;
      input += asNumber(usage.inputTokens) ?? 0;
      output += asNumber(usage.outputTokens) ?? 0;
      read += asNumber(usage.cacheReadInputTokens) ?? 0;
      created += asNumber(usage.cacheCreationInputTokens) ?? 0;
    }
    return {
      ...usageAttributes({ inputTokens: input, outputTokens: output }),
      ...cacheAttributes(read, created),
    };
  }

  // --- threads -----------------------------------------------------------------------------

  #thread(key: string, span: Span, parent: Context, start: number): Thread {
    return {
      key,
      span,
      ctx: trace.setSpan(parent, span),
      history: [],
      cursor: start,
      turn: undefined,
      agentId: undefined,
      stoppedAt: undefined,
      answer: undefined,
      closed: false,
    };
  }

  /** The agent a message belongs to: the main one, or the subagent of `parent_tool_use_id`. */
  #threadOf(message: Dict): Thread {
    const parent = asString(message.parent_tool_use_id);
    if (!parent) return this.#main;
    const agentId = asString(message.agent_id);
    return this.#subagentThread(parent, agentId, asString(message.subagent_type)) ?? this.#main;
  }

  /** The agent a hook call belongs to (hooks inside a subagent carry its `agent_id`). */
  #threadOfHook(input: Dict): Thread {
    const agentId = asString(input.agent_id);
    if (!agentId) return this.#main;
    return (
      this.#byAgentId.get(agentId) ??
      this.#startSubagent(agentId, asString(input.agent_type), this.#setup.now()) ??
      this.#main
    );
  }

  /**
   * `SubagentStart` says which agent started, not which `Agent` call started it: take the
   * oldest waiting call for that agent type (the stream's `parent_tool_use_id` confirms it).
   */
  #startSubagent(
    agentId: string | undefined,
    type: string | undefined,
    now: number,
  ): Thread | undefined {
    if (!agentId) return undefined;
    const known = this.#byAgentId.get(agentId);
    if (known) return known;
    const at = this.#pendingAgents.findIndex((t) => t.subagentType === type);
    const call = this.#pendingAgents[Math.max(at, 0)];
    if (!call) return undefined;
    return this.#subagentThread(call.id, agentId, type, now);
  }

  #subagentThread(
    toolUseId: string | undefined,
    agentId: string | undefined,
    type?: string,
    now = this.#setup.now(),
  ): Thread | undefined {
    if (!toolUseId) return undefined;
    let thread = this.#threads.get(toolUseId);
    if (!thread) {
      const call = this.#tools.get(toolUseId);
      const name = type ?? call?.subagentType ?? 'subagent';
      const parent = call?.ctx ?? this.#main.ctx;
      const span = this.#setup.tracer.startSpan(
        agentSpanName(name),
        {
          kind: SpanKind.INTERNAL,
          attributes: agentAttributes({ name, id: agentId, provider: PROVIDER }),
          startTime: now,
        },
        parent,
      );
      thread = this.#thread(toolUseId, span, parent, now);
      this.#threads.set(toolUseId, thread);
      const prompt = call ? this.#agentPrompts.get(toolUseId) : undefined;
      if (prompt !== undefined) thread.history.push({ role: 'user', content: prompt });
      const pending = this.#pendingAgents.findIndex((t) => t.id === toolUseId);
      if (pending >= 0) this.#pendingAgents.splice(pending, 1);
    }
    if (agentId && !thread.agentId) {
      thread.agentId = agentId;
      thread.span.setAttribute(G.AGENT_ID, agentId);
      this.#byAgentId.set(agentId, thread);
    }
    return thread;
  }

  /** Ends a subagent: its open model call and tools, then its agent span. */
  #closeThread(thread: Thread, now: number, reason: IncompleteReason | undefined): void {
    if (thread.closed) return;
    thread.closed = true;
    if (reason && thread.turn) markIncomplete(thread.turn.span, reason);
    this.#endTurn(thread);
    this.#closeTools(thread, now, reason ?? 'run-ended');
    const answer = thread.answer ?? this.#lastAnswer(thread);
    if (this.#setup.captureContent) {
      const first = thread.history[0];
      thread.span.setAttributes(ioAttributes(first ? [first] : undefined, answer));
    }
    if (reason) markIncomplete(thread.span, reason);
    thread.span.end(Math.max(thread.stoppedAt ?? now, thread.cursor));
  }

  #lastAnswer(thread: Thread): string | undefined {
    for (let i = thread.history.length - 1; i >= 0; i--) {
      const message = thread.history[i];
      if (message?.role === 'assistant' && typeof message.content === 'string' && message.content) {
        return message.content;
      }
    }
    return undefined;
  }

  /** Moves the prompts the hooks saw into the main agent's history, in order. */
  #takePrompts(): void {
    for (const prompt of this.#prompts.splice(0)) {
      this.#main.history.push({ role: 'user', content: prompt });
    }
  }

  // --- model calls -------------------------------------------------------------------------

  #turn(thread: Thread, id: string, model: string | undefined, now: number): Turn {
    if (thread.turn?.id === id) {
      thread.turn.model ??= model;
      return thread.turn;
    }
    this.#endTurn(thread);
    if (thread === this.#main) {
      this.#takePrompts();
      if (thread.history.length === 0 && this.#setup.prompt !== undefined) {
        thread.history.push({ role: 'user', content: this.#setup.prompt });
      }
    }
    const start = Math.min(thread.cursor, now);
    const name = model ?? this.#model;
    const span = this.#setup.tracer.startSpan(
      llmSpanName(name ?? 'claude'),
      {
        kind: SpanKind.INTERNAL,
        attributes: llmAttributes({ model: name, provider: PROVIDER }),
        startTime: start,
      },
      thread.ctx,
    );
    const turn: Turn = {
      id,
      span,
      start,
      input: this.#setup.captureContent ? [...thread.history] : undefined,
      model,
      text: [],
      calls: [],
      inputTokens: undefined,
      outputTokens: undefined,
      cacheRead: undefined,
      cacheCreation: undefined,
      stopReason: undefined,
      error: undefined,
      lastSeen: now,
    };
    thread.turn = turn;
    return turn;
  }

  #usage(turn: Turn, usage: unknown): void {
    if (!isRecord(usage)) return;
    turn.inputTokens = asNumber(usage.input_tokens) ?? turn.inputTokens;
    turn.cacheRead = asNumber(usage.cache_read_input_tokens) ?? turn.cacheRead;
    turn.cacheCreation = asNumber(usage.cache_creation_input_tokens) ?? turn.cacheCreation;
  }

  /** Ends the open model call of an agent and adds its answer to the agent's history. */
  #endTurn(thread: Thread): void {
    const turn = thread.turn;
    if (!turn) return;
    thread.turn = undefined;
    const capture = this.#setup.captureContent;
    const answer: GalileoMessage = { role: 'assistant', content: turn.text.join('') };
    if (turn.calls.length > 0) answer.tool_calls = turn.calls;
    const model = turn.model ?? this.#model;
    const attributes = llmAttributes({
      model,
      provider: PROVIDER,
      responseModel: turn.model,
      responseId: turn.error ? undefined : turn.id,
      finishReasons: turn.stopReason ? [turn.stopReason] : undefined,
      inputMessages: turn.input,
      outputMessages: capture && !turn.error ? [answer] : undefined,
      usage: turn.error
        ? undefined
        : ({ inputTokens: turn.inputTokens, outputTokens: turn.outputTokens } satisfies TokenUsage),
    });
    if (turn.outputTokens === undefined) {
      // The SDK reports a subagent's output tokens only in the run's totals, never per call.
      delete attributes[G.USAGE_TOTAL_TOKENS];
    }
    Object.assign(attributes, cacheAttributes(turn.cacheRead, turn.cacheCreation));
    turn.span.setAttributes(attributes);
    if (model) turn.span.updateName(llmSpanName(model));
    if (turn.error) recordSpanError(turn.span, turn.error.message, turn.error.type);
    else thread.history.push(answer);
    const end = Math.max(turn.lastSeen, turn.start);
    turn.span.end(end);
    thread.cursor = Math.max(thread.cursor, end);
  }

  // --- tools -------------------------------------------------------------------------------

  #startTool(input: Dict, now: number): void {
    const id = asString(input.tool_use_id);
    const modelName = asString(input.tool_name);
    if (!id || !modelName || this.#tools.has(id)) return;
    const thread = this.#threadOfHook(input);
    const server = isRecord(input.mcp_server) ? input.mcp_server.name : undefined;
    const identity = toolIdentity(modelName, server);
    const agent = isAgentTool(modelName);
    const args = isRecord(input.tool_input) ? input.tool_input : undefined;
    const attributes = toolAttributes({
      name: identity.name,
      callId: id,
      type: identity.server ? 'mcp' : agent ? 'agent' : 'function',
      arguments: this.#setup.captureContent ? (input.tool_input ?? {}) : undefined,
    });
    if (identity.server) attributes[`${A}.mcp.server`] = identity.server;
    if (thread.agentId) attributes[`${A}.agent_id`] = thread.agentId;
    const span = this.#setup.tracer.startSpan(
      toolSpanName(identity.name),
      { kind: SpanKind.INTERNAL, attributes, startTime: now },
      thread.ctx,
    );
    const tool: ToolRun = {
      id,
      name: identity.name,
      span,
      ctx: trace.setSpan(thread.ctx, span),
      thread,
      subagentType: agent ? asString(args?.subagent_type) : undefined,
      ended: false,
    };
    this.#tools.set(id, tool);
    if (agent) {
      this.#pendingAgents.push(tool);
      const prompt = asString(args?.prompt);
      if (prompt !== undefined) this.#agentPrompts.set(id, prompt);
    }
  }

  /** A tool no `PreToolUse` announced: its span starts where the model call asking for it ended. */
  #startToolFromCall(thread: Thread, id: string): void {
    const call = thread.history
      .flatMap((m) => (m.role === 'assistant' ? (m.tool_calls ?? []) : []))
      .find((c) => c.id === id);
    if (!call) return;
    this.#startTool(
      {
        tool_use_id: id,
        tool_name: call.function.name,
        tool_input: JSON.parse(call.function.arguments),
        agent_id: thread.agentId,
      },
      Math.min(thread.cursor, this.#setup.now()),
    );
  }

  #endTool(
    id: string | undefined,
    now: number,
    end: { result?: unknown; error?: { message: string; type: string } },
  ): void {
    const tool = id ? this.#tools.get(id) : undefined;
    if (!tool || tool.ended) return;
    tool.ended = true;
    if (end.error) {
      recordSpanError(tool.span, end.error.message, end.error.type);
    } else if (this.#setup.captureContent) {
      const result = end.result;
      tool.span.setAttribute(
        G.TOOL_CALL_RESULT,
        textOf(result) ?? (typeof result === 'string' ? result : safeJsonStringify(result ?? '')),
      );
    }
    tool.span.end(now);
    tool.thread.cursor = Math.max(tool.thread.cursor, now);
  }

  #closeTools(thread: Thread, now: number, reason: IncompleteReason): void {
    for (const tool of this.#tools.values()) {
      if (tool.ended || tool.thread !== thread) continue;
      tool.ended = true;
      markIncomplete(tool.span, reason);
      tool.span.end(now);
    }
  }
}

function cacheAttributes(read: number | undefined, created: number | undefined): Attributes {
  const out: Attributes = {};
  if (read) out[CACHE_READ] = read;
  if (created) out[CACHE_CREATION] = created;
  return out;
}
