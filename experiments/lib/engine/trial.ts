/**
 * Training one trial: the training entry point. Everything this module imports (with the backend the
 * runner selects) is the code whose meaning a trial's key hashes (runner/code-key.ts), so only a change
 * here or below retrains. `trainTrial` builds the model from its settings, trains it, evaluates it on
 * the test images and serialises it; it measures nothing else.
 */
import * as tf from '@tensorflow/tfjs';
import type { TrialSettings } from '../contract/trial.ts';
import type { EpochLog } from '../contract/results.ts';
import { gatherRows, normalise, splitTrainValidation, type Mnist } from './dataset.ts';
import type { Layer } from '../contract/architecture.ts';
import type { FusedStepFactory } from './kernel-names.ts';
import { buildModel } from './models.ts';
import { save, type SavedFiles } from './save.ts';
import {
  PIXELS,
  evaluate,
  systemClock,
  trainModel,
  type BatchProgress,
  type Clock,
  type LabelledImages,
} from './train.ts';

/**
 * Adam with PyTorch's defaults (β1 0.9, β2 0.999, ε 1e-8), as the original trained; TensorFlow.js would
 * otherwise take ε = 1e-7 from the backend. A step-by-step comparison with PyTorch 1.13 from the same
 * weights and batches agreed to about 1e-6 in the loss once ε matched.
 */
export function adam(learningRate: number): tf.AdamOptimizer {
  return tf.train.adam(learningRate, 0.9, 0.999, 1e-8);
}

/** The normalised images a trial reads, for its data limits. */
export interface PreparedData {
  trainImages: Float32Array;
  trainLabels: Uint8Array;
  trainCount: number;
  test: LabelledImages;
}

const prepared = new WeakMap<Mnist, Map<string, PreparedData>>();

/** Normalises the first `trainImages` / `testImages` images once per data set and limits. */
export function prepareData(
  data: Mnist,
  settings: Pick<TrialSettings, 'trainImages' | 'testImages'>,
): PreparedData {
  const trainCount = settings.trainImages ?? data.train.count;
  const testCount = settings.testImages ?? data.test.count;
  const cacheKey = `${trainCount}/${testCount}`;
  const cache = prepared.get(data) ?? new Map<string, PreparedData>();
  prepared.set(data, cache);
  let entry = cache.get(cacheKey);
  if (entry === undefined) {
    entry = {
      trainImages: normalise(data.train.images.subarray(0, trainCount * PIXELS)),
      trainLabels: data.train.labels.subarray(0, trainCount),
      trainCount,
      test: {
        images: normalise(data.test.images.subarray(0, testCount * PIXELS)),
        labels: data.test.labels.subarray(0, testCount),
        count: testCount,
      },
    };
    cache.set(cacheKey, entry);
  }
  return entry;
}

function labelled(data: PreparedData, indices: Int32Array): LabelledImages {
  const out = new Float32Array(indices.length * PIXELS);
  gatherRows(data.trainImages, PIXELS, indices, 0, indices.length, out);
  return {
    images: out,
    labels: Uint8Array.from(indices, (i) => data.trainLabels[i]!),
    count: indices.length,
  };
}

export interface TrainedTrial {
  model: tf.LayersModel;
  epochs: EpochLog[];
  /** Per test image: predicted class and its softmax probability; mean test cross-entropy. */
  test: { predicted: Uint8Array; confidence: Float32Array; loss: number };
  files: SavedFiles;
  sizeWithOptimizerBytes: number;
}

export interface TrialHooks {
  clock?: Clock;
  /** The backend's fused training step (./kernel-names.ts), from the caller: the engine imports no backend. */
  fusedStep?: FusedStepFactory;
  /** Replay the engine's training step from a recording of its kernel calls (./replay-step.ts). */
  replay?: boolean;
  onBatch?: (progress: BatchProgress) => void;
  onEpochEnd?: (log: EpochLog) => void;
}

/** Trains one trial from scratch. The caller disposes `model`. */
export async function trainTrial(
  settings: TrialSettings,
  data: Mnist,
  hooks: TrialHooks = {},
): Promise<TrainedTrial> {
  const set = prepareData(data, settings);
  const split = splitTrainValidation(set.trainCount, settings.validationSize, settings.seed);
  const model = buildModel(
    { id: settings.model, layers: settings.layers as unknown as Layer[] },
    settings.seed,
  );
  const optimizer = adam(settings.learningRate);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  try {
    const epochs = await trainModel({
      model,
      optimizer,
      train: labelled(set, split.train),
      validation: labelled(set, split.validation),
      batchSize: settings.batchSize,
      epochs: settings.epochs,
      seed: settings.seed,
      name: settings.model,
      clock: hooks.clock ?? systemClock,
      onBatch: hooks.onBatch,
      onEpochEnd: hooks.onEpochEnd,
      fusedStep: hooks.fusedStep,
      replay: hooks.replay,
    });
    const evaluation = evaluate(model, set.test);
    const files = await save.serialise(model);
    const sizeWithOptimizerBytes = save.sizeOnDisk(await save.serialise(model, true));
    return {
      model,
      epochs,
      test: { predicted: evaluation.predicted, confidence: evaluation.confidence, loss: evaluation.loss },
      files,
      sizeWithOptimizerBytes,
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    optimizer.dispose();
  }
}
