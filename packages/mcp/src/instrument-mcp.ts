import { join } from 'node:path';
import { FRAMEWORKS, findSdkClasses, packageFrom, toPath } from './internal/find-sdk-classes.js';
import { instrumentConnect } from './internal/instrument-connect.js';
import { log } from './internal/traced-transport.js';
import type { McpTracingOptions } from './mcp-tracing-options.js';

/** Options of {@link instrumentMcp}. */
export interface InstrumentMcpOptions extends McpTracingOptions {
  /**
   * Files (paths or `file:` URLs, e.g. `import.meta.url`) or folders from which the MCP SDK
   * packages, and the frameworks that may hold their own copy of them (`@openai/agents-core`,
   * `@google/adk`, `@mastra/mcp`, `@mastra/core`), are resolved. Added to the defaults.
   * @defaultValue this package's folder, `process.cwd()` and the entry script
   */
  searchFrom?: readonly string[] | undefined;
  /**
   * Which ends to trace: `client` patches every `Client` class found, `server` every `Server`
   * (which `McpServer` connects through).
   * @defaultValue `['client', 'server']`
   */
  sides?: readonly ('client' | 'server')[] | undefined;
}

/** One SDK class {@link instrumentMcp} patched. */
export interface InstrumentedMcpClass {
  /** `@modelcontextprotocol/sdk`, `@modelcontextprotocol/client` or `@modelcontextprotocol/server`. */
  package: string;
  /** Its version. */
  version: string;
  /** `client` (`Client`) or `server` (`Server`). */
  side: 'client' | 'server';
  /** The build: what `import` loads (`esm`) or what `require` loads (`cjs`). */
  format: 'esm' | 'cjs';
  /** The module file the class comes from. */
  file: string;
}

/** What {@link instrumentMcp} found and patched. */
export interface McpInstrumentationStatus {
  /** Every class now traced. */
  instrumented: InstrumentedMcpClass[];
  /** Copies that could not be loaded, each with the reason (also logged once). */
  problems: string[];
}

/**
 * Traces every copy of the official MCP SDK this app can load: the `Client` and `Server` classes
 * of `@modelcontextprotocol/sdk` (1.x) and of `@modelcontextprotocol/client` /
 * `@modelcontextprotocol/server` (2.x), in their ESM and CommonJS builds, including the copies
 * frameworks pin for themselves. This is the one line for MCP clients a framework creates where
 * the app cannot reach them: OpenAI Agents' `MCPServerStdio` / `MCPServerStreamableHttp`, ADK's
 * `MCPToolset`, Mastra's `MCPClient`. Call it at start-up, before the framework connects.
 * Patching is idempotent; it never throws.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { instrumentMcp } from '@galileo-otel/mcp';
 * registerGalileo({ serviceName: 'agent-a' });
 * instrumentMcp({ searchFrom: [import.meta.url] });
 */
export function instrumentMcp(options: InstrumentMcpOptions = {}): McpInstrumentationStatus {
  const status: McpInstrumentationStatus = { instrumented: [], problems: [] };
  const { searchFrom = [], sides = ['client', 'server'], ...tracing } = options;
  log.guard('instrument-mcp', () => {
    const entry = process.argv[1];
    const bases = [
      import.meta.url,
      join(process.cwd(), 'package.json'),
      ...(entry ? [entry] : []),
      ...searchFrom,
    ].map(toPath);
    for (const base of [...bases]) {
      for (const framework of FRAMEWORKS) {
        const found = packageFrom(base, framework);
        if (found) bases.push(join(found.dir, 'package.json'));
      }
    }
    const { found, problems } = findSdkClasses(bases);
    for (const problem of problems) log.warnOnce(problem, problem);
    status.problems.push(...problems);
    for (const sdkClass of found) {
      if (!sides.includes(sdkClass.side)) continue;
      instrumentConnect(sdkClass.value, sdkClass.side, tracing);
      const { value: _value, ...described } = sdkClass;
      status.instrumented.push(described);
    }
  });
  return status;
}
