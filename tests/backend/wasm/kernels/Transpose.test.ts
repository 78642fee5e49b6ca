import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onWasmWithKernels, randomTensor } from '../values.ts';

before(onWasmWithKernels);

describe('wasm transposes', () => {
  // 4×4 blocks by SIMD, the rest in JavaScript: whole blocks only, a row or column or both left over,
  // too narrow for a block, and larger than a cache block of 32.
  for (const [height, width] of [
    [8, 12],
    [67, 45],
    [5, 8],
    [8, 7],
    [3, 9],
    [9, 3],
    [784, 512],
  ] as const) {
    test(`transposes a ${height}×${width} matrix exactly`, async () => {
      await tf.setBackend('wasm');
      const x = randomTensor([height, width], 30);
      const values = x.dataSync();
      const transposed = tf.transpose(x);
      const out = transposed.dataSync();
      assert.deepEqual(transposed.shape, [width, height]);
      for (let i = 0; i < height; i++)
        for (let j = 0; j < width; j++)
          if (out[j * height + i] !== values[i * width + j]) assert.fail(`element (${i}, ${j})`);
      tf.dispose([x, transposed]);
    });
  }

  test('transposes a batch of matrices', async () => {
    await tf.setBackend('wasm');
    const batched = tf.transpose(randomTensor([2, 3, 4], 31), [0, 2, 1]);
    assert.deepEqual(batched.shape, [2, 4, 3]);
    tf.dispose(batched);
  });
});
