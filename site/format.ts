/**
 * How numbers from the results read in prose and tables: each metric with its unit and a sensible
 * rounding. Pure functions, no Eleventy.
 *
 * Rounding: three significant figures with trailing zeros dropped (`2.30 MB` reads `2.3 MB`), except
 * counts (exact, thousands separators) and accuracy (one decimal of a percent).
 */
import type { MetricName } from '../experiments/lib/contract/results.ts';

/** The kinds of quantity the metrics hold, each with its own unit ladder. */
export type Quantity =
  'fraction' | 'count' | 'bytes' | 'seconds' | 'microseconds' | 'grams' | 'kwh' | 'perSecond' | 'plain';

/** What each metric measures. Every key of RunMetrics appears here (the compiler checks it). */
export const METRIC_QUANTITIES: Record<MetricName, Quantity> = {
  params: 'count',
  flops: 'count',
  poolingFlops: 'count',
  activationFlops: 'count',
  sizeBytes: 'bytes',
  sizeWithOptimizerBytes: 'bytes',
  accuracy: 'fraction',
  testLoss: 'plain',
  trainSecondsPerEpoch: 'seconds',
  cpuSecondsPerEpoch: 'seconds',
  samplesPerSecond: 'perSecond',
  latencyP50Us: 'microseconds',
  latencyP90Us: 'microseconds',
  latencyP99Us: 'microseconds',
  latencyAmortisedUs: 'microseconds',
  throughputImagesPerSecond: 'perSecond',
  carbonPerInferenceG: 'grams',
  carbonPerEpochG: 'grams',
  energyPerInferenceKwh: 'kwh',
  energyPerEpochKwh: 'kwh',
  carbonPerInferenceGOriginal: 'grams',
  carbonPerEpochGOriginal: 'grams',
};

/** Human names of the metrics, for table headings and chart titles. e.g. `latencyP50Us` → `Latency (median, batch 1)` */
export const METRIC_TITLES: Record<MetricName, string> = {
  params: 'Parameters',
  flops: 'FLOPs per sample',
  poolingFlops: 'Pooling FLOPs per sample',
  activationFlops: 'Activation FLOPs per sample',
  sizeBytes: 'Model size',
  sizeWithOptimizerBytes: 'Checkpoint size (with optimizer state)',
  accuracy: 'Test accuracy',
  testLoss: 'Test loss',
  trainSecondsPerEpoch: 'Training time per epoch',
  cpuSecondsPerEpoch: 'CPU time per epoch',
  samplesPerSecond: 'Training throughput',
  latencyP50Us: 'Latency (median, batch 1)',
  latencyP90Us: 'Latency (90th percentile, batch 1)',
  latencyP99Us: 'Latency (99th percentile, batch 1)',
  latencyAmortisedUs: 'Amortised latency (batch 64)',
  throughputImagesPerSecond: 'Inference throughput',
  carbonPerInferenceG: 'Carbon per inference',
  carbonPerEpochG: 'Carbon per training epoch',
  energyPerInferenceKwh: 'Energy per inference',
  energyPerEpochKwh: 'Energy per training epoch',
  carbonPerInferenceGOriginal: "Carbon per inference (original's parameters)",
  carbonPerEpochGOriginal: "Carbon per training epoch (original's parameters)",
};

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRIC_QUANTITIES, name);
}

export const METRIC_NAMES = Object.keys(METRIC_QUANTITIES) as MetricName[];

const MINUS = '\u2212';

/** `x` to three significant figures, trailing zeros dropped, thousands separated. e.g. 1234.5 → "1,230" */
export function significant(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const rounded = Number(x.toPrecision(digits));
  const decimals = Math.max(0, digits - 1 - Math.floor(Math.log10(Math.abs(rounded))));
  const text = rounded.toLocaleString('en-US', { maximumFractionDigits: decimals, useGrouping: true });
  return text.replace('-', MINUS);
}

/** An exact count with thousands separators. e.g. 575102 → "575,102" */
export function formatCount(x: number): string {
  return Math.round(x).toLocaleString('en-US').replace('-', MINUS);
}

/** Picks the largest unit in which |x| ≥ 1 (or the smallest unit) and formats with it. */
function withUnit(x: number, ladder: [factor: number, unit: string][]): string {
  const magnitude = Math.abs(x);
  const [factor, unit] = ladder.find(([f]) => magnitude >= f) ?? ladder[ladder.length - 1]!;
  return `${significant(x / factor)}\u00a0${unit}`;
}

/** Bytes in decimal units, like the original's MB. e.g. 2300456 → "2.3 MB" */
export function formatBytes(bytes: number): string {
  return withUnit(bytes, [
    [1e9, 'GB'],
    [1e6, 'MB'],
    [1e3, 'KB'],
    [1, 'B'],
  ]);
}

/** Seconds; minutes are not used, so times compare at a glance. e.g. 4.612 → "4.61 s", 0.0123 → "12.3 ms" */
export function formatSeconds(seconds: number): string {
  return withUnit(seconds, [
    [1, 's'],
    [1e-3, 'ms'],
    [1e-6, 'µs'],
  ]);
}

/** Microseconds, switching to ms from 1,000 µs. e.g. 71.23 → "71.2 µs" */
export function formatMicroseconds(us: number): string {
  return formatSeconds(us / 1e6);
}

/**
 * Grams of CO2-equivalent, written with a plain 2: the site's font (Inter, Latin subset) has no
 * subscript digits. HTML gets a real subscript from co2Html. e.g. 2.19e-7 → "219 ng CO2e"
 */
export function formatGrams(grams: number): string {
  return `${withUnit(grams, [
    [1e3, 'kg'],
    [1, 'g'],
    [1e-3, 'mg'],
    [1e-6, 'µg'],
    [1e-9, 'ng'],
    [1e-12, 'pg'],
  ])} CO2e`;
}

/** Escaped HTML with every CO2 given a subscript 2 in markup, which the font can draw. e.g. "gCO2e" → "gCO<sub>2</sub>e" */
export function co2Html(html: string): string {
  return html.replaceAll('CO2', 'CO<sub>2</sub>');
}

/** Energy given in kWh, shown in joules, which suit per-inference amounts. e.g. 2.4e-10 → "864 µJ" */
export function formatKwh(kwh: number): string {
  return withUnit(kwh * 3.6e6, [
    [1e6, 'MJ'],
    [1e3, 'kJ'],
    [1, 'J'],
    [1e-3, 'mJ'],
    [1e-6, 'µJ'],
    [1e-9, 'nJ'],
  ]);
}

/** A fraction as a percentage with one decimal (or `decimals`). e.g. 0.98113 → "98.1%", (0.98113, 2) → "98.11%" */
export function formatPercent(fraction: number, decimals = 1): string {
  return `${(fraction * 100).toFixed(decimals).replace('-', MINUS)}%`;
}

export function formatQuantity(quantity: Quantity, value: number): string {
  switch (quantity) {
    case 'fraction':
      return formatPercent(value);
    case 'count':
      return formatCount(value);
    case 'bytes':
      return formatBytes(value);
    case 'seconds':
      return formatSeconds(value);
    case 'microseconds':
      return formatMicroseconds(value);
    case 'grams':
      return formatGrams(value);
    case 'kwh':
      return formatKwh(value);
    case 'perSecond':
      return `${significant(value)}/s`;
    case 'plain':
      return significant(value);
  }
}

/** A metric's value with its unit. e.g. formatMetric('accuracy', 0.981) → "98.1%" */
export function formatMetric(metric: MetricName, value: number): string {
  return formatQuantity(METRIC_QUANTITIES[metric], value);
}

/**
 * How many times `a` is `b`: whole numbers from 10×, one decimal below, two significant figures
 * under 1. e.g. (6.9, 0.5) → "14×", (6.87, 4.5) → "1.5×"
 */
export function formatRatio(a: number, b: number): string {
  const ratio = a / b;
  if (!Number.isFinite(ratio)) return 'infinitely';
  const text = ratio >= 10 ? formatCount(ratio) : ratio >= 1 ? ratio.toFixed(1) : significant(ratio, 2);
  return `${text}×`;
}

/**
 * The difference `a − b` of a metric, in its unit; fractions read as percentage points.
 * e.g. formatDifference('accuracy', 0.981, 0.960) → "2.1 percentage points"
 */
export function formatDifference(metric: MetricName, a: number, b: number): string {
  const difference = a - b;
  if (METRIC_QUANTITIES[metric] === 'fraction') {
    const points = (difference * 100).toFixed(1).replace('-', MINUS);
    return `${points} percentage ${points === '1.0' ? 'point' : 'points'}`;
  }
  return formatMetric(metric, difference);
}

/** A 95% interval in the metric's unit. e.g. ('accuracy', [0.9801, 0.9822]) → "98.0–98.2%" */
export function formatInterval(metric: MetricName, [low, high]: readonly [number, number]): string {
  const lowText = formatMetric(metric, low);
  const highText = formatMetric(metric, high);
  const unit = /[^\d.,\u2212]+$/.exec(highText)?.[0] ?? '';
  if (unit !== '' && lowText.endsWith(unit)) return `${lowText.slice(0, -unit.length)}–${highText}`;
  return `${lowText} – ${highText}`;
}

/** A p-value: "< 0.001" below a thousandth, else two significant figures. */
export function formatPValue(p: number): string {
  return p < 0.001 ? '< 0.001' : significant(p, 2);
}

/** A UTC date as `1 March 2025`. */
export function formatDate(date: Date): string {
  return date.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}
