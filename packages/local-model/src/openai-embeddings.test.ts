import OpenAI, { BadRequestError, InternalServerError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type LocalModelServer, startLocalModel } from './index.js';

let server: LocalModelServer;
let client: OpenAI;
const MODEL = 'text-embedding-3-small';

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

const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

function decodeBase64(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
}

describe('embeddings with the official openai client', () => {
  it('returns one normalised 8-dimension vector per input, with usage from the token counter', async () => {
    const res = await client.embeddings.create({
      model: MODEL,
      input: ['Voyager 1', 'The Moon landing.'],
      encoding_format: 'float',
    });
    expect(res.object).toBe('list');
    expect(res.model).toBe(MODEL);
    expect(res.data.map((d) => [d.object, d.index, d.embedding.length])).toEqual([
      ['embedding', 0, 8],
      ['embedding', 1, 8],
    ]);
    for (const d of res.data) expect(norm(d.embedding)).toBeCloseTo(1, 5);
    expect(res.data[0]?.embedding).not.toEqual(res.data[1]?.embedding);
    // "Voyager 1" = 2 tokens; "The Moon landing." = 4 (three words and a full stop).
    expect(res.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1/embeddings',
      protocol: 'openai-embeddings',
      model: MODEL,
      status: 200,
    });
  });

  it('is deterministic: the same input gives the same vector, alone, in a batch or base64-decoded', async () => {
    const a = await client.embeddings.create({
      model: MODEL,
      input: 'Paris',
      encoding_format: 'float',
    });
    const b = await client.embeddings.create({
      model: 'another-model',
      input: ['Rome', 'Paris'],
      encoding_format: 'float',
    });
    expect(b.data[1]?.embedding).toEqual(a.data[0]?.embedding);
    // The client's default asks for base64 on the wire and decodes it to floats.
    const byDefault = await client.embeddings.create({ model: MODEL, input: 'Paris' });
    expect(server.requests.at(-1)?.status).toBe(200);
    expect(byDefault.data[0]?.embedding).toEqual(a.data[0]?.embedding);
    const raw1 = await (
      await client.embeddings.create({ model: MODEL, input: 'x' }).asResponse()
    ).text();
    const raw2 = await (
      await client.embeddings.create({ model: MODEL, input: 'x' }).asResponse()
    ).text();
    expect(raw1).toBe(raw2);
  });

  it('returns base64 little-endian float32 when asked, equal to the float vector', async () => {
    const floats = await client.embeddings.create({
      model: MODEL,
      input: 'Voyager 1',
      encoding_format: 'float',
    });
    const b64 = await client.embeddings.create({
      model: MODEL,
      input: 'Voyager 1',
      encoding_format: 'base64',
    });
    const encoded = b64.data[0]?.embedding as unknown;
    expect(typeof encoded).toBe('string');
    expect(decodeBase64(encoded as string)).toEqual(floats.data[0]?.embedding);
    expect(b64.usage).toEqual(floats.usage);
  });

  it('honours dimensions; a shorter vector is the renormalised prefix of a longer one', async () => {
    const long = await client.embeddings.create({
      model: MODEL,
      input: 'Mars',
      dimensions: 64,
      encoding_format: 'float',
    });
    const short = await client.embeddings.create({
      model: MODEL,
      input: 'Mars',
      dimensions: 4,
      encoding_format: 'float',
    });
    const l = long.data[0]?.embedding ?? [];
    const s = short.data[0]?.embedding ?? [];
    expect(l).toHaveLength(64);
    expect(s).toHaveLength(4);
    expect(norm(l)).toBeCloseTo(1, 5);
    const prefix = l.slice(0, 4);
    const scaled = prefix.map((x) => x / norm(prefix));
    s.forEach((x, i) => {
      expect(x).toBeCloseTo(scaled[i] ?? Number.NaN, 5);
    });
  });

  it('accepts token arrays (one, or a list) and counts one token per id', async () => {
    const one = await client.embeddings.create({
      model: MODEL,
      input: [1, 2, 3],
      encoding_format: 'float',
    });
    expect(one.data).toHaveLength(1);
    expect(one.usage.prompt_tokens).toBe(3);
    const many = await client.embeddings.create({
      model: MODEL,
      input: [
        [1, 2, 3],
        [4, 5],
      ],
      encoding_format: 'float',
    });
    expect(many.data.map((d) => d.index)).toEqual([0, 1]);
    expect(many.data[0]?.embedding).toEqual(one.data[0]?.embedding);
    expect(many.usage).toEqual({ prompt_tokens: 5, total_tokens: 5 });
  });

  it('honours scenarios: model suffix, header and [scenario:] marker', async () => {
    const err = await client.embeddings
      .create({ model: `${MODEL}@500`, input: 'hi' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    const limited = await client.embeddings
      .create({ model: MODEL, input: 'hi' }, { headers: { 'x-local-model-scenario': '429' } })
      .catch((e: unknown) => e);
    expect((limited as { status?: number }).status).toBe(429);
    const marked = await client.embeddings
      .create({ model: MODEL, input: ['ok', 'boom [scenario:500]'] })
      .catch((e: unknown) => e);
    expect(marked).toBeInstanceOf(InternalServerError);
    const broken = await client.embeddings
      .create({ model: `${MODEL}@broken-stream`, input: 'hi' })
      .catch((e: unknown) => e);
    expect(broken).toBeInstanceOf(Error);
    expect(server.requests.map((r) => [r.scenario, r.status])).toEqual([
      ['500', 500],
      ['429', 429],
      ['500', 500],
      ['broken-stream', 200],
    ]);
  });

  it('rejects bad input with a 400 in the OpenAI error shape', async () => {
    const bad: unknown[] = [
      { model: MODEL },
      { model: MODEL, input: '' },
      { model: MODEL, input: [] },
      { model: MODEL, input: ['ok', 3] },
      { model: MODEL, input: [[1, 2], 'mixed', { text: 'x' }] },
      { model: MODEL, input: [1.5, 2] },
      { model: MODEL, input: 'x', dimensions: 0 },
      { model: MODEL, input: 'x', encoding_format: 'int8' },
      { input: 'x' },
    ];
    const params: (string | null)[] = [];
    for (const body of bad) {
      const err = await client.embeddings.create(body as never).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(BadRequestError);
      const e = err as BadRequestError;
      expect(e.status).toBe(400);
      expect(e.type).toBe('invalid_request_error');
      params.push(e.param ?? null);
    }
    expect(params).toEqual([
      'input',
      'input',
      'input',
      'input',
      'input',
      'input',
      'dimensions',
      'encoding_format',
      'model',
    ]);
    const res = await fetch(`${server.url}/v1/embeddings`, { method: 'POST', body: '{nope' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    });
  });
});
