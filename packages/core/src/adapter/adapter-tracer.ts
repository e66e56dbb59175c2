import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Tracer, type TracerProvider, trace } from '@opentelemetry/api';

/** An adapter package's name and version, as its package.json states them. */
export interface AdapterPackage {
  /** The npm package name, e.g. `@galileo-otel/adapter-mastra`. */
  readonly name: string;
  /** Its version. */
  readonly version: string;
  /** The tracer for spans this adapter writes, named after the package, at its version. */
  tracer(provider?: TracerProvider): Tracer;
}

/**
 * Reads the name and version of the package a module belongs to (the nearest package.json
 * above it), for the instrumentation scope of the spans the adapter writes. Pass
 * `import.meta.url`. Works from `src/` and `dist/` alike. In a bundle with no package.json
 * above the module it never throws: the name is `fallbackName` and the version `0.0.0`.
 *
 * @example
 * const pkg = adapterPackage(import.meta.url);
 * const span = pkg.tracer(options.tracerProvider).startSpan('invoke_agent a');
 */
export function adapterPackage(
  moduleUrl: string,
  fallbackName = 'galileo-otel-adapter',
): AdapterPackage {
  const { name, version } = findManifest(moduleUrl) ?? { name: fallbackName, version: '0.0.0' };
  return {
    name,
    version,
    tracer: (provider) => (provider ?? trace.getTracerProvider()).getTracer(name, version),
  };
}

function findManifest(moduleUrl: string): { name: string; version: string } | undefined {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(moduleUrl));
  } catch {
    return undefined;
  }
  for (;;) {
    const found = readManifest(join(dir, 'package.json'));
    if (found) return found;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function readManifest(path: string): { name: string; version: string } | undefined {
  try {
    const manifest = JSON.parse(readFileSync(path, 'utf8')) as {
      name?: unknown;
      version?: unknown;
    };
    if (typeof manifest.name !== 'string' || !manifest.name) return undefined;
    return {
      name: manifest.name,
      version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
    };
  } catch {
    return undefined;
  }
}
