// AI-shaped span trees, the same for every pipeline: 8 spans per trace (agent → llm, tool →
// client → agent → llm, tool; then a final llm), about 20 attributes per span, one message
// JSON attribute of about 1 KB per span. The texts are built once, before measuring, from a
// seeded generator so every run and every pipeline sees the same bytes (and gzip sees text
// that compresses like real prose, not a repeated string).
import { ROOT_CONTEXT as ROOT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';

export const SPANS_PER_TREE = 8;

const WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at ' +
  'which but have an they you were her she there been one all we their has would when ' +
  'voyager probe mission orbit planet saturn jupiter launch signal distance research ' +
  'summary source agent model token answer question context retrieval document citation ' +
  'weather forecast price market report analysis figure table result error retry tool call'
).split(' ');

function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sentence(rand, words) {
  const out = [];
  for (let i = 0; i < words; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return `${out.join(' ')}.`;
}

function textOf(rand, chars) {
  let text = '';
  while (text.length < chars) text += `${sentence(rand, 8 + Math.floor(rand() * 10))} `;
  return text.slice(0, chars);
}

/** `count` message-JSON variants of about `bytes` bytes each (role/content array). */
export function messageVariants(count, bytes, seed = 42) {
  const rand = prng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const system = textOf(rand, Math.floor(bytes * 0.25));
    const user = textOf(rand, Math.floor(bytes * 0.45));
    const assistant = textOf(rand, Math.floor(bytes * 0.2));
    out.push(
      JSON.stringify([
        { role: 'system', content: system },
        { role: 'user', content: user },
        { role: 'assistant', content: assistant },
      ]),
    );
  }
  return out;
}

function common(i, extra) {
  // 12 attributes every span carries (service-level and app-level context).
  return {
    'app.tenant.id': `tenant-${i % 17}`,
    'app.request.id': `req-${i}`,
    'app.feature': 'research-assistant',
    'app.release': '2026.11.3',
    'deployment.environment.name': 'bench',
    'app.user.tier': i % 3 === 0 ? 'pro' : 'free',
    'app.retry.count': 0,
    'app.cache.hit': i % 5 === 0,
    'code.function.name': 'handle',
    'thread.id': 1,
    'app.region': 'eu-west-1',
    'app.flags': ['stream', 'tools'],
    ...extra,
  };
}

function llm(i, messages, model) {
  return common(i, {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.system': 'openai',
    'gen_ai.request.model': model,
    'gen_ai.response.model': `${model}-2026-04-14`,
    'gen_ai.response.id': `chatcmpl-${i}`,
    'gen_ai.usage.input_tokens': 412,
    'gen_ai.usage.output_tokens': 96,
    'gen_ai.input.messages': messages,
  });
}

function agent(i, name, messages) {
  return common(i, {
    'gen_ai.operation.name': 'invoke_agent',
    'gen_ai.agent.name': name,
    'gen_ai.agent.id': `agent-${name}`,
    'gen_ai.provider.name': 'openai',
    'gen_ai.conversation.id': `conv-${i % 101}`,
    'galileo.session.id': `session-${i % 101}`,
    'gen_ai.agent.description': `The ${name} agent`,
    'gen_ai.input.messages': messages,
  });
}

function tool(i, name, messages) {
  return common(i, {
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': name,
    'gen_ai.tool.call.id': `call_${i}`,
    'gen_ai.tool.type': 'function',
    'gen_ai.tool.description': `Runs ${name}`,
    'gen_ai.tool.call.arguments': '{"query":"voyager distance"}',
    'gen_ai.tool.call.result': messages,
    'app.tool.version': 3,
  });
}

function client(i, messages) {
  return common(i, {
    'http.request.method': 'POST',
    'url.full': 'http://127.0.0.1:3001/research',
    'server.address': '127.0.0.1',
    'server.port': 3001,
    'http.response.status_code': 200,
    'network.protocol.version': '1.1',
    'user_agent.original': 'node',
    'app.payload': messages,
  });
}

/**
 * Makes a tree factory over a tracer: `emit(i)` creates and ends one 8-span trace. Attribute
 * objects are built inside `emit` (an app builds them per call too) from precomputed texts.
 */
export function treeFactory(tracer, { messageBytes = 1024, variants = 64, fresh = false } = {}) {
  const texts = messageVariants(variants, messageBytes);
  // `fresh`: every span gets its own copy of the text (as an app's JSON.stringify would), so
  // queued spans really hold their bytes; used by the memory benchmark. Otherwise spans share
  // the precomputed strings, which keeps string building out of the CPU figures.
  const pick = fresh
    ? (i, k) => Buffer.from(texts[(i * 7 + k) % texts.length], 'latin1').toString('latin1')
    : (i, k) => texts[(i * 7 + k) % texts.length];
  const start = (name, attributes, parent, kind = SpanKind.INTERNAL) =>
    tracer.startSpan(name, { kind, attributes }, parent ? trace.setSpan(ROOT, parent) : ROOT);
  return function emit(i) {
    const root = start('invoke_agent orchestrator', agent(i, 'orchestrator', pick(i, 0)));
    const llm1 = start(
      'chat gpt-4.1-mini',
      llm(i, pick(i, 1), 'gpt-4.1-mini'),
      root,
      SpanKind.CLIENT,
    );
    llm1.end();
    const t1 = start(
      'execute_tool delegate_research',
      tool(i, 'delegate_research', pick(i, 2)),
      root,
    );
    const http = start('POST /research', client(i, pick(i, 3)), t1, SpanKind.CLIENT);
    const a2 = start('invoke_agent researcher', agent(i, 'researcher', pick(i, 4)), http);
    const llm2 = start(
      'chat gpt-4.1-mini',
      llm(i, pick(i, 5), 'gpt-4.1-mini'),
      a2,
      SpanKind.CLIENT,
    );
    llm2.end();
    const t2 = start('execute_tool search', tool(i, 'search', pick(i, 6)), a2);
    t2.end();
    a2.end();
    http.end();
    t1.end();
    const llm3 = start(
      'chat gpt-4.1-mini',
      llm(i, pick(i, 7), 'gpt-4.1-mini'),
      root,
      SpanKind.CLIENT,
    );
    llm3.setStatus({ code: SpanStatusCode.OK });
    llm3.end();
    root.end();
  };
}

/** Attributes per span of the tree (checked by the harness so the table states it). */
export function describeShape(messageBytes = 1024) {
  return {
    spansPerTree: SPANS_PER_TREE,
    attributesPerSpan: Object.keys(llm(0, 'x', 'm')).length,
    messageBytes,
  };
}
