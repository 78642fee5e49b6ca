import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { TANH_GRAD } from '../../../../experiments/lib/engine/kernel-names.ts';
import { onWasmWithKernels, randomValues } from '../values.ts';

before(onWasmWithKernels);

describe('the tanh gradient', () => {
  // 1,013 values: the SIMD kernel takes four at a time, JavaScript the last one.
  const x = () => tf.tensor1d(randomValues(1013, 7)).mul(3);
  const dy = () => tf.tensor1d(randomValues(1013, 8));
  /** tfjs-core's own Tanh gradient, written out: (1 − y²)·dy. */
  const written = () => tf.tidy(() => tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x()))), dy()).dataSync());
  const computed = () =>
    tf.tidy(() =>
      tf
        .grad((input: tf.Tensor) => tf.sum(tf.mul(tf.tanh(input), dy())))(x())
        .dataSync(),
    );

  test("is tfjs-core's (1 − y²)·dy bit for bit on wasm, by the one TanhGrad kernel", async () => {
    await tf.setBackend('wasm');
    assert.deepEqual(computed(), written());
    const profile = await tf.profile(() => computed());
    const names = profile.kernels.map((kernel) => kernel.name);
    assert.ok(names.includes(TANH_GRAD), names.join(', '));
    assert.ok(!names.includes('Square'), names.join(', '));
  });

  test("is tfjs-core's own on the cpu backend", async () => {
    await tf.setBackend('cpu');
    assert.deepEqual(computed(), written());
    const profile = await tf.profile(() => computed());
    assert.ok(!profile.kernels.some((kernel) => kernel.name === TANH_GRAD));
  });
});
