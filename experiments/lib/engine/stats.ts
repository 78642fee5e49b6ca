/**
 * Statistics over trials: mean with a Student's t 95% confidence interval, percentiles of timings,
 * and McNemar's exact test for two classifiers on the same test images.
 */
import { createRequire } from 'node:module';
import type * as Cephes from 'cephes';
import type { Stat } from '../contract/results.ts';

/**
 * Cephes (the C library SciPy's `stdtrit` and `bdtr` come from) compiled to WebAssembly: one small
 * package with no dependencies. Its CommonJS entry compiles the module synchronously on require;
 * the ES entry would need `await cephes.compiled` first. Loaded on first use.
 */
let cephesModule: typeof Cephes | undefined;
function cephes(): typeof Cephes {
  cephesModule ??= createRequire(import.meta.url)('cephes') as typeof Cephes;
  return cephesModule;
}

/** Student's t quantile: the `p` quantile of the t distribution with `degreesOfFreedom`. e.g. (0.975, 2) → 4.3027 */
export function tQuantile(p: number, degreesOfFreedom: number): number {
  return cephes().stdtri(degreesOfFreedom, p);
}

/** P(X ≤ k) for X ~ Binomial(n, p), the exact lower tail. e.g. (2, 10, 0.5) → 56/1024 */
export function binomialCdf(k: number, n: number, p: number): number {
  return cephes().bdtr(k, n, p);
}

/** Mean, sample standard deviation and 95% CI of the mean (t distribution, n−1 degrees of freedom). */
export function summarise(values: readonly number[]): Stat {
  const n = values.length;
  if (n === 0) throw new Error('summarise: no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { values: [...values], mean, sd: 0, ci95: null };
  const sd = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  const half = tQuantile(0.975, n - 1) * (sd / Math.sqrt(n));
  return { values: [...values], mean, sd, ci95: [mean - half, mean + half] };
}

/** Nearest-rank percentile (p in 0–100) of unsorted values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('percentile: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * McNemar's exact test: `onlyA` images only classifier A got right, `onlyB` only B. Under the null
 * hypothesis (equal accuracy) the discordant pairs split Binomial(onlyA + onlyB, ½); two-sided p-value.
 */
export function mcnemarExact(onlyA: number, onlyB: number): number {
  const n = onlyA + onlyB;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(onlyA, onlyB), n, 0.5));
}
