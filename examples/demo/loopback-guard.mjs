// Loopback guard: preload it with `node --import ./loopback-guard.mjs app.mjs` to make sure a
// process talks to nothing but this machine. Every outbound TCP/TLS connection (node:http,
// node:https, undici/fetch, SDK clients) ends up in `net.Socket.prototype.connect`; a connection
// to a host that is not loopback is refused with an error, and one line starting with
// `[loopback-guard] BLOCKED` is written to stderr so a test can assert that none happened.
//
// It is used by `npm run demo` (offline runs) and by the end-to-end test of the examples. It is
// a safety net for offline runs, not a sandbox: child processes and native addons are not
// covered. DNS lookups of other hosts and UDP datagrams to them are refused and reported too.
import dgram from 'node:dgram';
import dns from 'node:dns';
import { syncBuiltinESMExports } from 'node:module';
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

// DNS: a lookup of another host is the first sign of a call leaving the machine (telemetry
// beacons resolve before they connect). Refused like a name that does not exist.
const dnsRefusal = (hostname) => {
  report(`dns lookup ${hostname}`);
  const error = new Error(`loopback-guard: dns lookup of ${hostname} refused (not loopback)`);
  error.code = 'ENOTFOUND';
  error.hostname = hostname;
  return error;
};
const originalLookup = dns.lookup;
dns.lookup = function guardedLookup(hostname, ...rest) {
  if (isLoopbackHost(hostname)) return originalLookup.call(this, hostname, ...rest);
  const callback = rest.findLast((arg) => typeof arg === 'function');
  const error = dnsRefusal(hostname);
  if (callback) process.nextTick(() => callback(error));
  return undefined;
};
const originalPromiseLookup = dns.promises.lookup;
dns.promises.lookup = function guardedPromiseLookup(hostname, ...rest) {
  if (isLoopbackHost(hostname)) return originalPromiseLookup.call(this, hostname, ...rest);
  return Promise.reject(dnsRefusal(hostname));
};

// UDP: send(msg[, offset, length], port[, address][, callback]); a connected socket has no
// address argument and was checked by connect.
const originalSend = dgram.Socket.prototype.send;
dgram.Socket.prototype.send = function guardedSend(...args) {
  const address = args.find((arg, i) => i > 0 && typeof arg === 'string');
  if (address !== undefined && !isLoopbackHost(address)) {
    report(`udp send to ${address}`);
    const callback = args.findLast((arg) => typeof arg === 'function');
    const error = new Error(`loopback-guard: udp send to ${address} refused (not loopback)`);
    error.code = 'ECONNREFUSED';
    if (callback) process.nextTick(() => callback(error));
    return;
  }
  return originalSend.apply(this, args);
};
const originalUdpConnect = dgram.Socket.prototype.connect;
dgram.Socket.prototype.connect = function guardedUdpConnect(port, address, ...rest) {
  if (typeof address === 'string' && !isLoopbackHost(address)) {
    report(`udp connect to ${address}:${port}`);
    const callback = rest.findLast((arg) => typeof arg === 'function');
    const error = new Error(`loopback-guard: udp connect to ${address} refused (not loopback)`);
    error.code = 'ECONNREFUSED';
    if (callback) process.nextTick(() => callback(error));
    return;
  }
  return originalUdpConnect.call(this, port, address, ...rest);
};

// Named ESM imports of these built-ins (`import { lookup } from 'node:dns'`) see the patches too.
syncBuiltinESMExports();
