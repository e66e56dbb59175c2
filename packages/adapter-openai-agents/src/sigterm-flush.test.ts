import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { galileoKind } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterPackageDir, buildAdapter } from './test-support/child-process.js';

// SIGTERM with the OpenAI Agents SDK present: the SDK's own handler awaits its cleanup, then
// calls process.exit(0) when it sees no other SIGTERM listener. Every queued span (and the
// in-flight run's) must still reach the receiver.
const here = dirname(fileURLToPath(import.meta.url));
let adapter: { url: string; remove(): void } | undefined;

let sink: OtlpSink;
let model: LocalModelServer;
let child: ChildProcess;
let exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
let stderr = '';
let queuedBeforeSignal = -1;

beforeAll(async () => {
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  // The adapter as published, built to its own folder so a parallel build cannot race.
  adapter = await buildAdapter('sigterm-adapter');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ADAPTER_URL: adapter.url,
    SINK_URL: sink.url,
    MODEL_URL: model.url,
  };
  delete env.NODE_ENV;
  child = spawn(process.execPath, [join(here, '__fixtures__', 'sigterm-agent.mjs')], {
    cwd: adapterPackageDir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`child not ready: ${stderr}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exit.then(() => reject(new Error(`child exited early: ${stderr}`)));
  });
  queuedBeforeSignal = sink.spans().length;
  child.kill('SIGTERM');
  await Promise.race([exit, new Promise((resolve) => setTimeout(resolve, 15_000))]);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sink?.close();
  await model?.close();
  adapter?.remove();
});

describe('SIGTERM with flushOnExit and the OpenAI Agents SDK present', () => {
  it('exported nothing before the signal (the spans were queued)', () => {
    expect(queuedBeforeSignal).toBe(0);
  });

  it('exports the finished run queued when SIGTERM arrived', () => {
    const spans = sink.spans();
    const agent = spans.find((s) => s.name === 'invoke_agent ResearchAgent');
    expect(agent, `spans: ${spans.map((s) => s.name).join(', ')}; stderr: ${stderr}`).toBeDefined();
    const trace = spans.filter((s) => s.traceId === agent?.traceId);
    expect(trace.map((s) => galileoKind(s)).sort()).toEqual(
      expect.arrayContaining(['agent', 'llm', 'llm', 'tool']),
    );
    const tool = trace.find((s) => s.name === 'execute_tool lookup_facts');
    expect(tool?.attributes['gen_ai.tool.call.result']).toContain('Facts about');
  });

  it('ends and exports the run still in flight, marked incomplete', () => {
    const spans = sink.spans();
    const agent = spans.find((s) => s.name === 'invoke_agent SlowAgent');
    expect(agent, `spans: ${spans.map((s) => s.name).join(', ')}`).toBeDefined();
    expect(agent?.attributes['galileo.incomplete']).toBe(true);
    expect(agent?.attributes['galileo.incomplete.reason']).toBe('shutdown');
    const tool = spans.find((s) => s.name === 'execute_tool slow_lookup');
    expect(tool?.parentSpanId).toBe(agent?.spanId);
    expect(tool?.attributes['galileo.incomplete']).toBe(true);
    expect(tool?.attributes['galileo.incomplete.reason']).toBe('shutdown');
  });

  it('still ends the process after the flush', async () => {
    const result = await Promise.race([exit, Promise.resolve(undefined)]);
    expect(result, 'the process was still running 15 s after SIGTERM').toBeDefined();
  });

  it('sent model calls only to the local model', () => {
    expect(model.requests.length).toBeGreaterThanOrEqual(3);
  });
});
