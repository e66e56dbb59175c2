import { GalileoConfigError } from '../errors/galileo-config-error.js';

/** The inputs endpoint resolution reads; each falls back to its environment variable. */
export interface EndpointOptions {
  /**
   * The full OTLP traces URL, used verbatim (a missing scheme is added).
   * @defaultValue `GALILEO_API_ENDPOINT`
   */
  endpoint?: string | undefined;
  /**
   * Galileo API base URL; `/otel/traces` is appended.
   * @defaultValue `GALILEO_API_URL`
   */
  apiUrl?: string | undefined;
  /**
   * Galileo console URL the API URL is derived from.
   * @defaultValue `GALILEO_CONSOLE_URL`, then `https://app.galileo.ai`
   */
  consoleUrl?: string | undefined;
}

/** Galileo Cloud's OTLP traces endpoint. */
export const DEFAULT_GALILEO_ENDPOINT = 'https://api.galileo.ai/otel/traces';

const OTEL_PATH = '/otel/traces';
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);
// A DNS name (IDNs arrive as punycode), an IPv4 address, or a bracketed IPv6 address.
const VALID_HOST =
  /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?)*\.?)$/i;

function pick(
  option: string | undefined,
  optionName: string,
  env: Record<string, string | undefined>,
  envName: string,
): { value: string; from: string } | undefined {
  const fromOption = option?.trim();
  if (fromOption) return { value: fromOption, from: `the \`${optionName}\` option` };
  const fromEnv = env[envName]?.trim();
  if (fromEnv) return { value: fromEnv, from: envName };
  return undefined;
}

/**
 * Parses an endpoint, API or console URL as the user gave it: a missing scheme is added
 * (`https://`, `http://` for loopback hosts), and anything that cannot be an http(s) URL with a
 * real host fails naming where it came from.
 *
 * @throws {GalileoConfigError} naming `from`, with `example` as the fix.
 */
export function parseEndpointUrl(raw: string, from: string, example: string): URL {
  const hasScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw);
  let candidate = raw;
  if (!hasScheme) {
    const host = raw.split(/[/?#]/, 1)[0]?.replace(/:\d+$/, '') ?? '';
    candidate = `${LOOPBACK_HOSTS.has(host) ? 'http' : 'https'}://${raw}`;
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new GalileoConfigError(
      from,
      `${from} is not a valid URL (${JSON.stringify(raw)}); set it to a URL such as ${example}`,
    );
  }
  // WHATWG URL parsing is lenient: `ht!tp://::not a url` parses, with the host `ht!tp`. A URL
  // with white space or a host no DNS name or IP address can be is a typo, never an endpoint.
  if (/\s/.test(raw) || !VALID_HOST.test(url.hostname)) {
    throw new GalileoConfigError(
      from,
      `${from} is not a valid URL (${JSON.stringify(raw)}): ${url.hostname ? `'${url.hostname}' is not a host name` : 'it has no host'}; set it to a URL such as ${example}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GalileoConfigError(
      from,
      `${from} must be an http(s) URL, got ${JSON.stringify(raw)}; set it to a URL such as ${example}`,
    );
  }
  return url;
}

function stripTrailingSlashes(text: string): string {
  return text.replace(/\/+$/, '');
}

/**
 * Resolves the OTLP traces endpoint the way Galileo's SDKs and docs describe:
 * 1. `endpoint` / `GALILEO_API_ENDPOINT`: the full URL, verbatim;
 * 2. `apiUrl` / `GALILEO_API_URL`: trailing slashes stripped, `/otel/traces` appended (not twice);
 * 3. `consoleUrl` / `GALILEO_CONSOLE_URL` (default `https://app.galileo.ai`): a loopback console
 *    maps to `http://localhost:8088`, `app.galileo.ai` to `https://api.galileo.ai`, otherwise the
 *    first `console` in the host name becomes `api`; any path, query or fragment after the host is
 *    dropped; then `/otel/traces` is appended.
 *
 * A value without a scheme gets `https://` (`http://` for loopback hosts).
 *
 * @throws {GalileoConfigError} naming the option or variable when a URL is invalid.
 * @example
 * resolveEndpoint({ consoleUrl: 'https://console.galileo.example.com' });
 * // 'https://api.galileo.example.com/otel/traces'
 */
export function resolveEndpoint(
  options: EndpointOptions = {},
  env: Record<string, string | undefined> = process.env,
): string {
  const endpoint = pick(options.endpoint, 'endpoint', env, 'GALILEO_API_ENDPOINT');
  if (endpoint) {
    return parseEndpointUrl(
      endpoint.value,
      endpoint.from,
      'https://api.galileo.example.com/otel/traces',
    ).href;
  }

  const apiUrl = pick(options.apiUrl, 'apiUrl', env, 'GALILEO_API_URL');
  if (apiUrl) {
    const url = parseEndpointUrl(apiUrl.value, apiUrl.from, 'https://api.galileo.example.com');
    const base = stripTrailingSlashes(`${url.origin}${url.pathname}`);
    return base.endsWith(OTEL_PATH) ? base : `${base}${OTEL_PATH}`;
  }

  const consoleUrl = pick(options.consoleUrl, 'consoleUrl', env, 'GALILEO_CONSOLE_URL');
  if (!consoleUrl) return DEFAULT_GALILEO_ENDPOINT;
  const url = parseEndpointUrl(
    consoleUrl.value,
    consoleUrl.from,
    'https://console.galileo.example.com',
  );
  const host = url.hostname;
  if (LOOPBACK_HOSTS.has(host)) return `http://localhost:8088${OTEL_PATH}`;
  if (host === 'app.galileo.ai' || host.endsWith('.app.galileo.ai')) {
    return DEFAULT_GALILEO_ENDPOINT;
  }
  // Only the first occurrence is replaced: `console.console.example.com` has its API at
  // `api.console.example.com`. A host without `console` serves the API on the same origin.
  const apiHost = url.host.replace('console', 'api');
  return `${url.protocol}//${apiHost}${OTEL_PATH}`;
}
