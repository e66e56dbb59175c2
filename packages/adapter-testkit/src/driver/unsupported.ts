/** A capability the framework does not have; the kit skips its scenario and shows the reason. */
export interface Unsupported {
  /** Marker the kit recognises. */
  readonly unsupported: true;
  /** Why the framework cannot do this, shown in the skipped test's title. */
  readonly reason: string;
}

/**
 * Declares a driver capability the framework lacks; the kit registers its scenario as a skipped
 * test whose title gives the reason, so nothing passes silently.
 *
 * @example
 * runStreamed: unsupported('the framework has no streaming API'),
 */
export function unsupported(reason: string): Unsupported {
  return { unsupported: true, reason };
}

/** True when a driver member was declared with {@link unsupported}. */
export function isUnsupported(value: unknown): value is Unsupported {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { unsupported?: unknown }).unsupported === true
  );
}
