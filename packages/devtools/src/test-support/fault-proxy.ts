import { createHash } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * What the proxy does with one export request.
 *
 * - `pass`: forward to the receiver and relay its answer.
 * - `answer`: answer with `status` (and headers) without forwarding; the receiver never sees it.
 * - `lose`: forward, let the receiver store it, then lose the answer: reply `503` instead
 *   (`Retry-After: 0`), `reset` the client's connection, or `stall` (never answer; the client
 *   has to give up on its own).
 * - `hold`: keep the request open, unforwarded, until {@link FaultProxy.release}; then forward
 *   it and relay the answer if the client still waits.
 */
export type FaultStep =
  | { do: 'pass' }
  | { do: 'answer'; status: number; headers?: Record<string, string> }
  | { do: 'lose'; as: '503' | 'reset' | 'stall' }
  | { do: 'hold' };

/** One request the proxy saw. */
export interface ProxiedRequest {
  /** The step applied. */
  step: FaultStep;
  /** Body size in bytes. */
  bytes: number;
  /** SHA-256 of the body, hex: a retry that resends the same data has the same digest. */
  sha256: string;
  /** The receiver's status when the request was forwarded (even if the client never saw it). */
  upstreamStatus?: number | undefined;
}

/** A fault-injecting HTTP proxy in front of a receiver, for tests. */
export interface FaultProxy {
  /** The proxy's OTLP URL (same path as the target's). */
  url: string;
  /** Every request seen, in arrival order. */
  requests: ProxiedRequest[];
  /** Queues steps for the next requests, in order; once used up, `otherwise` decides. */
  script(...steps: FaultStep[]): void;
  /** The step for requests beyond the script. @defaultValue `pass` */
  otherwise(step: FaultStep): void;
  /** How many held requests wait for {@link FaultProxy.release}. */
  held(): number;
  /** Forwards every held request (and stops holding new ones unless `otherwise` says so). */
  release(): void;
  /** Resolves once `count` requests have arrived. */
  waitForRequests(count: number): Promise<void>;
  /** Ends every connection and stops listening. */
  close(): Promise<void>;
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

interface Upstream {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function forward(target: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && name !== 'host' && name !== 'connection') {
      headers[name] = value;
    }
  }
  return new Promise((resolve, reject) => {
    const out = httpRequest(
      target,
      { method: req.method, agent: false, headers: { ...headers, connection: 'close' } },
      (res) => {
        readAll(res).then((answer) => {
          const relayed: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string' && name !== 'connection' && name !== 'keep-alive') {
              relayed[name] = value;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: relayed, body: answer });
        }, reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

function reply(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Buffer | string = '',
): void {
  if (res.destroyed) return;
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts a proxy on 127.0.0.1 in front of `target` (an OTLP traces URL). */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const targetUrl = new URL(target);
  const requests: ProxiedRequest[] = [];
  const queue: FaultStep[] = [];
  let fallback: FaultStep = { do: 'pass' };
  let holding: (() => void)[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  let closed = false;

  const relay = async (record: ProxiedRequest, req: IncomingMessage, body: Buffer) => {
    const upstream = await forward(targetUrl, req, body);
    record.upstreamStatus = upstream.status;
    return upstream;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const step = queue.shift() ?? fallback;
    const body = await readAll(req);
    const record: ProxiedRequest = {
      step,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    requests.push(record);
    for (const waiter of waiters) {
      if (requests.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }

    if (step.do === 'answer') {
      reply(res, step.status, { 'content-type': 'application/json', ...step.headers }, '{}');
      return;
    }
    if (step.do === 'hold') {
      await new Promise<void>((resolve) => holding.push(resolve));
      if (closed) return;
    }
    // A held request is forwarded even when its client gave up: a stuck receiver that finally
    // gets to it stores it, and the client's retry has to be deduplicated.
    const upstream = await relay(record, req, body);
    if (step.do === 'lose') {
      if (step.as === '503') {
        reply(res, 503, { 'retry-after': '0', 'content-type': 'application/json' }, '{}');
      } else if (step.as === 'reset') {
        req.socket.resetAndDestroy();
      }
      // 'stall': leave the response open; the client times out, or close() ends it.
      return;
    }
    reply(res, upstream.status, upstream.headers, upstream.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, 502, {}, '');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${targetUrl.pathname}`,
    requests,
    script: (...steps) => {
      queue.push(...steps);
    },
    otherwise: (step) => {
      fallback = step;
    },
    held: () => holding.length,
    release: () => {
      if (fallback.do === 'hold') fallback = { do: 'pass' };
      const released = holding;
      holding = [];
      for (const wake of released) wake();
    },
    waitForRequests: (count) =>
      requests.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => waiters.add({ count, resolve })),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        const released = holding;
        holding = [];
        for (const wake of released) wake();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
