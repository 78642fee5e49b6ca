/**
 * Measuring a trained model: what needs the model but no training. Batch-1 latency, the original's
 * amortised figure and throughput on the test images, the carbon estimates that follow from them, and
 * the test metrics from the model's predictions. The runner re-measures stored trials with this when
 * only measuring code changed.
 */
import type * as tf from '@tensorflow/tfjs';
import type { CarbonEstimate, EpochLog, Trial } from '../contract/results.ts';
import { CARBON_PRESETS, carbonGrams, energyKwh } from './carbon.ts';
import { measureAmortised, measureBatch1, measureThroughput, type Batch1Chain } from './latency.ts';
import { NUM_CLASSES } from '../contract/image.ts';
import { systemClock, type Clock, type LabelledImages } from './train.ts';

export interface MeasureOptions {
  /** Timed batch-1 calls (a tenth as many warm-up calls run first); 1,000 for published results. */
  latencyCalls: number;
  /** The model's batch-1 chain of BLAS calls, when it has one (backend/blas/inference-chain.ts). */
  chain?: Batch1Chain;
  clock?: Clock;
}

/** Latency figures of `model` on `test`. */
export function measureLatency(
  model: tf.LayersModel,
  test: LabelledImages,
  options: MeasureOptions,
): Trial['latency'] {
  const clock = options.clock ?? systemClock;
  const batch1 = measureBatch1(model, test, {
    warmupCalls: Math.ceil(options.latencyCalls / 10),
    timedCalls: options.latencyCalls,
    chain: options.chain,
    clock,
  });
  return {
    batch1,
    amortisedBatch64Us: measureAmortised(model, test, 64, clock),
    throughput: measureThroughput(model, test, 1000, clock),
  };
}

/** Energy and carbon per inference (from batch-1 p50) and per training epoch, for every preset. */
export function carbonEstimates(
  latencyUs: number,
  epochs: EpochLog[],
  memoryBytes: number,
): CarbonEstimate[] {
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

/** Accuracy (exactly correct / total), per-class accuracy, confusion matrix and every misclassified image. */
export function testMetrics(
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
