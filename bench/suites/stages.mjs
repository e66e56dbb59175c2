// Where the per-span microseconds go, stage by stage, for the plain OTel pipeline and for
// GalileoSpanProcessor, and what each whole pipeline allocates and collects per span.
//
// Each stage is measured by calling that stage's own code (OTel's, or core's built dist/ by file
// path: the package exports no deep paths) on the spans bench/lib/spans.mjs makes: many spans per
// round, CPU time per span (process.cpuUsage(), user + system, every thread of this process),
// warm (rounds run first and are not counted), the median over rounds, every stage's rounds
// interleaved so load on a shared machine spreads over all of them. Only the stage runs inside
// the timed part; the spans it works on are made before. The stages are:
//   creation   the SDK's startSpan/end on a provider with no processor (the same for every pipeline)
//   stamping   onStart: BatchSpanProcessor.onStart (empty) / SpanStamper.stamp
//   adapters   AdapterRunner: onStart, onEnding, the drop check and the export-time rewrite
//   queue      onEnd until a batch is handed over: BatchSpanProcessor / ExportQueue (its export
//              function does nothing)
//   prepare    GalileoOtlpExporter.exportSpans with the transport's send replaced by a no-op:
//              the rewrite, redaction, routing groups and Resources, in 512-span batches
//   encoding   ProtobufTraceSerializer.serializeRequest on 512-span batches / core's PacedEncoder
//              (encodeTraceRequest) on the requests the transport cuts them into (512 spans)
//   sending    OTLPTraceExporter.export with its serializer replaced by a lookup of the already
//              encoded body / OtlpHttpTransport.send with PacedEncoder.encode replaced likewise:
//              headers, the POST to the sink (another process), the answer; gzip when on
// Then every whole pipeline runs as the CPU suite runs it (same rate, same sink), so the sum of
// the stages can be set against it, and once more under V8's sampling heap profiler for the bytes
// it allocates per span.
import { resolve } from 'node:path';
import { setImmediate as immediate } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { benchAdapter } from '../lib/bench-adapter.mjs';
import { BENCH_API_KEY } from '../lib/bench-api-key.mjs';
import { finish, startChild } from '../lib/child.mjs';
import { heapSampler } from '../lib/heap-sampler.mjs';
import { PIPELINES } from '../lib/pipelines.mjs';
import { runPipeline } from '../lib/run-pipeline.mjs';
import { SPANS_PER_TREE, treeFactory } from '../lib/spans.mjs';
import { summary } from '../lib/stats.mjs';

// Core's stage modules: this checkout's build, or CORE_DIR's (a copy of another build's dist/,
// for before/after figures of a change).
const coreDir = process.env.CORE_DIR
  ? pathToFileURL(`${resolve(process.env.CORE_DIR)}/`).href
  : new URL('../../packages/core/', import.meta.url).href;
const core = (path) => import(new URL(`dist/${path}`, coreDir).href);
const { resolveGalileoConfig } = await core('config/resolve-config.js');
const { emptyStats } = await core('exporter/export-stats.js');
const { GalileoOtlpExporter } = await core('exporter/galileo-otlp-exporter.js');
const { OtlpHttpTransport } = await core('exporter/otlp-http-transport.js');
const { encodeTraceRequest } = await core('internal/encode-trace-request.js');
const { DedupLogger } = await core('internal/logger.js');
const { PacedEncoder } = await core('internal/paced-encoder.js');
const { AdapterRunner } = await core('processor/adapter-runner.js');
const { ExportQueue } = await core('processor/export-queue.js');
const { SpanStamper } = await core('processor/span-stamper.js');
const { GalileoSpanProcessor } = await core('index.js');
const pipelineOptions = { Processor: GalileoSpanProcessor };

const quick = process.argv.includes('--quick');
/** Trees per round of a stage (8 spans each). */
const TREES = quick ? 16 : 512;
const WARM_ROUNDS = quick ? 1 : 4;
const ROUNDS = quick ? 2 : Number(process.env.BENCH_STAGE_ROUNDS ?? 15);
/** Whole-pipeline runs, as the CPU suite makes them. */
const PIPELINE_SPANS = quick ? 800 : 16_000;
const PIPELINE_REPEATS = quick ? 1 : 3;
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const BATCH = 512; // both processors' default maxExportBatchSize
const REQUEST = 512; // core's transport: spans per request (REQUEST_SLICE)
const SLICE = 128; // spans handed to a queue between turns of the event loop (drive.mjs: 16 trees)
const HEAP_SAMPLING_BYTES = 512;

const COLUMNS = ['plain', 'galileo', 'galileo-adapter', 'plain-gzip', 'galileo-gzip'];
// For work on one stage: BENCH_STAGES=queue,prepare measures only those (and no whole pipeline).
const onlyStages = process.env.BENCH_STAGES?.split(',');
/** Where a column runs the same code as another, for the stages it has no measure of its own. */
const SAME_AS = { 'plain-gzip': 'plain', 'galileo-gzip': 'galileo', 'galileo-adapter': 'galileo' };

process.send?.({ type: 'ready' });
const sink = await startChild('lib/sink-child.mjs', ['ok']);
const galileoOptions = (compression = 'none') => ({
  apiKey: BENCH_API_KEY,
  project: 'bench',
  logStream: 'default',
  endpoint: sink.url,
  logger: false,
  compression,
});
const config = resolveGalileoConfig(galileoOptions());

// Bytes allocated per span: V8's sampling heap profiler (bench/lib/heap-sampler.mjs).
const sampler = await heapSampler({ samplingInterval: HEAP_SAMPLING_BYTES });
async function heapBytes(fn) {
  let spans = 0;
  const bytes = await sampler.bytes(async () => {
    spans = await fn();
  });
  return bytes / spans;
}

// ---------------------------------------------------------------------------------------------
// Whole pipelines, as the CPU suite runs them: the figure the stages should add up to, and the
// garbage each one makes. First, while the heap holds nothing else (the stages' inputs below
// would make every major GC of a pipeline dearer than in the CPU suite's process).

const WHOLE = onlyStages ? [] : ['none', ...COLUMNS];
for (const kind of WHOLE)
  await runPipeline(kind, sink, {
    spans: PIPELINE_SPANS / 4,
    rate: RATE,
    options: pipelineOptions,
  });
const wholeRuns = [];
for (let r = 0; r < PIPELINE_REPEATS; r++) {
  const order = WHOLE.map((_, i) => WHOLE[(i + r) % WHOLE.length]);
  for (const kind of order) {
    wholeRuns.push(
      await runPipeline(kind, sink, {
        spans: PIPELINE_SPANS,
        rate: RATE,
        options: pipelineOptions,
      }),
    );
  }
}
const whole = [];
for (const kind of WHOLE) {
  const mine = wholeRuns.filter((x) => x.kind === kind);
  const spans = mine.reduce((n, x) => n + x.spans, 0);
  const perTenK = (field) =>
    (10_000 * mine.reduce((n, x) => n + x.gc[field], 0)) / Math.max(1, spans);
  // One more run under the heap profiler (slower, so not timed).
  const heap = await heapBytes(async () => {
    const run = await runPipeline(kind, sink, {
      spans: PIPELINE_SPANS / 2,
      rate: RATE,
      options: pipelineOptions,
    });
    return run.spans;
  });
  whole.push({
    kind,
    label: PIPELINES[kind],
    cpuUsPerSpan: summary(mine.map((x) => x.cpuUsPerSpan)),
    deliveredPct:
      kind === 'none' ? undefined : (100 * mine.reduce((n, x) => n + x.delivered, 0)) / spans,
    heapBytesPerSpan: heap,
    minorGcPer10k: perTenK('minor'),
    majorGcPer10k: perTenK('major'),
    gcPauseMsPer10k: perTenK('pauseMs'),
  });
}

// ---------------------------------------------------------------------------------------------
// The spans: made once per kind through the stages that run before the one measured.

/** A provider whose only processor runs `onStart` and hands every ended span to `onEnd`. */
function provider(onStart, onEnd) {
  return new TracerProvider({
    spanProcessors: [
      {
        onStart,
        onEnd,
        forceFlush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
}

let treeIndex = 0;
/** `trees` trees through `p`; returns the spans as they started, with their parent contexts. */
function startedSpans(trees) {
  const started = [];
  const p = provider(
    (span, context) => started.push({ span, context }),
    () => {},
  );
  const emit = treeFactory(p.getTracer('bench'));
  for (let i = 0; i < trees; i++) emit(treeIndex++);
  // Open again, so stamping (which sets attributes) works on them as it does at onStart.
  for (const s of started) s.span._ended = false;
  return started;
}

/** Ended spans as `kind`'s exporter receives them (stamped, for Galileo). */
function endedSpans(kind, trees) {
  const stamper = new SpanStamper(config);
  const runner = new AdapterRunner(kind === 'galileo-adapter' ? [benchAdapter] : [], () => {});
  const ended = [];
  const galileo = kind.startsWith('galileo');
  const p = provider(
    (span, context) => {
      if (galileo) stamper.stamp(span, context);
      if (runner.active) runner.onStart(span, context);
    },
    (span) => ended.push(span),
  );
  const emit = treeFactory(p.getTracer('bench'));
  for (let i = 0; i < trees; i++) emit(i);
  return { spans: ended, runner };
}

const batchesOf = (spans, size) => {
  const out = [];
  for (let i = 0; i < spans.length; i += size) out.push(spans.slice(i, i + size));
  return out;
};

const KINDS = ['plain', 'galileo', 'galileo-adapter'];
const input = {};
for (const kind of KINDS) {
  const { spans, runner } = endedSpans(kind, TREES);
  input[kind] = { spans, batches: batchesOf(spans, BATCH), runner };
  // The adapter stage's rewrites, computed once so the prepare stage can be timed without them.
  if (kind === 'galileo-adapter') input[kind].rewrites = spans.map((s) => runner.rewrite(s));
}

// ---------------------------------------------------------------------------------------------
// The measures: `run(state)` is timed, `setup()` (when given) is not.

const noopSend = async () => 0;
const realTransportSend = OtlpHttpTransport.prototype.send;
const realEncode = PacedEncoder.prototype.encode;

/** Prepared views per Galileo kind, as the transport receives them: [{spans, routing}]. */
const prepared = {};
async function prepareAll(kind, exporter) {
  const { batches, rewrites } = input[kind];
  const groups = [];
  OtlpHttpTransport.prototype.send = async (spans, routing) => {
    groups.push({ spans, routing });
    return 0;
  };
  try {
    let index = 0;
    const rewrite = rewrites ? () => rewrites[index++] : undefined;
    for (const batch of batches) {
      const lost = await exporter.exportSpans(batch, rewrite);
      if (lost !== 0) throw new Error(`prepare lost ${lost} spans`);
    }
  } finally {
    OtlpHttpTransport.prototype.send = realTransportSend;
  }
  return groups;
}

/** `handled` when every span was handled: a stage that dropped some did less work. */
function all(handled, spans) {
  if (handled !== spans.length) throw new Error(`handled ${handled} of ${spans.length} spans`);
  return handled;
}

/** `make()` once, then the same object: exporters and their caches live as long as in an app. */
function once(make) {
  let made;
  return () => {
    made ??= make();
    return made;
  };
}

const stages = {
  creation: {
    how: 'SDK `startSpan`/`end` of the bench trees on a provider with no processor',
    shared: true,
    setup: () => {
      const p = new TracerProvider({ spanProcessors: [] });
      return treeFactory(p.getTracer('bench'));
    },
    run: (emit) => {
      for (let i = 0; i < TREES; i++) emit(treeIndex++);
      return TREES * SPANS_PER_TREE;
    },
  },
  stamping: {
    how: '`BatchSpanProcessor.onStart` / `SpanStamper.stamp` on freshly started spans',
    plain: {
      setup: () => ({
        started: startedSpans(TREES),
        processor: new BatchSpanProcessor({ exporter: { export: () => {}, shutdown: noopSend } }),
      }),
      run: ({ started, processor }) => {
        for (const s of started) processor.onStart(s.span, s.context);
        return started.length;
      },
    },
    galileo: {
      setup: () => ({ started: startedSpans(TREES), stamper: new SpanStamper(config) }),
      run: ({ started, stamper }) => {
        for (const s of started) stamper.stamp(s.span, s.context);
        return started.length;
      },
    },
  },
  adapters: {
    how: '`AdapterRunner` `onStart` (fresh spans), `onEnding`, `dropped` and, with an adapter, `rewrite`',
    galileo: {
      setup: () => ({ spans: input.galileo.spans, runner: new AdapterRunner([], () => {}) }),
      // Without adapters the processor skips onStart and rewrite (runner.active is false).
      run: ({ spans, runner }) => {
        let kept = 0;
        for (const span of spans) {
          runner.onEnding(span);
          if (!runner.dropped(span)) kept++;
        }
        return kept;
      },
    },
    'galileo-adapter': {
      setup: () => ({
        started: startedSpans(TREES),
        runner: new AdapterRunner([benchAdapter], () => {}),
      }),
      run: ({ started, runner }) => {
        for (const s of started) runner.onStart(s.span, s.context);
        let kept = 0;
        for (const s of started) {
          runner.onEnding(s.span);
          if (!runner.dropped(s.span) && runner.rewrite(s.span) !== null) kept++;
        }
        return kept;
      },
    },
  },
  queue: {
    how: '`onEnd` of every span, 128 per turn of the event loop, until the last batch is handed to an export that does nothing',
    plain: {
      setup: () => {
        let exported = 0;
        const processor = new BatchSpanProcessor({
          exporter: {
            export(spans, done) {
              exported += spans.length;
              done({ code: ExportResultCode.SUCCESS });
            },
            shutdown: async () => {},
          },
        });
        return { processor, spans: input.plain.spans, exported: () => exported };
      },
      run: async ({ processor, spans, exported }) => {
        for (let i = 0; i < spans.length; i++) {
          processor.onEnd(spans[i]);
          if (i % SLICE === SLICE - 1) await immediate();
        }
        await processor.forceFlush();
        return all(exported(), spans);
      },
    },
    galileo: {
      setup: () => {
        let exported = 0;
        const queue = new ExportQueue(config, {
          send: async (batch) => {
            exported += batch.length;
          },
          full: () => {},
        });
        return { queue, spans: input.galileo.spans, exported: () => exported };
      },
      run: async ({ queue, spans, exported }) => {
        for (let i = 0; i < spans.length; i++) {
          const span = spans[i];
          // GalileoSpanProcessor.onEnd: the sampled check, then the queue.
          if ((span.spanContext().traceFlags & 1) !== 0) queue.push(span);
          if (i % SLICE === SLICE - 1) await immediate();
        }
        await queue.flush();
        queue.close();
        return all(exported(), spans);
      },
    },
  },
  prepare: {
    how: '`GalileoOtlpExporter.exportSpans` per 512-span batch, the transport replaced by a no-op: rewrite applied, redaction, routing, Resources',
    galileo: preparing('galileo'),
    'galileo-adapter': preparing('galileo-adapter'),
  },
  encoding: {
    how: "OTel's `ProtobufTraceSerializer.serializeRequest` per 512-span batch / core's `PacedEncoder.encode` (`encodeTraceRequest`) per 512-span request",
    plain: {
      setup: () => input.plain.batches,
      run: (batches) => {
        let n = 0;
        for (const batch of batches) {
          ProtobufTraceSerializer.serializeRequest(batch);
          n += batch.length;
        }
        return n;
      },
    },
    galileo: encodingOf('galileo'),
    'galileo-adapter': encodingOf('galileo-adapter'),
  },
  sending: {
    how: '`OTLPTraceExporter.export` per 512-span batch, its serializer replaced by a lookup of the encoded body / `OtlpHttpTransport.send` per batch with `PacedEncoder.encode` replaced likewise; one request at a time to the sink (another process)',
    plain: plainSending('none'),
    galileo: galileoSending('galileo', 'none'),
    'galileo-adapter': galileoSending('galileo-adapter', 'none'),
    'plain-gzip': plainSending('gzip'),
    'galileo-gzip': galileoSending('galileo', 'gzip'),
  },
};

function preparing(kind) {
  return {
    setup: once(() => new GalileoOtlpExporter(galileoOptions())),
    run: async (exporter) => {
      await prepareAll(kind, exporter);
      return input[kind].spans.length;
    },
  };
}

function encodingOf(kind) {
  return {
    setup: once(() => ({
      encoder: new PacedEncoder(),
      requests: prepared[kind].flatMap((g) => batchesOf(g.spans, REQUEST)),
    })),
    run: async ({ encoder, requests }) => {
      let n = 0;
      for (const request of requests) {
        if (!(await encoder.encode(request))) throw new Error('encoding failed');
        n += request.length;
      }
      return n;
    },
  };
}

function plainSending(compression) {
  const bodies = new Map(
    input.plain.batches.map((b) => [b, ProtobufTraceSerializer.serializeRequest(b)]),
  );
  return {
    setup: once(() => {
      const exporter = new OTLPTraceExporter({
        url: sink.url,
        headers: { 'Galileo-API-Key': BENCH_API_KEY, project: 'bench', logstream: 'default' },
        compression,
      });
      exporter._delegate._serializer = {
        serializeRequest: (spans) => bodies.get(spans),
        deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
      };
      return { exporter, batches: input.plain.batches };
    }),
    run: async ({ exporter, batches }) => {
      let n = 0;
      for (const batch of batches) {
        const result = await new Promise((resolve) => exporter.export(batch, resolve));
        if (result.code !== ExportResultCode.SUCCESS) throw result.error;
        n += batch.length;
      }
      return n;
    },
  };
}

function galileoSending(kind, compression) {
  return {
    setup: once(() => {
      // The body of each request the transport cuts, by its first span and length: encoded on
      // first sight (a warm-up round), looked up after.
      const bodies = new Map();
      const settings = resolveGalileoConfig(galileoOptions(compression));
      const transport = new OtlpHttpTransport(
        settings,
        emptyStats(),
        new DedupLogger(false, [settings.apiKey]),
      );
      return { transport, groups: prepared[kind], bodies };
    }),
    run: async ({ transport, groups, bodies }) => {
      PacedEncoder.prototype.encode = async (spans) => {
        let byLength = bodies.get(spans[0]);
        if (!byLength) {
          byLength = new Map();
          bodies.set(spans[0], byLength);
        }
        let body = byLength.get(spans.length);
        if (!body) {
          body = encodeTraceRequest(spans);
          byLength.set(spans.length, body);
        }
        return body;
      };
      try {
        let n = 0;
        for (const group of groups) {
          const lost = await transport.send(group.spans, group.routing);
          if (lost !== 0) throw new Error(`sending lost ${lost} spans`);
          n += group.spans.length;
        }
        return n;
      } finally {
        PacedEncoder.prototype.encode = realEncode;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

for (const kind of ['galileo', 'galileo-adapter']) {
  prepared[kind] = await prepareAll(kind, new GalileoOtlpExporter(galileoOptions()));
}

/** Every (stage, pipeline) pair that runs code of its own. */
const measures = [];
for (const [stage, def] of Object.entries(stages)) {
  if (onlyStages && !onlyStages.includes(stage)) continue;
  if (def.shared) {
    measures.push({ stage, kind: 'all', setup: def.setup, run: def.run });
    continue;
  }
  for (const kind of COLUMNS) {
    if (def[kind]) measures.push({ stage, kind, ...def[kind] });
  }
}

async function timeOnce(measure) {
  const state = await measure.setup?.();
  // No gc() first: a forced full GC shrinks the young generation, and the next rounds then pay
  // for more scavenges than the pipeline does in an app that allocates steadily (the queue stage
  // measured 2.5x its cost that way).
  const cpu0 = process.cpuUsage();
  const spans = await measure.run(state);
  const cpu = process.cpuUsage(cpu0);
  if (!(spans > 0)) throw new Error(`${measure.stage}/${measure.kind} handled no spans`);
  return (cpu.user + cpu.system) / spans;
}

const samples = new Map(measures.map((m) => [m, []]));
for (let round = 0; round < WARM_ROUNDS + ROUNDS; round++) {
  const order = measures.map((_, i) => measures[(i + round) % measures.length]);
  for (const measure of order) {
    const micros = await timeOnce(measure);
    if (round >= WARM_ROUNDS) samples.get(measure).push(micros);
  }
}

const rows = [];
for (const measure of measures) {
  const state = await measure.setup?.();
  const heap = await heapBytes(() => measure.run(state));
  rows.push({
    stage: measure.stage,
    kind: measure.kind,
    how: stages[measure.stage].how,
    cpuUsPerSpan: summary(samples.get(measure)),
    heapBytesPerSpan: heap,
  });
}

await sampler.close();
await sink.close();

finish({
  treesPerRound: TREES,
  spansPerRound: TREES * SPANS_PER_TREE,
  rounds: ROUNDS,
  warmRounds: WARM_ROUNDS,
  pipelineSpans: PIPELINE_SPANS,
  pipelineRepeats: PIPELINE_REPEATS,
  rate: RATE,
  heapSamplingBytes: HEAP_SAMPLING_BYTES,
  columns: COLUMNS,
  sameAs: SAME_AS,
  labels: PIPELINES,
  rows,
  whole,
});
