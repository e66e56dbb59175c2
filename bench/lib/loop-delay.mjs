// The event-loop delay of the current process over a measured window, as both end-to-end
// suites read it from their services.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const ms = (ns) => ns / 1e6;

/** A 1 ms-resolution delay histogram: `start()` opens a window, `stop()` closes it (ms). */
export function loopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  return {
    start() {
      histogram.reset();
      histogram.enable();
    },
    stop() {
      histogram.disable();
      return {
        p50: ms(histogram.percentile(50)),
        p99: ms(histogram.percentile(99)),
        max: ms(histogram.max),
      };
    },
  };
}
