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
