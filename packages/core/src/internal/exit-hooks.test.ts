import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { startOtlpSink } from '@galileo-otel/otlp-proto';
import { describe, expect, it } from 'vitest';

describe('flushOnExit', () => {
  it('delivers queued spans on SIGTERM even when another handler exits eagerly', async () => {
    const sink = await startOtlpSink();
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL('../__fixtures__/flush-on-exit.mjs', import.meta.url))],
      {
        env: { ...process.env, GALILEO_API_KEY: 'k', GALILEO_API_ENDPOINT: sink.url },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    await once(child.stdout as NodeJS.ReadableStream, 'data');
    child.kill('SIGTERM');
    const [code, signal] = await once(child, 'exit');
    await sink.close();
    expect(
      sink
        .spans()
        .map((s) => s.name)
        .sort(),
    ).toEqual(Array.from({ length: 25 }, (_, i) => `queued-${i}`).sort());
    // The process still ends the way SIGTERM asked (by the competing handler's exit here).
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  });
});

/** Runs the exit-modes fixture and waits for it to end, sending SIGINT if asked. */
async function runFixture(mode: 'signal' | 'drain', flushOnExit: 'on' | 'off') {
  const sink = await startOtlpSink();
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('../__fixtures__/exit-modes.mjs', import.meta.url)), mode, flushOnExit],
    {
      env: { ...process.env, GALILEO_API_KEY: 'k', GALILEO_API_ENDPOINT: sink.url },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await once(child.stdout as NodeJS.ReadableStream, 'data');
  if (mode === 'signal') child.kill('SIGINT');
  const [code, signal] = await exited;
  await sink.close();
  const names = sink
    .spans()
    .map((s) => s.name)
    .sort();
  return { code, signal, names };
}

const expected = (mode: string) => Array.from({ length: 10 }, (_, i) => `${mode}-${i}`).sort();

describe('flushOnExit on SIGINT and beforeExit', () => {
  it('delivers queued spans on SIGINT, then ends by SIGINT as Ctrl-C would', async () => {
    const { code, signal, names } = await runFixture('signal', 'on');
    expect(names).toEqual(expected('signal'));
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
  });

  it('loses queued spans on SIGINT when flushOnExit is off', async () => {
    const { signal, names } = await runFixture('signal', 'off');
    expect(signal).toBe('SIGINT');
    expect(names).toEqual([]);
  });

  it('delivers queued spans when the event loop drains, and lets the process exit 0', async () => {
    const started = Date.now();
    const { code, signal, names } = await runFixture('drain', 'on');
    expect(names).toEqual(expected('drain'));
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    // The flush must not keep the process alive for the 60 s schedule.
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('exits on a drained event loop without sending anything when flushOnExit is off', async () => {
    const { code, names } = await runFixture('drain', 'off');
    expect(code).toBe(0);
    expect(names).toEqual([]);
  });
});
