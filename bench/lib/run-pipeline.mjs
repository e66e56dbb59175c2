// One measured run of a whole pipeline (bench/lib/pipelines.mjs) at a steady rate, as the CPU
// suite and the stage suite both measure it: CPU = process.cpuUsage() (user + system, every
// thread of this process) from the first span created until every export has finished, the
// event-loop delay, what the sink received, and the garbage collections seen meanwhile.
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { drive } from './drive.mjs';
import { makePipeline } from './pipelines.mjs';
import { treeFactory } from './spans.mjs';
import { sleep } from './stats.mjs';

/** Collects V8's garbage collections (kind and pause) until `stop()`. */
export function watchGc() {
  const seen = { minor: 0, major: 0, other: 0, pauseMs: 0 };
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = entry.detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) seen.minor++;
      else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) seen.major++;
      else seen.other++;
      seen.pauseMs += entry.duration;
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    stop() {
      // Entries are delivered asynchronously: take what is buffered before disconnecting.
      for (const entry of observer.takeRecords?.() ?? []) {
        const kind = entry.detail?.kind;
        if (kind === constants.NODE_PERFORMANCE_GC_MINOR) seen.minor++;
        else if (kind === constants.NODE_PERFORMANCE_GC_MAJOR) seen.major++;
        else seen.other++;
        seen.pauseMs += entry.duration;
      }
      observer.disconnect();
      return seen;
    },
  };
}

/** Runs `spans` spans through a fresh pipeline of `kind`, exporting to `sink`. */
export async function runPipeline(kind, sink, { spans, rate, options } = {}) {
  globalThis.gc?.();
  await sleep(50);
  await sink.ask('reset');
  const pipeline = makePipeline(kind, sink.url, options);
  const emit = treeFactory(pipeline.tracer);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const gc = watchGc();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const driven = await drive(emit, { spans, rate });
  const settled = await pipeline.settle(driven.spans);
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - t0;
  const gcSeen = gc.stop();
  loop.disable();
  await pipeline.shutdown();
  const received = await sink.ask('stats');
  return {
    kind,
    spans: driven.spans,
    cpuUsPerSpan: (cpu.user + cpu.system) / driven.spans,
    wallMs,
    ...settled,
    wireBytes: received.bytes,
    // Longest event-loop block during the run: the span creation slices (the same for every
    // row, ~16 trees per slice) plus whatever the pipeline does synchronously (e.g. encoding).
    loopMaxMs: loop.max / 1e6,
    loopP99Ms: loop.percentile(99) / 1e6,
    requests: received.requests,
    gc: gcSeen,
  };
}
