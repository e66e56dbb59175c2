// A tiny agent "framework" with its own event model, for testing the kit only: it runs a real
// tool loop against the local model's Chat Completions API and reports what it does as events.
// Its messages are its own (camelCase, like most frameworks'), not the OpenAI wire shape, so an
// adapter has to translate them; the scaffold's generated adapter reads the same events.
import { randomUUID } from 'node:crypto';

export interface FakeTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  execute(args: Record<string, unknown>): Promise<unknown>;
}

/** A tool call as the framework reports it; `arguments` is JSON text. */
export interface FrameworkToolCall {
  id: string;
  name: string;
  arguments: string;
}

/** A message as the framework reports it. */
export interface FrameworkMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  text: string;
  toolCalls?: FrameworkToolCall[];
  toolCallId?: string;
}

export interface FrameworkUsage {
  inputTokens: number;
  outputTokens: number;
}

export type FrameworkEvent =
  | { type: 'agent_start'; runId: string; agent: string; input: string }
  | { type: 'agent_end'; runId: string; output?: string; error?: unknown }
  | {
      type: 'llm_start';
      runId: string;
      callId: string;
      model: string;
      provider: string;
      messages: FrameworkMessage[];
    }
  | {
      type: 'llm_end';
      runId: string;
      callId: string;
      message?: FrameworkMessage;
      usage?: FrameworkUsage;
      error?: unknown;
    }
  | { type: 'tool_start'; runId: string; callId: string; name: string; args: string }
  | { type: 'tool_end'; runId: string; callId: string; result?: string; error?: unknown };

// The OpenAI Chat Completions wire shape the framework speaks to the model.
interface WireMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

const toWire = (m: FrameworkMessage): WireMessage => ({
  role: m.role,
  content: m.text,
  ...(m.toolCalls
    ? {
        tool_calls: m.toolCalls.map((c) => ({
          id: c.id,
          type: 'function' as const,
          function: { name: c.name, arguments: c.arguments },
        })),
      }
    : {}),
  ...(m.toolCallId ? { tool_call_id: m.toolCallId } : {}),
});

const fromWire = (m: WireMessage): FrameworkMessage => ({
  role: 'assistant',
  text: m.content ?? '',
  ...(m.tool_calls?.length
    ? {
        toolCalls: m.tool_calls.map((c) => ({
          id: c.id,
          name: c.function.name,
          arguments: c.function.arguments,
        })),
      }
    : {}),
});

const usageOf = (u: WireUsage | null | undefined): FrameworkUsage | undefined =>
  u ? { inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens } : undefined;

export class FakeAgentFramework {
  readonly #listeners: ((event: FrameworkEvent) => void)[] = [];
  readonly #modelUrl: string;

  constructor(modelUrl: string) {
    this.#modelUrl = modelUrl;
  }

  get modelUrl(): string {
    return this.#modelUrl;
  }

  /** Adds a listener for every event; returns the function that removes it. */
  on(listener: (event: FrameworkEvent) => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  #emit(event: FrameworkEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  async run(options: {
    agent: string;
    input: string;
    tools: FakeTool[];
    stream?: boolean;
  }): Promise<string | undefined> {
    const runId = randomUUID();
    this.#emit({ type: 'agent_start', runId, agent: options.agent, input: options.input });
    const messages: FrameworkMessage[] = [{ role: 'user', text: options.input }];
    try {
      for (let turn = 0; turn < 4; turn++) {
        const callId = randomUUID();
        const model = 'gpt-4.1-mini';
        this.#emit({
          type: 'llm_start',
          runId,
          callId,
          model,
          provider: 'openai',
          messages: [...messages],
        });
        let answer: { message: FrameworkMessage; usage: FrameworkUsage | undefined };
        try {
          answer = await this.#chat(model, messages, options.tools, options.stream);
        } catch (error) {
          this.#emit({ type: 'llm_end', runId, callId, error });
          throw error;
        }
        const { message, usage } = answer;
        this.#emit({ type: 'llm_end', runId, callId, message, usage });
        messages.push(message);
        if (!message.toolCalls?.length) {
          this.#emit({ type: 'agent_end', runId, output: message.text });
          return message.text;
        }
        for (const call of message.toolCalls) {
          const tool = options.tools.find((t) => t.name === call.name);
          this.#emit({
            type: 'tool_start',
            runId,
            callId: call.id,
            name: call.name,
            args: call.arguments,
          });
          let text: string;
          try {
            if (!tool) throw new Error(`unknown tool ${call.name}`);
            const result = await tool.execute(JSON.parse(call.arguments || '{}'));
            text = typeof result === 'string' ? result : JSON.stringify(result);
            this.#emit({ type: 'tool_end', runId, callId: call.id, result: text });
          } catch (error) {
            text = `error: ${error instanceof Error ? error.message : String(error)}`;
            this.#emit({ type: 'tool_end', runId, callId: call.id, error });
          }
          messages.push({ role: 'tool', toolCallId: call.id, text });
        }
      }
      this.#emit({ type: 'agent_end', runId });
      return undefined;
    } catch (error) {
      this.#emit({ type: 'agent_end', runId, error });
      throw error;
    }
  }

  async #chat(
    model: string,
    messages: FrameworkMessage[],
    tools: FakeTool[],
    stream = false,
  ): Promise<{ message: FrameworkMessage; usage: FrameworkUsage | undefined }> {
    const response = await fetch(`${this.#modelUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-local' },
      body: JSON.stringify({
        model,
        messages: messages.map(toWire),
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
        tools: tools.map((t) => ({
          type: 'function',
          function: { name: t.name, description: t.description, parameters: t.parameters },
        })),
      }),
    });
    if (!response.ok) throw new Error(`model answered ${response.status}`);
    if (!stream) {
      const body = (await response.json()) as {
        choices: { message: WireMessage }[];
        usage?: WireUsage;
      };
      const message = body.choices[0]?.message ?? { role: 'assistant', content: '' };
      return { message: fromWire(message), usage: usageOf(body.usage) };
    }
    const text = await response.text();
    let content = '';
    let usage: WireUsage | undefined;
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    for (const line of text.split('\n')) {
      if (!line.startsWith('data: ') || line === 'data: [DONE]') continue;
      const chunk = JSON.parse(line.slice(6)) as {
        choices?: {
          delta?: {
            content?: string | null;
            tool_calls?: {
              index: number;
              id?: string;
              function?: { name?: string; arguments?: string };
            }[];
          };
        }[];
        usage?: WireUsage | null;
      };
      if (chunk.usage) usage = chunk.usage;
      const delta = chunk.choices?.[0]?.delta;
      if (delta?.content) content += delta.content;
      for (const call of delta?.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { id: '', name: '', arguments: '' };
        if (call.id) entry.id = call.id;
        if (call.function?.name) entry.name += call.function.name;
        if (call.function?.arguments) entry.arguments += call.function.arguments;
        calls.set(call.index, entry);
      }
    }
    const message: FrameworkMessage = { role: 'assistant', text: content };
    if (calls.size > 0) message.toolCalls = [...calls.values()];
    return { message, usage: usageOf(usage) };
  }
}
