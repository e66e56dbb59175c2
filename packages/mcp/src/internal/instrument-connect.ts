import { isRecord } from '@galileo-otel/core/adapter';
import type { McpTracingOptions } from '../mcp-tracing-options.js';
import { log, type McpSide, traceTransport } from './traced-transport.js';

const PATCHED = Symbol.for('galileo-otel.mcp.patched-connect');

type Connectable = { connect(transport: unknown, ...rest: unknown[]): unknown };

function isConnectable(value: unknown): value is Connectable {
  return (
    (isRecord(value) || typeof value === 'function') &&
    typeof (value as Connectable).connect === 'function'
  );
}

/**
 * Makes `connect(transport)` of an SDK object (a `Client`, `Server` or `McpServer`) or of every
 * instance of a class trace the transport it is given; an instance already connected gets its
 * current transport traced too. Returns what it was given.
 */
export function instrumentConnect<T>(target: T, side: McpSide, options: McpTracingOptions): T {
  log.guard(`instrument-${side}`, () => {
    const holder =
      typeof target === 'function' ? (target as { prototype?: unknown }).prototype : target;
    if (!isConnectable(holder)) {
      log.warnOnce(
        `not-connectable-${side}`,
        `instrumentMcp${side === 'client' ? 'Client' : 'Server'}() was given something without connect(); pass an SDK ${side === 'client' ? 'Client' : 'McpServer or Server'} (an instance or the class), or use traceMcpTransport()`,
      );
      return;
    }
    if (!Object.hasOwn(holder, PATCHED)) {
      const connect = holder.connect;
      Object.defineProperty(holder, PATCHED, { value: true });
      holder.connect = function tracedConnect(
        this: unknown,
        transport: unknown,
        ...rest: unknown[]
      ) {
        if (isRecord(transport)) traceTransport(transport, side, options);
        return connect.call(this, transport, ...rest);
      };
    }
    if (typeof target !== 'function') {
      const current = connectedTransport(target);
      if (current) traceTransport(current, side, options);
    }
  });
  return target;
}

// `Client` and `Server` expose their transport; `McpServer` holds a `Server` as `server`.
function connectedTransport(target: unknown): object | undefined {
  if (!isRecord(target)) return undefined;
  const own = target.transport;
  if (isRecord(own)) return own;
  const inner = isRecord(target.server) ? target.server.transport : undefined;
  return isRecord(inner) ? inner : undefined;
}
