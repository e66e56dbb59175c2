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
// The naming rule: `<framework>()` is what users pass to registerGalileo({ adapters }).
const fn = RESERVED.has(camel) ? `${camel}Adapter` : camel;
const type = pascal(camel);

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
    // Cleaned first: a file renamed or deleted in src must not linger in dist and be published.
    build:
      'node -e "fs.rmSync(\'dist\', { recursive: true, force: true })" && tsc -p tsconfig.build.json',
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
  'src/index.ts': `export {
  ${fn},
  type ${pascal(fn)}Options,
  type ${type}Event,
  type ${type}Message,
  type ${type}ToolCall,
} from './${name}.js';
`,
  [`src/${name}.ts`]: `import {
  adapterPackage,
  agentAttributes,
  agentSpanName,
  createAdapterLogger,
  type GalileoAdapter,
  type GalileoMessage,
  GenAiAttributes,
  ioAttributes,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  messagesJson,
  RunRegistry,
  recordSpanError,
  type TokenUsage,
  toolAttributes,
  toolCall,
  toolSpanName,
} from '@galileo-otel/core/adapter';
import { type Context, context, type Span, type TracerProvider, trace } from '@opentelemetry/api';

// TODO: replace the three event types below with ${name}'s own (\`import type\` from the
// framework) and adapt handle() to them. As generated they describe a small event-based
// framework, the one the conformance kit's own tests use, so this bridge already passes the
// kit's rules when fed such events. A framework that emits OpenTelemetry spans itself wants the
// translate style instead (onStart / onEnding / translate): see docs/writing-an-adapter.md.

/** A tool call as ${name} reports it; \`arguments\` is JSON text. */
export interface ${type}ToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A message as ${name} reports it. */
export interface ${type}Message {
  role: string;
  text: string;
  toolCalls?: readonly ${type}ToolCall[] | undefined;
  toolCallId?: string | undefined;
}

/** One thing ${name} reports about a run. */
export type ${type}Event =
  | { type: 'agent_start'; runId: string; agent: string; input: string }
  | { type: 'agent_end'; runId: string; output?: string | undefined; error?: unknown }
  | {
      type: 'llm_start';
      runId: string;
      callId: string;
      model: string;
      provider: string;
      messages: readonly ${type}Message[];
    }
  | {
      type: 'llm_end';
      runId: string;
      callId: string;
      message?: ${type}Message | undefined;
      usage?: TokenUsage | undefined;
      error?: unknown;
    }
  | { type: 'tool_start'; runId: string; callId: string; name: string; args: string }
  | { type: 'tool_end'; runId: string; callId: string; result?: string | undefined; error?: unknown };

/** Options of {@link ${fn}}. */
export interface ${pascal(fn)}Options {
  /**
   * Hooks the adapter into ${name}'s events and returns the function that unhooks it, e.g.
   * \`(listener) => framework.on(listener)\`. TODO: replace with the way ${name} lets a tracer
   * listen (a callback option, a processor, a plugin).
   */
  subscribe: (listener: (event: ${type}Event) => void) => () => void;
  /**
   * Most runs held open at once; past it the oldest is ended, marked \`galileo.incomplete\`
   * with reason \`evicted\`, so a run whose end never comes cannot grow memory.
   * @defaultValue \`1000\`
   */
  maxOpenRuns?: number | undefined;
  /**
   * The tracer provider for the spans.
   * @defaultValue the global provider (what \`registerGalileo()\` registers), read at each event
   */
  tracerProvider?: TracerProvider | undefined;
}

interface Run {
  agent: Span;
  context: Context;
  /** Model and tool calls still open, by ${name}'s call id. */
  open: Map<string, Span>;
}

const pkg = adapterPackage(import.meta.url);

/** ${name}'s message in the one message model: tool calls in \`tool_calls\`, never in content. */
function galileoMessage(message: ${type}Message): GalileoMessage {
  return {
    role: message.role,
    content: message.text,
    tool_calls: message.toolCalls?.map((call) => toolCall(call)),
    tool_call_id: message.toolCallId,
  };
}

/**
 * The ${name} adapter: pass it to \`registerGalileo({ adapters: [${fn}(...)] })\`. It turns
 * ${name} runs into Galileo agent, llm and tool spans in the caller's trace. Anything else
 * ${name} must be given on its own side is named \`${fn}<Part>()\` (e.g. \`${fn}Plugin()\`).
 *
 * @example
 * registerGalileo({ adapters: [${fn}({ subscribe: (listener) => framework.on(listener) })] });
 */
export function ${fn}(options: ${pascal(fn)}Options): GalileoAdapter {
  const log = createAdapterLogger('${name}');
  // Open runs by ${name}'s run id: concurrent runs never share state, and at the limit or at
  // shutdown a run's open spans are ended and marked incomplete with the reason.
  const runs = new RunRegistry<string, Run>({
    maxOpenRuns: options.maxOpenRuns,
    abandon(run, reason) {
      for (const span of [...run.open.values(), run.agent]) {
        markIncomplete(span, reason);
        span.end();
      }
    },
  });
  let unsubscribe: (() => void) | undefined;

  const handle = (event: ${type}Event): void => {
    const tracer = pkg.tracer(options.tracerProvider);
    switch (event.type) {
      case 'agent_start': {
        // Parented on the context active as the run starts: the caller's span joins the trace.
        const agent = tracer.startSpan(agentSpanName(event.agent), {
          attributes: agentAttributes({ name: event.agent, input: event.input }),
        });
        runs.set(event.runId, {
          agent,
          context: trace.setSpan(context.active(), agent),
          open: new Map(),
        });
        return;
      }
      case 'llm_start': {
        const run = runs.get(event.runId);
        if (!run) return;
        const attributes = llmAttributes({ model: event.model, provider: event.provider });
        attributes[GenAiAttributes.INPUT_MESSAGES] = messagesJson(
          event.messages.map(galileoMessage),
        );
        const span = tracer.startSpan(llmSpanName(event.model), { attributes }, run.context);
        run.open.set(event.callId, span);
        return;
      }
      case 'llm_end': {
        const run = runs.get(event.runId);
        const span = run?.open.get(event.callId);
        if (!run || !span) return;
        run.open.delete(event.callId);
        if (event.error !== undefined) {
          recordSpanError(span, event.error);
        } else {
          span.setAttributes(llmAttributes({ usage: event.usage }));
          if (event.message) {
            span.setAttribute(
              GenAiAttributes.OUTPUT_MESSAGES,
              messagesJson([galileoMessage(event.message)]),
            );
          }
        }
        span.end();
        return;
      }
      case 'tool_start': {
        const run = runs.get(event.runId);
        if (!run) return;
        // TODO: if ${name} lets you wrap tool execution, run it in
        // context.with(trace.setSpan(run.context, span), fn) so calls made by the tool nest.
        const span = tracer.startSpan(
          toolSpanName(event.name),
          {
            attributes: toolAttributes({
              name: event.name,
              callId: event.callId,
              arguments: event.args,
            }),
          },
          run.context,
        );
        run.open.set(event.callId, span);
        return;
      }
      case 'tool_end': {
        const run = runs.get(event.runId);
        const span = run?.open.get(event.callId);
        if (!run || !span) return;
        run.open.delete(event.callId);
        if (event.error !== undefined) recordSpanError(span, event.error);
        else span.setAttribute(GenAiAttributes.TOOL_CALL_RESULT, event.result ?? '');
        span.end();
        return;
      }
      case 'agent_end': {
        const run = runs.delete(event.runId);
        if (!run) return;
        // A call the framework never closed must not stay open past its run.
        for (const span of run.open.values()) {
          markIncomplete(span, 'run-ended');
          span.end();
        }
        run.agent.setAttributes(ioAttributes(undefined, event.output));
        if (event.error !== undefined) recordSpanError(run.agent, event.error);
        run.agent.end();
        return;
      }
    }
  };

  return {
    name: '${name}',
    install(host) {
      log.attach(host);
      // A hook that throws is logged once and skipped: tracing never breaks the app.
      unsubscribe = options.subscribe((event) => log.guard(event.type, () => handle(event)));
    },
    async shutdown() {
      unsubscribe?.();
      runs.giveUpAll('shutdown');
    },
  };
}
`,
  'src/conformance.test.ts': `import { type AdapterDriver, runAdapterConformance, todo } from '@galileo-otel/adapter-testkit';
import { GalileoSpanProcessor } from '@galileo-otel/core';
import { context, trace } from '@opentelemetry/api';
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
      // TODO: hook the adapter into ${name}'s events, e.g. (listener) => framework.on(listener)
      adapters: [${fn}({ subscribe: () => () => {} })],
      logger: false,
    });
    provider = new TracerProvider({ spanProcessors: [processor] });
    trace.setGlobalTracerProvider(provider);
    // TODO: point ${name}'s model client at env.modelUrl (OpenAI-compatible:
    // \`\${env.modelUrl}/v1\`; Gemini: env.modelUrl).
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
    trace.disable();
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

// TODO: hand the adapter ${name}'s own event hook, then show a ${name} agent run.
registerGalileo({ adapters: [${fn}({ subscribe: (listener) => framework.on(listener) })] });
\`\`\`

\`${fn}()\` is what you pass to \`registerGalileo({ adapters })\`; anything ${name} must be
given on its own side is named \`${fn}<Part>()\` (e.g. \`${fn}Plugin()\`).

## Mapping

| ${name} | Galileo span | kind | attributes |
| --- | --- | --- | --- |
| TODO | \`invoke_agent <name>\` | agent | \`gen_ai.input.messages\`, \`gen_ai.output.messages\` |
| TODO | \`chat <model>\` | llm | model, provider, messages (tool calls as \`tool_calls\`), usage |
| TODO | \`execute_tool <name>\` | tool | \`gen_ai.tool.call.arguments\`, \`gen_ai.tool.call.result\` |

A failed span has status ERROR, \`error.type\` and an \`exception\` event; a span the adapter had
to end before ${name} did carries \`galileo.incomplete\` and \`galileo.incomplete.reason\`.

## Decisions

- Built on core's adapter kit (\`@galileo-otel/core/adapter\`): one logger, a bounded run
  registry, the tracer named after this package at its version, and the shared shape helpers.
- TODO

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
