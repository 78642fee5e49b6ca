/**
 * What the results schema cannot say: the meaning of a results file, checked where it enters the
 * site so a damaged or hand-edited file fails the build instead of rendering wrong numbers.
 * Accuracies and fractions lie in [0, 1], counts are non-negative integers, times and rates are
 * positive and finite, run keys are unique, dates are real, and every summary (mean, sd, 95% CI,
 * McNemar p-value, totals) is recomputed from the per-seed values it summarises rather than trusted.
 * Each failure is a ResultsError naming the file and the JSON path, e.g.
 * `experiments/results/x.json: runs[0].metrics.accuracy.mean: 0.2 contradicts its values (their mean is 0.9561)`.
 *
 * Fields the schema may gain later pass through untouched: only the fields named here are checked.
 */
import { ResultsError } from '../experiments/lib/contract/errors.ts';
import type { Results, Run, Stat, Trial } from '../experiments/lib/contract/results.ts';
import { cephes } from './stats.ts';

/** Relative tolerance for recomputed values: summing in another order changes the last bits only. */
const RELATIVE_TOLERANCE = 1e-9;

/** Which Stat metrics are in [0, 1] and which are positive; the rest are non-negative. */
const FRACTION_METRICS = new Set(['accuracy']);
const NON_NEGATIVE_METRICS = new Set([
  'testLoss',
  'carbonPerInferenceG',
  'carbonPerEpochG',
  'energyPerInferenceKwh',
  'energyPerEpochKwh',
  'carbonPerInferenceGOriginal',
  'carbonPerEpochGOriginal',
]);

/** Each Stat metric as the per-trial value it summarises (the engine's runMetrics, read back). */
const meanEpoch = (trial: Trial, pick: (e: Trial['epochs'][number]) => number) =>
  trial.epochs.reduce((sum, e) => sum + pick(e), 0) / trial.epochs.length;
/** `preset` is the default carbon preset, the first of the file's `carbon` parameters. */
const carbonOf = (trial: Trial, preset: string | undefined) => trial.carbon.find((c) => c.preset === preset);
const PER_TRIAL: Record<string, (trial: Trial, preset: string | undefined) => number | undefined> = {
  accuracy: (t) => t.test.accuracy,
  testLoss: (t) => t.test.testLoss,
  trainSecondsPerEpoch: (t) => meanEpoch(t, (e) => e.trainSeconds),
  cpuSecondsPerEpoch: (t) => meanEpoch(t, (e) => e.cpuSeconds),
  samplesPerSecond: (t) => meanEpoch(t, (e) => e.samplesPerSecond),
  latencyP50Us: (t) => t.latency.batch1.p50Us,
  latencyP90Us: (t) => t.latency.batch1.p90Us,
  latencyP99Us: (t) => t.latency.batch1.p99Us,
  latencyAmortisedUs: (t) => t.latency.amortisedBatch64Us,
  throughputImagesPerSecond: (t) => t.latency.throughput.imagesPerSecond,
  carbonPerInferenceG: (t, preset) => carbonOf(t, preset)?.perInferenceG,
  carbonPerEpochG: (t, preset) => carbonOf(t, preset)?.perEpochG,
  energyPerInferenceKwh: (t, preset) => carbonOf(t, preset)?.perInferenceKwh,
  energyPerEpochKwh: (t, preset) => carbonOf(t, preset)?.perEpochKwh,
  carbonPerInferenceGOriginal: (t) => t.carbon.find((c) => c.preset === 'original')?.perInferenceG,
  carbonPerEpochGOriginal: (t) => t.carbon.find((c) => c.preset === 'original')?.perEpochG,
};

/** The Stat metrics whose values are checked against the trials (every Stat of RunMetrics). */
export const CHECKED_STATS: readonly string[] = Object.keys(PER_TRIAL);

const show = (value: number) => String(Number(value.toPrecision(6)));
const close = (a: number, b: number, scale: number) =>
  Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b), scale);

/** Checks the meaning of `results` (already schema-valid); throws a ResultsError naming `file` and the path. */
export function checkResults(results: Results, file: string): void {
  const fail = (field: string, reason: string): never => {
    throw new ResultsError(file, field, reason);
  };
  const inRange = (field: string, value: number, kind: 'fraction' | 'positive' | 'nonNegative' | 'count') => {
    if (!Number.isFinite(value)) fail(field, `${value} is not a finite number`);
    if (kind === 'fraction' && (value < 0 || value > 1)) fail(field, `${show(value)} is outside [0, 1]`);
    if (kind === 'positive' && value <= 0) fail(field, `${show(value)} must be positive`);
    if (kind === 'nonNegative' && value < 0) fail(field, `${show(value)} must not be negative`);
    if (kind === 'count' && (!Number.isInteger(value) || value < 0))
      fail(field, `${value} must be a non-negative integer`);
  };

  const { provenance, dataset } = results;
  const date = provenance.date;
  const parsed = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(date) ? new Date(date) : null;
  if (
    parsed === null ||
    Number.isNaN(parsed.getTime()) ||
    parsed.toISOString().slice(0, 19) !== date.slice(0, 19)
  ) {
    fail('provenance.date', `'${date}' is not a valid ISO 8601 UTC time (e.g. 2025-03-01T12:00:00.000Z)`);
  }
  inRange('provenance.wallSeconds', provenance.wallSeconds, 'positive');
  inRange('provenance.cores', provenance.cores, 'positive');
  for (const key of ['trainSize', 'validationSize', 'testSize'] as const) {
    inRange(`dataset.${key}`, dataset[key], 'count');
  }

  const keys = new Map<string, number>();
  results.runs.forEach((run, r) => {
    const first = keys.get(run.key);
    if (first !== undefined)
      fail(`runs[${r}].key`, `'${run.key}' is also the key of runs[${first}]; run keys must be unique`);
    keys.set(run.key, r);
    checkRun(run, `runs[${r}]`, results, fail, inRange);
  });

  results.comparisons.forEach((c, i) => {
    const at = `comparisons[${i}]`;
    for (const side of ['a', 'b'] as const) {
      if (!keys.has(c[side]))
        fail(`${at}.${side}`, `unknown run '${c[side]}' (known: ${[...keys.keys()].join(', ')})`);
    }
    inRange(`${at}.pValue`, c.pValue, 'fraction');
    const n = c.onlyACorrect + c.onlyBCorrect;
    const expected =
      n === 0 ? 1 : Math.min(1, 2 * cephes().bdtr(Math.min(c.onlyACorrect, c.onlyBCorrect), n, 0.5));
    if (!close(c.pValue, expected, 0)) {
      fail(
        `${at}.pValue`,
        `${show(c.pValue)} contradicts onlyACorrect ${c.onlyACorrect} and onlyBCorrect ${c.onlyBCorrect} (McNemar's exact p is ${show(expected)})`,
      );
    }
  });

  results.testDigits.forEach((digit, i) => {
    if (digit.index >= dataset.testSize)
      fail(`testDigits[${i}].index`, `${digit.index} is outside the ${dataset.testSize} test images`);
    if (digit.label > 9) fail(`testDigits[${i}].label`, `${digit.label} is outside 0..9`);
    const bytes = Buffer.from(digit.pixelsBase64, 'base64').length;
    if (bytes !== 784) fail(`testDigits[${i}].pixelsBase64`, `holds ${bytes} bytes, expected 784 (28×28)`);
  });

  if (results.samples !== null) {
    const { indices, predictions } = results.samples;
    for (const [key, predicted] of Object.entries(predictions)) {
      const at = `samples.predictions.${key}`;
      if (!keys.has(key)) fail(at, `unknown run '${key}' (known: ${[...keys.keys()].join(', ')})`);
      if (predicted.length !== indices.length)
        fail(at, `holds ${predicted.length} predictions for ${indices.length} indices`);
    }
  }
}

type Fail = (field: string, reason: string) => never;
type InRange = (
  field: string,
  value: number,
  kind: 'fraction' | 'positive' | 'nonNegative' | 'count',
) => void;

function checkRun(run: Run, at: string, results: Results, fail: Fail, inRange: InRange): void {
  const seeds = results.provenance.seeds;
  if (run.trials.length !== seeds.length) {
    fail(`${at}.trials`, `holds ${run.trials.length} trials but provenance.seeds lists ${seeds.length}`);
  }
  run.trials.forEach((trial, k) => {
    const t = `${at}.trials[${k}]`;
    if (trial.seed !== seeds[k])
      fail(`${t}.seed`, `${trial.seed} differs from provenance.seeds[${k}] (${seeds[k]})`);
    const test = trial.test;
    if (test.correct > test.total)
      fail(`${t}.test.correct`, `${test.correct} is more than the ${test.total} test images`);
    inRange(`${t}.test.accuracy`, test.accuracy, 'fraction');
    if (!close(test.accuracy, test.correct / test.total, 0)) {
      fail(
        `${t}.test.accuracy`,
        `${show(test.accuracy)} contradicts correct / total (${test.correct} / ${test.total})`,
      );
    }
    inRange(`${t}.test.testLoss`, test.testLoss, 'nonNegative');
    test.perClassAccuracy.forEach((v, c) => inRange(`${t}.test.perClassAccuracy[${c}]`, v, 'fraction'));
    const confused = test.confusion.flat().reduce((a, b) => a + b, 0);
    if (confused !== test.total)
      fail(`${t}.test.confusion`, `counts ${confused} images, expected test.total (${test.total})`);
    if (test.misclassified.length !== test.total - test.correct) {
      fail(
        `${t}.test.misclassified`,
        `lists ${test.misclassified.length} images, expected total − correct (${test.total - test.correct})`,
      );
    }
    test.misclassified.forEach((m, i) =>
      inRange(`${t}.test.misclassified[${i}].confidence`, m.confidence, 'fraction'),
    );
    trial.epochs.forEach((e, i) => {
      const at = `${t}.epochs[${i}]`;
      inRange(`${at}.trainAccuracy`, e.trainAccuracy, 'fraction');
      inRange(`${at}.valAccuracy`, e.valAccuracy, 'fraction');
      inRange(`${at}.trainLoss`, e.trainLoss, 'nonNegative');
      inRange(`${at}.valLoss`, e.valLoss, 'nonNegative');
      inRange(`${at}.trainSeconds`, e.trainSeconds, 'positive');
      inRange(`${at}.cpuSeconds`, e.cpuSeconds, 'nonNegative');
      inRange(`${at}.samplesPerSecond`, e.samplesPerSecond, 'positive');
    });
    const latency = trial.latency.batch1;
    for (const key of ['p50Us', 'p90Us', 'p99Us', 'meanUs'] as const)
      inRange(`${t}.latency.batch1.${key}`, latency[key], 'positive');
    if (latency.p50Us > latency.p90Us || latency.p90Us > latency.p99Us) {
      fail(
        `${t}.latency.batch1`,
        `percentiles out of order: p50 ${show(latency.p50Us)}, p90 ${show(latency.p90Us)}, p99 ${show(latency.p99Us)} µs`,
      );
    }
    inRange(`${t}.latency.amortisedBatch64Us`, trial.latency.amortisedBatch64Us, 'positive');
    inRange(`${t}.latency.throughput.imagesPerSecond`, trial.latency.throughput.imagesPerSecond, 'positive');
    inRange(`${t}.peakRssBytes`, trial.peakRssBytes, 'positive');
    trial.carbon.forEach((c, i) => {
      for (const key of ['perInferenceKwh', 'perInferenceG', 'perEpochKwh', 'perEpochG'] as const)
        inRange(`${t}.carbon[${i}].${key}`, c[key], 'nonNegative');
    });
  });

  const sum = (field: 'params' | 'flops' | 'poolingFlops' | 'activationFlops') =>
    run.layers.reduce((a, l) => a + l[field], 0);
  for (const field of ['params', 'flops', 'poolingFlops', 'activationFlops'] as const) {
    inRange(`${at}.metrics.${field}`, run.metrics[field], 'count');
    if (run.metrics[field] !== sum(field))
      fail(
        `${at}.metrics.${field}`,
        `${run.metrics[field]} differs from the sum over layers[].${field} (${sum(field)})`,
      );
  }
  inRange(`${at}.metrics.sizeBytes`, run.metrics.sizeBytes, 'count');
  inRange(`${at}.metrics.sizeWithOptimizerBytes`, run.metrics.sizeWithOptimizerBytes, 'count');

  for (const [name, perTrial] of Object.entries(PER_TRIAL)) {
    const stat = run.metrics[name as keyof Run['metrics']] as Stat;
    const kind = FRACTION_METRICS.has(name)
      ? 'fraction'
      : NON_NEGATIVE_METRICS.has(name)
        ? 'nonNegative'
        : 'positive';
    if (stat.values.length !== run.trials.length) {
      fail(
        `${at}.metrics.${name}.values`,
        `holds ${stat.values.length} values for ${run.trials.length} trials`,
      );
    }
    run.trials.forEach((trial, k) => {
      const expected = perTrial(trial, results.carbon[0]?.preset);
      if (expected === undefined || !close(stat.values[k]!, expected, 0)) {
        fail(
          `${at}.metrics.${name}.values[${k}]`,
          `${show(stat.values[k]!)} differs from trial ${k}'s value (${expected === undefined ? 'none' : show(expected)})`,
        );
      }
    });
    checkStat(stat, `${at}.metrics.${name}`, kind, fail, inRange);
  }
}

/** A Stat's own consistency: values in range, and mean, sd and 95% CI recomputed from them. */
function checkStat(
  stat: Stat,
  at: string,
  kind: 'fraction' | 'positive' | 'nonNegative',
  fail: Fail,
  inRange: InRange,
): void {
  const n = stat.values.length;
  if (n === 0) fail(`${at}.values`, 'is empty');
  stat.values.forEach((v, i) => inRange(`${at}.values[${i}]`, v, kind));
  const mean = stat.values.reduce((a, b) => a + b, 0) / n;
  const scale = Math.max(...stat.values.map(Math.abs));
  if (!close(stat.mean, mean, scale))
    fail(`${at}.mean`, `${show(stat.mean)} contradicts its values (their mean is ${show(mean)})`);
  const sd = n === 1 ? 0 : Math.sqrt(stat.values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  if (!close(stat.sd, sd, scale))
    fail(`${at}.sd`, `${show(stat.sd)} contradicts its values (their sample sd is ${show(sd)})`);
  if (n === 1) {
    if (stat.ci95 !== null) fail(`${at}.ci95`, 'must be null for a single trial');
    return;
  }
  if (stat.ci95 === null) fail(`${at}.ci95`, `is null but there are ${n} trials`);
  const half = cephes().stdtri(n - 1, 0.975) * (sd / Math.sqrt(n));
  const [low, high] = stat.ci95!;
  if (!close(low, mean - half, scale) || !close(high, mean + half, scale)) {
    fail(
      `${at}.ci95`,
      `[${show(low)}, ${show(high)}] contradicts its values (their 95% interval is [${show(mean - half)}, ${show(mean + half)}])`,
    );
  }
}
