/**
 * Learning curves: a run's training and validation accuracy and loss after each epoch, summarised
 * over its seeds, and the two epochs the prose talks about, where mean validation accuracy peaks
 * and where it stops improving. The chart (charts/learning-curves.ts), the learning-curve table
 * (tables.ts), the shortcodes and the claims all read them from here, so they share one definition.
 */
import type { EpochLog, Run } from '../experiments/lib/contract/results.ts';

/** The per-epoch fields of a trial's log that a learning curve draws (experiments/lib/contract/results.ts EpochLog). */
export type EpochField = Extract<keyof EpochLog, 'trainAccuracy' | 'valAccuracy' | 'trainLoss' | 'valLoss'>;
export const EPOCH_FIELDS: readonly EpochField[] = ['trainAccuracy', 'valAccuracy', 'trainLoss', 'valLoss'];

export function isEpochField(name: string): name is EpochField {
  return (EPOCH_FIELDS as readonly string[]).includes(name);
}

/** One epoch of one field over a run's seeds. e.g. { epoch: 5, values: [0.981, 0.984], mean: 0.9825, min: 0.981, max: 0.984 } */
export interface EpochSummary {
  epoch: number;
  /** Every trial's value, in the order of the run's trials (`provenance.seeds`). */
  values: number[];
  mean: number;
  /** The lowest and highest seed: the band the learning-curve chart draws. */
  min: number;
  max: number;
}

/** The epochs every trial of the run logged, e.g. [1, 2, …, 10]; an error if the trials disagree. */
export function runEpochs(run: Run): number[] {
  const epochs = run.trials[0]!.epochs.map((log) => log.epoch);
  for (const trial of run.trials) {
    const own = trial.epochs.map((log) => log.epoch);
    if (own.join() !== epochs.join()) {
      throw new Error(
        `run '${run.key}': seed ${trial.seed} logged epochs ${own.join(', ')}, seed ${run.trials[0]!.seed} ${epochs.join(', ')}`,
      );
    }
  }
  return epochs;
}

/** A field after each epoch, summarised over the run's seeds, in epoch order. */
export function epochSummaries(run: Run, field: EpochField): EpochSummary[] {
  return runEpochs(run).map((epoch, i) => {
    const values = run.trials.map((trial) => trial.epochs[i]![field]);
    return {
      epoch,
      values,
      mean: values.reduce((a, b) => a + b, 0) / values.length,
      min: Math.min(...values),
      max: Math.max(...values),
    };
  });
}

/** The summary of one epoch, or null when the run has no such epoch. */
export function epochSummary(run: Run, field: EpochField, epoch: number): EpochSummary | null {
  return epochSummaries(run, field).find((summary) => summary.epoch === epoch) ?? null;
}

/**
 * The epoch with the highest mean validation accuracy over the seeds; the earliest of equal ones.
 * It can come late only because validation accuracy is noisy (a few of 6,000 images), which is why
 * the prose leans on `plateauEpoch` instead.
 */
export function peakEpoch(run: Run): number {
  const curve = epochSummaries(run, 'valAccuracy');
  return curve.reduce((best, summary) => (summary.mean > best.mean ? summary : best)).epoch;
}

/**
 * How close to the peak counts as having stopped improving: a tenth of a percentage point of
 * validation accuracy, six of the 6,000 validation images.
 */
export const PLATEAU_TOLERANCE = 0.001;

/**
 * The epoch at which mean validation accuracy stops improving: the first epoch whose mean is within
 * `tolerance` of the best mean of all epochs. Equivalently, the first epoch after which no later
 * epoch improves on it by more than `tolerance`. e.g. means 0.950, 0.970, 0.9795, 0.980 → epoch 3
 */
export function plateauEpoch(run: Run, tolerance: number = PLATEAU_TOLERANCE): number {
  const curve = epochSummaries(run, 'valAccuracy');
  const best = Math.max(...curve.map((summary) => summary.mean));
  return curve.find((summary) => summary.mean >= best - tolerance)!.epoch;
}

/** Quantities of a run's learning curves that claims may name like a metric, e.g. `lenet5.plateauEpoch`. */
export const CURVE_QUANTITIES = { peakEpoch, plateauEpoch } as const satisfies Record<
  string,
  (run: Run) => number
>;
export type CurveQuantity = keyof typeof CURVE_QUANTITIES;

export function isCurveQuantity(name: string): name is CurveQuantity {
  return Object.hasOwn(CURVE_QUANTITIES, name);
}

/** `epoch5` → 5; anything else → null. */
export function epochOfName(name: string): number | null {
  const match = /^epoch([1-9]\d*)$/.exec(name);
  return match === null ? null : Number(match[1]);
}
