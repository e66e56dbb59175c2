// Generates a package with the repository's scaffold script (scripts/new-adapter.mjs) into a
// temporary workspace that shares this repository's node_modules, then typechecks, builds and
// runs it: the generated package must compile and run the conformance kit, failing with TODOs.
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GalileoAdapter } from '@galileo-otel/core/adapter';
import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConformanceSuite } from './create-conformance-suite.js';
import { fakeDriver } from './test-support/fake-driver.js';
import type { FrameworkEvent } from './test-support/fake-framework.js';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const script = join(repo, 'scripts', 'new-adapter.mjs');
const bin = (pkg: string, file: string) => join(repo, 'node_modules', pkg, file);
let work: string;
let generated: string;

const node = (args: string[], cwd: string) => {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST'),
  );
  return spawnSync(process.execPath, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
};

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'new-adapter-'));
  for (const file of [
    'package.json',
    'tsconfig.base.json',
    'turbo.json',
    'biome.json',
    '.gitignore',
  ]) {
    copyFileSync(join(repo, file), join(work, file));
  }
  mkdirSync(join(work, '.changeset'));
  copyFileSync(join(repo, '.changeset', 'config.json'), join(work, '.changeset', 'config.json'));
  mkdirSync(join(work, 'packages'));
  symlinkSync(join(repo, 'node_modules'), join(work, 'node_modules'), 'dir');
  generated = join(work, 'packages', 'adapter-demo-fw');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const generatedModule = async () =>
  (await import(pathToFileURL(join(generated, 'dist', 'index.js')).href)) as {
    demoFw: (options: {
      subscribe: (listener: (event: FrameworkEvent) => void) => () => void;
    }) => GalileoAdapter;
  };

// These tests run the scaffold, tsc twice and the generated package's own tests as processes:
// 14 s in one CI run for one of them. 120 s is a bound against a hang, not a timing assertion.
describe('npm run new-adapter', { timeout: 120_000 }, () => {
  it('scaffolds packages/adapter-<name> and its changeset, and nothing at the root', () => {
    const result = node([script, 'demo-fw', '--root', work], repo);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(
      'created packages/adapter-demo-fw (@galileo-otel/adapter-demo-fw)',
    );
    // The next steps are for any user's machine: plain npm, no locks or paths of this one.
    expect(result.stdout).toContain(
      '\n  2. npm install            (links the new workspace package)\n',
    );
    expect(result.stdout).not.toMatch(/flock|\/tmp\//);
    const pkg = JSON.parse(readFileSync(join(generated, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: '@galileo-otel/adapter-demo-fw',
      type: 'module',
      sideEffects: false,
      exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } },
      scripts: {
        build:
          'node -e "fs.rmSync(\'dist\', { recursive: true, force: true })" && tsc -p tsconfig.build.json',
        test: 'vitest run',
      },
      peerDependencies: { '@opentelemetry/api': '>=1.10.0 <1.11.0' },
      files: expect.arrayContaining(['dist', 'src', '!src/**/*.test.ts', 'LICENSE']),
      repository: { directory: 'packages/adapter-demo-fw' },
    });
    expect(pkg.dependencies['@galileo-otel/core']).toMatch(/^\^\d/);
    expect(pkg.devDependencies['@galileo-otel/adapter-testkit']).toMatch(/^\^\d/);
    for (const file of [
      'tsconfig.json',
      'tsconfig.build.json',
      'vitest.config.ts',
      'README.md',
      'LICENSE',
    ]) {
      expect(existsSync(join(generated, file)), file).toBe(true);
    }
    expect(readFileSync(join(work, '.changeset', 'adapter-demo-fw-initial.md'), 'utf8')).toContain(
      '"@galileo-otel/adapter-demo-fw": minor',
    );
    expect(readFileSync(join(work, 'package.json'), 'utf8')).toBe(
      readFileSync(join(repo, 'package.json'), 'utf8'),
    );
  });

  it('generates a package that typechecks and builds', async () => {
    const tsc = bin('typescript', 'bin/tsc');
    const typecheck = node([tsc, '--noEmit'], generated);
    expect(typecheck.stdout + typecheck.stderr).toBe('');
    expect(typecheck.status).toBe(0);
    const build = node([tsc, '-p', 'tsconfig.build.json'], generated);
    expect(build.stdout + build.stderr).toBe('');
    expect(build.status).toBe(0);
    expect(existsSync(join(generated, 'dist', 'conformance.test.js'))).toBe(false);
    const mod = await generatedModule();
    expect(mod.demoFw({ subscribe: () => () => {} }).name).toBe('demo-fw');
  });

  it('generates a bridge on the core kit that passes every rule of the conformance kit', async () => {
    const source = readFileSync(join(generated, 'src', 'demo-fw.ts'), 'utf8');
    for (const piece of [
      'createAdapterLogger',
      'adapterPackage(import.meta.url)',
      'new RunRegistry',
      'markIncomplete',
      'recordSpanError',
      'messagesJson',
      'toolCall',
    ]) {
      expect(source, piece).toContain(piece);
    }
    expect(source).toContain("from '@galileo-otel/core/adapter'");
    const { demoFw } = await generatedModule();
    // The generated event types are the fake framework's, so the fake's events feed it as is.
    const driver = fakeDriver('none', (framework) =>
      demoFw({ subscribe: (listener) => framework.on(listener) }),
    );
    const suite = createConformanceSuite({ name: 'demo-fw', driver });
    await suite.start();
    const results = [];
    try {
      for (const scenario of suite.scenarios)
        results.push([scenario.id, await scenario.run()] as const);
    } finally {
      await suite.stop();
    }
    expect(results.map(([id]) => id)).toHaveLength(9);
    for (const [id, result] of results) {
      expect({ id, findings: result.findings.map((f) => f.message) }).toEqual({ id, findings: [] });
    }
    // The tracer is named after the generated package, at its version.
    const [, first] = results[0] ?? [];
    expect((first?.spans[0] as OtlpSpan | undefined)?.scope).toEqual({
      name: '@galileo-otel/adapter-demo-fw',
      version: '0.1.0',
    });
  });

  it('generates code that passes the repository Biome check (lint and format)', () => {
    const biome = node([bin('@biomejs/biome', 'bin/biome'), 'check', generated], work);
    expect(biome.status, biome.stdout + biome.stderr).toBe(0);
  });

  it('runs the conformance kit, which fails with the driver TODOs', () => {
    const output = join(work, 'report.json');
    node(
      [bin('vitest', 'vitest.mjs'), 'run', '--reporter=json', `--outputFile=${output}`],
      generated,
    );
    const report = JSON.parse(readFileSync(output, 'utf8')) as {
      testResults: {
        assertionResults: { title: string; status: string; failureMessages: string[] }[];
      }[];
    };
    const results = report.testResults.flatMap((r) => r.assertionResults);
    expect(results).toHaveLength(9);
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(8);
    for (const r of failed) expect(r.failureMessages.join('\n')).toMatch(/DriverTodoError: TODO: /);
    expect(failed[0]?.failureMessages[0]).toContain(
      'TODO: runAgentWithTool: run one demo-fw agent with one tool on run.input',
    );
  });

  it('refuses an existing package and a name that is not kebab-case', () => {
    const again = node([script, 'demo-fw', '--root', work], repo);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already exists');
    const bad = node([script, 'Demo_FW', '--root', work], repo);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('"Demo_FW" is not a kebab-case name');
  });
});
