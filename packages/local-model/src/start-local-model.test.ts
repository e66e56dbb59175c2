// The body limit (20 MiB): an oversized request is answered 413 in the provider's error shape,
// and the connection survives it, instead of being reset mid-upload.
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

const LIMIT = 20 * 1024 * 1024;
let server: LocalModelServer;

beforeAll(async () => {
  server = await startLocalModel();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

/** A JSON chat body just over the limit. */
const oversized = () =>
  JSON.stringify({
    model: 'gpt-4.1-mini',
    messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }],
  });

/** The same bytes as a stream, so no Content-Length announces the size. */
const chunked = (text: string) => {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.subarray(at, at + 1024 * 1024));
      at += 1024 * 1024;
    },
  });
};

describe('a request body over the limit', () => {
  const message = `Request payload size exceeds the limit: ${LIMIT} bytes.`;

  it('is a 413 in the OpenAI shape, announced by Content-Length or not', async () => {
    const plain = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: oversized(),
    });
    const streamed = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: chunked(oversized()),
      duplex: 'half',
    } as RequestInit);
    for (const res of [plain, streamed]) {
      expect(res.status).toBe(413);
      expect(await res.json()).toEqual({
        error: { message, type: 'invalid_request_error', param: null, code: null },
      });
    }
    // The server is still there for the next request.
    const next = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(next.status).toBe(200);
    expect(server.requests.map((r) => [r.protocol, r.status])).toEqual([
      ['openai-chat', 413],
      ['openai-chat', 413],
      ['openai-chat', 200],
    ]);
  });

  it('is a 413 in the Gemini shape under /v1beta', async () => {
    const res = await fetch(`${server.url}/v1beta/models/gemini-2.5-flash:generateContent`, {
      method: 'POST',
      body: JSON.stringify({ contents: [{ role: 'user', parts: [{ text: 'x'.repeat(LIMIT) }] }] }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({ error: { code: 413, message, status: 'INVALID_ARGUMENT' } });
  });

  it('is a 413 request_too_large in the Anthropic shape', async () => {
    const res = await fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'local', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }],
      }),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'request_too_large', message },
      request_id: res.headers.get('request-id'),
    });
  });

  it('reaches the official clients as an API error with status 413', async () => {
    const openai = new OpenAI({ apiKey: 'sk-local', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const err = await openai.chat.completions
      .create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'x'.repeat(LIMIT) }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect((err as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({ message });

    const ai = new GoogleGenAI({
      apiKey: 'local',
      httpOptions: { baseUrl: server.url, retryOptions: { attempts: 1 } },
    });
    const gerr = await ai.models
      .generateContent({ model: 'gemini-2.5-flash', contents: 'x'.repeat(LIMIT) })
      .catch((e: unknown) => e);
    expect(gerr).toBeInstanceOf(ApiError);
    expect((gerr as ApiError).status).toBe(413);
    expect((gerr as ApiError).message).toContain(message);
  });
});
