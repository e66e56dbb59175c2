import { parseEndpointUrl, resolveEndpoint } from '../endpoint/resolve-endpoint.js';
import { GalileoConfigError } from '../errors/galileo-config-error.js';
import {
  type PickedSetting as Picked,
  firstSetting as pick,
  type SettingSource,
} from './setting-source.js';

type Env = Record<string, string | undefined>;

/** Where spans go: Galileo (the seed's contract), Splunk AO standalone, or Splunk Observability Cloud. */
export type DestinationKind = 'galileo' | 'splunk-ao' | 'splunk-o11y';

/** The header that carries the key or token, by destination. */
export type AuthHeader = 'Galileo-API-Key' | 'Splunk-AO-API-Key' | 'X-SF-Token';

/** The attribute family a destination reads routing from: `galileo.*` or `splunk_ao.*`. */
export type RoutingFamily = 'galileo' | 'splunk_ao';

/** Inputs of {@link resolveDestination}; each falls back to the destination's variables. */
export interface DestinationOptions {
  /**
   * Which destination. Without it, the kind is detected from the environment: `SPLUNK_AO_REALM`
   * or `SPLUNK_AO_O11Y_TOKEN` mean `splunk-o11y`; `SPLUNK_AO_API_KEY`, `SPLUNK_AO_CONSOLE_URL` or
   * `SPLUNK_AO_API_URL` mean `splunk-ao`; otherwise `galileo`.
   * @defaultValue `GALILEO_OTEL_DESTINATION`, then detected
   */
  destination?: DestinationKind | undefined;
  /**
   * The key or token: the Galileo API key, the Splunk AO API key, or the Splunk Observability
   * Cloud ingest token, by destination.
   * @defaultValue `GALILEO_API_KEY`, `SPLUNK_AO_API_KEY` or `SPLUNK_AO_O11Y_TOKEN`
   */
  apiKey?: string | undefined;
  /**
   * The full OTLP traces URL, used verbatim (a missing scheme is added): a gateway or an
   * OpenTelemetry Collector, for any destination.
   * @defaultValue `GALILEO_API_ENDPOINT` (Galileo only), then derived
   */
  endpoint?: string | undefined;
  /**
   * The API base URL; the destination's traces path is appended.
   * @defaultValue `GALILEO_API_URL` or `SPLUNK_AO_API_URL`
   */
  apiUrl?: string | undefined;
  /**
   * The console URL the API URL is derived from, by the destination's own rule.
   * @defaultValue `GALILEO_CONSOLE_URL` or `SPLUNK_AO_CONSOLE_URL`
   */
  consoleUrl?: string | undefined;
  /**
   * The Splunk Observability Cloud realm (`us0`, `eu0`, ...), for `splunk-o11y`.
   * @defaultValue `SPLUNK_AO_REALM`
   */
  realm?: string | undefined;
  /**
   * Project name (or give `projectId`, not both).
   * @defaultValue `GALILEO_PROJECT` / `GALILEO_PROJECT_NAME` or `SPLUNK_AO_PROJECT`, then
   * `default` (none for `splunk-o11y`)
   */
  project?: string | undefined;
  /** Project id. @defaultValue `GALILEO_PROJECT_ID` or `SPLUNK_AO_PROJECT_ID` */
  projectId?: string | undefined;
  /**
   * Log stream ("agent stream" in Splunk AO) name (or give `logStreamId`, not both); not used
   * with an experiment.
   * @defaultValue `GALILEO_LOG_STREAM` / `GALILEO_LOG_STREAM_NAME` or `SPLUNK_AO_AGENT_STREAM`
   * (`SPLUNK_AO_LOG_STREAM`, deprecated), then `default` (none for `splunk-o11y`)
   */
  logStream?: string | undefined;
  /**
   * Log stream id. @defaultValue `GALILEO_LOG_STREAM_ID` or `SPLUNK_AO_AGENT_STREAM_ID`
   * (`SPLUNK_AO_LOG_STREAM_ID`, deprecated)
   */
  logStreamId?: string | undefined;
  /**
   * Experiment id: spans go to this experiment instead of a log stream.
   * @defaultValue `GALILEO_EXPERIMENT_ID` or `SPLUNK_AO_EXPERIMENT_ID`
   */
  experimentId?: string | undefined;
}

/** The routing a destination sends when a span carries none of its own. */
export interface DestinationRouting {
  project?: string | undefined;
  projectId?: string | undefined;
  logStream?: string | undefined;
  logStreamId?: string | undefined;
  experimentId?: string | undefined;
}

/** Where spans go and how, with no secret in it. */
export interface ResolvedDestination {
  /** The destination. */
  kind: DestinationKind;
  /** The OTLP traces URL. */
  endpoint: string;
  /** The name of the header that carries the key or token (never its value). */
  authHeader: AuthHeader;
  /** The attribute family routing is read from and written to. */
  routingFamily: RoutingFamily;
  /** The default routing. */
  routing: DestinationRouting;
  /** Where each value came from: `option`, `env:NAME` or `default`. */
  sources: Record<string, SettingSource>;
}

/** {@link ResolvedDestination} plus the key, for the exporter only. */
export interface DestinationWithKey extends ResolvedDestination {
  apiKey: string | undefined;
}

const KINDS: readonly DestinationKind[] = ['galileo', 'splunk-ao', 'splunk-o11y'];

/** The variables that choose each destination (routing variables do not). */
const DETECTING: Readonly<Record<DestinationKind, readonly string[]>> = {
  galileo: ['GALILEO_API_KEY', 'GALILEO_API_ENDPOINT', 'GALILEO_API_URL', 'GALILEO_CONSOLE_URL'],
  'splunk-ao': ['SPLUNK_AO_API_KEY', 'SPLUNK_AO_CONSOLE_URL', 'SPLUNK_AO_API_URL'],
  'splunk-o11y': ['SPLUNK_AO_REALM', 'SPLUNK_AO_O11Y_TOKEN', 'SPLUNK_AO_O11Y_API_TOKEN'],
};

/** Splunk AO's default API, as its SDK has it: Galileo Cloud serves the new contract. */
const SPLUNK_AO_DEFAULT_API = 'https://api.galileo.ai';
const SPLUNK_AO_PATH = '/otel/v1/traces';
// A realm becomes a DNS label of the ingest host.
const REALM = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

const present = (env: Env, names: readonly string[]) => names.filter((n) => env[n]?.trim());

function chooseKind(
  options: DestinationOptions,
  env: Env,
): { kind: DestinationKind; source: SettingSource } {
  const chosen = pick(options.destination, env, ['GALILEO_OTEL_DESTINATION']);
  if (chosen.value !== undefined) {
    const kind = chosen.value.toLowerCase() as DestinationKind;
    if (!KINDS.includes(kind)) {
      const from =
        chosen.source === 'option' ? 'the `destination` option' : 'GALILEO_OTEL_DESTINATION';
      throw new GalileoConfigError(
        chosen.source === 'option' ? 'destination' : 'GALILEO_OTEL_DESTINATION',
        `${from} must be one of ${KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(chosen.value)}`,
      );
    }
    return { kind, source: chosen.source };
  }
  const found = KINDS.map((kind) => ({ kind, names: present(env, DETECTING[kind]) })).filter(
    (f) => f.names.length > 0,
  );
  if (found.length > 1) {
    const list = found.map((f) => `${f.kind}: ${f.names.join(', ')}`).join('; ');
    throw new GalileoConfigError(
      'GALILEO_OTEL_DESTINATION',
      `Variables of more than one destination are set (${list}). Choose one with the ` +
        '`destination` option or GALILEO_OTEL_DESTINATION=galileo|splunk-ao|splunk-o11y, or unset ' +
        'the variables of the others. Nothing is sent until it is clear where.',
    );
  }
  const only = found[0];
  if (!only) return { kind: 'galileo', source: 'default' };
  return { kind: only.kind, source: `env:${only.names[0]}` };
}

/** Name XOR id, for one routing entity. */
function nameOrId(what: string, name: Picked, id: Picked): { name: Picked; id: Picked } {
  if (id.value !== undefined && name.value !== undefined && name.source !== 'default') {
    throw new GalileoConfigError(
      id.source === 'option' ? `${what}Id` : id.source.slice(4),
      `both a ${what} name (${describe(name)}) and a ${what} id (${describe(id)}) are set: ` +
        `give one or the other`,
    );
  }
  if (id.value !== undefined) return { name: { value: undefined, source: 'default' }, id };
  return { name, id };
}

function describe(picked: Picked): string {
  return picked.source === 'option' ? 'option' : picked.source.slice(4);
}

/**
 * Where spans go, how they authenticate and how they are routed, from options and the
 * environment (see `destinations.md` in the docs). Never holds a secret: `authHeader` is the
 * header's name, and `sources` says which option or variable each value came from.
 *
 * @throws {GalileoConfigError} naming the variable and the fix when the environment is
 * ambiguous (variables of two destinations), incomplete, or holds an invalid value.
 * @example
 * resolveDestination({}, { SPLUNK_AO_REALM: 'us1', SPLUNK_AO_O11Y_TOKEN: 't' }).endpoint;
 * // 'https://ingest.us1.observability.splunkcloud.com/v2/trace/otlp'
 */
export function resolveDestination(
  options: DestinationOptions = {},
  env: Env = process.env,
): ResolvedDestination {
  const { apiKey: _secret, ...rest } = resolveDestinationWithKey(options, env);
  return rest;
}

/** {@link resolveDestination}, plus the key (for the exporter). */
export function resolveDestinationWithKey(
  options: DestinationOptions = {},
  env: Env = process.env,
): DestinationWithKey {
  const { kind, source: kindSource } = chooseKind(options, env);
  const sources: Record<string, SettingSource> = { kind: kindSource };
  const set = (name: string, picked: Picked) => {
    if (picked.value !== undefined) sources[name] = picked.source;
    return picked.value;
  };

  if (kind === 'galileo') {
    const apiKey = set('apiKey', pick(options.apiKey, env, ['GALILEO_API_KEY']));
    const endpoint = resolveEndpoint(options, env);
    sources.endpoint = endpointSource(options, env, [
      'GALILEO_API_ENDPOINT',
      'GALILEO_API_URL',
      'GALILEO_CONSOLE_URL',
    ]);
    const routing = routingOf(options, env, set, {
      project: ['GALILEO_PROJECT', 'GALILEO_PROJECT_NAME'],
      projectId: ['GALILEO_PROJECT_ID'],
      logStream: ['GALILEO_LOG_STREAM', 'GALILEO_LOG_STREAM_NAME'],
      logStreamId: ['GALILEO_LOG_STREAM_ID'],
      experimentId: ['GALILEO_EXPERIMENT_ID'],
      defaults: true,
    });
    return {
      kind,
      endpoint,
      authHeader: 'Galileo-API-Key',
      routingFamily: 'galileo',
      routing,
      sources,
      apiKey,
    };
  }

  if (kind === 'splunk-ao') {
    const apiKey = set('apiKey', pick(options.apiKey, env, ['SPLUNK_AO_API_KEY']));
    const endpoint = splunkAoEndpoint(options, env, sources);
    const routing = routingOf(options, env, set, { ...SPLUNK_AO_ROUTING, defaults: true });
    return {
      kind,
      endpoint,
      authHeader: 'Splunk-AO-API-Key',
      routingFamily: 'splunk_ao',
      routing,
      sources,
      apiKey,
    };
  }

  const token = pick(options.apiKey, env, ['SPLUNK_AO_O11Y_TOKEN']);
  if (token.value === undefined && env.SPLUNK_AO_O11Y_API_TOKEN?.trim()) {
    throw new GalileoConfigError(
      'SPLUNK_AO_O11Y_TOKEN',
      'SPLUNK_AO_O11Y_API_TOKEN is set, but that is a Splunk Observability Cloud API token, not ' +
        'an ingest token: it cannot send traces. Set SPLUNK_AO_O11Y_TOKEN to an ingest token ' +
        '(Settings > Access Tokens, with the Ingest scope).',
    );
  }
  const apiKey = set('apiKey', token);
  let endpoint: string;
  if (options.endpoint?.trim()) {
    endpoint = parseEndpointUrl(
      options.endpoint.trim(),
      'the `endpoint` option',
      INGEST_EXAMPLE,
    ).href;
    sources.endpoint = 'option';
  } else {
    const realm = pick(options.realm, env, ['SPLUNK_AO_REALM']);
    const from = realm.source === 'option' ? 'the `realm` option' : 'SPLUNK_AO_REALM';
    if (realm.value === undefined) {
      throw new GalileoConfigError(
        'SPLUNK_AO_REALM',
        'Splunk Observability Cloud needs its realm: set SPLUNK_AO_REALM (e.g. us1, eu0), or ' +
          'give the ingest URL as the `endpoint` option.',
      );
    }
    if (!REALM.test(realm.value)) {
      throw new GalileoConfigError(
        realm.source === 'option' ? 'realm' : 'SPLUNK_AO_REALM',
        `${from} must be a realm name such as us1 or eu0 (letters, digits and '-'), got ${JSON.stringify(realm.value)}`,
      );
    }
    set('realm', realm);
    endpoint = `https://ingest.${realm.value.toLowerCase()}.observability.splunkcloud.com/v2/trace/otlp`;
    sources.endpoint = realm.source;
  }
  // Splunk Observability Cloud has no default project or stream.
  const routing = routingOf(options, env, set, { ...SPLUNK_AO_ROUTING, defaults: false });
  return {
    kind,
    endpoint,
    authHeader: 'X-SF-Token',
    routingFamily: 'splunk_ao',
    routing,
    sources,
    apiKey,
  };
}

// Both Splunk AO destinations route by the same variables ("agent stream" is the new name of
// the log stream; SPLUNK_AO_LOG_STREAM[_ID] are its deprecated aliases).
const SPLUNK_AO_ROUTING = {
  project: ['SPLUNK_AO_PROJECT'],
  projectId: ['SPLUNK_AO_PROJECT_ID'],
  logStream: ['SPLUNK_AO_AGENT_STREAM', 'SPLUNK_AO_LOG_STREAM'],
  logStreamId: ['SPLUNK_AO_AGENT_STREAM_ID', 'SPLUNK_AO_LOG_STREAM_ID'],
  experimentId: ['SPLUNK_AO_EXPERIMENT_ID'],
} as const;

const INGEST_EXAMPLE = 'https://ingest.us1.observability.splunkcloud.com/v2/trace/otlp';

function endpointSource(
  options: DestinationOptions,
  env: Env,
  names: readonly string[],
): SettingSource {
  if (options.endpoint?.trim()) return 'option';
  if (names[0] && env[names[0]]?.trim()) return `env:${names[0]}`;
  if (options.apiUrl?.trim()) return 'option';
  if (names[1] && env[names[1]]?.trim()) return `env:${names[1]}`;
  if (options.consoleUrl?.trim()) return 'option';
  if (names[2] && env[names[2]]?.trim()) return `env:${names[2]}`;
  return 'default';
}

/**
 * Splunk AO standalone's traces URL, by its own rule: the endpoint as given; else the API URL
 * (trailing `/` removed) plus `/otel/v1/traces`; else from the console URL: a loopback console
 * means `http://localhost:8088`, the first `://console.` or `://app.` becomes `://api.`, and a
 * host that still does not start with `api.` gets `api.` in front; else Galileo Cloud's API.
 */
function splunkAoEndpoint(
  options: DestinationOptions,
  env: Env,
  sources: Record<string, SettingSource>,
): string {
  if (options.endpoint?.trim()) {
    sources.endpoint = 'option';
    return parseEndpointUrl(
      options.endpoint.trim(),
      'the `endpoint` option',
      'https://api.example.com/otel/v1/traces',
    ).href;
  }
  const api = pick(options.apiUrl, env, ['SPLUNK_AO_API_URL']);
  if (api.value !== undefined) {
    sources.endpoint = api.source;
    const from = api.source === 'option' ? 'the `apiUrl` option' : 'SPLUNK_AO_API_URL';
    const url = parseEndpointUrl(api.value, from, 'https://api.galileo.example.com');
    return withPath(`${url.origin}${url.pathname}`);
  }
  const consoleUrl = pick(options.consoleUrl, env, ['SPLUNK_AO_CONSOLE_URL']);
  if (consoleUrl.value === undefined) {
    sources.endpoint = 'default';
    return `${SPLUNK_AO_DEFAULT_API}${SPLUNK_AO_PATH}`;
  }
  sources.endpoint = consoleUrl.source;
  const from = consoleUrl.source === 'option' ? 'the `consoleUrl` option' : 'SPLUNK_AO_CONSOLE_URL';
  const url = parseEndpointUrl(consoleUrl.value, from, 'https://console.galileo.example.com');
  if (url.hostname === 'localhost' || url.hostname.startsWith('127.') || url.hostname === '[::1]') {
    return `http://localhost:8088${SPLUNK_AO_PATH}`;
  }
  let base = `${url.protocol}//${url.host}`;
  if (base.includes('://console.')) base = base.replace('://console.', '://api.');
  else if (base.includes('://app.')) base = base.replace('://app.', '://api.');
  if (!base.split('://')[1]?.startsWith('api.')) base = base.replace('://', '://api.');
  return `${base}${SPLUNK_AO_PATH}`;
}

function withPath(base: string): string {
  const trimmed = base.replace(/\/+$/, '');
  return trimmed.endsWith(SPLUNK_AO_PATH) ? trimmed : `${trimmed}${SPLUNK_AO_PATH}`;
}

interface RoutingNames {
  project: readonly string[];
  projectId: readonly string[];
  logStream: readonly string[];
  logStreamId: readonly string[];
  experimentId: readonly string[];
  /** Whether names default to `default` (not for Splunk Observability Cloud). */
  defaults: boolean;
}

function routingOf(
  options: DestinationOptions,
  env: Env,
  set: (name: string, picked: Picked) => string | undefined,
  names: RoutingNames,
): DestinationRouting {
  const fallback = names.defaults ? 'default' : undefined;
  const project = nameOrId(
    'project',
    pick(options.project, env, names.project, fallback),
    pick(options.projectId, env, names.projectId),
  );
  const experimentId = pick(options.experimentId, env, names.experimentId);
  const stream = nameOrId(
    'logStream',
    pick(options.logStream, env, names.logStream, fallback),
    pick(options.logStreamId, env, names.logStreamId),
  );
  const routing: DestinationRouting = {
    project: set('project', project.name),
    projectId: set('projectId', project.id),
    experimentId: set('experimentId', experimentId),
  };
  // Experiment traces have no log stream.
  if (routing.experimentId === undefined) {
    routing.logStream = set('logStream', stream.name);
    routing.logStreamId = set('logStreamId', stream.id);
  }
  return routing;
}
