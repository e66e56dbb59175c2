// Item 4: the two-service demo (bench/e2e/service.mjs) over the local model, tracing off vs on.
// Every piece is its own process: the model, the OTLP sink, the research service, the ask
// service; this process only sends requests, one at a time, and times them. Each repeat runs
// both modes with fresh services (the order alternates), so the ratio compares neighbours.
import { finish, startChild } from '../lib/child.mjs';
import { quantile, sleep, summary } from '../lib/stats.mjs';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 20 : 200;
const WARMUP = quick ? 5 : 30;
const REPEATS = quick ? 1 : 3;
process.send?.({ type: 'ready' });

const model = await startChild('e2e/model-child.mjs');
const sink = await startChild('lib/sink-child.mjs', ['ok']);

async function session(mode, latencyMs) {
  const env = {
    TRACING: mode,
    MODEL_URL: model.url,
    OTLP_URL: sink.url,
    MODEL_LATENCY_MS: String(latencyMs),
  };
  const research = await startChild('e2e/service.mjs', ['research'], { env });
  const ask = await startChild('e2e/service.mjs', ['ask'], {
    env: { ...env, RESEARCH_URL: research.url },
  });
  const call = async (i) => {
    const t0 = performance.now();
    const response = await fetch(`${ask.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: `What should I know about the Voyager probes? (#${i})` }),
    });
    const body = await response.json();
    const ms = performance.now() - t0;
    if (!response.ok || body.toolCalls !== 1) {
      throw new Error(`demo request failed: ${response.status} ${JSON.stringify(body)}`);
    }
    return ms;
  };
  for (let i = 0; i < WARMUP; i++) await call(i);
  await Promise.all([ask.ask('start'), research.ask('start')]);
  const latencies = [];
  for (let i = 0; i < REQUESTS; i++) latencies.push(await call(i));
  const [askStop, researchStop] = await Promise.all([ask.ask('stop'), research.ask('stop')]);
  await ask.close();
  await research.close();
  await sleep(100);
  return {
    mode,
    p50: quantile(latencies, 0.5),
    p99: quantile(latencies, 0.99),
    mean: latencies.reduce((a, b) => a + b, 0) / latencies.length,
    eventLoop: { ask: askStop.eventLoop, research: researchStop.eventLoop },
    spansExported: (askStop.stats?.spansExported ?? 0) + (researchStop.stats?.spansExported ?? 0),
    spansDropped: (askStop.stats?.spansDropped ?? 0) + (researchStop.stats?.spansDropped ?? 0),
  };
}

// Two model speeds: 0 ms (the worst case for a ratio: the request is nothing but HTTP, JSON
// and tracing) and a fixed latency per model call (still far below any hosted model's).
const LATENCIES = [0, 20];
const configs = [];
for (const latencyMs of LATENCIES) {
  const runs = [];
  for (let r = 0; r < REPEATS; r++) {
    const order = r % 2 === 0 ? ['off', 'on'] : ['on', 'off'];
    const pair = {};
    for (const mode of order) pair[mode] = await session(mode, latencyMs);
    runs.push(pair);
  }
  configs.push(summarise(latencyMs, runs));
}
const modelRequests = (await model.ask('stats')).requests;
await model.close();
await sink.close();

function summarise(latencyMs, runs) {
  const side = (mode) => ({
    p50: summary(runs.map((p) => p[mode].p50)),
    p99: summary(runs.map((p) => p[mode].p99)),
    eventLoopP50: summary(
      runs.map((p) => Math.max(p[mode].eventLoop.ask.p50, p[mode].eventLoop.research.p50)),
    ),
    eventLoopP99: summary(
      runs.map((p) => Math.max(p[mode].eventLoop.ask.p99, p[mode].eventLoop.research.p99)),
    ),
    eventLoopMax: summary(
      runs.map((p) => Math.max(p[mode].eventLoop.ask.max, p[mode].eventLoop.research.max)),
    ),
    spansExported: runs.reduce((n, p) => n + p[mode].spansExported, 0),
    spansDropped: runs.reduce((n, p) => n + p[mode].spansDropped, 0),
  });
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
finish({ requests: REQUESTS, repeats: REPEATS, modelRequests, configs });
