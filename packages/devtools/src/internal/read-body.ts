import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

/** Why a request body could not be read. */
export class BodyError extends Error {
  override name = 'BodyError';
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads a request body of at most `limit` bytes on the wire and, when gzip-encoded, at most
 * `limit` bytes after decompression (so a gzip bomb is refused, not inflated).
 *
 * @throws {BodyError} 413 over the limit, 415 for an unsupported encoding, 400 for bad gzip.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    throw new BodyError(
      415,
      `Unsupported Content-Encoding ${JSON.stringify(encoding)}; send gzip or no encoding.`,
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new BodyError(413, `Request body of ${declared} bytes exceeds the ${limit} byte limit.`);
  }
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        // Stop buffering but keep draining, so the 413 reaches a client still sending.
        req.off('data', onData);
        req.resume();
        reject(new BodyError(413, `Request body exceeds the ${limit} byte limit.`));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks, size)));
    req.once('error', reject);
  });
  if (encoding !== 'gzip') return raw;
  return new Promise((resolve, reject) => {
    gunzip(raw, { maxOutputLength: limit }, (error, result) => {
      if (!error) {
        resolve(result);
      } else if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        reject(new BodyError(413, `Decompressed request body exceeds the ${limit} byte limit.`));
      } else {
        reject(new BodyError(400, `Request body is not valid gzip: ${error.message}`));
      }
    });
  });
}
