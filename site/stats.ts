/**
 * Statistics the site computes from per-seed values at build time: a sample's summary with its
 * Student's t 95% interval, Welch's two-sided t-test and the Brown–Forsythe (median-centred Levene)
 * test for equal variances. Pure functions over plain numbers; the distributions come from Cephes,
 * as in the engine (experiments/lib/engine/stats.ts), which the site may not import.
 */
import { createRequire } from 'node:module';
import type * as Cephes from 'cephes';

let cephesModule: typeof Cephes | undefined;
/** Cephes compiled to WebAssembly; its CommonJS entry compiles synchronously on require. Loaded on first use. */
export function cephes(): typeof Cephes {
  cephesModule ??= createRequire(import.meta.url)('cephes') as typeof Cephes;
  return cephesModule;
}

/** A sample of per-seed values summarised. e.g. { n: 10, mean: 0.9622, sd: 0.0037, ci95: [0.9596, 0.9648], min: 0.9554, max: 0.9672 } */
export interface Sample {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 for one value. */
  sd: number;
  /** 95% confidence interval of the mean (Student's t, n − 1 degrees of freedom); null for one value. */
  ci95: [number, number] | null;
  min: number;
  max: number;
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The sample variance (n − 1 in the denominator). */
function variance(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((a, v) => a + (v - m) ** 2, 0) / (values.length - 1);
}

export function summariseSample(values: readonly number[]): Sample {
  const n = values.length;
  if (n === 0) throw new Error('summariseSample: no values');
  const m = mean(values);
  const [min, max] = [Math.min(...values), Math.max(...values)];
  if (n === 1) return { n, mean: m, sd: 0, ci95: null, min, max };
  const sd = Math.sqrt(variance(values));
  const half = cephes().stdtri(n - 1, 0.975) * (sd / Math.sqrt(n));
  return { n, mean: m, sd, ci95: [m - half, m + half], min, max };
}

/**
 * Two-sided P(|T| ≥ |t|) for Student's t with `degreesOfFreedom`, which may be fractional:
 * I_{ν/(ν+t²)}(ν/2, ½). Cephes' `stdtr` takes an integer and truncates a fractional ν, which
 * Welch's test needs (SciPy's `stdtr` takes real ν and agrees with this).
 */
export function tTwoSidedP(t: number, degreesOfFreedom: number): number {
  if (!Number.isFinite(t)) return 0;
  return cephes().incbet(degreesOfFreedom / 2, 0.5, degreesOfFreedom / (degreesOfFreedom + t * t));
}

/**
 * The two-sided critical value of Student's t: the |t| exceeded with probability `alpha`, for a ν
 * that may be fractional (x = I⁻¹(ν/2, ½; alpha), then t = √(ν(1 − x)/x)). e.g. (0.05, 10.7) → 2.2085
 */
export function tCritical(alpha: number, degreesOfFreedom: number): number {
  const x = cephes().incbi(degreesOfFreedom / 2, 0.5, alpha);
  return Math.sqrt((degreesOfFreedom * (1 - x)) / x);
}

/**
 * Welch's t-test of `a` against `b`: t (positive when a's mean is higher), Welch–Satterthwaite ν,
 * two-sided p, and the difference of the means (a − b) with its 95% interval.
 */
export interface WelchTest {
  t: number;
  df: number;
  p: number;
  difference: number;
  ci95: [number, number];
}

/**
 * Welch's unequal-variances t-test, as scipy.stats.ttest_ind(a, b, equal_var=False). Needs two or
 * more values on each side. Two samples without spread give p 1 when their means are equal, else 0.
 */
export function welchTest(a: readonly number[], b: readonly number[]): WelchTest {
  if (a.length < 2 || b.length < 2) throw new Error('welchTest: needs at least two values on each side');
  const [va, vb] = [variance(a) / a.length, variance(b) / b.length];
  const difference = mean(a) - mean(b);
  const se2 = va + vb;
  if (se2 === 0) {
    const exact: [number, number] = [difference, difference];
    return difference === 0
      ? { t: 0, df: Number.NaN, p: 1, difference, ci95: exact }
      : { t: Math.sign(difference) * Infinity, df: Number.NaN, p: 0, difference, ci95: exact };
  }
  const t = difference / Math.sqrt(se2);
  const df = se2 ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = tCritical(0.05, df) * Math.sqrt(se2);
  return { t, df, p: tTwoSidedP(t, df), difference, ci95: [difference - half, difference + half] };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Levene's test statistic W (an F with k − 1 and N − k degrees of freedom) and its p-value. */
export interface LeveneTest {
  w: number;
  p: number;
}

/**
 * Levene's test for equal variances centred on the medians (Brown–Forsythe), as
 * scipy.stats.levene(...groups) with its default center='median': a one-way ANOVA on each value's
 * distance from its group's median. Needs two or more groups of two or more values.
 */
export function leveneTest(...groups: readonly (readonly number[])[]): LeveneTest {
  if (groups.length < 2 || groups.some((g) => g.length < 2))
    throw new Error('leveneTest: needs two or more groups of at least two values');
  const deviations = groups.map((g) => {
    const centre = median(g);
    return g.map((v) => Math.abs(v - centre));
  });
  const k = groups.length;
  const total = deviations.reduce((a, g) => a + g.length, 0);
  const grand = mean(deviations.flat());
  const between = deviations.reduce((a, g) => a + g.length * (mean(g) - grand) ** 2, 0);
  const within = deviations.reduce((a, g) => {
    const m = mean(g);
    return a + g.reduce((s, z) => s + (z - m) ** 2, 0);
  }, 0);
  if (within === 0) return between === 0 ? { w: 0, p: 1 } : { w: Infinity, p: 0 };
  const w = between / (k - 1) / (within / (total - k));
  return { w, p: cephes().fdtrc(k - 1, total - k, w) };
}
