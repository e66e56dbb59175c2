const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes on SIGTERM / SIGINT (then lets the signal take its usual course when nobody else
 * handles it) and on `beforeExit`. Returns a function that removes the hooks.
 */
export function installExitHooks(
  flush: () => Promise<void>,
  shutdown: () => Promise<void>,
): () => void {
  let flushing = false;
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    void shutdown()
      .catch(() => {})
      .finally(() => {
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
  };
  const onBeforeExit = () => {
    // beforeExit fires again after the flush's own work drains; flush once per quiet period.
    if (flushing) return;
    flushing = true;
    void flush()
      .catch(() => {})
      .finally(() => {
        flushing = false;
      });
  };
  const remove = () => {
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off('beforeExit', onBeforeExit);
  };
  for (const signal of SIGNALS) process.once(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return remove;
}
