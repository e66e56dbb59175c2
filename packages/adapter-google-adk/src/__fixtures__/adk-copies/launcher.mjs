// An entry script from whose folder @google/adk resolves to a DIFFERENT copy than the app's:
// neither the working directory nor process.argv[1] leads to the app's ADK.
await import('./app/app.mjs');
