// Small statistics helpers.
export function sorted(values) {
  return [...values].sort((a, b) => a - b);
}
export function quantile(values, q) {
  const s = sorted(values);
  if (s.length === 0) return Number.NaN;
  const index = (s.length - 1) * q;
  const lo = Math.floor(index);
  const hi = Math.ceil(index);
  return s[lo] + (s[hi] - s[lo]) * (index - lo);
}
export const median = (values) => quantile(values, 0.5);
export function summary(values) {
  const s = sorted(values);
  return { min: s[0], median: quantile(s, 0.5), max: s[s.length - 1], n: s.length };
}
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
