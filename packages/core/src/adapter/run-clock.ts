/**
 * A clock for every span an adapter writes for one run (an agent call, a workflow): pass its
 * value as `startTime` and to `end()`.
 *
 * The OTel SDK anchors each span separately: its start is `Date.now()` (whole milliseconds)
 * and its end is that start plus the `performance.now()` time since. Two spans of one run
 * therefore disagree by up to a millisecond, so a child that ends just before its parent can
 * be exported ending after it, and a trace viewer draws it sticking out of its parent. Spans
 * timed by one `runClock()` share a single anchor and keep the order they really had.
 *
 * The values are epoch milliseconds with sub-millisecond precision, which the SDK takes as-is.
 */
export function runClock(): () => number {
  const wall = Date.now();
  const start = performance.now();
  return () => wall + (performance.now() - start);
}
