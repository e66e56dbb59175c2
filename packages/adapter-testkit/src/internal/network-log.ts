import { subscribe, unsubscribe } from 'node:diagnostics_channel';

/** Records the host of every outgoing HTTP request (fetch/undici and node:http). */
export class NetworkLog {
  readonly urls: string[] = [];
  readonly #onUndici = (message: unknown) => {
    const request = (message as { request?: { origin?: unknown; path?: unknown } }).request;
    if (request) this.urls.push(`${String(request.origin)}${String(request.path ?? '')}`);
  };
  readonly #onHttp = (message: unknown) => {
    const request = (
      message as { request?: { host?: unknown; protocol?: unknown; path?: unknown } }
    ).request;
    if (request) {
      this.urls.push(
        `${String(request.protocol ?? 'http:')}//${String(request.host)}${String(request.path ?? '')}`,
      );
    }
  };

  start(): this {
    subscribe('undici:request:create', this.#onUndici);
    subscribe('http.client.request.start', this.#onHttp);
    return this;
  }

  stop(): void {
    unsubscribe('undici:request:create', this.#onUndici);
    unsubscribe('http.client.request.start', this.#onHttp);
  }

  /** URLs that did not go to a loopback address. */
  external(): string[] {
    return this.urls.filter((url) => {
      let host: string;
      try {
        host = new URL(url).hostname;
      } catch {
        return true;
      }
      return !(host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1');
    });
  }
}
