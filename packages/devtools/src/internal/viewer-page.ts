/** The viewer's HTML shell. */
export function viewerPage(): string {
  return '<!doctype html><title>galileo-otel</title>';
}
