// DNS rebinding: a page on attacker.test can make attacker.test resolve to 127.0.0.1, and its
// script, still same-origin with attacker.test, then reads and writes the local receiver. The
// browser cannot hide the name it used: it sends it as `Host` (and as `Origin` on a POST). So
// the receiver answers only names that no outside DNS controls.

import { isIP } from 'node:net';

function hostnameOf(authority: string): string | undefined {
  try {
    const url = new URL(`http://${authority}`);
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) {
      return undefined;
    }
    return url.hostname.replace(/^\[|\]$/g, '');
  } catch {
    return undefined;
  }
}

/**
 * A check for the `Host` header (or an `Origin`'s host): true for `localhost` and `*.localhost`
 * (browsers resolve these to loopback themselves), any IP address (127.0.0.1, [::1], a LAN
 * address when listening on 0.0.0.0: an address involves no DNS, so it cannot be rebound) and the
 * host the server was told to listen on; any port. Everything else, a missing header included,
 * is refused.
 */
export function hostAllowList(listenHost: string): (authority: string | undefined) => boolean {
  const configured = hostnameOf(isIP(listenHost) === 6 ? `[${listenHost}]` : listenHost);
  return (authority) => {
    if (authority === undefined) return false;
    const name = hostnameOf(authority);
    if (name === undefined) return false;
    return (
      name === 'localhost' || name.endsWith('.localhost') || isIP(name) !== 0 || name === configured
    );
  };
}
