import { asString, type GalileoMessage, isRecord, toolCall } from '@galileo-otel/core/adapter';

/**
 * What the model of one Mastra model loop (`model_generation`) has been told so far. Mastra
 * records a step's input only as a preview (`[tool: weather]`, no call ids), so the history is
 * rebuilt from the spans instead: the loop's starting messages, then for each finished step the
 * assistant turn with its tool calls, each followed by the tool messages answering them.
 */
export class Conversation {
  /** The messages the loop started from (its `model_generation` input). */
  readonly start: readonly GalileoMessage[];
  readonly #turns: GalileoMessage[] = [];
  readonly #answers = new Map<string, GalileoMessage>();

  constructor(start: readonly GalileoMessage[]) {
    this.start = start;
  }

  /** A step ended: what the model answered (`{text, toolCalls}`) joins the history. */
  addTurn(output: unknown): void {
    const turn = assistantTurn(output);
    if (turn) this.#turns.push(turn);
  }

  /** A tool call ended: `content` (its result, or its error) answers call `id`. */
  answer(id: string, content: string): void {
    this.#answers.set(id, { role: 'tool', content, tool_call_id: id });
  }

  /** The messages the next model call of the loop gets. */
  history(): GalileoMessage[] {
    return [...this.start, ...this.replies()];
  }

  /** What the loop added to its start so far: assistant turns and the tool answers. */
  replies(): GalileoMessage[] {
    return this.#turns.flatMap((turn) => [
      turn,
      ...(turn.tool_calls ?? []).flatMap((call) => this.#answers.get(call.id) ?? []),
    ]);
  }
}

/**
 * A model call's output (`{text, toolCalls: [{toolCallId, toolName, args}]}`) as one assistant
 * message with its `tool_calls`, or `undefined` when the call produced neither (it failed).
 */
export function assistantTurn(output: unknown): GalileoMessage | undefined {
  if (output === undefined || output === null) return undefined;
  if (!isRecord(output) || !('text' in output || 'toolCalls' in output)) {
    return { role: 'assistant', content: output };
  }
  const calls = (Array.isArray(output.toolCalls) ? output.toolCalls : []).filter(isRecord);
  const text = asString(output.text) ?? '';
  if (text === '' && calls.length === 0) return undefined;
  const turn: GalileoMessage = { role: 'assistant', content: text };
  if (calls.length > 0) {
    turn.tool_calls = calls.map((call) =>
      toolCall({
        id: asString(call.toolCallId),
        name: asString(call.toolName) ?? '',
        arguments: call.args ?? call.input,
      }),
    );
  }
  return turn;
}
