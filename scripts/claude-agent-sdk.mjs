#!/usr/bin/env node
// The real Claude Agent SDK, installed on first use, outside the workspace's `npm install`.
//
// `@anthropic-ai/claude-agent-sdk` ships the Claude Code CLI as a native binary in an optional
// npm package: about 490 MB installed. The adapter declares the SDK as an optional peer and no
// workspace depends on it, so `npm install` / `npm ci` of this repository never fetch it and a
// user who never picks Claude never pays for it. What needs the real SDK (the adapter's tests,
// `examples/claude-agent-sdk`, the demo and its pair test) calls `ensureClaudeAgentSdk()`, which
// installs pinned versions from the npm registry into `node_modules/.cache/claude-agent-sdk/`,
// once per checkout (`npm ci` empties node_modules, so CI installs it again), the way core's
// library-coexistence test installs the libraries it runs against.
//
//   node scripts/claude-agent-sdk.mjs                  install if missing; print the SDK's entry
//   node scripts/claude-agent-sdk.mjs --link <folder>  also make `import '@anthropic-ai/claude-agent-sdk'`
//                                                      resolve from <folder>
import { execFile } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The versions installed: the SDK and its peers, pinned so every run tests the same CLI. */
export const CLAUDE_AGENT_SDK_VERSION = '0.3.337';
const SPECS = [
  `@anthropic-ai/claude-agent-sdk@${CLAUDE_AGENT_SDK_VERSION}`,
  '@anthropic-ai/sdk@1.17.0',
  '@modelcontextprotocol/sdk@1.32.2',
  'zod@4.6.7',
];

const root = fileURLToPath(new URL('..', import.meta.url));
/** Where it goes: one folder per pinned set, under the repository's node_modules/.cache. */
export const CLAUDE_AGENT_SDK_CACHE = join(
  root,
  'node_modules',
  '.cache',
  'claude-agent-sdk',
  CLAUDE_AGENT_SDK_VERSION,
);
const MARKER = join(CLAUDE_AGENT_SDK_CACHE, 'installed.json');
const LOCK = `${CLAUDE_AGENT_SDK_CACHE}.lock`;
const STALE_LOCK_MS = 15 * 60_000;

/** What an installed copy offers. */
function installed() {
  const modules = join(CLAUDE_AGENT_SDK_CACHE, 'node_modules');
  const packageDir = join(modules, '@anthropic-ai', 'claude-agent-sdk');
  return {
    dir: CLAUDE_AGENT_SDK_CACHE,
    packageDir,
    /** The SDK's ESM entry, for `import(pathToFileURL(entry).href)`. */
    entry: join(packageDir, 'sdk.mjs'),
    /** `@modelcontextprotocol/sdk` next to it (the SDK's peer), for MCP servers in tests. */
    mcpSdkDir: join(modules, '@modelcontextprotocol', 'sdk'),
  };
}

function isInstalled() {
  try {
    return readFileSync(MARKER, 'utf8') === JSON.stringify(SPECS);
  } catch {
    return false;
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Installs the pinned Claude Agent SDK (with its native CLI) into
 * `node_modules/.cache/claude-agent-sdk/<version>` unless it is there already, and returns where
 * it is. Safe to call from several processes at once: one installs, the others wait for it.
 *
 * @param {{ log?: (line: string) => void }} [options] `log` gets one line before a download.
 * @returns {Promise<{ dir: string, packageDir: string, entry: string, mcpSdkDir: string }>}
 */
export async function ensureClaudeAgentSdk({ log = (line) => console.error(line) } = {}) {
  for (;;) {
    if (isInstalled()) return installed();
    mkdirSync(dirname(LOCK), { recursive: true });
    try {
      mkdirSync(LOCK);
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      // Another process is installing: wait for it, or take over a lock it left behind.
      if (Date.now() - statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs > STALE_LOCK_MS) {
        rmSync(LOCK, { recursive: true, force: true });
      } else await sleep(500);
      continue;
    }
    try {
      if (!isInstalled()) await install(log);
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}

async function install(log) {
  log(
    `Installing the Claude Agent SDK ${CLAUDE_AGENT_SDK_VERSION} and its CLI (a native binary, about 490 MB) into ${relative(process.cwd(), CLAUDE_AGENT_SDK_CACHE) || '.'}, once: \`npm install\` leaves it out so that nobody who never picks Claude pays for it.`,
  );
  const staging = `${CLAUDE_AGENT_SDK_CACHE}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  try {
    await promisify(execFile)(
      'npm',
      ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', ...SPECS],
      { cwd: staging, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `could not install ${SPECS.join(' ')} from the npm registry into ${staging}: ${error.message}`,
    );
  }
  const cli = join(
    staging,
    'node_modules',
    '@anthropic-ai',
    `claude-agent-sdk-${platformSuffix()}`,
  );
  if (!existsSync(cli)) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(
      `the Claude Agent SDK installed without its CLI for ${process.platform}-${process.arch} (no ${relative(staging, cli)}): this platform is not one the SDK ships a CLI for`,
    );
  }
  writeFileSync(join(staging, 'installed.json'), JSON.stringify(SPECS));
  rmSync(CLAUDE_AGENT_SDK_CACHE, { recursive: true, force: true });
  renameSync(staging, CLAUDE_AGENT_SDK_CACHE);
}

/** The suffix of the SDK's optional CLI package for this machine, e.g. `linux-x64`. */
function platformSuffix() {
  const libc =
    process.platform === 'linux' && !process.report?.getReport?.().header?.glibcVersionRuntime
      ? '-musl'
      : '';
  return `${process.platform}-${process.arch}${libc}`;
}

/**
 * Makes `import '@anthropic-ai/claude-agent-sdk'` resolve from `folder` (a workspace such as
 * `examples/claude-agent-sdk`): a symlink `<folder>/node_modules/@anthropic-ai/claude-agent-sdk`
 * to the installed copy, whose own peers (`zod`, the MCP SDK) then resolve next to it.
 */
export function linkClaudeAgentSdk(folder) {
  const { packageDir } = installed();
  const link = join(folder, 'node_modules', '@anthropic-ai', 'claude-agent-sdk');
  const current = lstatSync(link, { throwIfNoEntry: false });
  if (current?.isSymbolicLink() && existsSync(join(link, 'package.json'))) return link;
  if (current) rmSync(link, { recursive: true, force: true });
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(packageDir, link, 'dir');
  return link;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const at = process.argv.indexOf('--link');
  try {
    const sdk = await ensureClaudeAgentSdk();
    if (at !== -1) {
      const folder = process.argv[at + 1];
      if (!folder) throw new Error('--link needs a folder, e.g. --link examples/claude-agent-sdk');
      linkClaudeAgentSdk(folder);
    }
    console.log(JSON.stringify(sdk));
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
