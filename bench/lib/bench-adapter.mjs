// A translate-style adapter with the cost profile of a real one (no framework adapter package
// was ready when this suite was written): a cheap name check at start, and at export a rename
// plus three added and two removed attributes on every GenAI span. It never drops a span here,
// so every row exports the same spans.
export const benchAdapter = {
  name: 'bench-translate',
  onStart(span) {
    // The kind of cheap test a real adapter makes on the hot path (e.g. Vercel's `ai.*` wrappers).
    if (span.name.startsWith('ai.') && span.name.endsWith('.wrapper')) return { drop: true };
    return undefined;
  },
  translate(span) {
    const attributes = span.attributes;
    const operation = attributes['gen_ai.operation.name'];
    if (typeof operation !== 'string') return undefined;
    const input = Number(attributes['gen_ai.usage.input_tokens'] ?? 0);
    const output = Number(attributes['gen_ai.usage.output_tokens'] ?? 0);
    return {
      name:
        operation === 'chat'
          ? `chat ${attributes['gen_ai.request.model'] ?? 'model'}`
          : operation === 'execute_tool'
            ? `execute_tool ${attributes['gen_ai.tool.name']}`
            : span.name,
      attributes: {
        'galileo.adapter.name': 'bench-translate',
        'gen_ai.usage.total_tokens': input + output,
        'app.translated': true,
      },
      removeAttributes: ['code.function.name', 'thread.id'],
    };
  },
};
