// Item 3, throughput: spans created as fast as this process can and exported to a local
// receiver in another process, queues sized to hold the whole run (so nothing is dropped and
// the figure is the export rate, not the drop rate). spans/s = spans delivered / wall time from
// the first span created to the last export finished. Receivers: @galileo-otel/devtools (the
// project's local Galileo: decodes and stores in SQLite) and the drain-only OTLP sink.
import { finish, startChild } from '../lib/child.mjs';
import { drive } from '../lib/drive.mjs';
import { makePipeline, PIPELINES } from '../lib/pipelines.mjs';
import { treeFactory } from '../lib/spans.mjs';
import { sleep, summary } from '../lib/stats.mjs';

const quick = process.argv.includes('--quick');
const SPANS = quick ? 800 : 20_000;
const REPEATS = quick ? 1 : 3;
const KINDS = ['plain', 'plain-gzip', 'galileo', 'galileo-gzip'];
process.send?.({ type: 'ready' });

const receivers = [];
try {
  receivers.push({ name: 'devtools', ...(await startChild('lib/devtools-child.mjs')) });
} catch (error) {
  receivers.push({ name: 'devtools', error: String(error?.message ?? error) });
}
receivers.push({ name: 'sink', ...(await startChild('lib/sink-child.mjs', ['ok'])) });
const sink = receivers.at(-1);

const options = {
  maxQueueSize: SPANS + 64,
  maxQueueBytes: 1024 * 1024 * 1024,
  exportTimeoutMillis: 120_000,
  // The stock BatchSpanProcessor's forceFlush starts every queued batch at once; past the OTLP
  // exporter's default concurrencyLimit (30 requests) the rest fail with "Concurrent export
  // limit reached" and forceFlush rejects. Raised here so the plain rows deliver everything.
  concurrencyLimit: Math.ceil(SPANS / 512) + 8,
};

async function once(receiver, kind) {
  globalThis.gc?.();
  await sleep(50);
  if (receiver === sink) await sink.ask('reset');
  const pipeline = makePipeline(kind, receiver.url, options);
  const emit = treeFactory(pipeline.tracer);
  const t0 = performance.now();
  const driven = await drive(emit, { spans: SPANS, rate: Number.POSITIVE_INFINITY });
  const createdMs = performance.now() - t0;
  const settled = await pipeline.settle(driven.spans, { waitMs: 120_000 });
  const wallMs = performance.now() - t0;
  await pipeline.shutdown();
  const wire = receiver === sink ? (await sink.ask('stats')).bytes : undefined;
  return {
    receiver: receiver.name,
    kind,
    spans: driven.spans,
    delivered: settled.delivered,
    spansPerSecond: (settled.delivered * 1000) / wallMs,
    createdPerSecond: (driven.spans * 1000) / createdMs,
    wireBytesPerSpan:
      wire !== undefined && settled.delivered ? wire / settled.delivered : undefined,
    statsBytesPerSpan:
      settled.bytesSent !== undefined && settled.delivered
        ? settled.bytesSent / settled.delivered
        : undefined,
  };
}

// Warm-up pass against the sink.
for (const kind of KINDS) await once(sink, kind);
const runs = [];
for (let r = 0; r < REPEATS; r++) {
  for (const receiver of receivers) {
    if (receiver.error) continue;
    for (const kind of KINDS) runs.push(await once(receiver, kind));
  }
}
for (const receiver of receivers) if (!receiver.error) await receiver.close();

const rows = [];
for (const receiver of receivers) {
  if (receiver.error) {
    rows.push({ receiver: receiver.name, error: receiver.error });
    continue;
  }
  for (const kind of KINDS) {
    const mine = runs.filter((x) => x.receiver === receiver.name && x.kind === kind);
    const wire = mine.map((x) => x.wireBytesPerSpan).filter((x) => x !== undefined);
    const stats = mine.map((x) => x.statsBytesPerSpan).filter((x) => x !== undefined);
    rows.push({
      receiver: receiver.name,
      kind,
      label: PIPELINES[kind],
      spansPerSecond: summary(mine.map((x) => x.spansPerSecond)),
      deliveredPct:
        (100 * mine.reduce((n, x) => n + x.delivered, 0)) / mine.reduce((n, x) => n + x.spans, 0),
      wireBytesPerSpan: wire.length ? summary(wire).median : undefined,
      statsBytesPerSpan: stats.length ? summary(stats).median : undefined,
    });
  }
}
// The stock-queue trap: the same full-speed run with the default queue (2048 spans), where
// what cannot be queued is dropped. Against the drain-only sink, one run each.
const sinkAgain = await startChild('lib/sink-child.mjs', ['ok']);
const fullSpeed = [];
for (const kind of KINDS) {
  globalThis.gc?.();
  await sleep(50);
  const pipeline = makePipeline(kind, sinkAgain.url);
  const emit = treeFactory(pipeline.tracer);
  const driven = await drive(emit, { spans: SPANS, rate: Number.POSITIVE_INFINITY });
  const settled = await pipeline.settle(driven.spans);
  await pipeline.shutdown();
  fullSpeed.push({
    kind,
    label: PIPELINES[kind],
    spans: driven.spans,
    deliveredPct: (100 * settled.delivered) / driven.spans,
    inFlightAtFlush: settled.inFlightAtFlush,
    lateMs: settled.lateMs,
  });
}
await sinkAgain.close();
finish({ spansPerRun: SPANS, repeats: REPEATS, rows, fullSpeed });
