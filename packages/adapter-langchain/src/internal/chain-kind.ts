import { asString, isRecord } from '@galileo-otel/core/adapter';

/** What a LangChain chain run becomes. */
export type ChainKind =
  /** A LangGraph graph (or subgraph) run: `invoke_agent <name>`. */
  | 'agent'
  /** A node of the graph above it: a workflow span named after the node. */
  | 'node'
  /** A top-level chain that is not a graph (an LCEL sequence the app invoked): a workflow span. */
  | 'workflow'
  /** Plumbing (`__start__`, sequences, lambdas, routing, channel writes): no span of its own. */
  | 'fold';

/** The parts of a chain start that decide its kind. */
export interface ChainStart {
  /** The serialized runnable (`id` is its class path, e.g. `[..., 'CompiledStateGraph']`). */
  serialized: unknown;
  /** The run name LangChain passed (graph name, node name, or `runName` from the config). */
  runName: string | undefined;
  tags?: readonly string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  /** The kind of the parent run, `undefined` when the run has no traced parent. */
  parentKind: ChainKind | 'llm' | 'tool' | 'retriever' | undefined;
}

const GRAPH_CLASS = /^(Compiled\w*Graph|Pregel)$/;

/** The class name at the end of a serialized runnable's id, e.g. `CompiledStateGraph`. */
export function serializedClass(serialized: unknown): string | undefined {
  const id = isRecord(serialized) ? serialized.id : undefined;
  return Array.isArray(id) ? asString(id[id.length - 1]) : undefined;
}

/** The name a run is shown under: its run name, else its class. */
export function runLabel(
  serialized: unknown,
  runName: string | undefined,
  fallback: string,
): string {
  return runName ?? serializedClass(serialized) ?? fallback;
}

/**
 * Decides what a chain run becomes. A compiled LangGraph graph is an agent wherever it runs (a
 * subgraph under a node, a graph called from a tool). A run named after the `langgraph_node` it
 * executes, directly under a graph, is that node, unless LangGraph hides it (`__start__` carries
 * the `langsmith:hidden` tag) or names it as internal (`__…__`). A chain with no traced parent is
 * the app's own pipeline and keeps a workflow span. Everything else is plumbing and folds into
 * its nearest kept ancestor.
 */
export function chainKind(start: ChainStart): ChainKind {
  if (GRAPH_CLASS.test(serializedClass(start.serialized) ?? '')) return 'agent';
  const hidden =
    start.tags?.includes('langsmith:hidden') === true || /^__.*__$/.test(start.runName ?? '');
  if (hidden) return 'fold';
  if (start.parentKind === undefined) return 'workflow';
  const node = asString(start.metadata?.langgraph_node);
  if (start.parentKind === 'agent' && node !== undefined && node === start.runName) return 'node';
  return 'fold';
}
