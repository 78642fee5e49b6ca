/**
 * The plan: every trial the selected definitions ask for, with what will happen to it and why.
 *   cached   the results file holds this trial under the same key, measured by the same code;
 *   measure  the trial store holds it (trained earlier, here or on another machine): re-measured from
 *            its stored weights, not retrained;
 *   train    neither: trained (new trial, settings changed, data/backend/engine code changed).
 * An experiment's results are rewritten when any of its trials is not cached, when its definition or
 * the assembling code changed, or when trials were dropped. Planning trains nothing.
 */
import type { Definition } from '../contract/definitions.ts';
import type { Results, Run, Trial } from '../contract/results.ts';
import type { TrialSettings } from '../contract/trial.ts';
import { changedFiles, combinedHash, type CodeKeys } from './code-key.ts';
import { hasRecord } from './store.ts';
import { trialKey, type KeyContext } from './trial-key.ts';

export type Action = 'cached' | 'measure' | 'train';

/** The smaller problem `--quick` runs: for smoke tests, never for publishing. */
export const QUICK = {
  trainImages: 2400,
  validationSize: 400,
  testImages: 1000,
  epochs: 1,
  latencyCalls: 200,
};

/** Timed batch-1 calls per trial in published results. */
export const LATENCY_CALLS = 1000;

export interface PlannedTrial {
  experiment: string;
  /** The run the trial belongs to: `<model>`, or `<model>@<batch>` when the experiment sweeps batch sizes. */
  runKey: string;
  model: string;
  label: string;
  batchSize: number;
  seed: number;
  key: string;
  settings: TrialSettings;
  action: Action;
  reason: string;
  /** Expected seconds to train (and measure) it, from recorded epoch times where there are any. */
  estimateSeconds: number;
  /** The trial as the results file holds it, when cached. */
  cached: Trial | null;
}

export interface PlannedExperiment {
  definition: Definition;
  file: string;
  /** The results as they are on disk, or null when missing or unreadable. */
  existing: Results | null;
  trials: PlannedTrial[];
  /** Null when the results file is up to date; else why it will be (re)written. */
  writeReason: string | null;
}

export interface PlanContext extends KeyContext {
  code: CodeKeys;
  store: string;
  quick: boolean;
  /** Retrain every trial, ignoring the results and the store. */
  force: boolean;
  /** Ignore the results: re-measure every trial the store holds, train the others. */
  refresh: boolean;
}

/** The settings of every trial of a definition, in results order (model, then batch size, then seed). */
export function trialSettings(
  definition: Definition,
  quick: boolean,
): { runKey: string; model: string; label: string; settings: TrialSettings }[] {
  const seeds = quick ? definition.seeds.slice(0, 1) : definition.seeds;
  const multiBatch = definition.batchSizes.length > 1;
  return definition.models.flatMap((model) => {
    const architecture = definition.architectures[model]!;
    return definition.batchSizes.flatMap((batchSize) =>
      seeds.map((seed) => ({
        runKey: multiBatch ? `${model}@${batchSize}` : model,
        model,
        label: multiBatch ? `${architecture.label} @ ${batchSize}` : architecture.label,
        settings: {
          model,
          layers: architecture.layers as unknown as Record<string, unknown>[],
          batchSize,
          seed,
          epochs: quick ? Math.min(QUICK.epochs, definition.epochs) : definition.epochs,
          optimizer: definition.optimizer,
          learningRate: definition.learningRate,
          validationSize: quick ? QUICK.validationSize : definition.validationSize,
          trainImages: quick ? QUICK.trainImages : null,
          testImages: quick ? QUICK.testImages : null,
        },
      })),
    );
  });
}

/** The settings a results file's trial was trained with, rebuilt from what the file records. */
function recordedSettings(results: Results, run: Run, trial: Trial): Partial<TrialSettings> {
  const d = results.experiment.definition as Partial<Definition>;
  const quick = results.provenance.quick;
  return {
    model: run.model,
    layers: run.architecture,
    batchSize: run.batchSize,
    seed: trial.seed,
    epochs: trial.epochs.length,
    optimizer: d.optimizer,
    learningRate: d.learningRate,
    validationSize: results.dataset.validationSize,
    trainImages: quick ? results.dataset.trainSize + results.dataset.validationSize : null,
    testImages: quick ? results.dataset.testSize : null,
  };
}

const SETTING_NAMES: Record<keyof TrialSettings, string> = {
  model: 'model',
  layers: 'architecture',
  batchSize: 'batch size',
  seed: 'seed',
  epochs: 'epochs',
  optimizer: 'optimizer',
  learningRate: 'learning rate',
  validationSize: 'validation size',
  trainImages: 'training images',
  testImages: 'test images',
};

const show = (v: unknown) => (Array.isArray(v) ? `${v.length} layers` : String(v));

/** `a → b` for the first differing space-separated words of two descriptions, e.g. `Haswell → Cooperlake`. */
function wordChange(a: string, b: string): string {
  const x = a.split(' ');
  const y = b.split(' ');
  const i = x.findIndex((word, k) => word !== y[k]);
  return i === -1 ? `${a} → ${b}` : `${x[i] ?? '(none)'} → ${y[i] ?? '(none)'}`;
}

/** What differs between the backend that produced `results` and this one, e.g. `BLAS Haswell → Cooperlake`. */
function backendChange(results: Results, backend: Record<string, unknown>): string | null {
  const p = results.provenance;
  const changes: string[] = [];
  if (p.backend !== backend.backend) changes.push(`${p.backend} → ${String(backend.backend)}`);
  else if (p.backendVersion !== backend.backendVersion)
    changes.push(`${p.backend} ${p.backendVersion} → ${String(backend.backendVersion)}`);
  if (p.tfjs !== backend.tfjs) changes.push(`tfjs ${p.tfjs} → ${String(backend.tfjs)}`);
  if (p.threads !== backend.threads) changes.push(`threads ${p.threads} → ${String(backend.threads)}`);
  const blas = (backend.blas as string | null) ?? null;
  if (p.blas !== blas)
    changes.push(
      p.blas === null
        ? 'products on OpenBLAS'
        : blas === null
          ? 'products off OpenBLAS'
          : `BLAS ${wordChange(p.blas, blas)}`,
    );
  return changes.length > 0 ? changes.join(', ') : null;
}

/** Why a trial trained before under another key must train again: what differs. */
export function retrainReason(
  results: Results,
  run: Run,
  trial: Trial,
  settings: TrialSettings,
  context: PlanContext,
): string {
  const code = results.experiment.code;
  if (code === undefined) return 'results from before trial keys';
  const reasons: string[] = [];
  const before = recordedSettings(results, run, trial);
  const settingChanges = (Object.keys(SETTING_NAMES) as (keyof TrialSettings)[])
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(settings[k]))
    .map((k) =>
      k === 'layers' ? 'architecture' : `${SETTING_NAMES[k]} ${show(before[k])} → ${show(settings[k])}`,
    );
  if (settingChanges.length > 0) reasons.push(`settings changed (${settingChanges.join(', ')})`);
  if (JSON.stringify(results.dataset.checksums) !== JSON.stringify(context.dataChecksums))
    reasons.push('other data');
  const backend = backendChange(results, context.backend);
  if (backend !== null) reasons.push(`backend changed (${backend})`);
  const files = changedFiles(code.train, context.trainCode);
  if (files.length > 0) reasons.push(`engine code changed: ${files.join(', ')}`);
  return reasons.length > 0 ? reasons.join('; ') : 'key changed';
}

/**
 * Seconds a trial is expected to take: its epochs at the recorded time per epoch of the same run in
 * the results (any seed), else a rough figure from the number of steps.
 */
function estimate(settings: TrialSettings, existing: Results | null, runKey: string): number {
  const run = existing?.runs.find((r) => r.key === runKey);
  const recorded = run?.trials.flatMap((t) => t.epochs.map((e) => e.trainSeconds)) ?? [];
  const validationAndMeasuring = 3 + settings.epochs;
  if (recorded.length > 0 && existing?.provenance.quick === (settings.trainImages !== null))
    return (recorded.reduce((a, b) => a + b, 0) / recorded.length) * settings.epochs + validationAndMeasuring;
  const images = (settings.trainImages ?? 60_000) - settings.validationSize;
  const steps = Math.ceil(images / settings.batchSize) * settings.epochs;
  // About 4 ms a step at batch 1 and 0.08 ms an image beyond: this engine's MLPs on one core.
  return steps * 0.004 + images * settings.epochs * 0.00008 + validationAndMeasuring;
}

export async function planExperiment(
  definition: Definition,
  file: string,
  existing: Results | null,
  context: PlanContext,
): Promise<PlannedExperiment> {
  const measureHash = combinedHash(context.code.measure);
  const measuredWith = existing?.experiment.code?.measure;
  const measuringChanged = measuredWith === undefined || combinedHash(measuredWith) !== measureHash;
  const trials: PlannedTrial[] = [];
  for (const cell of trialSettings(definition, context.quick)) {
    const key = trialKey(cell.settings, context);
    const run = existing?.runs.find((r) => r.key === cell.runKey);
    const before = run?.trials.find((t) => t.seed === cell.settings.seed);
    const stored = await hasRecord(context.store, key);
    let action: Action;
    let reason: string;
    if (context.force) {
      action = 'train';
      reason = 'forced';
    } else if (!context.refresh && before !== undefined && before.key === key && !measuringChanged) {
      action = 'cached';
      reason = 'up to date';
    } else if (stored) {
      action = 'measure';
      reason = context.refresh
        ? 'refresh: re-measured from the store'
        : before?.key === key
          ? `measuring code changed${measuredWith ? `: ${changedFiles(measuredWith, context.code.measure).join(', ')}` : ''}`
          : 'trained earlier (in the store)';
    } else {
      action = 'train';
      reason =
        before === undefined || run === undefined || existing === null
          ? 'new trial'
          : before.key === key
            ? `measuring code changed (${changedFiles(measuredWith ?? {}, context.code.measure).join(', ')}) and the trial is not in the store`
            : retrainReason(existing, run, before, cell.settings, context);
    }
    trials.push({
      experiment: definition.id,
      runKey: cell.runKey,
      model: cell.model,
      label: cell.label,
      batchSize: cell.settings.batchSize,
      seed: cell.settings.seed,
      key,
      settings: cell.settings,
      action,
      reason,
      estimateSeconds: action === 'cached' ? 0 : estimate(cell.settings, existing, cell.runKey),
      cached: action === 'cached' ? before! : null,
    });
  }
  return {
    definition,
    file,
    existing,
    trials,
    writeReason: writeReason(definition, existing, trials, context),
  };
}

function writeReason(
  definition: Definition,
  existing: Results | null,
  trials: PlannedTrial[],
  context: PlanContext,
): string | null {
  if (existing === null) return 'no results yet';
  if (trials.some((t) => t.action !== 'cached')) return 'trials to train or measure';
  if (existing.experiment.definitionHash !== definition.hash) return 'definition changed';
  const report = existing.experiment.code?.report;
  if (report === undefined || combinedHash(report) !== combinedHash(context.code.report))
    return `assembling code changed${report ? `: ${changedFiles(report, context.code.report).join(', ')}` : ''}`;
  const planned = trials.length;
  const held = existing.runs.reduce((n, r) => n + r.trials.length, 0);
  if (held !== planned) return `the results hold ${held} trials, the definition ${planned}`;
  return null;
}

/**
 * The trials that need a worker, each key once (two experiments may share a trial), longest first:
 * a trial to train wins over a plain measurement of the same key.
 */
export function workList(experiments: readonly PlannedExperiment[]): PlannedTrial[] {
  const byKey = new Map<string, PlannedTrial>();
  for (const trial of experiments.flatMap((e) => e.trials)) {
    if (trial.action === 'cached') continue;
    const seen = byKey.get(trial.key);
    if (seen === undefined || (seen.action === 'measure' && trial.action === 'train'))
      byKey.set(trial.key, trial);
  }
  return [...byKey.values()].sort(
    (a, b) => b.estimateSeconds - a.estimateSeconds || a.key.localeCompare(b.key),
  );
}

/**
 * The K-th (1-based) of N disjoint, deterministic slices of the work: longest first, each trial to the
 * slice with the least work so far (ties to the lowest index), so slices take about as long. The
 * slices depend on the checkout alone (definitions, committed results, code), not on what a machine's
 * store holds, so N machines agree on them; a shard then trains those of its trials not yet stored.
 */
export function shardOf(work: readonly PlannedTrial[], shard: number, shards: number): PlannedTrial[] {
  const loads = new Array<number>(shards).fill(0);
  const mine: PlannedTrial[] = [];
  for (const trial of work) {
    let best = 0;
    for (let i = 1; i < shards; i++) if (loads[i]! < loads[best]!) best = i;
    loads[best]! += trial.estimateSeconds;
    if (best === shard - 1) mine.push(trial);
  }
  return mine;
}
