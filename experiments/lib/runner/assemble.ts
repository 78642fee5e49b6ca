/**
 * Assembling an experiment's results file from its trials: runs in definition order, each run's
 * metrics rolled up over its seeds, McNemar comparisons, the test digits the site shows, and the
 * provenance. Pure: the layer tables come from the architectures' specs.
 */
import type { BackendInfo } from '../backend/select.ts';
import {
  RESULTS_SCHEMA_VERSION,
  type Results,
  type Run,
  type TestDigit,
  type Trial,
} from '../contract/results.ts';
import { CARBON_PRESETS, DEFAULT_CARBON_PRESET } from '../engine/carbon.ts';
import type { Mnist } from '../engine/dataset.ts';
import type { Layer } from '../contract/architecture.ts';
import { architectureSummary, totalFlops } from '../engine/flops.ts';
import { compareRuns, runMetrics } from '../engine/metrics.ts';
import { IMAGE_PIXELS as PIXELS } from '../contract/image.ts';
import type { CodeKeys } from './code-key.ts';
import type { PlannedExperiment } from './plan.ts';

/** How many test images the browser demo's parity check uses, and misclassified digits kept per run. */
export const SAMPLE_COUNT = 200;
const GALLERY_PER_RUN = 48;

export interface RunInput {
  trials: Trial[];
  /** Saved sizes of the first seed's model, bytes. */
  sizeBytes: number;
  sizeWithOptimizerBytes: number;
  /** Folder of the saved model relative to the results folder, when the definition keeps models. */
  savedModel: string | null;
}

export interface AssembleContext {
  data: Mnist;
  backend: BackendInfo;
  code: CodeKeys;
  commit: string | null;
  machine: { cpuModel: string; cores: number; os: string; node: string };
  date: Date;
  wallSeconds: number;
  quick: boolean;
}

export function assembleResults(
  planned: PlannedExperiment,
  inputs: Map<string, RunInput>,
  context: AssembleContext,
): Results {
  const { definition } = planned;
  const first = planned.trials[0]!.settings;
  const runKeys = [...new Set(planned.trials.map((t) => t.runKey))];
  const runs: Run[] = runKeys.map((runKey) => {
    const trial = planned.trials.find((t) => t.runKey === runKey)!;
    const input = inputs.get(runKey)!;
    const layers = architectureSummary(trial.settings.layers as unknown as Layer[]);
    return {
      key: runKey,
      model: trial.model,
      label: trial.label,
      batchSize: trial.batchSize,
      layers,
      architecture: trial.settings.layers,
      trials: input.trials,
      metrics: runMetrics(input.trials, {
        params: layers.reduce((n, l) => n + l.params, 0),
        ...totalFlops(layers),
        sizeBytes: input.sizeBytes,
        sizeWithOptimizerBytes: input.sizeWithOptimizerBytes,
      }),
      savedModel: input.savedModel,
    };
  });
  const testCount = first.testImages ?? context.data.test.count;
  const trainCount = first.trainImages ?? context.data.train.count;
  const labels = context.data.test.labels.subarray(0, testCount);
  const saved = runs.filter((r) => r.savedModel !== null);
  const samples =
    saved.length > 0 ? Array.from({ length: Math.min(SAMPLE_COUNT, testCount) }, (_, i) => i) : null;
  const seeds = [...new Set(planned.trials.map((t) => t.seed))];
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    experiment: {
      id: definition.id,
      title: definition.title,
      description: definition.description,
      definitionHash: definition.hash,
      code: context.code,
      definition: Object.fromEntries(
        Object.entries(definition).filter(([k]) => !['id', 'file', 'hash', 'architectures'].includes(k)),
      ),
    },
    provenance: {
      date: context.date.toISOString(),
      gitCommit: context.commit,
      node: context.machine.node,
      tfjs: context.backend.tfjs,
      backend: context.backend.name,
      backendVersion: context.backend.version,
      threads: context.backend.threads,
      blas: context.backend.blas,
      cpuModel: context.machine.cpuModel,
      cores: context.machine.cores,
      os: context.machine.os,
      seeds,
      quick: context.quick,
      wallSeconds: context.wallSeconds,
    },
    dataset: {
      name: definition.dataset,
      trainSize: trainCount - first.validationSize,
      validationSize: first.validationSize,
      testSize: testCount,
      checksums: context.data.checksums,
    },
    carbon: [CARBON_PRESETS[DEFAULT_CARBON_PRESET], CARBON_PRESETS.original],
    runs,
    comparisons: compareRuns(runs, labels),
    testDigits: testDigits(runs, samples, context.data),
    samples:
      samples === null
        ? null
        : {
            indices: samples,
            predictions: Object.fromEntries(
              saved.map((run) => [run.key, samples.map((i) => predictedAt(run.trials[0]!, labels, i))]),
            ),
          },
  };
}

function predictedAt(trial: Trial, labels: Uint8Array, index: number): number {
  return trial.test.misclassified.find((m) => m.index === index)?.predicted ?? labels[index]!;
}

/** The raw pixels of the test images the results refer to (gallery and demo samples). */
function testDigits(runs: Run[], samples: number[] | null, data: Mnist): TestDigit[] {
  const indices = new Set<number>(samples ?? []);
  for (const run of runs)
    for (const m of run.trials[0]!.test.misclassified.slice(0, GALLERY_PER_RUN)) indices.add(m.index);
  return [...indices]
    .sort((a, b) => a - b)
    .map((index) => ({
      index,
      label: data.test.labels[index]!,
      pixelsBase64: Buffer.from(data.test.images.subarray(index * PIXELS, (index + 1) * PIXELS)).toString(
        'base64',
      ),
    }));
}
