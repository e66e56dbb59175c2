import type { OtlpSpan } from '@galileo-otel/otlp-proto';
import { expect } from 'vitest';

const MESSAGE_KEYS = new Set(['role', 'content', 'tool_calls', 'tool_call_id']);

/** The messages of a span attribute (`gen_ai.input.messages` / `gen_ai.output.messages`). */
export function messagesOf(
  span: OtlpSpan,
  key: 'input' | 'output',
): Array<Record<string, unknown>> {
  const value = span.attributes[`gen_ai.${key}.messages`];
  expect(typeof value, `${span.name} has gen_ai.${key}.messages`).toBe('string');
  return JSON.parse(String(value)) as Array<Record<string, unknown>>;
}

/**
 * Every message on every span is the one wire shape: `{role, content}` with content text, plus
 * `tool_calls` (`{id, type: 'function', function: {name, arguments}}`, arguments JSON text) and
 * `tool_call_id`, and no other key. Returns how many messages were checked.
 */
export function expectCanonicalMessages(spans: readonly OtlpSpan[]): number {
  let checked = 0;
  for (const span of spans) {
    for (const key of ['input', 'output'] as const) {
      if (span.attributes[`gen_ai.${key}.messages`] === undefined) continue;
      const messages = messagesOf(span, key);
      expect(Array.isArray(messages), `${span.name} ${key}`).toBe(true);
      for (const message of messages) {
        const where = `${span.name} ${key}: ${JSON.stringify(message)}`;
        expect(
          Object.keys(message).filter((k) => !MESSAGE_KEYS.has(k)),
          where,
        ).toEqual([]);
        expect(typeof message.role, where).toBe('string');
        expect(typeof message.content, where).toBe('string');
        if (message.tool_calls !== undefined) {
          expect(message.role, where).toBe('assistant');
          for (const call of message.tool_calls as Array<Record<string, unknown>>) {
            expect(Object.keys(call).sort(), where).toEqual(['function', 'id', 'type']);
            expect(call.type, where).toBe('function');
            expect(String(call.id), where).not.toBe('');
            const fn = call.function as Record<string, unknown>;
            expect(Object.keys(fn).sort(), where).toEqual(['arguments', 'name']);
            expect(typeof fn.name, where).toBe('string');
            expect(() => JSON.parse(String(fn.arguments)), where).not.toThrow();
          }
        }
        if (message.tool_call_id !== undefined) {
          expect(message.role, where).toBe('tool');
          expect(String(message.tool_call_id), where).not.toBe('');
        }
        checked++;
      }
    }
  }
  return checked;
}

/**
 * A failed span in the one error shape: status ERROR, `error.type`, and an `exception` event
 * with `exception.type` and `exception.message`.
 */
export function expectErrorShape(span: OtlpSpan, type: string, message: string | RegExp): void {
  expect(span.status.code, span.name).toBe(2);
  expect(span.attributes['error.type'], span.name).toBe(type);
  const exception = span.events.find((event) => event.name === 'exception');
  expect(exception, `${span.name} has an exception event`).toBeDefined();
  expect(exception?.attributes['exception.type'], span.name).toBe(type);
  expect(String(exception?.attributes['exception.message']), span.name).toMatch(message);
}

/**
 * A `fetch` for the OpenAI provider that passes the local model's streamed answer through and
 * adds, before `[DONE]`, the `error` event OpenAI sends when a stream fails part-way. The AI SDK
 * turns it into an error part and finishes the model call with reason `error`: no exception is
 * thrown, so only the finish reason says the call failed.
 */
export const midStreamErrorFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  const body = response.body;
  if (!body || !response.headers.get('content-type')?.includes('text/event-stream')) {
    return response;
  }
  const errorEvent = `data: ${JSON.stringify({
    error: { message: 'The server is overloaded.', type: 'server_error', code: null, param: null },
  })}\n\n`;
  const text = await new Response(body).text();
  const done = text.lastIndexOf('data: [DONE]');
  const patched =
    done < 0 ? text + errorEvent : text.slice(0, done) + errorEvent + text.slice(done);
  return new Response(patched, { status: response.status, headers: response.headers });
};
