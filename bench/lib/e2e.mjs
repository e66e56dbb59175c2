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
 * For each model latency, `repeats` rounds of one session per mode (`off`, `on`, and optionally
 * `plain`: the stock OTel pipeline), the order rotating, each session on fresh services, so each
 * ratio compares neighbours. `session(mode, latencyMs)`
 * resolves with `{p50, p99, eventLoop: {<service>: {p50, p99, max}}, spansExported,
 * spansDropped}`.
 */
export async function compareTracing({ latencies, repeats, session, modes = ['off', 'on'] }) {
  const configs = [];
  for (const latencyMs of latencies) {
    const runs = [];
    for (let r = 0; r < repeats; r++) {
      const shift = r % modes.length;
      const order = [...modes.slice(shift), ...modes.slice(0, shift)];
      const round = {};
      for (const mode of order) round[mode] = { mode, ...(await session(mode, latencyMs)) };
      runs.push(round);
    }
    configs.push(summarise(latencyMs, runs, modes));
  }
  return configs;
}

function summarise(latencyMs, runs, modes) {
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
  const added = (mode, key, pct) =>
    summary(
      runs.map((p) => {
        const extra = p[mode][key] - p.off[key];
        return pct ? (100 * extra) / p.off[key] : extra;
      }),
    );
  return {
    latencyMs,
    modes,
    ...Object.fromEntries(modes.map((mode) => [mode, side(mode)])),
    addedP50Pct: added('on', 'p50', true),
    addedP50Ms: added('on', 'p50', false),
    addedP99Pct: added('on', 'p99', true),
    ...(modes.includes('plain')
      ? {
          plainAddedP50Pct: added('plain', 'p50', true),
          plainAddedP50Ms: added('plain', 'p50', false),
          // What galileo-otel adds on top of the stock pipeline, per run (neighbouring sessions).
          overPlainP50Ms: summary(runs.map((p) => p.on.p50 - p.plain.p50)),
          overPlainP50Pct: summary(runs.map((p) => (100 * (p.on.p50 - p.plain.p50)) / p.plain.p50)),
        }
      : {}),
    runs,
  };
}
