import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture } from '../helpers/architectures.ts';
import {
  packsLeftOperand,
  productRearrangement,
  registerWasmKernels,
} from '../../experiments/lib/backend/wasm/kernels.ts';
import { TANH_GRAD } from '../../experiments/lib/engine/kernel-names.ts';
import { assertClose } from '../helpers/close.ts';

/** Seeded values in [-1, 1) (mulberry32), so both backends see identical inputs. */
function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Runs `compute` with `backend` active; tensors made inside live and are read on that backend. */
async function on<T>(backend: 'cpu' | 'wasm', compute: () => T): Promise<T> {
  await tf.setBackend(backend);
  return compute();
}

before(async () => {
  registerWasmKernels();
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

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

describe('the tanh gradient', () => {
  // 1,013 values: the SIMD kernel takes four at a time, JavaScript the last one.
  const x = () => tf.tensor1d(randomValues(1013, 7)).mul(3);
  const dy = () => tf.tensor1d(randomValues(1013, 8));
  /** tfjs-core's own Tanh gradient, written out: (1 − y²)·dy. */
  const written = () => tf.tidy(() => tf.mul(tf.sub(tf.scalar(1), tf.square(tf.tanh(x()))), dy()).dataSync());
  const computed = () =>
    tf.tidy(() =>
      tf
        .grad((input: tf.Tensor) => tf.sum(tf.mul(tf.tanh(input), dy())))(x())
        .dataSync(),
    );

  test("is tfjs-core's (1 − y²)·dy bit for bit on wasm, by the one TanhGrad kernel", async () => {
    await tf.setBackend('wasm');
    assert.deepEqual(computed(), written());
    const profile = await tf.profile(() => computed());
    const names = profile.kernels.map((kernel) => kernel.name);
    assert.ok(names.includes(TANH_GRAD), names.join(', '));
    assert.ok(!names.includes('Square'), names.join(', '));
  });

  test("is tfjs-core's own on the cpu backend", async () => {
    await tf.setBackend('cpu');
    assert.deepEqual(computed(), written());
    const profile = await tf.profile(() => computed());
    assert.ok(!profile.kernels.some((kernel) => kernel.name === TANH_GRAD));
  });
});

describe('a LeNet-5 training step on wasm', () => {
  test('gives the loss and gradients the cpu backend gives', async () => {
    const BATCH = 8;
    const step = () =>
      tf.tidy(() => {
        const model = buildModel(architecture('lenet5'), 3);
        const x = randomTensor([BATCH, 28, 28, 1], 41);
        const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
        const variables = model.trainableWeights.map((weight) => weight.read() as tf.Variable);
        const { value, grads } = tf.variableGrads(
          () =>
            tf.losses.softmaxCrossEntropy(
              labels,
              model.apply(x, { training: true }) as tf.Tensor,
            ) as tf.Scalar,
          variables,
        );
        const result = {
          loss: value.dataSync()[0]!,
          gradients: variables.map((variable) => grads[variable.name]!.dataSync().slice()),
        };
        model.dispose();
        return result;
      });
    const expected = await on('cpu', step);
    const actual = await on('wasm', step);
    assert.ok(Math.abs(actual.loss - expected.loss) <= 1e-5 * Math.abs(expected.loss));
    assert.equal(actual.gradients.length, 10);
    actual.gradients.forEach((gradient, i) =>
      assertClose(gradient, expected.gradients[i]!, 1e-4, `gradient ${i}`),
    );
  });
});

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

describe('wasm slices', () => {
  const CASES: {
    title: string;
    shape: number[];
    begin: number[];
    size: number[];
    dtype?: 'int32' | 'bool';
  }[] = [
    {
      title: "MLP-2's centre crop of a batch",
      shape: [64, 28, 28, 1],
      begin: [0, 4, 4, 0],
      size: [64, 20, 20, 1],
    },
    { title: 'rows of a matrix (one contiguous run)', shape: [10, 7], begin: [3, 0], size: [4, -1] },
    { title: 'columns of a matrix', shape: [10, 70], begin: [2, 3], size: [5, 66] },
    { title: 'a middle axis', shape: [4, 6, 5], begin: [1, 2, 0], size: [2, 3, 5] },
    { title: 'partial channels', shape: [2, 5, 5, 3], begin: [1, 1, 2, 1], size: [1, 3, 2, 2] },
    { title: 'a whole tensor', shape: [3, 4], begin: [0, 0], size: [3, 4] },
    { title: 'an empty slice', shape: [5, 6], begin: [2, 1], size: [0, 3] },
    { title: 'rank 5', shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 3], size: [1, 3, 2, 3, 2] },
    { title: 'int32 values', shape: [6, 9], begin: [1, 2], size: [4, 5], dtype: 'int32' },
    { title: 'bool values (left to wasm)', shape: [6, 9], begin: [1, 2], size: [4, 5], dtype: 'bool' },
  ];
  for (const c of CASES) {
    test(`${c.title}: the cpu backend's slice, exactly`, async () => {
      const values = randomValues(
        c.shape.reduce((a, b) => a * b, 1),
        17,
      );
      const slice = () => {
        const x =
          c.dtype === 'int32'
            ? tf.tensor(
                Int32Array.from(values, (v) => Math.round(v * 1000)),
                c.shape,
                'int32',
              )
            : c.dtype === 'bool'
              ? tf.tensor(
                  Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
                  c.shape,
                  'bool',
                )
              : tf.tensor(values, c.shape);
        const y = tf.slice(x, c.begin, c.size);
        const result = { shape: y.shape, values: Array.from(y.dataSync()) };
        tf.dispose([x, y]);
        return result;
      };
      const expected = await on('cpu', slice);
      const dataIds = (await on('wasm', () => tf.engine().backend)).numDataIds();
      const actual = await on('wasm', slice);
      assert.equal(tf.engine().backend.numDataIds(), dataIds);
      assert.deepEqual(actual, expected);
    });
  }
});
