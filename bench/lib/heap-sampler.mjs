// Bytes allocated on the V8 heap while a function runs: V8's sampling heap profiler, with the
// objects collected meanwhile kept in the count, so GC cannot hide them.
import { Session } from 'node:inspector/promises';

/** A sampler over one inspector session; `bytes(fn)` runs `fn` and returns what it allocated. */
export async function heapSampler({ samplingInterval = 512 } = {}) {
  const session = new Session();
  session.connect();
  await session.post('HeapProfiler.enable');
  return {
    async bytes(fn) {
      await session.post('HeapProfiler.startSampling', {
        samplingInterval,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
      await fn();
      const { profile } = await session.post('HeapProfiler.stopSampling');
      let bytes = 0;
      const walk = (node) => {
        bytes += node.selfSize;
        for (const child of node.children) walk(child);
      };
      walk(profile.head);
      return bytes;
    },
    async close() {
      await session.post('HeapProfiler.disable');
      session.disconnect();
    },
  };
}
