import { asScalarText, asString, GenAiAttributes, isRecord } from '@galileo-otel/core/adapter';
import type { Attributes } from '@opentelemetry/api';

const MAX_TARGET = 128;
// C0/C1 controls, and the bidi and zero-width marks that can disguise text in a viewer.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSHOWABLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g;

/** A value from the wire, made safe and short enough to show in a span name. */
function shown(value: unknown): string | undefined {
  const text = asString(value)?.replace(UNSHOWABLE, '');
  if (!text) return undefined;
  return text.length > MAX_TARGET ? `${text.slice(0, MAX_TARGET)}…` : text;
}

/** What a request's span is called and carries: `{mcp.method.name} {target}` and MCP attributes. */
export function requestSpan(request: {
  method: string;
  id: unknown;
  params: unknown;
  sessionId: unknown;
  networkTransport: string | undefined;
}): { name: string; attributes: Attributes } {
  const method = shown(request.method) ?? 'unknown';
  const params = isRecord(request.params) ? request.params : {};
  const attributes: Attributes = { 'mcp.method.name': method };
  let target: string | undefined;
  if (method === 'tools/call') {
    target = shown(params.name);
    if (target) attributes[GenAiAttributes.TOOL_NAME] = target;
  } else if (method === 'prompts/get') {
    target = shown(params.name);
    if (target) attributes['gen_ai.prompt.name'] = target;
  } else if (method === 'resources/read') {
    const uri = shown(params.uri);
    if (uri) attributes['mcp.resource.uri'] = uri;
  }
  const id = shown(asScalarText(request.id));
  if (id) attributes['jsonrpc.request.id'] = id;
  const session = shown(request.sessionId);
  if (session) attributes['mcp.session.id'] = session;
  if (request.networkTransport) attributes['network.transport'] = request.networkTransport;
  return { name: target ? `${method} ${target}` : method, attributes };
}

/** `pipe` for stdio transports, `tcp` for HTTP, SSE and WebSocket ones, by class name. */
export function guessNetworkTransport(transport: object): string | undefined {
  const name = (transport as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof name !== 'string') return undefined;
  if (/stdio/i.test(name)) return 'pipe';
  if (/http|sse|websocket/i.test(name)) return 'tcp';
  return undefined;
}
