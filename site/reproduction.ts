/**
 * The reproduction verdict of a model: does this engine train it to the accuracy PyTorch reaches
 * with the original series' set-up? Computed at build time from two data sets, this engine's
 * per-seed test accuracies (experiments/results/<id>.json) and PyTorch's (the reference,
 * reference.ts). A model is "reproduced" when Welch's two-sided t-test cannot tell the two apart
 * (p ≥ 0.05) and the original's published figure lies within this engine's seed range [min, max];
 * otherwise it "differs".
 *
 * The engine's side is the largest sample of the model trained with the reference's set-up (batch
 * size, epochs, optimizer, learning rate, data split, parameter count; not a quick run) among all
 * the results, so a dedicated many-seed experiment (mlp1-seeds) settles a model for every post
 * that shows it; ties go to the page's own experiment.
 */
import type { Results, Run } from '../experiments/lib/contract/results.ts';
import { ContentError } from './errors.ts';
import { formatCount, formatPValue, formatPercent, formatRatio, significant } from './format.ts';
import { ORIGINAL } from './original.ts';
import type { Reference } from './reference.ts';
import type { ResultsData, Where } from './results.ts';
import {
  leveneTest,
  summariseSample,
  welchTest,
  type LeveneTest,
  type Sample,
  type WelchTest,
} from './stats.ts';

/** The significance level of the verdict's Welch test. */
export const VERDICT_ALPHA = 0.05;

/** One side of a verdict: per-seed test accuracies (fractions) and their summary. */
export interface VerdictSide {
  seeds: number[];
  values: number[];
  sample: Sample;
}

export interface Verdict {
  model: string;
  /** Display name, e.g. `MLP-1`. */
  label: string;
  /** This engine's side, with the experiment and run it comes from. */
  engine: VerdictSide & { experimentId: string; experimentTitle: string; runKey: string };
  pytorch: VerdictSide;
  /** The original's published test accuracy for the model (a fraction), or null if it published none. */
  original: number | null;
  /** This engine against PyTorch: t > 0 when this engine's mean is higher. */
  welch: WelchTest;
  /** Equal variances (Levene, median-centred). */
  levene: LeveneTest;
  /** The original's figure within this engine's seed range [min, max]; false when there is no figure. */
  originalInRange: boolean;
  reproduced: boolean;
}

/** Whether `run` of `results` was trained with the reference's set-up, with at least two seeds. */
function matchesSetup(results: Results, run: Run, reference: Reference, model: string): boolean {
  const { setup } = reference;
  const definition = results.experiment.definition;
  return (
    run.model === model &&
    run.batchSize === setup.batchSize &&
    run.trials.length >= 2 &&
    run.trials.every((trial) => trial.epochs.length === setup.epochs) &&
    definition.optimizer === setup.optimizer &&
    definition.learningRate === setup.learningRate &&
    results.dataset.trainSize === setup.trainSize &&
    results.dataset.validationSize === setup.validationSize &&
    results.dataset.testSize === setup.testSize &&
    !results.provenance.quick &&
    run.metrics.params === reference.models[model]?.params
  );
}

/** The largest engine sample of `model` with the reference's set-up; ties: `pageId`'s, then by experiment id. */
export function engineSample(
  results: ResultsData,
  reference: Reference,
  model: string,
  pageId: string | null,
): { results: Results; run: Run } | null {
  const candidates = Object.keys(results)
    .sort()
    .flatMap((id) => results[id]!.runs.map((run) => ({ results: results[id]!, run })))
    .filter(({ results: r, run }) => matchesSetup(r, run, reference, model));
  let best: { results: Results; run: Run } | null = null;
  for (const candidate of candidates) {
    const better =
      best === null ||
      candidate.run.trials.length > best.run.trials.length ||
      (candidate.run.trials.length === best.run.trials.length &&
        candidate.results.experiment.id === pageId &&
        best.results.experiment.id !== pageId);
    if (better) best = candidate;
  }
  return best;
}

/**
 * The original's published test accuracy of `model` at the reference's batch size: the page's
 * experiment's figure if it published one, else the first other post's. e.g. ('mlp1', 'batch-size', 64) → 0.964
 */
export function originalAccuracy(model: string, pageId: string | null, batchSize: number): number | null {
  const ids = [...(pageId === null ? [] : [pageId]), ...Object.keys(ORIGINAL)];
  for (const id of ids) {
    const runs = ORIGINAL[id]?.runs ?? {};
    const figure = runs[model]?.accuracy ?? runs[`${model}@${batchSize}`]?.accuracy;
    if (figure !== undefined) return figure;
  }
  return null;
}

/** Welch's and Levene's tests and the verdict, from the two sides' per-seed values and the original's figure. */
export function judge(
  engine: readonly number[],
  pytorch: readonly number[],
  original: number | null,
): Pick<Verdict, 'welch' | 'levene' | 'originalInRange' | 'reproduced'> {
  const welch = welchTest(engine, pytorch);
  const levene = leveneTest(engine, pytorch);
  const originalInRange =
    original !== null && original >= Math.min(...engine) && original <= Math.max(...engine);
  return { welch, levene, originalInRange, reproduced: welch.p >= VERDICT_ALPHA && originalInRange };
}

/** The verdict of `model` as a page of experiment `pageId` shows it, or null when either side lacks data. */
export function findVerdict(
  results: ResultsData,
  reference: Reference | null,
  model: string,
  pageId: string | null,
): Verdict | null {
  const runs = reference?.models[model]?.runs;
  if (reference === null || runs === undefined || runs.length < 2) return null;
  const found = engineSample(results, reference, model, pageId);
  if (found === null) return null;
  const { results: experiment, run } = found;
  const engineValues = run.trials.map((t) => t.test.accuracy);
  const pytorchValues = runs.map((r) => r.accuracy);
  const original = originalAccuracy(model, pageId, reference.setup.batchSize);
  return {
    model,
    label: run.label.replace(new RegExp(`\\s*@\\s*${run.batchSize}$`), ''),
    engine: {
      experimentId: experiment.experiment.id,
      experimentTitle: experiment.experiment.title,
      runKey: run.key,
      seeds: run.trials.map((t) => t.seed),
      values: engineValues,
      sample: summariseSample(engineValues),
    },
    pytorch: {
      seeds: runs.map((r) => r.seed),
      values: pytorchValues,
      sample: summariseSample(pytorchValues),
    },
    original,
    ...judge(engineValues, pytorchValues, original),
  };
}

/** The verdict of `model`, or a ContentError at `where` saying which data set is missing. */
export function requireVerdict(
  results: ResultsData,
  reference: Reference | null,
  model: string,
  pageId: string | null,
  where: Where,
): Verdict {
  if (reference === null) {
    throw new ContentError(
      where.file,
      where.line,
      `no PyTorch reference to compare '${model}' with (experiments/reference/pytorch.json is missing)`,
    );
  }
  const verdict = findVerdict(results, reference, model, pageId);
  if (verdict !== null) return verdict;
  if ((reference.models[model]?.runs.length ?? 0) < 2) {
    const known = Object.keys(reference.models).join(', ') || 'none';
    throw new ContentError(
      where.file,
      where.line,
      `the PyTorch reference has fewer than two seeds of '${model}' (models: ${known})`,
    );
  }
  throw new ContentError(
    where.file,
    where.line,
    `no results train '${model}' with the PyTorch reference's set-up (batch ${reference.setup.batchSize}, ${reference.setup.epochs} epochs, two or more seeds)`,
  );
}

/** A fraction as a percentage with two decimals, the resolution of seed-to-seed differences. e.g. 0.96215 → "96.22%" */
export function formatAccuracy(fraction: number): string {
  return formatPercent(fraction, 2);
}

/** A difference of fractions in percentage points, two decimals. e.g. -0.0038 → "−0.38 percentage points" */
function formatPoints(difference: number): string {
  return `${formatPercent(difference, 2).slice(0, -1)} percentage points`;
}

/** Two accuracies as a range, two decimals. e.g. [0.9554, 0.9672] → "95.54–96.72%" */
export function formatAccuracyRange([low, high]: readonly [number, number]): string {
  return `${formatAccuracy(low).slice(0, -1)}–${formatAccuracy(high)}`;
}

/**
 * A verdict's p-value: three significant figures, so one near the threshold shows which side it
 * falls on (0.0504, not 0.05); "< 0.001" below a thousandth. e.g. 0.89312 → "0.893"
 */
export function formatVerdictP(p: number): string {
  return p < 0.001 ? formatPValue(p) : significant(p, 3);
}

/** A statistic with two decimals and a true minus sign. e.g. -2.0012 → "−2.00" */
function formatSigned(x: number): string {
  return `${x < 0 ? '\u2212' : ''}${Math.abs(x).toFixed(2)}`;
}

/** A field of a verdict, as claims and the `{% reproduction %}` shortcode read it. */
export interface VerdictField {
  /** The number or statement a claim uses; absent for fields that are only text. */
  value?: (verdict: Verdict) => number | boolean;
  /** How prose shows it. */
  text: (verdict: Verdict) => string;
}

const intervalOf = (sample: Sample) =>
  sample.ci95 === null ? formatAccuracy(sample.mean) : formatAccuracyRange(sample.ci95);

/**
 * The fields of a verdict by name: `reproduction.mlp1.welchP` in a claim, `{% reproduction "mlp1" "welchP" %}`
 * in prose. Accuracies are fractions in claims (like `accuracy`), percentages in prose.
 */
export const VERDICT_FIELDS: Record<string, VerdictField> = {
  reproduced: { value: (v) => v.reproduced, text: (v) => (v.reproduced ? 'reproduced' : 'differs') },
  originalInRange: { value: (v) => v.originalInRange, text: (v) => (v.originalInRange ? 'yes' : 'no') },
  welchP: { value: (v) => v.welch.p, text: (v) => formatVerdictP(v.welch.p) },
  welchT: { value: (v) => v.welch.t, text: (v) => formatSigned(v.welch.t) },
  welchDf: { value: (v) => v.welch.df, text: (v) => significant(v.welch.df, 3) },
  leveneP: { value: (v) => v.levene.p, text: (v) => formatVerdictP(v.levene.p) },
  engineMean: { value: (v) => v.engine.sample.mean, text: (v) => formatAccuracy(v.engine.sample.mean) },
  pytorchMean: { value: (v) => v.pytorch.sample.mean, text: (v) => formatAccuracy(v.pytorch.sample.mean) },
  meanDifference: {
    value: (v) => v.engine.sample.mean - v.pytorch.sample.mean,
    text: (v) => formatPoints(v.engine.sample.mean - v.pytorch.sample.mean),
  },
  differenceLow: { value: (v) => v.welch.ci95[0], text: (v) => formatPoints(v.welch.ci95[0]) },
  differenceHigh: { value: (v) => v.welch.ci95[1], text: (v) => formatPoints(v.welch.ci95[1]) },
  differenceInterval: {
    text: (v) => {
      const [low, high] = v.welch.ci95.map((x) => formatPercent(x, 2).slice(0, -1));
      return `${low} to ${high} percentage points`;
    },
  },
  engineSd: { value: (v) => v.engine.sample.sd, text: (v) => formatPoints(v.engine.sample.sd) },
  pytorchSd: { value: (v) => v.pytorch.sample.sd, text: (v) => formatPoints(v.pytorch.sample.sd) },
  sdRatio: {
    value: (v) => v.engine.sample.sd / v.pytorch.sample.sd,
    text: (v) => formatRatio(v.engine.sample.sd, v.pytorch.sample.sd),
  },
  engineSeeds: { value: (v) => v.engine.sample.n, text: (v) => formatCount(v.engine.sample.n) },
  pytorchSeeds: { value: (v) => v.pytorch.sample.n, text: (v) => formatCount(v.pytorch.sample.n) },
  engineMin: { value: (v) => v.engine.sample.min, text: (v) => formatAccuracy(v.engine.sample.min) },
  engineMax: { value: (v) => v.engine.sample.max, text: (v) => formatAccuracy(v.engine.sample.max) },
  pytorchMin: { value: (v) => v.pytorch.sample.min, text: (v) => formatAccuracy(v.pytorch.sample.min) },
  pytorchMax: { value: (v) => v.pytorch.sample.max, text: (v) => formatAccuracy(v.pytorch.sample.max) },
  engineInterval: { text: (v) => intervalOf(v.engine.sample) },
  pytorchInterval: { text: (v) => intervalOf(v.pytorch.sample) },
  engineRange: { text: (v) => formatAccuracyRange([v.engine.sample.min, v.engine.sample.max]) },
  pytorchRange: { text: (v) => formatAccuracyRange([v.pytorch.sample.min, v.pytorch.sample.max]) },
  engineExperiment: { text: (v) => v.engine.experimentTitle },
};

/** The field `name` of the verdict catalogue, or a ContentError naming the known fields. */
export function verdictField(name: string, where: Where): VerdictField {
  const field = Object.hasOwn(VERDICT_FIELDS, name) ? VERDICT_FIELDS[name] : undefined;
  if (field === undefined) {
    throw new ContentError(
      where.file,
      where.line,
      `unknown reproduction field '${name}' (known: ${Object.keys(VERDICT_FIELDS).join(', ')})`,
    );
  }
  return field;
}
