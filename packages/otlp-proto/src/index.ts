export {
  type DecodedTraceRequest,
  decodeTraceRequest,
  type OtlpAttributes,
  OtlpDecodeError,
  type OtlpEvent,
  type OtlpLink,
  type OtlpSpan,
  type OtlpValue,
} from './decode-trace-request.js';
export {
  type OtlpSink,
  type OtlpSinkOptions,
  type ScriptedResponse,
  type SinkRequest,
  startOtlpSink,
} from './start-otlp-sink.js';
