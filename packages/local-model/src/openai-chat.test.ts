import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

let server: LocalModelServer;
let client: OpenAI;

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        units: { type: 'string', enum: ['celsius', 'fahrenheit'] },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        options: {
          type: 'object',
          properties: { detailed: { type: 'boolean' }, lang: { type: 'string' } },
          required: ['lang'],
        },
      },
      required: ['city', 'units'],
    },
  },
};
const researchTool = {
  type: 'function' as const,
  function: {
    name: 'delegate_research',
    description: 'Delegate a research question to the research agent',
    parameters: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
  },
};

beforeAll(async () => {
  server = await startLocalModel({ scenarios: { byText: { 'rules-say-refuse': 'refusal' } } });
  client = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('Chat Completions with the official openai client', () => {
  it('completes a tool round trip: tool call, then an answer quoting the tool result', async () => {
    const messages: OpenAI.ChatCompletionMessageParam[] = [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: 'Tell me about Voyager 1.' },
    ];
    const first = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      tools: [weatherTool, researchTool],
    });
    const choice = first.choices[0];
    if (!choice) throw new Error('expected a choice');
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls?.[0];
    expect(call?.type).toBe('function');
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('delegate_research');
    expect(JSON.parse(call.function.arguments)).toEqual({ topic: 'Voyager 1' });
    expect(call.id).toMatch(/^call_[0-9a-f]{24}$/);
    expect(first.id).toMatch(/^chatcmpl-[0-9a-f]+$/);
    expect(first.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(first.usage?.completion_tokens).toBeGreaterThan(0);

    messages.push(choice.message, {
      role: 'tool',
      tool_call_id: call.id,
      content: 'Voyager 1 left the heliosphere in 2012.',
    });
    const second = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages,
      tools: [weatherTool, researchTool],
    });
    expect(second.choices[0]?.finish_reason).toBe('stop');
    expect(second.choices[0]?.message.content).toContain(
      '"Voyager 1 left the heliosphere in 2012."',
    );
    expect(second.choices[0]?.message.content).toContain('delegate_research');
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/chat/completions', 200],
      ['/v1/chat/completions', 200],
    ]);
  });

  it('builds arguments from the schema: enums, integers within bounds, nested required fields', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: [weatherTool],
    });
    const call = res.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(JSON.parse(call.function.arguments)).toEqual({
      city: 'Paris',
      units: 'celsius',
      days: 3,
      options: { detailed: false, lang: 'weather in Paris' },
    });
  });

  it('streams text with a usage chunk, equal to the non-streamed answer', async () => {
    const params = {
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user' as const, content: 'Explain the Moon landing.' }],
    };
    const plain = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({
      ...params,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    let finish: string | null | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(plain.choices[0]?.message.content);
    expect(text).toContain('the Moon landing');
    expect(finish).toBe('stop');
    expect(usage).toEqual(plain.usage);
  });

  it('omits the usage chunk unless stream_options.include_usage is set', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Hello there' }],
      stream: true,
    });
    for await (const chunk of stream) expect(chunk.usage ?? null).toBeNull();
  });

  it('streams a tool call that the client helper accumulates', async () => {
    const runner = client.chat.completions.stream({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0];
    if (call?.type !== 'function') throw new Error('expected a function call');
    expect(call.function.name).toBe('delegate_research');
    expect(JSON.parse(call.function.arguments)).toEqual({ topic: 'Voyager 1' });
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('answers with 3 to 5 numbered facts when the instructions ask for facts', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Return 3-5 concise key facts.' },
        { role: 'user', content: 'Voyager 1' },
      ],
    });
    const lines = (res.choices[0]?.message.content ?? '').split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.length).toBeLessThanOrEqual(5);
    lines.forEach((line, i) => {
      expect(line.startsWith(`${i + 1}. `)).toBe(true);
    });
    expect(lines[0]).toContain('Voyager 1');
  });

  it('chooses a transfer_to_* handoff only when the text points at that agent', async () => {
    const handoffs = ['math_agent', 'research_agent'].map((a) => ({
      type: 'function' as const,
      function: {
        name: `transfer_to_${a}`,
        description: `Handoff to the ${a} agent`,
        parameters: { type: 'object', properties: {} },
      },
    }));
    const pointed = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [
        { role: 'system', content: 'Send research questions to the research agent.' },
        { role: 'user', content: 'Tell me about Voyager 1.' },
      ],
      tools: handoffs,
    });
    const call = pointed.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('transfer_to_research_agent');
    const unpointed = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: handoffs,
    });
    expect(unpointed.choices[0]?.message.tool_calls).toBeUndefined();
    expect(unpointed.choices[0]?.message.content).toContain('Voyager 1');
  });

  it('honours tool_choice none and a forced function', async () => {
    const none = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool, weatherTool],
      tool_choice: 'none',
    });
    expect(none.choices[0]?.message.tool_calls).toBeUndefined();
    const forced = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool, weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    const call = forced.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
  });

  it('is deterministic: the same request twice gives byte-identical bodies', async () => {
    const params = {
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user' as const, content: 'Tell me about Voyager 1.' }],
      tools: [researchTool],
    };
    const a = await (await client.chat.completions.create(params).asResponse()).text();
    const b = await (await client.chat.completions.create(params).asResponse()).text();
    expect(a).toBe(b);
    const streamParams = {
      ...params,
      stream: true as const,
      stream_options: { include_usage: true },
    };
    const s1 = await (await client.chat.completions.create(streamParams).asResponse()).text();
    const s2 = await (await client.chat.completions.create(streamParams).asResponse()).text();
    expect(s1).toBe(s2);
    expect(s1).toContain('data: [DONE]');
    const other = await (
      await client.chat.completions
        .create({ ...params, messages: [{ role: 'user', content: 'Tell me about Mars.' }] })
        .asResponse()
    ).text();
    expect(JSON.parse(other).id).not.toBe(JSON.parse(a).id);
  });
});

describe('Chat Completions scenarios', () => {
  it('429: the client retries, honouring Retry-After, then raises RateLimitError', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 1 });
    const started = Date.now();
    const err = await retrying.chat.completions
      .create(
        { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] },
        { headers: { 'x-local-model-scenario': '429' } },
      )
      .catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const apiErr = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(apiErr.status).toBe(429);
    expect(apiErr.headers.get('retry-after')).toBe('1');
    expect(apiErr.error).toMatchObject({ type: 'requests', code: 'rate_limit_exceeded' });
    expect(server.requests.map((r) => [r.scenario, r.status])).toEqual([
      ['429', 429],
      ['429', 429],
    ]);
    // Retry-After: 1 means the single retry waited about one second (default backoff is ~0.5s).
    expect(elapsed).toBeGreaterThanOrEqual(900);
  });

  it('429:1 fails the first identical request only, so a retrying client succeeds', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 2 });
    const res = await retrying.chat.completions.create({
      model: 'gpt-4.1-mini@429:1',
      messages: [{ role: 'user', content: 'Tell me about Saturn.' }],
    });
    expect(res.choices[0]?.message.content).toContain('Saturn');
    expect(res.model).toBe('gpt-4.1-mini');
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('500 via a [scenario:500] marker in the user text raises InternalServerError', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 1 });
    const err = await retrying.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi [scenario:500]' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: 'server_error',
    });
    expect(server.requests.map((r) => r.status)).toEqual([500, 500]);
  });

  it('broken-stream: the client raises an error mid-stream', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4.1-mini@broken-stream',
      messages: [{ role: 'user', content: 'Tell me a long story about the sea and the sky.' }],
      stream: true,
    });
    let received = 0;
    const consume = async () => {
      for await (const _chunk of stream) received++;
    };
    await expect(consume()).rejects.toThrow(/terminated/);
    expect(received).toBeGreaterThan(0);
  });

  it('broken-stream on a non-streamed request makes the client fail', async () => {
    await expect(
      client.chat.completions.create({
        model: 'gpt-4.1-mini@broken-stream',
        messages: [{ role: 'user', content: 'hi' }],
      }),
    ).rejects.toThrow(/terminated/);
  });

  it('refusal (from scenario rules) answers with message.refusal and no content', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'please rules-say-refuse now' }],
    });
    expect(res.choices[0]?.message.content).toBeNull();
    expect(res.choices[0]?.message.refusal).toMatch(/can't help/);
    expect(server.requests[0]?.scenario).toBe('refusal');
  });

  it('latency:<ms> delays the answer', async () => {
    const started = Date.now();
    await client.chat.completions.create(
      { model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] },
      { headers: { 'x-local-model-scenario': 'latency:250' } },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
  });

  it('tool:<name> forces that tool even when another matches better', async () => {
    const res = await client.chat.completions.create({
      model: 'gpt-4.1-mini@tool:get_weather',
      messages: [{ role: 'user', content: 'Research Voyager 1 for me' }],
      tools: [researchTool, weatherTool],
    });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function.name).toBe('get_weather');
  });

  it('an unknown scenario is a 400 in the OpenAI shape', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4.1-mini@nonsense', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: 'invalid_request_error',
    });
  });
});

describe('malformed requests and routes', () => {
  it('missing messages is a 400 in the OpenAI error shape', async () => {
    const err = await client.chat.completions
      .create({ model: 'gpt-4.1-mini' } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toEqual({
      message: "'messages' must be a non-empty array",
      type: 'invalid_request_error',
      param: 'messages',
      code: null,
    });
  });

  const postChat = (body: unknown) =>
    fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('content that is neither a string nor an array of parts is a 400 naming the message', async () => {
    const res = await postChat({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 5 }] });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message:
          "Invalid type for 'messages[0].content': expected one of a string or array of objects, but got an integer instead.",
        type: 'invalid_request_error',
        param: 'messages[0].content',
        code: null,
      },
    });
    const parts = await postChat({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: ['hi'] }],
    });
    expect(parts.status).toBe(400);
    expect(server.requests.map((r) => r.status)).toEqual([400, 400]);
  });

  it('a function tool without its function is a 400 naming the tool', async () => {
    const res = await postChat({
      model: 'gpt-4.1-mini',
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [weatherTool, { type: 'function' }],
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: "Missing required parameter: 'tools[1].function'.",
        type: 'invalid_request_error',
        param: 'tools[1].function',
        code: null,
      },
    });
  });

  it('the openai client gets the content 400 as a BadRequestError', async () => {
    const err = await client.chat.completions
      .create({
        model: 'gpt-4.1-mini',
        messages: [{ role: 'user', content: 5 as unknown as string }],
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'messages[0].content',
    });
  });

  it('bad JSON is a 400 with {error:{message,type,param,code}}', async () => {
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"model": ',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: Record<string, unknown> };
    expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
    expect(body.error.type).toBe('invalid_request_error');
  });

  it('unknown routes are 404, /health is 200', async () => {
    expect(
      (await fetch(`${server.url}/v1/images/generations`, { method: 'POST', body: '{}' })).status,
    ).toBe(404);
    expect((await fetch(`${server.url}/nope`)).status).toBe(404);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(server.requests.map((r) => [r.method, r.path, r.status])).toEqual([
      ['POST', '/v1/images/generations', 404],
      ['GET', '/nope', 404],
      ['GET', '/health', 200],
    ]);
  });
});
