// Emits span trees at a steady rate (spans per second), yielding to the event loop between
// slices so exports, timers and sockets run as they would in an app. `rate = Infinity` emits
// as fast as possible, still yielding every `slice` trees.
import { setImmediate as immediate } from 'node:timers/promises';
import { SPANS_PER_TREE } from './spans.mjs';
import { sleep } from './stats.mjs';

export async function drive(emit, { spans, rate = 20_000, slice = 16, until } = {}) {
  const trees = spans === undefined ? Number.POSITIVE_INFINITY : Math.ceil(spans / SPANS_PER_TREE);
  const started = performance.now();
  let made = 0;
  while (made < trees) {
    if (until !== undefined && performance.now() - started >= until) break;
    const due = Number.isFinite(rate)
      ? Math.min(
          trees,
          Math.floor(((performance.now() - started) / 1000) * (rate / SPANS_PER_TREE)) + 1,
        )
      : made + slice;
    const stop = Math.min(trees, due, made + slice);
    while (made < stop) emit(made++);
    if (Number.isFinite(rate) && made >= due) await sleep(1);
    else await immediate();
  }
  return { spans: made * SPANS_PER_TREE, ms: performance.now() - started };
}
