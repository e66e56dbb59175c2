import { randomBytes } from 'node:crypto';
import type { GalileoKind } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import type {
  AdapterDriver,
  ConformanceEnvironment,
  ConformanceRun,
  ConformanceSetup,
  ConformanceStats,
} from './driver/adapter-driver.js';
import { DriverTodoError } from './driver/todo.js';
import { isUnsupported } from './driver/unsupported.js';
import { NetworkLog } from './internal/network-log.js';
import { checkAttributeShapes } from './rules/check-attribute-shapes.js';
import { checkErrorShape } from './rules/check-error-shape.js';
import { checkFlush } from './rules/check-flush.js';
import { checkIsolation } from './rules/check-isolation.js';
import { checkKinds } from './rules/check-kinds.js';
import { checkMessages } from './rules/check-messages.js';
import { checkModelError } from './rules/check-model-error.js';
import { checkNoOrphans } from './rules/check-no-orphans.js';
import { checkParentage } from './rules/check-parentage.js';
import { checkRedaction } from './rules/check-redaction.js';
import { checkSingleTrace } from './rules/check-single-trace.js';
import { checkToolError } from './rules/check-tool-error.js';
import { checkToolIo } from './rules/check-tool-io.js';
import { checkTraceparentJoin } from './rules/check-traceparent-join.js';
import type { ConformanceSpan, Finding } from './rules/finding.js';

/** Options of `runAdapterConformance()` / {@link createConformanceSuite}. */
export interface ConformanceOptions {
  /** The adapter's name, shown in test titles (e.g. `openai-agents`). */
  name: string;
  /** The driver that runs the framework. */
  driver: AdapterDriver;
  /**
   * How many runs the concurrency scenario starts at once: any whole number from 2 up (each run
   * gets a topic of its own); anything else makes `createConformanceSuite()` throw a
   * `RangeError`.
   * @defaultValue `3`
   */
  concurrency?: number | undefined;
  /**
   * How long the kit waits after `forceFlush()` before looking for spans that ended late.
   * @defaultValue `200`
   */
  settleMillis?: number | undefined;
  /**
   * Time limit of each scenario and of setup / teardown, in milliseconds.
   * @defaultValue `60000`
   */
  timeoutMillis?: number | undefined;
}

/** The scenarios the kit runs, in order. */
export type ScenarioId =
  | 'agent-with-tool'
  | 'throwing-tool'
  | 'failing-model'
  | 'streamed'
  | 'concurrent'
  | 'traceparent'
  | 'secret'
  | 'flush'
  | 'offline';

/** What one scenario saw. */
export interface ScenarioResult {
  /** The spans the scenario's run(s) exported. */
  readonly spans: readonly ConformanceSpan[];
  /** Broken rules; empty when the scenario passes. */
  readonly findings: readonly Finding[];
}

/** One scenario of the suite. */
export interface ConformanceScenario {
  /** Stable id. */
  readonly id: ScenarioId;
  /** Test title. */
  readonly title: string;
  /** Set when the driver declared the capability `unsupported(reason)`. */
  readonly unsupported: string | undefined;
  /** Runs the scenario and checks its rules. Rejects only on a driver `todo()` or a kit bug. */
  run(): Promise<ScenarioResult>;
}

/** The conformance suite, independent of any test runner. */
export interface ConformanceSuite {
  /** The scenarios, in the order they must run. */
  readonly scenarios: readonly ConformanceScenario[];
  /** Starts the local model and the OTLP receiver, then calls the driver's `setup()`. */
  start(): Promise<void>;
  /** Calls the driver's `teardown()` and stops what `start()` started. */
  stop(): Promise<void>;
}

const TOPICS = [
  'Voyager 1',
  'Kepler 22b',
  'Cassini Huygens',
  'Pioneer 10',
  'Juno Orbiter',
  'Rosetta Comet',
  'Hubble Telescope',
  'New Horizons',
  'Magellan Probe',
  'Ulysses Mission',
] as const;

const runAbout = (topic: string): ConformanceRun => ({ input: `Tell me about ${topic}.`, topic });

/**
 * One topic per concurrent run. Past the named ones they are generated; the closing word keeps
 * any topic from being a substring of another (`Probe 1 Mission` is not inside
 * `Probe 11 Mission`), since the isolation check looks for each topic in the others' traces.
 */
const concurrentTopics = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => TOPICS[i + 1] ?? `Survey Probe ${i + 1} Mission`);

function concurrencyOf(value: number | undefined): number {
  if (value === undefined) return 3;
  if (!Number.isInteger(value) || value < 2) {
    throw new RangeError(
      `concurrency must be a whole number of at least 2 (the concurrency scenario starts that many runs at once); got ${String(value)}.`,
    );
  }
  return value;
}

/**
 * Builds the conformance suite without registering tests, for running it from something other
 * than vitest (and for the kit's own tests). `runAdapterConformance()` wraps it in
 * `describe` / `it`.
 */
export function createConformanceSuite(options: ConformanceOptions): ConformanceSuite {
  const { driver } = options;
  const concurrency = concurrencyOf(options.concurrency);
  const settleMillis = options.settleMillis ?? 200;
  let model: LocalModelServer | undefined;
  let sink: OtlpSink | undefined;
  let setup: ConformanceSetup | undefined;
  const network = new NetworkLog();

  const ready = () => {
    if (!sink || !model || !setup) {
      throw new Error('the conformance suite has not started (driver.setup() failed or never ran)');
    }
    return { sink, model, setup };
  };
  const flush = async () => {
    const { setup } = ready();
    await (driver.forceFlush ? driver.forceFlush() : setup.processor.forceFlush());
  };
  const stats = (): ConformanceStats => ({ ...ready().setup.processor.stats() });

  interface Collected {
    spans: ConformanceSpan[];
    error: unknown;
    findings: Finding[];
    flush: Finding[];
    modelRequests: number;
  }

  /** Runs `fn`, flushes, waits, flushes again; returns the spans the run exported. */
  const collect = async (label: string, fn: () => Promise<unknown>): Promise<Collected> => {
    const { sink, model } = ready();
    const start = sink.spans().length;
    const modelStart = model.requests.length;
    const before = stats();
    let error: unknown;
    try {
      await fn();
    } catch (caught) {
      if (DriverTodoError.isInstance(caught)) throw caught;
      error = caught;
    }
    await flush();
    const afterFlush = stats();
    const receivedAtFlush = sink.spans().length - start;
    await new Promise((resolve) => setTimeout(resolve, settleMillis));
    await flush();
    const spans = sink.spans().slice(start);
    const late = spans.slice(receivedAtFlush);
    const findings: Finding[] = [];
    if (error !== undefined) {
      findings.push({
        rule: 'driver',
        message: `${label} rejected: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}. The run itself must succeed in this scenario.`,
      });
    }
    return {
      spans,
      error,
      findings,
      flush: checkFlush({ before, afterFlush, receivedAtFlush, late }),
      modelRequests: model.requests.length - modelStart,
    };
  };

  const missing = (member: string): ScenarioResult => ({
    spans: [],
    findings: [
      {
        rule: 'driver',
        message: `driver.${member} is missing: implement it, or declare \`${member}: unsupported('why the framework cannot')\` so the scenario is skipped with that reason.`,
      },
    ],
  });

  /** The one wire shape: messages, tool input and output, and errors. */
  const wireShape = (spans: readonly ConformanceSpan[]): Finding[] => [
    ...checkMessages(spans),
    ...checkToolIo(spans),
    ...checkErrorShape(spans),
  ];

  /** The checks every run of one tree gets: the kinds it must show, and whether usage is due. */
  const treeChecks = (
    spans: readonly ConformanceSpan[],
    { kinds, requireUsage = true }: { kinds?: GalileoKind[]; requireUsage?: boolean } = {},
  ): Finding[] => [
    ...checkSingleTrace(spans),
    ...checkNoOrphans(spans),
    ...checkKinds(spans, kinds),
    ...checkParentage(spans),
    ...checkAttributeShapes(spans, { requireUsage }),
    ...wireShape(spans),
  ];

  const modelCheck = (collected: Collected): Finding[] =>
    collected.modelRequests > 0
      ? []
      : [
          {
            rule: 'model',
            message: `expected the run to call the kit's local model (env.modelUrl); it received no request. Point the framework's model client at env.modelUrl (OpenAI: \`\${modelUrl}/v1\`).`,
          },
        ];

  type RunFn<T> = ((run: T) => Promise<unknown>) | undefined;
  const capability = <T>(value: unknown): { fn: RunFn<T>; reason: string | undefined } =>
    isUnsupported(value)
      ? { fn: undefined, reason: value.reason }
      : { fn: value as RunFn<T>, reason: undefined };

  const scenarios: ConformanceScenario[] = [];
  const add = (
    id: ScenarioId,
    title: string,
    reason: string | undefined,
    run: () => Promise<ScenarioResult>,
  ) => scenarios.push({ id, title, unsupported: reason, run });

  add(
    'agent-with-tool',
    'exports an agent run with a tool as one Galileo tree',
    undefined,
    async () => {
      const run = runAbout(TOPICS[0]);
      const c = await collect('driver.runAgentWithTool()', () => driver.runAgentWithTool(run));
      return {
        spans: c.spans,
        findings: [...c.findings, ...modelCheck(c), ...treeChecks(c.spans)],
      };
    },
  );

  const throwing = capability<ConformanceRun>(driver.runThrowingTool);
  add(
    'throwing-tool',
    'marks the tool span as error when the tool throws',
    throwing.reason,
    async () => {
      if (!throwing.fn) return missing('runThrowingTool');
      const fn = throwing.fn;
      const run = runAbout('Mars Rover');
      const c = await collect('driver.runThrowingTool()', () => fn(run));
      const spans = c.spans;
      return {
        spans,
        findings: [...checkToolError(spans), ...treeChecks(spans, { kinds: ['agent', 'tool'] })],
      };
    },
  );

  const failing = capability<ConformanceRun>(driver.runFailingModel);
  add(
    'failing-model',
    'marks the llm span as error when the model call fails',
    failing.reason,
    async () => {
      const fn = failing.fn ?? ((r: ConformanceRun) => driver.runAgentWithTool(r));
      // The local model answers 500 to every request whose user message carries this marker.
      const run = { input: 'Tell me about Titan Lander. [scenario:500]', topic: 'Titan Lander' };
      const c = await collect('driver.runFailingModel()', () => fn(run));
      const spans = c.spans;
      return {
        spans,
        findings: [
          ...modelCheck(c),
          ...checkModelError(spans),
          ...treeChecks(spans, { kinds: ['agent', 'llm'] }),
        ],
      };
    },
  );

  const streamed = capability<ConformanceRun>(driver.runStreamed);
  add('streamed', 'exports a streamed run as one Galileo tree', streamed.reason, async () => {
    if (!streamed.fn) return missing('runStreamed');
    const fn = streamed.fn;
    const run = runAbout('Europa Clipper');
    const c = await collect('driver.runStreamed()', () => fn(run));
    // A stream carries usage only when the client asks for it (OpenAI's
    // `stream_options.include_usage`), so usage is checked for shape here, not required.
    return {
      spans: c.spans,
      findings: [...c.findings, ...treeChecks(c.spans, { requireUsage: false })],
    };
  });

  const concurrent = capability<readonly ConformanceRun[]>(driver.runConcurrent);
  add(
    'concurrent',
    `keeps ${concurrency} concurrent runs in separate traces without cross-talk`,
    concurrent.reason,
    async () => {
      const runs = concurrentTopics(concurrency).map(runAbout);
      const fn =
        concurrent.fn ?? ((list) => Promise.all(list.map((r) => driver.runAgentWithTool(r))));
      const c = await collect('the concurrent runs', () => fn(runs));
      const byTrace = new Map<string, ConformanceSpan[]>();
      for (const span of c.spans) {
        byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
      }
      const perTrace = [...byTrace.values()].flatMap((spans) => [
        ...checkNoOrphans(spans),
        ...checkKinds(spans),
        ...checkParentage(spans),
      ]);
      return {
        spans: c.spans,
        findings: [
          ...c.findings,
          ...checkIsolation(
            c.spans,
            runs.map((r) => r.topic),
          ),
          ...perTrace,
        ],
      };
    },
  );

  const joined = capability<ConformanceRun & { traceparent: string }>(driver.runUnderTraceparent);
  add(
    'traceparent',
    "joins the caller's trace from an incoming traceparent",
    joined.reason,
    async () => {
      if (!joined.fn) return missing('runUnderTraceparent');
      const fn = joined.fn;
      const traceId = randomBytes(16).toString('hex');
      const parentId = randomBytes(8).toString('hex');
      const traceparent = `00-${traceId}-${parentId}-01`;
      const run = { ...runAbout('Apollo 11'), traceparent };
      const c = await collect('driver.runUnderTraceparent()', () => fn(run));
      return {
        spans: c.spans,
        findings: [
          ...c.findings,
          ...checkTraceparentJoin(c.spans, traceparent),
          ...checkNoOrphans(c.spans, { remoteParentSpanId: parentId }),
          ...checkKinds(c.spans),
          ...checkParentage(c.spans),
        ],
      };
    },
  );

  const secretRun = capability<ConformanceRun & { secret: string }>(driver.runWithSecret);
  add('secret', 'never exports a secret from the user input', secretRun.reason, async () => {
    const secret = `sk-conformance-${randomBytes(12).toString('hex')}`;
    const topic = 'Sputnik 1';
    const run = { input: `Tell me about ${topic}. My OpenAI key is ${secret}`, topic, secret };
    const fn = secretRun.fn ?? ((r: typeof run) => driver.runAgentWithTool(r));
    const c = await collect('the run with a secret', () => fn(run));
    return { spans: c.spans, findings: [...c.findings, ...checkRedaction(c.spans, secret)] };
  });

  add('flush', 'delivers every span of a run by forceFlush()', undefined, async () => {
    const run = runAbout('Skylab Station');
    const c = await collect('driver.runAgentWithTool()', () => driver.runAgentWithTool(run));
    const empty: Finding[] =
      c.spans.length === 0
        ? [{ rule: 'flush', message: 'expected the run to export spans; the receiver got none.' }]
        : [];
    return { spans: c.spans, findings: [...c.findings, ...empty, ...c.flush] };
  });

  add('offline', 'sends nothing beyond 127.0.0.1', undefined, async () => {
    const external = network.external();
    return {
      spans: [],
      findings:
        external.length === 0
          ? []
          : [
              {
                rule: 'offline',
                message: `expected every HTTP request of the suite to go to 127.0.0.1 (the local model and the OTLP receiver); saw ${external.length} elsewhere: ${[...new Set(external)].slice(0, 5).join(', ')}. Disable the framework's own exporters and point every client at env.modelUrl.`,
              },
            ],
    };
  });

  return {
    scenarios,
    async start() {
      network.start();
      model = await startLocalModel({ port: 0 });
      sink = await startOtlpSink();
      const env: ConformanceEnvironment = {
        otlpEndpoint: sink.url,
        modelUrl: model.url,
        apiKey: `gal-conformance-${randomBytes(8).toString('hex')}`,
        project: 'adapter-conformance',
        logStream: options.name,
      };
      setup = await driver.setup(env);
    },
    async stop() {
      try {
        await driver.teardown?.();
      } finally {
        network.stop();
        await sink?.close();
        await model?.close();
      }
    },
  };
}
