/**
 * How each run metric is drawn: the unit and direction of its axis, and a run's value in that unit.
 * The keys are exactly the keys of RunMetrics (experiments/lib/contract/results.ts), the names posts use.
 * Names and value labels come from the site's format.ts, so charts read like the prose.
 */
import type { MetricName, Run, Stat } from '../../experiments/lib/contract/results.ts';
import { METRIC_TITLES, formatInterval, formatMetric } from '../format.ts';

export interface MetricDisplay {
  /** Unit of the chart axis, '' for plain counts; e.g. `µs`. */
  unit: string;
  /** Multiplier from the stored unit to the axis unit, e.g. 100 for a fraction shown in %. */
  scale: number;
  /**
   * Whether the axis starts at zero. Quantities are drawn as bars from zero; rates whose
   * differences are small against their size (accuracy, loss) as points with intervals instead.
   */
  zero: boolean;
  better: 'lower' | 'higher';
}

const MB = 1e-6;

/** Every RunMetrics key with its display; the `satisfies` check keeps this in step with the schema. */
export const METRICS = {
  params: { unit: '', scale: 1, zero: true, better: 'lower' },
  flops: { unit: '', scale: 1, zero: true, better: 'lower' },
  poolingFlops: {
    unit: '',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  activationFlops: {
    unit: '',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  sizeBytes: { unit: 'MB', scale: MB, zero: true, better: 'lower' },
  sizeWithOptimizerBytes: {
    unit: 'MB',
    scale: MB,
    zero: true,
    better: 'lower',
  },
  accuracy: { unit: '%', scale: 100, zero: false, better: 'higher' },
  testLoss: { unit: '', scale: 1, zero: false, better: 'lower' },
  trainSecondsPerEpoch: {
    unit: 's',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  cpuSecondsPerEpoch: {
    unit: 's',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  samplesPerSecond: {
    unit: 'images/s',
    scale: 1,
    zero: true,
    better: 'higher',
  },
  latencyP50Us: {
    unit: 'µs',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  latencyP90Us: {
    unit: 'µs',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  latencyP99Us: {
    unit: 'µs',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  latencyAmortisedUs: {
    unit: 'µs',
    scale: 1,
    zero: true,
    better: 'lower',
  },
  throughputImagesPerSecond: {
    unit: 'images/s',
    scale: 1,
    zero: true,
    better: 'higher',
  },
  carbonPerInferenceG: {
    unit: 'ng CO2e',
    scale: 1e9,
    zero: true,
    better: 'lower',
  },
  carbonPerEpochG: {
    unit: 'mg CO2e',
    scale: 1e3,
    zero: true,
    better: 'lower',
  },
  energyPerInferenceKwh: {
    unit: 'µWh',
    scale: 1e9,
    zero: true,
    better: 'lower',
  },
  energyPerEpochKwh: {
    unit: 'mWh',
    scale: 1e6,
    zero: true,
    better: 'lower',
  },
  carbonPerInferenceGOriginal: {
    unit: 'ng CO2e',
    scale: 1e9,
    zero: true,
    better: 'lower',
  },
  carbonPerEpochGOriginal: {
    unit: 'mg CO2e',
    scale: 1e3,
    zero: true,
    better: 'lower',
  },
} satisfies Record<MetricName, MetricDisplay>;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** The metric's name, e.g. `Test accuracy`. */
export function metricName(metric: MetricName): string {
  return METRIC_TITLES[metric];
}

/** Axis title: name and unit, e.g. `Model size, MB`. */
export function metricTitle(metric: MetricName): string {
  const display: MetricDisplay = METRICS[metric];
  return display.unit === '' ? metricName(metric) : `${metricName(metric)}, ${display.unit}`;
}

/** A run's value of a metric in the shown unit; `ci95` is null for counts and single seeds. */
export interface ShownValue {
  mean: number;
  ci95: [number, number] | null;
}

export function shownValue(run: Run, metric: MetricName): ShownValue {
  const { scale } = METRICS[metric];
  const value: number | Stat = run.metrics[metric];
  if (typeof value === 'number') return { mean: value * scale, ci95: null };
  return {
    mean: value.mean * scale,
    ci95: value.ci95 === null ? null : [value.ci95[0] * scale, value.ci95[1] * scale],
  };
}

/** A run's value as the prose gives it, alone and with its 95% interval. e.g. { short: '98.1%', long: '98.1% (95% CI 98.0–98.2%)' } */
export function valueText(run: Run, metric: MetricName): { short: string; long: string } {
  const value: number | Stat = run.metrics[metric];
  if (typeof value === 'number')
    return { short: formatMetric(metric, value), long: formatMetric(metric, value) };
  const short = formatMetric(metric, value.mean);
  return {
    short,
    long: value.ci95 === null ? short : `${short} (95% CI ${formatInterval(metric, value.ci95)})`,
  };
}
