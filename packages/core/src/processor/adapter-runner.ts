import { type Context, type SpanContext, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan, Span } from '@opentelemetry/sdk-trace';
import type { AdapterHost, GalileoAdapter, SpanTranslation } from '../adapter/galileo-adapter.js';
import type { SpanRewrite } from '../exporter/galileo-otlp-exporter.js';

interface StartDecision {
  drop: boolean;
  parentSpanId: string | undefined;
  parentOfDropped: string | undefined;
}

// Decisions remembered (drop and re-parent) by span id; the oldest go first.
const MAX_DECISIONS = 50_000;

/**
 * The adapter stage: calls every framework adapter's hooks inside a guard (a throwing adapter is
 * reported and skipped, never breaks the app or the other adapters), remembers the drop and
 * re-parent decisions made as spans start, and turns each ended span into the rewrite the
 * exporter applies: merged translations, and a parent that skips every dropped span so nothing
 * is orphaned.
 */
export class AdapterRunner {
  readonly #adapters: readonly GalileoAdapter[];
  readonly #onError: (where: string, error: unknown) => void;
  readonly #decisions = new Map<string, StartDecision>();
  readonly #translating: boolean;

  constructor(
    adapters: readonly GalileoAdapter[],
    onError: (where: string, error: unknown) => void,
  ) {
    this.#adapters = adapters;
    this.#onError = onError;
    this.#translating = adapters.some((a) => a.translate);
  }

  /** Whether there is any adapter at all (the processor skips this stage otherwise). */
  get active(): boolean {
    return this.#adapters.length > 0;
  }

  /** Calls each adapter's `install` once. */
  install(host: AdapterHost): void {
    for (const adapter of this.#adapters) {
      this.#guard(adapter, 'install', () => adapter.install?.(host));
    }
  }

  /** Runs `onStart` hooks and remembers a drop or re-parent decision. */
  onStart(span: Span, parentContext: Context): void {
    let decision: StartDecision | undefined;
    for (const adapter of this.#adapters) {
      if (!adapter.onStart) continue;
      const made = this.#guard(adapter, 'onStart', () => adapter.onStart?.(span, parentContext));
      if (made?.drop || made?.parentSpanId) {
        decision ??= { drop: false, parentSpanId: undefined, parentOfDropped: undefined };
        if (made.drop) decision.drop = true;
        if (made.parentSpanId) decision.parentSpanId = made.parentSpanId;
      }
    }
    if (!decision) return;
    const readable = span as unknown as ReadableSpan;
    decision.parentOfDropped = decision.parentSpanId ?? readable.parentSpanContext?.spanId;
    // Bounded: the oldest decisions go first. A trace whose wrapper span outlives 50k newer
    // decisions loses only the re-parenting of late children, never spans.
    if (this.#decisions.size >= MAX_DECISIONS) {
      const oldest = this.#decisions.keys().next().value;
      if (oldest !== undefined) this.#decisions.delete(oldest);
    }
    this.#decisions.set(span.spanContext().spanId, decision);
  }

  /** Runs `onEnding` hooks, while the span can still be changed. */
  onEnding(span: Span): void {
    for (const adapter of this.#adapters) {
      if (adapter.onEnding) this.#guard(adapter, 'onEnding', () => adapter.onEnding?.(span));
    }
  }

  /** Whether an adapter asked, as the span started, for it not to be exported. */
  dropped(span: ReadableSpan): boolean {
    return (
      this.#decisions.size > 0 && this.#decisions.get(span.spanContext().spanId)?.drop === true
    );
  }

  /**
   * What to export instead of `span`: `null` to leave it out, `undefined` to send it as it is.
   * Runs at export time, never on the hot path of the app.
   */
  rewrite(span: ReadableSpan): SpanRewrite | null | undefined {
    let translation: SpanTranslation | undefined;
    if (this.#translating) {
      for (const adapter of this.#adapters) {
        if (!adapter.translate) continue;
        const result = this.#guard(adapter, 'translate', () => adapter.translate?.(span));
        if (result) translation = translation ? mergeTranslations(translation, result) : result;
      }
    }
    if (translation?.drop) return null;
    const parent = this.#parentOf(span);
    if (!translation && parent === span.parentSpanContext) return undefined;
    const rewrite: SpanRewrite = {};
    if (translation?.name !== undefined) rewrite.name = translation.name;
    if (translation?.status !== undefined) rewrite.status = translation.status;
    const error = translation?.error;
    if (translation?.attributes || translation?.removeAttributes || error) {
      const attributes = { ...span.attributes, ...translation?.attributes };
      for (const key of translation?.removeAttributes ?? []) delete attributes[key];
      if (error) {
        attributes['error.type'] = error.type;
        rewrite.status = { code: SpanStatusCode.ERROR, message: error.message };
        rewrite.events = [
          ...span.events,
          {
            name: 'exception',
            time: span.endTime,
            attributes: { 'exception.type': error.type, 'exception.message': error.message },
          },
        ];
      }
      rewrite.attributes = attributes;
    }
    if (parent !== span.parentSpanContext) rewrite.parentSpanContext = parent;
    return rewrite;
  }

  /** Runs adapters' `forceFlush` hooks (bridges end the spans of finished runs here). */
  async forceFlush(): Promise<void> {
    for (const adapter of this.#adapters) {
      if (adapter.forceFlush) await this.#guardAsync(adapter, 'forceFlush', adapter.forceFlush);
    }
  }

  /** Runs adapters' `shutdown` hooks (bridges end the spans of runs still open here). */
  async shutdown(): Promise<void> {
    for (const adapter of this.#adapters) {
      if (adapter.shutdown) await this.#guardAsync(adapter, 'shutdown', adapter.shutdown);
    }
  }

  // The nearest ancestor that is exported: dropped spans are skipped, following the decisions.
  #parentOf(span: ReadableSpan): SpanContext | undefined {
    const original = span.parentSpanContext;
    if (this.#decisions.size === 0) return original;
    const own = this.#decisions.get(span.spanContext().spanId);
    let parentId = own?.parentSpanId ?? original?.spanId;
    const seen = new Set<string>();
    while (parentId) {
      const decision = this.#decisions.get(parentId);
      if (!decision?.drop || seen.has(parentId)) break;
      seen.add(parentId);
      parentId = decision.parentOfDropped;
    }
    if (parentId === original?.spanId) return original;
    if (!parentId) return undefined;
    return {
      traceId: span.spanContext().traceId,
      spanId: parentId,
      traceFlags: span.spanContext().traceFlags,
      isRemote: false,
    };
  }

  #guard<T>(adapter: GalileoAdapter, hook: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#onError(`${adapter.name}.${hook}`, error);
      return undefined;
    }
  }

  async #guardAsync(adapter: GalileoAdapter, hook: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn.call(adapter);
    } catch (error) {
      this.#onError(`${adapter.name}.${hook}`, error);
    }
  }
}

function mergeTranslations(a: SpanTranslation, b: SpanTranslation): SpanTranslation {
  return {
    name: b.name ?? a.name,
    attributes: { ...a.attributes, ...b.attributes },
    removeAttributes: [...(a.removeAttributes ?? []), ...(b.removeAttributes ?? [])],
    status: b.status ?? a.status,
    drop: Boolean(a.drop || b.drop),
    error: b.error ?? a.error,
  };
}
