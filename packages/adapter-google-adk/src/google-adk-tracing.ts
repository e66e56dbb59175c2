import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Tracer, type TracerOptions, type TracerProvider, trace } from '@opentelemetry/api';
import { adkManifestFrom, entryScript, loadedAdkManifests } from './internal/adk-copies.js';
import { adkLogger } from './internal/adk-logger.js';
import { esmEntryOf, packageOf, resolveFrom } from './internal/find-package.js';
import { globalRegistryProblem, OVERRIDES_FIX } from './internal/global-registry.js';

/** Options of {@link googleAdkTracing}. */
export interface GoogleAdkTracingOptions {
  /**
   * The tracer provider ADK's spans go to.
   * @defaultValue the global provider of this process's `@opentelemetry/api`, looked up at each
   * span, so it may be registered after this call
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Files (paths or `file:` URLs, e.g. `import.meta.url`) or folders from which `@google/adk`
   * is resolved; every copy found is connected. ADK copies already loaded through `require`, or
   * seen running agents by `galileoAdkPlugin()`, are always included.
   * @defaultValue this package's folder, `process.cwd()` and the entry script (`process.argv[1]`)
   */
  searchFrom?: readonly string[] | undefined;
  /**
   * Where problems are printed; `false` keeps them only in the result.
   * @defaultValue the adapter's logger: the processor's once `googleAdk()` is installed, else
   * `console`; each problem once per process
   */
  logger?: { warn(message: string): void } | false | undefined;
}

/** One module instance of `@opentelemetry/api` that an ADK copy loads. */
export interface AdkApiInstance {
  /** Folder of that `@opentelemetry/api` package. */
  path: string;
  /** Its version. */
  version: string;
  /** `esm` for what `import` loads, `cjs` for what `require` loads (one file for api ≤ 1.9). */
  format: 'esm' | 'cjs' | 'esm+cjs';
  /**
   * `shared`: the same instance the Galileo provider registers with (nothing to do);
   * `bridged`: its unregistered proxy now forwards to the real provider;
   * `conflict`: it already has a provider of its own (ADK's spans go there, not to Galileo);
   * `unsupported`: its internals are unknown, so it cannot be bridged.
   */
  state: 'shared' | 'bridged' | 'conflict' | 'unsupported';
}

/** What {@link googleAdkTracing} found and did. */
export interface AdkTracingStatus {
  /** Every `@google/adk` copy found (folder and version). */
  adk: { path: string; version: string }[];
  /** The `@opentelemetry/api` instances those copies load. */
  apiInstances: AdkApiInstance[];
  /** `true` when every ADK copy's spans reach the provider. */
  ok: boolean;
  /** Each problem with its exact fix (also printed, once per process). */
  problems: string[];
}

interface ProxyProviderLike {
  setDelegate(delegate: TracerProvider): void;
  _delegate?: TracerProvider;
}

const FORWARDER = Symbol.for('galileo-otel.adk.tracer-forwarder');

function forwarderFor(explicit: TracerProvider | undefined): TracerProvider {
  const forwarder = {
    [FORWARDER]: true,
    getTracer(name: string, version?: string, options?: TracerOptions): Tracer {
      return (explicit ?? trace.getTracerProvider()).getTracer(name, version, options);
    },
  };
  return forwarder;
}

function isForwarder(value: unknown): boolean {
  return typeof value === 'object' && value !== null && FORWARDER in value;
}

function proxyOf(api: unknown): ProxyProviderLike | undefined {
  const traceApi = (api as { trace?: { _proxyTracerProvider?: unknown } } | undefined)?.trace;
  const proxy = traceApi?._proxyTracerProvider as ProxyProviderLike | undefined;
  return proxy && typeof proxy.setDelegate === 'function' ? proxy : undefined;
}

/**
 * Connects Google ADK's own tracing (the tracer it took from its own `@opentelemetry/api`
 * copy) to the registered tracer provider, so `@google/adk`'s spans arrive whatever the import
 * order. ADK 2.0 pins `@opentelemetry/api` 1.9.0 and takes its tracer from that copy when it is
 * imported; when the app's provider is registered later through another copy (1.10, which the
 * OTel SDK 3 line needs), ADK's tracer is a proxy of its own copy that never gets a provider and
 * every ADK span is dropped without a word. This resolves each ADK copy's own API instance(s)
 * from ADK's package folder and points their still-unregistered proxy provider at the real one.
 * Set-ups that cannot work (ADK's copy already owns another provider, an incompatible global
 * registry) are reported with the exact fix. Safe to call more than once; never throws.
 * `googleAdk()` calls it when the Galileo processor is created.
 *
 * @example
 * import { googleAdkTracing } from '@galileo-otel/adapter-google-adk';
 * trace.setGlobalTracerProvider(myProvider); // with new GalileoSpanProcessor({ adapters: [googleAdk()] })
 * googleAdkTracing();
 */
export function googleAdkTracing(options: GoogleAdkTracingOptions = {}): AdkTracingStatus {
  return connectAdkTracing(options).status;
}

/**
 * {@link googleAdkTracing}, also telling which ADK folders were connected by this call (they
 * were not before: their spans until now were lost); with `dryRun`, which ones it would connect,
 * changing nothing. Internal: the adapter and the plugin use it.
 */
export function connectAdkTracing(
  options: GoogleAdkTracingOptions = {},
  dryRun = false,
): {
  status: AdkTracingStatus;
  connectedNow: string[];
} {
  const status: AdkTracingStatus = { adk: [], apiInstances: [], ok: true, problems: [] };
  const connectedNow = new Set<string>();
  const problem = (text: string) => {
    status.ok = false;
    status.problems.push(text);
  };
  try {
    const entry = entryScript();
    const bases = options.searchFrom ?? [
      import.meta.url,
      join(process.cwd(), 'package.json'),
      ...(entry ? [entry] : []),
    ];
    const adkManifests = new Set<string>();
    for (const base of bases) {
      const found = adkManifestFrom(base);
      if (found) adkManifests.add(found);
    }
    for (const loaded of loadedAdkManifests()) adkManifests.add(loaded);
    if (adkManifests.size === 0) {
      problem(
        '@google/adk could not be resolved from this package, the working directory or the ' +
          'entry script, so its ' +
          'copy of @opentelemetry/api cannot be connected to your tracer provider. If ADK is ' +
          'bundled, register Galileo in a module evaluated before ADK (node --import ./galileo.js), ' +
          'or keep @google/adk external in the bundle.',
      );
    }
    const seen = new Set<unknown>();
    for (const manifestPath of adkManifests) {
      const adk = packageOf(manifestPath, '@google/adk');
      if (!adk) continue;
      status.adk.push({ path: adk.dir, version: adk.manifest.version ?? 'unknown' });
      const adkRequire = createRequire(manifestPath);
      const cjsEntry = resolveFrom(manifestPath, '@opentelemetry/api');
      const apiPackage = cjsEntry ? packageOf(cjsEntry, '@opentelemetry/api') : undefined;
      if (!cjsEntry || !apiPackage) continue;
      const version = apiPackage.manifest.version ?? 'unknown';
      const esmEntry = esmEntryOf(apiPackage);
      const instances: { format: AdkApiInstance['format']; load: () => unknown }[] =
        esmEntry && esmEntry !== cjsEntry
          ? [
              { format: 'esm', load: () => adkRequire(esmEntry) },
              { format: 'cjs', load: () => adkRequire(cjsEntry) },
            ]
          : [{ format: 'esm+cjs', load: () => adkRequire(cjsEntry) }];
      for (const { format, load } of instances) {
        let api: unknown;
        try {
          api = load();
        } catch {
          continue;
        }
        const traceApi = (api as { trace?: unknown }).trace;
        if (!traceApi || seen.has(traceApi)) continue;
        seen.add(traceApi);
        const record = (state: AdkApiInstance['state']) =>
          status.apiInstances.push({ path: apiPackage.dir, version, format, state });
        if (traceApi === trace) {
          record('shared');
          continue;
        }
        const proxy = proxyOf(api);
        if (!proxy) {
          record('unsupported');
          problem(
            `@google/adk ${adk.manifest.version} loads its own @opentelemetry/api ${version} ` +
              `(${apiPackage.dir}), whose tracer cannot be connected to your provider: ADK spans are ` +
              `recorded only if the provider is registered before @google/adk is imported. Fix: ${OVERRIDES_FIX}, ` +
              'or register Galileo in a module imported before @google/adk (node --import ./galileo.js).',
          );
          continue;
        }
        if (isForwarder(proxy._delegate)) {
          record('bridged');
          continue;
        }
        if (proxy._delegate !== undefined) {
          record('conflict');
          problem(
            `@google/adk's @opentelemetry/api ${version} (${apiPackage.dir}) already has a tracer ` +
              "provider of its own (ADK's maybeSetOtelProviders() or another library registered it " +
              'through that copy), so ADK spans go there and not to Galileo. Fix: do not call ' +
              'maybeSetOtelProviders(); use registerGalileo({ adapters: [googleAdk()] }), or add ' +
              'new GalileoSpanProcessor({ adapters: [googleAdk()] }) to that provider.',
          );
          continue;
        }
        if (!dryRun) proxy.setDelegate(forwarderFor(options.tracerProvider));
        connectedNow.add(adk.dir);
        record('bridged');
      }
    }
    const registryProblem = globalRegistryProblem();
    if (registryProblem) problem(registryProblem);
  } catch (error) {
    problem(
      `could not check @google/adk's OpenTelemetry set-up (${error instanceof Error ? error.message : String(error)}). Fix: ${OVERRIDES_FIX}.`,
    );
  }
  const { logger } = options;
  for (const text of logger === false ? [] : status.problems) {
    if (logger) logger.warn(`[galileo-otel] google-adk: ${text}`);
    else adkLogger.warnOnce(`tracing:${text}`, text);
  }
  return { status, connectedNow: [...connectedNow] };
}
