import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { selectBackend } from '../../../experiments/lib/backend/select.ts';
import { loadMnist, normalise } from '../../../experiments/lib/engine/dataset.ts';
import { UsageError } from '../../../experiments/lib/contract/errors.ts';
import { buildModel } from '../../../experiments/lib/engine/models.ts';
import { architecture } from '../../helpers/architectures.ts';
import { adam } from '../../../experiments/lib/engine/trial.ts';
import { PIXELS, trainStep } from '../../../experiments/lib/engine/train.ts';
import { simdFunctionsLoad } from '../../../experiments/lib/backend/wasm/simd/functions.ts';

const BATCH = 64;
const STEPS = 3;

/**
 * Losses of STEPS training steps on the first real MNIST batches, and the weights after them, with
 * every kernel on wasm (products on XNNPACK, not OpenBLAS, whose single thread is the same either way).
 */
async function train(id: string, threads: number): Promise<{ losses: number[]; weights: Float32Array[] }> {
  const info = await selectBackend('wasm', { threads, blas: false });
  assert.equal(info.threads, threads);
  const data = await loadMnist();
  const images = normalise(data.train.images.subarray(0, STEPS * BATCH * PIXELS));
  const labels = Int32Array.from(data.train.labels.subarray(0, STEPS * BATCH));
  const model = buildModel(architecture(id), 1);
  const optimizer = adam(0.001);
  const losses: number[] = [];
  for (let step = 0; step < STEPS; step++) {
    const { loss, correct } = trainStep(
      model,
      optimizer,
      images.subarray(step * BATCH * PIXELS),
      labels.subarray(step * BATCH),
      BATCH,
    );
    losses.push(loss.dataSync()[0]!);
    tf.dispose([loss, correct]);
  }
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  optimizer.dispose();
  return { losses, weights };
}

for (const id of ['mlp5', 'lenet5'] as const) {
  test(`${id}: training on the threaded wasm build (2 threads) gives the single-threaded values`, async () => {
    const single = await train(id, 1);
    const threaded = await train(id, 2);
    assert.ok(
      single.losses[0]! > 2,
      'the first loss is near ln 10, so the model really trained from scratch',
    );
    for (let i = 0; i < STEPS; i++) {
      assert.ok(
        Math.abs(threaded.losses[i]! - single.losses[i]!) <= 1e-6 * single.losses[i]!,
        `step ${i + 1}: loss ${threaded.losses[i]} with 2 threads, ${single.losses[i]} with 1`,
      );
    }
    single.weights.forEach((w, k) => {
      const t = threaded.weights[k]!;
      let worst = 0;
      for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(t[i]! - w[i]!));
      assert.ok(worst <= 1e-6, `weight tensor ${k}: largest difference ${worst}`);
    });
  });
}

test("the SIMD kernels (Adam, tanh, transpose) load on the single-threaded and on the threaded build's memory", async () => {
  for (const threads of [1, 2]) {
    await selectBackend('wasm', { threads });
    assert.ok(simdFunctionsLoad(tf.backend() as BackendWasm), `${threads} thread(s)`);
  }
});

test('switching back to one thread starts the single-threaded build again', async () => {
  assert.equal((await selectBackend('wasm', { threads: 2 })).threads, 2);
  assert.equal((await selectBackend('wasm', { threads: 1 })).threads, 1);
  assert.equal(tf.getBackend(), 'wasm');
});

test('a thread count out of range is a UsageError naming the field', async () => {
  for (const threads of [0, 1.5, Number.NaN, 5]) {
    await assert.rejects(selectBackend('wasm', { threads }), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.match(error.message, /^threads: expected an integer from 1 to 4, got /);
      return true;
    });
  }
});

test('a process on the threaded build exits by itself when its work is done', (t) => {
  const directory = mkdtempSync(join(tmpdir(), 'wasm-threads-'));
  t.after(() => rmSync(directory, { recursive: true, force: true }));
  const script = join(directory, 'run.mts');
  const backendModule = pathToFileURL(
    join(import.meta.dirname, '..', '..', '..', 'experiments', 'lib', 'backend', 'select.ts'),
  ).href;
  writeFileSync(
    script,
    [
      `import * as tf from '${pathToFileURL(createRequire(import.meta.url).resolve('@tensorflow/tfjs')).href}';`,
      `import { selectBackend } from '${backendModule}';`,
      "const info = await selectBackend('wasm', { threads: 2 });",
      'const a = tf.randomNormal([256, 256]);',
      'tf.matMul(a, a).dataSync();',
      'console.log(info.threads);',
    ].join('\n'),
  );
  const child = spawnSync(process.execPath, ['--import', 'tsx', script], {
    cwd: join(import.meta.dirname, '..', '..', '..'),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(child.signal, null, 'the process had to be killed: the pool threads kept it alive');
  assert.equal(child.status, 0, child.stderr.slice(-500));
  assert.equal(child.stdout.trim(), '2');
});
