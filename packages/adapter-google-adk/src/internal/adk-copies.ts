import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageOf, resolveFrom } from './find-package.js';

const MAX_RUNNING = 32;
/** ADK package folders the plugin saw running the agents, so every later search includes them. */
const running = new Set<string>();
const ADK_IN_PATH = /[\\/]node_modules[\\/]@google[\\/]adk[\\/]/;
const ADK_IN_STACK = /((?:file:\/\/)?[^\s(]+?[\\/]node_modules[\\/]@google[\\/]adk)[\\/]/;

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * The `package.json` of the `@google/adk` that `base` (a file URL, a `.json`/script file or a
 * folder) resolves, as `require` would from there; `undefined` when none.
 */
export function adkManifestFrom(base: string): string | undefined {
  const from =
    base.startsWith('file:') || /\.(?:json|[cm]?[jt]sx?)$/.test(base) ? base : join(base, 'x.js');
  const manifest = resolveFrom(from, '@google/adk/package.json');
  if (manifest) return manifest;
  // A later ADK might stop exporting ./package.json: find the folder from its entry.
  const entry = resolveFrom(from, '@google/adk');
  const pkg = entry ? packageOf(entry, '@google/adk') : undefined;
  return pkg ? join(pkg.dir, 'package.json') : undefined;
}

/** The entry script (`process.argv[1]`) as a file URL, symlinks resolved like Node does. */
export function entryScript(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    return pathToFileURL(realpathSync(entry)).href;
  } catch {
    return undefined;
  }
}

/**
 * The `package.json` of every ADK copy known to be loaded: required ones (in `require.cache`)
 * and the ones the plugin saw running agents. ES modules have no public registry, so an ADK
 * imported from an unrelated folder is only known once it runs (see `adkDirFromStack`).
 */
export function loadedAdkManifests(): string[] {
  const found = new Set<string>();
  for (const dir of running) found.add(join(dir, 'package.json'));
  let cache: NodeJS.Require['cache'] | undefined;
  try {
    cache = createRequire(import.meta.url).cache;
  } catch {
    cache = undefined;
  }
  for (const file of Object.keys(cache ?? {})) {
    const match = ADK_IN_PATH.exec(file);
    if (match) found.add(join(file.slice(0, match.index + match[0].length - 1), 'package.json'));
  }
  return [...found];
}

/** Remembers an ADK folder seen running, so later searches connect it too. */
export function noteRunningAdk(dir: string): void {
  if (running.size < MAX_RUNNING) running.add(dir);
}

/**
 * The folder of the `@google/adk` copy whose code is on the current call stack (the plugin's
 * callbacks are called by ADK's plugin manager), symlinks resolved; `undefined` when ADK is
 * bundled or not on the stack.
 */
export function adkDirFromStack(): string | undefined {
  const limit = Error.stackTraceLimit;
  let stack: string | undefined;
  try {
    Error.stackTraceLimit = 50;
    stack = new Error().stack;
  } finally {
    Error.stackTraceLimit = limit;
  }
  const match = ADK_IN_STACK.exec(stack ?? '');
  if (!match?.[1]) return undefined;
  const found = match[1];
  try {
    return real(found.startsWith('file:') ? fileURLToPath(found) : found);
  } catch {
    return undefined;
  }
}
