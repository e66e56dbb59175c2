// The API key every pipeline sends, shaped like a real one. A real key never occurs in span
// text; a short word would (the spans say `deployment.environment.name: bench`), and Galileo
// would scrub it from every span: a copy of every span's attributes no app pays for.
export const BENCH_API_KEY = 'gal_bench_7f3a91c4e2d84b6f0a5c';
