import { asString, isRecord } from '@galileo-otel/core/adapter';
import { type Context, context } from '@opentelemetry/api';
import type { Dict } from './sdk-shapes.js';

/** The span context of a running tool call, by the CLI's tool use id. */
export type ToolContextOf = (toolUseId: string) => Context | undefined;

/**
 * `options.mcpServers` with every in-process server (`createSdkMcpServer()`, `type: 'sdk'`)
 * wrapped so that its tool bodies run with their `execute_tool` span active: spans they start
 * (an outgoing `tracedFetch`) nest under the tool, and the `traceparent` they send names it.
 *
 * The CLI calls such a tool with a `tools/call` JSON-RPC message whose `_meta` carries
 * `claudecode/toolUseId`, the id `PreToolUse` gave the span. The SDK hands that message to the
 * MCP server through the transport it connects the server with; the server's `onmessage` runs
 * here inside the tool's context, and the MCP SDK starts the handler from there. Other servers
 * (stdio, HTTP) run outside this process and are passed through.
 */
export function withToolContexts(servers: unknown, contextOf: ToolContextOf): unknown {
  if (!isRecord(servers)) return servers;
  const out: Dict = {};
  for (const [name, config] of Object.entries(servers)) {
    const instance = isRecord(config) && config.type === 'sdk' ? config.instance : undefined;
    out[name] =
      isRecord(instance) && typeof instance.connect === 'function'
        ? { ...(config as Dict), instance: serverProxy(instance, contextOf) }
        : config;
  }
  return out;
}

function serverProxy(server: Dict, contextOf: ToolContextOf): Dict {
  return new Proxy(server, {
    get(target, property) {
      if (property === 'connect') {
        return (transport: unknown, ...rest: unknown[]) =>
          (target.connect as (...args: unknown[]) => unknown).call(
            target,
            isRecord(transport) ? transportProxy(transport, contextOf) : transport,
            ...rest,
          );
      }
      return bound(target, property);
    },
  });
}

function transportProxy(transport: Dict, contextOf: ToolContextOf): Dict {
  return new Proxy(transport, {
    get: (target, property) => bound(target, property),
    set(target, property, value) {
      const handler =
        property === 'onmessage' && typeof value === 'function'
          ? inToolContext(value as (...args: unknown[]) => unknown, contextOf)
          : value;
      return Reflect.set(target, property, handler);
    },
  });
}

function inToolContext(
  onmessage: (...args: unknown[]) => unknown,
  contextOf: ToolContextOf,
): (...args: unknown[]) => unknown {
  return function (this: unknown, ...args: unknown[]) {
    let ctx: Context | undefined;
    try {
      ctx = contextFor(args[0], contextOf);
    } catch {
      ctx = undefined;
    }
    return ctx ? context.with(ctx, onmessage, this, ...args) : onmessage.apply(this, args);
  };
}

function contextFor(message: unknown, contextOf: ToolContextOf): Context | undefined {
  if (!isRecord(message) || message.method !== 'tools/call' || !isRecord(message.params)) {
    return undefined;
  }
  const meta = message.params._meta;
  const id = isRecord(meta) ? asString(meta['claudecode/toolUseId']) : undefined;
  return id ? contextOf(id) : undefined;
}

/** A property of `target`, methods bound to it (private fields and `this` keep working). */
function bound(target: Dict, property: string | symbol): unknown {
  const value = Reflect.get(target, property, target);
  return typeof value === 'function' ? value.bind(target) : value;
}
