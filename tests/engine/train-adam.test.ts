import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { applyGradients } from '../../experiments/lib/engine/train.ts';
import { registerWasmKernels } from '../../experiments/lib/backend/wasm/register-kernels.ts';
import { ADAM_UPDATE } from '../../experiments/lib/engine/kernel-names.ts';

/** Shapes of a small network's weights; 5, 7 and 3 leave a remainder past the SIMD groups of four. */
const SHAPES = [[13, 5], [5], [5, 7], [7], [7, 3], [3], [64, 32]];

function seededVariables(prefix: string): tf.Variable[] {
  return SHAPES.map((shape, i) =>
    tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 10 + i), true, `${prefix}/w${i}`),
  );
}

/** Seeded gradients of varied scale (some tiny, as late in training), one set per step. */
function seededGradients(variables: tf.Variable[], step: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const gradients: tf.NamedTensorMap = {};
    variables.forEach((variable, i) => {
      gradients[variable.name] = tf.mul(
        tf.randomNormal(variable.shape, 0, 1, 'float32', 100 * step + i),
        10 ** -(i % 4),
      );
    });
    return gradients;
  });
}

async function snapshot(variables: tf.Variable[], optimizer: tf.Optimizer): Promise<Float32Array[]> {
  const state = await optimizer.getWeights();
  return [
    ...variables.map((v) => v.dataSync() as Float32Array),
    ...state.slice(1).map((named) => named.tensor.dataSync() as Float32Array),
    Float32Array.of(state[0]!.tensor.dataSync()[0]!),
  ];
}

before(async () => {
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

describe('the fused Adam update on wasm', () => {
  test('is registered by registerWasmKernels', () => {
    assert.notEqual(tf.getKernel(ADAM_UPDATE, 'wasm'), undefined);
  });

  for (const { steps, beta1, beta2, when } of [
    { steps: 6, beta1: 0.9, beta2: 0.999, when: 'in its first steps' },
    // With β = 0.5 and 0.6, 1 − βᵗ rounds to exactly 1 from steps 26 and 34 on, and the SIMD code then
    // skips the divisions by it: the values must not change.
    { steps: 40, beta1: 0.5, beta2: 0.6, when: 'once the bias corrections are exactly 1' },
  ])
    test(`gives bit for bit the weights, moments and iteration count of tf.train.adam ${when}`, async () => {
      await sameAsTfjsAdam(steps, beta1, beta2);
    });

  async function sameAsTfjsAdam(steps: number, beta1: number, beta2: number): Promise<void> {
    const plain = seededVariables('plain');
    const fused = seededVariables('fused');
    const plainAdam = tf.train.adam(0.01, beta1, beta2);
    const fusedAdam = tf.train.adam(0.01, beta1, beta2);
    for (let step = 1; step <= steps; step++) {
      const plainGradients = seededGradients(plain, step);
      const fusedGradients = seededGradients(fused, step);
      (plainAdam as tf.Optimizer).applyGradients(plainGradients);
      applyGradients(fusedAdam, fusedGradients);
      tf.dispose([...Object.values(plainGradients), ...Object.values(fusedGradients)]);
    }
    const expected = await snapshot(plain, plainAdam);
    const actual = await snapshot(fused, fusedAdam);
    assert.equal(actual.length, expected.length);
    actual.forEach((values, k) => assert.deepEqual(values, expected[k], `array ${k}`));
    const names = (await fusedAdam.getWeights()).map((named) => named.name);
    assert.deepEqual(names.slice(0, 3), ['iter', 'fused/w0/m', 'fused/w1/m']);
    if (steps > 34) {
      // The skipping path ran: both corrections are exactly 1 by the last step.
      assert.equal(Math.fround(1 - Math.fround(beta1 ** steps)), 1);
      assert.equal(Math.fround(1 - Math.fround(beta2 ** steps)), 1);
    }
    tf.dispose([...plain, ...fused]);
    plainAdam.dispose();
    fusedAdam.dispose();
  }

  test('leaves no tensor behind after a step', () => {
    const variables = seededVariables('leak');
    const adam = tf.train.adam(0.01);
    const first = seededGradients(variables, 1);
    applyGradients(adam, first);
    tf.dispose(Object.values(first));
    const tensors = tf.memory().numTensors;
    const second = seededGradients(variables, 2);
    applyGradients(adam, second);
    tf.dispose(Object.values(second));
    assert.equal(tf.memory().numTensors, tensors);
    tf.dispose(variables);
    adam.dispose();
  });

  test('falls back to the optimizer itself for an optimizer other than Adam', () => {
    const [variable] = seededVariables('sgd');
    const sgd = tf.train.sgd(0.5);
    const before = variable!.dataSync().slice();
    applyGradients(sgd, { [variable!.name]: tf.onesLike(variable!) });
    const after = variable!.dataSync();
    for (let i = 0; i < before.length; i++) assert.equal(after[i], Math.fround(before[i]! - 0.5));
    variable!.dispose();
    sgd.dispose();
  });
});
