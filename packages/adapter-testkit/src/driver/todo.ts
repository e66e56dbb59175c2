/**
 * Thrown by a driver function that is not written yet (see {@link todo}); the kit always lets
 * it fail the test, even in scenarios where the run itself is allowed to throw.
 */
export class DriverTodoError extends Error {
  override readonly name: string = 'DriverTodoError';
  /** True for any copy of this class (checks survive two installed copies of the kit). */
  static isInstance(error: unknown): error is DriverTodoError {
    return error instanceof Error && error.name === 'DriverTodoError';
  }
}

/**
 * Throws a {@link DriverTodoError} with `TODO: <what>`; the scaffold's driver uses it so every
 * scenario fails with the step still to write.
 */
export function todo(what: string): never {
  throw new DriverTodoError(`TODO: ${what}`);
}
