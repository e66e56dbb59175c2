// Item 3, memory: one pipeline in this process exporting to a receiver that never answers,
// spans created at a fixed rate for a fixed time; peak RSS sampled every 20 ms. Run once per
// configuration, each in a fresh process, so one row's heap never inflates another's.
// Args: <pipeline> <spans per second> <message bytes> <seconds>
import { finish, startChild } from '../lib/child.mjs';
import { drive } from '../lib/drive.mjs';
import { makePipeline } from '../lib/pipelines.mjs';
import { treeFactory } from '../lib/spans.mjs';
import { sleep } from '../lib/stats.mjs';

const [kind, rateArg, bytesArg, secondsArg] = process.argv.slice(2);
const rate = Number(rateArg);
const messageBytes = Number(bytesArg);
const seconds = Number(secondsArg);
process.send?.({ type: 'ready' });

const sink = await startChild('lib/sink-child.mjs', ['stall']);
const pipeline = makePipeline(kind, sink.url);
const emit = treeFactory(pipeline.tracer, { messageBytes, fresh: true });
// Warm the code paths briefly, then take the baseline after a full GC.
await drive(emit, { spans: 400, rate });
globalThis.gc?.();
await sleep(200);
globalThis.gc?.();
const baseline = process.memoryUsage();
let peakRss = baseline.rss;
let peakHeap = baseline.heapUsed;
// Peak RSS per third of the run: flat thirds mean the memory is bounded, not growing.
const thirds = [0, 0, 0];
const started = performance.now();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  const third = Math.min(2, Math.floor(((performance.now() - started) / (seconds * 1000)) * 3));
  if (m.rss > thirds[third]) thirds[third] = m.rss;
  if (m.rss > peakRss) peakRss = m.rss;
  if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
}, 20);
const driven = await drive(emit, { rate, until: seconds * 1000 });
clearInterval(sampler);
const end = process.memoryUsage();
// What the pipeline really holds, as opposed to garbage not yet collected: the heap after two
// full collections, with the receiver still stalled (so the queue and exports in flight live on).
globalThis.gc?.();
await sleep(50);
globalThis.gc?.();
const retainedHeap = globalThis.gc ? process.memoryUsage().heapUsed : undefined;

let queued;
let queueBytes;
let dropped;
if (pipeline.processor?.stats) {
  const s = pipeline.processor.stats();
  queued = s.queueLength;
  queueBytes = s.queueBytes;
  dropped = s.spansDropped;
} else if (pipeline.exporter) {
  // BSP exposes no drop counter (its internal one resets at the next accepted span): what it
  // neither handed to the exporter nor holds in its queue was dropped.
  queued = pipeline.processor._finishedSpans?.length ?? 0;
  dropped = driven.spans + 400 - pipeline.exporter.exported - queued;
}
const received = await sink.ask('stats');
await sink.close();
finish({
  kind,
  rate,
  messageBytes,
  seconds,
  spans: driven.spans,
  baselineRss: baseline.rss,
  peakRss,
  peakRssByThird: thirds,
  endRss: end.rss,
  peakHeap,
  baselineHeap: baseline.heapUsed,
  retainedHeap,
  queueBytes,
  queued,
  dropped,
  requestsHeld: received.requests,
});
setTimeout(() => process.exit(0), 100).unref();
