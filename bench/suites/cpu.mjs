// Item 1: CPU per span of each pipeline, measured in this one process over the same spans.
// CPU = process.cpuUsage() (user + system, all threads of this process: the main thread and
// libuv's pool, where gzip runs) from the first span created until every export has finished.
// The OTLP sink runs in a child process, so receiving costs nothing here.
import { finish, startChild } from '../lib/child.mjs';
import { PIPELINES } from '../lib/pipelines.mjs';
import { runPipeline } from '../lib/run-pipeline.mjs';
import { summary } from '../lib/stats.mjs';

const quick = process.argv.includes('--quick');
const SPANS = quick ? 800 : 40_000;
const WARMUP_SPANS = quick ? 160 : 8_000;
const REPEATS = quick ? 1 : 5;
const RATE = Number(process.env.BENCH_RATE ?? 10_000);
const KINDS = Object.keys(PIPELINES);

process.send?.({ type: 'ready' });
const sink = await startChild('lib/sink-child.mjs', ['ok']);

const once = (kind, spans) => runPipeline(kind, sink, { spans, rate: RATE });

for (const kind of KINDS) await once(kind, WARMUP_SPANS);

const runs = [];
for (let r = 0; r < REPEATS; r++) {
  // Rotate the order each repeat so drift (other load, thermal) spreads over every row.
  const order = KINDS.map((_, i) => KINDS[(i + r) % KINDS.length]);
  for (const kind of order) runs.push({ repeat: r, ...(await once(kind, SPANS)) });
}
await sink.close();

const rows = KINDS.map((kind) => {
  const mine = runs.filter((x) => x.kind === kind);
  const ratios = mine.map((x) => {
    const plain = runs.find((p) => p.kind === 'plain' && p.repeat === x.repeat);
    return x.cpuUsPerSpan / plain.cpuUsPerSpan;
  });
  const spans = mine.reduce((n, x) => n + x.spans, 0);
  const delivered = mine.reduce((n, x) => n + x.delivered, 0);
  return {
    kind,
    label: PIPELINES[kind],
    cpuUsPerSpan: summary(mine.map((x) => x.cpuUsPerSpan)),
    ratio: summary(ratios),
    deliveredPct: kind === 'none' ? undefined : (100 * delivered) / spans,
    dropped: mine.reduce((n, x) => n + (x.dropped ?? 0), 0),
    bytesPerSpan: delivered > 0 ? mine.reduce((n, x) => n + x.wireBytes, 0) / delivered : undefined,
    flushEarly: mine.filter((x) => x.inFlightAtFlush > 0).length,
    lateMs: summary(mine.map((x) => x.lateMs ?? 0)),
    loopMaxMs: summary(mine.map((x) => x.loopMaxMs)),
    loopP99Ms: summary(mine.map((x) => x.loopP99Ms)),
  };
});
finish({ spansPerRun: SPANS, repeats: REPEATS, rate: RATE, rows, runs });
