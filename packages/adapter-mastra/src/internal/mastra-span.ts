/**
 * The fields of a Mastra `ExportedSpan` this adapter reads, typed loosely on purpose: Mastra's
 * per-type attribute maps change between minor versions, and a missing or renamed field must
 * degrade to a missing attribute, never to a type error or a crash in the traced program.
 */
export interface MastraSpanData {
  readonly id: string;
  readonly traceId: string;
  readonly parentSpanId?: string | undefined;
  readonly externalParentSpanId?: string | undefined;
  readonly name: string;
  readonly type: string;
  readonly entityType?: string | undefined;
  readonly entityId?: string | undefined;
  readonly entityName?: string | undefined;
  readonly startTime?: Date | undefined;
  readonly endTime?: Date | undefined;
  readonly attributes?: Readonly<Record<string, unknown>> | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  readonly tags?: readonly string[] | undefined;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly errorInfo?:
    | {
        readonly message?: unknown;
        readonly name?: unknown;
        readonly id?: unknown;
        readonly stack?: unknown;
      }
    | undefined;
  readonly isEvent?: boolean | undefined;
  readonly isRootSpan?: boolean | undefined;
}

/** What a Mastra span type becomes. */
export type SpanRole = 'agent' | 'workflow' | 'llm' | 'tool' | 'drop';

/** Tool-like span types: all exported as Galileo tool spans. */
const TOOL_TYPES: ReadonlySet<string> = new Set([
  'tool_call',
  'mcp_tool_call',
  'client_tool_call',
  'provider_tool_call',
]);

/** Decides the role of each span type once, from the exporter's options. */
export function spanRoles(options: {
  dropSpanTypes: readonly string[];
  llmSpanType: 'model_inference' | 'model_generation';
}): (type: string) => SpanRole {
  const dropped = new Set(options.dropSpanTypes);
  const llm = options.llmSpanType;
  // Exactly one model level is the llm span; the other model levels are always wrappers,
  // otherwise usage would be counted twice (once per level).
  const otherModelLevels = ['model_generation', 'model_step', 'model_inference'].filter(
    (t) => t !== llm,
  );
  return (type) => {
    if (type === llm) return 'llm';
    if (otherModelLevels.includes(type) || type === 'model_chunk') return 'drop';
    if (dropped.has(type)) return 'drop';
    if (type === 'agent_run') return 'agent';
    if (TOOL_TYPES.has(type)) return 'tool';
    return 'workflow';
  };
}
