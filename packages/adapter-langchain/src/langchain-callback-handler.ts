import {
  type AdapterLogger,
  adapterPackage,
  asString,
  createAdapterLogger,
  type IncompleteReason,
  isRecord,
} from '@galileo-otel/core/adapter';
import { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import type { Serialized } from '@langchain/core/load/serializable';
import type { BaseMessage } from '@langchain/core/messages';
import type { LLMResult } from '@langchain/core/outputs';
import type { ChainValues } from '@langchain/core/utils/types';
import { type RunStart, SpanTree } from './internal/span-tree.js';
import type { LangchainOptions } from './langchain-options.js';

const pkg = adapterPackage(import.meta.url);

/** The name LangChain dedupes handlers by: one Galileo handler per run. */
const HANDLER_NAME = 'galileo_otel';

type Metadata = Record<string, unknown> | undefined;

// The arguments of LangChain's start callbacks, in the order LangChain passes them.
type ChainStart = [
  chain: Serialized,
  inputs: ChainValues,
  runId: string,
  parentRunId?: string,
  tags?: string[],
  metadata?: Metadata,
  runType?: string,
  runName?: string,
];
type ModelStart<Input> = [
  llm: Serialized,
  input: Input,
  runId: string,
  parentRunId?: string,
  extraParams?: Record<string, unknown>,
  tags?: string[],
  metadata?: Metadata,
  runName?: string,
];
type ToolStart = [
  tool: Serialized,
  input: unknown,
  runId: string,
  parentRunId?: string,
  tags?: string[],
  metadata?: Metadata,
  runName?: string,
  toolCallId?: string,
];
type RetrieverStart = [
  retriever: Serialized,
  query: string,
  runId: string,
  parentRunId?: string,
  tags?: string[],
  metadata?: Metadata,
  name?: string,
];

/**
 * A LangChain callback handler that turns LangChain.js and LangGraph.js runs into Galileo-shaped
 * OpenTelemetry spans in the caller's trace: graphs → `invoke_agent <name>`, graph nodes →
 * workflow spans named after the node, chat models → `chat <model>`, tools →
 * `execute_tool <name>`, retrievers → `retrieval <name>`; plumbing levels fold away. Parents come
 * from LangChain's run ids; a run without a traced parent hangs under the active OTel span.
 *
 * `registerGalileo({ adapters: [langchain()] })` installs one for every run of the process; make
 * one with {@link langchainCallbackHandler} to pass it in `callbacks` yourself instead.
 *
 * Its callbacks are awaited (`awaitHandlers`): LangChain would otherwise run them on one shared
 * background queue, behind any slow handler of the app's, and a run's spans could end after the
 * run has returned. A callback never throws into the app.
 */
export class LangchainCallbackHandler extends BaseCallbackHandler {
  /** LangChain dedupes handlers by name: a run never gets two Galileo handlers. */
  override name: string = HANDLER_NAME;
  override awaitHandlers: boolean = true;
  readonly #tree: SpanTree;
  readonly #log: AdapterLogger;

  /** Prefer {@link langchainCallbackHandler}; `log` is the adapter's logger when it has one. */
  constructor(
    options: LangchainOptions = {},
    log: AdapterLogger = createAdapterLogger('langchain'),
  ) {
    super();
    this.#log = log;
    this.#tree = new SpanTree({
      tracer: () => pkg.tracer(options.tracerProvider),
      captureContent: options.captureContent !== false,
      toolContext: options.toolContext !== false,
      maxOpenRuns: options.maxOpenRuns,
      log,
    });
  }

  /** Runs (chains, models, tools, retrievers) open now: `0` once every run has ended. */
  get openRuns(): number {
    return this.#tree.size;
  }

  /** One handler serves every run: LangChain's per-run copies share it. */
  override copy(): this {
    return this;
  }

  /** Ends every open run's span, marked incomplete (`shutdown` unless told otherwise). */
  giveUpAll(reason: IncompleteReason = 'shutdown'): void {
    this.#log.guard('giveUpAll', () => this.#tree.giveUpAll(reason));
  }

  // LangChain's CallbackManager calls the `_createRunFor…Start` methods of a tracer (a handler
  // with `_addRunToRunMap`, as BaseTracer has) synchronously as a run starts, in the caller's
  // async context, before its callback queue and its own AsyncLocalStorage scope. That is where
  // the caller's OTel context is current and where a tool's span can be bound for its body. The
  // awaited handle…Start callbacks start the run too (once per run id) if these are ever not
  // called. Arguments come in the order LangChain passes them: for chains that is
  // (…, parentRunId, tags, metadata, runType, runName), not the one its .d.ts declares.

  /** @internal Marks this handler as a tracer for LangChain's synchronous start calls. */
  _addRunToRunMap(run: unknown): unknown {
    return run;
  }

  /** @internal */
  _createRunForChainStart(...args: ChainStart): void {
    this.handleChainStart(...args);
  }

  /** @internal */
  _createRunForChatModelStart(...args: ModelStart<BaseMessage[][]>): void {
    this.handleChatModelStart(...args);
  }

  /** @internal */
  _createRunForLLMStart(...args: ModelStart<string[]>): void {
    this.handleLLMStart(...args);
  }

  /** @internal */
  _createRunForToolStart(...args: ToolStart): void {
    this.#toolStart(args, true);
  }

  /** @internal */
  _createRunForRetrieverStart(...args: RetrieverStart): void {
    this.handleRetrieverStart(...args);
  }

  override handleChainStart(
    ...[chain, inputs, runId, parentRunId, tags, metadata, , runName]: ChainStart
  ): void {
    this.#log.guard('handleChainStart', () =>
      this.#tree.startChain({
        ...this.#start(chain, runId, parentRunId, tags, metadata, runName),
        inputs,
      }),
    );
  }

  override handleChainEnd(outputs: ChainValues, runId: string): void {
    this.#log.guard('handleChainEnd', () => this.#tree.end(runId, outputs));
  }

  override handleChainError(error: unknown, runId: string): void {
    this.#log.guard('handleChainError', () => this.#tree.fail(runId, error));
  }

  override handleChatModelStart(...args: ModelStart<BaseMessage[][]>): void {
    this.#modelStart('chat', args[1][0] ?? [], args);
  }

  override handleLLMStart(...args: ModelStart<string[]>): void {
    this.#modelStart('text_completion', args[1], args);
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.#log.guard('handleLLMEnd', () => this.#tree.end(runId, output));
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.#log.guard('handleLLMError', () => this.#tree.fail(runId, error));
  }

  override handleToolStart(...args: ToolStart): void {
    this.#toolStart(args, false);
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#log.guard('handleToolEnd', () => this.#tree.end(runId, output));
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#log.guard('handleToolError', () => this.#tree.fail(runId, error));
  }

  override handleRetrieverStart(
    ...[retriever, query, runId, parentRunId, tags, metadata, name]: RetrieverStart
  ): void {
    this.#log.guard('handleRetrieverStart', () =>
      this.#tree.startRetriever({
        ...this.#start(retriever, runId, parentRunId, tags, metadata, name),
        query,
      }),
    );
  }

  override handleRetrieverEnd(documents: unknown[], runId: string): void {
    this.#log.guard('handleRetrieverEnd', () => this.#tree.end(runId, documents));
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.#log.guard('handleRetrieverError', () => this.#tree.fail(runId, error));
  }

  // ---------------------------------------------------------------------------------------------

  /** The parts of a start every run type has, checked (LangChain's values are not trusted). */
  #start(
    serialized: unknown,
    runId: string,
    parentRunId: string | undefined,
    tags: string[] | undefined,
    metadata: Metadata,
    runName: string | undefined,
  ): RunStart {
    return {
      runId,
      parentRunId: asString(parentRunId),
      serialized,
      runName: asString(runName),
      tags: Array.isArray(tags) ? tags : undefined,
      metadata: isRecord(metadata) ? metadata : undefined,
    };
  }

  #modelStart(
    operation: 'chat' | 'text_completion',
    input: readonly unknown[],
    [llm, , runId, parentRunId, extraParams, tags, metadata, runName]: ModelStart<unknown>,
  ): void {
    this.#log.guard(operation === 'chat' ? 'handleChatModelStart' : 'handleLLMStart', () =>
      this.#tree.startModel({
        ...this.#start(llm, runId, parentRunId, tags, metadata, runName),
        input,
        operation,
        extraParams: isRecord(extraParams) ? extraParams : undefined,
      }),
    );
  }

  #toolStart(
    [tool, input, runId, parentRunId, tags, metadata, runName, toolCallId]: ToolStart,
    bindContext: boolean,
  ): void {
    this.#log.guard('handleToolStart', () =>
      this.#tree.startTool({
        ...this.#start(tool, runId, parentRunId, tags, metadata, runName),
        input,
        toolCallId: asString(toolCallId),
        bindContext,
      }),
    );
  }
}

/**
 * A Galileo callback handler to pass in LangChain's `callbacks` yourself, when you do not install
 * `langchain()` for the whole process (or to give one run other options). The spans go to
 * `tracerProvider`, else the global provider.
 *
 * @example
 * import { langchainCallbackHandler } from '@galileo-otel/adapter-langchain';
 * const galileo = langchainCallbackHandler();
 * await graph.invoke(input, { callbacks: [galileo] });
 */
export function langchainCallbackHandler(options: LangchainOptions = {}): LangchainCallbackHandler {
  return new LangchainCallbackHandler(options);
}
