import type { BaseCallbackHandler } from '@langchain/core/callbacks/base';
import { CallbackManager } from '@langchain/core/callbacks/manager';

type Configure = typeof CallbackManager._configureSync;
type Callbacks = Parameters<Configure>[0];

// Handlers installed process-wide, newest last; the newest one is added to every run.
const installed: BaseCallbackHandler[] = [];
let original: Configure | undefined;
let wrapper: Configure | undefined;

/** `callbacks` with `handler` added, unless a handler of that name is there already. */
function withHandler(callbacks: Callbacks, handler: BaseCallbackHandler): Callbacks {
  if (callbacks === undefined || callbacks === null) return [handler];
  if (Array.isArray(callbacks)) {
    return callbacks.some((h) => (h as { name?: unknown })?.name === handler.name)
      ? callbacks
      : [...callbacks, handler];
  }
  if (callbacks instanceof CallbackManager) {
    return callbacks.handlers.some((h) => h.name === handler.name)
      ? callbacks
      : callbacks.copy([handler], true);
  }
  return callbacks;
}

/**
 * Adds `handler` to every LangChain run of this `@langchain/core` copy, wherever it starts, and
 * returns the function that takes it out again.
 *
 * LangChain's own `registerConfigureHook()` + `setContextVariable()` keeps its list in LangChain's
 * AsyncLocalStorage, so it reaches only runs started from the async context that registered it:
 * a `registerGalileo()` called in a test's `beforeAll`, in a framework's `register()` hook or after
 * an `await` misses every run started elsewhere. Every run's callbacks are put together by the
 * static `CallbackManager._configureSync()` (runnables, graphs, tools, retrievers, models), so the
 * handler joins the inheritable callbacks there, once: a run that already has a handler of that
 * name (passed explicitly in `callbacks`, or inherited from its parent run) is left as it is.
 */
export function installGlobalHandler(handler: BaseCallbackHandler): () => void {
  installed.push(handler);
  if (!original) {
    const base = CallbackManager._configureSync;
    original = base;
    wrapper = function configureWithGalileo(this: unknown, inheritable, ...rest) {
      const current = installed[installed.length - 1];
      return base.call(this, current ? withHandler(inheritable, current) : inheritable, ...rest);
    } as Configure;
    CallbackManager._configureSync = wrapper;
  }
  let removed = false;
  return () => {
    if (removed) return;
    removed = true;
    const index = installed.lastIndexOf(handler);
    if (index >= 0) installed.splice(index, 1);
    if (installed.length === 0 && original && CallbackManager._configureSync === wrapper) {
      CallbackManager._configureSync = original;
      original = undefined;
      wrapper = undefined;
    }
  };
}
