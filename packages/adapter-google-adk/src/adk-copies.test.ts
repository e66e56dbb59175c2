import { execFile } from 'node:child_process';
import {
  copyFileSync,
  linkSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { galileoKind } from '@galileo-otel/core';
import { type LocalModelServer, startLocalModel } from '@galileo-otel/local-model';
import { type OtlpSink, type OtlpSpan, startOtlpSink } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// An app whose @google/adk is a different install than the ones reachable from this package and
// from the working directory (examples/google-adk started from the repository root): before the
// fix every ADK span of such an app was silently lost.
const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const repoRoot = join(packageDir, '..', '..');
const work = join(packageDir, '.vitest', 'adk-copies');
const appDir = join(work, 'app');
const appAdk = join(appDir, 'node_modules', '@google', 'adk');
const adapterOut = join(work, 'adapter');
const FIX = 'googleAdkTracing({ searchFrom: [import.meta.url] })';

let sink: OtlpSink;
let model: LocalModelServer;

/** Hard-links (or copies) a folder: a second install of the same files at another path. */
function linkTree(from: string, to: string): void {
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isFile()) {
      try {
        linkSync(source, target);
      } catch {
        copyFileSync(source, target);
      }
    }
  }
}

beforeAll(async () => {
  sink = await startOtlpSink();
  model = await startLocalModel({ port: 0 });
  rmSync(work, { recursive: true, force: true });
  // The adapter as published (compiled), in its own folder so a parallel `npm run build` of
  // dist cannot race with this test.
  await run(
    process.execPath,
    [
      join(repoRoot, 'node_modules', 'typescript', 'bin', 'tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      adapterOut,
    ],
    { cwd: packageDir },
  );
  const installed = realpathSync(join(packageDir, 'node_modules', '@google', 'adk'));
  linkTree(installed, appAdk);
  for (const file of ['app.mjs']) {
    copyFileSync(join(here, '__fixtures__', 'adk-copies', file), join(appDir, file));
  }
  copyFileSync(
    join(here, '__fixtures__', 'adk-copies', 'launcher.mjs'),
    join(work, 'launcher.mjs'),
  );
}, 120_000);

afterAll(async () => {
  await sink?.close();
  await model?.close();
  rmSync(work, { recursive: true, force: true });
});

async function start(entry: string, label: string, env: Record<string, string> = {}) {
  const { stdout, stderr } = await run(process.execPath, [entry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ADAPTER_URL: pathToFileURL(join(adapterOut, 'index.js')).href,
      SINK_URL: sink.url,
      GOOGLE_GEMINI_BASE_URL: model.url,
      LABEL: label,
      ...env,
    },
    timeout: 60_000,
  });
  const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    adk?: string[];
    fixed?: string[];
  };
  const spans = sink.spans().filter((s) => s.resource['service.name'] === label);
  return { result, stderr, spans };
}

/** The spans of run `i` (the trace of its `app <label> <i>` span). */
function runTrace(spans: OtlpSpan[], label: string, i: number): OtlpSpan[] {
  const root = spans.find((s) => s.name === `app ${label} ${i}`);
  expect(root, `app span of run ${i}`).toBeDefined();
  return spans.filter((s) => s.traceId === root?.traceId);
}

function expectCompleteAdkTrace(spans: OtlpSpan[]): void {
  const byName = (name: string) => spans.filter((s) => s.name === name);
  const root = spans.find((s) => s.name.startsWith('app '));
  const invocation = byName('invocation')[0];
  const agent = byName('invoke_agent weather_agent')[0];
  const tool = byName('execute_tool get_weather')[0];
  const llms = byName('chat gemini-2.5-flash');
  expect(
    spans
      .map((s) => s.name)
      .filter((n) => !n.startsWith('app '))
      .sort(),
  ).toEqual(
    [
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
  expect(spans.map((s) => galileoKind(s)).sort()).toEqual(
    ['agent', 'llm', 'llm', 'tool', 'workflow', 'workflow'].sort(),
  );
}

describe('an app with its own @google/adk install', () => {
  it('really is another install than the one this package resolves', () => {
    const own = realpathSync(join(packageDir, 'node_modules', '@google', 'adk'));
    expect(realpathSync(appAdk)).not.toBe(own);
    expect(statSync(join(appAdk, 'node_modules', '@opentelemetry', 'api')).isDirectory()).toBe(
      true,
    );
  });

  it('exports its ADK spans when started from the repository root', async () => {
    // cwd: the repository root; this package resolves another ADK copy. Found from
    // process.argv[1] and from the module cache (ADK's api copy is CommonJS).
    const { result, stderr, spans } = await start(join(appDir, 'app.mjs'), 'from-root', {
      PLUGIN: 'true',
    });
    expect(stderr).not.toContain('[galileo-otel]');
    expect(result.adk).toContain(realpathSync(appAdk));
    expectCompleteAdkTrace(runTrace(spans, 'from-root', 1));
  }, 90_000);

  it('exports its ADK spans when the entry script resolves another copy (found loaded)', async () => {
    // launcher.mjs's folder resolves this package's ADK, not the app's: only the module cache
    // tells which copy the app loaded.
    const { result, stderr, spans } = await start(join(work, 'launcher.mjs'), 'launcher', {
      PLUGIN: 'true',
    });
    expect(stderr).not.toContain('[galileo-otel]');
    expect(result.adk).toContain(realpathSync(appAdk));
    expectCompleteAdkTrace(runTrace(spans, 'launcher', 1));
  }, 90_000);

  it('warns once with the exact fix when the ADK running the agent is not connected', async () => {
    // ensureTracing off: nothing connects the app's copy, every ADK span is dropped. The plugin,
    // called by that ADK, names it and prints the fix at the first run.
    const { stderr, spans } = await start(join(work, 'launcher.mjs'), 'unconnected', {
      ENSURE_TRACING: 'false',
      PLUGIN: 'true',
      RUNS: '2',
    });
    expect(spans.map((s) => s.name).sort()).toEqual(['app unconnected 1', 'app unconnected 2']);
    const warnings = stderr.split('\n').filter((line) => line.includes(FIX));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(
      `the @google/adk that runs your agents (${realpathSync(appAdk)})`,
    );
  }, 90_000);

  it('exports every run with no warning once the app names its copy with searchFrom', async () => {
    const { result, stderr, spans } = await start(join(work, 'launcher.mjs'), 'search-from', {
      ENSURE_TRACING: 'false',
      PLUGIN: 'true',
      SEARCH_FROM_HERE: 'true',
      RUNS: '2',
    });
    expect(stderr).not.toContain('[galileo-otel]');
    expect(result.fixed).toContain('bridged');
    expectCompleteAdkTrace(runTrace(spans, 'search-from', 1));
    expectCompleteAdkTrace(runTrace(spans, 'search-from', 2));
  }, 90_000);
});
