import type { TracerProvider } from '@opentelemetry/api';

/** Options of {@link langchain} and {@link langchainCallbackHandler}. */
export interface LangchainOptions {
  /**
   * Where the spans are created. Resolved at every run, so a provider registered after the
   * adapter is made is still used.
   * @defaultValue the global tracer provider (`trace.getTracerProvider()`)
   */
  tracerProvider?: TracerProvider | undefined;
  /**
   * Record message content, tool arguments and results, retriever queries and documents, and
   * chain inputs and outputs. `false` keeps every span, name, model, usage and error.
   * @defaultValue `true`
   */
  captureContent?: boolean | undefined;
  /**
   * Make a tool's `execute_tool` span the active OpenTelemetry context while the tool body runs
   * (for tools called inside a traced run, as a graph's tool node calls them), so spans it starts,
   * such as an outbound `tracedFetch`, nest under the tool and the `traceparent` sent downstream
   * points at it. Needs `@opentelemetry/api` 1.10 and a context manager with `attach()` (the
   * AsyncLocalStorage one `registerGalileo()` registers).
   * @defaultValue `true`
   */
  toolContext?: boolean | undefined;
  /**
   * Runs tracked at once (every chain, model, tool and retriever run counts). Past it the oldest is
   * ended early, marked `galileo.incomplete` (reason `evicted`), so runs whose end never arrives
   * cannot grow memory.
   * @defaultValue `1000`
   */
  maxOpenRuns?: number | undefined;
}
