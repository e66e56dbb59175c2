import { type DescribedSetting, describeGalileoConfig } from '@galileo-otel/core';
import { type ApiCopy, findApiCopies } from './find-api-copies.js';
import { terminalText as t } from './terminal-text.js';

/** What `galileo-otel doctor` found. */
export interface DoctorReport {
  /** The resolved OTLP endpoint, or `undefined` when the configuration is invalid. */
  endpoint: string | undefined;
  /** Every setting, where it came from; the API key's value is never included. */
  settings: DescribedSetting[];
  /** A configuration error (invalid URL or number), if any. */
  configError: string | undefined;
  /** Whether a Galileo API key is configured. */
  apiKeyPresent: boolean;
  /** The endpoint's answer: any HTTP status counts as reachable. */
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

/** Runs every check. `endpoint` overrides the configured one (like the `endpoint` option). */
export async function runDoctor(options: {
  cwd: string;
  env: Record<string, string | undefined>;
  endpoint?: string | undefined;
  timeoutMs?: number | undefined;
}): Promise<DoctorReport> {
  let settings: DescribedSetting[] = [];
  let configError: string | undefined;
  try {
    settings = describeGalileoConfig({ endpoint: options.endpoint }, options.env);
  } catch (error) {
    configError = (error as Error).message;
  }
  const endpoint = settings.find((s) => s.setting === 'endpoint')?.value;
  const apiKeyPresent = settings.find((s) => s.setting === 'apiKey')?.value !== undefined;
  const reachability = endpoint ? await probe(endpoint, options.timeoutMs ?? 3000) : undefined;
  const apiCopies = findApiCopies(options.cwd);
  return {
    endpoint,
    settings,
    configError,
    apiKeyPresent,
    reachability,
    apiCopies,
    ok:
      configError === undefined &&
      apiKeyPresent &&
      reachability?.reachable === true &&
      apiCopies.length <= 1,
  };
}

/** The report as text for a terminal; values read from the environment or disk go through `t`. */
export function formatDoctorReport(report: DoctorReport, mark: (ok: boolean) => string): string {
  const lines: string[] = ['galileo-otel doctor', ''];
  if (report.configError) {
    lines.push(`${mark(false)} configuration error: ${t(report.configError)}`);
  }
  if (report.endpoint) {
    const source = report.settings.find((s) => s.setting === 'endpoint')?.source ?? 'default';
    lines.push(`Endpoint: ${t(report.endpoint)}  (from ${t(source)})`);
  }
  if (report.settings.length > 0) {
    lines.push('', 'Settings (value, source):');
    const width = Math.max(...report.settings.map((s) => s.setting.length));
    for (const s of report.settings) {
      lines.push(`  ${s.setting.padEnd(width)}  ${t(s.value ?? '(unset)')}  [${t(s.source)}]`);
    }
  }
  lines.push('');
  lines.push(
    report.apiKeyPresent
      ? `${mark(true)} API key is set (value not shown)`
      : `${mark(false)} No API key: set GALILEO_API_KEY (any non-empty value works with galileo-otel dev)`,
  );
  const r = report.reachability;
  if (r) {
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
