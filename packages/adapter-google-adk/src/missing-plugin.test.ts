import { LogLevel, setLogLevel } from '@google/adk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MISSING_PLUGIN_MESSAGE } from './google-adk.js';
import {
  type Harness,
  one,
  runOnce,
  startHarness,
  traceOf,
  weatherRunner,
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

describe('googleAdk() with and without googleAdkPlugin() on the runner', () => {
  it('stays quiet while every runner has the plugin, and exports no marker attribute', async () => {
    const before = h.sink.spans().length;
    await runOnce(weatherRunner({ plugin: true }), 'What is the weather in Paris?');
    await runOnce(
      weatherRunner({ plugin: true, model: 'gemini-2.5-flash@500' }),
      'Weather in Rome?',
    );
    expect(h.warnings).toEqual([]);
    const spans = await traceOf(h, before);
    expect(one(spans, 'invocation').attributes['gcp.vertex.agent.galileo.plugin']).toBeUndefined();
  });

  it('warns once, naming googleAdkPlugin() and how to add it, when a runner lacks it', async () => {
    const before = h.sink.spans().length;
    await runOnce(weatherRunner({ plugin: false }), 'What is the weather in Oslo?');
    await runOnce(weatherRunner({ plugin: false }), 'What is the weather in Lima?');
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
