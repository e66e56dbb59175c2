import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

let server: LocalModelServer;
let client: OpenAI;

const researchTool: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'delegate_research',
  description: 'Delegate a research question to the research agent',
  parameters: {
    type: 'object',
    properties: { topic: { type: 'string' }, depth: { type: 'integer' } },
    required: ['topic', 'depth'],
    additionalProperties: false,
  },
  strict: true,
};

beforeAll(async () => {
  server = await startLocalModel();
  client = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('Responses API with the official openai client', () => {
  it('completes a function_call / function_call_output round trip', async () => {
    const first = await client.responses.create({
      model: 'gpt-4.1-mini',
      instructions: 'You are a helpful assistant.',
      input: 'Tell me about Voyager 1.',
      tools: [researchTool],
    });
    expect(first.status).toBe('completed');
    const call = first.output[0];
    if (call?.type !== 'function_call') throw new Error('expected a function_call item');
    expect(call.name).toBe('delegate_research');
    expect(JSON.parse(call.arguments)).toEqual({ topic: 'Voyager 1', depth: 3 });
    expect(call.call_id).toMatch(/^call_/);
    expect(first.usage?.input_tokens).toBeGreaterThan(0);

    const second = await client.responses.create({
      model: 'gpt-4.1-mini',
      instructions: 'You are a helpful assistant.',
      input: [
        { role: 'user', content: 'Tell me about Voyager 1.' },
        {
          type: 'function_call',
          call_id: call.call_id,
          name: call.name,
          arguments: call.arguments,
        },
        { type: 'function_call_output', call_id: call.call_id, output: 'It launched in 1977.' },
      ],
      tools: [researchTool],
    });
    expect(second.output[0]?.type).toBe('message');
    expect(second.output_text).toContain('"It launched in 1977."');
    expect(second.usage?.total_tokens).toBe(
      (second.usage?.input_tokens ?? 0) + (second.usage?.output_tokens ?? 0),
    );
  });

  it('streams text: the stream helper accumulates the same response as a plain call', async () => {
    const params = { model: 'gpt-4.1-mini', input: 'Explain the Moon landing.' };
    const plain = await client.responses.create(params);
    const stream = client.responses.stream(params);
    const types: string[] = [];
    let deltas = '';
    stream.on('event', (e) => types.push(e.type));
    stream.on('response.output_text.delta', (e) => {
      deltas += e.delta;
    });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(plain.output_text);
    expect(deltas).toBe(plain.output_text);
    expect(final.usage).toEqual(plain.usage);
    expect(types[0]).toBe('response.created');
    expect(types).toContain('response.output_item.added');
    expect(types).toContain('response.content_part.added');
    expect(types).toContain('response.output_text.done');
    expect(types).toContain('response.output_item.done');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('streams a function call with argument deltas', async () => {
    const events = await client.responses.create({
      model: 'gpt-4.1-mini',
      input: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool],
      stream: true,
    });
    let args = '';
    let done: OpenAI.Responses.ResponseFunctionCallArgumentsDoneEvent | undefined;
    let completed: OpenAI.Responses.Response | undefined;
    const seq: number[] = [];
    for await (const e of events) {
      seq.push(e.sequence_number);
      if (e.type === 'response.function_call_arguments.delta') args += e.delta;
      if (e.type === 'response.function_call_arguments.done') done = e;
      if (e.type === 'response.completed') completed = e.response;
    }
    expect(seq).toEqual(seq.map((_, i) => i));
    expect(done?.arguments).toBe(args);
    expect(JSON.parse(args)).toEqual({ topic: 'Voyager 1', depth: 3 });
    const item = completed?.output[0];
    expect(item?.type === 'function_call' && item.name).toBe('delegate_research');
    expect(completed?.usage?.output_tokens).toBeGreaterThan(0);
  });

  it('refusal scenario gives a refusal content part', async () => {
    const res = await client.responses.create(
      { model: 'gpt-4.1-mini', input: 'hi' },
      { headers: { 'x-local-model-scenario': 'refusal' } },
    );
    const msg = res.output[0];
    if (msg?.type !== 'message') throw new Error('expected a message');
    expect(msg.content[0]).toMatchObject({ type: 'refusal' });
    const stream = client.responses.stream(
      { model: 'gpt-4.1-mini', input: 'hi' },
      { headers: { 'x-local-model-scenario': 'refusal' } },
    );
    const final = await stream.finalResponse();
    const streamed = final.output[0];
    expect(streamed?.type === 'message' && streamed.content[0]).toMatchObject({ type: 'refusal' });
  });

  it('is deterministic for the same request', async () => {
    const params = {
      model: 'gpt-4.1-mini',
      input: 'Tell me about Voyager 1.',
      tools: [researchTool],
    };
    const a = await (await client.responses.create(params).asResponse()).text();
    const b = await (await client.responses.create(params).asResponse()).text();
    expect(a).toBe(b);
    const sa = await (
      await client.responses.create({ ...params, stream: true }).asResponse()
    ).text();
    const sb = await (
      await client.responses.create({ ...params, stream: true }).asResponse()
    ).text();
    expect(sa).toBe(sb);
  });

  it('429 is retried by the client and then raised; 500 raises InternalServerError', async () => {
    const retrying = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 1 });
    await expect(
      retrying.responses.create({ model: 'gpt-4.1-mini@429', input: 'hi' }),
    ).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([
      ['/v1/responses', 429],
      ['/v1/responses', 429],
    ]);
    await expect(
      client.responses.create({ model: 'gpt-4.1-mini@500', input: 'hi' }),
    ).rejects.toBeInstanceOf(OpenAI.InternalServerError);
  });

  it('latency:<ms> delays the answer, plain and streamed', async () => {
    let started = Date.now();
    const plain = await client.responses.create(
      { model: 'gpt-4.1-mini', input: 'Tell me about Mars.' },
      { headers: { 'x-local-model-scenario': 'latency:250' } },
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);

    started = Date.now();
    const stream = client.responses.stream({
      model: 'gpt-4.1-mini@latency:250',
      input: 'Tell me about Mars.',
    });
    const final = await stream.finalResponse();
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(final.output_text).toBe(plain.output_text);
    expect(server.requests.map((r) => [r.stream, r.scenario])).toEqual([
      [false, 'latency:250'],
      [true, 'latency:250'],
    ]);
  });

  it('broken-stream makes the stream helper fail', async () => {
    const stream = client.responses.stream({
      model: 'gpt-4.1-mini@broken-stream',
      input: 'Tell me a long story about the sea.',
    });
    await expect(stream.finalResponse()).rejects.toThrow(/terminated/);
  });

  it('a message whose content is a number is a 400 naming the item', async () => {
    const res = await fetch(`${server.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', input: [{ role: 'user', content: 5 }] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message:
          "Invalid type for 'input[0].content': expected one of a string or array of objects, but got an integer instead.",
        type: 'invalid_request_error',
        param: 'input[0].content',
        code: null,
      },
    });
  });

  it('missing input is a 400 in the OpenAI shape', async () => {
    const err = await client.responses
      .create({ model: 'gpt-4.1-mini' } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      type: 'invalid_request_error',
      param: 'input',
      code: null,
    });
  });
});

describe('model names with an @scenario suffix', () => {
  it('report the model without the suffix on every OpenAI route, plain and streamed', async () => {
    const model = 'gpt-4.1-mini@latency:1';
    const chat = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Tell me about Mars.' }],
    });
    expect(chat.model).toBe('gpt-4.1-mini');
    const chatStream = await client.chat.completions.create({
      model,
      messages: [{ role: 'user', content: 'Tell me about Mars.' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunkModels = new Set<string>();
    for await (const chunk of chatStream) chunkModels.add(chunk.model);
    expect([...chunkModels]).toEqual(['gpt-4.1-mini']);

    const resp = await client.responses.create({ model, input: 'Tell me about Mars.' });
    expect(resp.model).toBe('gpt-4.1-mini');
    const stream = client.responses.stream({ model, input: 'Tell me about Mars.' });
    const eventModels = new Set<string>();
    stream.on('event', (e) => {
      if ('response' in e) eventModels.add(e.response.model);
    });
    const final = await stream.finalResponse();
    expect(final.model).toBe('gpt-4.1-mini');
    expect([...eventModels]).toEqual(['gpt-4.1-mini']);

    const emb = await client.embeddings.create({
      model: 'text-embedding-3-small@latency:1',
      input: 'Mars',
    });
    expect(emb.model).toBe('text-embedding-3-small');
    // The request log keeps the model as requested, so tests can see which scenario applied.
    expect(server.requests.map((r) => [r.protocol, r.model, r.scenario])).toEqual([
      ['openai-chat', model, 'latency:1'],
      ['openai-chat', model, 'latency:1'],
      ['openai-responses', model, 'latency:1'],
      ['openai-responses', model, 'latency:1'],
      ['openai-embeddings', 'text-embedding-3-small@latency:1', 'latency:1'],
    ]);
  });
});
