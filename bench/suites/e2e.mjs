// Item 4: the two-service demo (bench/e2e/service.mjs) over the local model, tracing off vs on.
// Every piece is its own process: the model, the OTLP sink, the research service, the ask
// service; this process only sends requests, one at a time, and times them. Each repeat runs
// both modes with fresh services (the order alternates), so the ratio compares neighbours.
import { finish, startChild } from '../lib/child.mjs';
import { compareTracing, timeRequests } from '../lib/e2e.mjs';
import { sleep } from '../lib/stats.mjs';

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
  const request = async (i) => {
    const response = await fetch(`${ask.url}/ask`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: `What should I know about the Voyager probes? (#${i})` }),
    });
    const body = await response.json();
    if (!response.ok || body.toolCalls !== 1) {
      throw new Error(`demo request failed: ${response.status} ${JSON.stringify(body)}`);
    }
  };
  const timing = await timeRequests({
    request,
    warmup: WARMUP,
    requests: REQUESTS,
    start: () => Promise.all([ask.ask('start'), research.ask('start')]),
  });
  const [askStop, researchStop] = await Promise.all([ask.ask('stop'), research.ask('stop')]);
  await ask.close();
  await research.close();
  await sleep(100);
  return {
    ...timing,
    eventLoop: { ask: askStop.eventLoop, research: researchStop.eventLoop },
    spansExported: (askStop.stats?.spansExported ?? 0) + (researchStop.stats?.spansExported ?? 0),
    spansDropped: (askStop.stats?.spansDropped ?? 0) + (researchStop.stats?.spansDropped ?? 0),
  };
}

// Two model speeds: 0 ms (the worst case for a ratio: the request is nothing but HTTP, JSON
// and tracing) and a fixed latency per model call (still far below any hosted model's).
// With `plain` too: the same instrumentation through the stock OTel pipeline, so the table says
// how much of what tracing adds is OTel's own cost and how much is galileo-otel's.
const configs = await compareTracing({
  latencies: [0, 20],
  repeats: REPEATS,
  session,
  modes: ['off', 'plain', 'on'],
});
const modelRequests = (await model.ask('stats')).requests;
await model.close();
await sink.close();
finish({ requests: REQUESTS, repeats: REPEATS, modelRequests, configs });
