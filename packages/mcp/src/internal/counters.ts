import type { McpStats } from '../mcp-stats.js';

const counters: McpStats = {
  traceparentRejected: 0,
  tracestateRejected: 0,
  baggageRejected: 0,
  spansAbandoned: 0,
  hookErrors: 0,
};

/** Adds one to a counter of {@link McpStats}. */
export function count(name: keyof McpStats): void {
  counters[name] += 1;
}

/** A copy of the counters. */
export function snapshot(): McpStats {
  return { ...counters };
}
