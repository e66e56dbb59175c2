// A bridge adapter for the fake framework, for testing the kit only, written on core's adapter
// kit the way a real bridge is. `breakage` makes it break exactly one rule of the contract, the
// way real adapters get it wrong.

import { request } from 'node:http';
import {
  adapterPackage,
  agentAttributes,
  agentSpanName,
  createAdapterLogger,
  type GalileoAdapter,
  type GalileoMessage,
  GenAiAttributes,
  ioAttributes,
  llmAttributes,
  llmSpanName,
  markIncomplete,
  messagesJson,
  RunRegistry,
  recordSpanError,
  toolAttributes,
  toolCall,
  toolSpanName,
} from '@galileo-otel/core/adapter';
import {
  type Context,
  context,
  ROOT_CONTEXT,
  type Span,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { FakeAgentFramework, FrameworkEvent, FrameworkMessage } from './fake-framework.js';

export type Breakage =
  | 'none'
  | 'wrong-kind'
  | 'orphan'
  | 'split-trace'
  | 'messages-shape'
  | 'tool-call-in-content'
  | 'unanswered-tool-call'
  | 'no-error-status'
  | 'leaked-secret'
  | 'cross-talk'
  | 'late-spans'
  | 'llm-beside-agent'
  | 'ignores-traceparent'
  | 'phones-home'
  | 'no-tool-arguments'
  | 'no-tool-result'
  | 'no-model'
  | 'no-provider'
  | 'error-without-type'
  | 'no-exception-event'
  | 'model-error-unmarked';

interface RunState {
  agent: Span;
  agentContext: Context;
  /** Where the llm and tool spans go: the agent's context, or elsewhere when broken. */
  workContext: Context;
  wrapper: Span | undefined;
  spans: Map<string, Span>;
  turn: Span | undefined;
}

const TURN = 'fake.turn';
const pkg = adapterPackage(import.meta.url);

export function fakeBridgeAdapter(
  framework: FakeAgentFramework,
  breakage: Breakage = 'none',
): GalileoAdapter {
  const name = `fake-bridge${breakage === 'none' ? '' : `-${breakage}`}`;
  const log = createAdapterLogger(name);
  const runs = new RunRegistry<string, RunState>({
    abandon(state, reason) {
      for (const span of [...state.spans.values(), state.turn, state.wrapper, state.agent]) {
        if (!span) continue;
        markIncomplete(span, reason);
        span.end();
      }
    },
  });
  let unsubscribe: (() => void) | undefined;
  // Agent spans the late-spans variant has not ended yet, with the flushes they have seen.
  let late: Array<{ span: Span; flushes: number }> = [];
  // The cross-talk bug: one "current run" shared by every run in the process.
  let current: RunState | undefined;
  const stateOf = (runId: string) => (breakage === 'cross-talk' ? current : runs.get(runId));

  const fail = (span: Span, error: unknown) => {
    if (breakage !== 'no-exception-event') return recordSpanError(span, error);
    // The bug: status and error.type, but no exception event.
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
    span.setAttribute(GenAiAttributes.ERROR_TYPE, 'Error');
  };

  const parentFor = (state: RunState): Context => {
    // Every llm and tool call sits in a "turn" wrapper span the adapter folds away.
    state.turn ??= pkg
      .tracer()
      .startSpan('turn', { attributes: { [TURN]: true } }, state.workContext);
    return trace.setSpan(state.workContext, state.turn);
  };

  const galileoMessage = (m: FrameworkMessage): GalileoMessage => ({
    role: m.role,
    content: m.text,
    tool_calls:
      breakage === 'tool-call-in-content' ? undefined : m.toolCalls?.map((c) => toolCall(c)),
    tool_call_id: breakage === 'unanswered-tool-call' ? undefined : m.toolCallId,
  });

  const inputMessages = (messages: readonly FrameworkMessage[]): string => {
    if (breakage === 'messages-shape') {
      return JSON.stringify(
        messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.text }] })),
      );
    }
    return messagesJson(messages.map(galileoMessage));
  };

  const outputMessages = (m: FrameworkMessage): string => {
    if (breakage === 'tool-call-in-content' && m.toolCalls?.length) {
      // The bug Mastra and OpenAI Agents had: the calls as a JSON blob in `content`.
      const parts = m.toolCalls.map((c) => ({
        type: 'tool-call',
        toolCallId: c.id,
        toolName: c.name,
        args: c.arguments,
      }));
      return messagesJson([{ role: 'assistant', content: parts }]);
    }
    return messagesJson([galileoMessage(m)]);
  };

  const handle = (event: FrameworkEvent) => {
    const tracer = pkg.tracer();
    switch (event.type) {
      case 'agent_start': {
        if (breakage === 'phones-home') phoneHome(framework.modelUrl);
        // The traceparent bug: the run starts a new trace instead of joining the active one.
        const active = breakage === 'ignores-traceparent' ? ROOT_CONTEXT : context.active();
        // The parentage bug: the adapter keeps the framework's run wrapper and hangs the llm and
        // tool calls under it, next to the agent span rather than inside it.
        const wrapper =
          breakage === 'llm-beside-agent'
            ? tracer.startSpan(`run ${event.agent}`, {}, active)
            : undefined;
        const agentParent = wrapper ? trace.setSpan(active, wrapper) : active;
        const spanName =
          breakage === 'leaked-secret'
            ? `${agentSpanName(event.agent)}: ${event.input}`
            : agentSpanName(event.agent);
        const agent = tracer.startSpan(
          spanName,
          {
            attributes: agentAttributes({
              name: event.agent,
              provider: 'openai',
              input: event.input,
            }),
          },
          agentParent,
        );
        const agentContext = trace.setSpan(agentParent, agent);
        const state: RunState = {
          agent,
          agentContext,
          workContext: wrapper ? agentParent : agentContext,
          wrapper,
          spans: new Map(),
          turn: undefined,
        };
        runs.set(event.runId, state);
        current = state;
        return;
      }
      case 'llm_start': {
        const state = stateOf(event.runId);
        if (!state) return;
        const attributes = llmAttributes({
          model: breakage === 'no-model' ? undefined : event.model,
          provider: breakage === 'no-provider' ? undefined : event.provider,
        });
        attributes[GenAiAttributes.INPUT_MESSAGES] = inputMessages(event.messages);
        if (breakage === 'wrong-kind') attributes['gen_ai.operation.name'] = 'generate_text';
        state.spans.set(
          event.callId,
          tracer.startSpan(llmSpanName(event.model), { attributes }, parentFor(state)),
        );
        return;
      }
      case 'llm_end': {
        const state = stateOf(event.runId);
        const span = state?.spans.get(event.callId);
        if (!state || !span) return;
        state.spans.delete(event.callId);
        if (event.error !== undefined) {
          if (breakage !== 'model-error-unmarked') fail(span, event.error);
          span.end();
          return;
        }
        span.setAttributes(llmAttributes({ usage: event.usage }));
        if (event.message) {
          span.setAttribute(GenAiAttributes.OUTPUT_MESSAGES, outputMessages(event.message));
        }
        // llmAttributes() always sets the operation; keep the broken one in that variant.
        if (breakage === 'wrong-kind') {
          span.setAttribute('gen_ai.operation.name', 'generate_text');
        }
        span.end();
        return;
      }
      case 'tool_start': {
        const state = stateOf(event.runId);
        if (!state) return;
        const span = tracer.startSpan(
          toolSpanName(event.name),
          {
            attributes: toolAttributes({
              name: event.name,
              callId: event.callId,
              arguments: breakage === 'no-tool-arguments' ? undefined : event.args,
            }),
            ...(breakage === 'split-trace' ? { root: true } : {}),
          },
          parentFor(state),
        );
        state.spans.set(event.callId, span);
        return;
      }
      case 'tool_end': {
        const state = stateOf(event.runId);
        const span = state?.spans.get(event.callId);
        if (!state || !span) return;
        if (event.error !== undefined) {
          if (breakage === 'error-without-type') {
            span.setStatus({ code: SpanStatusCode.ERROR, message: String(event.error) });
          } else if (breakage !== 'no-error-status') {
            fail(span, event.error);
          }
        } else if (breakage !== 'no-tool-result') {
          span.setAttribute(GenAiAttributes.TOOL_CALL_RESULT, event.result ?? '');
        }
        span.end();
        state.spans.delete(event.callId);
        return;
      }
      case 'agent_end': {
        const state = runs.delete(event.runId);
        if (!state) return;
        state.turn?.end();
        state.wrapper?.end();
        state.agent.setAttributes(ioAttributes(undefined, event.output));
        if (event.error !== undefined) fail(state.agent, event.error);
        if (breakage === 'late-spans') {
          // The bug: the span is ended later, after the run has returned and after the next
          // forceFlush() has returned: only the flush after that one finds it.
          late.push({ span: state.agent, flushes: 0 });
        } else {
          state.agent.end();
        }
        return;
      }
    }
  };

  return {
    name,
    install(host) {
      log.attach(host);
      unsubscribe = framework.on((event) => log.guard(event.type, () => handle(event)));
    },
    async forceFlush() {
      for (const pending of late) pending.flushes++;
      for (const pending of late.filter((p) => p.flushes >= 2)) pending.span.end();
      late = late.filter((p) => p.flushes < 2);
    },
    async shutdown() {
      unsubscribe?.();
      runs.giveUpAll('shutdown');
    },
    onStart(span) {
      // Folding the turn wrapper away at start lets core re-parent its children; the orphan
      // variant drops it at export instead, which strands them.
      const isTurn = (span as unknown as { attributes: Record<string, unknown> }).attributes[TURN];
      if (isTurn && breakage !== 'orphan') return { drop: true };
      return undefined;
    },
    translate(span) {
      if (breakage === 'orphan' && span.attributes[TURN]) return { drop: true };
      return undefined;
    },
  };
}

/**
 * The offline bug: a usage beacon to the framework vendor. The host name is not loopback, so the
 * kit must flag it, but the socket is resolved to the local model so nothing leaves the machine.
 */
function phoneHome(modelUrl: string): void {
  const { port } = new URL(modelUrl);
  const beacon = request({
    host: 'telemetry.fake-framework.test',
    port,
    path: '/v1/beacon',
    method: 'POST',
    lookup: (_host, options, callback) => {
      if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    },
  });
  beacon.on('response', (response) => response.resume());
  beacon.on('error', () => {});
  beacon.end('{}');
}
