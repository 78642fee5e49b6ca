// AvgPool (experiments/lib/backend/wasm/kernels/AvgPool.ts): the SIMD 2×2 pool against wasm's own
// kernel (XNNPACK), bit for bit, since it sums each window in XNNPACK's order; other pools are
// handed to wasm's own kernel.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { avgPool2x2 } from '../../../../experiments/lib/backend/wasm/kernels/AvgPool.ts';
import type { WasmKernel } from '../../../../experiments/lib/backend/wasm/kernel.ts';
import { simdFunctionsLoad } from '../../../../experiments/lib/backend/wasm/simd/functions.ts';
import { onWasmWithKernels, randomTensor } from '../values.ts';

/**
 * wasm's own AvgPool, as tfjs-backend-wasm registered it on import, taken before `onWasmWithKernels`
 * registers ours (which keeps its setup, so the wasm export it calls is bound).
 */
const originalAvgPool = tf.getKernel(tf.AvgPool, 'wasm')!.kernelFunc as unknown as WasmKernel;

before(onWasmWithKernels);

describe('wasm average pooling', () => {
  // LeNet-5's two pools, and channel counts of one to three floats past a whole vector, odd sizes
  // leaving a row and a column unused.
  const shapes: [number, number, number, number][] = [
    [64, 24, 24, 6],
    [5, 8, 8, 16],
    [2, 7, 9, 1],
    [2, 6, 6, 3],
    [3, 5, 8, 5],
    [1, 9, 10, 7],
  ];
  for (const [index, shape] of shapes.entries()) {
    test(`computes wasm's own 2×2 pool bit for bit over ${shape.join('×')}`, () => {
      const backend = tf.backend() as BackendWasm;
      assert.ok(simdFunctionsLoad(backend), 'the SIMD module loads on wasm here');
      const x = randomTensor(shape, 90 + index);
      let fallbacks = 0;
      const fallback: WasmKernel = (args) => {
        fallbacks++;
        return originalAvgPool(args);
      };
      const args = { inputs: { x }, backend, attrs: { filterSize: 2, strides: 2, pad: 'valid' } };
      const read = (kernel: WasmKernel) => {
        const out = kernel(args as unknown as Parameters<WasmKernel>[0]);
        const values = {
          shape: out.shape,
          values: (backend.typedArrayFromHeap(out) as Float32Array).slice(),
        };
        backend.disposeData(out.dataId);
        return values;
      };
      const ours = read(avgPool2x2(fallback));
      assert.equal(fallbacks, 0, 'the 2×2 pool is not handed to the fallback');
      const theirs = read(originalAvgPool);
      assert.deepEqual(ours.shape, theirs.shape);
      assert.deepEqual(ours.values, theirs.values);
      x.dispose();
    });
  }

  test('hands other pools to the kernel it wraps', () => {
    const backend = tf.backend() as BackendWasm;
    const x = randomTensor([2, 9, 9, 3], 7);
    for (const attrs of [
      { filterSize: 3, strides: 3, pad: 'valid' },
      { filterSize: 2, strides: 1, pad: 'valid' },
      { filterSize: 2, strides: 2, pad: 'same' },
    ]) {
      let fallbacks = 0;
      const out = avgPool2x2((args) => {
        fallbacks++;
        return originalAvgPool(args);
      })({ inputs: { x }, backend, attrs } as unknown as Parameters<WasmKernel>[0]);
      assert.equal(fallbacks, 1, JSON.stringify(attrs));
      backend.disposeData(out.dataId);
    }
    x.dispose();
  });
});
