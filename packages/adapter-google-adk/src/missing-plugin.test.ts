import { FunctionTool, Gemini, InMemoryRunner, LlmAgent, LogLevel, setLogLevel } from '@google/adk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MISSING_PLUGIN_MESSAGE } from './google-adk.js';
import { googleAdkPlugin } from './google-adk-plugin.js';
import {
  APP,
  type Harness,
  one,
  runOnce,
  startHarness,
  traceOf,
} from './test-support/adk-harness.js';

// Its own file (its own process-wide harness): the warning is printed once per adapter, so the
// quiet case must run before any runner without the plugin.
let h: Harness;

beforeAll(async () => {
  setLogLevel(LogLevel.ERROR);
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

function runner(options: { plugin: boolean; model?: string }): InMemoryRunner {
  const agent = new LlmAgent({
    name: 'weather_agent',
    model: new Gemini({ model: options.model ?? 'gemini-2.5-flash', apiKey: 'local' }),
    instruction: 'Answer weather questions with the get_weather tool.',
    tools: [
      new FunctionTool({
        name: 'get_weather',
        description: 'Get the weather for a city',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ weather: `Sunny in ${city}` }),
      }),
    ],
  });
  return new InMemoryRunner({
    agent,
    appName: APP,
    plugins: options.plugin ? [googleAdkPlugin()] : [],
  });
}

describe('googleAdk() with and without googleAdkPlugin() on the runner', () => {
  it('stays quiet while every runner has the plugin, and exports no marker attribute', async () => {
    const before = h.sink.spans().length;
    await runOnce(runner({ plugin: true }), 'What is the weather in Paris?');
    await runOnce(runner({ plugin: true, model: 'gemini-2.5-flash@500' }), 'Weather in Rome?');
    expect(h.warnings).toEqual([]);
    const spans = await traceOf(h, before);
    expect(one(spans, 'invocation').attributes['gcp.vertex.agent.galileo.plugin']).toBeUndefined();
  });

  it('warns once, naming googleAdkPlugin() and how to add it, when a runner lacks it', async () => {
    const before = h.sink.spans().length;
    await runOnce(runner({ plugin: false }), 'What is the weather in Oslo?');
    await runOnce(runner({ plugin: false }), 'What is the weather in Lima?');
    expect(h.warnings).toEqual([`[galileo-otel] google-adk: ${MISSING_PLUGIN_MESSAGE}`]);
    const [warning] = h.warnings as [string];
    expect(warning).toContain('no googleAdkPlugin()');
    expect(warning).toContain("import { googleAdkPlugin } from '@galileo-otel/adapter-google-adk'");
    expect(warning).toContain('plugins: [googleAdkPlugin()]');
    // the runs themselves are exported as usual
    const spans = await traceOf(h, before);
    expect(one(spans, 'invoke_agent weather_agent').parentSpanId).toBe(
      one(spans, 'invocation').spanId,
    );
  });
});
