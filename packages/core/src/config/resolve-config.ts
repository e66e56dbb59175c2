import { GalileoConfigError } from '../errors/galileo-config-error.js';
import { cleanId, MAX_ID_LENGTH } from '../internal/clean-id.js';
import { DESTINATION_TERMS } from './destination-terms.js';
import type { GalileoSpanProcessorOptions } from './galileo-options.js';

import {
  type AuthHeader,
  type DestinationKind,
  type DestinationRouting,
  type RoutingFamily,
  resolveDestinationWithKey,
} from './resolve-destination.js';
import { firstSetting, type SettingSource } from './setting-source.js';

export type { SettingSource };

type Env = Record<string, string | undefined>;

/** One resolved setting, as `describeGalileoConfig` reports it. */
export interface DescribedSetting {
  /** Option name, e.g. `project`. */
  setting: string;
  /** The value in effect (the API key is never shown: `(set)` or `undefined`). */
  value: string | undefined;
  /** Where it came from. */
  source: SettingSource;
}

/** Settings after options, environment and defaults are applied. */
export interface ResolvedGalileoConfig {
  /** The destination. */
  destination: DestinationKind;
  /** The header the key is sent in. */
  authHeader: AuthHeader;
  /** The attribute family routing is read from and written to. */
  routingFamily: RoutingFamily;
  /** The default routing (names or ids). */
  routing: DestinationRouting;
  /** The API key or ingest token. */
  apiKey: string;
  /** Default project name (or id), for adapters that want to show it. */
  project: string;
  /** Default log stream (absent in experiment mode). */
  logStream: string | undefined;
  /** Experiment id, if any. */
  experimentId: string | undefined;
  /** Default session id, if any. */
  sessionId: string | undefined;
  /** OTLP traces URL. */
  endpoint: string;
  /** Export mode. */
  exportMode: 'batch' | 'immediate';
  /** Queue bound in spans. */
  maxQueueSize: number;
  /** Queue bound in bytes. */
  maxQueueBytes: number;
  /** Request bound in spans. */
  maxExportBatchSize: number;
  /** Request bound in bytes. */
  maxExportBatchBytes: number;
  /** Delay between scheduled exports. */
  scheduledDelayMillis: number;
  /** Time budget of one export. */
  exportTimeoutMillis: number;
  /** Attribute length cap. */
  maxAttributeLength: number;
  /** Body compression. */
  compression: 'gzip' | 'none';
  /** zlib level of gzip, 1 to 9. */
  compressionLevel: number;
  /** Built-in secret filter on. */
  redactSecrets: boolean;
  /** Extra headers. */
  headers: Record<string, string>;
  /** Plain HTTP to non-loopback allowed. */
  allowInsecureHttp: boolean;
  /** Flush on SIGTERM / SIGINT / natural exit. */
  flushOnExit: boolean;
  /** Longest wait for the exit flush. */
  exitTimeoutMillis: number;
}

interface Picked<T> {
  value: T;
  source: SettingSource;
}

function positiveInt(
  option: number | undefined,
  optionName: string,
  env: Env,
  envName: string,
  fallback: number,
  max = Number.MAX_SAFE_INTEGER,
): Picked<number> {
  const valid = (n: number) => Number.isInteger(n) && n > 0 && n <= max;
  const wanted =
    max === Number.MAX_SAFE_INTEGER ? 'a positive integer' : `an integer from 1 to ${max}`;
  if (option !== undefined) {
    if (!valid(option)) {
      throw new GalileoConfigError(
        optionName,
        `the \`${optionName}\` option must be ${wanted}, got ${String(option)}`,
      );
    }
    return { value: option, source: 'option' };
  }
  const raw = env[envName]?.trim();
  if (raw) {
    const parsed = Number(raw);
    if (!valid(parsed)) {
      throw new GalileoConfigError(
        envName,
        `${envName} must be ${wanted}, got ${JSON.stringify(raw)}; unset it or set e.g. ${envName}=${fallback}`,
      );
    }
    return { value: parsed, source: `env:${envName}` };
  }
  return { value: fallback, source: 'default' };
}

function oneOf<T extends string>(
  option: T | undefined,
  optionName: string,
  env: Env,
  envNames: readonly string[],
  allowed: readonly T[],
  fallback: T,
): Picked<T> {
  const picked = firstSetting(option, env, envNames, fallback);
  const value = picked.value?.toLowerCase() as T;
  if (!allowed.includes(value)) {
    const from =
      picked.source === 'option' ? `the \`${optionName}\` option` : picked.source.slice(4);
    throw new GalileoConfigError(
      picked.source === 'option' ? optionName : picked.source.slice(4),
      `${from} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(picked.value)}`,
    );
  }
  return { value, source: picked.source };
}

function booleanSetting(
  option: boolean | undefined,
  env: Env,
  envName: string,
  fallback: boolean,
): Picked<boolean> {
  if (option !== undefined) return { value: option, source: 'option' };
  const raw = env[envName]?.trim().toLowerCase();
  if (raw) {
    if (['1', 'true', 'yes', 'on'].includes(raw)) return { value: true, source: `env:${envName}` };
    if (['0', 'false', 'no', 'off'].includes(raw)) {
      return { value: false, source: `env:${envName}` };
    }
    throw new GalileoConfigError(
      envName,
      `${envName} must be true or false, got ${JSON.stringify(raw)}`,
    );
  }
  return { value: fallback, source: 'default' };
}

function resolveAll(options: GalileoSpanProcessorOptions, env: Env) {
  const destination = resolveDestinationWithKey(options, env);
  const from = (name: string, value: string | undefined): Picked<string | undefined> => ({
    value,
    source: destination.sources[name] ?? 'default',
  });
  const routing = destination.routing;
  const maxQueueSize = positiveInt(
    options.maxQueueSize,
    'maxQueueSize',
    env,
    'OTEL_BSP_MAX_QUEUE_SIZE',
    2048,
  );
  const maxExportBatchSize = positiveInt(
    options.maxExportBatchSize,
    'maxExportBatchSize',
    env,
    'OTEL_BSP_MAX_EXPORT_BATCH_SIZE',
    512,
  );
  if (maxExportBatchSize.value > maxQueueSize.value) {
    // The OTel SDK clamps silently; say what happened instead of surprising the user later.
    maxExportBatchSize.value = maxQueueSize.value;
  }
  return {
    destination: { value: destination.kind, source: destination.sources.kind ?? 'default' },
    authHeader: { value: destination.authHeader, source: destination.sources.kind ?? 'default' },
    routingFamily: {
      value: destination.routingFamily,
      source: destination.sources.kind ?? 'default',
    },
    routing: { value: routing, source: 'default' as SettingSource },
    apiKey: from('apiKey', destination.apiKey),
    project: from(
      routing.project === undefined ? 'projectId' : 'project',
      routing.project ?? routing.projectId,
    ),
    logStream: from(
      routing.logStream === undefined ? 'logStreamId' : 'logStream',
      routing.logStream ?? routing.logStreamId,
    ),
    experimentId: from('experimentId', routing.experimentId),
    sessionId: firstSetting(options.sessionId, env, ['GALILEO_SESSION_ID'], undefined),
    endpoint: { value: destination.endpoint, source: destination.sources.endpoint ?? 'default' },
    exportMode: oneOf(
      options.exportMode,
      'exportMode',
      env,
      ['GALILEO_EXPORT_MODE'],
      ['batch', 'immediate'] as const,
      'batch',
    ),
    maxQueueSize,
    maxQueueBytes: positiveInt(
      options.maxQueueBytes,
      'maxQueueBytes',
      env,
      'GALILEO_MAX_QUEUE_BYTES',
      32 * 1024 * 1024,
    ),
    maxExportBatchSize,
    maxExportBatchBytes: positiveInt(
      options.maxExportBatchBytes,
      'maxExportBatchBytes',
      env,
      'GALILEO_MAX_EXPORT_BATCH_BYTES',
      4 * 1024 * 1024,
    ),
    scheduledDelayMillis: positiveInt(
      options.scheduledDelayMillis,
      'scheduledDelayMillis',
      env,
      'OTEL_BSP_SCHEDULE_DELAY',
      5000,
    ),
    exportTimeoutMillis: positiveInt(
      options.exportTimeoutMillis,
      'exportTimeoutMillis',
      env,
      'OTEL_BSP_EXPORT_TIMEOUT',
      30_000,
    ),
    maxAttributeLength: positiveInt(
      options.maxAttributeLength,
      'maxAttributeLength',
      env,
      'GALILEO_MAX_ATTRIBUTE_LENGTH',
      1024 * 1024,
    ),
    compression: oneOf(
      options.compression,
      'compression',
      env,
      ['OTEL_EXPORTER_OTLP_TRACES_COMPRESSION', 'OTEL_EXPORTER_OTLP_COMPRESSION'],
      ['gzip', 'none'] as const,
      'none',
    ),
    compressionLevel: positiveInt(
      options.compressionLevel,
      'compressionLevel',
      env,
      'GALILEO_COMPRESSION_LEVEL',
      DEFAULT_COMPRESSION_LEVEL,
      9,
    ),
    redactSecrets: booleanSetting(options.redactSecrets, env, 'GALILEO_REDACT_SECRETS', true),
    allowInsecureHttp: booleanSetting(
      options.allowInsecureHttp,
      env,
      'GALILEO_ALLOW_INSECURE_HTTP',
      false,
    ),
    flushOnExit: booleanSetting(options.flushOnExit, env, 'GALILEO_FLUSH_ON_EXIT', true),
    exitTimeoutMillis: positiveInt(
      options.exitTimeoutMillis,
      'exitTimeoutMillis',
      env,
      'GALILEO_EXIT_TIMEOUT',
      10_000,
    ),
  };
}

/**
 * zlib level 4, not zlib's and OTel's 6: on span bodies (message JSON, repeated keys) it costs
 * about 0.6 times the gzip CPU for about 7 % more bytes (BENCHMARKS.md, table 1). zlib runs on
 * libuv's pool, off the main thread, but its CPU is still the app's.
 */
const DEFAULT_COMPRESSION_LEVEL = 4;

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

/**
 * Applies options, environment variables and defaults, and validates the result.
 *
 * @throws {GalileoConfigError} naming the setting when one is missing or invalid.
 */
export function resolveGalileoConfig(
  options: GalileoSpanProcessorOptions = {},
  env: Env = process.env,
): ResolvedGalileoConfig {
  const all = resolveAll(options, env);
  const apiKey = all.apiKey.value;
  if (!apiKey) throw missingKey(all.destination.value);
  const sessionId = all.sessionId.value;
  if (sessionId !== undefined && cleanId(sessionId) === undefined) {
    const from = all.sessionId.source === 'option' ? 'sessionId' : all.sessionId.source.slice(4);
    throw new GalileoConfigError(
      from,
      `${from === 'sessionId' ? 'the `sessionId` option' : from} must be at most ${MAX_ID_LENGTH} ` +
        'characters with no control characters or bidi marks (it is shown in Galileo as is)',
    );
  }
  const url = new URL(all.endpoint.value);
  if (url.protocol === 'http:' && !LOOPBACK.test(url.hostname) && !all.allowInsecureHttp.value) {
    throw new GalileoConfigError(
      'allowInsecureHttp',
      `Refusing to send the Galileo API key over plain http to ${url.host}: use an https:// ` +
        'endpoint, or set { allowInsecureHttp: true } (GALILEO_ALLOW_INSECURE_HTTP=true) if ' +
        'the network between you and it is trusted.',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    if (
      /^(galileo-api-key|splunk-ao-api-key|x-sf-token|project|projectid|logstream|logstreamid|experimentid)$/i.test(
        name,
      )
    ) {
      throw new GalileoConfigError(
        'headers',
        `the \`headers\` option cannot set ${name}: use the apiKey / project / logStream / ` +
          'experimentId options, which also route each span correctly',
      );
    }
    headers[name] = value;
  }
  return {
    destination: all.destination.value,
    authHeader: all.authHeader.value,
    routingFamily: all.routingFamily.value,
    routing: all.routing.value,
    apiKey,
    project: all.project.value ?? '',
    logStream: all.logStream.value,
    experimentId: all.experimentId.value,
    sessionId: all.sessionId.value,
    endpoint: all.endpoint.value,
    exportMode: all.exportMode.value,
    maxQueueSize: all.maxQueueSize.value,
    maxQueueBytes: all.maxQueueBytes.value,
    maxExportBatchSize: all.maxExportBatchSize.value,
    maxExportBatchBytes: all.maxExportBatchBytes.value,
    scheduledDelayMillis: all.scheduledDelayMillis.value,
    exportTimeoutMillis: all.exportTimeoutMillis.value,
    maxAttributeLength: all.maxAttributeLength.value,
    compression: all.compression.value,
    compressionLevel: all.compressionLevel.value,
    redactSecrets: all.redactSecrets.value,
    headers,
    allowInsecureHttp: all.allowInsecureHttp.value,
    flushOnExit: all.flushOnExit.value,
    exitTimeoutMillis: all.exitTimeoutMillis.value,
  };
}

/**
 * Every setting with the value in effect and where it came from, for diagnostics
 * (`galileo-otel doctor`). The API key's value is never included. Does not throw for a missing
 * key; invalid values still throw {@link GalileoConfigError}.
 */
export function describeGalileoConfig(
  options: GalileoSpanProcessorOptions = {},
  env: Env = process.env,
): DescribedSetting[] {
  const all = resolveAll(options, env);
  const { routing: _routing, routingFamily: _family, ...shown } = all;
  return Object.entries(shown).map(([setting, picked]) => ({
    setting,
    value:
      setting === 'apiKey'
        ? picked.value
          ? '(set)'
          : undefined
        : picked.value === undefined
          ? undefined
          : String(picked.value),
    source: picked.source,
  }));
}

function missingKey(kind: DestinationKind): GalileoConfigError {
  const { name, keyName, keyVariable: variable } = DESTINATION_TERMS[kind];
  const what = `No ${name} ${keyName}`;
  return new GalileoConfigError(
    variable,
    `${what}: set the ${variable} environment variable or pass { apiKey } to ` +
      'GalileoSpanProcessor / GalileoOtlpExporter / registerGalileo. For the local receiver any ' +
      'non-empty value works (npx -p @galileo-otel/devtools galileo-otel dev).',
  );
}
