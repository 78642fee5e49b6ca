import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { nativeProducts } from '../../experiments/lib/backend/blas/openblas.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { replayedStep } from '../../experiments/lib/engine/replay-step.ts';
import { adam } from '../../experiments/lib/engine/trial.ts';
import {
  applyGradients,
  PIXELS,
  stepGradients,
  trainModel,
  trainStep,
  type LabelledImages,
} from '../../experiments/lib/engine/train.ts';
import { architecture } from '../helpers/architectures.ts';
import {
  assertSameTraining,
  firstTrainingImages,
  trainedState,
  type TrainingOutcome,
} from '../helpers/training-outcome.ts';
import { requireBlas, skipWithoutBlas } from '../helpers/blas.ts';
import { onWasmWithKernels } from '../backend/wasm/values.ts';

let images: LabelledImages;

before(async () => {
  images = await firstTrainingImages(200);
});

interface Outcome extends TrainingOutcome {
  /** Which step trained each batch. */
  steps: string[];
}

/** One epoch of `model` at batches of 64 (three full, one of 8) from seed 1, replayed or not. */
async function train(model: string, replay: boolean): Promise<Outcome> {
  const network = buildModel(architecture(model), 1);
  const optimizer = adam(0.001);
  const losses: number[] = [];
  const steps: string[] = [];
  const [log] = await trainModel({
    model: network,
    optimizer,
    train: images,
    validation: images,
    batchSize: 64,
    epochs: 1,
    seed: 1,
    name: model,
    replay,
    onBatch: (progress) => {
      losses.push(progress.loss);
      steps.push(progress.step);
    },
  });
  const outcome = {
    losses,
    steps,
    trainAccuracy: log!.trainAccuracy,
    ...(await trainedState(network, optimizer)),
  };
  network.dispose();
  optimizer.dispose();
  return outcome;
}

/** The first `count` images of the set from image `start`, with their labels. */
function batch(start: number, count: number): { images: Float32Array; labels: Int32Array } {
  return {
    images: images.images.slice(start * PIXELS, (start + count) * PIXELS),
    labels: Int32Array.from(images.labels.subarray(start, start + count)),
  };
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`a training step replayed from its recording, on ${backend}`, () => {
    before(async () => {
      if (backend === 'wasm') {
        await onWasmWithKernels();
        if (skipWithoutBlas === false) nativeProducts.blas = requireBlas();
      } else {
        nativeProducts.blas = undefined;
        await tf.setBackend('cpu');
      }
    });

    for (const model of ['mlp5', 'lenet5']) {
      test(`trains ${model} to bit for bit the losses, weights and Adam state of the engine step`, async () => {
        const replayed = await train(model, true);
        // The first full batch is recorded, the next two replayed, the last (8 images) the engine's.
        assert.deepEqual(replayed.steps, ['engine', 'replayed', 'replayed', 'engine']);
        const plain = await train(model, false);
        assert.deepEqual(plain.steps, ['engine', 'engine', 'engine', 'engine']);
        assertSameTraining(replayed, plain);
      });
    }

    test('records the first batch of its size, replays the later ones, and leaves other sizes to the engine', () => {
      const network = buildModel(architecture('mlp5'), 1);
      const optimizer = adam(0.001);
      const step = replayedStep(
        32,
        (xs, ids) => stepGradients(network, optimizer, xs, ids),
        (grads) => applyGradients(optimizer, grads),
      );
      const first = batch(0, 32);
      assert.equal(step.run(first.images, first.labels, 16), undefined, 'another size');
      assert.equal(step.run(first.images, first.labels, 32)?.replayed, false, 'the first is recorded');
      const tensors = tf.memory().numTensors;
      for (let k = 1; k <= 3; k++) {
        const next = batch(32 * k, 32);
        const outcome = step.run(next.images, next.labels, 32)!;
        assert.equal(outcome.replayed, true, `batch ${k} is replayed`);
        assert.ok(outcome.loss > 0 && outcome.correct >= 0 && outcome.correct <= 32, JSON.stringify(outcome));
      }
      assert.equal(tf.memory().numTensors, tensors, 'a replay leaves no tensor behind');
      step.dispose();
      network.dispose();
      optimizer.dispose();
    });

    test('a replay reads each batch afresh: a repeated batch gives the engine step’s loss on it', () => {
      // Two models from the same seed; one replays, the other runs the engine's step on the same batches.
      const [replayed, plain] = [buildModel(architecture('mlp5'), 1), buildModel(architecture('mlp5'), 1)];
      const [optimizerA, optimizerB] = [adam(0.001), adam(0.001)];
      const step = replayedStep(
        32,
        (xs, ids) => stepGradients(replayed, optimizerA, xs, ids),
        (grads) => applyGradients(optimizerA, grads),
      );
      for (const start of [0, 32, 0, 64]) {
        const { images: x, labels: y } = batch(start, 32);
        const { loss: replayedLoss, correct: replayedCorrect } = step.run(x, y, 32)!;
        const { loss, correct } = trainStep(plain, optimizerB, x, y, 32);
        assert.deepEqual(
          { loss: replayedLoss, correct: replayedCorrect },
          { loss: loss.dataSync()[0], correct: correct.dataSync()[0] },
          `batch at ${start}`,
        );
        tf.dispose([loss, correct]);
      }
      step.dispose();
      replayed.dispose();
      plain.dispose();
      optimizerA.dispose();
      optimizerB.dispose();
    });
  });
}
