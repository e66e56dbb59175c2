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
import { SpanTree } from './internal/span-tree.js';
import type { LangchainOptions } from './langchain-options.js';

const pkg = adapterPackage(import.meta.url);

/** The name LangChain dedupes handlers by: one Galileo handler per run. */
const HANDLER_NAME = 'galileo_otel';

type Metadata = Record<string, unknown> | undefined;

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
 * Its callbacks are awaited (`awaitHandlers`): LangChain would otherwise run them later on a
 * shared queue, where neither the caller's OTel context nor the end of the run is known. A
 * callback never throws into the app.
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
    this.awaitHandlers = true;
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
  // awaited handle…Start callbacks below start the run too if these are ever not called.

  /** @internal Marks this handler as a tracer for LangChain's synchronous start calls. */
  _addRunToRunMap(run: unknown): unknown {
    return run;
  }

  /** @internal */
  _createRunForChainStart(
    chain: Serialized,
    inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    _runType?: string,
    runName?: string,
  ): void {
    this.#chainStart(chain, inputs, runId, parentRunId, tags, metadata, runName);
  }

  /** @internal */
  _createRunForChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
  ): void {
    this.#modelStart(
      'chat',
      llm,
      messages[0] ?? [],
      runId,
      parentRunId,
      extraParams,
      tags,
      metadata,
      runName,
    );
  }

  /** @internal */
  _createRunForLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
  ): void {
    this.#modelStart(
      'text_completion',
      llm,
      prompts,
      runId,
      parentRunId,
      extraParams,
      tags,
      metadata,
      runName,
    );
  }

  /** @internal */
  _createRunForToolStart(
    tool: Serialized,
    input: unknown,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
    toolCallId?: string,
  ): void {
    this.#toolStart(tool, input, runId, parentRunId, tags, metadata, runName, toolCallId, true);
  }

  /** @internal */
  _createRunForRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    name?: string,
  ): void {
    this.#retrieverStart(retriever, query, runId, parentRunId, tags, metadata, name);
  }

  // The awaited callbacks. handleChainStart's arguments come in the order LangChain passes them
  // (…, parentRunId, tags, metadata, runType, runName), not the one its .d.ts declares.

  override handleChainStart(
    chain: Serialized,
    inputs: ChainValues,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    _runType?: string,
    runName?: string,
  ): void {
    this.#chainStart(chain, inputs, runId, parentRunId, tags, metadata, runName);
  }

  override handleChainEnd(outputs: ChainValues, runId: string): void {
    this.#log.guard('handleChainEnd', () => this.#tree.end(runId, outputs));
  }

  override handleChainError(error: unknown, runId: string): void {
    this.#log.guard('handleChainError', () => this.#tree.fail(runId, error));
  }

  override handleChatModelStart(
    llm: Serialized,
    messages: BaseMessage[][],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
  ): void {
    this.#modelStart(
      'chat',
      llm,
      messages[0] ?? [],
      runId,
      parentRunId,
      extraParams,
      tags,
      metadata,
      runName,
    );
  }

  override handleLLMStart(
    llm: Serialized,
    prompts: string[],
    runId: string,
    parentRunId?: string,
    extraParams?: Record<string, unknown>,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
  ): void {
    this.#modelStart(
      'text_completion',
      llm,
      prompts,
      runId,
      parentRunId,
      extraParams,
      tags,
      metadata,
      runName,
    );
  }

  override handleLLMEnd(output: LLMResult, runId: string): void {
    this.#log.guard('handleLLMEnd', () => this.#tree.end(runId, output));
  }

  override handleLLMError(error: unknown, runId: string): void {
    this.#log.guard('handleLLMError', () => this.#tree.fail(runId, error));
  }

  override handleToolStart(
    tool: Serialized,
    input: string,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    runName?: string,
    toolCallId?: string,
  ): void {
    this.#toolStart(tool, input, runId, parentRunId, tags, metadata, runName, toolCallId, false);
  }

  override handleToolEnd(output: unknown, runId: string): void {
    this.#log.guard('handleToolEnd', () => this.#tree.end(runId, output));
  }

  override handleToolError(error: unknown, runId: string): void {
    this.#log.guard('handleToolError', () => this.#tree.fail(runId, error));
  }

  override handleRetrieverStart(
    retriever: Serialized,
    query: string,
    runId: string,
    parentRunId?: string,
    tags?: string[],
    metadata?: Metadata,
    name?: string,
  ): void {
    this.#retrieverStart(retriever, query, runId, parentRunId, tags, metadata, name);
  }

  override handleRetrieverEnd(documents: unknown[], runId: string): void {
    this.#log.guard('handleRetrieverEnd', () => this.#tree.end(runId, documents));
  }

  override handleRetrieverError(error: unknown, runId: string): void {
    this.#log.guard('handleRetrieverError', () => this.#tree.fail(runId, error));
  }

  // ---------------------------------------------------------------------------------------------

  #chainStart(
    serialized: unknown,
    inputs: unknown,
    runId: string,
    parentRunId: string | undefined,
    tags: string[] | undefined,
    metadata: Metadata,
    runName: string | undefined,
  ): void {
    this.#log.guard('handleChainStart', () =>
      this.#tree.startChain({
        runId,
        parentRunId,
        serialized,
        runName: asString(runName),
        tags,
        metadata: isRecord(metadata) ? metadata : undefined,
        inputs,
      }),
    );
  }

  #modelStart(
    operation: 'chat' | 'text_completion',
    serialized: unknown,
    input: readonly unknown[],
    runId: string,
    parentRunId: string | undefined,
    extraParams: Record<string, unknown> | undefined,
    tags: string[] | undefined,
    metadata: Metadata,
    runName: string | undefined,
  ): void {
    this.#log.guard('handleChatModelStart', () =>
      this.#tree.startModel({
        runId,
        parentRunId,
        serialized,
        runName: asString(runName),
        tags,
        metadata: isRecord(metadata) ? metadata : undefined,
        input,
        operation,
        extraParams: isRecord(extraParams) ? extraParams : undefined,
      }),
    );
  }

  #toolStart(
    serialized: unknown,
    input: unknown,
    runId: string,
    parentRunId: string | undefined,
    tags: string[] | undefined,
    metadata: Metadata,
    runName: string | undefined,
    toolCallId: string | undefined,
    bindContext: boolean,
  ): void {
    this.#log.guard('handleToolStart', () =>
      this.#tree.startTool({
        runId,
        parentRunId,
        serialized,
        runName: asString(runName),
        tags,
        metadata: isRecord(metadata) ? metadata : undefined,
        input,
        toolCallId: asString(toolCallId),
        bindContext,
      }),
    );
  }

  #retrieverStart(
    serialized: unknown,
    query: unknown,
    runId: string,
    parentRunId: string | undefined,
    tags: string[] | undefined,
    metadata: Metadata,
    runName: string | undefined,
  ): void {
    this.#log.guard('handleRetrieverStart', () =>
      this.#tree.startRetriever({
        runId,
        parentRunId,
        serialized,
        runName: asString(runName),
        tags,
        metadata: isRecord(metadata) ? metadata : undefined,
        query,
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
