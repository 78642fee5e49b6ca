import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { packsLeftOperand, productRearrangement } from '../../../experiments/lib/backend/wasm/products.ts';
import { onWasmWithKernels, randomTensor } from './values.ts';

before(onWasmWithKernels);

describe('products rearranged for XNNPACK', () => {
  // The products of training a Dense layer: X·W and dy·Wᵀ with a batch of 64 are computed as
  // (Wᵀ·Xᵀ)ᵀ and (W·dyᵀ)ᵀ, packing the batch's values; the weight gradient Xᵀ·dy, and products too small
  // to gain, as given.
  const PRODUCTS = [
    {
      title: 'X·W, MLP-5 fc1',
      a: [64, 784],
      b: [784, 512],
      transposeA: false,
      transposeB: false,
      swapped: true,
    },
    {
      title: 'dy·Wᵀ, MLP-5 fc2',
      a: [64, 256],
      b: [512, 256],
      transposeA: false,
      transposeB: true,
      swapped: true,
    },
    {
      title: 'dy·Wᵀ, MLP-2 fc2',
      a: [64, 1024],
      b: [1024, 1024],
      transposeA: false,
      transposeB: true,
      swapped: true,
    },
    {
      title: 'Xᵀ·dy, MLP-5 fc1',
      a: [64, 784],
      b: [64, 512],
      transposeA: true,
      transposeB: false,
      swapped: false,
    },
    { title: 'a small dy·Wᵀ', a: [64, 37], b: [53, 37], transposeA: false, transposeB: true, swapped: false },
  ];
  for (const product of PRODUCTS) {
    test(`${product.title} (${product.swapped ? 'rearranged' : 'as given'}) equals the product as given, bit for bit`, async () => {
      await tf.setBackend('wasm');
      assert.equal(
        packsLeftOperand(product.a, product.b, product.transposeA, product.transposeB),
        product.swapped,
      );
      const a = randomTensor(product.a, 3);
      const b = randomTensor(product.b, 4);
      const dataIds = tf.engine().backend.numDataIds();
      const actual = tf.matMul(a, b, product.transposeA, product.transposeB);
      assert.equal(tf.engine().backend.numDataIds(), dataIds + 1);
      productRearrangement.enabled = false;
      const expected = tf.matMul(a, b, product.transposeA, product.transposeB);
      productRearrangement.enabled = true;
      assert.deepEqual(actual.shape, expected.shape);
      assert.deepEqual(actual.dataSync(), expected.dataSync());
      tf.dispose([a, b, actual, expected]);
    });
  }
});
