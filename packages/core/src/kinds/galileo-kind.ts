/** The span types Galileo shows. Galileo's server derives them from span attributes. */
export type GalileoKind = 'workflow' | 'agent' | 'llm' | 'tool' | 'retriever';

/** Anything carrying span attributes: an SDK `ReadableSpan`, or a span decoded off the wire. */
export interface SpanWithAttributes {
  /** The span's attributes. */
  readonly attributes: Readonly<Record<string, unknown>>;
}

const BY_OPERATION: Readonly<Record<string, GalileoKind>> = {
  invoke_agent: 'agent',
  create_agent: 'agent',
  chat: 'llm',
  text_completion: 'llm',
  generate_content: 'llm',
  embeddings: 'llm',
  execute_tool: 'tool',
  retrieval: 'retriever',
  invoke_workflow: 'workflow',
};

const BY_DB_OPERATION: Readonly<Record<string, GalileoKind>> = {
  query: 'retriever',
  search: 'retriever',
};

const BY_OPENINFERENCE: Readonly<Record<string, GalileoKind>> = {
  AGENT: 'agent',
  LLM: 'llm',
  EMBEDDING: 'llm',
  TOOL: 'tool',
  RETRIEVER: 'retriever',
  CHAIN: 'workflow',
};

/**
 * The Galileo span type of a span, decided from its attributes exactly as Galileo's ingest does:
 * `gen_ai.operation.name` first, then `db.operation`, then `openinference.span.kind`; anything
 * else (HTTP spans, plain framework spans, unknown values) is a `workflow`.
 *
 * @example
 * galileoKind({ attributes: { 'gen_ai.operation.name': 'chat' } }); // 'llm'
 */
export function galileoKind(span: SpanWithAttributes): GalileoKind {
  const attributes = span.attributes;
  const operation = attributes['gen_ai.operation.name'];
  if (typeof operation === 'string') {
    const kind = BY_OPERATION[operation];
    if (kind) return kind;
  }
  const dbOperation = attributes['db.operation'];
  if (typeof dbOperation === 'string') {
    const kind = BY_DB_OPERATION[dbOperation];
    if (kind) return kind;
  }
  const openInference = attributes['openinference.span.kind'];
  if (typeof openInference === 'string') {
    const kind = BY_OPENINFERENCE[openInference.toUpperCase()];
    if (kind) return kind;
  }
  return 'workflow';
}
