import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend, type BackendName } from '../../experiments/lib/backend/select.ts';
import { UsageError } from '../../experiments/lib/contract/errors.ts';

const require = createRequire(import.meta.url);
const tfjsVersion = (require('@tensorflow/tfjs/package.json') as { version: string }).version;

test("'auto' selects wasm when tfjs-node is not installed", async () => {
  assert.throws(() => require.resolve('@tensorflow/tfjs-node'), 'this test expects tfjs-node to be absent');
  const info = await selectBackend('auto');
  const { blas, ...rest } = info;
  assert.deepEqual(rest, { name: 'wasm', version: tfjsVersion, tfjs: tfjsVersion, threads: 1 });
  // The system's OpenBLAS where it is installed (./blas.test.ts), else none.
  assert.ok(blas === null || blas.startsWith('OpenBLAS '), String(blas));
  assert.equal(tf.getBackend(), 'wasm');
});

test('selecting twice is harmless and wasm can train a convolution', async () => {
  await selectBackend();
  await selectBackend('wasm');
  const x = tf.ones([1, 6, 6, 1]) as tf.Tensor4D;
  const gradient = tf.grad((filter: tf.Tensor) => tf.sum(tf.conv2d(x, filter as tf.Tensor4D, 1, 'valid')))(
    tf.ones([3, 3, 1, 1]),
  );
  assert.deepEqual(Array.from(gradient.dataSync()), Array(9).fill(16));
  tf.dispose([x, gradient]);
});

test("'cpu' selects the plain JavaScript backend", async () => {
  const info = await selectBackend('cpu');
  assert.equal(info.name, 'cpu');
  assert.equal(info.tfjs, tfjsVersion);
  assert.match(info.version, /^\d+\.\d+\.\d+/);
  assert.equal(tf.getBackend(), 'cpu');
  await selectBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
});

test("a backend that cannot be loaded ('tensorflow' without tfjs-node) gives a one-line UsageError", async () => {
  await assert.rejects(selectBackend('tensorflow'), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.match(error.message, /^backend 'tensorflow' cannot be loaded: .*tfjs-node/);
    assert.doesNotMatch(error.message, /\n/);
    return true;
  });
  assert.equal(tf.getBackend(), 'wasm', 'the active backend is left as it was');
});

test('an unknown backend name gives a UsageError that lists the known names', async () => {
  await assert.rejects(selectBackend('gpu' as BackendName), {
    name: 'UsageError',
    message: "unknown backend 'gpu' (known: auto, tensorflow, wasm, cpu)",
  });
});
