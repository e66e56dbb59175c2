import {
  GenAiAttributes as A,
  asString,
  isRecord,
  recordSpanError,
  workflowAttributes,
} from '@galileo-otel/core/adapter';
import type { Attributes, Span } from '@opentelemetry/api';

/** Attribute keys of A2A spans that no OTel convention names. */
export const A2AAttributes: {
  readonly TASK_ID: 'a2a.task.id';
  readonly TASK_STATE: 'a2a.task.state';
} = {
  TASK_ID: 'a2a.task.id',
  TASK_STATE: 'a2a.task.state',
};

// `TaskState` of A2A v1.0 (lf.a2a.v1), by number: the SDK's enum, without importing it at run time.
const STATE_NAMES = [
  'TASK_STATE_UNSPECIFIED',
  'TASK_STATE_SUBMITTED',
  'TASK_STATE_WORKING',
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_CANCELED',
  'TASK_STATE_INPUT_REQUIRED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_AUTH_REQUIRED',
];
const FAILED = 4;
const REJECTED = 7;
// Where an A2A stream may end: a terminal state (completed, failed, canceled, rejected) or an
// interrupted one (input or auth required).
const FINAL_STATES = new Set([3, 4, 5, 6, 7, 8]);
// A long stream's text is kept up to this many characters (the exporter caps attributes too).
const MAX_TEXT = 65_536;

/** The text parts of an A2A message or artifact, joined. */
function textOf(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts) {
    const content = isRecord(part) ? part.content : undefined;
    if (isRecord(content) && content.$case === 'text' && typeof content.value === 'string') {
      text += content.value;
    }
  }
  return text;
}

/**
 * What one A2A call carried, gathered from its request and its result or stream events: the
 * task and context ids, the last task state, and the text in and out. Written on the span at the
 * end; a failed or rejected task marks it as an error.
 */
export class CallRecord {
  private taskId: string | undefined;
  private contextId: string | undefined;
  private state: number | undefined;
  private statusText = '';
  private input = '';
  private output = '';
  private answered = false;
  private cutShort = false;

  /** Reads the request (`SendMessageRequest`, `GetTaskRequest`, ...). */
  request(params: unknown): void {
    if (!isRecord(params)) return;
    const message = params.message;
    if (isRecord(message)) {
      this.ids(message.taskId, message.contextId);
      this.input = textOf(message.parts);
    } else {
      this.ids(params.id ?? params.taskId, undefined);
    }
  }

  /** Reads a result: a `Message`, a `Task`, or one `StreamResponse` event of a stream. */
  observe(value: unknown): void {
    if (!isRecord(value)) return;
    const payload = value.payload;
    if (isRecord(payload) && typeof payload.$case === 'string') {
      this.event(payload.$case, payload.value);
      return;
    }
    if (typeof value.messageId === 'string') this.event('message', value);
    else if (typeof value.id === 'string' && 'status' in value) this.event('task', value);
  }

  /**
   * Notes that a stream ended by itself. A2A streams end after a message or a final task state;
   * one the server closes before either was cut short (an executor that returned early), which
   * the SDK's client reports as a normal end.
   */
  streamEnded(): void {
    this.cutShort = !this.answered && !(this.state !== undefined && FINAL_STATES.has(this.state));
  }

  /** The attributes known when the call starts. */
  startAttributes(method: string): Attributes {
    const out: Attributes = { 'rpc.method': method };
    if (this.taskId) out[A2AAttributes.TASK_ID] = this.taskId;
    if (this.contextId) out[A.CONVERSATION_ID] = this.contextId;
    return out;
  }

  /** Writes what the call carried on its span, and an error when the task failed. */
  finish(span: Span): void {
    const out: Attributes = {};
    if (this.taskId) out[A2AAttributes.TASK_ID] = this.taskId;
    if (this.contextId) out[A.CONVERSATION_ID] = this.contextId;
    if (this.state !== undefined) {
      out[A2AAttributes.TASK_STATE] = STATE_NAMES[this.state] ?? String(this.state);
    }
    const failed = this.state === FAILED;
    const rejected = this.state === REJECTED;
    // A task that answers in its status message has no artifact; a failed one's status message is
    // its error, shown as such below.
    const output = this.output || (failed || rejected ? '' : this.statusText);
    Object.assign(
      out,
      workflowAttributes({ input: this.input || undefined, output: output || undefined }),
    );
    span.setAttributes(out);
    if (this.cutShort) {
      const last = this.state === undefined ? 'none' : (STATE_NAMES[this.state] ?? this.state);
      recordSpanError(
        span,
        `the stream ended before a message or a final task state (last state: ${last})`,
        'StreamEndedEarly',
      );
    } else if (failed || rejected) {
      recordSpanError(
        span,
        this.statusText || (failed ? 'the task failed' : 'the agent rejected the task'),
        failed ? 'TaskFailed' : 'TaskRejected',
      );
    }
  }

  private ids(taskId: unknown, contextId: unknown): void {
    const task = asString(taskId);
    const ctx = asString(contextId);
    if (task) this.taskId = task;
    if (ctx) this.contextId = ctx;
  }

  private status(status: unknown): void {
    if (!isRecord(status)) return;
    if (typeof status.state === 'number') this.state = status.state;
    const text = isRecord(status.message) ? textOf(status.message.parts) : '';
    if (text) this.statusText = text;
  }

  private append(text: string): void {
    if (text && this.output.length < MAX_TEXT)
      this.output += text.slice(0, MAX_TEXT - this.output.length);
  }

  private event(kind: string, value: unknown): void {
    if (!isRecord(value)) return;
    switch (kind) {
      case 'message':
        this.answered = true;
        this.ids(value.taskId, value.contextId);
        this.append(textOf(value.parts));
        break;
      case 'task':
        this.ids(value.id, value.contextId);
        this.status(value.status);
        if (Array.isArray(value.artifacts)) {
          for (const artifact of value.artifacts) {
            if (isRecord(artifact)) this.append(textOf(artifact.parts));
          }
        }
        break;
      case 'statusUpdate':
        this.ids(value.taskId, value.contextId);
        this.status(value.status);
        break;
      case 'artifactUpdate':
        this.ids(value.taskId, value.contextId);
        if (isRecord(value.artifact)) this.append(textOf(value.artifact.parts));
        break;
    }
  }
}
