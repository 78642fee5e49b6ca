import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { applyGradients } from '../../../../experiments/lib/engine/train.ts';
import { inPlaceUpdates } from '../../../../experiments/lib/backend/wasm/kernels/AdamUpdate.ts';
import { onWasmWithKernels, randomTensor } from '../values.ts';
import { trainStep } from '../../../../experiments/lib/engine/train.ts';
import { buildModel } from '../../../../experiments/lib/engine/models.ts';
import { architecture } from '../../../helpers/architectures.ts';

before(onWasmWithKernels);

/** Weights after `steps` Adam steps on seeded gradients (1,027 values: a remainder past the SIMD groups). */
function train(steps: number): Float32Array[] {
  const variables = [randomTensor([1027], 1), randomTensor([31, 9], 2)].map((t) => tf.variable(t));
  const adam = tf.train.adam(0.01);
  for (let step = 1; step <= steps; step++) {
    const gradients = tf.tidy(() =>
      Object.fromEntries(variables.map((v, i) => [v.name, randomTensor(v.shape, 10 * step + i)])),
    );
    applyGradients(adam, gradients);
    tf.dispose(Object.values(gradients));
  }
  const values = variables.map((v) => v.dataSync() as Float32Array);
  tf.dispose(variables);
  adam.dispose();
  return values;
}

/** LeNet-5's losses over `steps` training steps on one seeded batch of 64. */
function lenetLosses(steps: number): number[] {
  const images = Float32Array.from({ length: 64 * 784 }, (_, i) => Math.sin(i * 12.9898) * 0.999);
  const labels = Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 10);
  const model = buildModel(architecture('lenet5'), 1);
  const adam = tf.train.adam(0.001);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    const { loss, correct } = trainStep(model, adam, images, labels, 64);
    losses.push(loss.dataSync()[0]!);
    tf.dispose([loss, correct]);
  }
  model.dispose();
  adam.dispose();
  return losses;
}

describe('the Adam update in place', () => {
  // XNNPACK caches each convolution's packed filter and bias by tensor id; an update in place keeps
  // the id, so unless the kernel drops those copies, LeNet-5 trains with its first filters forever.
  test('trains a convolutional model exactly as the update into new buffers does', () => {
    const inPlace = lenetLosses(25);
    inPlaceUpdates.enabled = false;
    try {
      assert.deepEqual(inPlace, lenetLosses(25));
    } finally {
      inPlaceUpdates.enabled = true;
    }
  });

  test('gives bit for bit the weights of the update into new buffers', () => {
    const inPlace = train(5);
    inPlaceUpdates.enabled = false;
    try {
      assert.deepEqual(inPlace, train(5));
    } finally {
      inPlaceUpdates.enabled = true;
    }
  });

  test('writes over the weights and moments when nothing else holds their data', () => {
    const variable = tf.variable(randomTensor([64], 5));
    const adam = tf.train.adam(0.1);
    const gradient = randomTensor([64], 6);
    applyGradients(adam, { [variable.name]: gradient });
    const dataId = variable.dataId;
    applyGradients(adam, { [variable.name]: gradient });
    assert.equal(variable.dataId, dataId);
    tf.dispose([variable, gradient]);
    adam.dispose();
  });

  test('leaves a tensor that shares the weights (a clone) with the old values, and no data behind', () => {
    const variable = tf.variable(randomTensor([64], 3));
    const adam = tf.train.adam(0.1);
    const gradient = randomTensor([64], 4);
    applyGradients(adam, { [variable.name]: gradient });
    const dataIds = tf.engine().backend.numDataIds();
    const clone = tf.clone(variable);
    const old = clone.dataSync().slice();
    applyGradients(adam, { [variable.name]: gradient });
    assert.deepEqual(clone.dataSync(), old);
    assert.notDeepEqual(variable.dataSync(), old);
    clone.dispose();
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    tf.dispose([variable, gradient]);
    adam.dispose();
  });
});
