import { createAdapterLogger, type GalileoAdapter } from '@galileo-otel/core/adapter';
import { installGlobalHandler } from './internal/global-handler.js';
import { LangchainCallbackHandler } from './langchain-callback-handler.js';
import type { LangchainOptions } from './langchain-options.js';

/** The adapter returned by {@link langchain}: a `GalileoAdapter` plus its handler and state. */
export interface LangchainAdapter extends GalileoAdapter {
  /** The callback handler it installs for every run (also usable in `callbacks` yourself). */
  readonly handler: LangchainCallbackHandler;
  /**
   * LangChain runs open right now: `0` when nothing runs. A count that keeps growing means runs
   * whose end never arrives (they are ended early at `maxOpenRuns`).
   */
  readonly openRuns: number;
}

/**
 * The LangChain.js / LangGraph.js adapter for `registerGalileo({ adapters })` /
 * `GalileoSpanProcessor`: when the processor is created it adds a {@link LangchainCallbackHandler}
 * to every LangChain run of the process (every chain, graph, model, tool and retriever, with no
 * `callbacks` passed by hand), so each run becomes Galileo-shaped spans in the caller's trace.
 * Shutting the processor down takes it out again and ends the spans of runs still open.
 *
 * @example
 * import { registerGalileo } from '@galileo-otel/core';
 * import { langchain } from '@galileo-otel/adapter-langchain';
 * registerGalileo({ serviceName: 'agents-api', adapters: [langchain()] });
 */
export function langchain(options: LangchainOptions = {}): LangchainAdapter {
  const log = createAdapterLogger('langchain');
  const handler = new LangchainCallbackHandler(options, log);
  let uninstall: (() => void) | undefined;
  return {
    name: 'langchain',
    handler,
    get openRuns() {
      return handler.openRuns;
    },
    install(host) {
      log.attach(host);
      uninstall ??= log.guard('install', () => installGlobalHandler(handler));
    },
    async shutdown() {
      log.guard('shutdown', () => {
        uninstall?.();
        uninstall = undefined;
        handler.giveUpAll('shutdown');
      });
    },
  };
}
