// Starting helper processes (sinks, receivers, services) and talking to them over IPC.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Forks `script` (relative to bench/), waits for its `{type:'ready'}` message. */
export function startChild(script, args = [], { env, execArgv = [] } = {}) {
  const path = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const child = fork(path, args, {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ...env },
    execArgv,
  });
  const waiters = [];
  const unclaimed = [];
  child.on('message', (message) => {
    const index = waiters.findIndex((w) => w.type === message?.type);
    if (index !== -1) waiters.splice(index, 1)[0].resolve(message);
    else unclaimed.push(message);
  });
  const next = (type, timeoutMs = 120_000) =>
    new Promise((resolve, reject) => {
      const early = unclaimed.findIndex((m) => m?.type === type);
      if (early !== -1) {
        resolve(unclaimed.splice(early, 1)[0]);
        return;
      }
      const timer = setTimeout(
        () => reject(new Error(`${script}: no '${type}' in ${timeoutMs} ms`)),
        timeoutMs,
      );
      waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = Promise.race([
    next('ready'),
    exited.then((code) => {
      throw new Error(`${script} exited with ${code} before it was ready`);
    }),
  ]);
  return ready.then((message) => ({
    ...message,
    child,
    /** Sends `{type}` (plus fields) and resolves with the reply of the same type. */
    ask(type, fields = {}, timeoutMs) {
      const reply = next(type, timeoutMs);
      child.send({ type, ...fields });
      return reply;
    },
    next,
    async close() {
      if (child.exitCode !== null) return;
      if (child.connected) child.send({ type: 'close' }, () => {});
      else child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  }));
}

/** Runs `script` to completion and resolves with its `{type:'result'}` message. */
export async function runChild(script, args = [], options = {}) {
  const child = await startChild(script, args, options);
  const exited = new Promise((_, reject) =>
    child.child.once('exit', (code) =>
      reject(new Error(`${script} exited with code ${code} before sending its result`)),
    ),
  );
  exited.catch(() => {});
  const result = await Promise.race([child.next('result', options.timeoutMs ?? 900_000), exited]);
  await child.close();
  return result.value;
}

/** In a suite: hands the result to the parent, then lets the process end. */
export function finish(value) {
  if (!process.send) {
    console.log(JSON.stringify(value, null, 1));
    return;
  }
  process.send({ type: 'result', value }, () => process.disconnect());
}
