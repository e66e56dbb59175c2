/** One behaviour a request can be forced into. Several may be combined with commas. */
export type LocalModelScenario =
  /** Call the named tool (when offered and no result for it is present yet). */
  | { kind: 'tool'; name: string }
  /** Refuse in the provider's refusal shape. */
  | { kind: 'refusal' }
  /** Wait this many milliseconds before answering. */
  | { kind: 'latency'; ms: number }
  /** Answer 429 with `Retry-After: 1`; with `times`, only the first `times` identical requests. */
  | { kind: 'rate-limit'; times: number | undefined }
  /** Answer 500; with `times`, only the first `times` identical requests. */
  | { kind: 'server-error'; times: number | undefined }
  /** Answer 401 (bad credentials); with `times`, only the first `times` identical requests. */
  | { kind: 'unauthenticated'; times: number | undefined }
  /**
   * Answer "overloaded" (Anthropic 529, OpenAI and Gemini 503); with `times`, only the first
   * `times` identical requests.
   */
  | { kind: 'overloaded'; times: number | undefined }
  /** Start the response, then cut the connection mid-way. */
  | { kind: 'broken-stream' };

/** Thrown by {@link parseScenario} for a scenario it does not know. */
export class ScenarioParseError extends Error {
  /** Creates the error for the offending scenario text. */
  constructor(spec: string) {
    super(
      `Unknown local-model scenario "${spec}". Expected tool:<name>, refusal, latency:<ms>, 429[:n], 500[:n], 401[:n], overloaded[:n] or broken-stream.`,
    );
    this.name = 'ScenarioParseError';
  }
}

/** Scenario names that answer an error, and the kind of error. */
const FAILURES = {
  '429': 'rate-limit',
  '500': 'server-error',
  '401': 'unauthenticated',
  overloaded: 'overloaded',
} as const;

/**
 * Parses a scenario string such as `429`, `overloaded:1`, `tool:get_weather`,
 * `latency:200,refusal`. An empty string gives an empty list. Throws {@link ScenarioParseError} on unknown input.
 */
export function parseScenario(spec: string): LocalModelScenario[] {
  const out: LocalModelScenario[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (part === '' || part === 'default') continue;
    const colon = part.indexOf(':');
    const head = (colon === -1 ? part : part.slice(0, colon)).toLowerCase();
    const arg = colon === -1 ? undefined : part.slice(colon + 1).trim();
    const count = arg === undefined ? undefined : Number(arg);
    if (head === 'tool' && arg) out.push({ kind: 'tool', name: arg });
    else if (head === 'refusal' && arg === undefined) out.push({ kind: 'refusal' });
    else if (head === 'latency' && count !== undefined && Number.isFinite(count) && count >= 0)
      out.push({ kind: 'latency', ms: count });
    else if (head === 'broken-stream' && arg === undefined) out.push({ kind: 'broken-stream' });
    else if (Object.hasOwn(FAILURES, head) && (arg === undefined || isCount(count)))
      out.push({ kind: FAILURES[head as keyof typeof FAILURES], times: count });
    else throw new ScenarioParseError(part);
  }
  return out;
}

function isCount(n: number | undefined): boolean {
  return n !== undefined && Number.isInteger(n) && n > 0;
}
