// Item 4 over the real demo: `npm run demo`'s default pair, examples/openai-agents/server.mjs
// (A, POST /ask) delegating to examples/google-adk/server.mjs (B, POST /research), started as
// real OS processes by the demo's own `startService`, with the loopback guard preloaded. Tracing
// off is the same app without galileo-otel (`GALILEO_OTEL=off`, see examples/README.md); on
// exports to the OTLP sink. Event-loop delay comes from bench/e2e/loop-monitor.mjs, preloaded
// into both services. The model, the sink and both services are their own processes; this one
// only sends requests, one at a time, and times them.
import { fileURLToPath } from 'node:url';
import { postJson, startService } from '@galileo-otel/example-demo/run-service.mjs';
import { finish, startChild } from '../lib/child.mjs';
import { compareTracing, timeRequests } from '../lib/e2e.mjs';
import { sleep } from '../lib/stats.mjs';

const quick = process.argv.includes('--quick');
const REQUESTS = quick ? 10 : 200;
const WARMUP = quick ? 3 : 30;
const REPEATS = quick ? 1 : 3;
// Named here so the model server can add a latency per model: neither SDK can be made to send
// the `x-local-model-scenario` header from the environment.
const MODELS = { OPENAI_MODEL: 'gpt-4.1-mini', GEMINI_MODEL: 'gemini-2.5-flash' };
const LATENCIES = [0, 20];
const monitor = fileURLToPath(new URL('../e2e/loop-monitor.mjs', import.meta.url));
process.send?.({ type: 'ready' });

const sink = await startChild('lib/sink-child.mjs', ['ok']);
const models = {};
for (const latencyMs of LATENCIES) {
  const byModel = Object.fromEntries(Object.values(MODELS).map((m) => [m, `latency:${latencyMs}`]));
  models[latencyMs] = await startChild('e2e/model-child.mjs', [JSON.stringify({ byModel })]);
}

/** Starts a service and finds its loop monitor; `services` gets it first, to be stopped. */
async function start(services, framework, env) {
  const service = await startService({ framework, env, guard: true, preload: [monitor] });
  services.push(service);
  for (const deadline = Date.now() + 10_000; !service.monitor; await sleep(20)) {
    service.monitor = /\[loop-monitor\] (http:\/\/\S+)/.exec(service.output.join(''))?.[1];
    if (Date.now() > deadline) throw new Error(`${service.name}: the loop monitor did not start`);
  }
  return service;
}

async function session(mode, latencyMs) {
  const { url } = models[latencyMs];
  const env = {
    ...MODELS,
    GALILEO_OTEL: mode,
    GALILEO_API_ENDPOINT: sink.url,
    GALILEO_API_KEY: 'bench',
    GALILEO_PROJECT: 'bench',
    OPENAI_BASE_URL: `${url}/v1`,
    OPENAI_API_KEY: 'sk-local',
    GOOGLE_GEMINI_BASE_URL: url,
    GOOGLE_API_KEY: 'local',
  };
  const services = [];
  let result;
  try {
    const b = await start(services, 'google-adk', { ...env, SERVICE_NAME: 'bench-b-google-adk' });
    const a = await start(services, 'openai-agents', {
      ...env,
      SERVICE_NAME: 'bench-a-openai-agents',
      AGENT_B_URL: b.url,
    });
    const both = (path) => Promise.all([a, b].map((s) => postJson(`${s.monitor}${path}`)));
    const timing = await timeRequests({
      request: async (i) => {
        const reply = await postJson(`${a.url}/ask`, {
          question: `Tell me about Voyager 1 (#${i})`,
        });
        if (!reply.answer?.includes('delegate_research returned')) {
          throw new Error(`demo request failed: ${JSON.stringify(reply)}`);
        }
      },
      warmup: WARMUP,
      requests: REQUESTS,
      start: () => both('/start'),
    });
    const [loopA, loopB] = await both('/stop');
    // Flushed after the window closed, as the stand-in services do: the count, not the timing.
    const [statsA, statsB] = await Promise.all([a, b].map((s) => postJson(`${s.url}/flush`)));
    result = {
      ...timing,
      eventLoop: { A: loopA, B: loopB },
      spansExported: (statsA.spansExported ?? 0) + (statsB.spansExported ?? 0),
      spansDropped: (statsA.spansDropped ?? 0) + (statsB.spansDropped ?? 0),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
  const violations = services.flatMap((s) => s.violations);
  if (violations.length > 0) throw new Error(`non-loopback traffic: ${violations.join('; ')}`);
  return result;
}

const configs = await compareTracing({ latencies: LATENCIES, repeats: REPEATS, session });
let modelRequests = 0;
for (const model of Object.values(models)) {
  modelRequests += (await model.ask('stats')).requests;
  await model.close();
}
await sink.close();
finish({
  requests: REQUESTS,
  repeats: REPEATS,
  modelRequests,
  // Warm-up requests export their spans too.
  spansPerRequest: configs[0].on.spansExported / (REPEATS * (WARMUP + REQUESTS)),
  services: { A: 'openai-agents', B: 'google-adk' },
  configs,
});
