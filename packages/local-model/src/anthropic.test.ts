import Anthropic, { type APIError } from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

let server: LocalModelServer;
let client: Anthropic;

const MODEL = 'claude-sonnet-4-5';

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  input_schema: {
    type: 'object',
    properties: {
      city: { type: 'string' },
      units: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city', 'units'],
  },
};
const researchTool: Anthropic.Tool = {
  name: 'delegate_research',
  description: 'Delegate a research question to the research agent',
  input_schema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
};

/** The SSE events of a raw response, as `[event name, parsed data]`. */
async function sseEvents(res: Response): Promise<[string, Record<string, unknown>][]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter((chunk) => chunk.trim() !== '')
    .map((chunk) => {
      const event = /^event: (.*)$/m.exec(chunk)?.[1] ?? '';
      const data = /^data: (.*)$/m.exec(chunk)?.[1] ?? '{}';
      return [event, JSON.parse(data) as Record<string, unknown>];
    });
}

const HEADERS = {
  'content-type': 'application/json',
  'x-api-key': 'local',
  'anthropic-version': '2023-06-01',
};

beforeAll(async () => {
  server = await startLocalModel({ scenarios: { byText: { 'rules-say-busy': 'overloaded' } } });
  client = new Anthropic({ apiKey: 'local', baseURL: server.url, maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('Anthropic Messages with the official @anthropic-ai/sdk client', () => {
  it('answers a text message with end_turn, usage and a request id', async () => {
    const { data, response } = await client.messages
      .create({
        model: MODEL,
        max_tokens: 1024,
        system: 'You are a helpful assistant.',
        messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      })
      .withResponse();
    expect(data).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: MODEL,
      stop_reason: 'end_turn',
      stop_sequence: null,
      content: [
        {
          type: 'text',
          text: 'Here is a short answer about Voyager 1: this is a deterministic reply from the local model.',
        },
      ],
      usage: {
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        service_tier: 'standard',
      },
    });
    expect(data.id).toMatch(/^msg_01[0-9a-f]{22}$/);
    // The answer is 17 words and 2 punctuation marks; the input 2 × (5 words and a full stop).
    expect(data.usage.output_tokens).toBe(19);
    expect(data.usage.input_tokens).toBe(12);
    expect(response.headers.get('request-id')).toMatch(/^req_01[0-9a-f]{22}$/);
    expect(server.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/messages',
        protocol: 'anthropic',
        model: MODEL,
        stream: false,
        scenario: undefined,
        status: 200,
      },
    ]);
  });

  it('is found through ANTHROPIC_BASE_URL', async () => {
    const saved = process.env.ANTHROPIC_BASE_URL;
    process.env.ANTHROPIC_BASE_URL = server.url;
    try {
      const fromEnv = new Anthropic({ apiKey: 'local', maxRetries: 0 });
      const res = await fromEnv.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(res.stop_reason).toBe('end_turn');
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_BASE_URL;
      else process.env.ANTHROPIC_BASE_URL = saved;
    }
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([['/v1/messages', 200]]);
  });

  it('streams text in the SDK helper: the same message as the unary answer, events in order', async () => {
    const params = {
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user' as const, content: 'Explain the Moon landing.' }],
    };
    const unary = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const types: string[] = [];
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    for await (const event of stream) types.push(event.type);
    const final = await stream.finalMessage();
    const deltas = types.filter((t) => t === 'content_block_delta').length;
    expect(deltas).toBeGreaterThan(1);
    expect(types).toEqual([
      'message_start',
      'content_block_start',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(text).toBe((unary.content[0] as Anthropic.TextBlock).text);
    // Ids come from the request body, which differs by `stream: true`; `parsed_output` is the
    // stream helper's own addition.
    const { id: _streamId, parsed_output: _parsed, ...streamed } = final;
    const { id: _unaryId, ...plain } = unary;
    expect(streamed).toEqual(plain);
    expect(server.requests.map((r) => r.stream)).toEqual([false, true]);
  });

  it('sends the raw SSE events in the API order, with ping after the first block start', async () => {
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: HEADERS,
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 1024,
        stream: true,
        messages: [{ role: 'user', content: 'Explain the Moon landing.' }],
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const events = await sseEvents(res);
    for (const [name, data] of events) expect(data.type).toBe(name);
    const names = events.map(([name]) => name);
    const deltas = names.filter((n) => n === 'content_block_delta').length;
    expect(names).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      ...Array<string>(deltas).fill('content_block_delta'),
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    const start = events[0]?.[1].message as Anthropic.Message;
    expect(start).toMatchObject({ content: [], stop_reason: null, usage: { output_tokens: 1 } });
    const delta = events.at(-2)?.[1] as unknown as Anthropic.RawMessageDeltaEvent;
    expect(delta.delta.stop_reason).toBe('end_turn');
    expect(delta.usage.input_tokens).toBe(start.usage.input_tokens);
    expect(delta.usage.output_tokens).toBeGreaterThan(1);
  });

  it('completes a tool round trip: tool_use, then a tool_result, then a final answer', async () => {
    const messages: Anthropic.MessageParam[] = [
      { role: 'user', content: 'Tell me about Voyager 1.' },
    ];
    const tools = [weatherTool, researchTool];
    const first = await client.messages.create({ model: MODEL, max_tokens: 1024, messages, tools });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content[0];
    if (use?.type !== 'tool_use') throw new Error('expected a tool_use block');
    expect(use.name).toBe('delegate_research');
    expect(use.input).toEqual({ topic: 'Voyager 1' });
    expect(use.id).toMatch(/^toolu_01[0-9a-f]{22}$/);

    messages.push(
      { role: 'assistant', content: first.content },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: use.id,
            // Claude Code appends a reminder to a tool's result: not part of what it returned.
            content: [
              {
                type: 'text',
                text: 'Voyager 1 left the heliosphere in 2012. <system-reminder> <total_tokens>14999542 tokens left</total_tokens> </system-reminder>',
              },
            ],
          },
        ],
      },
    );
    const second = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages,
      tools,
    });
    expect(second.stop_reason).toBe('end_turn');
    const text = second.content[0];
    if (text?.type !== 'text') throw new Error('expected a text block');
    expect(text.text).toBe(
      'Here is what I found about Voyager 1: delegate_research returned "Voyager 1 left the heliosphere in 2012.".',
    );
    expect(second.usage.input_tokens).toBeGreaterThan(first.usage.input_tokens);
  });

  it('streams a tool_use block through input_json_delta events to the same input', async () => {
    const params = {
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
      tools: [weatherTool],
    };
    const unary = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const json: string[] = [];
    stream.on('inputJson', (partial) => json.push(partial));
    const final = await stream.finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content).toEqual(
      unary.content.map((b) => (b.type === 'tool_use' ? { ...b, id: expect.any(String) } : b)),
    );
    expect(final.content[0]).toMatchObject({
      type: 'tool_use',
      name: 'get_weather',
      input: { city: 'Paris', units: 'celsius' },
    });
    expect(json.length).toBeGreaterThan(1);
    expect(final.usage.output_tokens).toBe(unary.usage.output_tokens);
  });

  it('honours tool_choice: a named tool, none, and any', async () => {
    const messages = [{ role: 'user' as const, content: 'Tell me about Voyager 1.' }];
    const tools = [weatherTool, researchTool];
    const named = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages,
      tools,
      tool_choice: { type: 'tool', name: 'get_weather' },
    });
    expect(named.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    const none = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages,
      tools,
      tool_choice: { type: 'none' },
    });
    expect(none.stop_reason).toBe('end_turn');
    const any = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages,
      tools,
      tool_choice: { type: 'any' },
    });
    expect(any.stop_reason).toBe('tool_use');
  });

  it('stops at max_tokens (cut text, output_tokens = max_tokens), streamed or not', async () => {
    const params = {
      model: MODEL,
      max_tokens: 5,
      messages: [{ role: 'user' as const, content: 'Tell me about Voyager 1.' }],
    };
    const unary = await client.messages.create(params);
    expect(unary.stop_reason).toBe('max_tokens');
    expect(unary.usage.output_tokens).toBe(5);
    expect(unary.content).toEqual([{ type: 'text', text: 'Here is a short answer' }]);
    const streamed = await client.messages.stream(params).finalMessage();
    expect(streamed.stop_reason).toBe('max_tokens');
    expect(streamed.content).toEqual(unary.content);
    expect(streamed.usage.output_tokens).toBe(5);
  });

  it('stops at the first stop sequence and names it', async () => {
    const res = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      stop_sequences: ['deterministic', 'Voyager'],
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
    });
    expect(res.stop_reason).toBe('stop_sequence');
    expect(res.stop_sequence).toBe('Voyager');
    expect(res.content).toEqual([{ type: 'text', text: 'Here is a short answer about ' }]);
  });

  it('answers structured output (output_config.format json_schema) with JSON of that schema', async () => {
    const res = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      output_config: {
        format: {
          type: 'json_schema',
          schema: {
            type: 'object',
            properties: { summary: { type: 'string' }, year: { type: 'integer' } },
            required: ['summary', 'year'],
            additionalProperties: false,
          },
        },
      },
    });
    const text = res.content[0];
    if (text?.type !== 'text') throw new Error('expected a text block');
    expect(JSON.parse(text.text)).toEqual({ summary: expect.any(String), year: 3 });
  });

  it('counts tokens (count_tokens) as the usage of the same messages request counts input', async () => {
    const params = {
      model: MODEL,
      system: 'You are a helpful assistant.',
      messages: [{ role: 'user' as const, content: 'What is the weather in Paris?' }],
      tools: [weatherTool],
    };
    const counted = await client.messages.countTokens(params);
    const created = await client.messages.create({ ...params, max_tokens: 1024 });
    expect(counted).toEqual({ input_tokens: created.usage.input_tokens });
    expect(server.requests.map((r) => [r.path, r.protocol, r.status])).toEqual([
      ['/v1/messages/count_tokens', 'anthropic', 200],
      ['/v1/messages', 'anthropic', 200],
    ]);
  });

  it('chooses scenarios by model suffix, header and marker, and reports the bare model', async () => {
    const bySuffix = await client.messages.create({
      model: `${MODEL}@tool:get_weather`,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [weatherTool, researchTool],
    });
    expect(bySuffix.model).toBe(MODEL);
    expect(bySuffix.content[0]).toMatchObject({ type: 'tool_use', name: 'get_weather' });
    const byHeader = await client.messages.create(
      {
        model: MODEL,
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      },
      { headers: { 'x-local-model-scenario': 'refusal' } },
    );
    expect(byHeader.stop_reason).toBe('refusal');
    expect(byHeader.stop_details).toEqual({ type: 'refusal', category: null, explanation: null });
    await expect(
      client.messages.create({
        model: MODEL,
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Tell me about Mars [scenario:500]' }],
      }),
    ).rejects.toBeInstanceOf(Anthropic.InternalServerError);
    expect(server.requests.map((r) => r.scenario)).toEqual(['tool:get_weather', 'refusal', '500']);
  });

  it('is deterministic: the same request gets the same bytes, unary and streamed', async () => {
    const body = (stream: boolean) =>
      JSON.stringify({
        model: MODEL,
        max_tokens: 1024,
        stream,
        messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
        tools: [researchTool],
      });
    const send = async (stream: boolean) => {
      const res = await fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: HEADERS,
        body: body(stream),
      });
      return { text: await res.text(), id: res.headers.get('request-id') };
    };
    for (const stream of [false, true]) {
      const a = await send(stream);
      const b = await send(stream);
      expect(b).toEqual(a);
      expect(a.text).toContain('delegate_research');
    }
    const viaSdk = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool],
    });
    const again = await client.messages.create({
      model: MODEL,
      max_tokens: 1024,
      messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      tools: [researchTool],
    });
    expect(again).toEqual(viaSdk);
  });

  it('broken-stream: the SDK stream raises an error instead of a message', async () => {
    const stream = client.messages.stream(
      {
        model: MODEL,
        max_tokens: 1024,
        messages: [{ role: 'user', content: 'Tell me about Voyager 1.' }],
      },
      { headers: { 'x-local-model-scenario': 'broken-stream' } },
    );
    await expect(stream.finalMessage()).rejects.toThrow();
  });
});

describe('Anthropic error shapes as the SDK typed errors', () => {
  const ask = (model = MODEL, options?: Anthropic.RequestOptions) =>
    client.messages.create(
      { model, max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
      options,
    );

  /** Asserts the SDK raised `type` with the status and the API's `{type:'error', error}` body. */
  async function expectError(
    call: Promise<unknown>,
    type: abstract new (...args: never[]) => APIError,
    status: number,
    errorType: string,
  ): Promise<APIError> {
    const err = await call.then(
      () => {
        throw new Error('expected the call to fail');
      },
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(type);
    const apiError = err as APIError;
    expect(apiError.status).toBe(status);
    expect(apiError.type).toBe(errorType);
    expect(apiError.error).toEqual({
      type: 'error',
      error: { type: errorType, message: expect.any(String) },
      request_id: apiError.requestID,
    });
    expect(apiError.requestID).toMatch(/^req_01[0-9a-f]{22}$/);
    return apiError;
  }

  it('400 invalid_request_error: BadRequestError, naming the field', async () => {
    const err = await expectError(
      client.messages.create({
        model: MODEL,
        messages: [{ role: 'user', content: 'hi' }],
      } as unknown as Anthropic.MessageCreateParamsNonStreaming),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
    );
    expect(err.apiMessage).toBe('max_tokens: Field required');
  });

  it('400 for a tool_result with no tool_use before it, and a tool_use left unanswered', async () => {
    const orphan = await expectError(
      client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [
          {
            role: 'user',
            content: [{ type: 'tool_result', tool_use_id: 'toolu_missing', content: 'x' }],
          },
        ],
      }),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
    );
    expect(orphan.apiMessage).toContain('unexpected `tool_use_id` found in `tool_result` blocks');
    const unanswered = await expectError(
      client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [
          { role: 'user', content: 'hi' },
          {
            role: 'assistant',
            content: [{ type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} }],
          },
          { role: 'user', content: 'and?' },
        ],
      }),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
    );
    expect(unanswered.apiMessage).toMatch(/^messages\.1: `tool_use` ids were found without/);
  });

  it('400 for an anthropic-version the API does not know', async () => {
    const err = await expectError(
      ask(MODEL, { headers: { 'anthropic-version': '2020-01-01' } }),
      Anthropic.BadRequestError,
      400,
      'invalid_request_error',
    );
    expect(err.apiMessage).toBe('anthropic-version: "2020-01-01" is not a valid version');
  });

  it('400 for temperature, top_p or top_k under API version 2026-10-21, not under 2023-06-01', async () => {
    const send = (version: string, extra: Record<string, unknown>) =>
      fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: { ...HEADERS, 'anthropic-version': version },
        body: JSON.stringify({
          model: MODEL,
          max_tokens: 64,
          messages: [{ role: 'user', content: 'hi' }],
          ...extra,
        }),
      });
    for (const extra of [{ temperature: 1 }, { top_p: 0.9 }, { top_k: 5 }]) {
      const res = await send('2026-10-21', extra);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        error: {
          type: 'invalid_request_error',
          message: `${Object.keys(extra)[0]}: Extra inputs are not permitted`,
        },
      });
      expect((await send('2023-06-01', extra)).status).toBe(200);
    }
  });

  it('answers an unknown route in the Anthropic shape when the client sent anthropic-version', async () => {
    const res = await fetch(`${server.url}/v1/messages/batches`, {
      method: 'POST',
      headers: HEADERS,
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Unknown route: POST /v1/messages/batches' },
      request_id: res.headers.get('request-id'),
    });
  });

  it('401 authentication_error: AuthenticationError (scenario 401)', async () => {
    await expectError(
      ask(`${MODEL}@401`),
      Anthropic.AuthenticationError,
      401,
      'authentication_error',
    );
  });

  it('404 not_found_error: NotFoundError for a route it does not serve', async () => {
    await expectError(client.models.list(), Anthropic.NotFoundError, 404, 'not_found_error');
    expect(server.requests[0]).toMatchObject({ method: 'GET', path: '/v1/models', status: 404 });
  });

  it('429 rate_limit_error: RateLimitError with Retry-After', async () => {
    const err = await expectError(
      ask(`${MODEL}@429`),
      Anthropic.RateLimitError,
      429,
      'rate_limit_error',
    );
    expect(err.headers?.get('retry-after')).toBe('1');
  });

  it('529 overloaded_error: OverloadedError (scenario overloaded, here from a rule)', async () => {
    await expectError(
      client.messages.create({
        model: MODEL,
        max_tokens: 64,
        messages: [{ role: 'user', content: 'rules-say-busy' }],
      }),
      Anthropic.OverloadedError,
      529,
      'overloaded_error',
    );
  });

  it('500 api_error: InternalServerError', async () => {
    await expectError(ask(`${MODEL}@500`), Anthropic.InternalServerError, 500, 'api_error');
  });

  it('429:1 is overcome by the retrying client', async () => {
    const retrying = new Anthropic({ apiKey: 'local', baseURL: server.url, maxRetries: 1 });
    const res = await retrying.messages.create({
      model: `${MODEL}@429:1`,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.stop_reason).toBe('end_turn');
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('asks for x-api-key (401) and anthropic-version (400) as the API does', async () => {
    const body = JSON.stringify({
      model: MODEL,
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const noKey = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body,
    });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'x-api-key header is required' },
    });
    const noVersion = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'local' },
      body,
    });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: 'anthropic-version: header is required' },
    });
    const bearer = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer local-token',
        'anthropic-version': '2023-06-01',
      },
      body,
    });
    expect(bearer.status).toBe(200);
  });
});

describe('the requests the Claude Agent SDK CLI makes', () => {
  // As the reference run recorded them: streaming `POST /v1/messages?beta=true` with the CLI's
  // headers, `max_tokens: 32000`, `metadata.user_id` as a JSON string, a session-title request
  // with no tools, and a `HEAD /api/hello` probe.
  const cliHeaders = {
    ...HEADERS,
    'anthropic-beta':
      'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27',
    'user-agent': 'claude-cli/2.1.337 (external, sdk-ts, agent-sdk/0.3.337)',
    'x-app': 'cli',
    'x-claude-code-session-id': '3b0c7c52-1d0e-4e53-9d9a-4f3f0d7c2a11',
    'anthropic-dangerous-direct-browser-access': 'true',
  };
  const metadata = {
    user_id: JSON.stringify({
      device_id: 'd'.repeat(64),
      account_uuid: '',
      session_id: '3b0c7c52-1d0e-4e53-9d9a-4f3f0d7c2a11',
    }),
  };
  const tools = [
    {
      name: 'Agent',
      description: 'Launch a new agent to handle complex, multi-step tasks autonomously.',
      input_schema: {
        type: 'object',
        properties: { description: { type: 'string' }, prompt: { type: 'string' } },
        required: ['description', 'prompt'],
      },
    },
    {
      name: 'mcp__weather__get_weather',
      description: 'Get the current weather for a city',
      input_schema: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
      },
    },
  ];
  const post = (body: Record<string, unknown>) =>
    fetch(`${server.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: cliHeaders,
      body: JSON.stringify({ max_tokens: 32000, metadata, stream: true, ...body }),
    });

  it('answers a turn with a tool, the turn after its result, and the session-title request', async () => {
    const probe = await fetch(`${server.url}/api/hello`, { method: 'HEAD' });
    expect(probe.status).toBe(200);
    const system = [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text', text: 'Use the tools available.', cache_control: { type: 'ephemeral' } },
    ];
    const prompt = {
      role: 'user',
      content: [
        {
          type: 'text',
          text: '<system-reminder>\nAs you answer the user, use this context: none.\n</system-reminder>',
        },
        { type: 'text', text: 'What is the weather in Paris?' },
      ],
    };
    const first = await sseEvents(await post({ model: MODEL, system, tools, messages: [prompt] }));
    const start = first.find(([name]) => name === 'content_block_start')?.[1];
    if (!start) throw new Error('expected a content_block_start event');
    expect(start.content_block).toMatchObject({
      type: 'tool_use',
      name: 'mcp__weather__get_weather',
      input: {},
    });
    const json = first
      .filter(([name]) => name === 'content_block_delta')
      .map(([, data]) => (data.delta as { partial_json: string }).partial_json)
      .join('');
    expect(JSON.parse(json)).toEqual({ city: 'Paris' });
    const toolUseId = (start.content_block as { id: string }).id;
    const second = await sseEvents(
      await post({
        model: MODEL,
        system,
        tools,
        messages: [
          prompt,
          {
            role: 'assistant',
            content: [
              {
                type: 'tool_use',
                id: toolUseId,
                name: 'mcp__weather__get_weather',
                input: { city: 'Paris' },
              },
            ],
          },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: toolUseId,
                content: [{ type: 'text', text: 'Sunny, 21 C' }],
              },
            ],
          },
        ],
      }),
    );
    const text = second
      .filter(([name]) => name === 'content_block_delta')
      .map(([, data]) => (data.delta as { text: string }).text)
      .join('');
    expect(text).toBe(
      'Here is what I found about weather in Paris: mcp__weather__get_weather returned "Sunny, 21 C".',
    );
    const title = await sseEvents(
      await post({
        model: 'claude-haiku-4-5',
        system: [{ type: 'text', text: 'You are naming a coding session. Reply with a title.' }],
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      }),
    );
    expect(title.at(-2)?.[1]).toMatchObject({ delta: { stop_reason: 'end_turn' } });
    expect(server.requests.map((r) => [r.method, r.path, r.protocol, r.stream, r.status])).toEqual([
      ['HEAD', '/api/hello', undefined, false, 200],
      ['POST', '/v1/messages', 'anthropic', true, 200],
      ['POST', '/v1/messages', 'anthropic', true, 200],
      ['POST', '/v1/messages', 'anthropic', true, 200],
    ]);
  });

  it('starts a subagent with the Agent tool: the agent type the question names, and the question as its prompt', async () => {
    // Claude Code lists the agent types in a <system-reminder> of the first user message, and
    // its Agent tool takes `subagent_type` and `prompt` (optional settings left to the CLI).
    const agentTool = {
      name: 'Agent',
      description: 'Launch a new agent to handle complex, multi-step tasks.',
      input_schema: {
        type: 'object',
        properties: {
          description: { type: 'string' },
          prompt: { type: 'string' },
          subagent_type: { type: 'string' },
          run_in_background: { type: 'boolean' },
          isolation: { type: 'string', enum: ['worktree', 'remote'] },
        },
        required: ['description', 'prompt'],
      },
    };
    const listing = [
      '<system-reminder>',
      'Available agent types for the Agent tool:',
      '- general-purpose: General-purpose agent for researching complex questions. (Tools: *)',
      '- weather-agent: Finds the weather (Tools: mcp__weather__get_weather)',
      '</system-reminder>',
    ].join('\n');
    const ask = (question: string) =>
      fetch(`${server.url}/v1/messages`, {
        method: 'POST',
        headers: HEADERS,
        body: JSON.stringify({
          model: MODEL,
          max_tokens: 1024,
          tools: [agentTool],
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: listing },
                { type: 'text', text: question },
              ],
            },
          ],
        }),
      }).then((r) => r.json() as Promise<{ content: { name: string; input: unknown }[] }>);
    const named = await ask('What is the weather in Paris? [scenario:tool:Agent]');
    expect(named.content[0]).toMatchObject({
      name: 'Agent',
      input: {
        description: 'weather in Paris',
        prompt: 'What is the weather in Paris?',
        subagent_type: 'weather-agent',
      },
    });
    const other = await ask('Tell me about Voyager 1.');
    expect(other.content[0]?.input).toEqual({
      description: 'Voyager 1',
      prompt: 'Tell me about Voyager 1.',
      subagent_type: 'general-purpose',
    });
  });
});
