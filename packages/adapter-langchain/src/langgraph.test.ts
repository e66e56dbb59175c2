import { context, trace } from '@opentelemetry/api';
import { createAgent } from 'langchain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ask,
  type Harness,
  lookupFacts,
  renderTree,
  startHarness,
} from './test-support/harness.js';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe('a LangGraph agent run', () => {
  it('smoke', async () => {
    const agent = createAgent({ model: h.chat(), tools: [lookupFacts], name: 'research_agent' });
    const caller = trace.getTracer('test').startSpan('POST /ask');
    await context.with(trace.setSpan(context.active(), caller), () =>
      agent.invoke(ask('Tell me about Voyager 1.')),
    );
    caller.end();
    const spans = await h.flushSpans();
    console.log(renderTree(spans));
    for (const s of spans) console.log(s.name, JSON.stringify(s.attributes));
    expect(h.adapter.openRuns).toBe(0);
  });
});
