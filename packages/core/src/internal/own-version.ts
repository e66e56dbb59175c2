import { readFileSync } from 'node:fs';

let version: string | undefined;

/**
 * This package's version, read from its package.json (two levels up from both `src/internal`
 * and `dist/internal`), or `0.0.0` when it cannot be read.
 */
export function ownVersion(): string {
  if (version === undefined) {
    try {
      const manifest = JSON.parse(
        readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
      ) as { version?: unknown };
      version = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
    } catch {
      version = '0.0.0';
    }
  }
  return version;
}
