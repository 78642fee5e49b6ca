import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { on, onWasmWithKernels, randomValues } from '../values.ts';

before(onWasmWithKernels);

describe('wasm tanh', () => {
  test("matches the cpu backend's tanh, including at ±Infinity and NaN", async () => {
    const inputs = [
      -Infinity,
      -20,
      -3,
      -0.5,
      -1e-8,
      0,
      1e-8,
      0.5,
      3,
      20,
      Infinity,
      NaN,
      // 1,013 values in all: the SIMD scaling takes four at a time, JavaScript the last one.
      ...randomValues(1001, 5),
    ];
    const tanh = () => {
      const y = tf.tanh(tf.tensor1d(inputs));
      const values = y.dataSync().slice();
      y.dispose();
      return values;
    };
    const expected = await on('cpu', tanh);
    const actual = await on('wasm', tanh);
    assert.ok(Number.isNaN(actual[11]));
    actual.forEach((value, i) => {
      if (i !== 11)
        assert.ok(
          Math.abs(value - expected[i]!) <= 1e-6,
          `tanh(${inputs[i]}) is ${value}, expected ${expected[i]}`,
        );
    });
  });
});
