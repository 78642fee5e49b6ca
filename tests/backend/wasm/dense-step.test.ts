import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { denseTrainingStep } from '../../../experiments/lib/backend/wasm/dense-step.ts';
import { nativeProducts } from '../../../experiments/lib/backend/blas/openblas.ts';
import { buildModel } from '../../../experiments/lib/engine/models.ts';
import { adam } from '../../../experiments/lib/engine/trial.ts';
import { trainModel, type LabelledImages } from '../../../experiments/lib/engine/train.ts';
import type { FusedStepFactory } from '../../../experiments/lib/engine/kernel-names.ts';
import type { Layer } from '../../../experiments/lib/contract/architecture.ts';
import { architecture } from '../../helpers/architectures.ts';
import {
  assertSameTraining,
  firstTrainingImages,
  trainedState,
  type TrainingOutcome,
} from '../../helpers/training-outcome.ts';
import { requireBlas, skipWithoutBlas } from '../../helpers/blas.ts';
import { onWasmWithKernels } from './values.ts';

let images: LabelledImages;

before(async () => {
  await onWasmWithKernels();
  nativeProducts.blas = skipWithoutBlas === false ? requireBlas() : undefined;
  images = await firstTrainingImages(220);
});

after(() => {
  nativeProducts.blas = undefined;
});

interface Outcome extends TrainingOutcome {
  /** Steps the fused step took. */
  fusedSteps: number;
}

/** Counts the steps `factory`'s step takes. */
function counting(factory: FusedStepFactory, counter: { steps: number }): FusedStepFactory {
  return (model, slots, batchSize) => {
    const step = factory(model, slots, batchSize);
    return (
      step && {
        run(...args) {
          const outcome = step.run(...args);
          if (outcome !== undefined) counter.steps++;
          return outcome;
        },
        dispose: () => step.dispose(),
      }
    );
  };
}

/** One epoch at batch size `batchSize` over the test images from seed 1, with or without the fused step. */
async function train(
  layers: Layer[],
  fused: boolean,
  optimizer: () => tf.Optimizer = () => adam(0.001),
  batchSize = 1,
): Promise<Outcome> {
  const model = buildModel({ id: 'test', layers }, 1);
  const opt = optimizer();
  const counter = { steps: 0 };
  const losses: number[] = [];
  const [log] = await trainModel({
    model,
    optimizer: opt,
    train: images,
    validation: images,
    batchSize,
    epochs: 1,
    seed: 1,
    name: 'test',
    fusedStep: fused ? counting(denseTrainingStep, counter) : undefined,
    onBatch: (progress) => losses.push(progress.loss),
  });
  const outcome = {
    losses,
    trainAccuracy: log!.trainAccuracy,
    ...(await trainedState(model, opt)),
    fusedSteps: counter.steps,
  };
  model.dispose();
  opt.dispose();
  return outcome;
}

/** A crop, a linear first layer (tfjs fuses its bias) and a linear output layer. */
const LINEAR_STACK: Layer[] = [
  { kind: 'crop', size: 20 },
  { kind: 'flatten' },
  { kind: 'dense', units: 24, activation: 'linear' },
  { kind: 'dense', units: 10, activation: 'linear' },
] as Layer[];

describe('the fused batch-1 training step of a dense stack', { skip: skipWithoutBlas }, () => {
  test('trains MLP-1 to bit for bit the losses, weights and Adam state of the engine step', async () => {
    const fused = await train(architecture('mlp1').layers, true);
    assert.equal(fused.fusedSteps, images.count);
    assertSameTraining(fused, await train(architecture('mlp1').layers, false));
  });

  // With β2 = 0.9 both bias corrections round to exactly 1 after about 170 steps, from when the SIMD
  // update skips its divisions by them.
  test('trains MLP-2 (a centre crop, two relu layers) the same, past the steps where Adam stops dividing', async () => {
    const optimizer = () => tf.train.adam(0.001, 0.9, 0.9, 1e-8);
    const fused = await train(architecture('mlp2').layers, true, optimizer);
    assert.equal(fused.fusedSteps, images.count);
    assertSameTraining(fused, await train(architecture('mlp2').layers, false, optimizer));
  });

  test('trains linear layers, whose bias tfjs fuses into the product, the same', async () => {
    const fused = await train(LINEAR_STACK, true);
    assert.equal(fused.fusedSteps, images.count);
    assertSameTraining(fused, await train(LINEAR_STACK, false));
  });

  test('is not taken for a convolutional model, a batch larger than one or an optimizer other than Adam', async () => {
    assert.equal((await train(architecture('lenet5').layers, true)).fusedSteps, 0);
    assert.equal((await train(architecture('mlp1').layers, true, undefined, 2)).fusedSteps, 0);
    assert.equal((await train(architecture('mlp1').layers, true, () => tf.train.sgd(0.01))).fusedSteps, 0);
  });

  test('is not taken without OpenBLAS', async () => {
    const blas = nativeProducts.blas;
    nativeProducts.blas = undefined;
    try {
      assert.equal((await train(architecture('mlp1').layers, true)).fusedSteps, 0);
    } finally {
      nativeProducts.blas = blas;
    }
  });

  test('leaves no more tensors behind than the engine step', async () => {
    const start = tf.memory().numTensors;
    await train(LINEAR_STACK, false);
    const engine = tf.memory().numTensors - start;
    await train(LINEAR_STACK, true);
    assert.equal(tf.memory().numTensors - start, 2 * engine);
  });
});
