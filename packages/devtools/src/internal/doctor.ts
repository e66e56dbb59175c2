import {
  type DescribedSetting,
  type DestinationKind,
  describeGalileoConfig,
  type ResolvedDestination,
  resolveDestination,
} from '@galileo-otel/core';
import { type ApiCopy, findApiCopies } from './find-api-copies.js';
import { terminalText as t } from './terminal-text.js';

/** What `galileo-otel doctor` found. */
export interface DoctorReport {
  /**
   * Where spans go: the destination's kind, endpoint, auth header name, routing and the source of
   * each setting (never a secret); `undefined` when the configuration is invalid.
   */
  destination: ResolvedDestination | undefined;
  /** The resolved OTLP endpoint, or `undefined` when the configuration is invalid. */
  endpoint: string | undefined;
  /** Every setting, where it came from; the API key's value is never included. */
  settings: DescribedSetting[];
  /** A configuration error (invalid URL or number), if any. */
  configError: string | undefined;
  /** Whether a Galileo API key is configured. */
  apiKeyPresent: boolean;
  /** The endpoint's answer: any HTTP status counts as reachable; `undefined` when not probed. */
  reachability: { reachable: boolean; status?: number; error?: string; ms: number } | undefined;
  /** Copies of `@opentelemetry/api` visible from the working directory. */
  apiCopies: ApiCopy[];
  /** True when nothing is wrong. */
  ok: boolean;
}

/**
 * The package.json fix for duplicate `@opentelemetry/api` copies. `$@opentelemetry/api` is the
 * version of the project's own dependency, so it only works where that dependency exists.
 */
export const OVERRIDES_FIX = '"overrides": { "@opentelemetry/api": "$@opentelemetry/api" }';

/** Checks whether `endpoint` answers HTTP at all (a POST with an empty body, no API key). */
export async function probe(
  endpoint: string,
  timeoutMs: number,
): Promise<NonNullable<DoctorReport['reachability']>> {
  const started = Date.now();
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array(),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer().catch(() => undefined);
    return { reachable: true, status: res.status, ms: Date.now() - started };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const name = (error as Error).name;
    const message =
      name === 'TimeoutError'
        ? `no answer within ${timeoutMs} ms`
        : (cause?.code ?? cause?.message ?? (error as Error).message);
    return { reachable: false, error: message, ms: Date.now() - started };
  }
}

/**
 * Runs every check. `endpoint` and `destination` override the configured ones (like the options
 * of the same names); `probe: false` skips the request to the endpoint.
 */
export async function runDoctor(options: {
  cwd: string;
  env: Record<string, string | undefined>;
  endpoint?: string | undefined;
  destination?: DestinationKind | undefined;
  timeoutMs?: number | undefined;
  probe?: boolean | undefined;
}): Promise<DoctorReport> {
  const given = { endpoint: options.endpoint, destination: options.destination };
  let settings: DescribedSetting[] = [];
  let destination: ResolvedDestination | undefined;
  let configError: string | undefined;
  try {
    destination = resolveDestination(given, options.env);
    settings = describeGalileoConfig(given, options.env);
  } catch (error) {
    configError = (error as Error).message;
  }
  const endpoint = destination?.endpoint;
  const apiKeyPresent = settings.find((s) => s.setting === 'apiKey')?.value !== undefined;
  const probed = options.probe !== false;
  const reachability =
    endpoint && probed ? await probe(endpoint, options.timeoutMs ?? 3000) : undefined;
  const apiCopies = findApiCopies(options.cwd);
  return {
    destination,
    endpoint,
    settings,
    configError,
    apiKeyPresent,
    reachability,
    apiCopies,
    ok:
      configError === undefined &&
      apiKeyPresent &&
      (!probed || reachability?.reachable === true) &&
      apiCopies.length <= 1,
  };
}

/** What each destination calls its secret, and the variable that sets it. */
const KEY_NAMES: Readonly<
  Record<DestinationKind, { set: string; missing: string; variable: string }>
> = {
  galileo: { set: 'API key', missing: 'No API key', variable: 'GALILEO_API_KEY' },
  'splunk-ao': { set: 'API key', missing: 'No API key', variable: 'SPLUNK_AO_API_KEY' },
  'splunk-o11y': {
    set: 'Ingest token',
    missing: 'No ingest token',
    variable: 'SPLUNK_AO_O11Y_TOKEN',
  },
};

/** The report as text for a terminal; values read from the environment or disk go through `t`. */
export function formatDoctorReport(report: DoctorReport, mark: (ok: boolean) => string): string {
  const lines: string[] = ['galileo-otel doctor', ''];
  if (report.configError) {
    lines.push(`${mark(false)} configuration error: ${t(report.configError)}`);
  }
  const d = report.destination;
  if (d) {
    lines.push(
      `Destination: ${d.kind}  (from ${t(d.sources.kind ?? 'default')})`,
      `Endpoint: ${t(d.endpoint)}  (from ${t(d.sources.endpoint ?? 'default')})`,
      `Auth header: ${d.authHeader}  (its value is never shown)`,
    );
  }
  if (report.settings.length > 0) {
    lines.push('', 'Settings (value, source):');
    const width = Math.max(...report.settings.map((s) => s.setting.length));
    for (const s of report.settings) {
      lines.push(`  ${s.setting.padEnd(width)}  ${t(s.value ?? '(unset)')}  [${t(s.source)}]`);
    }
  }
  lines.push('');
  if (d) {
    const key = KEY_NAMES[d.kind];
    lines.push(
      report.apiKeyPresent
        ? `${mark(true)} ${key.set} is set (value not shown)`
        : `${mark(false)} ${key.missing}: set ${key.variable} (any non-empty value works with galileo-otel dev)`,
    );
  }
  const r = report.reachability;
  if (d && !r) {
    lines.push(`${mark(true)} Endpoint not probed (--no-probe)`);
  } else if (r) {
    lines.push(
      r.reachable
        ? `${mark(true)} Endpoint answers: HTTP ${r.status} in ${r.ms} ms`
        : `${mark(false)} Endpoint unreachable: ${t(r.error ?? '')}`,
    );
  }
  const copies = report.apiCopies;
  if (copies.length === 0) {
    lines.push(`${mark(true)} No @opentelemetry/api installed here (nothing to conflict)`);
  } else if (copies.length === 1) {
    lines.push(
      `${mark(true)} One copy of @opentelemetry/api: ${t(copies[0]?.version ?? '')} at ${t(copies[0]?.path ?? '')}`,
    );
  } else {
    lines.push(
      `${mark(false)} ${copies.length} copies of @opentelemetry/api; spans may not join one trace:`,
    );
    for (const c of copies) lines.push(`    ${t(c.version)}  ${t(c.path)}`);
    lines.push(
      '  Fix: make @opentelemetry/api a direct dependency of your project (npm install',
      '  @opentelemetry/api), since the "$" reference below names your own dependency and npm',
      '  and pnpm refuse it without one; then add to your package.json and reinstall:',
      `    ${OVERRIDES_FIX}`,
      '  (pnpm: put "overrides" inside "pnpm": { … })',
    );
  }
  lines.push('', report.ok ? 'All checks passed.' : 'Some checks need attention.');
  return `${lines.join('\n')}\n`;
}
