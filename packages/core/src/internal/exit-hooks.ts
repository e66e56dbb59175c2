const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

/**
 * Flushes on SIGTERM / SIGINT and on `beforeExit`. The signal listener stays registered until the
 * shutdown has settled: other handlers (the OpenAI Agents SDK installs one) exit the process only
 * when they see no other listener, so they defer to us while we flush. Afterwards our listener is
 * removed and the signal is raised once more, so the process ends as it would have: by the
 * default action, or by handlers that deferred the first time (make your own handlers
 * idempotent: they see the signal twice). Returns a function that removes the hooks.
 */
export function installExitHooks(
  flush: () => Promise<void>,
  shutdown: () => Promise<void>,
): () => void {
  let flushing = false;
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void shutdown()
      .catch(() => {})
      .finally(() => {
        remove();
        process.kill(process.pid, signal);
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
  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on('beforeExit', onBeforeExit);
  return remove;
}
