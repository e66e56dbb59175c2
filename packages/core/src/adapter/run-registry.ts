import type { Span } from '@opentelemetry/api';

/** Attribute set on a span an adapter had to end itself, before its framework said so. */
export const INCOMPLETE = 'galileo.incomplete';
/** Why the span is incomplete: `evicted`, `shutdown`, `timeout`, ... */
export const INCOMPLETE_REASON = 'galileo.incomplete.reason';

/** Why a run was given up on. */
export type IncompleteReason = 'evicted' | 'shutdown' | 'timeout' | (string & {});

/**
 * Marks a span the adapter ends before its framework finished it: `galileo.incomplete = true`
 * and `galileo.incomplete.reason`. Every adapter uses these two attributes, so one query finds
 * cut-short spans whatever the framework. Never throws.
 */
export function markIncomplete(span: Span, reason: IncompleteReason): void {
  try {
    span.setAttribute(INCOMPLETE, true);
    span.setAttribute(INCOMPLETE_REASON, reason);
  } catch {
    // A span that refuses attributes has already ended: nothing to mark.
  }
}

/** The default of every adapter's `maxOpenRuns` option. */
export const DEFAULT_MAX_OPEN_RUNS = 1000;

/** Options of a {@link RunRegistry}. */
export interface RunRegistryOptions<V> {
  /**
   * Most runs held open at once. Past it the oldest run is given up on (`evicted`), so a
   * framework that never reports a run's end cannot grow memory.
   * @defaultValue {@link DEFAULT_MAX_OPEN_RUNS}
   */
  maxOpenRuns?: number | undefined;
  /**
   * The option's name as the user wrote it, for the error message (an adapter that still
   * accepts an old name passes it).
   * @defaultValue `maxOpenRuns`
   */
  optionName?: string | undefined;
  /**
   * Ends a run the registry gives up on: end its open spans, marked with
   * {@link markIncomplete}. Called once per run; a throw is caught and ignored.
   */
  abandon(run: V, reason: IncompleteReason): void;
}

/**
 * The open runs (or calls, or spans) of a bridge adapter, by the framework's id: bounded, with
 * one way to give up on a run (at the limit, at shutdown, or when the adapter says so).
 * Insertion order is age order.
 */
export class RunRegistry<K, V> {
  readonly #runs = new Map<K, V>();
  readonly #limit: number;
  readonly #abandon: (run: V, reason: IncompleteReason) => void;

  /** @throws {RangeError} when `maxOpenRuns` is not a whole number of at least 1. */
  constructor(options: RunRegistryOptions<V>) {
    const limit = options.maxOpenRuns ?? DEFAULT_MAX_OPEN_RUNS;
    if (!Number.isInteger(limit) || limit < 1) {
      const name = options.optionName ?? 'maxOpenRuns';
      throw new RangeError(`${name} must be a whole number of at least 1, got ${limit}`);
    }
    this.#limit = limit;
    this.#abandon = options.abandon;
  }

  /** Runs open now. */
  get size(): number {
    return this.#runs.size;
  }

  /** The run under `key`, if open. */
  get(key: K): V | undefined {
    return this.#runs.get(key);
  }

  /** Whether a run is open under `key`. */
  has(key: K): boolean {
    return this.#runs.has(key);
  }

  /** Opens (or replaces) a run; gives up on the oldest ones past the limit. */
  set(key: K, run: V): void {
    this.#runs.set(key, run);
    while (this.#runs.size > this.#limit) {
      const oldest = this.#runs.keys().next();
      if (oldest.done) break;
      this.giveUp(oldest.value, 'evicted');
    }
  }

  /** Forgets a run that ended normally; returns it. */
  delete(key: K): V | undefined {
    const run = this.#runs.get(key);
    this.#runs.delete(key);
    return run;
  }

  /** Gives up on one run: forgets it and lets the adapter end it as incomplete. */
  giveUp(key: K, reason: IncompleteReason): void {
    const run = this.#runs.get(key);
    if (run === undefined && !this.#runs.has(key)) return;
    this.#runs.delete(key);
    try {
      this.#abandon(run as V, reason);
    } catch {
      // Ending a run is best effort: the registry has forgotten it either way.
    }
  }

  /** Gives up on every open run (at shutdown). */
  giveUpAll(reason: IncompleteReason = 'shutdown'): void {
    for (const key of [...this.#runs.keys()]) this.giveUp(key, reason);
  }

  /** The open runs, oldest first. */
  values(): IterableIterator<V> {
    return this.#runs.values();
  }
}
