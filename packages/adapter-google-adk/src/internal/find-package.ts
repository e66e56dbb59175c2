import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** A package found on disk. */
export interface FoundPackage {
  /** Its folder. */
  dir: string;
  /** Its `package.json`, parsed. */
  manifest: {
    name?: string;
    version?: string;
    exports?: unknown;
    main?: string;
  };
}

function readManifest(dir: string): FoundPackage['manifest'] | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as FoundPackage['manifest'];
  } catch {
    return undefined;
  }
}

/** The package folder that holds `file` (walking up to the `package.json` named `name`). */
export function packageOf(file: string, name: string): FoundPackage | undefined {
  let dir = dirname(file);
  for (let i = 0; i < 12; i++) {
    const manifest = readManifest(dir);
    if (manifest?.name === name) return { dir, manifest };
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}

/** Resolves `name` the way `require` would from `from` (a file path or URL); never throws. */
export function resolveFrom(from: string, specifier: string): string | undefined {
  try {
    return createRequire(from).resolve(specifier);
  } catch {
    return undefined;
  }
}

const IMPORT_CONDITIONS = new Set(['node', 'import', 'module-sync', 'default']);

function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const picked = pickTarget(item);
      if (picked) return picked;
    }
    return undefined;
  }
  if (target && typeof target === 'object') {
    for (const [condition, value] of Object.entries(target)) {
      if (!IMPORT_CONDITIONS.has(condition)) continue;
      const picked = pickTarget(value);
      if (picked) return picked;
    }
  }
  return undefined;
}

/**
 * The file an ESM `import` of the package's root resolves to (Node's conditions: `node`,
 * `import`, `module-sync`, `default`; bundler-only conditions like `module` do not count).
 */
export function esmEntryOf(pkg: FoundPackage): string | undefined {
  const exports = pkg.manifest.exports;
  let target: string | undefined;
  if (exports !== undefined) {
    const root =
      exports && typeof exports === 'object' && !Array.isArray(exports) && '.' in exports
        ? (exports as Record<string, unknown>)['.']
        : exports;
    target = pickTarget(root);
  } else {
    target = pkg.manifest.main ?? 'index.js';
  }
  return target ? join(pkg.dir, target) : undefined;
}
