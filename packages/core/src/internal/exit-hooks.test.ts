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
