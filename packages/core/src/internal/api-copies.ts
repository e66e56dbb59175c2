import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

// Once per process: every processor and registerGalileo() ask, but one line is enough.
let settled = false;

/**
 * Warns once per process when the `@opentelemetry/api` copy that registered the OTel globals is
 * older (by minor) than the copy core loads: core's copy then cannot use those globals, so
 * spans made through it are silently lost. The answer stays open until some copy has
 * registered, so a later call (after the app registers its provider) still catches it.
 * Returns whether the answer is settled. Never throws.
 */
export function warnOnceIfApiCopiesClash(warn: (message: string) => void): boolean {
  if (settled) return true;
  try {
    const slot = (globalThis as Record<symbol, { version?: unknown } | undefined>)[API_GLOBAL];
    if (!slot) return false;
    settled = true;
    const registered = slot.version;
    const ours = typeof registered === 'string' ? ownApiVersion() : undefined;
    const message = ours === undefined ? undefined : clashMessage(registered as string, ours);
    if (message) warn(message);
  } catch {
    // A diagnostic must never break start-up.
    settled = true;
  }
  return true;
}

// `@opentelemetry/api/package.json` is not in the package's `exports`, so it cannot be
// required; find the manifest above the entry point instead.
function ownApiVersion(): string | undefined {
  let dir = dirname(createRequire(import.meta.url).resolve('@opentelemetry/api'));
  for (let depth = 0; depth < 5; depth++) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === '@opentelemetry/api') return manifest.version;
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

function clashMessage(registered: string, ours: string): string | undefined {
  if (registered === ours) return undefined;
  const [regMajor, regMinor] = registered.split('.').map(Number);
  const [ourMajor, ourMinor] = ours.split('.').map(Number);
  // The API accepts globals from a copy with the same major and at least its own minor.
  if (regMajor === ourMajor && (regMinor ?? 0) >= (ourMinor ?? 0)) return undefined;
  return (
    `@opentelemetry/api ${registered} registered the OpenTelemetry globals, but this process ` +
    `also loads @opentelemetry/api ${ours}, which cannot use them: its spans would be lost. ` +
    'Dedupe with "overrides": { "@opentelemetry/api": "$@opentelemetry/api" } in package.json ' +
    '(npx -p @galileo-otel/devtools galileo-otel doctor lists the copies).'
  );
}
