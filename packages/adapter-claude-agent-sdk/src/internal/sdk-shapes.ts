// What the adapter reads from the Claude Agent SDK, as structural types: the package is an
// optional peer (its CLI is a 490 MB native binary), so nothing here imports it. Every field is
// read through the kit's value guards, so a message of another SDK version is skipped, never
// trusted.
import { asString, isRecord } from '@galileo-otel/core/adapter';

/** A plain object from the SDK (a message, a hook input, a content block). */
export type Dict = Record<string, unknown>;

/** The `query()` function of `@anthropic-ai/claude-agent-sdk`, as far as the adapter calls it. */
export type QueryFunction = (params: { prompt: unknown; options?: unknown }) => QueryLike;

/** The SDK's `Query`: an async generator of messages with control methods. */
export interface QueryLike extends AsyncGenerator<unknown, void, unknown> {
  interrupt?(): Promise<unknown>;
  close?(): void;
}

/** A hook callback as the SDK calls it: `(input, toolUseID, { signal })`. */
export type HookCallback = (input: unknown, toolUseId: string | undefined) => Promise<Dict>;

/** One entry of `options.hooks[event]`. */
export interface HookMatcher {
  matcher?: string;
  hooks: HookCallback[];
}

/** The content blocks of a message (`[]` for anything else). */
export function blocksOf(content: unknown): Dict[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.filter(isRecord) : [];
}

/** The text of content blocks (a string, or text blocks joined), else JSON of what is there. */
export function textOf(content: unknown): string | undefined {
  if (content === undefined || content === null) return undefined;
  if (typeof content === 'string') return content;
  const blocks = Array.isArray(content) ? content : [content];
  if (blocks.every((b) => isRecord(b) && b.type === 'text' && typeof b.text === 'string')) {
    return blocks.map((b) => (b as Dict).text as string).join('\n');
  }
  return undefined;
}

/** An MCP tool as the model sees it, `mcp__<server>__<tool>`, split in two. */
export interface ToolIdentity {
  /** The tool's own name (`get_weather`); built-in tools keep theirs (`Read`, `Agent`). */
  name: string;
  /** The MCP server it belongs to, for MCP tools. */
  server: string | undefined;
}

const MCP_PREFIX = 'mcp__';

/**
 * The name a tool span and a tool call show: MCP tools lose the `mcp__<server>__` prefix the
 * CLI gives them (the server stays on the span), so the same tool reads the same in every
 * framework's trace.
 */
export function toolIdentity(modelName: string, server?: unknown): ToolIdentity {
  if (!modelName.startsWith(MCP_PREFIX)) return { name: modelName, server: undefined };
  const known = asString(server);
  if (known && modelName.startsWith(`${MCP_PREFIX}${known}__`)) {
    const name = modelName.slice(MCP_PREFIX.length + known.length + 2);
    if (name) return { name, server: known };
  }
  const rest = modelName.slice(MCP_PREFIX.length);
  const cut = rest.indexOf('__');
  if (cut <= 0 || cut + 2 >= rest.length) return { name: modelName, server: known };
  return { name: rest.slice(cut + 2), server: rest.slice(0, cut) };
}

/** Claude Code's tool that starts a subagent (`Task` before 2.1). */
export function isAgentTool(name: string): boolean {
  return name === 'Agent' || name === 'Task';
}
