import type { ExportStats } from '@galileo-otel/core';
import type { Unsupported } from './unsupported.js';

/** What the kit hands the driver's `setup()`: where to send spans and where the model is. */
export interface ConformanceEnvironment {
  /** Full OTLP URL of the kit's receiver: pass it as the processor's `endpoint`. */
  readonly otlpEndpoint: string;
  /**
   * Base URL of `@galileo-otel/local-model` (no path): OpenAI clients use `${modelUrl}/v1`,
   * Gemini clients use `modelUrl` as their base URL.
   */
  readonly modelUrl: string;
  /** A fake Galileo API key for the processor's `apiKey`. */
  readonly apiKey: string;
  /** A project name for the processor's `project`. */
  readonly project: string;
  /** A log stream name for the processor's `logStream`. */
  readonly logStream: string;
}

/** The counters the kit reads from the processor (a `GalileoSpanProcessor` has them all). */
export type ConformanceStats = Pick<
  ExportStats,
  'spansQueued' | 'spansExported' | 'spansFiltered' | 'spansDropped' | 'spansFailed'
> & {
  /** Spans still waiting in the processor's queue. */
  queueLength: number;
};

/** What the driver's `setup()` returns. */
export interface ConformanceSetup {
  /** The `GalileoSpanProcessor` the driver built with its adapter. */
  readonly processor: {
    forceFlush(): Promise<void>;
    stats(): ConformanceStats;
  };
}

/** One agent run the kit asks for. */
export interface ConformanceRun {
  /** The user message to give the agent, e.g. `Tell me about Voyager 1.` */
  readonly input: string;
  /** The topic inside `input` (`Voyager 1`); the kit looks for it to tell concurrent runs apart. */
  readonly topic: string;
}

/** A run under an incoming W3C trace context. */
export interface TraceparentRun extends ConformanceRun {
  /** A `traceparent` header value: run the agent in the context it carries. */
  readonly traceparent: string;
}

/** A run whose input carries a secret. */
export interface SecretRun extends ConformanceRun {
  /** The secret inside `input` (an `sk-...` key); it must not appear in any exported span. */
  readonly secret: string;
}

/**
 * The small object an adapter author writes so the kit can drive the framework. Every run
 * function resolves once the framework has finished the run (streams consumed). Optional runs
 * left out fail their scenario with instructions; declare a missing capability with
 * `unsupported()`.
 */
export interface AdapterDriver {
  /**
   * Builds the tracer provider and `GalileoSpanProcessor` (with `endpoint: env.otlpEndpoint`
   * and your adapter) and points the framework at `env.modelUrl`. Called once per suite.
   */
  setup(env: ConformanceEnvironment): Promise<ConformanceSetup>;
  /** Runs one agent with at least one tool on `run.input`; the model calls the tool once. */
  runAgentWithTool(run: ConformanceRun): Promise<unknown>;
  /** Runs an agent whose tool throws; the run may resolve or reject. */
  runThrowingTool: ((run: ConformanceRun) => Promise<unknown>) | Unsupported;
  /**
   * Runs the agent with tool on `run.input`, which ends with the local model's `[scenario:500]`
   * marker: every model call of the run answers HTTP 500, so the run may reject. Override it only
   * when the framework needs something else to fail its model call.
   * @defaultValue `runAgentWithTool(run)`
   */
  runFailingModel?: ((run: ConformanceRun) => Promise<unknown>) | Unsupported;
  /** Like {@link AdapterDriver.runAgentWithTool} with the framework's streaming API. */
  runStreamed: ((run: ConformanceRun) => Promise<unknown>) | Unsupported;
  /**
   * Runs these runs at the same time.
   * @defaultValue `Promise.all(runs.map(runAgentWithTool))`
   */
  runConcurrent?: ((runs: readonly ConformanceRun[]) => Promise<unknown>) | Unsupported;
  /**
   * Runs the agent inside the context of `run.traceparent`, e.g.
   * `context.with(traceparentContext(run.traceparent), () => ...)`.
   */
  runUnderTraceparent: ((run: TraceparentRun) => Promise<unknown>) | Unsupported;
  /**
   * Runs the agent with tool on `run.input`, which contains `run.secret`.
   * @defaultValue `runAgentWithTool(run)`
   */
  runWithSecret?: ((run: SecretRun) => Promise<unknown>) | Unsupported;
  /**
   * Flushes everything the user would flush before exit.
   * @defaultValue `setup().processor.forceFlush()`
   */
  forceFlush?(): Promise<void>;
  /** Releases what `setup()` created (provider shutdown, global hooks). */
  teardown?(): Promise<void>;
}
