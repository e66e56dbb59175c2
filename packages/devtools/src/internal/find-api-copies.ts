import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, parse } from 'node:path';

/** One installed copy of `@opentelemetry/api`. */
export interface ApiCopy {
  /** Its `version` field. */
  version: string;
  /** The package directory (real path, symlinks resolved). */
  path: string;
}

const MAX_DEPTH = 12;

/**
 * The `node_modules` folders inside pnpm's virtual store (`node_modules/.pnpm/<name>@<version>/
 * node_modules`), where pnpm keeps every package with its dependencies as siblings: a package's
 * own copy of `@opentelemetry/api` sits there, never in a nested `node_modules`.
 */
function pnpmStores(nodeModules: string): string[] {
  const store = join(nodeModules, '.pnpm');
  let entries: string[];
  try {
    entries = readdirSync(store);
  } catch {
    return [];
  }
  // `.pnpm/node_modules` holds pnpm's hoisted links into the same store; the entries cover it.
  return entries
    .filter((name) => name !== 'node_modules')
    .map((name) => join(store, name, 'node_modules'));
}

function packageDirs(nodeModules: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(nodeModules);
  } catch {
    return [];
  }
  const dirs: string[] = [];
  for (const name of entries) {
    // `.bin`, `.cache`, `.package-lock.json`, …; pnpm's `.pnpm` store is scanned separately.
    if (name.startsWith('.')) continue;
    const full = join(nodeModules, name);
    if (name.startsWith('@')) {
      let scoped: string[] = [];
      try {
        scoped = readdirSync(full);
      } catch {
        continue;
      }
      for (const inner of scoped) dirs.push(join(full, inner));
    } else {
      dirs.push(full);
    }
  }
  return dirs;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Every copy of `@opentelemetry/api` a project can load: the `node_modules` trees of `cwd` and
 * of each ancestor directory (Node resolves upward), nested `node_modules` and pnpm's
 * `node_modules/.pnpm` store included, symlinked workspace packages followed once. Two or more copies split the global tracer provider and
 * context, which breaks trace stitching.
 */
export function findApiCopies(cwd: string): ApiCopy[] {
  const found = new Map<string, ApiCopy>();
  const visited = new Set<string>();

  const scan = (nodeModules: string, depth: number): void => {
    if (depth > MAX_DEPTH || !isDirectory(nodeModules)) return;
    let real: string;
    try {
      real = realpathSync(nodeModules);
    } catch {
      return;
    }
    if (visited.has(real)) return;
    visited.add(real);
    for (const dir of packageDirs(real)) {
      if (dir.endsWith(join('@opentelemetry', 'api'))) {
        try {
          const path = realpathSync(dir);
          const pkg = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as {
            name?: string;
            version?: string;
          };
          if (pkg.name === '@opentelemetry/api') {
            found.set(path, { version: pkg.version ?? 'unknown', path });
          }
        } catch {
          // Not a readable package; ignore it.
        }
      }
      scan(join(dir, 'node_modules'), depth + 1);
    }
    for (const store of pnpmStores(real)) scan(store, depth + 1);
  };

  let dir = cwd;
  const { root } = parse(cwd);
  for (;;) {
    scan(join(dir, 'node_modules'), 0);
    if (dir === root) break;
    dir = dirname(dir);
  }
  return [...found.values()].sort((a, b) => a.path.localeCompare(b.path));
}
