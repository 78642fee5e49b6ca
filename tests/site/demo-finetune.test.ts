/**
 * The demo's on-device fine-tuning in Node: the wasm filter-gradient kernel against tfjs' cpu
 * backend, the batches, fine-tuning and restoring the committed models exactly, and the bundled
 * digits (training digits picked the same way every time, the parity check's test digits).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { loadMnist, normalise, type Mnist } from '../../experiments/lib/engine/dataset.ts';
import { makeResults } from '../fixtures/results-fixture.ts';
import { registerWasmConvFilterGradient } from '../../site/demo/browser/wasm-grad.ts';
import {
  ORIGINAL_METHOD,
  REPLAY_METHOD,
  accuracy,
  batchFor,
  fineTune,
  predictSet,
  restore,
  snapshot,
  type LabelledSet,
} from '../../site/demo/browser/finetune.ts';
import { evaluationDigits, replayDigits } from '../../site/demo/finetune-data.ts';

const PIXELS = 784;
const RESULTS = 'experiments/results';

/** The committed model of run `key` of mlp-vs-lenet, from the folder its results name. */
async function loadModel(key: string): Promise<tf.LayersModel> {
  const results = JSON.parse(await readFile(`${RESULTS}/mlp-vs-lenet.json`, 'utf8')) as {
    runs: { key: string; savedModel: string | null }[];
  };
  const dir = `${RESULTS}/${results.runs.find((r) => r.key === key)!.savedModel!}`;
  const json = JSON.parse(await readFile(`${dir}/model.json`, 'utf8')) as {
    modelTopology: object;
    weightsManifest: Array<{ weights: tf.io.WeightsManifestEntry[] }>;
  };
  const bin = await readFile(`${dir}/weights.bin`);
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
}

describe('on-device fine-tuning', { timeout: 300_000 }, () => {
  let mnist: Mnist;
  before(async () => {
    mnist = await loadMnist();
    await tf.setBackend('wasm');
    registerWasmConvFilterGradient();
  });

  test('the wasm filter gradient of a convolution equals the cpu backend’s', async () => {
    const x = tf.randomUniform([3, 12, 12, 6], -1, 1, 'float32', 7) as tf.Tensor4D;
    const filter = tf.randomUniform([5, 5, 6, 16], -1, 1, 'float32', 8);
    const grad = (backend: string) => {
      return tf.setBackend(backend).then(() =>
        tf.tidy(() => {
          const g = tf.grad((f: tf.Tensor) =>
            tf
              .conv2d(x, f as tf.Tensor4D, 1, 'valid')
              .square()
              .sum(),
          )(filter as tf.Tensor4D);
          return Array.from(g.dataSync());
        }),
      );
    };
    const onWasm = await grad('wasm');
    const onCpu = await grad('cpu');
    await tf.setBackend('wasm');
    const worst = Math.max(...onWasm.map((v, i) => Math.abs(v - onCpu[i]!) / (1 + Math.abs(onCpu[i]!))));
    assert.ok(worst < 1e-4, `largest relative difference ${worst}`);
  });

  test('a step’s batch is the example, then replay digits taken in turn', () => {
    const example = new Float32Array(PIXELS).fill(0.5);
    const replay: LabelledSet = {
      images: Float32Array.from({ length: 3 * PIXELS }, (_, i) => Math.floor(i / PIXELS)),
      labels: [4, 5, 6],
      count: 3,
    };
    const batch = batchFor(
      example,
      9,
      replay,
      { steps: 2, exampleCopies: 1, replayPerStep: 2, learningRate: 1e-3 },
      1,
    );
    assert.deepEqual(batch.labels, [9, 6, 4]);
    assert.equal(batch.images[0], 0.5);
    assert.equal(batch.images[PIXELS], 2);
    assert.equal(batch.images[2 * PIXELS], 0);
  });

  test('fine-tuning the committed models on a misread test digit makes both read it, and restoring gives the published outputs bit for bit', async () => {
    const replayRaw = await replayDigits(30);
    const replay: LabelledSet = { images: normalise(replayRaw.pixels), labels: replayRaw.labels, count: 300 };
    const test200: LabelledSet = {
      images: normalise(mnist.test.images.subarray(0, 200 * PIXELS)),
      labels: Array.from(mnist.test.labels.subarray(0, 200)),
      count: 200,
    };
    // Test image 340, a 5 both models read as 3 (results: misclassified by MLP-5 and LeNet-5).
    const index = 340;
    const example = normalise(mnist.test.images.subarray(index * PIXELS, (index + 1) * PIXELS));
    const one: LabelledSet = { images: example, labels: [5], count: 1 };
    for (const key of ['mlp5', 'lenet5']) {
      const model = await loadModel(key);
      const published = snapshot(model);
      const outputsBefore = predictSet(model, test200);
      const accuracyBefore = accuracy(model, test200);
      assert.notEqual(predictSet(model, one).predicted[0], 5, `${key} misreads test image ${index}`);
      const losses = await fineTune(model, example, 5, replay, REPLAY_METHOD);
      assert.equal(losses.length, REPLAY_METHOD.steps);
      assert.ok(losses.every(Number.isFinite));
      assert.equal(predictSet(model, one).predicted[0], 5, `${key} after fine-tuning`);
      assert.ok(
        accuracy(model, test200) >= accuracyBefore - 0.02,
        `${key}: accuracy ${accuracy(model, test200)} from ${accuracyBefore}`,
      );
      restore(model, published);
      assert.deepEqual(predictSet(model, test200), outputsBefore, `${key}: restored outputs`);
      await fineTune(model, example, 5, replay, ORIGINAL_METHOD);
      restore(model, published);
      assert.deepEqual(predictSet(model, test200), outputsBefore, `${key}: restored again`);
      tf.dispose(published);
      model.dispose();
    }
  });

  test('the replay digits are the first of each class in the training file, every time', async () => {
    const first = await replayDigits(1);
    assert.deepEqual(first.labels, [5, 0, 4, 1, 9, 2, 3, 6, 7, 8]);
    assert.deepEqual(first.pixels.subarray(0, PIXELS), mnist.train.images.subarray(0, PIXELS));
    assert.deepEqual((await replayDigits(1)).pixels, first.pixels);
  });

  test('evaluation digits are the samples’ test digits; one missing from testDigits is named', () => {
    const results = makeResults({ id: 'x', models: ['mlp5'] });
    results.samples = { indices: [0], predictions: { mlp5: [7] } };
    results.testDigits = [{ index: 0, label: 7, pixelsBase64: Buffer.alloc(PIXELS, 9).toString('base64') }];
    const digits = evaluationDigits(results, 'r/x.json')!;
    assert.deepEqual(digits.labels, [7]);
    assert.equal(Buffer.from(digits.pixelsBase64, 'base64')[0], 9);
    results.samples.indices = [0, 5];
    assert.throws(
      () => evaluationDigits(results, 'r/x.json'),
      /r\/x\.json.*samples\.indices\[1\]: test digit 5 is not in testDigits/,
    );
  });
});
