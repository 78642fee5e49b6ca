import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tiledAvgPoolGrad } from '../../../../experiments/lib/backend/wasm/kernels/AvgPoolGrad.ts';
import { simdFunctionsLoad } from '../../../../experiments/lib/backend/wasm/simd/functions.ts';
import { on, onWasmWithKernels, randomTensor } from '../values.ts';
import { assertClose } from '../../../helpers/close.ts';

before(onWasmWithKernels);

describe('wasm average-pooling gradient', () => {
  const POOL_CASES: {
    title: string;
    shape: [number, number, number, number];
    size: number;
    stride: number;
    pad: 'valid' | 'same';
  }[] = [
    {
      title: "LeNet's first pool, 2×2 over 24×24×6",
      shape: [3, 24, 24, 6],
      size: 2,
      stride: 2,
      pad: 'valid',
    },
    {
      title: 'a 2×2 pool over 9×7 (a row and a column left over)',
      shape: [2, 9, 7, 3],
      size: 2,
      stride: 2,
      pad: 'valid',
    },
    {
      title: 'a 3×3 pool with stride 3 over 9×10 (two copied rows per window, a column left over)',
      shape: [2, 9, 10, 2],
      size: 3,
      stride: 3,
      pad: 'valid',
    },
    {
      title: "overlapping 3×3 windows with stride 1 (wasm's own kernel)",
      shape: [2, 6, 6, 2],
      size: 3,
      stride: 1,
      pad: 'same',
    },
  ];
  for (const [index, poolCase] of POOL_CASES.entries()) {
    test(`matches the cpu backend's gradient for ${poolCase.title}`, async () => {
      const gradient = () =>
        tf.tidy(() => {
          const x = randomTensor(poolCase.shape, 50 + index) as tf.Tensor4D;
          const pooled = tf.avgPool(x, poolCase.size, poolCase.stride, poolCase.pad);
          const weights = randomTensor(pooled.shape, 60 + index);
          return tf.grad((input: tf.Tensor) =>
            tf.sum(
              tf.mul(tf.avgPool(input as tf.Tensor4D, poolCase.size, poolCase.stride, poolCase.pad), weights),
            ),
          )(x);
        });
      const expected = await on('cpu', () => gradient().dataSync());
      const actual = await on('wasm', () => gradient().dataSync());
      // 2×2 tiles give each pixel one term times an exact 1/4, so the values are equal; 1/9 is rounded
      // (the cpu backend divides, wasm multiplies by the reciprocal) and overlapping windows sum in
      // another order.
      const exact = poolCase.stride === poolCase.size && poolCase.size === 2;
      assertClose(actual, expected, exact ? 0 : 1e-6, poolCase.title);
    });
  }

  // Channel counts of one to three floats past a whole vector, and none (16, LeNet's second pool).
  for (const shape of [
    [2, 24, 24, 6],
    [2, 8, 8, 16],
    [3, 9, 7, 1],
    [2, 6, 6, 3],
    [2, 5, 8, 5],
    [1, 9, 10, 7],
  ] as [number, number, number, number][]) {
    test(`computes its JavaScript loop's values bit for bit with SIMD over ${shape.join('×')}`, () => {
      const backend = tf.backend() as BackendWasm;
      assert.ok(simdFunctionsLoad(backend), 'the SIMD module loads on wasm here');
      const noFallback = () => assert.fail('the tiled path takes 2×2 and 3×3 tiles');
      for (const size of [2, 3]) {
        const input = randomTensor(shape, 70 + size);
        const dy = randomTensor(tf.avgPool(input as tf.Tensor4D, size, size, 'valid').shape, 80 + size);
        const args = {
          inputs: { dy, input },
          backend,
          attrs: { filterSize: size, strides: size, pad: 'valid' },
        };
        const read = (kernel: ReturnType<typeof tiledAvgPoolGrad>) => {
          const out = kernel(args as unknown as Parameters<typeof kernel>[0]);
          const values = (backend.typedArrayFromHeap(out) as Float32Array).slice();
          backend.disposeData(out.dataId);
          return values;
        };
        assert.deepEqual(
          read(tiledAvgPoolGrad(noFallback)),
          read(tiledAvgPoolGrad(noFallback, { useSimd: false })),
          `${size}×${size} windows`,
        );
        tf.dispose([input, dy]);
      }
    });
  }
});
