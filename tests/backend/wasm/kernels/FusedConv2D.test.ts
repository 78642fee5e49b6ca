// FusedConv2D (experiments/lib/backend/wasm/kernels/FusedConv2D.ts) on OpenBLAS against wasm's own
// kernel (XNNPACK, with nativeProducts.blas unset): the sums run in another order, so the values are
// held within 1e-5 of the largest, as the kernel's doc comment states; what it hands back to wasm's
// own kernel must be that kernel's values bit for bit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeProducts, type Blas } from '../../../../experiments/lib/backend/blas/openblas.ts';
import { patchConvolution } from '../../../../experiments/lib/backend/wasm/patches.ts';
import { onWasmWithKernels, randomTensor } from '../values.ts';
import { requireBlas, skipWithoutBlas } from '../../../helpers/blas.ts';
import { assertClose } from '../../../helpers/close.ts';

/** The stated tolerance: every value within 1e-5 × the largest magnitude of the plain path's. */
const TOLERANCE = 1e-5;

interface FusedCase {
  title: string;
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same';
  bias: boolean;
  activation?: 'linear' | 'relu';
  /** Whether the OpenBLAS path takes it (else wasm's own kernel does). */
  patched: boolean;
}

const CASES: FusedCase[] = [
  {
    title: "LeNet-5's conv1 at batch 64 (1→6 channels, 5×5 on 28×28, with bias)",
    xShape: [64, 28, 28, 1],
    filterShape: [5, 5, 1, 6],
    strides: 1,
    pad: 'valid',
    bias: true,
    patched: true,
  },
  {
    title: "LeNet-5's conv2 (6→16 channels, 5×5 on 12×12, with bias)",
    xShape: [5, 12, 12, 6],
    filterShape: [5, 5, 6, 16],
    strides: 1,
    pad: 'valid',
    bias: true,
    patched: true,
  },
  {
    title: 'strides [2, 3] without a bias, a row and columns left unused',
    xShape: [2, 10, 11, 3],
    filterShape: [3, 2, 3, 5],
    strides: [2, 3],
    pad: 'valid',
    bias: false,
    patched: true,
  },
  {
    title: 'one channel with strides [2, 1] into 3 channels (patches as columns, transposed in JavaScript)',
    xShape: [2, 11, 9, 1],
    filterShape: [3, 4, 1, 3],
    strides: [2, 1],
    pad: 'valid',
    bias: true,
    patched: true,
  },
  {
    title: 'one channel into 6 with 126 positions (patches as columns, the last 2 positions in JavaScript)',
    xShape: [3, 9, 8, 1],
    filterShape: [3, 3, 1, 6],
    strides: 1,
    pad: 'valid',
    bias: false,
    patched: true,
  },
  {
    title: "'same' padding (wasm's own kernel)",
    xShape: [2, 9, 9, 3],
    filterShape: [3, 3, 3, 4],
    strides: 1,
    pad: 'same',
    bias: true,
    patched: false,
  },
  {
    title: "a relu activation (wasm's own kernel)",
    xShape: [2, 9, 9, 3],
    filterShape: [3, 3, 3, 4],
    strides: 1,
    pad: 'valid',
    bias: true,
    activation: 'relu',
    patched: false,
  },
];

/** How many chunks of images the patch path splits the case's batch into (one sgemm each). */
function chunks({ xShape, filterShape, strides }: FusedCase): number {
  nativeProducts.blas = requireBlas();
  const backend = tf.backend() as BackendWasm;
  const convolution = patchConvolution(backend, ['float32'], xShape, filterShape, { strides, pad: 'valid' })!;
  nativeProducts.blas = undefined;
  return Math.ceil(xShape[0] / convolution.chunkImages);
}

/** tf.fused.conv2d of the case's seeded inputs with `blas` as the products' BLAS; its values and sgemm calls. */
function fusedConv(testCase: FusedCase, index: number, blas: Blas | undefined) {
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
    const out = tf.tidy(() =>
      tf.fused.conv2d({
        x: randomTensor(testCase.xShape, 40 + index) as tf.Tensor4D,
        filter: randomTensor(testCase.filterShape, 50 + index) as tf.Tensor4D,
        bias: testCase.bias ? randomTensor([testCase.filterShape[3]], 60 + index) : undefined,
        strides: testCase.strides,
        pad: testCase.pad,
        activation: testCase.activation ?? 'linear',
      }),
    );
    const values = out.dataSync() as Float32Array;
    const shape = out.shape;
    out.dispose();
    return { values, shape, sgemmCalls };
  } finally {
    nativeProducts.blas = undefined;
  }
}

describe('FusedConv2D on OpenBLAS', { skip: skipWithoutBlas }, () => {
  before(onWasmWithKernels);
  after(() => {
    nativeProducts.blas = undefined;
  });

  for (const [index, testCase] of CASES.entries()) {
    test(`computes wasm's own values for ${testCase.title}`, () => {
      const expected = fusedConv(testCase, index, undefined);
      const actual = fusedConv(testCase, index, requireBlas());
      assert.deepEqual(actual.shape, expected.shape);
      assert.equal(actual.sgemmCalls, testCase.patched ? chunks(testCase) : 0, 'calls of sgemm');
      if (testCase.patched) assertClose(actual.values, expected.values, TOLERANCE, testCase.title);
      else assert.deepEqual(actual.values, expected.values);
    });
  }

  test('leaves no tensor or backend data behind', () => {
    nativeProducts.blas = requireBlas();
    const x = randomTensor([2, 12, 12, 6], 1) as tf.Tensor4D;
    const filter = randomTensor([5, 5, 6, 16], 2) as tf.Tensor4D;
    const bias = randomTensor([16], 3);
    const run = () => tf.dispose(tf.fused.conv2d({ x, filter, bias, pad: 'valid', strides: 1 }));
    run();
    const tensors = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    run();
    assert.equal(tf.memory().numTensors, tensors);
    assert.equal(tf.engine().backend.numDataIds(), dataIds);
    tf.dispose([x, filter, bias]);
  });
});
