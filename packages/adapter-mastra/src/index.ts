// The adapter is being built; see README.md for what is coming.
export {};
