import { type InMemoryRunner, LogLevel, setLogLevel } from '@google/adk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  one,
  runOnce,
  startHarness,
  traceOf,
  weatherRunner,
} from './test-support/adk-harness.js';

// Its own file: the adapter is registered process-wide, here with room for one run only.
let h: Harness;

beforeAll(async () => {
  setLogLevel(LogLevel.ERROR);
  h = await startHarness({ maxOpenRuns: 1 });
});

afterAll(async () => {
  await h?.close();
});

interface Gate {
  /** Resolves when the agent's second model call is about to start (its first one has ended). */
  reached: Promise<void>;
  /** Held until this resolves. */
  open: Promise<void>;
  signal(): void;
}

/** A weather agent; with `gate`, its second model call waits until the gate opens. */
function runner(name: string, gate?: Gate): InMemoryRunner {
  let calls = 0;
  return weatherRunner({
    name,
    beforeModelCallback: async () => {
      calls++;
      if (calls === 2 && gate) {
        gate.signal();
        await gate.open;
      }
      return undefined;
    },
  });
}

const INCOMPLETE = 'galileo.incomplete';
const REASON = 'galileo.incomplete.reason';

describe('googleAdk({ maxOpenRuns })', () => {
  it('gives up on the oldest run past the limit and marks its later spans galileo.incomplete (evicted)', async () => {
    const signals = { reached: () => {}, open: () => {} };
    const gate: Gate = {
      reached: new Promise<void>((resolve) => {
        signals.reached = resolve;
      }),
      open: new Promise<void>((resolve) => {
        signals.open = resolve;
      }),
      signal: () => signals.reached(),
    };
    const before = h.sink.spans().length;
    // Run A stops before its second model call: its first call already left state for its agent.
    const first = runOnce(runner('agent_a', gate), 'What is the weather in Paris?');
    await gate.reached;
    // Run B, complete, is a second open run: A's state is given up on.
    await runOnce(runner('agent_b'), 'What is the weather in Rome?');
    const b = await traceOf(h, before);
    expect(one(b, 'invoke_agent agent_b')).toBeDefined();
    for (const span of b) expect(span.attributes[INCOMPLETE], span.name).toBeUndefined();
    signals.open();
    await first;
    await h.galileo.forceFlush();
    const a = h.sink
      .spans()
      .slice(before)
      .filter(
        (s) => s.traceId === one(h.sink.spans().slice(before), 'invoke_agent agent_a').traceId,
      );
    const agent = one(a, 'invoke_agent agent_a');
    const invocation = one(a, 'invocation');
    for (const span of [agent, invocation]) {
      expect(span.attributes[INCOMPLETE], span.name).toBe(true);
      expect(span.attributes[REASON], span.name).toBe('evicted');
    }
    // The run itself still ends and is exported whole; nothing is held once both runs ended.
    expect(a.map((s) => s.name).sort()).toEqual([
      'chat gemini-2.5-flash',
      'chat gemini-2.5-flash',
      'execute_tool get_weather',
      'invocation',
      'invoke_agent agent_a',
    ]);
    expect(h.adapter.openRuns).toBe(0);
  });

  it('marks nothing when runs stay within the limit, and holds no state after them', async () => {
    const before = h.sink.spans().length;
    await runOnce(runner('agent_c'), 'What is the weather in Oslo?');
    await runOnce(runner('agent_d'), 'What is the weather in Lima?');
    await h.galileo.forceFlush();
    const all = h.sink.spans().slice(before);
    expect(all).toHaveLength(10);
    expect(all.filter((s) => s.name === 'invocation')).toHaveLength(2);
    for (const span of all) expect(span.attributes[INCOMPLETE], span.name).toBeUndefined();
    expect(h.adapter.openRuns).toBe(0);
  });

  it('refuses a limit that is not a whole number of at least 1, naming the option', async () => {
    const { googleAdk } = await import('./google-adk.js');
    expect(() => googleAdk({ maxOpenRuns: 0 })).toThrow(/maxOpenRuns must be a whole number/);
    expect(() => googleAdk({ maxOpenRuns: 1.5 })).toThrow(/maxOpenRuns/);
  });
});
