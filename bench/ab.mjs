// Diagnostic, not part of `npm run bench`: two builds of core's processor side by side with the
// plain pipeline, in one process, in many short alternating runs (the CPU suite's method, from
// bench/lib/run-pipeline.mjs), for before/after figures of a change on a busy machine.
// Save the build before the change (`cp -r packages/core/dist bench/.results/core-before/`
// plus `packages/core/package.json` beside it), rebuild, then:
//   node --expose-gc bench/ab.mjs bench/.results/core-before [spans] [rounds] [galileo,galileo-gzip,...]
// Prints, per pipeline, the median µs per span and the ratio to plain in the same round
// (median, min–max), its event-loop delay (p99 and max of each run: median, min–max), and the
// ratio of the current build to the one before in the same round.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startChild } from './lib/child.mjs';
import { runPipeline } from './lib/run-pipeline.mjs';
import { summary } from './lib/stats.mjs';

const [dir, spansArg, roundsArg, kindsArg] = process.argv.slice(2);
if (!dir) throw new Error('usage: node --expose-gc bench/ab.mjs <dir holding a core dist/> ...');
const before = await import(pathToFileURL(resolve(dir, 'dist/index.js')).href);
const SPANS = Number(spansArg ?? 16_000);
const ROUNDS = Number(roundsArg ?? 8);
const KINDS = (kindsArg ?? 'galileo').split(',');
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
// BENCH_QUEUE=<spans>: queues that large for every pipeline, so a starved run on a busy machine
// drops nothing (a run that drops does less work and looks cheaper).
const queue = process.env.BENCH_QUEUE
  ? { maxQueueSize: Number(process.env.BENCH_QUEUE), maxQueueBytes: 2 ** 30 }
  : {};
const sink = await startChild('lib/sink-child.mjs', ['ok']);

const variants = [{ name: 'plain', kind: 'plain', options: queue }];
for (const kind of KINDS) {
  if (kind.startsWith('plain')) {
    if (kind !== 'plain') variants.push({ name: kind, kind, options: queue });
    continue;
  }
  variants.push({
    name: `${kind} before`,
    kind,
    options: { Processor: before.GalileoSpanProcessor },
  });
  variants.push({ name: `${kind} now`, kind });
}
const runs = [];
for (let round = -1; round < ROUNDS; round++) {
  const order = variants.map((_, i) => variants[(i + Math.max(0, round)) % variants.length]);
  for (const v of order) {
    const run = await runPipeline(v.kind, sink, {
      spans: round < 0 ? SPANS / 4 : SPANS,
      rate: RATE,
      options: v.options,
    });
    if (run.delivered !== run.spans)
      console.log(v.name, `delivered ${run.delivered} of ${run.spans}`);
    if (round >= 0) runs.push({ round, name: v.name, ...run });
  }
}
await sink.close();
const of = (name, round) => runs.find((r) => r.name === name && r.round === round);
const f = (s) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
for (const v of variants) {
  const mine = runs.filter((r) => r.name === v.name);
  const toPlain = mine.map((r) => r.cpuUsPerSpan / of('plain', r.round).cpuUsPerSpan);
  const bytes =
    mine.reduce((n, r) => n + r.wireBytes, 0) / mine.reduce((n, r) => n + r.delivered, 0);
  console.log(
    v.name.padEnd(24),
    `${f(summary(mine.map((r) => r.cpuUsPerSpan)))} µs/span`,
    `× plain ${f(summary(toPlain))}`,
    `${bytes.toFixed(0)} B/span`,
    `| event loop p99 ${f(summary(mine.map((r) => r.loopP99Ms)))} max ${f(summary(mine.map((r) => r.loopMaxMs)))} ms`,
  );
}
for (const kind of KINDS.filter((k) => !k.startsWith('plain'))) {
  const ratio = runs
    .filter((r) => r.name === `${kind} now`)
    .map((r) => r.cpuUsPerSpan / of(`${kind} before`, r.round).cpuUsPerSpan);
  console.log(`${kind}: now ÷ before ${f(summary(ratio))}`);
}
