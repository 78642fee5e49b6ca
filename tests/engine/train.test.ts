import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../experiments/lib/backend/select.ts';
import { DivergenceError } from '../../experiments/lib/contract/errors.ts';
import { loadMnist, normalise } from '../../experiments/lib/engine/dataset.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture } from '../helpers/architectures.ts';
import { PIXELS, trainModel, type LabelledImages } from '../../experiments/lib/engine/train.ts';

describe('training', () => {
  let train: LabelledImages;

  before(async () => {
    await selectBackend('wasm');
    const mnist = await loadMnist();
    const count = 640;
    train = {
      images: normalise(mnist.train.images.subarray(0, count * PIXELS)),
      labels: mnist.train.labels.subarray(0, count),
      count,
    };
  });

  after(() => tf.disposeVariables());

  async function firstLosses(seed: number): Promise<number[]> {
    const losses: number[] = [];
    const model = buildModel(architecture('lenet5'), seed);
    const optimizer = tf.train.adam(0.001);
    await trainModel({
      model,
      optimizer,
      train,
      validation: train,
      batchSize: 64,
      epochs: 1,
      seed,
      name: 'lenet5',
      onBatch: (p) => losses.push(p.loss),
    });
    model.dispose();
    optimizer.dispose();
    return losses;
  }

  it('gives the same losses for the same seed and backend, and falling losses', async () => {
    const a = await firstLosses(3);
    const b = await firstLosses(3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(await firstLosses(4), a);
    assert.ok(a.at(-1)! < a[0]!, `loss falls: ${a[0]} → ${a.at(-1)}`);
  });

  it('does not leak tensors across a training run', async () => {
    await firstLosses(3);
    const before = tf.memory().numTensors;
    await firstLosses(3);
    assert.equal(tf.memory().numTensors, before);
  });

  it('stops with a DivergenceError on a non-finite loss', async () => {
    const poisoned = { ...train, images: train.images.slice() };
    poisoned.images.fill(Number.NaN, 0, PIXELS * 64);
    const model = buildModel(architecture('mlp5'), 1);
    await assert.rejects(
      trainModel({
        model,
        optimizer: tf.train.adam(0.001),
        train: poisoned,
        validation: train,
        batchSize: 64,
        epochs: 1,
        seed: 1,
        name: 'mlp5',
      }),
      (error: unknown) =>
        error instanceof DivergenceError &&
        /mlp5 \(seed 1\) diverged: loss NaN at epoch 1, batch \d+; no results were written/.test(
          error.message,
        ),
    );
  });
});
