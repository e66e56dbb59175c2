import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { galileoKind } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// A new user's app, outside the monorepo: `npm install @google/adk@2.0.0` plus the packed
// core and adapter tarballs, no `overrides`. npm then nests ADK's pinned @opentelemetry/api
// 1.9.0 under @google/adk while the app (and OTel SDK 3) get 1.10: the silent-loss trap.
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const coreDir = join(packageDir, '..', 'core');
const fixtures = join(here, '__fixtures__', 'fresh-app');

let app: string;
let sink: OtlpSink;
let model: LocalModelServer;

/** The environment without the npm_* variables of the npm/npx process running the tests. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
  }
  return { ...env, ...extra };
}

async function pack(dir: string, destination: string): Promise<string> {
  const { stdout } = await run('npm', ['pack', '--pack-destination', destination, '--silent'], {
    cwd: dir,
    env: cleanEnv(),
  });
  const file = stdout.trim().split('\n').at(-1) ?? '';
  return `file:./${file}`;
}

beforeAll(async () => {
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  // Built by `npm test` (turbo builds before it tests); only a test run on its own builds here.
  // Rebuilding unconditionally would empty dist while turbo's check:pkg packs it in parallel.
  for (const dir of [packageDir, coreDir]) {
    if (!existsSync(join(dir, 'dist', 'index.js'))) {
      await run('npm', ['run', 'build', '--silent'], { cwd: dir, env: cleanEnv() });
    }
  }
  app = mkdtempSync(join(tmpdir(), 'galileo-adk-fresh-app-'));
  const core = await pack(coreDir, app);
  const adapter = await pack(packageDir, app);
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'fresh-adk-app',
      private: true,
      type: 'module',
      dependencies: {
        '@google/adk': '2.0.0',
        zod: '^4.2.1',
        '@galileo-otel/core': core,
        '@galileo-otel/adapter-google-adk': adapter,
      },
    }),
  );
  for (const file of readdirSync(fixtures)) copyFileSync(join(fixtures, file), join(app, file));
  await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: app,
    env: cleanEnv(),
    maxBuffer: 16 * 1024 * 1024,
  });
}, 300_000);

// Removing the app's node_modules (ADK and its dependencies) can take a while on a busy machine.
afterAll(async () => {
  await sink?.close();
  await model?.close();
  if (app) rmSync(app, { recursive: true, force: true });
}, 120_000);

interface ScriptResult {
  label: string;
  adkImportedBeforeGalileo: boolean;
  status: { ok: boolean; apiInstances: { version: string; state: string }[] } | undefined;
}

async function runScript(script: string, label: string, extra: Record<string, string> = {}) {
  const { stdout, stderr } = await run(process.execPath, ['--import', './watch-adk.mjs', script], {
    cwd: app,
    env: cleanEnv({
      SINK_URL: sink.url,
      GOOGLE_GEMINI_BASE_URL: model.url,
      LABEL: label,
      ...extra,
    }),
    timeout: 60_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as ScriptResult;
  const spans = sink.spans().filter((s) => s.resource['service.name'] === label);
  return { result, spans, stderr };
}

function version(path: string): string {
  return (JSON.parse(readFileSync(join(app, path, 'package.json'), 'utf8')) as { version: string })
    .version;
}

function expectCompleteAdkTrace(spans: OtlpSpan[], label: string): void {
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const root = byName(`app ${label}`)[0];
  const invocation = byName('invocation')[0];
  const agent = byName('invoke_agent weather_agent')[0];
  const tool = byName('execute_tool get_weather')[0];
  const llms = byName('chat gemini-2.5-flash');
  expect(spans.map((s) => s.name).sort()).toEqual(
    [
      `app ${label}`,
      'chat gemini-2.5-flash',
      'chat gemini-2.5-flash',
      'execute_tool get_weather',
      'invocation',
      'invoke_agent weather_agent',
    ].sort(),
  );
  expect(invocation?.parentSpanId).toBe(root?.spanId);
  expect(agent?.parentSpanId).toBe(invocation?.spanId);
  expect(tool?.parentSpanId).toBe(agent?.spanId);
  for (const llm of llms) expect(llm.parentSpanId).toBe(agent?.spanId);
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  expect(spans.map((s) => galileoKind(s)).sort()).toEqual(
    ['agent', 'llm', 'llm', 'tool', 'workflow', 'workflow'].sort(),
  );
  expect(JSON.parse(String(agent?.attributes['gen_ai.output.messages']))).toEqual([
    { role: 'assistant', content: expect.stringContaining('Sunny in') },
  ]);
}

describe('a fresh app installed from the packed tarballs (no overrides)', () => {
  it('really has two @opentelemetry/api copies: 1.10 for the app, 1.9.0 nested under ADK', () => {
    expect(version('node_modules/@opentelemetry/api')).toMatch(/^1\.10\./);
    expect(version('node_modules/@google/adk/node_modules/@opentelemetry/api')).toBe('1.9.0');
  });

  it('loses every ADK span when ADK is imported first and the API copy is not connected', async () => {
    const { spans } = await runScript('adk-first.mjs', 'control', { ENSURE_TRACING: 'false' });
    // The provider works (the app span arrives), ADK's spans silently do not: the trap is real.
    expect(spans.map((s) => s.name)).toEqual(['app control']);
  }, 90_000);

  it('exports the complete ADK trace when @google/adk is imported before the provider is registered', async () => {
    const { result, spans, stderr } = await runScript('adk-first.mjs', 'adk-first');
    expect(stderr).not.toContain('[galileo-otel]');
    expect(result.adkImportedBeforeGalileo).toBe(true);
    expect(result.status?.ok).toBe(true);
    expect(result.status?.apiInstances).toContainEqual(
      expect.objectContaining({ version: '1.9.0', state: 'bridged' }),
    );
    expectCompleteAdkTrace(spans, 'adk-first');
  }, 90_000);

  it('exports the complete ADK trace when the provider is registered before @google/adk is imported', async () => {
    const { result, spans, stderr } = await runScript('provider-first.mjs', 'provider-first');
    expect(stderr).not.toContain('[galileo-otel]');
    // The set-up module (core + adapter) does not load ADK, so this order is genuine.
    expect(result.adkImportedBeforeGalileo).toBe(false);
    expect(result.status?.ok).toBe(true);
    expectCompleteAdkTrace(spans, 'provider-first');
  }, 90_000);

  it('never loses ADK spans silently with ADK’s own maybeSetOtelProviders() set-up', async () => {
    const before = sink.spans().length;
    const { result, stderr } = await runScript('adk-otel-setup.mjs', 'adk-otel-setup');
    const spans = sink.spans().slice(before);
    expect(result.status?.ok).toBe(true);
    // ADK registers the global through its api 1.9.0: ADK's spans still reach Galileo ...
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'chat gemini-2.5-flash',
        'chat gemini-2.5-flash',
        'execute_tool get_weather',
        'invocation',
        'invoke_agent weather_agent',
      ].sort(),
    );
    // ... but the app's own spans (api 1.10) cannot: not silent, the fix is printed at start-up.
    expect(spans.some((s) => s.name.startsWith('app '))).toBe(false);
    expect(stderr).toContain(
      '[galileo-otel] google-adk: the global tracer provider was registered',
    );
    // Found at start-up and again at the first span: printed once.
    expect(stderr.split('the global tracer provider was registered')).toHaveLength(2);
    expect(stderr).toContain('do not call maybeSetOtelProviders(); call registerGalileo(');
  }, 90_000);

  it('sent every model call to the local model', () => {
    expect(model.requests.length).toBeGreaterThanOrEqual(6);
    expect(model.requests.every((r) => r.status === 200)).toBe(true);
  });
});
