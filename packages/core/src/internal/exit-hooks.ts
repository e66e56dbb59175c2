/** What the exit hooks need from one processor. */
export interface ExitParticipant {
  /** Spans not delivered yet: queued, or in an export still in flight. */
  pending(): number;
  /** Spans delivered so far (to tell how many the exit flush delivered). */
  delivered(): number;
  /** Spans given up on so far: failed, dropped, oversized, rejected. */
  undelivered(): number;
  /** Exports everything pending (natural exit). */
  flush(): Promise<void>;
  /** Flushes and closes (SIGTERM / SIGINT). */
  shutdown(): Promise<void>;
  /** Gives up on everything pending at once; the work in flight ends soon after. */
  abandon(reason: string): void;
  /** Whether to flush on natural exit and on signals (`flushOnExit`). */
  flushOnExit: boolean;
  /** Longest wait for the exit flush, in milliseconds. */
  timeoutMillis: number;
  /** Prints one line to the user (never throws). */
  warn(message: string): void;
}

const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
// How long aborted exports get to count their spans before the exit summary is printed.
const ABANDON_GRACE_MS = 1000;
const participants = new Set<ExitParticipant>();
let signalsInstalled = false;
let exitInstalled = false;
let exiting: Promise<void> | undefined;
let stoppingBy: NodeJS.Signals | undefined;
// Participants whose losses were already reported, so the `exit` warning does not repeat them.
const reported = new WeakSet<ExitParticipant>();

/**
 * Registers a processor with the process-wide exit hooks and returns a function that removes it.
 *
 * - Natural exit (`beforeExit`): pending spans are flushed, and a ref'd timer holds the process
 *   open until the flush ends or its deadline passes, so retries and their backoff (whose timers
 *   are unref'd) finish before Node exits.
 * - SIGTERM / SIGINT: each processor shuts down within its deadline; then our listener is removed
 *   and the signal raised once more, so the process ends as the signal asked (other handlers, like
 *   the OpenAI Agents SDK's, exit only when they see no other listener, and so defer to us while
 *   we flush; make your own handlers idempotent: they see the signal twice). A second signal while
 *   flushing gives up at once.
 * - `process.exit()` or a crash with spans still pending: one warning that says how many were lost
 *   and how to avoid it (the `exit` event cannot wait for a network request).
 *
 * One set of listeners serves every processor in the process.
 */
export function registerForExit(participant: ExitParticipant): () => void {
  participants.add(participant);
  sync();
  return () => {
    participants.delete(participant);
    sync();
  };
}

// The `exit` listener only warns, so it is there whenever a processor is. The signal listeners
// change how the process ends (Node no longer exits on SIGINT by itself), so they are there only
// while some processor asked to flush on exit.
function sync(): void {
  const wantSignals = participants.size > 0 && [...participants].some((p) => p.flushOnExit);
  if (wantSignals !== signalsInstalled) {
    signalsInstalled = wantSignals;
    for (const signal of SIGNALS) {
      if (wantSignals) process.on(signal, onSignal);
      else process.off(signal, onSignal);
    }
    if (wantSignals) process.on('beforeExit', onBeforeExit);
    else process.off('beforeExit', onBeforeExit);
  }
  const wantExit = participants.size > 0;
  if (wantExit !== exitInstalled) {
    exitInstalled = wantExit;
    if (wantExit) process.on('exit', onExit);
    else process.off('exit', onExit);
  }
}

const flushing = (): ExitParticipant[] => [...participants].filter((p) => p.flushOnExit);

function onBeforeExit(): void {
  // beforeExit fires again once the flush's own work drains: one exit flush at a time.
  if (exiting) return;
  const due = flushing().filter((p) => p.pending() > 0);
  if (due.length === 0) return;
  exiting = settleAll(due, 'flush', 'the process was exiting').finally(() => {
    exiting = undefined;
  });
}

function onSignal(signal: NodeJS.Signals): void {
  if (stoppingBy) {
    // A second Ctrl-C means "now": give up on the flush and let the signal end the process.
    for (const p of flushing()) {
      const lost = p.pending();
      if (lost > 0) {
        p.warn(`${signal} again: exiting without waiting; ${lost} spans were not delivered.`);
        reported.add(p);
      }
      p.abandon(`second ${signal}`);
    }
    reraise(signal);
    return;
  }
  const due = flushing();
  if (due.length === 0) return;
  stoppingBy = signal;
  void settleAll(due, 'shutdown', `${signal} was received`).finally(() => reraise(signal));
}

function reraise(signal: NodeJS.Signals): void {
  participants.clear();
  sync();
  process.kill(process.pid, signal);
}

function onExit(): void {
  for (const p of participants) {
    const lost = p.pending();
    if (lost === 0 || reported.has(p)) continue;
    reported.add(p);
    p.warn(
      `the process exited with ${lost} spans not yet exported; they are lost. ` +
        'Await `galileo.shutdown()` (or `forceFlush()`) before calling process.exit(), or let ' +
        'the process end on its own: galileo-otel flushes on a natural exit, SIGTERM and SIGINT.',
    );
  }
}

/** Runs each participant's flush or shutdown within its deadline, holding the process open. */
async function settleAll(
  due: ExitParticipant[],
  how: 'flush' | 'shutdown',
  why: string,
): Promise<void> {
  await Promise.all(due.map((p) => settle(p, how, why)));
}

async function settle(p: ExitParticipant, how: 'flush' | 'shutdown', why: string): Promise<void> {
  const deliveredBefore = p.delivered();
  const undeliveredBefore = p.undelivered();
  let timedOut = false;
  let hold: ReturnType<typeof setTimeout> | undefined;
  // Ref'd on purpose: this timer is what keeps a drained process alive while the flush retries.
  const deadline = new Promise<void>((resolve) => {
    hold = setTimeout(() => {
      timedOut = true;
      resolve();
    }, p.timeoutMillis);
  });
  const work = (how === 'flush' ? p.flush() : p.shutdown()).catch(() => {});
  await Promise.race([work, deadline]);
  clearTimeout(hold);
  if (timedOut && p.pending() > 0) {
    p.abandon(`exit deadline of ${p.timeoutMillis} ms`);
    // Aborted requests settle within a turn or two; their spans are counted as they do.
    await Promise.race([work, new Promise((resolve) => setTimeout(resolve, ABANDON_GRACE_MS))]);
  }
  const delivered = p.delivered() - deliveredBefore;
  const notDelivered = p.undelivered() - undeliveredBefore;
  if (notDelivered > 0 && !reported.has(p)) {
    reported.add(p);
    p.warn(
      `${why}: ${delivered} spans were delivered and ${notDelivered} were not` +
        (timedOut ? ` (still unsent after ${p.timeoutMillis} ms: exitTimeoutMillis)` : '') +
        '; the warnings before this one say why.',
    );
  }
}
