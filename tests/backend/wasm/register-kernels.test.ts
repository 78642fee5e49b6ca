import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildModel } from '../../../experiments/lib/engine/models.ts';
import { registerWasmKernels } from '../../../experiments/lib/backend/wasm/register-kernels.ts';
import { on, onWasmWithKernels, randomTensor } from './values.ts';
import { assertClose } from '../../helpers/close.ts';
import { architecture } from '../../helpers/architectures.ts';

before(async () => {
  await onWasmWithKernels();
  // A second registration does nothing (and does not throw).
  registerWasmKernels();
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
