import { diag } from '@opentelemetry/api';

const reported = new Set<string>();

/**
 * Logs a hook failure once per key through the OTel `diag` logger. Tracing must never break
 * the traced program, so hooks catch everything and land here.
 */
export function reportOnce(key: string, error: unknown): void {
  if (reported.has(key) || reported.size > 1000) return;
  reported.add(key);
  const message = error instanceof Error ? error.message : String(error);
  diag.warn(`[galileo-otel/adapter-vercel-ai] ${key} failed and was skipped: ${message}`);
}
