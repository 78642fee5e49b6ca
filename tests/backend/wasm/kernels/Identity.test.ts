import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onWasmWithKernels, randomTensor } from '../values.ts';

before(onWasmWithKernels);

describe('wasm identity', () => {
  test('a clone shares its data, has the same values, and outlives the original', () => {
    const x = randomTensor([7, 5], 1);
    const values = x.dataSync().slice();
    const dataIds = tf.engine().backend.numDataIds();
    const clone = tf.clone(x);
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    x.dispose();
    assert.deepEqual(clone.dataSync(), values);
    assert.deepEqual(clone.shape, [7, 5]);
    clone.dispose();
    assert.equal(tf.engine().backend.numDataIds(), dataIds - 1);
  });

  test('a clone of int32 and bool values keeps its dtype', () => {
    for (const x of [tf.tensor1d([3, -4, 5], 'int32'), tf.tensor1d([1, 0, 1], 'bool')]) {
      const clone = tf.clone(x);
      assert.equal(clone.dtype, x.dtype);
      assert.deepEqual(clone.dataSync(), x.dataSync());
      tf.dispose([x, clone]);
    }
  });
});
