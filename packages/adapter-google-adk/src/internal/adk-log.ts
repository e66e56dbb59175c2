/** Where the ADK checks report (the processor's logger once `googleAdk()` is installed). */
let hostLog: ((key: string, message: string) => void) | undefined;
const printed = new Set<string>();

/** Routes the ADK warnings through the processor's deduplicating logger. */
export function useAdkHostLog(log: (key: string, message: string) => void): void {
  hostLog = log;
}

/** Prints `message` once per `key` (through the processor's logger when there is one). */
export function warnAdkOnce(key: string, message: string): void {
  try {
    if (hostLog) {
      hostLog(key, `google-adk: ${message}`);
      return;
    }
    if (printed.has(key)) return;
    printed.add(key);
    console.warn(`[galileo-otel] google-adk: ${message}`);
  } catch {
    // Logging never breaks the traced program.
  }
}
