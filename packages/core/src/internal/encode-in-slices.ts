import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { nextTurn } from './next-turn.js';

const ENCODE_SLICE = 64;

/**
 * One OTLP request body for `spans`, encoded ENCODE_SLICE spans per turn of the event loop: an
 * app that exports rarely never gets the encoder hot, and 256 spans through cold code held the
 * loop for 20 ms and more. Serialized ExportTraceServiceRequest messages concatenate into one
 * whose `resource_spans` are all of theirs (protobuf appends repeated fields), so the receiver
 * decodes the same spans from the joined bytes.
 */
export async function encodeInSlices(spans: ReadableSpan[]): Promise<Uint8Array | undefined> {
  if (spans.length <= ENCODE_SLICE) return ProtobufTraceSerializer.serializeRequest(spans);
  const parts: Uint8Array[] = [];
  let length = 0;
  for (let start = 0; start < spans.length; start += ENCODE_SLICE) {
    if (start > 0) await nextTurn();
    const part = ProtobufTraceSerializer.serializeRequest(spans.slice(start, start + ENCODE_SLICE));
    if (!part) return undefined;
    parts.push(part);
    length += part.byteLength;
  }
  const joined = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.byteLength;
  }
  return joined;
}
