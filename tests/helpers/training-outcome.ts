/** What a training run leaves, for the tests that compare two ways of taking a step bit for bit. */
import assert from 'node:assert/strict';
import type * as tf from '@tensorflow/tfjs';
import { loadMnist, normalise } from '../../experiments/lib/engine/dataset.ts';
import { PIXELS, type LabelledImages } from '../../experiments/lib/engine/train.ts';

export interface TrainingOutcome {
  /** The running mean loss after every step, as the training loop reports it. */
  losses: number[];
  trainAccuracy: number;
  weights: Float32Array[];
  /** The optimizer's iteration count and moments. */
  optimizer: Float32Array[];
}

/** The first `count` MNIST training images, normalised, with their labels. */
export async function firstTrainingImages(count: number): Promise<LabelledImages> {
  const mnist = await loadMnist();
  return {
    images: normalise(mnist.train.images.subarray(0, count * PIXELS)),
    labels: mnist.train.labels.subarray(0, count),
    count,
  };
}

/** The model's weights and the optimizer's state, read. */
export async function trainedState(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<Pick<TrainingOutcome, 'weights' | 'optimizer'>> {
  return {
    weights: model.getWeights().map((weight) => weight.dataSync() as Float32Array),
    optimizer: (await optimizer.getWeights()).map((named) => named.tensor.dataSync() as Float32Array),
  };
}

/** Asserts every loss, the accuracy, every weight and every optimizer value equal, bit for bit. */
export function assertSameTraining(actual: TrainingOutcome, expected: TrainingOutcome): void {
  assert.deepEqual(actual.losses, expected.losses);
  assert.equal(actual.trainAccuracy, expected.trainAccuracy);
  assert.equal(actual.weights.length, expected.weights.length);
  actual.weights.forEach((values, i) => assert.deepEqual(values, expected.weights[i], `weight ${i}`));
  assert.equal(actual.optimizer.length, expected.optimizer.length);
  actual.optimizer.forEach((values, i) => assert.deepEqual(values, expected.optimizer[i], `optimizer ${i}`));
}
