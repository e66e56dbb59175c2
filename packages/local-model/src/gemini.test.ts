import { ApiError, GoogleGenAI, setDefaultBaseUrls, Type } from '@google/genai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

let server: LocalModelServer;
let ai: GoogleGenAI;

const researchDecl = {
  name: 'delegate_research',
  description: 'Delegate a research question to the research agent',
  parameters: {
    type: Type.OBJECT,
    properties: {
      topic: { type: Type.STRING },
      level: { type: Type.STRING, enum: ['brief', 'deep'] },
      sources: { type: Type.ARRAY, items: { type: Type.STRING } },
    },
    required: ['topic'],
  },
};

beforeAll(async () => {
  server = await startLocalModel();
  ai = new GoogleGenAI({ apiKey: 'local', httpOptions: { baseUrl: server.url } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('Gemini with the official @google/genai client', () => {
  it('completes a functionCall / functionResponse round trip with usageMetadata', async () => {
    const config = {
      systemInstruction: 'You are a helpful assistant.',
      tools: [{ functionDeclarations: [researchDecl] }],
    };
    const first = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Tell me about Voyager 1.',
      config,
    });
    const call = first.functionCalls?.[0];
    expect(call?.name).toBe('delegate_research');
    expect(call?.args).toEqual({ topic: 'Voyager 1', level: 'brief', sources: ['Voyager 1'] });
    expect(first.usageMetadata?.promptTokenCount).toBeGreaterThan(0);
    expect(first.usageMetadata?.candidatesTokenCount).toBeGreaterThan(0);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      protocol: 'gemini',
      model: 'gemini-2.5-flash',
      status: 200,
    });

    const second = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Tell me about Voyager 1.' }] },
        {
          role: 'model',
          parts: [{ functionCall: { name: 'delegate_research', args: call?.args } }],
        },
        {
          role: 'user',
          parts: [
            {
              functionResponse: {
                name: 'delegate_research',
                response: { result: 'Voyager 1 is the farthest human-made object.' },
              },
            },
          ],
        },
      ],
      config,
    });
    expect(second.functionCalls).toBeUndefined();
    expect(second.text).toContain('"Voyager 1 is the farthest human-made object."');
    expect(second.candidates?.[0]?.finishReason).toBe('STOP');
  });

  it('streams text (alt=sse) equal to the unary answer, usage on the last chunk', async () => {
    const params = { model: 'gemini-2.5-flash', contents: 'Explain the Moon landing.' };
    const unary = await ai.models.generateContent(params);
    const stream = await ai.models.generateContentStream(params);
    let text = '';
    let chunks = 0;
    let lastUsage: number | undefined;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.text ?? '';
      lastUsage = chunk.usageMetadata?.totalTokenCount ?? lastUsage;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(text).toBe(unary.text);
    expect(lastUsage).toBe(unary.usageMetadata?.totalTokenCount);
    expect(server.requests[1]?.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(server.requests[1]?.stream).toBe(true);
  });

  it('streams a function call', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Tell me about Voyager 1.',
      config: { tools: [{ functionDeclarations: [researchDecl] }] },
    });
    const names: string[] = [];
    for await (const chunk of stream)
      for (const c of chunk.functionCalls ?? []) names.push(c.name ?? '');
    expect(names).toEqual(['delegate_research']);
  });

  it('finds the server through GOOGLE_GEMINI_BASE_URL and setDefaultBaseUrls', async () => {
    const saved = process.env.GOOGLE_GEMINI_BASE_URL;
    process.env.GOOGLE_GEMINI_BASE_URL = server.url;
    try {
      const fromEnv = new GoogleGenAI({ apiKey: 'local' });
      const res = await fromEnv.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'hi',
      });
      expect(res.text).toContain('hi');
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_GEMINI_BASE_URL;
      else process.env.GOOGLE_GEMINI_BASE_URL = saved;
    }
    setDefaultBaseUrls({ geminiUrl: server.url });
    try {
      const fromDefault = new GoogleGenAI({ apiKey: 'local' });
      const res = await fromDefault.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: 'yo',
      });
      expect(res.text).toContain('yo');
    } finally {
      setDefaultBaseUrls({});
    }
    expect(server.requests.map((r) => r.status)).toEqual([200, 200]);
  });

  it("serves the same routes under /v1 for a client set to apiVersion 'v1'", async () => {
    const v1 = new GoogleGenAI({
      apiKey: 'local',
      apiVersion: 'v1',
      httpOptions: { baseUrl: server.url },
    });
    const params = {
      model: 'gemini-2.5-flash',
      contents: 'Tell me about Voyager 1.',
      config: { tools: [{ functionDeclarations: [researchDecl] }] },
    };
    const unary = await v1.models.generateContent(params);
    expect(unary.functionCalls?.[0]?.name).toBe('delegate_research');
    const names: string[] = [];
    for await (const chunk of await v1.models.generateContentStream(params))
      for (const c of chunk.functionCalls ?? []) names.push(c.name ?? '');
    expect(names).toEqual(['delegate_research']);
    const beta = await ai.models.generateContent(params);
    expect(unary.functionCalls).toEqual(beta.functionCalls);
    expect(server.requests.map((r) => [r.path, r.protocol, r.status])).toEqual([
      ['/v1/models/gemini-2.5-flash:generateContent', 'gemini', 200],
      ['/v1/models/gemini-2.5-flash:streamGenerateContent', 'gemini', 200],
      ['/v1beta/models/gemini-2.5-flash:generateContent', 'gemini', 200],
    ]);
  });

  it('unknown Gemini methods under /v1 are 404 NOT_FOUND in the Gemini shape', async () => {
    const res = await fetch(`${server.url}/v1/models/gemini-2.5-flash:countTokens`, {
      method: 'POST',
      body: '{}',
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('429: the client retries (retryOptions) and then raises ApiError 429', async () => {
    const retrying = new GoogleGenAI({
      apiKey: 'local',
      httpOptions: {
        baseUrl: server.url,
        retryOptions: { attempts: 2, initialDelay: 0.05, jitter: 0 },
      },
    });
    const err = await retrying.models
      .generateContent({ model: 'gemini-2.5-flash@429', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(429);
    expect((err as ApiError).message).toContain('RESOURCE_EXHAUSTED');
    expect(server.requests.map((r) => [r.model, r.scenario, r.status])).toEqual([
      ['gemini-2.5-flash@429', '429', 429],
      ['gemini-2.5-flash@429', '429', 429],
    ]);
  });

  it('429:1 is overcome by a retrying client', async () => {
    const retrying = new GoogleGenAI({
      apiKey: 'local',
      httpOptions: {
        baseUrl: server.url,
        retryOptions: { attempts: 3, initialDelay: 0.05, jitter: 0 },
      },
    });
    const res = await retrying.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Tell me about Mars [scenario:429:1]',
    });
    expect(res.text).toContain('Mars');
    expect(res.text).not.toContain('scenario');
    expect(server.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('500 raises ApiError 500 with status INTERNAL', async () => {
    const failing = new GoogleGenAI({
      apiKey: 'local',
      httpOptions: { baseUrl: server.url, headers: { 'x-local-model-scenario': '500' } },
    });
    const e500 = await failing.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'hi' })
      .catch((e: unknown) => e);
    expect(e500).toBeInstanceOf(ApiError);
    expect((e500 as ApiError).status).toBe(500);
    expect((e500 as ApiError).message).toContain('INTERNAL');
  });

  it('broken-stream: iterating the stream raises an error', async () => {
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash@broken-stream',
      contents: 'Tell me a long story about the sea and the sky.',
    });
    let received = 0;
    const consume = async () => {
      for await (const _chunk of stream) received++;
    };
    await expect(consume()).rejects.toThrow(/terminated/);
    expect(received).toBeGreaterThan(0);
  });

  it('latency:<ms> delays the answer, unary and streamed', async () => {
    let started = Date.now();
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash@latency:250',
      contents: 'Tell me about Mars.',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(res.text).toContain('Mars');

    started = Date.now();
    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Tell me about Mars.',
      config: { httpOptions: { headers: { 'x-local-model-scenario': 'latency:250' } } },
    });
    let text = '';
    for await (const chunk of stream) text += chunk.text ?? '';
    expect(Date.now() - started).toBeGreaterThanOrEqual(240);
    expect(text).toBe(res.text);
    expect(server.requests.map((r) => [r.stream, r.scenario])).toEqual([
      [false, 'latency:250'],
      [true, 'latency:250'],
    ]);
  });

  it('refusal scenario answers with a refusal text', async () => {
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash@refusal',
      contents: 'hi',
    });
    expect(res.text).toMatch(/can't help/);
  });
});

describe('Gemini wire shapes', () => {
  const url = (model: string, method: string) => `${server.url}/v1beta/models/${model}:${method}`;

  it('rejects bad JSON and missing contents with 400 INVALID_ARGUMENT', async () => {
    for (const body of ['{nope', '{"generationConfig":{}}']) {
      const res = await fetch(url('gemini-2.5-flash', 'generateContent'), { method: 'POST', body });
      expect(res.status).toBe(400);
      const json = (await res.json()) as { error: Record<string, unknown> };
      expect(json.error).toMatchObject({ code: 400, status: 'INVALID_ARGUMENT' });
      expect(Object.keys(json.error).sort()).toEqual(['code', 'message', 'status']);
    }
  });

  it('rejects a functionCall or functionResponse without a name with 400 INVALID_ARGUMENT', async () => {
    const cases = [
      [{ functionCall: {} }, 'function_call'],
      [{ functionResponse: { response: { ok: true } } }, 'function_response'],
    ] as const;
    for (const [part, field] of cases) {
      const res = await fetch(url('gemini-2.5-flash', 'generateContent'), {
        method: 'POST',
        body: JSON.stringify({
          contents: [
            { role: 'user', parts: [{ text: 'Tell me about Voyager 1.' }] },
            { role: 'model', parts: [{ text: 'Looking.' }, part] },
          ],
        }),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        error: {
          code: 400,
          message: `* GenerateContentRequest.contents[1].parts[1].${field}.name: Name cannot be empty.`,
          status: 'INVALID_ARGUMENT',
        },
      });
    }
  });

  it('429 carries Retry-After: 1 and the Gemini error shape', async () => {
    const res = await fetch(url('gemini-2.5-flash@429', 'generateContent'), {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }] }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toEqual({
      error: { code: 429, message: expect.any(String), status: 'RESOURCE_EXHAUSTED' },
    });
  });

  it('unknown Gemini routes are 404 NOT_FOUND', async () => {
    const res = await fetch(url('gemini-2.5-flash', 'countTokens'), { method: 'POST', body: '{}' });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 404, status: 'NOT_FOUND' } });
  });

  it('is deterministic for the same request, streamed or not', async () => {
    const body = JSON.stringify({
      contents: [{ role: 'user', parts: [{ text: 'Tell me about Voyager 1.' }] }],
      tools: [{ functionDeclarations: [researchDecl] }],
    });
    for (const method of ['generateContent', 'streamGenerateContent?alt=sse']) {
      const a = await (
        await fetch(url('gemini-2.5-flash', method), { method: 'POST', body })
      ).text();
      const b = await (
        await fetch(url('gemini-2.5-flash', method), { method: 'POST', body })
      ).text();
      expect(a).toBe(b);
      expect(a).toContain('delegate_research');
    }
  });
});

/** ADK's `transfer_to_agent` declaration, as `@google/adk` 2.x sends it. */
const transferDecl = {
  name: 'transfer_to_agent',
  description:
    'Transfer the question to another agent. This tool hands off control to another agent when it is more suitable to answer the user question according to the agent description.',
  parametersJsonSchema: {
    type: 'object',
    properties: { agentName: { type: 'string', description: 'the agent name to transfer to.' } },
    required: ['agentName'],
  },
};
const weatherDecl = {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } } },
};

/** The instructions ADK builds for an agent with transfer targets (identity + target list). */
function adkInstructions(
  self: string,
  own: string,
  targets: [string, string][],
  parent?: string,
): string {
  const list = targets.map(([n, d]) => `\nAgent name: ${n}\nAgent description: ${d}\n`).join('\n');
  let text = `You are an agent. Your internal name is "${self}".\n\n${own}\n\nYou have a list of other agents to transfer to:\n\n${list}\n\nIf you are the best to answer the question according to your description, you\ncan answer it.\n\nIf another agent is better for answering the question according to its\ndescription, call \`transfer_to_agent\` function to transfer the\nquestion to that agent. When transferring, do not generate any text other than\nthe function call.\n`;
  if (parent) {
    text += `\nYour parent agent is ${parent}. If neither the other agents nor\nyou are best for answering the question according to the descriptions, transfer\nto your parent agent.\n`;
  }
  return text;
}

const SUB_AGENTS: [string, string][] = [
  ['weather_agent', 'Answers weather questions'],
  ['research_agent', 'Researches history and science topics'],
];

describe('Gemini model names with colons and ADK transfer_to_agent', () => {
  it('routes a scenario suffix holding a colon (method = last `:` part) and reports the bare model', async () => {
    const config = {
      systemInstruction: adkInstructions('router', 'Route questions.', SUB_AGENTS),
      tools: [{ functionDeclarations: [weatherDecl, transferDecl] }],
    };
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash@tool:transfer_to_agent',
      contents: 'What is the weather in Paris?',
      config,
    });
    expect(res.functionCalls?.[0]).toMatchObject({
      name: 'transfer_to_agent',
      args: { agentName: 'weather_agent' },
    });
    expect(res.modelVersion).toBe('gemini-2.5-flash');
    expect(server.requests[0]).toMatchObject({
      path: '/v1beta/models/gemini-2.5-flash@tool:transfer_to_agent:generateContent',
      protocol: 'gemini',
      model: 'gemini-2.5-flash@tool:transfer_to_agent',
      scenario: 'tool:transfer_to_agent',
      status: 200,
    });

    const stream = await ai.models.generateContentStream({
      model: 'gemini-2.5-flash@latency:1',
      contents: 'Tell me about Mars.',
    });
    const versions = new Set<string | undefined>();
    for await (const chunk of stream) versions.add(chunk.modelVersion);
    expect([...versions]).toEqual(['gemini-2.5-flash']);
    expect(server.requests[1]).toMatchObject({
      path: '/v1beta/models/gemini-2.5-flash@latency:1:streamGenerateContent',
      scenario: 'latency:1',
      status: 200,
    });
    const raw = await fetch(
      `${server.url}/v1beta/models/${encodeURIComponent('gemini-2.5-flash@tool:get_weather')}:generateContent`,
      {
        method: 'POST',
        body: JSON.stringify({
          contents: [{ role: 'user', parts: [{ text: 'Weather in Oslo?' }] }],
          tools: [{ functionDeclarations: [weatherDecl] }],
        }),
      },
    );
    expect(raw.status).toBe(200);
  });

  it('chooses transfer_to_agent with agentName when the user text names a sub-agent', async () => {
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'What is the weather in Paris?',
      config: {
        systemInstruction: adkInstructions('router', 'You route questions.', SUB_AGENTS),
        tools: [{ functionDeclarations: [transferDecl] }],
      },
    });
    expect(res.functionCalls?.[0]).toMatchObject({
      name: 'transfer_to_agent',
      args: { agentName: 'weather_agent' },
    });
    const byName = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Ask research_agent about Voyager 1.',
      config: {
        systemInstruction: adkInstructions('router', 'You route questions.', SUB_AGENTS),
        tools: [{ functionDeclarations: [transferDecl] }],
      },
    });
    expect(byName.functionCalls?.[0]?.args).toEqual({ agentName: 'research_agent' });
  });

  it('transfers when the instructions name or delegate to a sub-agent, else answers itself', async () => {
    const ask = (own: string, text: string, targets = SUB_AGENTS) =>
      ai.models.generateContent({
        model: 'gemini-2.5-flash',
        contents: text,
        config: {
          systemInstruction: adkInstructions('router', own, targets),
          tools: [{ functionDeclarations: [transferDecl] }],
        },
      });
    const named = await ask('Hand space questions to research_agent.', 'Tell me about Voyager 1.');
    expect(named.functionCalls?.[0]?.args).toEqual({ agentName: 'research_agent' });
    // "Delegate" without a name: the best description match for the user's words.
    const delegated = await ask(
      'Always delegate to the most suitable specialist.',
      'Explain the history of science in Rome.',
    );
    expect(delegated.functionCalls?.[0]?.args).toEqual({ agentName: 'research_agent' });
    // ADK's own generated transfer text alone does not make every question a transfer.
    const own = await ask('You are a friendly assistant.', 'Tell me about Voyager 1.');
    expect(own.functionCalls).toBeUndefined();
    expect(own.text).toContain('Voyager 1');
  });

  it('reads the agent names from an agentName enum and never names the calling agent', async () => {
    const enumDecl = {
      ...transferDecl,
      parametersJsonSchema: {
        type: 'object',
        properties: { agentName: { type: 'string', enum: ['billing_agent', 'support_agent'] } },
        required: ['agentName'],
      },
    };
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'I need support with my login.',
      config: {
        systemInstruction: 'You are an agent. Your internal name is "billing_agent".',
        tools: [{ functionDeclarations: [enumDecl] }],
      },
    });
    expect(res.functionCalls?.[0]?.args).toEqual({ agentName: 'support_agent' });
    const self = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'A billing question please.',
      config: {
        systemInstruction: 'You are an agent. Your internal name is "billing_agent".',
        tools: [{ functionDeclarations: [enumDecl] }],
      },
    });
    expect(self.functionCalls).toBeUndefined();
  });

  it('the agent that received a transfer calls its own tool, on the real question, and never bounces back', async () => {
    const res = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Ask weather_agent: what is the weather in Paris?' }] },
        {
          role: 'user',
          parts: [
            { text: 'For context:' },
            {
              text: '[router] called tool `transfer_to_agent` with parameters: {"agentName":"weather_agent"}',
            },
          ],
        },
        {
          role: 'user',
          parts: [
            { text: 'For context:' },
            {
              text: '[router] tool `transfer_to_agent` returned result: {"result":"Transfer queued"}',
            },
          ],
        },
      ],
      config: {
        systemInstruction: adkInstructions(
          'weather_agent',
          'Answer weather questions with get_weather.',
          [['research_agent', 'Researches history and science topics']],
          'router',
        ),
        tools: [{ functionDeclarations: [weatherDecl, transferDecl] }],
      },
    });
    expect(res.functionCalls?.[0]).toMatchObject({ name: 'get_weather', args: { city: 'Paris' } });
    // A router that sees its sub-agent's transfer back answers instead of transferring again.
    const back = await ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: [
        { role: 'user', parts: [{ text: 'Tell me about weather_agent.' }] },
        {
          role: 'user',
          parts: [
            { text: 'For context:' },
            {
              text: '[weather_agent] called tool `transfer_to_agent` with parameters: {"agentName":"router"}',
            },
          ],
        },
      ],
      config: {
        systemInstruction: adkInstructions('router', 'Route questions.', SUB_AGENTS),
        tools: [{ functionDeclarations: [transferDecl] }],
      },
    });
    expect(back.functionCalls).toBeUndefined();
    expect(back.text).toContain('weather_agent');
  });
});
