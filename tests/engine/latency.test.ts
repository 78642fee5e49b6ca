import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../experiments/lib/backend/select.ts';
import { forward, measureBatch1 } from '../../experiments/lib/engine/latency.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture, architectures } from '../helpers/architectures.ts';

/** `count` seeded images in [-1, 1], N×784. */
function images(count: number): Float32Array {
  return Float32Array.from({ length: count * 784 }, (_, i) => Math.sin(i * 12.9898) * 0.999);
}

before(async () => {
  await selectBackend('wasm');
});

describe('the batch-1 forward pass', () => {
  for (const [id, spec] of architectures) {
    test(`gives exactly model.predict's logits for ${id}`, () => {
      const model = buildModel(spec, 3);
      const pixels = images(2);
      for (const size of [1, 2]) {
        const x = tf.tensor4d(pixels.subarray(0, size * 784), [size, 28, 28, 1]);
        const expected = model.predict(x) as tf.Tensor;
        const actual = forward(model, x);
        assert.deepEqual(actual.shape, expected.shape);
        assert.deepEqual(actual.dataSync(), expected.dataSync());
        tf.dispose([x, expected, actual]);
      }
      model.dispose();
    });
  }

  test('leaves no tensor behind but its result', () => {
    const model = buildModel(architecture('lenet5'), 1);
    const x = tf.tensor4d(images(1), [1, 28, 28, 1]);
    const tensors = tf.memory().numTensors;
    const logits = forward(model, x);
    assert.equal(tf.memory().numTensors, tensors + 1);
    tf.dispose([x, logits]);
    model.dispose();
  });

  test('reports ordered percentiles over the timed calls', () => {
    const model = buildModel(architecture('mlp1'), 1);
    const set = { images: images(3), labels: new Uint8Array(3), count: 3 };
    const stats = measureBatch1(model, set, { warmupCalls: 2, timedCalls: 5 });
    assert.equal(stats.calls, 5);
    assert.ok(stats.p50Us > 0 && stats.p50Us <= stats.p90Us && stats.p90Us <= stats.p99Us);
    model.dispose();
  });
});
