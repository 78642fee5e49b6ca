import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { denseChain } from '../../../experiments/lib/backend/blas/dense-chain.ts';
import { selectBackend } from '../../../experiments/lib/backend/select.ts';
import { chainSteps, inferenceChain } from '../../../experiments/lib/backend/blas/inference-chain.ts';
import { measureBatch1 } from '../../../experiments/lib/engine/latency.ts';
import { buildModel } from '../../../experiments/lib/engine/models.ts';
import { architecture, architectures } from '../../helpers/architectures.ts';
import { requireBlas, skipWithoutBlas } from '../../helpers/blas.ts';

/** `count` seeded images in [-1, 1], N×784. */
function images(count: number): Float32Array {
  return Float32Array.from({ length: count * 784 }, (_, i) => Math.sin(i * 12.9898) * 0.999);
}

before(async () => {
  await selectBackend('wasm');
});

describe('batch-1 inference as a chain of BLAS calls', () => {
  test('every MLP has a chain; LeNet-5 (convolutions) has none', () => {
    for (const [id, spec] of architectures) {
      const model = buildModel(spec, 1);
      const steps = chainSteps(model);
      if (spec.layers.some((layer) => layer.kind === 'conv')) assert.equal(steps, undefined, id);
      else assert.ok(steps !== undefined && steps.some((s) => s.kind === 'dense'), id);
      model.dispose();
    }
  });

  for (const [id, spec] of architectures) {
    if (spec.layers.some((layer) => layer.kind === 'conv')) continue;
    test(
      `gives model.predict's logits for ${id}, to float32 rounding, and the same class`,
      { skip: skipWithoutBlas },
      () => {
        requireBlas();
        const model = buildModel(spec, 3);
        const chain = inferenceChain(model)!;
        const pixels = images(20);
        for (let i = 0; i < 20; i++) {
          const x = tf.tensor4d(pixels.subarray(i * 784, (i + 1) * 784), [1, 28, 28, 1]);
          const expected = (model.predict(x) as tf.Tensor).dataSync();
          const actual = chain.run(pixels.subarray(i * 784, (i + 1) * 784));
          const scale = Math.max(...expected.map(Math.abs));
          expected.forEach((e, c) =>
            assert.ok(
              Math.abs(actual[c]! - e) <= 1e-5 * scale,
              `${id} image ${i} class ${c}: ${actual[c]} vs ${e}`,
            ),
          );
          const argmax = (v: ArrayLike<number>) => Array.from(v).indexOf(Math.max(...Array.from(v)));
          assert.equal(argmax(actual), argmax(expected));
          x.dispose();
        }
        model.dispose();
      },
    );
  }

  test('a hand-worked chain: crop, dense relu, dense tanh', { skip: skipWithoutBlas }, () => {
    // 4×4 image, centre 2×2 crop = [5, 6, 9, 10]; kernel 4×2 (row-major in × out).
    const chain = denseChain(
      requireBlas(),
      [
        { kind: 'crop', size: 2, from: 4 },
        {
          kind: 'dense',
          kernel: Float32Array.from([1, -1, 0, 1, 1, 0, 0, -1]),
          bias: Float32Array.from([1, 0]),
          inputs: 4,
          units: 2,
          activation: 'relu',
        },
        {
          kind: 'dense',
          kernel: Float32Array.from([0.01, 0.02]),
          bias: null,
          inputs: 2,
          units: 1,
          activation: 'tanh',
        },
      ],
      16,
    );
    const out = chain.run(Float32Array.from({ length: 16 }, (_, i) => i));
    // dense 1: [5·1 + 6·0 + 9·1 + 10·0 + 1, 5·(−1) + 6·1 + 9·0 + 10·(−1)] = [15, −9] → relu [15, 0]
    assert.ok(Math.abs(out[0]! - Math.tanh(0.15)) < 1e-7);
  });

  test('shapes that do not follow one from the next are refused', { skip: skipWithoutBlas }, () => {
    assert.throws(
      () =>
        denseChain(
          requireBlas(),
          [
            {
              kind: 'dense',
              kernel: new Float32Array(6),
              bias: null,
              inputs: 3,
              units: 2,
              activation: 'linear',
            },
          ],
          4,
        ),
      /chain step 0: a 3×2 dense layer after 4 values/,
    );
  });

  test(
    'measureBatch1 takes the chain it is given and says so; LeNet-5 has none',
    { skip: skipWithoutBlas },
    () => {
      requireBlas();
      const set = { images: images(3), labels: new Uint8Array(3), count: 3 };
      const mlp = buildModel(architecture('mlp1'), 1);
      const chain = inferenceChain(mlp);
      assert.equal(measureBatch1(mlp, set, { warmupCalls: 1, timedCalls: 3, chain }).path, 'chain');
      assert.equal(
        measureBatch1(mlp, set, { warmupCalls: 1, timedCalls: 3, chain, path: 'forward' }).path,
        'forward',
      );
      assert.equal(measureBatch1(mlp, set, { warmupCalls: 1, timedCalls: 3 }).path, 'forward');
      const lenet = buildModel(architecture('lenet5'), 1);
      assert.equal(inferenceChain(lenet), undefined);
      assert.equal(measureBatch1(lenet, set, { warmupCalls: 1, timedCalls: 3 }).path, 'forward');
      assert.throws(
        () => measureBatch1(lenet, set, { warmupCalls: 1, timedCalls: 3, path: 'chain' }),
        /no BLAS chain/,
      );
      mlp.dispose();
      lenet.dispose();
    },
  );
});
