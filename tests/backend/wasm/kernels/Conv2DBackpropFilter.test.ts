// The cases check both convolution gradients, Conv2DBackpropFilter (./Conv2DBackpropFilter.ts) and
// Conv2DBackpropInput (./Conv2DBackpropInput.ts), which one tf.grads call computes together: on
// the cpu backend's values, then, on OpenBLAS, against the same kernels with nativeProducts.blas unset.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeProducts, type Blas } from '../../../../experiments/lib/backend/blas/openblas.ts';
import { patchConvolution } from '../../../../experiments/lib/backend/wasm/patches.ts';
import { on, onWasmWithKernels, randomTensor } from '../values.ts';
import { requireBlas, skipWithoutBlas } from '../../../helpers/blas.ts';
import { assertClose } from '../../../helpers/close.ts';

before(onWasmWithKernels);

type Padding = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];

interface ConvCase {
  title: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: Padding;
}

const CONV_CASES: ConvCase[] = [
  {
    title: "LeNet's first layer, 1→6 channels on 28×28",
    xShape: [3, 28, 28, 1],
    filterShape: [5, 5, 1, 6],
    strides: 1,
    pad: 'valid',
  },
  {
    title: "LeNet's second layer, 6→16 channels on 12×12",
    xShape: [3, 12, 12, 6],
    filterShape: [5, 5, 6, 16],
    strides: 1,
    pad: 'valid',
  },
  {
    title: "stride 2 with 'valid' padding that leaves a row unused",
    xShape: [2, 10, 9, 3],
    filterShape: [4, 3, 3, 2],
    strides: 2,
    pad: 'valid',
  },
  {
    title: "stride 2 with 'same' padding",
    xShape: [2, 9, 9, 3],
    filterShape: [3, 3, 3, 4],
    strides: 2,
    pad: 'same',
  },
  {
    title: "stride 1 with 'same' padding and an even filter",
    xShape: [2, 7, 8, 2],
    filterShape: [4, 2, 2, 3],
    strides: 1,
    pad: 'same',
  },
  { title: 'a numeric padding', xShape: [1, 6, 6, 2], filterShape: [3, 3, 2, 2], strides: 1, pad: 1 },
  {
    title: 'explicit uneven padding and strides [2, 1]',
    xShape: [2, 8, 7, 2],
    filterShape: [3, 2, 2, 5],
    strides: [2, 1],
    pad: [
      [0, 0],
      [1, 2],
      [0, 1],
      [0, 0],
    ],
  },
];

describe('wasm convolution gradients', () => {
  for (const [index, testCase] of CONV_CASES.entries()) {
    test(`match the cpu backend's input and filter gradients for ${testCase.title}`, async () => {
      const gradients = () =>
        tf.tidy(() => {
          const x = randomTensor(testCase.xShape, 10 + index) as tf.Tensor4D;
          const filter = randomTensor(testCase.filterShape, 20 + index) as tf.Tensor4D;
          const outShape = tf.conv2d(x, filter, testCase.strides, testCase.pad).shape;
          const weights = randomTensor(outShape, 30 + index);
          const loss = (input: tf.Tensor, f: tf.Tensor) =>
            tf.sum(
              tf.mul(
                tf.conv2d(input as tf.Tensor4D, f as tf.Tensor4D, testCase.strides, testCase.pad),
                weights,
              ),
            );
          return tf.grads(loss)([x, filter]);
        });
      const read = () => {
        const [dx, dFilter] = gradients();
        assert.deepEqual(dx!.shape, testCase.xShape);
        assert.deepEqual(dFilter!.shape, testCase.filterShape);
        const values = { dx: dx!.dataSync().slice(), dFilter: dFilter!.dataSync().slice() };
        tf.dispose([dx!, dFilter!]);
        return values;
      };
      const expected = await on('cpu', read);
      const actual = await on('wasm', read);
      assertClose(actual.dx, expected.dx, 1e-4, `${testCase.title}: input gradient`);
      assertClose(actual.dFilter, expected.dFilter, 1e-4, `${testCase.title}: filter gradient`);
    });
  }

  test('leave no tensor or backend data behind', async () => {
    await tf.setBackend('wasm');
    const x = randomTensor([2, 12, 12, 6], 1) as tf.Tensor4D;
    const filter = randomTensor([5, 5, 6, 16], 2) as tf.Tensor4D;
    const loss = (input: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.conv2d(input as tf.Tensor4D, f as tf.Tensor4D, 1, 'same'));
    tf.dispose(tf.grads(loss)([x, filter]));
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    tf.dispose(tf.grads(loss)([x, filter]));
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    x.dispose();
    filter.dispose();
  });

  test('reject NCHW data in the filter gradient with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 1, 4, 4]);
    const dy = tf.zeros([1, 1, 2, 2]);
    assert.throws(
      () =>
        tf.engine().runKernel(
          tf.Conv2DBackpropFilter,
          { x, dy },
          {
            strides: 1,
            pad: 'valid',
            dataFormat: 'NCHW',
            filterShape: [3, 3, 1, 1],
          },
        ),
      /supports dataFormat 'NHWC' only/,
    );
    tf.dispose([x, dy]);
  });
});

/** The tolerance the OpenBLAS paths state: every value within 1e-5 × the largest of the plain path's. */
const BLAS_TOLERANCE = 1e-5;

/** The cases the OpenBLAS paths take (no padding), LeNet-5's at its training batch of 64 first. */
const BLAS_CASES: (ConvCase & { patched: boolean })[] = [
  { ...CONV_CASES[0]!, title: "LeNet's first layer at batch 64", xShape: [64, 28, 28, 1], patched: true },
  { ...CONV_CASES[1]!, title: "LeNet's second layer at batch 64", xShape: [64, 12, 12, 6], patched: true },
  { ...CONV_CASES[2]!, patched: true },
  {
    title: 'strides [1, 3] on an odd shape',
    xShape: [2, 7, 11, 5],
    filterShape: [2, 3, 5, 3],
    strides: [1, 3],
    pad: 'valid',
    patched: true,
  },
  {
    title: 'one channel with strides [2, 1] (the filter gradient from patches as columns)',
    xShape: [3, 11, 9, 1],
    filterShape: [3, 4, 1, 5],
    strides: [2, 1],
    pad: 'valid',
    patched: true,
  },
  { ...CONV_CASES[3]!, patched: false },
  { ...CONV_CASES[4]!, patched: false },
];

/** How many chunks of images the patch path splits the case's batch into (one sgemm each a kernel). */
function chunks({ xShape, filterShape, strides }: ConvCase): number {
  nativeProducts.blas = requireBlas();
  const backend = tf.backend() as BackendWasm;
  const convolution = patchConvolution(backend, ['float32'], xShape, filterShape, { strides, pad: 'valid' })!;
  nativeProducts.blas = undefined;
  return Math.ceil(xShape[0] / convolution.chunkImages);
}

/** Both gradients of Σ conv2d(x, filter)·weights with `blas` as the products' BLAS, and its sgemm calls. */
function gradientsWith(testCase: ConvCase, index: number, blas: Blas | undefined) {
  let sgemmCalls = 0;
  nativeProducts.blas =
    blas === undefined
      ? undefined
      : {
          ...blas,
          sgemm: (...args) => {
            sgemmCalls++;
            blas.sgemm(...args);
          },
        };
  try {
    const [dx, dFilter] = tf.tidy(() => {
      const x = randomTensor(testCase.xShape, 70 + index) as tf.Tensor4D;
      const filter = randomTensor(testCase.filterShape, 80 + index) as tf.Tensor4D;
      const weights = randomTensor(tf.conv2d(x, filter, testCase.strides, testCase.pad).shape, 90 + index);
      sgemmCalls = 0;
      return tf.grads((input: tf.Tensor, f: tf.Tensor) =>
        tf.sum(
          tf.mul(tf.conv2d(input as tf.Tensor4D, f as tf.Tensor4D, testCase.strides, testCase.pad), weights),
        ),
      )([x, filter]);
    });
    const values = { dx: dx!.dataSync().slice(), dFilter: dFilter!.dataSync().slice(), sgemmCalls };
    tf.dispose([dx!, dFilter!]);
    return values;
  } finally {
    nativeProducts.blas = undefined;
  }
}

describe('wasm convolution gradients on OpenBLAS', { skip: skipWithoutBlas }, () => {
  before(onWasmWithKernels);
  after(() => {
    nativeProducts.blas = undefined;
  });

  for (const [index, testCase] of BLAS_CASES.entries()) {
    test(`compute the plain path's input and filter gradients for ${testCase.title}`, () => {
      const expected = gradientsWith(testCase, index, undefined);
      const actual = gradientsWith(testCase, index, requireBlas());
      // One sgemm a chunk each for the filter and the input gradient; none where wasm's path takes both.
      assert.equal(actual.sgemmCalls, testCase.patched ? 2 * chunks(testCase) : 0, 'calls of sgemm');
      if (testCase.patched) {
        assertClose(actual.dx, expected.dx, BLAS_TOLERANCE, `${testCase.title}: input gradient`);
        assertClose(actual.dFilter, expected.dFilter, BLAS_TOLERANCE, `${testCase.title}: filter gradient`);
      } else {
        assert.deepEqual(actual.dx, expected.dx);
        assert.deepEqual(actual.dFilter, expected.dFilter);
      }
    });
  }

  test('leave no tensor or backend data behind', () => {
    nativeProducts.blas = requireBlas();
    const x = randomTensor([2, 12, 12, 6], 1) as tf.Tensor4D;
    const filter = randomTensor([5, 5, 6, 16], 2) as tf.Tensor4D;
    const loss = (input: tf.Tensor, f: tf.Tensor) =>
      tf.sum(tf.conv2d(input as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid'));
    tf.dispose(tf.grads(loss)([x, filter]));
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    tf.dispose(tf.grads(loss)([x, filter]));
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    tf.dispose([x, filter]);
  });
});
