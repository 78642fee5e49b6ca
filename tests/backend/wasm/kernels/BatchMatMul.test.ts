import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onWasmWithKernels, randomTensor } from '../values.ts';
import { assertClose } from '../../../helpers/close.ts';

before(onWasmWithKernels);

describe('wasm matMul with transposed operands', () => {
  const SHAPES: { title: string; a: number[]; b: number[] }[] = [
    { title: 'single matrices', a: [7, 5], b: [5, 6] },
    { title: 'batched matrices', a: [3, 7, 5], b: [3, 5, 6] },
    { title: 'a batch times one matrix', a: [2, 7, 5], b: [5, 6] },
  ];
  const transposed = (shape: number[], flag: boolean) =>
    flag ? [...shape.slice(0, -2), shape.at(-1)!, shape.at(-2)!] : shape;
  const swapLastTwo = (x: tf.Tensor) => {
    const perm = x.shape.map((_, i) => i);
    [perm[perm.length - 2], perm[perm.length - 1]] = [perm.length - 1, perm.length - 2];
    return tf.transpose(x, perm);
  };
  for (const shape of SHAPES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        test(`equals the plain product for ${shape.title}, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
          await tf.setBackend('wasm');
          const a = randomTensor(shape.a, 1);
          const b = randomTensor(shape.b, 2);
          const aStored = transposeA ? swapLastTwo(a) : a;
          const bStored = transposeB ? swapLastTwo(b) : b;
          assert.deepEqual(aStored.shape, transposed(shape.a, transposeA));
          const tensors = tf.memory().numTensors;
          const dataIds = tf.engine().backend.numDataIds();
          const product = tf.matMul(aStored, bStored, transposeA, transposeB);
          const fused = tf.fused.matMul({
            a: aStored,
            b: bStored,
            transposeA,
            transposeB,
            activation: 'linear',
          });
          assert.equal(tf.memory().numTensors, tensors + 2);
          assert.equal(tf.engine().backend.numDataIds(), dataIds + 2);
          const plain = tf.matMul(a, b);
          assertClose(product.dataSync(), plain.dataSync(), 1e-6, 'matMul');
          assertClose(fused.dataSync(), plain.dataSync(), 1e-6, 'fused matMul');
          assert.deepEqual(product.shape, plain.shape);
          tf.dispose([a, b, aStored, bStored, product, fused, plain]);
        });
      }
    }
  }
});

describe('wasm narrow products and blocked transposes', () => {
  /** The same product on the cpu backend, from the same values: a reference outside the wasm wrappers. */
  async function onCpu(
    a: Float32Array,
    aShape: number[],
    b: Float32Array,
    bShape: number[],
    ta: boolean,
    tb: boolean,
  ) {
    await tf.setBackend('cpu');
    const product = tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb);
    const values = product.dataSync().slice();
    tf.dispose(product);
    await tf.setBackend('wasm');
    return values;
  }

  for (const rows of [1, 2, 3, 4]) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [false, true],
      [true, false],
      [true, true],
    ] as const) {
      test(`a ${rows}-row product equals the cpu backend's, transposeA ${transposeA}, transposeB ${transposeB}`, async () => {
        await tf.setBackend('wasm');
        const inner = 37;
        const columns = 70;
        const aShape = transposeA ? [inner, rows] : [rows, inner];
        const bShape = transposeB ? [columns, inner] : [inner, columns];
        const a = randomTensor(aShape, 10 + rows);
        const b = randomTensor(bShape, 20 + rows);
        const expected = await onCpu(
          a.dataSync() as Float32Array,
          aShape,
          b.dataSync() as Float32Array,
          bShape,
          transposeA,
          transposeB,
        );
        const product = tf.matMul(a, b, transposeA, transposeB);
        assert.deepEqual(product.shape, [rows, columns]);
        assertClose(product.dataSync(), expected, 1e-5, 'narrow product');
        tf.dispose([a, b, product]);
      });
    }
  }
});
