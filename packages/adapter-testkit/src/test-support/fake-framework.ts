// A tiny agent "framework" with its own event model, for testing the kit only: it runs a real
// tool loop against the local model's Chat Completions API and reports what it does as events.
import { randomUUID } from 'node:crypto';

export interface FakeTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  execute(args: Record<string, unknown>): Promise<unknown>;
}

export interface ChatMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type FrameworkEvent =
  | { type: 'agent_start'; runId: string; agent: string; input: string }
  | { type: 'agent_end'; runId: string; output: string | undefined; error?: unknown }
  | { type: 'llm_start'; runId: string; callId: string; model: string; messages: ChatMessage[] }
  | {
      type: 'llm_end';
      runId: string;
      callId: string;
      message: ChatMessage;
      usage: Usage | undefined;
    }
  | { type: 'tool_start'; runId: string; callId: string; name: string; args: string }
  | { type: 'tool_end'; runId: string; callId: string; result?: string; error?: unknown };

export class FakeAgentFramework {
  readonly #listeners: ((event: FrameworkEvent) => void)[] = [];
  readonly #modelUrl: string;

  constructor(modelUrl: string) {
    this.#modelUrl = modelUrl;
  }

  get modelUrl(): string {
    return this.#modelUrl;
  }

  on(listener: (event: FrameworkEvent) => void): void {
    this.#listeners.push(listener);
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
    const messages: ChatMessage[] = [{ role: 'user', content: options.input }];
    try {
      for (let turn = 0; turn < 4; turn++) {
        const callId = randomUUID();
        const model = 'gpt-4.1-mini';
        this.#emit({ type: 'llm_start', runId, callId, model, messages: [...messages] });
        const { message, usage } = await this.#chat(model, messages, options.tools, options.stream);
        this.#emit({ type: 'llm_end', runId, callId, message, usage });
        messages.push(message);
        if (!message.tool_calls?.length) {
          const output = message.content ?? '';
          this.#emit({ type: 'agent_end', runId, output });
          return output;
        }
        for (const call of message.tool_calls) {
          const tool = options.tools.find((t) => t.name === call.function.name);
          this.#emit({
            type: 'tool_start',
            runId,
            callId: call.id,
            name: call.function.name,
            args: call.function.arguments,
          });
          let content: string;
          try {
            if (!tool) throw new Error(`unknown tool ${call.function.name}`);
            const result = await tool.execute(JSON.parse(call.function.arguments || '{}'));
            content = typeof result === 'string' ? result : JSON.stringify(result);
            this.#emit({ type: 'tool_end', runId, callId: call.id, result: content });
          } catch (error) {
            content = `error: ${error instanceof Error ? error.message : String(error)}`;
            this.#emit({ type: 'tool_end', runId, callId: call.id, error });
          }
          messages.push({ role: 'tool', tool_call_id: call.id, content });
        }
      }
      this.#emit({ type: 'agent_end', runId, output: undefined });
      return undefined;
    } catch (error) {
      this.#emit({ type: 'agent_end', runId, output: undefined, error });
      throw error;
    }
  }

  async #chat(
    model: string,
    messages: ChatMessage[],
    tools: FakeTool[],
    stream = false,
  ): Promise<{ message: ChatMessage; usage: Usage | undefined }> {
    const response = await fetch(`${this.#modelUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-local' },
      body: JSON.stringify({
        model,
        messages,
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
        choices: { message: ChatMessage }[];
        usage?: Usage;
      };
      const message = body.choices[0]?.message ?? { role: 'assistant', content: '' };
      return { message, usage: body.usage };
    }
    const text = await response.text();
    let content = '';
    let usage: Usage | undefined;
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
        usage?: Usage | null;
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
    const message: ChatMessage = { role: 'assistant', content: content || null };
    if (calls.size > 0) {
      message.tool_calls = [...calls.values()].map((c) => ({
        id: c.id,
        type: 'function',
        function: { name: c.name, arguments: c.arguments },
      }));
    }
    return { message, usage };
  }
}
