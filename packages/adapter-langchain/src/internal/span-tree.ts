import {
  GenAiAttributes as A,
  type AdapterLogger,
  agentAttributes,
  agentSpanName,
  asString,
  errorType,
  type IncompleteReason,
  ioAttributes,
  isRecord,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  RunRegistry,
  recordSpanError,
  retrieverAttributes,
  runClock,
  toolAttributes,
  toolSpanName,
  workflowAttributes,
} from '@galileo-otel/core/adapter';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { type ChainKind, chainKind, runLabel } from './chain-kind.js';
import {
  documentOf,
  modelOutput,
  stateMessages,
  toGalileoMessages,
  toolResultText,
} from './messages.js';

type RunKind = ChainKind | 'llm' | 'tool' | 'retriever';

/** One tree of runs: the clock its spans share and the runs still open in it. */
interface RunTree {
  readonly now: () => number;
  readonly open: Set<string>;
  /** Why the tree's top run failed, for the runs it cut short. */
  failure?: unknown;
}

interface OpenRun {
  readonly id: string;
  readonly kind: RunKind;
  /** `undefined` for a folded run: its children start in its nearest kept ancestor. */
  readonly span: Span | undefined;
  /** The context the run's children start in. */
  readonly ctx: Context;
  readonly tree: RunTree;
  /** True when the run has no traced parent (it hangs under the caller's OTel span). */
  readonly top: boolean;
}

/** What the span tree needs from its owner. */
export interface SpanTreeOptions {
  tracer(): Tracer;
  captureContent: boolean;
  toolContext: boolean;
  maxOpenRuns: number | undefined;
  log: AdapterLogger;
}

/** A start event, whatever the run type. */
export interface RunStart {
  runId: string;
  parentRunId: string | undefined;
  serialized: unknown;
  runName: string | undefined;
  tags?: readonly string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
}

// LangGraph's control flow travels as exceptions: an interrupt or a `Command` to the parent graph
// ends a node without it having failed.
const CONTROL_FLOW = new Set(['GraphInterrupt', 'NodeInterrupt', 'ParentCommand', 'GraphBubbleUp']);

/** The low-cardinality `error.type`: the error's name, or its class when the name is generic. */
function failureType(error: unknown): string {
  const type = errorType(error);
  if (type !== 'Error' || !isRecord(error)) return type;
  // LangGraph rejects a graph whose signal fired (or whose stream the app stopped reading) with a
  // plain `Error('Abort')`.
  if (error instanceof Error && error.message === 'Abort') return 'AbortError';
  // TODO(kit): errorType() prefers `name` even when it is the generic `Error` and the class is
  // specific (the openai client's InternalServerError, RateLimitError, ...).
  const ctor = (error as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof ctor === 'string' && ctor !== '' && ctor !== 'Object' ? ctor : type;
}

/** Whether a run failed because it was cancelled (an `AbortSignal`, a stream given up). */
function isAbort(error: unknown): boolean {
  const type = failureType(error);
  return type === 'AbortError' || type === 'APIUserAbortError';
}

/**
 * The OpenTelemetry spans of LangChain runs, keyed by LangChain's run ids: a run's span starts in
 * its parent run's span (or, for a run without a traced parent, in the OTel context active when it
 * starts), folded runs lend their parent's context to their children, and every open run is held
 * in a bounded registry. Every method is safe to call twice for one run (the synchronous and the
 * awaited callback of one start both arrive) and for runs it never saw.
 */
export class SpanTree {
  readonly #options: SpanTreeOptions;
  readonly #runs: RunRegistry<string, OpenRun>;

  constructor(options: SpanTreeOptions) {
    this.#options = options;
    this.#runs = new RunRegistry({
      maxOpenRuns: options.maxOpenRuns,
      abandon: (run, reason) => this.#abandon(run, reason),
    });
  }

  /** Runs open now. */
  get size(): number {
    return this.#runs.size;
  }

  /** Whether a run has been started (and not ended). */
  has(runId: string): boolean {
    return this.#runs.has(runId);
  }

  /** Starts a chain run: an agent (graph), a node, a top-level workflow, or a folded level. */
  startChain(start: RunStart & { inputs: unknown }): void {
    const parent = this.#parentOf(start.parentRunId);
    const kind = chainKind({ ...start, parentKind: parent?.kind });
    if (kind === 'fold') {
      this.#open(start, 'fold', undefined, undefined);
      return;
    }
    const name = runLabel(start.serialized, start.runName, 'chain');
    const input = this.#options.captureContent ? stateMessages(start.inputs, 'user') : undefined;
    if (kind === 'agent') {
      const agentName = asString(start.metadata?.lc_agent_name) ?? name;
      this.#open(
        start,
        kind,
        agentSpanName(agentName),
        agentAttributes({
          name: agentName,
          conversationId: asString(start.metadata?.thread_id),
          input,
        }),
      );
      return;
    }
    const attributes = workflowAttributes({ input });
    if (kind === 'node') {
      attributes['langgraph.node'] = name;
      const step = start.metadata?.langgraph_step;
      if (typeof step === 'number') attributes['langgraph.step'] = step;
    }
    this.#open(start, kind, name, attributes);
  }

  /** Starts a model call: `chat <model>` (or `text_completion <model>` for a plain LLM). */
  startModel(
    start: RunStart & {
      input: readonly unknown[];
      operation: 'chat' | 'text_completion';
      extraParams: Record<string, unknown> | undefined;
    },
  ): void {
    const params = isRecord(start.extraParams?.invocation_params)
      ? start.extraParams.invocation_params
      : {};
    const kwargs =
      isRecord(start.serialized) && isRecord(start.serialized.kwargs)
        ? start.serialized.kwargs
        : {};
    const model =
      asString(start.metadata?.ls_model_name) ??
      asString(params.model) ??
      asString(params.model_name) ??
      asString(kwargs.model) ??
      asString(kwargs.model_name);
    const provider = asString(start.metadata?.ls_provider) ?? 'langchain';
    this.#open(
      start,
      'llm',
      llmSpanName(model, start.operation),
      llmAttributes({
        model,
        provider,
        operation: start.operation,
        inputMessages: this.#options.captureContent
          ? toGalileoMessages(start.input, 'user')
          : undefined,
      }),
    );
  }

  /** Starts a tool call; inside a traced run, its span is made active for the tool's body. */
  startTool(
    start: RunStart & { input: unknown; toolCallId: string | undefined; bindContext: boolean },
  ): void {
    const name = runLabel(start.serialized, start.runName, 'tool');
    const run = this.#open(
      start,
      'tool',
      toolSpanName(name),
      toolAttributes({
        name,
        callId: start.toolCallId,
        arguments: this.#options.captureContent ? start.input : undefined,
      }),
    );
    if (start.bindContext && run?.span && !run.top && this.#options.toolContext) {
      this.#bind(run);
    }
  }

  /** Starts a retriever run: `retrieval <name>` with the query. */
  startRetriever(start: RunStart & { query: unknown }): void {
    const name = runLabel(start.serialized, start.runName, 'retriever');
    this.#open(
      start,
      'retriever',
      `retrieval ${name}`,
      retrieverAttributes({ query: this.#options.captureContent ? start.query : undefined }),
    );
  }

  /** Ends a run that succeeded, with what it returned. */
  end(runId: string, output: unknown): void {
    const run = this.#close(runId, undefined);
    if (!run) return;
    run.span?.setAttributes(this.#outputAttributes(run.kind, output));
    this.#finish(run);
  }

  /** Ends a run that failed: ERROR, `error.type` and an `exception` event. */
  fail(runId: string, error: unknown): void {
    const controlFlow = CONTROL_FLOW.has(failureType(error));
    const run = this.#close(runId, controlFlow ? undefined : error);
    if (!run) return;
    if (run.span && !controlFlow) recordSpanError(run.span, error, failureType(error));
    this.#finish(run);
  }

  /** Gives up on every open run (shutdown): their spans end marked incomplete. */
  giveUpAll(reason: IncompleteReason): void {
    this.#runs.giveUpAll(reason);
  }

  // ---------------------------------------------------------------------------------------------

  #parentOf(parentRunId: string | undefined): OpenRun | undefined {
    return parentRunId === undefined ? undefined : this.#runs.get(parentRunId);
  }

  /** Opens a run (once per run id): its span when it has a name, else a folded level. */
  #open(
    start: RunStart,
    kind: RunKind,
    name: string | undefined,
    attributes: Attributes | undefined,
  ): OpenRun | undefined {
    if (this.#runs.has(start.runId)) return undefined;
    const parent = this.#parentOf(start.parentRunId);
    const tree: RunTree = parent?.tree ?? { now: runClock(), open: new Set() };
    // A run without a traced parent hangs under whatever span is active as it starts: the HTTP
    // server span, another adapter's tool span, an MCP server span.
    const parentCtx = parent?.ctx ?? context.active();
    const span =
      name === undefined
        ? undefined
        : this.#options
            .tracer()
            .startSpan(
              name,
              { kind: SpanKind.INTERNAL, attributes, startTime: tree.now() },
              parentCtx,
            );
    const run: OpenRun = {
      id: start.runId,
      kind,
      span,
      ctx: span ? trace.setSpan(parentCtx, span) : parentCtx,
      tree,
      top: parent === undefined,
    };
    tree.open.add(run.id);
    this.#runs.set(run.id, run);
    return run;
  }

  /** Takes a run out of the registry; a top run first ends whatever it left open. */
  #close(runId: string, failure: unknown): OpenRun | undefined {
    const run = this.#runs.delete(runId);
    if (!run) return undefined;
    run.tree.open.delete(runId);
    if (run.top && run.tree.open.size > 0) {
      // The run is over, so nothing under it will end any more (an aborted model call reports
      // its error after the graph's): end those spans now, before their parent.
      run.tree.failure = failure;
      const reason =
        failure === undefined ? 'run-ended' : isAbort(failure) ? 'cancelled' : 'run-failed';
      for (const id of [...run.tree.open].reverse()) this.#runs.giveUp(id, reason);
    }
    return run;
  }

  #finish(run: OpenRun): void {
    run.span?.end(run.tree.now());
  }

  #abandon(run: OpenRun, reason: IncompleteReason): void {
    run.tree.open.delete(run.id);
    if (!run.span) return;
    markIncomplete(run.span, reason);
    if (run.tree.failure !== undefined) {
      recordSpanError(run.span, run.tree.failure, failureType(run.tree.failure));
    }
    run.span.end(run.tree.now());
  }

  #outputAttributes(kind: RunKind, output: unknown): Attributes {
    const capture = this.#options.captureContent;
    switch (kind) {
      case 'agent':
        // The agent's answer: the last message of its final state.
        return capture ? ioAttributes(undefined, stateMessages(output, 'assistant').slice(-1)) : {};
      case 'node':
      case 'workflow':
        return capture ? workflowAttributes({ output: stateMessages(output, 'assistant') }) : {};
      case 'llm': {
        const out = modelOutput(output);
        const attributes = llmAttributes({
          outputMessages: capture && out.messages.length > 0 ? out.messages : undefined,
          usage: out.usage,
          responseModel: out.responseModel,
          responseId: out.responseId,
          finishReasons: out.finishReasons,
        });
        // Set at the start (chat or text_completion); llmAttributes() defaults it to chat.
        delete attributes[A.OPERATION_NAME];
        return attributes;
      }
      case 'tool': {
        const result = capture ? toolResultText(output) : undefined;
        return result === undefined ? {} : { [A.TOOL_CALL_RESULT]: result };
      }
      case 'retriever':
        return capture
          ? retrieverAttributes({ documents: Array.isArray(output) ? output.map(documentOf) : [] })
          : {};
      default:
        return {};
    }
  }

  /**
   * Makes a tool's span the active OTel context for the tool's body, so spans it starts (an
   * outbound `tracedFetch`) nest under the tool and the `traceparent` it sends points at it.
   * LangChain has no hook around the body; `attach()` (api 1.10) from the synchronous start
   * callback sets the context for the rest of `StructuredTool.call()`, which is the body and the
   * tool's own end callbacks. Only for a tool inside a traced run: called straight from app code,
   * the context would stay with the app's code after the tool returns.
   */
  #bind(run: OpenRun): void {
    const attach = (context as { attach?: (ctx: Context) => unknown }).attach;
    if (typeof attach !== 'function') {
      this.#options.log.warnOnce(
        'no-attach',
        '@opentelemetry/api < 1.10 has no context.attach(): spans started inside tools will not nest under the tool span',
      );
      return;
    }
    attach.call(context, run.ctx);
    if (trace.getSpan(context.active()) !== run.span) {
      this.#options.log.warnOnce(
        'attach-unsupported',
        'the registered OpenTelemetry context manager does not support attach(): spans started inside tools will not nest under the tool span',
      );
    }
  }
}
