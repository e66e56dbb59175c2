// An app that imports its OWN copy of @google/adk (app/node_modules/@google/adk), like
// examples/google-adk/server.mjs in the monorepo, before registering Galileo (imports are
// hoisted): the order in which ADK's tracer is bound to its own unconnected API copy.
// The adapter is loaded from ADAPTER_URL.
import * as adk from '@google/adk';
import { registerGalileo } from '@galileo-otel/core';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';

const { googleAdkTracing, googleAdkPlugin, googleAdk } = await import(process.env.ADAPTER_URL);
const label = process.env.LABEL;
const adapter = googleAdk({ ensureTracing: process.env.ENSURE_TRACING !== 'false' });
const galileo = registerGalileo({
  apiKey: 'gal-adk-copies-key',
  endpoint: process.env.SINK_URL,
  serviceName: label,
  adapters: [adapter],
});
// The documented fix for an ADK copy the adapter cannot find on its own.
const fixed =
  process.env.SEARCH_FROM_HERE === 'true'
    ? googleAdkTracing({ searchFrom: [import.meta.url] })
    : undefined;

adk.setLogLevel(adk.LogLevel.ERROR);
const getWeather = new adk.FunctionTool({
  name: 'get_weather',
  description: 'Get the weather for a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ weather: `Sunny in ${city}` }),
});
const agent = new adk.LlmAgent({
  name: 'weather_agent',
  description: 'Answers weather questions',
  model: new adk.Gemini({ model: 'gemini-2.5-flash', apiKey: 'local' }),
  instruction: 'Answer weather questions with the get_weather tool.',
  tools: [getWeather],
});
const runner = new adk.InMemoryRunner({
  agent,
  appName: 'adk-copies',
  plugins: process.env.PLUGIN === 'true' ? [googleAdkPlugin()] : [],
});
const runs = Number(process.env.RUNS ?? '1');
for (let i = 1; i <= runs; i++) {
  const session = await runner.sessionService.createSession({ appName: 'adk-copies', userId: 'u1' });
  const ask = async () => {
    for await (const _event of runner.runAsync({
      userId: 'u1',
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text: `What is the weather in Paris? (${label} ${i})` }] },
    })) {
      // drain
    }
  };
  if (process.env.APP_SPAN === 'false') {
    await ask();
    continue;
  }
  // An app span around the run: it proves the provider works even when ADK's spans are lost.
  await trace.getTracer('adk-copies-app').startActiveSpan(`app ${label} ${i}`, async (span) => {
    await ask();
    span.end();
  });
}
await galileo.shutdown();
console.log(
  JSON.stringify({
    adk: adapter.tracingStatus?.adk.map((copy) => copy.path),
    fixed: fixed?.apiInstances.map((instance) => instance.state),
  }),
);
