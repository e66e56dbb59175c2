#!/usr/bin/env node
// `npm run new-adapter -- <name> [--root <dir>]`: scaffolds packages/adapter-<name>, a package
// that builds, typechecks and runs the adapter conformance kit (failing with TODOs until the
// adapter is written), plus its changeset. Nothing else changes at the root: npm workspaces
// (`packages/*`), turbo (which reads the workspaces) and changesets (every non-private
// workspace) pick the new folder up by themselves once `npm install` has linked it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const usage = `usage: npm run new-adapter -- <name> [--root <dir>]

  <name>        kebab-case framework name, e.g. "crewai" or "llama-index"
                (creates packages/adapter-<name>, package @galileo-otel/adapter-<name>)
  --root <dir>  the monorepo root (default: this script's repository)
`;

const RESERVED = new Set(
  'break case catch class const continue debugger default delete do else enum export extends false finally for function if import in instanceof new null return super switch this throw true try typeof var void while with yield let static implements interface package private protected public await'.split(
    ' ',
  ),
);

function fail(message) {
  process.stderr.write(`new-adapter: ${message}\n`);
  process.exit(1);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
} catch (error) {
  fail(`${error.message}\n\n${usage}`);
}
if (parsed.values.help) {
  process.stdout.write(usage);
  process.exit(0);
}
const [rawName, ...extra] = parsed.positionals;
if (!rawName || extra.length > 0) fail(`expected exactly one name\n\n${usage}`);
const name = rawName.replace(/^adapter-/, '');
if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name)) {
  fail(`"${rawName}" is not a kebab-case name (lower-case letters, digits and single dashes)`);
}
const camel = name.replace(/-([a-z0-9])/g, (_, c) => c.toUpperCase());
const fn = RESERVED.has(camel) ? `${camel}Adapter` : camel;

const root = resolve(parsed.values.root ?? join(dirname(new URL(import.meta.url).pathname), '..'));
const rootPackage = join(root, 'package.json');
if (!existsSync(rootPackage))
  fail(`no package.json at ${root}: pass the monorepo root with --root`);
const workspaces = JSON.parse(readFileSync(rootPackage, 'utf8')).workspaces ?? [];
const listed = Array.isArray(workspaces) ? workspaces : (workspaces.packages ?? []);
if (!listed.includes('packages/*')) {
  fail(`${rootPackage} does not list "packages/*" in its workspaces; add it first`);
}
const folder = `adapter-${name}`;
const dir = join(root, 'packages', folder);
if (existsSync(dir)) fail(`${relative(process.cwd(), dir) || dir} already exists`);

const versionOf = (pkg, fallback) => {
  const file = join(root, 'packages', pkg, 'package.json');
  return existsSync(file) ? `^${JSON.parse(readFileSync(file, 'utf8')).version}` : fallback;
};
const pkgName = `@galileo-otel/${folder}`;
// Manifest conventions and the LICENSE come from this script's own repository, so a scaffold
// into another root (`--root`) gets them too.
const home = join(dirname(new URL(import.meta.url).pathname), '..');
const core = JSON.parse(readFileSync(join(home, 'packages', 'core', 'package.json'), 'utf8'));
const repoUrl = core.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

const packageJson = {
  name: pkgName,
  version: '0.1.0',
  description: `${name} runs as Galileo-shaped OpenTelemetry spans.`,
  license: 'Apache-2.0',
  repository: { ...core.repository, directory: `packages/${folder}` },
  homepage: `${repoUrl}/tree/main/packages/${folder}#readme`,
  bugs: core.bugs,
  type: 'module',
  sideEffects: false,
  // Source maps point into src, so it ships beside dist (without tests and fixtures).
  files: core.files,
  exports: {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './package.json': './package.json',
  },
  types: './dist/index.d.ts',
  engines: { node: '>=22.18' },
  scripts: {
    build: 'tsc -p tsconfig.build.json',
    typecheck: 'tsc --noEmit',
    test: 'vitest run',
    'check:pkg': 'publint && attw --pack . --profile esm-only',
  },
  keywords: ['galileo', 'opentelemetry', name, 'tracing', 'llm', 'agents'],
  dependencies: { '@galileo-otel/core': versionOf('core', '^0.1.0') },
  // Core's own range: the adapter loads core, so it needs exactly the API versions core does.
  peerDependencies: {
    '@opentelemetry/api': core.peerDependencies['@opentelemetry/api'],
  },
  devDependencies: {
    '@galileo-otel/adapter-testkit': versionOf('adapter-testkit', '^0.1.0'),
    '@opentelemetry/api': '1.10.0',
    '@opentelemetry/context-async-hooks': '^3.1.1',
    '@opentelemetry/core': '^3.1.1',
    '@opentelemetry/sdk-trace': '^3.1.1',
  },
};

const files = {
  'package.json': `${JSON.stringify(packageJson, null, 2)}\n`,
  LICENSE: readFileSync(join(home, 'LICENSE'), 'utf8'),
  'tsconfig.json': `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "outDir": "dist", "rootDir": "src", "noEmit": true },
  "include": ["src"]
}
`,
  'tsconfig.build.json': `{
  "extends": "./tsconfig.json",
  "compilerOptions": { "noEmit": false },
  "exclude": ["src/**/*.test.ts", "src/**/__fixtures__", "src/**/test-support"]
}
`,
  'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest/results.json' },
    testTimeout: 30_000,
  },
});
`,
  'src/index.ts': `export { type ${pascal(fn)}Options, ${fn} } from './${name}.js';
`,
  [`src/${name}.ts`]: `import type { GalileoAdapter } from '@galileo-otel/core';

/** Options of {@link ${fn}}. */
export interface ${pascal(fn)}Options {
  /**
   * Record message and tool contents on the spans.
   * @defaultValue \`true\`
   */
  captureContent?: boolean | undefined;
}

/**
 * The ${name} adapter for \`GalileoSpanProcessor\`: turns ${name} runs into Galileo agent, llm
 * and tool spans. See docs/writing-an-adapter.md for the contract and the two styles.
 *
 * @example
 * new GalileoSpanProcessor({ adapters: [${fn}()] });
 */
export function ${fn}(options: ${pascal(fn)}Options = {}): GalileoAdapter {
  const captureContent = options.captureContent ?? true;
  void captureContent;
  return {
    name: '${name}',
    // TODO (bridge style: the framework has its own events): subscribe to them here and create
    // spans with agentAttributes() / llmAttributes() / toolAttributes() from core, parented on
    // context.active() at run start. Keep per-run state keyed by the framework's run id.
    install() {},
    // TODO (translate style: the framework emits OTel spans): return { drop: true } for wrapper
    // levels (core re-parents their children), never drop at export.
    onStart() {
      return undefined;
    },
    // TODO (translate style): rewrite native attributes into Galileo's shapes at export.
    translate() {
      return undefined;
    },
    // TODO: end or export any span you still hold, so forceFlush() delivers whole runs.
    async forceFlush() {},
    async shutdown() {},
  };
}
`,
  'src/conformance.test.ts': `import { type AdapterDriver, runAdapterConformance, todo } from '@galileo-otel/adapter-testkit';
import { GalileoSpanProcessor } from '@galileo-otel/core';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ${fn} } from './index.js';

// The conformance kit starts the local model and an OTLP receiver and calls these functions.
// Each TODO fails its scenario until written; see docs/writing-an-adapter.md and the
// adapter-testkit README. A capability the framework lacks: \`unsupported('why')\`.
let provider: TracerProvider | undefined;

const driver: AdapterDriver = {
  async setup(env) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const processor = new GalileoSpanProcessor({
      apiKey: env.apiKey,
      endpoint: env.otlpEndpoint,
      project: env.project,
      logStream: env.logStream,
      adapters: [${fn}()],
      logger: false,
    });
    provider = new TracerProvider({ spanProcessors: [processor] });
    // TODO: register the provider where ${name} looks for it and point ${name}'s model client
    // at env.modelUrl (OpenAI-compatible: \`\${env.modelUrl}/v1\`; Gemini: env.modelUrl).
    return { processor };
  },
  runAgentWithTool: async () =>
    todo('runAgentWithTool: run one ${name} agent with one tool on run.input and wait for it'),
  runThrowingTool: async () =>
    todo('runThrowingTool: run a ${name} agent whose only tool throws (the run may reject)'),
  runStreamed: async () =>
    todo("runStreamed: run the agent with ${name}'s streaming API and consume the stream"),
  runUnderTraceparent: async () =>
    todo(
      'runUnderTraceparent: run the agent inside context.with(traceparentContext(run.traceparent), ...)',
    ),
  async teardown() {
    await provider?.shutdown();
  },
};

runAdapterConformance({ name: '${name}', driver });
`,
  'README.md': `# ${pkgName}

**Status: scaffolded.** ${name} runs as Galileo-shaped OpenTelemetry spans: agent, llm and tool
spans in the caller's trace, for \`@galileo-otel/core\`'s \`GalileoSpanProcessor\`.

## Install

\`\`\`sh
npm i @galileo-otel/core ${pkgName} @opentelemetry/api
\`\`\`

## Quick start

\`\`\`ts
import { registerGalileo } from '@galileo-otel/core';
import { ${fn} } from '${pkgName}';

registerGalileo({ adapters: [${fn}()] });
// TODO: show a ${name} agent run
\`\`\`

## Mapping

| ${name} | Galileo span | kind | attributes |
| --- | --- | --- | --- |
| TODO | \`invoke_agent <name>\` | agent | \`gen_ai.input.messages\`, \`gen_ai.output.messages\` |
| TODO | \`chat <model>\` | llm | model, provider, messages, usage |
| TODO | \`execute_tool <name>\` | tool | \`gen_ai.tool.call.arguments\`, \`gen_ai.tool.call.result\` |

## Decisions

TODO

## Known limits

TODO

## Developing

\`npx vitest run\` runs the adapter conformance kit (\`src/conformance.test.ts\`); it fails with
the driver's TODOs until they are written. See \`docs/writing-an-adapter.md\`.
`,
};

mkdirSync(join(dir, 'src'), { recursive: true });
for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
const changesetDir = join(root, '.changeset');
mkdirSync(changesetDir, { recursive: true });
const changeset = join(changesetDir, `${folder}-initial.md`);
if (!existsSync(changeset)) {
  writeFileSync(
    changeset,
    `---\n"${pkgName}": minor\n---\n\nFirst release of the ${name} adapter: ${name} runs as Galileo-shaped OpenTelemetry spans.\n`,
  );
}

// Format with the repository's own Biome settings, so `biome ci` stays green.
const biome = join(root, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
if (existsSync(biome) && existsSync(join(root, 'biome.json'))) {
  spawnSync(process.execPath, [biome, 'check', '--write', dir], { cwd: root, stdio: 'ignore' });
}

process.stdout.write(`created ${relative(root, dir)} (${pkgName}) and ${relative(root, changeset)}

The workspace glob "packages/*", turbo and changesets pick it up; nothing else changes at the
root. Next:
  1. add your framework to packages/${folder}/package.json (peer with a major window + devDependency)
  2. npm install            (links the new workspace package)
  3. cd packages/${folder} && npx vitest run    (the conformance kit lists the TODOs left)
  4. write src/${name}.ts and the driver in src/conformance.test.ts (docs/writing-an-adapter.md)
`);

function pascal(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
