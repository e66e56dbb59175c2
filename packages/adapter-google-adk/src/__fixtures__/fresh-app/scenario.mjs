// Runs one ADK agent with a tool against the local model named by GOOGLE_GEMINI_BASE_URL, set up
// as the README's quick start (with the plugin). Importing the adapter does not load ADK.
import { googleAdkPlugin } from '@galileo-otel/adapter-google-adk';
import { trace } from '@opentelemetry/api';
import { z } from 'zod';

export async function runScenario(adk, label) {
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
    appName: 'fresh-app',
    plugins: [googleAdkPlugin()],
  });
  const session = await runner.sessionService.createSession({ appName: 'fresh-app', userId: 'u1' });
  // An app span around the run: it proves the provider works even when ADK's spans are lost.
  await trace.getTracer('fresh-app').startActiveSpan(`app ${label}`, async (span) => {
    for await (const _event of runner.runAsync({
      userId: 'u1',
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text: `What is the weather in Paris? (${label})` }] },
    })) {
      // drain
    }
    span.end();
  });
}
