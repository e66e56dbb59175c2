import { BadRequestError } from './protocol.js';
import { countTokens, hashOf } from './text.js';

/** Dimensions of a vector when the request does not set `dimensions`. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;
const MAX_INPUTS = 2048;

/** One input to embed: a text, or a list of token ids. */
export type EmbeddingInput = string | number[];

/** A parsed `POST /v1/embeddings` request. */
export interface EmbeddingsRequest {
  /** Model as requested, including any `@scenario` suffix. */
  model: string;
  inputs: EmbeddingInput[];
  dimensions: number;
  encoding: 'float' | 'base64';
}

function isTokenArray(value: unknown): value is number[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)
  );
}

function parseInput(input: unknown): EmbeddingInput[] {
  const invalid = () =>
    new BadRequestError(
      "'input' must be a non-empty string, an array of non-empty strings, an array of token ids, or an array of token-id arrays",
      'input',
    );
  if (typeof input === 'string') {
    if (input === '') throw invalid();
    return [input];
  }
  if (!Array.isArray(input) || input.length === 0) throw invalid();
  if (input.every((x) => typeof x === 'number')) {
    if (!isTokenArray(input)) throw invalid();
    return [input];
  }
  if (input.length > MAX_INPUTS) {
    throw new BadRequestError(`'input' must have at most ${MAX_INPUTS} items`, 'input');
  }
  return input.map((item) => {
    if (typeof item === 'string' && item !== '') return item;
    if (isTokenArray(item)) return item;
    throw invalid();
  });
}

/** Validates an OpenAI embeddings body; throws {@link BadRequestError} in OpenAI's terms. */
export function parseEmbeddings(body: Record<string, unknown>): EmbeddingsRequest {
  if (typeof body.model !== 'string' || body.model === '') {
    throw new BadRequestError('you must provide a model parameter', 'model');
  }
  if (body.input === undefined || body.input === null) {
    throw new BadRequestError("'input' is a required property", 'input');
  }
  const inputs = parseInput(body.input);
  let dimensions = DEFAULT_EMBEDDING_DIMENSIONS;
  if (body.dimensions !== undefined && body.dimensions !== null) {
    const d = body.dimensions;
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > MAX_DIMENSIONS) {
      throw new BadRequestError(
        `'dimensions' must be an integer between 1 and ${MAX_DIMENSIONS}`,
        'dimensions',
      );
    }
    dimensions = d;
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    throw new BadRequestError(
      "'encoding_format' must be one of 'float' or 'base64'",
      'encoding_format',
    );
  }
  return { model: body.model, inputs, dimensions, encoding: format };
}

/** The text form of an input, used for hashing, scenario markers and token counts. */
export function inputText(input: EmbeddingInput): string {
  return typeof input === 'string' ? input : `tokens:${input.join(',')}`;
}

/**
 * A deterministic unit vector for an input: SHA-256 blocks of the input's text, four bytes
 * per component mapped to [-1, 1], then normalised and rounded to float32. A shorter vector
 * is the renormalised prefix of a longer one, as with OpenAI's `dimensions`.
 */
export function embeddingOf(input: EmbeddingInput, dimensions: number): number[] {
  const raw: number[] = [];
  for (let block = 0; raw.length < dimensions; block++) {
    const hex = hashOf('embedding', inputText(input), String(block));
    for (let i = 0; i + 8 <= hex.length && raw.length < dimensions; i += 8) {
      raw.push((Number.parseInt(hex.slice(i, i + 8), 16) / 0xffffffff) * 2 - 1);
    }
  }
  const norm = Math.sqrt(raw.reduce((sum, x) => sum + x * x, 0)) || 1;
  return raw.map((x) => Math.fround(x / norm));
}

/** Little-endian float32 bytes, base64-encoded (what OpenAI sends for `encoding_format: base64`). */
function toBase64(vector: number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => {
    bytes.writeFloatLE(x, i * 4);
  });
  return bytes.toString('base64');
}

/** The OpenAI embeddings response body. */
export function renderEmbeddings(req: EmbeddingsRequest, model: string): unknown {
  let tokens = 0;
  const data = req.inputs.map((input, index) => {
    tokens += typeof input === 'string' ? countTokens(input) : input.length;
    const vector = embeddingOf(input, req.dimensions);
    return {
      object: 'embedding',
      index,
      embedding: req.encoding === 'base64' ? toBase64(vector) : vector,
    };
  });
  return { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
