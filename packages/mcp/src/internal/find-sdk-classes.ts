import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { McpSide } from './traced-transport.js';

/** One class of an official MCP SDK copy, as loaded by `import` (esm) or `require` (cjs). */
export interface FoundSdkClass {
  /** The class itself. */
  readonly value: unknown;
  /** `client` for `Client`, `server` for `Server`. */
  readonly side: McpSide;
  /** Package name. */
  readonly package: string;
  /** Package version. */
  readonly version: string;
  /** Which build: what `import` loads, or what `require` loads. */
  readonly format: 'esm' | 'cjs';
  /** The file the class comes from. */
  readonly file: string;
}

// `McpServer` connects through the `Server` it holds, in both lines: patching `Server` covers it.
const TARGETS: readonly { pkg: string; subpath: string; name: string; side: McpSide }[] = [
  {
    pkg: '@modelcontextprotocol/sdk',
    subpath: './client/index.js',
    name: 'Client',
    side: 'client',
  },
  {
    pkg: '@modelcontextprotocol/sdk',
    subpath: './server/index.js',
    name: 'Server',
    side: 'server',
  },
  { pkg: '@modelcontextprotocol/client', subpath: '.', name: 'Client', side: 'client' },
  { pkg: '@modelcontextprotocol/server', subpath: '.', name: 'Server', side: 'server' },
];

/** Frameworks whose MCP support may bring a copy of the SDK of its own (a pinned version). */
export const FRAMEWORKS: readonly string[] = [
  '@openai/agents-core',
  '@google/adk',
  '@mastra/mcp',
  '@mastra/core',
];

interface Manifest {
  name?: string;
  version?: string;
  exports?: unknown;
  main?: string;
}

/** The folder of `name` as Node would resolve it from `from` (a file), with its manifest. */
export function packageFrom(
  from: string,
  name: string,
): { dir: string; manifest: Manifest } | undefined {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    const manifest = readManifest(candidate);
    if (manifest?.name === name) return { dir: realpathSync(candidate), manifest };
    if (dirname(dir) === dir) return undefined;
  }
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

/** A file path from a path or a `file:` URL. */
export function toPath(base: string): string {
  return resolve(base.startsWith('file:') ? fileURLToPath(base) : base);
}

/**
 * Every `Client` and `Server` class of the official SDK packages resolvable from `bases` (files
 * or folders), in both builds. Loading them is what patching needs: each build is a module of
 * its own, and frameworks load either (ADK `require`s the CommonJS build from ESM code).
 */
export function findSdkClasses(bases: readonly string[]): {
  found: FoundSdkClass[];
  problems: string[];
} {
  const found: FoundSdkClass[] = [];
  const problems: string[] = [];
  const files = new Set<string>();
  for (const base of bases) {
    const from =
      existsSync(base) && !base.endsWith('.json') && !/\.[cm]?[jt]s$/.test(base)
        ? join(base, 'package.json')
        : base;
    for (const target of TARGETS) {
      const pkg = packageFrom(from, target.pkg);
      if (!pkg) continue;
      for (const format of ['esm', 'cjs'] as const) {
        const entry = exportTarget(pkg.manifest, target.subpath, format);
        if (!entry) continue;
        const file = join(pkg.dir, entry);
        const key = `${file}\u0000${target.name}`;
        if (files.has(key) || !existsSync(file)) continue;
        files.add(key);
        try {
          const loaded = createRequire(join(pkg.dir, 'package.json'))(file) as Record<
            string,
            unknown
          >;
          const value = loaded[target.name];
          if (typeof value !== 'function') continue;
          found.push({
            value,
            side: target.side,
            package: target.pkg,
            version: pkg.manifest.version ?? 'unknown',
            format,
            file,
          });
        } catch (error) {
          problems.push(
            `could not load ${target.pkg} ${pkg.manifest.version ?? ''} (${file}): ${error instanceof Error ? error.message : String(error)}`,
          );
        }
      }
    }
  }
  return { found, problems };
}

const CONDITIONS = { esm: ['node', 'import', 'default'], cjs: ['node', 'require', 'default'] };

/** The file `exports` maps `subpath` to for `import` (esm) or `require` (cjs), relative. */
export function exportTarget(
  manifest: Manifest,
  subpath: string,
  format: 'esm' | 'cjs',
): string | undefined {
  const { exports } = manifest;
  if (exports === undefined) {
    return subpath === '.' ? (manifest.main ?? 'index.js') : subpath;
  }
  const map =
    typeof exports === 'string' || !isSubpathMap(exports)
      ? { '.': exports }
      : (exports as Record<string, unknown>);
  let value = map[subpath];
  let star: string | undefined;
  if (value === undefined) {
    for (const [key, target] of Object.entries(map)) {
      const at = key.indexOf('*');
      if (at < 0) continue;
      const prefix = key.slice(0, at);
      const suffix = key.slice(at + 1);
      if (
        subpath.startsWith(prefix) &&
        subpath.endsWith(suffix) &&
        subpath.length >= key.length - 1
      ) {
        value = target;
        star = subpath.slice(prefix.length, subpath.length - suffix.length);
        break;
      }
    }
  }
  const picked = pick(value, CONDITIONS[format]);
  if (!picked) return undefined;
  return star === undefined ? picked : picked.replaceAll('*', star);
}

function isSubpathMap(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && Object.keys(value).some((k) => k.startsWith('.'))
  );
}

function pick(value: unknown, conditions: readonly string[]): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = pick(item, conditions);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, inner] of Object.entries(value)) {
    if (!conditions.includes(key)) continue;
    const found = pick(inner, conditions);
    if (found) return found;
  }
  return undefined;
}
