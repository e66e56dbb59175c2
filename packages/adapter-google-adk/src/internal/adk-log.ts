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

/** Printed once when an agent runs under an `invocation` the plugin did not mark. */
export const MISSING_PLUGIN_MESSAGE: string =
  'google-adk: an ADK runner has no galileoAdkPlugin(), so a failed model call is exported as ' +
  'OK, a throwing tool gets a generic error message, and streamed (SSE) tool-call output is ' +
  "lost. Fix: import { galileoAdkPlugin } from '@galileo-otel/adapter-google-adk' and pass " +
  'plugins: [galileoAdkPlugin()] to the runner, e.g. new InMemoryRunner({ agent, appName, ' +
  'plugins: [galileoAdkPlugin()] }).';
