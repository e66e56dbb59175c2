// Runs the published `galileo-otel-local-model` command as a real process
// (bin/galileo-otel-local-model.js, which loads the built dist/cli.js).
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';

const bin = fileURLToPath(new URL('../bin/galileo-otel-local-model.js', import.meta.url));
const running = new Set<ChildProcess>();
let dir: string | undefined;

afterEach(async () => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Waits for the `local-model listening on <url>` line. */
function listeningUrl(r: Run): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL within 10 s:\n${r.stderr()}`)), 10_000);
    const look = () => {
      const match = /^local-model listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(r.stdout());
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    r.child.stdout?.on('data', look);
    void r.exited.then(() => reject(new Error(`exited early:\n${r.stdout()}${r.stderr()}`)));
  });
}

describe('the galileo-otel-local-model bin', () => {
  it('serves with the rules of --scenario-file, prints where, and exits 0 on SIGTERM', async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-model-cli-'));
    const file = join(dir, 'scenarios.json');
    await writeFile(file, JSON.stringify({ byText: { 'cli-marker': 'refusal' } }));
    const r = run(['--scenario-file', file]);
    const url = await listeningUrl(r);
    expect(r.stdout()).toContain(`  export OPENAI_BASE_URL=${url}/v1\n`);
    expect(r.stdout()).toContain(`  export GOOGLE_GEMINI_BASE_URL=${url}\n`);
    expect(r.stdout()).toContain(`  export ANTHROPIC_BASE_URL=${url}\n`);

    const client = new OpenAI({ apiKey: 'sk-local', baseURL: `${url}/v1`, maxRetries: 0 });
    const res = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Mars. cli-marker' }],
    });
    // The refusal comes from the file's rule: without it the model would answer about Mars.
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.choices[0]?.message.refusal).toMatch(/can't help/);

    r.child.kill('SIGTERM');
    expect(await r.exited).toEqual({ code: 0, signal: null });
    expect(r.stderr()).toBe('');
  });

  it('exits 1 with the reason and the usage on a bad port or scenario file', async () => {
    const port = run(['--port', 'abc']);
    expect(await port.exited).toEqual({ code: 1, signal: null });
    expect(port.stderr()).toMatch(
      /^--port must be an integer from 0 to 65535, got "abc"\n\nUsage:/,
    );

    dir = await mkdtemp(join(tmpdir(), 'local-model-cli-'));
    const file = join(dir, 'scenarios.json');
    await writeFile(file, JSON.stringify({ byModel: { m: 'nonsense' } }));
    const bad = run(['--scenario-file', file]);
    expect(await bad.exited).toEqual({ code: 1, signal: null });
    expect(bad.stderr()).toContain('nonsense');
    expect(bad.stdout()).toBe('');
  });
});
