import { diag } from '@opentelemetry/api';

/** Where the processor's messages go. */
export interface GalileoLogger {
  /** A problem the user should act on. */
  warn(message: string): void;
}

/**
 * Deduplicating logger: each key is printed at most once per `windowMillis`, with a count of
 * repeats, so a failing endpoint gives one clear line instead of a flood. Secrets the caller
 * registers are scrubbed from every line.
 */
export class DedupLogger {
  readonly #sink: GalileoLogger | false;
  readonly #secrets: string[];
  readonly #windowMillis: number;
  readonly #seen = new Map<string, { at: number; repeats: number }>();

  constructor(sink: GalileoLogger | false, secrets: string[], windowMillis = 60_000) {
    this.#sink = sink;
    this.#secrets = secrets.filter((s) => s.length >= 4);
    this.#windowMillis = windowMillis;
  }

  log(key: string, message: string): void {
    try {
      const now = Date.now();
      const entry = this.#seen.get(key);
      if (entry && now - entry.at < this.#windowMillis) {
        entry.repeats++;
        return;
      }
      const repeats = entry?.repeats ?? 0;
      if (this.#seen.size > 1000) this.#seen.clear();
      this.#seen.set(key, { at: now, repeats: 0 });
      let line = `[galileo-otel] ${message}${repeats > 0 ? ` (repeated ${repeats} more times)` : ''}`;
      for (const secret of this.#secrets) line = line.split(secret).join('[REDACTED]');
      diag.warn(line);
      if (this.#sink) this.#sink.warn(line);
    } catch {
      // Logging must never break the traced program.
    }
  }
}
