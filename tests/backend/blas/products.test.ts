import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadBlas, nativeProducts, type Blas } from '../../../experiments/lib/backend/blas/openblas.ts';
import { selectBackend } from '../../../experiments/lib/backend/select.ts';
import { registerWasmKernels } from '../../../experiments/lib/backend/wasm/register-kernels.ts';
import { requireBlas, skipWithoutBlas } from '../../helpers/blas.ts';
import { assertClose } from '../../helpers/close.ts';

/** The loaded BLAS with its calls counted, so a test can tell which path a product took. */
function countingBlas(blas: Blas): { blas: Blas; calls: { sgemm: number; sgemv: number } } {
  const calls = { sgemm: 0, sgemv: 0 };
  return {
    calls,
    blas: {
      ...blas,
      sgemm: (...args) => {
        calls.sgemm++;
        blas.sgemm(...args);
      },
      sgemv: (...args) => {
        calls.sgemv++;
        blas.sgemv(...args);
      },
    },
  };
}

/** `compute` on wasm with products on XNNPACK (blas undefined) or on `blas`; its tensors' values. */
function withProducts(
  blas: Blas | undefined,
  compute: () => tf.Tensor,
): { values: Float32Array; shape: number[] } {
  nativeProducts.blas = blas;
  try {
    const result = compute();
    const values = result.dataSync() as Float32Array;
    const shape = result.shape;
    result.dispose();
    return { values, shape };
  } finally {
    nativeProducts.blas = undefined;
  }
}

describe('OpenBLAS products on wasm', { skip: skipWithoutBlas }, () => {
  before(async () => {
    registerWasmKernels();
    await tf.setBackend('wasm');
    await tf.ready();
  });
  after(() => {
    nativeProducts.blas = undefined;
  });

  test('OpenBLAS loads once and describes its build', () => {
    const blas = requireBlas();
    assert.match(blas.description, /^OpenBLAS \d+\.\d+\.\d+ /);
    assert.equal(loadBlas(), blas);
  });

  const CASES: { title: string; a: number[]; b: number[]; sgemv?: boolean }[] = [
    { title: "a batch of 64 times MLP-5's first weights", a: [64, 784], b: [784, 512] },
    { title: 'odd sizes', a: [7, 13], b: [13, 5] },
    { title: 'one row (a batch of one)', a: [1, 300], b: [300, 17], sgemv: true },
    { title: 'batched matrices', a: [3, 6, 5], b: [3, 5, 4] },
    { title: 'a batch times one matrix', a: [2, 6, 5], b: [5, 4] },
    { title: 'one matrix times a batch', a: [6, 5], b: [2, 5, 4] },
    { title: 'batch axes of different ranks, broadcast', a: [1, 1, 6, 5], b: [3, 5, 4] },
    { title: 'batched rows', a: [3, 1, 9], b: [3, 9, 4], sgemv: true },
  ];
  const stored = (shape: number[], transposed: boolean) =>
    transposed ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : shape;
  for (const c of CASES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        test(`${c.title}, transposeA ${transposeA}, transposeB ${transposeB}: the XNNPACK path's values`, () => {
          const { blas, calls } = countingBlas(requireBlas());
          const a = tf.randomUniform(stored(c.a, transposeA), -1, 1, 'float32', 1);
          const b = tf.randomUniform(stored(c.b, transposeB), -1, 1, 'float32', 2);
          const dataIds = tf.engine().backend.numDataIds();
          const product = () => tf.matMul(a, b, transposeA, transposeB);
          const actual = withProducts(blas, product);
          assert.equal(tf.engine().backend.numDataIds(), dataIds, 'no backend data left behind');
          const expected = withProducts(undefined, product);
          assert.deepEqual(actual.shape, expected.shape);
          assertClose(actual.values, expected.values, 1e-5, 'product');
          const matrices = Math.max(...[c.a, c.b].map((s) => s.slice(0, -2).reduce((p, x) => p * x, 1)));
          assert.deepEqual(calls, c.sgemv ? { sgemm: 0, sgemv: matrices } : { sgemm: matrices, sgemv: 0 });
          tf.dispose([a, b]);
        });
      }
    }
  }

  for (const activation of ['linear', 'relu'] as const) {
    for (const rows of [64, 1]) {
      test(`a fused ${activation} product of ${rows} row(s) with a bias: the XNNPACK path's values`, () => {
        const { blas, calls } = countingBlas(requireBlas());
        const a = tf.randomUniform([rows, 120], -1, 1, 'float32', 3);
        const b = tf.randomUniform([120, 84], -1, 1, 'float32', 4);
        const bias = tf.randomUniform([84], -1, 1, 'float32', 5);
        const product = () => tf.fused.matMul({ a, b, bias, activation });
        const actual = withProducts(blas, product);
        const expected = withProducts(undefined, product);
        assertClose(actual.values, expected.values, 1e-6, 'fused product');
        assert.equal(calls.sgemm + calls.sgemv, 1);
        if (activation === 'relu')
          assert.ok(actual.values.some((v) => v === 0) && actual.values.every((v) => v >= 0));
        tf.dispose([a, b, bias]);
      });
    }
  }

  test('a fused product without a bias, and with transposed operands', () => {
    const { blas, calls } = countingBlas(requireBlas());
    const a = tf.randomUniform([20, 30], -1, 1, 'float32', 6);
    const b = tf.randomUniform([40, 20], -1, 1, 'float32', 7);
    const product = () => tf.fused.matMul({ a, b, transposeA: true, transposeB: true, activation: 'relu' });
    assertClose(
      withProducts(blas, product).values,
      withProducts(undefined, product).values,
      1e-6,
      'fused product',
    );
    assert.equal(calls.sgemm, 1);
    tf.dispose([a, b]);
  });

  const SUMS: {
    title: string;
    shape: number[];
    axis: number | number[];
    keepDims?: boolean;
    blas: boolean;
  }[] = [
    { title: "a Dense layer's bias gradient (over the batch)", shape: [64, 512], axis: 0, blas: true },
    { title: "LeNet-5 conv1's bias gradient", shape: [64, 24, 24, 6], axis: [0, 1, 2], blas: true },
    { title: 'negative axes, kept dimensions', shape: [3, 5, 7], axis: [-3, -2], keepDims: true, blas: true },
    { title: 'the last axis (left to wasm)', shape: [6, 5], axis: 1, blas: false },
    { title: 'a middle axis (left to wasm)', shape: [4, 5, 6], axis: 1, blas: false },
  ];
  for (const c of SUMS) {
    test(`a sum over ${c.title}: wasm's values`, () => {
      const { blas, calls } = countingBlas(requireBlas());
      const x = tf.randomUniform(c.shape, -1, 1, 'float32', 13);
      const sum = () => tf.sum(x, c.axis, c.keepDims);
      const actual = withProducts(blas, sum);
      const expected = withProducts(undefined, sum);
      assert.deepEqual(actual.shape, expected.shape);
      assertClose(actual.values, expected.values, 1e-5, 'sum');
      assert.deepEqual(calls, { sgemm: 0, sgemv: c.blas ? 1 : 0 });
      x.dispose();
    });
  }

  test('an empty inner dimension gives zeros, or the bias', () => {
    const blas = requireBlas();
    const a = tf.zeros([3, 0]);
    const b = tf.zeros([0, 2]);
    const bias = tf.tensor1d([1.5, -2]);
    assert.deepEqual(Array.from(withProducts(blas, () => tf.matMul(a, b)).values), [0, 0, 0, 0, 0, 0]);
    assert.deepEqual(
      Array.from(withProducts(blas, () => tf.fused.matMul({ a, b, bias })).values),
      [1.5, -2, 1.5, -2, 1.5, -2],
    );
    tf.dispose([a, b, bias]);
  });

  test('leaves to wasm what it does not cover: other activations (elu) and int32 products', () => {
    const { blas, calls } = countingBlas(requireBlas());
    const a = tf.randomUniform([8, 6], -1, 1, 'float32', 8);
    const b = tf.randomUniform([6, 4], -1, 1, 'float32', 9);
    const elu = () => tf.fused.matMul({ a, b, activation: 'elu' });
    assertClose(withProducts(blas, elu).values, withProducts(undefined, elu).values, 0, 'elu product');
    const ai = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
    nativeProducts.blas = blas;
    // wasm's own message: the int32 product reached its kernel untouched.
    assert.throws(() => tf.matMul(ai, ai), /non-float32/);
    nativeProducts.blas = undefined;
    assert.deepEqual(calls, { sgemm: 0, sgemv: 0 });
    tf.dispose([a, b, ai]);
  });

  test('a product too large for the current wasm memory still reads its operands correctly', () => {
    // makeOutput grows the wasm memory, which detaches views taken before it.
    const blas = requireBlas();
    const a = tf.randomUniform([2048, 256], -1, 1, 'float32', 11);
    const b = tf.randomUniform([256, 4096], -1, 1, 'float32', 12);
    const product = () => tf.matMul(a, b);
    assertClose(
      withProducts(blas, product).values,
      withProducts(undefined, product).values,
      1e-5,
      'large product',
    );
    tf.dispose([a, b]);
  });

  test("selectBackend puts wasm's products on OpenBLAS unless told not to, and says so", async () => {
    const info = await selectBackend('wasm');
    assert.match(info.blas ?? '', /^OpenBLAS /);
    assert.ok(nativeProducts.blas !== undefined);
    const without = await selectBackend('wasm', { blas: false });
    assert.equal(without.blas, null);
    assert.equal(nativeProducts.blas, undefined);
    const cpu = await selectBackend('cpu');
    assert.equal(cpu.blas, null);
    assert.equal(nativeProducts.blas, undefined);
    await tf.setBackend('wasm');
  });
});
