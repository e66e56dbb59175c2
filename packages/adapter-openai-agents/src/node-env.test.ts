import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adapterPackageDir, buildAdapter } from './test-support/child-process.js';

// NODE_ENV=test for real: the SDK reads it when @openai/agents is imported, which only a fresh
// process shows (vitest's own worker imported the SDK long ago).
const exec = promisify(execFile);
const fixture = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'node-env-agent.mjs');
const WARNING =
  '[galileo-otel] openai-agents: OpenAI Agents tracing is disabled (NODE_ENV=test or OPENAI_AGENTS_DISABLE_TRACING), ' +
  'so no agent spans will be made: call setTracingDisabled(false) from @openai/agents to enable it';

let adapter: { url: string; remove(): void };
let model: LocalModelServer;
const sinks: OtlpSink[] = [];

async function runApp(nodeEnv: string | undefined) {
  const sink = await startOtlpSink();
  sinks.push(sink);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ADAPTER_URL: adapter.url,
    SINK_URL: sink.url,
    MODEL_URL: model.url,
  };
  delete env.NODE_ENV;
  delete env.OPENAI_AGENTS_DISABLE_TRACING;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  const requestsBefore = model.requests.length;
  const { stdout, stderr } = await exec(process.execPath, [fixture], {
    cwd: adapterPackageDir,
    env,
    timeout: 30_000,
  });
  const agents = sink
    .spans()
    .filter((s) => s.name.startsWith('invoke_agent '))
    .map((s) => s.name);
  const modelCalls = model.requests.slice(requestsBefore).filter((r) => r.status === 200).length;
  return { stdout, stderr, agents, modelCalls, spans: sink.spans() };
}

beforeAll(async () => {
  model = await startLocalModel({ port: 0 });
  adapter = await buildAdapter('node-env-adapter');
}, 120_000);

afterAll(async () => {
  for (const sink of sinks) await sink.close();
  await model?.close();
  adapter?.remove();
});

describe('registerGalileo({ adapters: [openaiAgents()] }) in a process started with NODE_ENV=test', () => {
  it('warns once with the fix, exports nothing until setTracingDisabled(false), then exports', async () => {
    const app = await runApp('test');
    expect(app.stdout).toContain('DONE');
    expect(app.stderr.split('\n').filter((line) => line.includes('tracing is disabled'))).toEqual([
      WARNING,
    ]);
    // the run itself still worked (it called the model), but the SDK made no trace of it
    expect(app.modelCalls).toBe(2);
    expect(app.agents).toEqual(['invoke_agent ReenabledAgent']);
    expect(app.spans.some((s) => s.name.startsWith('chat '))).toBe(true);
  });

  it('neither warns nor drops the first run without NODE_ENV=test', async () => {
    const app = await runApp(undefined);
    expect(app.stdout).toContain('DONE');
    expect(app.stderr).not.toContain('tracing is disabled');
    expect(app.agents.sort()).toEqual([
      'invoke_agent AsStartedAgent',
      'invoke_agent ReenabledAgent',
    ]);
  });
});
