// Diagnostic, not part of `npm run bench`: what does each stage of GalileoSpanProcessor cost
// inside the whole pipeline? Interleaves, in one process, the plain pipeline, Galileo, and
// Galileo with one stage taken out (its method in core's built dist/ replaced for that run only):
//   -stamping   processor/span-stamper.js       SpanStamper.prototype.stamp does nothing
//   -redaction  exporter/span-redactor.js       the built-in secret filter off (redactSecrets)
//   -encoding   internal/paced-encoder.js       PacedEncoder.prototype.encode returns an empty
//               (+ encode-trace-request.js)     request (so sending also sends fewer bytes)
//   -export     exporter/otlp-http-transport.js OtlpHttpTransport.prototype.send does nothing
//               (no encoding, no POST; the processor's delivered count stays 0)
// A stage's cost in place is Galileo minus that row. bench/suites/stages.mjs measures each stage
// on its own instead; this shows it with everything around it (caches, GC, the event loop).
// Each row also lists V8's major GCs in each of its runs.
// Usage: node --expose-gc bench/diagnose.mjs [spans] [rounds]   (after building core)
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';
import { OtlpHttpTransport } from '../packages/core/dist/exporter/otlp-http-transport.js';
import { PacedEncoder } from '../packages/core/dist/internal/paced-encoder.js';
import { SpanStamper } from '../packages/core/dist/processor/span-stamper.js';
import { startChild } from './lib/child.mjs';
import { drive } from './lib/drive.mjs';
import { makePipeline } from './lib/pipelines.mjs';
import { treeFactory } from './lib/spans.mjs';
import { sleep, summary } from './lib/stats.mjs';

/** Replaces `proto[name]` for the length of one run; returns the undo. */
function replace(proto, name, fn) {
  const real = proto[name];
  proto[name] = fn;
  return () => {
    proto[name] = real;
  };
}

const sink = await startChild('lib/sink-child.mjs', ['ok']);
const variants = {
  none: { make: () => makePipeline('none', sink.url) },
  plain: { make: () => makePipeline('plain', sink.url) },
  galileo: { make: () => makePipeline('galileo', sink.url) },
  'galileo -stamping': {
    make: () => makePipeline('galileo', sink.url),
    patch: () => replace(SpanStamper.prototype, 'stamp', () => {}),
  },
  'galileo -redaction': { make: () => makePipeline('galileo', sink.url, { redactSecrets: false }) },
  'galileo -encoding': {
    make: () => makePipeline('galileo', sink.url),
    patch: () => replace(PacedEncoder.prototype, 'encode', async () => new Uint8Array(0)),
  },
  'galileo -export': {
    make: () => makePipeline('galileo', sink.url),
    patch: () => replace(OtlpHttpTransport.prototype, 'send', async () => 0),
  },
};
// V8's major GCs in each run (the ones `--trace-gc` prints as Mark-Compact), so a run's CPU can
// be read next to the GCs that landed in it: their count moves from run to run (BENCHMARKS.md,
// "Known limits").
let majors = 0;
const countMajors = (entries) => {
  for (const entry of entries) {
    if (entry.detail?.kind === perf.NODE_PERFORMANCE_GC_MAJOR) majors++;
  }
};
const gcObserver = new PerformanceObserver((list) => countMajors(list.getEntries()));
gcObserver.observe({ entryTypes: ['gc'] });
const res = {};
const gcs = {};
const N = Number(process.argv[2] ?? 40000);
const ROUNDS = Number(process.argv[3] ?? 4);
for (let r = 0; r < ROUNDS; r++) {
  for (const [name, variant] of Object.entries(variants)) {
    const undo = variant.patch?.();
    try {
      globalThis.gc?.();
      await sleep(50);
      const p = variant.make();
      const emit = treeFactory(p.tracer);
      countMajors(gcObserver.takeRecords());
      majors = 0;
      const c0 = process.cpuUsage();
      const d = await drive(emit, { spans: r === 0 ? 4000 : N, rate: 10000 });
      const s = await p.settle(d.spans);
      const c = process.cpuUsage(c0);
      countMajors(gcObserver.takeRecords());
      const runMajors = majors;
      await p.shutdown();
      if (r > 0) {
        res[name] ??= [];
        res[name].push((c.user + c.system) / d.spans);
        gcs[name] ??= [];
        gcs[name].push(runMajors);
      }
      if (s.delivered !== d.spans && name !== 'galileo -export' && name !== 'none') {
        console.log(name, 'delivered', s.delivered, 'of', d.spans);
      }
    } finally {
      undo?.();
    }
  }
}
const plain = summary(res.plain).median;
const galileo = summary(res.galileo).median;
for (const [k, v] of Object.entries(res)) {
  const m = summary(v).median;
  const without = k.startsWith('galileo -') ? `  stage ≈ ${(galileo - m).toFixed(2)} µs` : '';
  console.log(
    k.padEnd(20),
    `${m.toFixed(2)} µs/span`,
    `${(m / plain).toFixed(2)}× plain`,
    v.map((x) => x.toFixed(1)).join(' '),
    `| major GCs ${gcs[k].join(' ')}`,
    without,
  );
}
gcObserver.disconnect();
await sink.close();
