/**
 * How each run metric is shown: its name, the unit a reader sees, and how to read a run's value.
 * The keys are exactly the keys of RunMetrics (experiments/lib/results.ts), the names posts use.
 */
import type { MetricName, Run, Stat } from '../../experiments/lib/results.ts';

export interface MetricDisplay {
  /** Sentence-case name for titles, e.g. `Test accuracy`. */
  name: string;
  /** Unit shown to the reader, '' for plain counts; e.g. `µs`. */
  unit: string;
  /** Multiplier from the stored unit to the shown one, e.g. 100 for a fraction shown in %. */
  scale: number;
  /** Significant digits of a shown value. */
  digits: number;
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
  params: { name: 'Parameters', unit: '', scale: 1, digits: 21, zero: true, better: 'lower' },
  flops: { name: 'FLOPs per image', unit: '', scale: 1, digits: 21, zero: true, better: 'lower' },
  poolingFlops: {
    name: 'Pooling FLOPs per image',
    unit: '',
    scale: 1,
    digits: 21,
    zero: true,
    better: 'lower',
  },
  activationFlops: {
    name: 'Activation FLOPs per image',
    unit: '',
    scale: 1,
    digits: 21,
    zero: true,
    better: 'lower',
  },
  sizeBytes: { name: 'Model size on disk', unit: 'MB', scale: MB, digits: 3, zero: true, better: 'lower' },
  sizeWithOptimizerBytes: {
    name: 'Checkpoint size with optimizer state',
    unit: 'MB',
    scale: MB,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  accuracy: { name: 'Test accuracy', unit: '%', scale: 100, digits: 4, zero: false, better: 'higher' },
  testLoss: { name: 'Test loss', unit: '', scale: 1, digits: 3, zero: false, better: 'lower' },
  trainSecondsPerEpoch: {
    name: 'Training time per epoch',
    unit: 's',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  cpuSecondsPerEpoch: {
    name: 'CPU time per epoch',
    unit: 's',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  samplesPerSecond: {
    name: 'Training throughput',
    unit: 'images/s',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'higher',
  },
  latencyP50Us: {
    name: 'Median latency, one image',
    unit: 'µs',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  latencyP90Us: {
    name: '90th percentile latency',
    unit: 'µs',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  latencyP99Us: {
    name: '99th percentile latency',
    unit: 'µs',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  latencyAmortisedUs: {
    name: 'Time per image in batches of 64',
    unit: 'µs',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  throughputImagesPerSecond: {
    name: 'Inference throughput',
    unit: 'images/s',
    scale: 1,
    digits: 3,
    zero: true,
    better: 'higher',
  },
  carbonPerInferenceG: {
    name: 'Carbon per inference',
    unit: 'ng CO2e',
    scale: 1e9,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  carbonPerEpochG: {
    name: 'Carbon per epoch',
    unit: 'mg CO2e',
    scale: 1e3,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  energyPerInferenceKwh: {
    name: 'Energy per inference',
    unit: 'µWh',
    scale: 1e9,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  energyPerEpochKwh: {
    name: 'Energy per epoch',
    unit: 'mWh',
    scale: 1e6,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  carbonPerInferenceGOriginal: {
    name: "Carbon per inference, original's parameters",
    unit: 'ng CO2e',
    scale: 1e9,
    digits: 3,
    zero: true,
    better: 'lower',
  },
  carbonPerEpochGOriginal: {
    name: "Carbon per epoch, original's parameters",
    unit: 'mg CO2e',
    scale: 1e3,
    digits: 3,
    zero: true,
    better: 'lower',
  },
} satisfies Record<MetricName, MetricDisplay>;

export const METRIC_NAMES = Object.keys(METRICS) as MetricName[];

export function isMetricName(name: string): name is MetricName {
  return Object.hasOwn(METRICS, name);
}

/** Axis title: name and unit, e.g. `Median latency, one image (µs)`. */
export function metricTitle(metric: MetricName): string {
  const display: MetricDisplay = METRICS[metric];
  return display.unit === '' ? display.name : `${display.name} (${display.unit})`;
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

/** A shown value as text with its unit, e.g. `96.71%`, `575,102`, `71.3 µs`. */
export function formatShown(metric: MetricName, value: number): string {
  const display: MetricDisplay = METRICS[metric];
  const number = new Intl.NumberFormat('en', { maximumSignificantDigits: display.digits }).format(value);
  if (display.unit === '') return number;
  return display.unit === '%' ? `${number}%` : `${number} ${display.unit}`;
}
