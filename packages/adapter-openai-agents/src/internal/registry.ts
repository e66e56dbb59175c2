import type { Context } from '@opentelemetry/api';

/** What the tool-context helper needs from a live bridge. */
export interface ContextSource {
  contextFor(traceId: string, spanId: string): Context | undefined;
}

const bridges = new Set<ContextSource>();

/** Remembers a live bridge so `withToolContext()` can find the span it mirrors. */
export function registerBridge(bridge: ContextSource): void {
  bridges.add(bridge);
}

/** Forgets a bridge that was shut down. */
export function unregisterBridge(bridge: ContextSource): void {
  bridges.delete(bridge);
}

/** The OTel context of an SDK span, from whichever live bridge mirrors it. */
export function contextForSdkSpan(traceId: string, spanId: string): Context | undefined {
  for (const bridge of bridges) {
    const found = bridge.contextFor(traceId, spanId);
    if (found) return found;
  }
  return undefined;
}
