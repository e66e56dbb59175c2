// What both end-to-end suites share: timing sequential requests, and comparing tracing off and
// on over fresh services in alternating order, summarised the same way for both tables.
import { quantile, summary } from './stats.mjs';

/**
 * Sends `warmup` untimed requests, calls `start()` (open the event-loop windows), then times
 * `requests` more, one at a time. `request(i)` throws when an answer is wrong.
 */
export async function timeRequests({ request, warmup, requests, start }) {
  for (let i = 0; i < warmup; i++) await request(i);
  await start();
  const latencies = [];
  for (let i = 0; i < requests; i++) {
    const t0 = performance.now();
    await request(i);
    latencies.push(performance.now() - t0);
  }
  return {
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
  };
}

/**
 * For each model latency, `repeats` pairs of sessions, the off/on order alternating, each
 * session on fresh services, so each ratio compares neighbours. `session(mode, latencyMs)`
 * resolves with `{p50, p99, eventLoop: {<service>: {p50, p99, max}}, spansExported,
 * spansDropped}`.
 */
export async function compareTracing({ latencies, repeats, session }) {
  const configs = [];
  for (const latencyMs of latencies) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
      const pair = {};
      for (const mode of order) pair[mode] = { mode, ...(await session(mode, latencyMs)) };
      runs.push(pair);
    }
    configs.push(summarise(latencyMs, runs));
  }
  return configs;
}

function summarise(latencyMs, runs) {
  const side = (mode) => {
    // The worse of the services in each run, then min / median / max over runs.
    const loop = (key) =>
      summary(runs.map((p) => Math.max(...Object.values(p[mode].eventLoop).map((l) => l[key]))));
    const services = Object.keys(runs[0][mode].eventLoop);
    return {
      p50: summary(runs.map((p) => p[mode].p50)),
      p99: summary(runs.map((p) => p[mode].p99)),
      eventLoopP50: loop('p50'),
      eventLoopP99: loop('p99'),
      eventLoopMax: loop('max'),
      eventLoopMaxByService: Object.fromEntries(
        services.map((s) => [s, summary(runs.map((p) => p[mode].eventLoop[s].max))]),
      ),
      spansExported: runs.reduce((n, p) => n + p[mode].spansExported, 0),
      spansDropped: runs.reduce((n, p) => n + p[mode].spansDropped, 0),
    };
  };
  return {
    latencyMs,
    off: side('off'),
    on: side('on'),
    addedP50Pct: summary(runs.map((p) => (100 * (p.on.p50 - p.off.p50)) / p.off.p50)),
    addedP50Ms: summary(runs.map((p) => p.on.p50 - p.off.p50)),
    addedP99Pct: summary(runs.map((p) => (100 * (p.on.p99 - p.off.p99)) / p.off.p99)),
    runs,
  };
}
