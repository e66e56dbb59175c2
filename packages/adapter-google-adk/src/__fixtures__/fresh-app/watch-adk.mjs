// Loaded with `node --import`: notes when anything first imports @google/adk itself.
import { registerHooks } from 'node:module';

globalThis.__adkImported = false;
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === '@google/adk') globalThis.__adkImported = true;
    return nextResolve(specifier, context);
  },
});
