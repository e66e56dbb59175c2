import { packageOf, resolveFrom } from './find-package.js';

const GLOBAL_REGISTRY = Symbol.for('opentelemetry.js.api.1');

/** The fix for two `@opentelemetry/api` copies that cannot share globals. */
export const OVERRIDES_FIX =
  'add `"overrides": { "@opentelemetry/api": "$@opentelemetry/api" }` to your package.json and run npm install again (one @opentelemetry/api copy for everything)';

let ownVersion: string | undefined | null = null;

function ownApiVersion(): string | undefined {
  if (ownVersion === null) {
    const entry = resolveFrom(import.meta.url, '@opentelemetry/api');
    ownVersion = entry ? packageOf(entry, '@opentelemetry/api')?.manifest.version : undefined;
  }
  return ownVersion;
}

/**
 * A problem with the process-wide OpenTelemetry registry: the global tracer provider was
 * registered through an older `@opentelemetry/api` than the one Galileo and the OTel SDK use
 * (ADK's `maybeSetOtelProviders()` does that through ADK's pinned 1.9.0), so every span started
 * through the newer API (the app's, HTTP spans, `tracedFetch`) is a non-recording no-op.
 */
export function globalRegistryProblem(): string | undefined {
  const registry = (globalThis as Record<symbol, unknown>)[GLOBAL_REGISTRY] as
    | { version?: string; trace?: unknown }
    | undefined;
  const own = ownApiVersion();
  if (!registry?.trace || !registry.version || !own) return undefined;
  const [regMajor, regMinor] = registry.version.split('.').map(Number);
  const [ownMajor, ownMinor] = own.split('.').map(Number);
  if (regMajor === ownMajor && (regMinor ?? 0) >= (ownMinor ?? 0)) return undefined;
  return (
    `the global tracer provider was registered through @opentelemetry/api ${registry.version} ` +
    "(e.g. by ADK's maybeSetOtelProviders()), which this process's @opentelemetry/api " +
    `${own} (used by Galileo, the OTel SDK and your app) cannot read: ADK's spans are recorded ` +
    'but your app, HTTP and tracedFetch spans are not, so traces break across services. Fix: ' +
    'do not call maybeSetOtelProviders(); call registerGalileo({ adapters: [googleAdk()] }) ' +
    `instead (it connects ADK itself), or ${OVERRIDES_FIX}.`
  );
}
