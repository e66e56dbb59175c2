import { describe, expect, it } from 'vitest';
import { galileoKind } from './galileo-kind.js';

const kindOf = (attributes: Record<string, unknown>) => galileoKind({ attributes });

describe('galileoKind', () => {
  it.each([
    [{ 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'a' }, 'agent'],
    [{ 'gen_ai.operation.name': 'create_agent' }, 'agent'],
    [{ 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm' }, 'llm'],
    [{ 'gen_ai.operation.name': 'text_completion' }, 'llm'],
    [{ 'gen_ai.operation.name': 'embeddings' }, 'llm'],
    [{ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 't' }, 'tool'],
    [{ 'gen_ai.operation.name': 'generate_content' }, 'llm'],
    [{ 'gen_ai.operation.name': 'retrieval' }, 'retriever'],
    [{ 'gen_ai.operation.name': 'invoke_workflow', 'db.operation': 'query' }, 'workflow'],
    [{ 'db.operation': 'query' }, 'retriever'],
    [{ 'db.operation': 'search' }, 'retriever'],
    [{ 'openinference.span.kind': 'RETRIEVER' }, 'retriever'],
    [{ 'openinference.span.kind': 'LLM' }, 'llm'],
    [{ 'openinference.span.kind': 'TOOL' }, 'tool'],
    [{ 'openinference.span.kind': 'AGENT' }, 'agent'],
    [{ 'openinference.span.kind': 'CHAIN' }, 'workflow'],
  ] as const)('maps %j to %s as Galileo does', (attributes, expected) => {
    expect(kindOf(attributes)).toBe(expected);
  });

  it('falls back to workflow for HTTP spans, unknown operations and odd values', () => {
    expect(kindOf({ 'http.request.method': 'POST', 'url.path': '/ask' })).toBe('workflow');
    expect(kindOf({ 'gen_ai.operation.name': 'agent_step' })).toBe('workflow');
    expect(kindOf({ 'gen_ai.operation.name': 42 })).toBe('workflow');
    expect(kindOf({ 'db.operation': 'insert' })).toBe('workflow');
    expect(kindOf({})).toBe('workflow');
  });

  it('lets gen_ai.operation.name win over the other families', () => {
    expect(kindOf({ 'gen_ai.operation.name': 'chat', 'openinference.span.kind': 'TOOL' })).toBe(
      'llm',
    );
    expect(kindOf({ 'gen_ai.operation.name': 'unknown', 'db.operation': 'query' })).toBe(
      'retriever',
    );
  });
});
