import { afterAll, beforeAll, expect, it } from 'vitest';
import { BASE_OPTIONS, type SdkMessage, weatherServer } from './test-support/claude-sdk.js';
import { type Harness, startHarness } from './test-support/harness.js';
import { one } from './test-support/wire.js';

// The open-run registry: a bound that ends the oldest query early, and shutdown ending the
// queries still open, both marked with the one incomplete marker.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ maxOpenRuns: 1 });
});
afterAll(async () => {
  await h?.close();
});

function start(city: string) {
  return h.query({
    prompt: `What is the weather in ${city}?`,
    options: {
      ...BASE_OPTIONS,
      env: h.env(),
      tools: [],
      mcpServers: { weather: weatherServer(h.sdk) },
      allowedTools: ['mcp__weather__get_weather'],
    },
  });
}

/** Reads until the first message of `type`. */
async function until(q: AsyncGenerator<SdkMessage>, type: string): Promise<void> {
  for (;;) {
    const { value, done } = await q.next();
    if (done || value.type === type) return;
  }
}

it('past maxOpenRuns the oldest query ends early, galileo.incomplete = evicted', async () => {
  const first = start('Oslo');
  await until(first, 'assistant');
  expect(h.adapter.openRuns).toBe(1);
  const second = start('Bergen');
  await until(second, 'assistant');
  expect(h.adapter.openRuns).toBe(1);
  const evicted = (await h.flushSpans()).filter((s) => s.name === 'invoke_agent claude');
  expect(evicted).toHaveLength(1);
  expect(evicted[0]?.attributes).toMatchObject({
    'galileo.incomplete': true,
    'galileo.incomplete.reason': 'evicted',
  });
  // The evicted query still works for the app; only its tracing stopped.
  for await (const _ of first) {
    // read to the end
  }
  for await (const _ of second) {
    // read to the end
  }
  expect(h.adapter.openRuns).toBe(0);
  const spans = await h.flushSpans();
  expect(one(spans, 'invoke_agent claude').attributes['galileo.incomplete']).toBeUndefined();
  expect(h.warnings.join('\n')).toContain('maxOpenRuns');
});

it('shutdown ends the queries still open, galileo.incomplete = shutdown', async () => {
  const q = start('Tromso');
  await until(q, 'assistant');
  await h.galileo.shutdown();
  const root = h.sink
    .spans()
    .find(
      (s) =>
        s.name === 'invoke_agent claude' &&
        s.attributes['galileo.incomplete.reason'] === 'shutdown',
    );
  expect(root).toBeDefined();
  expect(h.adapter.openRuns).toBe(0);
  await q.return(undefined);
});
