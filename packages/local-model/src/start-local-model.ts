import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropic } from './internal/anthropic.js';
import { gemini } from './internal/gemini.js';
import { openaiChat } from './internal/openai-chat.js';
import {
  type EmbeddingsRequest,
  inputText,
  parseEmbeddings,
  renderEmbeddings,
} from './internal/openai-embeddings.js';
import { openaiResponses } from './internal/openai-responses.js';
import { decide, inputTokensOf, usageOf } from './internal/policy.js';
import {
  BadRequestError,
  type ErrorKind,
  errorStatus,
  isRecord,
  type ParsedRequest,
  type Protocol,
  type Rendered,
} from './internal/protocol.js';
import { hashOf, stripMarkers } from './internal/text.js';
import { type LocalModelScenario, parseScenario, ScenarioParseError } from './scenario.js';
import { loadScenarioRules, type ScenarioRules, validateScenarioRules } from './scenario-rules.js';

/** Options for {@link startLocalModel}. */
export interface LocalModelOptions {
  /** Port to listen on; `0` (the default) picks a free one. */
  port?: number;
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** Scenario rules by model name or user-text substring. */
  scenarios?: ScenarioRules;
  /** Path of a JSON file with {@link ScenarioRules}; merged after `scenarios`. */
  scenarioFile?: string;
}

/** One request the server received, as kept in {@link LocalModelServer.requests}. */
export interface LocalModelRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Which protocol handled it, when the route matched one. */
  protocol:
    | 'openai-chat'
    | 'openai-responses'
    | 'openai-embeddings'
    | 'gemini'
    | 'anthropic'
    | undefined;
  /** Model name as requested (with any `@scenario` suffix), when parsed. */
  model: string | undefined;
  /** Whether a streamed answer was asked for. */
  stream: boolean;
  /** The scenario string that applied (e.g. `429`, `tool:search`), if any. */
  scenario: string | undefined;
  /** HTTP status sent. */
  status: number;
}

/** A running local model server. */
export interface LocalModelServer {
  /** Base URL, e.g. `http://127.0.0.1:43123` (no trailing slash). */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** Every request received so far, in arrival order. */
  readonly requests: LocalModelRequest[];
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Header that chooses a scenario for one request. */
export const SCENARIO_HEADER = 'x-local-model-scenario';

const MAX_BODY = 20 * 1024 * 1024;

interface Route {
  protocol: Protocol;
  name: NonNullable<LocalModelRequest['protocol']>;
  model?: string;
  stream?: boolean;
  countTokens?: boolean;
}

const GEMINI_METHODS = new Set(['generateContent', 'streamGenerateContent']);
const GEMINI_PATH_RE = /^\/(?:v1beta|v1)\/models\/([^/]+)$/;

/** Paths answered in the Gemini error shape when no route matches. */
function isGeminiPath(path: string): boolean {
  return path.startsWith('/v1beta') || (GEMINI_PATH_RE.test(path) && path.includes(':'));
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/**
 * The error shape for a path no route serves: Gemini's under its prefixes, Anthropic's when the
 * client sent `anthropic-version` or asked for `/v1/messages…`, else OpenAI's.
 */
function unknownRouteProtocol(path: string, headers: IncomingHttpHeaders): Protocol {
  if (isGeminiPath(path)) return gemini;
  if (headers['anthropic-version'] !== undefined || path.startsWith('/v1/messages')) {
    return anthropic;
  }
  return openaiChat;
}

function matchRoute(method: string, path: string): Route | 'health' | 'embeddings' | undefined {
  // The Claude Code CLI probes `/api/hello` on its base URL.
  if ((path === '/health' || path === '/api/hello') && (method === 'GET' || method === 'HEAD')) {
    return 'health';
  }
  if (method !== 'POST') return undefined;
  if (path === '/v1/messages') return { protocol: anthropic, name: 'anthropic' };
  if (path === '/v1/messages/count_tokens') {
    return { protocol: anthropic, name: 'anthropic', countTokens: true };
  }
  if (path === '/v1/chat/completions') return { protocol: openaiChat, name: 'openai-chat' };
  if (path === '/v1/responses') return { protocol: openaiResponses, name: 'openai-responses' };
  if (path === '/v1/embeddings') return 'embeddings';
  // `/v1beta/models/{model}:{method}`, or `/v1/...` as `@google/genai` sends with
  // `apiVersion: 'v1'`. The model may itself hold colons (a scenario suffix such as
  // `gemini-2.5-flash@tool:transfer_to_agent`), so the method is the last `:` part.
  const m = GEMINI_PATH_RE.exec(path);
  const target = m?.[1] === undefined ? undefined : decodeSegment(m[1]);
  const colon = target?.lastIndexOf(':') ?? -1;
  if (target !== undefined && colon > 0) {
    const verb = target.slice(colon + 1);
    if (GEMINI_METHODS.has(verb)) {
      return {
        protocol: gemini,
        name: 'gemini',
        model: target.slice(0, colon),
        stream: verb === 'streamGenerateContent',
      };
    }
  }
  return undefined;
}

/** What {@link readBody} resolves with when the body is over {@link MAX_BODY}. */
const TOO_LARGE = Symbol('too large');
/** How long the rest of a refused body may take to arrive before the connection is dropped. */
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * Reads the body as text, or resolves {@link TOO_LARGE} as soon as it is known to be over the
 * limit (from `Content-Length`, or while reading). The rest is then read and thrown away rather
 * than the connection reset, so the client, still sending, gets to read the 413.
 */
function readBody(req: IncomingMessage): Promise<string | typeof TOO_LARGE> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const refuse = () => {
      over = true;
      chunks.length = 0;
      const timer = setTimeout(() => req.socket.destroy(), DRAIN_TIMEOUT_MS);
      timer.unref();
      req.once('end', () => clearTimeout(timer));
      resolve(TOO_LARGE);
    };
    if (Number(req.headers['content-length']) > MAX_BODY) refuse();
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > MAX_BODY) refuse();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function sseText(sep: string, rendered: Extract<Rendered, { kind: 'sse' }>): string[] {
  return rendered.events.map(
    (e) => `${e.event === undefined ? '' : `event: ${e.event}\n`}data: ${e.data}${sep}`,
  );
}

/** The model name without its `@scenario` suffix, as echoed back in responses. */
function baseModel(model: string): string {
  const at = model.indexOf('@');
  return at === -1 ? model : model.slice(0, at);
}

function scenarioFor(
  req: IncomingMessage,
  requested: string,
  texts: string[],
  rules: ScenarioRules[],
): string | undefined {
  const header = req.headers[SCENARIO_HEADER];
  const fromHeader = Array.isArray(header) ? header.join(',') : header;
  if (fromHeader?.trim()) return fromHeader.trim();
  const at = requested.indexOf('@');
  if (at !== -1) return requested.slice(at + 1);
  for (let i = texts.length - 1; i >= 0; i--) {
    const m = /\[scenario:([^\]]*)\]/i.exec(texts[i] ?? '');
    if (m?.[1] !== undefined) return m[1].trim();
  }
  const model = requested;
  const joined = texts.map(stripMarkers).join('\n').toLowerCase();
  for (const r of rules) {
    if (r.byModel && Object.hasOwn(r.byModel, model)) return r.byModel[model];
  }
  for (const r of rules) {
    for (const [needle, scenario] of Object.entries(r.byText ?? {})) {
      if (needle !== '' && joined.includes(needle.toLowerCase())) return scenario;
    }
  }
  return undefined;
}

type FailureKind = Extract<LocalModelScenario, { times: number | undefined }>['kind'];
interface Failure {
  message: string;
  headers?: Record<string, string>;
}

/** What each failure scenario answers (in the provider's error shape). */
const FAILURES: Record<FailureKind, Failure> = {
  'rate-limit': {
    message: 'Rate limit reached (local-model scenario 429).',
    headers: { 'retry-after': '1' },
  },
  'server-error': { message: 'The server had an error (local-model scenario 500).' },
  unauthenticated: { message: 'Invalid API key (local-model scenario 401).' },
  overloaded: { message: 'The model is overloaded (local-model scenario overloaded).' },
};

function requestIdOf(method: string, path: string, raw: string | typeof TOO_LARGE): string {
  return `req_01${hashOf(method, path, raw === TOO_LARGE ? '' : raw).slice(0, 22)}`;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Starts the deterministic offline model server. It speaks OpenAI Chat Completions, Responses
 * and Embeddings and Anthropic Messages under `<url>/v1`, and Gemini under `<url>/v1beta` (and
 * `<url>/v1`); see the package README.
 */
export async function startLocalModel(options: LocalModelOptions = {}): Promise<LocalModelServer> {
  const rules: ScenarioRules[] = [];
  if (options.scenarios) rules.push(validateScenarioRules(options.scenarios));
  if (options.scenarioFile) rules.push(await loadScenarioRules(options.scenarioFile));
  const requests: LocalModelRequest[] = [];
  const failures = new Map<string, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    const entry: LocalModelRequest = {
      method,
      path,
      protocol: undefined,
      model: undefined,
      stream: false,
      scenario: undefined,
      status: 0,
    };
    requests.push(entry);
    const route = matchRoute(method, path);
    // Derived from the request, like every id here, so the same request gets the same answer.
    let requestId = '';
    const idHeader = (protocol: Protocol): Record<string, string> =>
      protocol.requestIdHeader ? { [protocol.requestIdHeader]: requestId } : {};
    const fail = (
      protocol: Protocol,
      kind: ErrorKind,
      msg: string,
      param?: string | null,
      headers = {},
    ) => {
      const status = errorStatus(protocol, kind);
      entry.status = status;
      sendJson(res, status, protocol.error(kind, msg, param ?? null, requestId), {
        ...idHeader(protocol),
        ...headers,
      });
    };
    if (route === 'health') {
      entry.status = 200;
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (route === undefined) {
      const protocol = unknownRouteProtocol(path, req.headers);
      const raw = await readBody(req).catch(() => '');
      requestId = requestIdOf(method, path, raw);
      fail(protocol, 'not-found', `Unknown route: ${method} ${path}`);
      return;
    }
    const embeddingsRoute = route === 'embeddings';
    // Embeddings answer errors in the OpenAI shape, like the chat routes.
    const protocol = embeddingsRoute ? openaiChat : route.protocol;
    entry.protocol = embeddingsRoute ? 'openai-embeddings' : route.name;
    const raw = await readBody(req);
    requestId = requestIdOf(method, path, raw);
    if (raw === TOO_LARGE) {
      fail(protocol, 'too-large', `Request payload size exceeds the limit: ${MAX_BODY} bytes.`);
      return;
    }
    const refused = protocol.checkHeaders?.(req.headers);
    if (refused) {
      fail(protocol, refused.kind, refused.message);
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      fail(protocol, 'bad-request', 'We could not parse the JSON body of your request.');
      return;
    }
    if (!isRecord(body)) {
      fail(protocol, 'bad-request', 'The request body must be a JSON object.');
      return;
    }
    let parsed: ParsedRequest | undefined;
    let embeddings: EmbeddingsRequest | undefined;
    let scenarios: LocalModelScenario[];
    try {
      let model: string;
      let texts: string[];
      if (embeddingsRoute) {
        embeddings = parseEmbeddings(body);
        model = embeddings.model;
        texts = embeddings.inputs.map(inputText);
      } else {
        parsed = protocol.parse(body, {
          model: route.model,
          stream: route.stream,
          countTokens: route.countTokens,
          headers: req.headers,
        });
        model = parsed.model;
        texts = parsed.conversation.userTexts;
        entry.stream = parsed.stream;
      }
      entry.model = model;
      entry.scenario = scenarioFor(req, model, texts, rules);
      scenarios = parseScenario(entry.scenario ?? '');
    } catch (err) {
      if (err instanceof BadRequestError || err instanceof ScenarioParseError) {
        fail(
          protocol,
          'bad-request',
          err.message,
          err instanceof BadRequestError ? err.param : null,
        );
        return;
      }
      throw err;
    }
    const hash = hashOf(path, raw);
    const find = <K extends LocalModelScenario['kind']>(kind: K) =>
      scenarios.find((s): s is Extract<LocalModelScenario, { kind: K }> => s.kind === kind);
    const latency = find('latency');
    if (latency) await sleep(latency.ms);
    for (const [kind, failure] of Object.entries(FAILURES) as [FailureKind, Failure][]) {
      const s = find(kind);
      if (!s) continue;
      const key = `${kind}:${hash}`;
      const seen = failures.get(key) ?? 0;
      if (s.times !== undefined && seen >= s.times) continue;
      failures.set(key, seen + 1);
      fail(protocol, kind, failure.message, null, failure.headers);
      return;
    }
    let rendered: Rendered;
    if (embeddings) {
      rendered = { kind: 'json', body: renderEmbeddings(embeddings, baseModel(embeddings.model)) };
    } else if (parsed && !embeddingsRoute && route.countTokens) {
      rendered = { kind: 'json', body: { input_tokens: inputTokensOf(parsed.conversation) } };
    } else if (parsed) {
      const decision = decide(parsed.conversation, {
        forcedTool: find('tool')?.name,
        refusal: find('refusal') !== undefined,
      });
      rendered = protocol.render(parsed, decision, {
        hash,
        model: baseModel(parsed.model),
        usage: usageOf(parsed.conversation, decision),
      });
    } else {
      throw new Error('unreachable: neither a model nor an embeddings request');
    }
    const broken = find('broken-stream') !== undefined;
    entry.status = 200;
    if (rendered.kind === 'json') {
      if (!broken) {
        sendJson(res, 200, rendered.body, idHeader(protocol));
        return;
      }
      const text = JSON.stringify(rendered.body);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        ...idHeader(protocol),
      });
      res.write(text.slice(0, Math.floor(text.length / 2)), () => res.destroy());
      return;
    }
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      ...idHeader(protocol),
    });
    const chunks = sseText(protocol.sseSeparator ?? '\n\n', rendered);
    if (broken) {
      const keep = Math.min(chunks.length - 1, Math.max(1, Math.ceil(chunks.length / 2)));
      res.write(chunks.slice(0, keep).join(''), () => res.destroy());
      return;
    }
    res.end(chunks.join(''));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        sendJson(
          res,
          500,
          openaiChat.error('server-error', `local-model internal error: ${String(err)}`),
        );
      } else {
        res.destroy();
      }
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
