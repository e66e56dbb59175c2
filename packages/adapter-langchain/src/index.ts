export { type LangchainAdapter, langchain } from './langchain.js';
export {
  LangchainCallbackHandler,
  langchainCallbackHandler,
} from './langchain-callback-handler.js';
export type { LangchainOptions } from './langchain-options.js';
