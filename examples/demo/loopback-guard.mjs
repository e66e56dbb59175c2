// Loopback guard: preload it with `node --import ./loopback-guard.mjs app.mjs` to make sure a
// process talks to nothing but this machine. Every outbound TCP/TLS connection (node:http,
// node:https, undici/fetch, SDK clients) ends up in `net.Socket.prototype.connect`; a connection
// to a host that is not loopback is refused with an error, and one line starting with
// `[loopback-guard] BLOCKED` is written to stderr so a test can assert that none happened.
//
// It is used by `npm run demo` (offline runs) and by the end-to-end test of the examples. It is
// a safety net for offline runs, not a sandbox: child processes and native addons are not
// covered.
import net from 'node:net';

const LOOPBACK_NAMES = new Set(['localhost', 'ip6-localhost', 'ip6-loopback']);

/** True for 127.0.0.0/8, ::1, ::ffff:127.x and the loopback host names. */
export function isLoopbackHost(host) {
  if (host === undefined || host === null || host === '') return true; // Node defaults to localhost
  const h = String(host)
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  if (LOOPBACK_NAMES.has(h)) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (/^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  return false;
}

function report(what) {
  process.stderr.write(`[loopback-guard] BLOCKED ${what} (pid ${process.pid})\n`);
}

// Socket#connect(options[, cb]) | (port[, host][, cb]) | (path[, cb]); an IPC path is local.
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function guardedConnect(...args) {
  let normalized = args[0];
  if (Array.isArray(normalized)) normalized = normalized[0]; // Node's internal [options, cb] form
  let host;
  let port;
  let isPath = false;
  if (normalized !== null && typeof normalized === 'object') {
    if (typeof normalized.path === 'string') isPath = true;
    host = normalized.host;
    port = normalized.port;
  } else if (typeof normalized === 'string' && !/^\d+$/.test(normalized)) {
    isPath = true;
  } else {
    port = normalized;
    host = typeof args[1] === 'string' ? args[1] : undefined;
  }
  if (!isPath && !isLoopbackHost(host)) {
    report(`connect to ${host}:${port}`);
    const error = new Error(`loopback-guard: connection to ${host}:${port} refused (not loopback)`);
    error.code = 'ECONNREFUSED';
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return originalConnect.apply(this, args);
};

// fetch goes through the socket patch too; checking the URL first gives a clearer message.
const originalFetch = globalThis.fetch;
if (typeof originalFetch === 'function') {
  globalThis.fetch = function guardedFetch(input, init) {
    let url;
    try {
      url = new URL(typeof input === 'string' || input instanceof URL ? String(input) : input.url);
    } catch {
      return originalFetch(input, init);
    }
    if ((url.protocol === 'http:' || url.protocol === 'https:') && !isLoopbackHost(url.hostname)) {
      report(`fetch ${url.origin}${url.pathname}`);
      return Promise.reject(new TypeError(`loopback-guard: fetch to ${url.origin} refused`));
    }
    return originalFetch(input, init);
  };
}
