import { describe, expect, it } from 'vitest';
import { chainKind } from './chain-kind.js';

// What each chain run becomes, from the parts LangChain passes at its start (as LangGraph 1.7
// sends them: node runs are RunnableSequences named after their `langgraph_node`).

describe('chainKind', () => {
  const graph = { id: ['langgraph', 'CompiledStateGraph'] };
  const sequence = { id: ['langchain_core', 'runnables', 'RunnableSequence'] };
  it('makes graphs agents, named nodes under a graph workflows, and folds the rest', () => {
    expect(chainKind({ serialized: graph, runName: 'g', parentKind: undefined })).toBe('agent');
    expect(chainKind({ serialized: graph, runName: 'sub', parentKind: 'node' })).toBe('agent');
    const node = { serialized: sequence, runName: 'tools', metadata: { langgraph_node: 'tools' } };
    expect(chainKind({ ...node, parentKind: 'agent' })).toBe('node');
    expect(chainKind({ ...node, parentKind: 'node' })).toBe('fold');
    expect(
      chainKind({
        serialized: sequence,
        runName: '__start__',
        tags: ['graph:step:0', 'langsmith:hidden'],
        metadata: { langgraph_node: '__start__' },
        parentKind: 'agent',
      }),
    ).toBe('fold');
    expect(chainKind({ serialized: sequence, runName: undefined, parentKind: undefined })).toBe(
      'workflow',
    );
  });
});
