import { diag } from '@opentelemetry/api';
import { redactSecretText } from '../redaction/redact.js';
import type { AdapterHost } from './galileo-adapter.js';

/** The one logger of an adapter: warnings once per key, hook failures caught and reported. */
export interface AdapterLogger {
  /** Prints `message` once per `key` (through the processor's logger once installed). */
  warnOnce(key: string, message: string): void;
  /** Reports a failed hook once per `key`: tracing goes on without it. */
  failed(key: string, error: unknown): void;
  /**
   * Runs a framework hook so that it can never throw into the app: a throw is reported with
   * {@link AdapterLogger.failed} and `fallback` is returned instead.
   */
  guard<T>(key: string, fn: () => T, fallback?: T): T | undefined;
  /** Sends every later line through the processor's deduplicating logger. */
  attach(host: AdapterHost): void;
}

// A number per sink object, so the once-per-key set can tell sinks apart without holding them.
const sinkIds = new WeakMap<object, number>();
let sinkCounter = 1;
function sinkId(sink: object | false): number {
  if (!sink) return 0;
  let id = sinkIds.get(sink);
  if (id === undefined) {
    id = sinkCounter++;
    sinkIds.set(sink, id);
  }
  return id;
}

// Lines printed before any processor was attached, by adapter and key, across instances: two
// adapters of one kind must not print the same warning twice.
const printed = new Set<string>();
const PRINTED_LIMIT = 1000;

/**
 * The logger every adapter uses. Lines start with `[galileo-otel] <adapter>:`, go to the OTel
 * `diag` logger and the processor's logger once {@link AdapterLogger.attach} has run (else to
 * `console.warn`, once per key), and pass through the secret filter first, so an error message
 * that quotes a token never prints it.
 */
export function createAdapterLogger(
  adapter: string,
  options: {
    /**
     * Where lines go before (or without) a processor: an adapter wired on the framework's side,
     * like an exporter in the framework's config, passes its own `logger` option here. `false`
     * sends them to the OTel `diag` logger only.
     * @defaultValue `console`
     */
    sink?: { warn(message: string): void } | false | undefined;
  } = {},
): AdapterLogger {
  let host: AdapterHost | undefined;
  const sink = options.sink ?? console;
  const warnOnce = (key: string, message: string): void => {
    try {
      const line = redactSecretText(`${adapter}: ${message}`);
      if (host) {
        host.log(`${adapter}:${key}`, line);
        return;
      }
      // Per sink: two exporters with their own loggers each say it once.
      const id = `${adapter}\u0000${key}${sink === console ? '' : `\u0000${sinkId(sink)}`}`;
      if (printed.has(id) || printed.size >= PRINTED_LIMIT) return;
      printed.add(id);
      diag.warn(`[galileo-otel] ${line}`);
      if (sink) sink.warn(`[galileo-otel] ${line}`);
    } catch {
      // Logging never breaks the traced program.
    }
  };
  const failed = (key: string, error: unknown): void => {
    const message = error instanceof Error ? error.message : String(error);
    warnOnce(`failed:${key}`, `${key} failed and was skipped (tracing continues): ${message}`);
  };
  return {
    warnOnce,
    failed,
    guard<T>(key: string, fn: () => T, fallback?: T): T | undefined {
      try {
        return fn();
      } catch (error) {
        failed(key, error);
        return fallback;
      }
    },
    attach(next) {
      host = next;
    },
  };
}
