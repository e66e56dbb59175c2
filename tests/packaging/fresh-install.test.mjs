// The published packages as a new user gets them. Every package is packed with `npm pack`,
// then installed from those tarballs with plain npm and the public registry (the shared npm
// cache, no workspace links) into fresh apps under os.tmpdir(), outside the repository. The
// commands are the ones the READMEs give, read from the READMEs inside the tarballs, with only
// `@galileo-otel/<name>` replaced by its tarball; each adapter's Quick start runs as written
// against a local Galileo receiver and the local model server.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@galileo-otel/devtools';
import { startLocalModel } from '@galileo-otel/local-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const API_RANGE = '>=1.10.0 <1.11.0';

/** The packages npm would publish: every non-private `packages/*` workspace. */
const published = readdirSync(join(repo, 'packages'))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'))),
  }))
  .filter(({ pkg }) => !pkg.private);

let work;
/** Package name → absolute tarball path. */
const tarballs = new Map();
/** Package name → the file list `npm pack` reported. */
const packedFiles = new Map();
let receiver;
let model;

/**
 * The environment of a user's shell: none of the variables of the npm / vitest process running
 * this test (vitest sets NODE_ENV=test, which turns @openai/agents tracing off), no Galileo or
 * model settings of the machine, and quiet npm extras that do not change what gets installed.
 */
function userEnv(extra = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    const skip =
      /^(npm_|vitest|galileo_|openai_|gemini_|google_|otel_|anthropic_|claude_)/i.test(key) ||
      ['NODE_ENV', 'NODE_OPTIONS', 'INIT_CWD', 'TEST'].includes(key);
    if (!skip) env[key] = value;
  }
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    npm_config_prefer_offline: 'true',
    ...extra,
  };
}

/** Runs a command to its end; never rejects, so a failing npm can be asserted on. */
function run(command, args, { cwd, env = userEnv(), timeout = 600_000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], timeout });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', (error) => resolve({ code: -1, stdout, stderr: `${stderr}${error}` }));
    child.on('close', (code, signal) =>
      resolve({ code: code ?? -1, signal, stdout, stderr, output: `${stdout}\n${stderr}` }),
    );
  });
}

/** Splits a README shell line into words (single and double quotes, no expansion). */
function words(line) {
  const out = [];
  for (const match of line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)) {
    out.push(match[1] ?? match[2] ?? match[3]);
  }
  return out;
}

/** Runs one README command in `app`, each `@galileo-otel/<name>` replaced by its tarball. */
function runReadmeLine(line, app) {
  const [command, ...args] = words(line.replace(/\s+#.*$/, ''));
  const mapped = args.map((arg) => tarballs.get(arg) ?? arg);
  return run(command, mapped, { cwd: app });
}

/** The fenced code blocks of a markdown text, each with the `##` heading it sits under. */
function codeBlocks(markdown) {
  const blocks = [];
  let heading = '';
  let open;
  for (const [index, line] of markdown.split('\n').entries()) {
    const fence = /^\s*```(\S*)/.exec(line);
    if (open) {
      if (fence) {
        blocks.push(open);
        open = undefined;
      } else open.lines.push(line.replace(open.indent, ''));
    } else if (fence) {
      open = { lang: fence[1], heading, line: index + 1, indent: /^\s*/.exec(line)[0], lines: [] };
    } else if (line.startsWith('## ')) heading = line.slice(3).trim();
  }
  return blocks.map((b) => ({ ...b, text: b.lines.join('\n') }));
}

/** A package's README as packed (`README.md` is in every package's `files`). */
function readme(dir) {
  return readFileSync(join(repo, 'packages', dir, 'README.md'), 'utf8');
}

/** The README a user reads: the one inside the installed tarball. */
function readmeOf(app, name) {
  return readFileSync(join(app, 'node_modules', name, 'README.md'), 'utf8');
}

/** The npm commands of a README's first shell block that has any. */
function installLines(markdown) {
  for (const block of codeBlocks(markdown)) {
    if (block.lang !== 'sh') continue;
    const lines = block.lines.filter((l) => /^npm (install|i|pkg) /.test(l.trim()));
    if (lines.length > 0) return lines.map((l) => l.trim());
  }
  return [];
}

/** The package specs of `npm install`/`npm i` lines, flags left out. */
function installSpecs(lines) {
  return lines
    .filter((l) => /^npm (install|i) /.test(l))
    .flatMap((l) => words(l).slice(2))
    .filter((w) => !w.startsWith('-'));
}

async function newApp(name) {
  const app = join(work, name);
  mkdirSync(app);
  await writeFile(
    join(app, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  return app;
}

/** Every installed copy of @opentelemetry/api under `app`, as `version path` lines. */
function apiCopies(app) {
  const found = [];
  const visit = (modules) => {
    if (!existsSync(modules)) return;
    for (const entry of readdirSync(modules)) {
      if (entry.startsWith('.')) continue;
      const dirs = entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((e) => join(modules, entry, e))
        : [join(modules, entry)];
      for (const dir of dirs) {
        if (relative(modules, dir) === join('@opentelemetry', 'api')) {
          const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
          found.push(`${version} ${relative(app, dir)}`);
        }
        visit(join(dir, 'node_modules'));
      }
    }
  };
  visit(join(app, 'node_modules'));
  return found.sort();
}

/** Runs `node -e` in `app`, importing `name` as a user's ESM code would. */
function importIn(app, name) {
  return run(
    process.execPath,
    ['-e', `import(${JSON.stringify(name)}).then((m) => console.log(Object.keys(m).length))`],
    { cwd: app },
  );
}

/** The Quick start block of an installed package's README, written to `<app>/<file>`. */
async function writeQuickStart(app, name, file) {
  const block = codeBlocks(readmeOf(app, name)).find(
    (b) => b.heading === 'Quick start' && b.lang === 'ts',
  );
  expect(block, `${name} README has a ts block under "## Quick start"`).toBeDefined();
  await writeFile(join(app, file), `${block.text}\n`);
}

/** Runs a Quick start with `node <file>` (type stripping), exporting to the local receiver. */
function runQuickStart(app, file, project) {
  return run(process.execPath, [file], {
    cwd: app,
    timeout: 120_000,
    env: userEnv({
      GALILEO_API_ENDPOINT: receiver.otlpUrl,
      GALILEO_API_KEY: 'gal-local-key',
      GALILEO_PROJECT: project,
      OPENAI_BASE_URL: `${model.url}/v1`,
      OPENAI_API_KEY: 'sk-local',
      GOOGLE_GEMINI_BASE_URL: model.url,
      GEMINI_API_KEY: 'local',
      GOOGLE_GENAI_API_KEY: 'local',
    }),
  });
}

/** The spans the receiver stored for `project`, after a bounded wait for the first trace. */
async function spansOf(project) {
  for (let i = 0; i < 50 && receiver.store.listTraces({ project }).length === 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return receiver.store
    .listTraces({ project })
    .flatMap((t) => receiver.store.getTrace(t.traceId).filter((s) => s.project === project));
}

/** A Quick start delivered one trace with an agent, an llm and a tool span, and no orphans. */
async function expectAgentTrace(result, project) {
  const log = `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n${result.output}`;
  expect(result.code, log).toBe(0);
  const spans = await spansOf(project);
  expect(spans.length, `no spans reached the receiver:\n${log}`).toBeGreaterThan(0);
  expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
  for (const kind of ['agent', 'llm', 'tool']) expect(spans.map((s) => s.kind)).toContain(kind);
  expect(spans.filter((s) => s.orphan)).toEqual([]);
  return spans;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'galileo-otel-fresh-install-'));
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  const workspaces = published.flatMap(({ dir }) => ['-w', `packages/${dir}`]);
  const packed = await run(
    'npm',
    ['pack', '--json', '--ignore-scripts', '--pack-destination', packs, ...workspaces],
    { cwd: repo },
  );
  if (packed.code !== 0) throw new Error(`npm pack failed:\n${packed.output}`);
  for (const info of JSON.parse(packed.stdout)) {
    tarballs.set(info.name, join(packs, info.filename));
    packedFiles.set(
      info.name,
      info.files.map((f) => f.path),
    );
  }
  [receiver, model] = await Promise.all([
    startDevServer({ port: 0, dbPath: ':memory:' }),
    startLocalModel({ port: 0 }),
  ]);
});

afterAll(async () => {
  await receiver?.close();
  await model?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed tarballs', () => {
  it('packs every published package', () => {
    expect([...tarballs.keys()].sort()).toEqual(published.map(({ pkg }) => pkg.name).sort());
  });

  it('ship a LICENSE, the manifest links, and the source files their maps point at', () => {
    for (const { dir, pkg } of published) {
      const files = new Set(packedFiles.get(pkg.name));
      expect(files.has('LICENSE'), `${pkg.name} LICENSE`).toBe(true);
      expect(readFileSync(join(repo, 'packages', dir, 'LICENSE'), 'utf8')).toContain(
        'Apache License\n                           Version 2.0, January 2004',
      );
      expect(pkg.license).toBe('Apache-2.0');
      expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
      expect(pkg.homepage).toMatch(/^https:\/\//);
      expect(pkg.bugs?.url).toMatch(/^https:\/\//);
      const maps = [...files].filter((f) => f.endsWith('.map'));
      expect(maps.length, `${pkg.name} has source maps`).toBeGreaterThan(0);
      for (const map of maps) {
        const { sources } = JSON.parse(readFileSync(join(repo, 'packages', dir, map), 'utf8'));
        for (const source of sources) {
          const target = normalize(join(dirname(map), source));
          expect(files.has(target), `${pkg.name}: ${map} points at ${target}`).toBe(true);
        }
      }
      expect([...files].filter((f) => /\.test\.|__fixtures__|test-support/.test(f))).toEqual([]);
    }
  });

  it('declare the @opentelemetry/api range of core wherever core is loaded', () => {
    for (const { pkg } of published) {
      const usesCore =
        pkg.name === '@galileo-otel/core' || pkg.dependencies?.['@galileo-otel/core'];
      expect(pkg.peerDependencies?.['@opentelemetry/api'], pkg.name).toBe(
        usesCore ? API_RANGE : undefined,
      );
    }
  });
});

describe("core's README install line", () => {
  let app;
  beforeAll(async () => {
    app = await newApp('core-app');
  });

  it('is refused by npm with a clear ERESOLVE when @opentelemetry/api is 1.9.1', async () => {
    const result = await runReadmeLine(
      'npm install @galileo-otel/core @opentelemetry/api@1.9.1',
      app,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ERESOLVE');
    expect(result.stderr).toContain(
      `peer @opentelemetry/api@"${API_RANGE}" from @galileo-otel/core`,
    );
    expect(existsSync(join(app, 'node_modules', '@galileo-otel', 'core'))).toBe(false);
  });

  it('installs as written, with one @opentelemetry/api 1.10 copy, and core imports', async () => {
    const lines = installLines(readme('core'));
    expect(lines).toEqual(['npm install @galileo-otel/core @opentelemetry/api']);
    const result = await runReadmeLine(lines[0], app);
    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain('ERESOLVE');
    expect(apiCopies(app)).toEqual([
      expect.stringMatching(/^1\.10\.\d+ node_modules\/@opentelemetry\/api$/),
    ]);
    const imported = await importIn(app, '@galileo-otel/core');
    expect(imported.code, imported.output).toBe(0);
  });
});

describe("core's README with an OTel SDK 2 library (NodeSDK 0.223)", () => {
  let app;
  beforeAll(async () => {
    app = await newApp('sdk2-app');
  });

  it('stops with ERESOLVE without the override, as the README says', async () => {
    const result = await runReadmeLine(
      'npm install @galileo-otel/core @opentelemetry/sdk-node@0.223.0',
      app,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('ERESOLVE');
  });

  it('installs one @opentelemetry/api 1.10 copy with the README commands, and core imports', async () => {
    const block = codeBlocks(readme('core')).find(
      (b) => b.lang === 'sh' && b.text.includes('npm pkg set'),
    );
    const lines = block.lines.map((l) => l.trim()).filter(Boolean);
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const result = await runReadmeLine(line, app);
      expect(result.code, `${line}\n${result.output}`).toBe(0);
      expect(result.output, line).not.toContain('ERESOLVE');
    }
    expect(apiCopies(app)).toEqual([expect.stringMatching(/^1\.10\.\d+ node_modules\//)]);
    const imported = await importIn(app, '@galileo-otel/core');
    expect(imported.code, imported.output).toBe(0);
  });
});

describe('an app with every package but Google ADK, installed by the READMEs', () => {
  const readmes = [
    'core',
    'adapter-openai-agents',
    'adapter-vercel-ai',
    'adapter-mastra',
    'adapter-langchain',
    'a2a',
    'devtools',
    'adapter-testkit',
    'mcp',
  ];
  let app;
  let install;
  beforeAll(async () => {
    app = await newApp('main-app');
    const specs = new Set(readmes.flatMap((dir) => installSpecs(installLines(readme(dir)))));
    // Packages whose READMEs name no install line (imported below) come from their tarballs too.
    for (const { pkg } of published) {
      if (pkg.name !== '@galileo-otel/adapter-google-adk') specs.add(pkg.name);
    }
    install = await run('npm', ['install', ...[...specs].map((s) => tarballs.get(s) ?? s)], {
      cwd: app,
    });
  });

  it('installs without a peer conflict, with one @opentelemetry/api copy', () => {
    expect(install.code, install.output).toBe(0);
    expect(install.output).not.toContain('ERESOLVE');
    expect(apiCopies(app)).toEqual([expect.stringMatching(/^1\.10\.\d+ node_modules\//)]);
  });

  it("imports every package's entry", async () => {
    for (const { pkg } of published) {
      if (pkg.name === '@galileo-otel/adapter-google-adk') continue;
      const result = await importIn(app, pkg.name);
      expect(result.code, `${pkg.name}\n${result.output}`).toBe(0);
      expect(Number(result.stdout.trim()), pkg.name).toBeGreaterThan(0);
    }
  });

  it('runs the devtools and local-model bins by their commands, scoped or local', async () => {
    const local = await run('npx', ['galileo-otel', '--help'], { cwd: app });
    expect(local.code, local.output).toBe(0);
    expect(local.stdout).toContain('galileo-otel dev [--port 4318]');
    const scoped = await run('npx', ['-p', '@galileo-otel/devtools', 'galileo-otel', '--help'], {
      cwd: app,
    });
    expect(scoped.code, scoped.output).toBe(0);
    expect(scoped.stdout).toBe(local.stdout);
    const modelCli = await run(
      'npx',
      ['-p', '@galileo-otel/local-model', 'galileo-otel-local-model', '--help'],
      { cwd: app },
    );
    expect(modelCli.code, modelCli.output).toBe(0);
    expect(modelCli.stdout).toContain('Usage: galileo-otel-local-model');
  });

  it('runs the OpenAI Agents Quick start as written, and its spans arrive', async () => {
    await writeQuickStart(app, '@galileo-otel/adapter-openai-agents', 'openai-agents.ts');
    const result = await runQuickStart(app, 'openai-agents.ts', 'qs-openai-agents');
    const spans = await expectAgentTrace(result, 'qs-openai-agents');
    expect(spans.map((s) => s.name)).toContain('invoke_agent WeatherAgent');
  });

  it('runs the Vercel AI SDK Quick start as written, and its spans arrive', async () => {
    await writeQuickStart(app, '@galileo-otel/adapter-vercel-ai', 'vercel-ai.ts');
    const result = await runQuickStart(app, 'vercel-ai.ts', 'qs-vercel-ai');
    const spans = await expectAgentTrace(result, 'qs-vercel-ai');
    expect(spans.map((s) => s.name)).toContain('invoke_agent weather-agent');
    expect(spans.every((s) => s.attributes['galileo.session.id'] === 'sess-42')).toBe(true);
  });

  it('runs the A2A Quick start as written: a CLIENT and a SERVER span in one trace', async () => {
    await writeQuickStart(app, '@galileo-otel/a2a', 'a2a.ts');
    const result = await runQuickStart(app, 'a2a.ts', 'qs-a2a');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('Three facts about Voyager 1.');
    const spans = await spansOf('qs-a2a');
    expect(spans.map((s) => `${s.name} ${s.spanKind}`).sort()).toEqual([
      'SendMessage 2',
      'SendMessage 3',
    ]);
    const [server, client] = [2, 3].map((kind) => spans.find((s) => s.spanKind === kind));
    expect(server.parentSpanId).toBe(client.spanId);
    expect(spans.every((s) => s.attributes['galileo.session.id'] === 'conversation-42')).toBe(true);
  });

  it('runs the MCP Quick start as written: client and server processes, one trace', async () => {
    await writeQuickStart(app, '@galileo-otel/mcp', 'mcp.ts');
    const result = await runQuickStart(app, 'mcp.ts', 'qs-mcp');
    expect(result.code, result.output).toBe(0);
    expect(result.stdout).toContain('Voyager 1 was launched in 1977.');
    const spans = await spansOf('qs-mcp');
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    expect(spans.filter((s) => s.orphan)).toEqual([]);
    const byName = (name, service) =>
      spans.find((s) => s.name === name && s.serviceName === service);
    const client = byName('tools/call research', 'agent');
    const server = byName('tools/call research', 'research-server');
    expect(client?.parentSpanId).toBe(byName('ask', 'agent')?.spanId);
    expect(server?.parentSpanId).toBe(client?.spanId);
    expect(spans.map((s) => s.attributes['galileo.session.id'])).toEqual(
      spans.map(() => 'conversation-42'),
    );
  });

  it('runs the Mastra Quick start as written, and its spans arrive', async () => {
    await writeQuickStart(app, '@galileo-otel/adapter-mastra', 'mastra.ts');
    const result = await runQuickStart(app, 'mastra.ts', 'qs-mastra');
    const spans = await expectAgentTrace(result, 'qs-mastra');
    expect(spans.map((s) => s.name)).toContain('invoke_agent Weather Agent');
  });

  it('runs the LangChain Quick start as written, and its spans arrive', async () => {
    await writeQuickStart(app, '@galileo-otel/adapter-langchain', 'langchain.ts');
    const result = await runQuickStart(app, 'langchain.ts', 'qs-langchain');
    const spans = await expectAgentTrace(result, 'qs-langchain');
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'invoke_agent weather_agent',
        'model_request',
        'tools',
        'execute_tool get_weather',
        'chat gpt-4.1-mini',
      ]),
    );
  });
});

describe("Google ADK's README install and Quick start", () => {
  let app;
  const outputs = [];
  beforeAll(async () => {
    app = await newApp('adk-app');
    for (const line of installLines(readme('adapter-google-adk'))) {
      outputs.push({ line, ...(await runReadmeLine(line, app)) });
    }
  });

  it('installs as written without a single ERESOLVE warning, with one api copy', () => {
    expect(outputs.map((o) => o.line)).toEqual([
      'npm install @opentelemetry/api',
      "npm pkg set 'overrides[@opentelemetry/api]=$@opentelemetry/api'",
      'npm install @galileo-otel/core @galileo-otel/adapter-google-adk @google/adk zod',
    ]);
    for (const { line, code, output } of outputs) {
      expect(code, `${line}\n${output}`).toBe(0);
      expect(output, line).not.toContain('ERESOLVE');
    }
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
    expect(manifest.overrides).toEqual({ '@opentelemetry/api': '$@opentelemetry/api' });
    expect(apiCopies(app)).toEqual([
      expect.stringMatching(/^1\.10\.\d+ node_modules\/@opentelemetry\/api$/),
    ]);
  });

  it('passes galileo-otel doctor (one @opentelemetry/api copy)', async () => {
    const doctor = await run(
      process.execPath,
      [join(work, 'main-app/node_modules/@galileo-otel/devtools/bin/galileo-otel.js'), 'doctor'],
      {
        cwd: app,
        env: userEnv({ GALILEO_API_ENDPOINT: receiver.otlpUrl, GALILEO_API_KEY: 'gal-local-key' }),
      },
    );
    expect(doctor.stdout).toContain('One copy of @opentelemetry/api: 1.10.');
    expect(doctor.code, doctor.output).toBe(0);
  });

  it('runs the Quick start as written, and its spans arrive', async () => {
    const imported = await importIn(app, '@galileo-otel/adapter-google-adk');
    expect(imported.code, imported.output).toBe(0);
    await writeQuickStart(app, '@galileo-otel/adapter-google-adk', 'google-adk.ts');
    const result = await runQuickStart(app, 'google-adk.ts', 'qs-google-adk');
    const spans = await expectAgentTrace(result, 'qs-google-adk');
    expect(spans.map((s) => s.name)).toEqual(
      expect.arrayContaining([
        'invocation',
        'invoke_agent weather_agent',
        'execute_tool get_weather',
      ]),
    );
  });
});

// The Claude Agent SDK is an optional peer of its adapter, and its CLI is a 490 MB native
// binary: the main app above has the adapter without it (and imports it), this app installs it as
// the README says and runs the Quick start, with the CLI kept to loopback and its own folders.
describe("the Claude Agent SDK's README install and Quick start", () => {
  let app;
  const outputs = [];
  beforeAll(async () => {
    app = await newApp('claude-app');
    for (const line of installLines(readme('adapter-claude-agent-sdk'))) {
      outputs.push({ line, ...(await runReadmeLine(line, app)) });
    }
  });

  it('installs as written, with the SDK and its CLI, and one @opentelemetry/api copy', () => {
    expect(outputs.map((o) => o.line)).toEqual([
      'npm install @galileo-otel/core @galileo-otel/adapter-claude-agent-sdk @opentelemetry/api @anthropic-ai/claude-agent-sdk zod',
    ]);
    for (const { line, code, output } of outputs) {
      expect(code, `${line}\n${output}`).toBe(0);
      expect(output, line).not.toContain('ERESOLVE');
    }
    expect(apiCopies(app)).toEqual([
      expect.stringMatching(/^1\.10\.\d+ node_modules\/@opentelemetry\/api$/),
    ]);
  });

  it('runs the Quick start as written, and its spans arrive', async () => {
    await writeQuickStart(app, '@galileo-otel/adapter-claude-agent-sdk', 'claude.ts');
    mkdirSync(join(app, '.claude-tmp'));
    const result = await run(process.execPath, ['claude.ts'], {
      cwd: app,
      timeout: 120_000,
      env: userEnv({
        GALILEO_API_ENDPOINT: receiver.otlpUrl,
        GALILEO_API_KEY: 'gal-local-key',
        GALILEO_PROJECT: 'qs-claude-agent-sdk',
        ANTHROPIC_BASE_URL: model.url,
        ANTHROPIC_API_KEY: 'sk-ant-local',
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
        CLAUDE_CONFIG_DIR: join(app, '.claude'),
        CLAUDE_CODE_TMPDIR: join(app, '.claude-tmp'),
      }),
    });
    expect(result.stdout).toContain('Sunny, 21 °C in Paris');
    const spans = await expectAgentTrace(result, 'qs-claude-agent-sdk');
    expect(spans.map((s) => s.name).sort()).toEqual(
      [
        'chat claude-sonnet-4-5',
        'chat claude-sonnet-4-5',
        'execute_tool get_weather',
        'invoke_agent weather_agent',
      ].sort(),
    );
  });
});

// Every `ts` block of the READMEs and guides, type-checked in the app whose packages it uses:
// a snippet may only use names it imports or defines, and the APIs it calls must exist. Modules
// the apps do not install (other libraries, the reader's own files) are the only allowed misses.
describe('the TypeScript blocks of every README and guide', () => {
  const TSC = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
  const NOT_INSTALLED = new Set([
    '@ai-sdk/otel',
    '@opentelemetry/instrumentation-http',
    '@opentelemetry/sdk-node',
    '@sentry/node',
    '@vercel/functions',
    '@vercel/otel',
    'next/server',
    'tinyagents',
  ]);
  const docs = [
    'README.md',
    ...published.map(({ dir }) => `packages/${dir}/README.md`),
    'examples/README.md',
    'examples/seed/README.md',
    ...readdirSync(join(repo, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  const forAdk = (file) => file.includes('google-adk') || file.startsWith('examples/seed/');
  const forClaude = (file) => file.includes('adapter-claude-agent-sdk');

  async function typecheck(app, files) {
    const dir = join(app, 'readme-blocks');
    mkdirSync(dir, { recursive: true });
    let count = 0;
    for (const file of files) {
      for (const block of codeBlocks(readFileSync(join(repo, file), 'utf8'))) {
        if (block.lang !== 'ts') continue;
        const name = `${file.replaceAll('/', '_').replace(/\.md$/, '')}_${block.line}.ts`;
        await writeFile(join(dir, name), `${block.text}\nexport {};\n`);
        count += 1;
      }
    }
    await writeFile(
      join(app, 'tsconfig.readme-blocks.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          target: 'es2023',
          lib: ['es2023'],
          strict: true,
          noImplicitAny: false,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(repo, 'node_modules', '@types')],
        },
        include: ['readme-blocks/*.ts'],
      }),
    );
    const result = await run(
      process.execPath,
      [TSC, '-p', 'tsconfig.readme-blocks.json', '--pretty', 'false'],
      { cwd: app },
    );
    const problems = result.stdout
      .split('\n')
      .filter((line) => line.startsWith('readme-blocks/'))
      .filter((line) => {
        const missing = /error TS2307: Cannot find module '([^']+)'/.exec(line)?.[1];
        return !(missing && (NOT_INSTALLED.has(missing) || /^(\.|@\/)/.test(missing)));
      });
    return { count, problems };
  }

  it('type-check in the fresh apps, using only names they import or define', async () => {
    const main = join(work, 'main-app');
    const adk = join(work, 'adk-app');
    expect(existsSync(join(main, 'node_modules')), 'the main app was installed').toBe(true);
    expect(existsSync(join(adk, 'node_modules')), 'the ADK app was installed').toBe(true);
    const claude = join(work, 'claude-app');
    expect(existsSync(join(claude, 'node_modules')), 'the Claude app was installed').toBe(true);
    const general = await typecheck(
      main,
      docs.filter((f) => !forAdk(f) && !forClaude(f)),
    );
    const google = await typecheck(adk, docs.filter(forAdk));
    const anthropic = await typecheck(claude, docs.filter(forClaude));
    expect(general.count).toBeGreaterThan(20);
    expect(google.count).toBeGreaterThan(2);
    expect(anthropic.count).toBeGreaterThan(0);
    expect([...general.problems, ...google.problems, ...anthropic.problems]).toEqual([]);
  });
});
