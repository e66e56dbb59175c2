import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { estimateBytes } from '../internal/estimate-bytes.js';

/** Limits and timing of the export queue. */
export interface QueueSettings {
  /** `immediate` starts an export as each span ends; `batch` waits for a batch or the delay. */
  exportMode: 'batch' | 'immediate';
  maxQueueSize: number;
  maxQueueBytes: number;
  maxExportBatchSize: number;
  maxExportBatchBytes: number;
  scheduledDelayMillis: number;
}

/** What the queue reports to the processor. */
export interface QueueEvents {
  /** Sends one batch; resolves when it is delivered or given up (never rejects). */
  send(batch: ReadableSpan[]): Promise<void>;
  /** A drop episode began: the queue was full (said once until it drains). */
  full(spans: number, bytes: number): void;
}

const MAX_CONCURRENT_EXPORTS = 2;

/**
 * The export queue: spans wait here, bounded by count and by estimated bytes, until one rule says
 * "export now" (immediate mode, a full batch by count or bytes, or the scheduled delay). At most
 * two exports run at once. Spans that do not fit are dropped and counted, and a drop episode is
 * reported once until the queue drains.
 */
export class ExportQueue {
  readonly #settings: QueueSettings;
  readonly #events: QueueEvents;
  readonly #inFlight = new Set<Promise<void>>();
  // The spans and their estimated sizes, side by side. No object wraps a span: V8 may decide to
  // allocate a per-span wrapper straight in the old generation (allocation-site pretenuring),
  // and an old wrapper that has died still holds its span through every young collection until
  // the next full one. Then every span of the app is promoted and needs a full GC to be freed
  // (BENCHMARKS.md: 4-5 times the young-GC time, and major GCs the plain pipeline never has).
  #queue: ReadableSpan[] = [];
  #sizes: number[] = [];
  #bytes = 0;
  #inFlightSpans = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #dropEpisode = false;
  #closed = false;

  constructor(settings: QueueSettings, events: QueueEvents) {
    this.#settings = settings;
    this.#events = events;
  }

  /** Spans waiting. */
  get length(): number {
    return this.#queue.length;
  }

  /** Their estimated bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Spans queued or in an export still in flight. */
  get pending(): number {
    return this.#queue.length + this.#inFlightSpans;
  }

  /** Queues an ended span; returns false when it was dropped because the queue is full. */
  push(span: ReadableSpan): boolean {
    const bytes = estimateBytes(span);
    const settings = this.#settings;
    if (
      this.#queue.length >= settings.maxQueueSize ||
      this.#bytes + bytes > settings.maxQueueBytes
    ) {
      if (!this.#dropEpisode) {
        this.#dropEpisode = true;
        this.#events.full(this.#queue.length, this.#bytes);
      }
      return false;
    }
    this.#dropEpisode = false;
    this.#queue.push(span);
    this.#sizes.push(bytes);
    this.#bytes += bytes;
    if (this.#due()) this.#exportSoon();
    else this.#arm();
    return true;
  }

  /** Exports everything queued and waits until every export in flight has finished. */
  async flush(): Promise<void> {
    while (this.#queue.length > 0) {
      if (this.#inFlight.size >= MAX_CONCURRENT_EXPORTS) await Promise.race(this.#inFlight);
      else this.#startExport();
    }
    await Promise.all(this.#inFlight);
  }

  /** Forgets everything queued (the process is ending and cannot wait); returns how many. */
  discard(): number {
    const count = this.#queue.length;
    this.#queue = [];
    this.#sizes = [];
    this.#bytes = 0;
    return count;
  }

  /** Stops the timer; nothing is scheduled any more. */
  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  // The one rule for "export now".
  #due(): boolean {
    const settings = this.#settings;
    return (
      settings.exportMode === 'immediate' ||
      this.#queue.length >= settings.maxExportBatchSize ||
      this.#bytes >= settings.maxExportBatchBytes
    );
  }

  #arm(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#exportSoon();
    }, this.#settings.scheduledDelayMillis);
    this.#timer.unref?.();
  }

  #exportSoon(): void {
    while (this.#queue.length > 0 && this.#inFlight.size < MAX_CONCURRENT_EXPORTS) {
      this.#startExport();
    }
    if (this.#queue.length > 0) this.#arm();
  }

  #startExport(): void {
    const batch = this.#takeBatch();
    if (batch.length === 0) return;
    this.#inFlightSpans += batch.length;
    const done = this.#events.send(batch).finally(() => {
      this.#inFlightSpans -= batch.length;
      this.#inFlight.delete(done);
      // Immediate mode promises an export as each span ends: spans that ended while every
      // export slot was busy go out now, not after scheduledDelayMillis.
      if (this.#due()) this.#exportSoon();
      else if (this.#queue.length > 0) this.#arm();
    });
    this.#inFlight.add(done);
  }

  #takeBatch(): ReadableSpan[] {
    const { maxExportBatchSize, maxExportBatchBytes } = this.#settings;
    const sizes = this.#sizes;
    let count = 0;
    let bytes = 0;
    while (count < sizes.length && count < maxExportBatchSize) {
      const next = sizes[count] as number;
      if (count > 0 && bytes + next > maxExportBatchBytes) break;
      bytes += next;
      count++;
    }
    sizes.splice(0, count);
    this.#bytes -= bytes;
    return this.#queue.splice(0, count);
  }
}
