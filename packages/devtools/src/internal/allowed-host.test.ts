import { describe, expect, it } from 'vitest';
import { hostAllowList } from './allowed-host.js';

describe('hostAllowList', () => {
  it('allows the --host name, with or without a port, and refuses its look-alikes', () => {
    const allowed = hostAllowList('devbox.lan');
    expect(['devbox.lan', 'devbox.lan:4318', 'DEVBOX.LAN:1'].map(allowed)).toEqual([
      true,
      true,
      true,
    ]);
    expect(['devbox.lan.attacker.test', 'attacker.test', 'devbox.la', ''].map(allowed)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('allows an IPv6 --host, bracketed in Host as browsers send it', () => {
    const allowed = hostAllowList('::1');
    expect(allowed('[::1]:4318')).toBe(true);
    expect(allowed('[fe80::1]')).toBe(true);
    expect(allowed('::1')).toBe(false);
  });

  it('refuses a missing Host and one that is not a host', () => {
    const allowed = hostAllowList('127.0.0.1');
    expect([undefined, 'localhost/x', 'localhost?x', 'a b', 'user@localhost'].map(allowed)).toEqual(
      [false, false, false, false, false],
    );
  });
});
