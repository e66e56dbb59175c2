import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

interface Assertion {
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending';
  failureMessages: string[];
}
interface Report {
  testResults: { name: string; assertionResults: Assertion[] }[];
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));
let report: Report;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'adapter-testkit-'));
  const vitest = join(
    dirname(createRequire(import.meta.url).resolve('vitest/package.json')),
    'vitest.mjs',
  );
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'TEST'),
  );
  const output = join(work, 'report.json');
  spawnSync(
    process.execPath,
    [
      vitest,
      'run',
      '--config',
      'src/__fixtures__/vitest.fixtures.config.mjs',
      '--reporter=json',
      `--outputFile=${output}`,
    ],
    { cwd: packageDir, env, encoding: 'utf8', timeout: 120_000 },
  );
  report = JSON.parse(readFileSync(output, 'utf8')) as Report;
}, 130_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

const file = (suffix: string) => {
  const found = report.testResults.find((r) => r.name.endsWith(suffix));
  if (!found) throw new Error(`no results for ${suffix}`);
  return found.assertionResults;
};

describe('runAdapterConformance() under vitest', () => {
  it('registers one test per scenario and passes a correct adapter', () => {
    const results = file('correct.fixture.ts');
    expect(results.map((r) => [r.title, r.status])).toEqual([
      ['exports an agent run with a tool as one Galileo tree', 'passed'],
      ['marks the tool span as error when the tool throws', 'passed'],
      ['marks the llm span as error when the model call fails', 'passed'],
      [
        'exports a streamed run as one Galileo tree (unsupported: this fake has no streaming API)',
        'skipped',
      ],
      ['keeps 3 concurrent runs in separate traces without cross-talk', 'passed'],
      ["joins the caller's trace from an incoming traceparent", 'passed'],
      ['never exports a secret from the user input', 'passed'],
      ['delivers every span of a run by forceFlush()', 'passed'],
      ['sends nothing beyond 127.0.0.1', 'passed'],
    ]);
  });

  it('fails only the broken rule, with a review-comment message and the span tree', () => {
    const results = file('broken.fixture.ts');
    const failed = results.filter((r) => r.status === 'failed');
    expect(failed.map((r) => r.title)).toEqual([
      'marks the tool span as error when the tool throws',
    ]);
    const message = failed[0]?.failureMessages.join('\n') ?? '';
    expect(message).toContain(
      'ConformanceError: fake-no-error-status: marks the tool span as error when the tool throws:',
    );
    expect(message).toMatch(
      /\[tool-error\] tool span `execute_tool flaky_lookup` \(id [0-9a-f]{16}, parent [0-9a-f]{16}\) should have status ERROR \(2\) because the tool threw; saw status UNSET \(0\)/,
    );
    expect(message).toContain('Spans exported by this scenario (4):');
    expect(message).toMatch(/- invoke_agent research_agent \[agent\] id=[0-9a-f]{16}/);
  });
});
