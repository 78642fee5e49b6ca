import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { nativeProducts } from '../../experiments/lib/backend/blas/openblas.ts';
import { applyForTraining } from '../../experiments/lib/engine/forward.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture } from '../helpers/architectures.ts';
import { registerWasmKernels } from '../../experiments/lib/backend/wasm/register-kernels.ts';
import { requireBlas, skipWithoutBlas } from '../helpers/blas.ts';

const BATCH = 8;

/** Models whose first layer with weights takes each branch of applyForTraining. */
const MODELS: Record<string, () => tf.LayersModel> = {
  // Conv2D, valid padding, tanh: the weights-only gradient.
  lenet5: () => buildModel(architecture('lenet5'), 3),
  // Dense with relu (tfjs-core runs it unfused while recording): left to the layer.
  mlp5: () => buildModel(architecture('mlp5'), 3),
  // A cropping layer before the first Dense (relu): the input is still the data.
  mlp2: () => buildModel(architecture('mlp2'), 3),
  // Conv2D with stride 2, same padding, no bias and a linear activation.
  'strided conv without bias': () =>
    tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 4,
          kernelSize: 3,
          strides: 2,
          padding: 'same',
          useBias: false,
          kernelInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 7 }),
        }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 8 }) }),
      ],
    }),
  // Dense with a linear activation (its bias fused into the product) after a flatten.
  'dense linear': () =>
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({
          units: 16,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 12 }),
          biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 13 }),
        }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 14 }) }),
      ],
    }),
  // Dense with tanh (its bias added after the product) after a flatten.
  'dense tanh': () =>
    tf.sequential({
      layers: [
        tf.layers.flatten({ inputShape: [28, 28, 1] }),
        tf.layers.dense({
          units: 32,
          activation: 'tanh',
          kernelInitializer: tf.initializers.glorotUniform({ seed: 9 }),
          biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: 10 }),
        }),
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 11 }) }),
      ],
    }),
};

interface Step {
  loss: number;
  gradients: Record<string, Float32Array>;
  /** Kernel names run by the step, in order. */
  kernels: string[];
}

/** Loss and gradients of softmax cross-entropy on a fixed batch, with `forward` as the model's pass. */
async function step(model: tf.LayersModel, forward: (xs: tf.Tensor) => tf.Tensor): Promise<Step> {
  const xs = tf.randomUniform([BATCH, 28, 28, 1], -1, 1, 'float32', 21);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
  let result: { value: tf.Scalar; grads: tf.NamedTensorMap } | undefined;
  const profile = await tf.profile(() => {
    result = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, forward(xs)) as tf.Scalar);
  });
  const { value, grads } = result!;
  const gradients = Object.fromEntries(
    Object.entries(grads).map(([name, g]) => [name, g.dataSync() as Float32Array]),
  );
  const loss = value.dataSync()[0]!;
  tf.dispose([xs, labels, value, ...Object.values(grads)]);
  return { loss, gradients, kernels: profile.kernels.map((k) => k.name) };
}

const count = (kernels: string[], name: string) => kernels.filter((k) => k === name).length;

before(() => registerWasmKernels());

const CONFIGURATIONS = [
  { title: 'wasm', backend: 'wasm', blas: false },
  { title: 'wasm with products on OpenBLAS', backend: 'wasm', blas: true },
  { title: 'cpu', backend: 'cpu', blas: false },
] as const;

for (const { title, backend, blas } of CONFIGURATIONS) {
  describe(`applyForTraining on ${title}`, { skip: blas && skipWithoutBlas }, () => {
    before(async () => {
      await tf.setBackend(backend);
      nativeProducts.blas = blas ? requireBlas() : undefined;
    });
    after(() => {
      nativeProducts.blas = undefined;
    });

    for (const [name, build] of Object.entries(MODELS)) {
      test(`${name}: loss and every gradient equal model.apply's, bit for bit`, async () => {
        const model = build();
        const plain = await step(model, (xs) => model.apply(xs, { training: true }) as tf.Tensor);
        const fast = await step(model, (xs) => applyForTraining(model, xs));
        assert.equal(fast.loss, plain.loss);
        assert.deepEqual(Object.keys(fast.gradients), Object.keys(plain.gradients));
        assert.equal(Object.keys(fast.gradients).length, model.trainableWeights.length);
        for (const variable of Object.keys(plain.gradients)) {
          assert.deepEqual(fast.gradients[variable], plain.gradients[variable], variable);
        }
        model.dispose();
      });
    }

    test("computes no gradient of a first convolution's input (the data)", async () => {
      const model = MODELS.lenet5!();
      const plain = await step(model, (xs) => model.apply(xs, { training: true }) as tf.Tensor);
      const fast = await step(model, (xs) => applyForTraining(model, xs));
      // conv1 and conv2 with model.apply; conv2 alone (whose input comes from conv1) with applyForTraining.
      assert.equal(count(plain.kernels, tf.Conv2DBackpropInput), 2);
      assert.equal(count(fast.kernels, tf.Conv2DBackpropInput), 1);
      assert.equal(count(fast.kernels, tf.Conv2DBackpropFilter), 2);
      model.dispose();
    });

    test("computes no gradient of a first Dense layer's input when its activation is not fused", async () => {
      const model = MODELS['dense tanh']!();
      const products = (kernels: string[]) =>
        count(kernels, tf.BatchMatMul) + count(kernels, tf._FusedMatMul);
      const plain = await step(model, (xs) => model.apply(xs, { training: true }) as tf.Tensor);
      const fast = await step(model, (xs) => applyForTraining(model, xs));
      assert.equal(products(fast.kernels), products(plain.kernels) - 1);
      model.dispose();
    });

    test('leaves no tensor behind', () => {
      const model = MODELS.lenet5!();
      const xs = tf.randomUniform([BATCH, 28, 28, 1]);
      const before = tf.memory().numTensors;
      const { value, grads } = tf.variableGrads(() => tf.sum(applyForTraining(model, xs)) as tf.Scalar);
      tf.dispose([value, ...Object.values(grads)]);
      assert.equal(tf.memory().numTensors, before);
      tf.dispose(xs);
      model.dispose();
    });
  });
}

describe('applyForTraining on a model that is not Sequential', () => {
  test("is model.apply's output", async () => {
    await tf.setBackend('wasm');
    const input = tf.input({ shape: [28, 28, 1] });
    const output = tf.layers
      .dense({ units: 10, activation: 'tanh' })
      .apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: output });
    const xs = tf.randomUniform([BATCH, 28, 28, 1], -1, 1, 'float32', 5);
    const plain = (model.apply(xs, { training: true }) as tf.Tensor).dataSync();
    assert.deepEqual(applyForTraining(model, xs).dataSync(), plain);
    model.dispose();
  });
});
