/** Resolves on the next turn of the event loop, after pending I/O callbacks have run. */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
