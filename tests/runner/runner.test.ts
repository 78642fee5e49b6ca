import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../experiments/lib/backend/select.ts';
import { defaultDataDir, loadMnist, normalise } from '../../experiments/lib/engine/dataset.ts';
import { DivergenceError } from '../../experiments/lib/contract/errors.ts';
import { buildModel } from '../../experiments/lib/engine/models.ts';
import { architecture } from '../helpers/architectures.ts';
import { readResults, type Results } from '../../experiments/lib/contract/results.ts';
import { runExperiments } from '../../experiments/lib/runner/runner.ts';
import { PIXELS, trainModel, type LabelledImages } from '../../experiments/lib/engine/train.ts';

const DEFINITIONS = 'tests/fixtures/definitions';

/** Runs the real command line; resolves with its exit code and output. */
function cli(args: string[], onLine?: (line: string, kill: () => void) => void) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', 'scripts/experiments.ts', '--definitions-dir', DEFINITIONS, ...args],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk;
        for (const line of chunk.toString().split('\n')) onLine?.(line, () => child.kill('SIGINT'));
      });
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

describe('the experiment runner', () => {
  let resultsDir: string;
  let file: string;
  let results: Results;
  let firstRun: Awaited<ReturnType<typeof cli>>;

  before(async () => {
    resultsDir = await mkdtemp(path.join(os.tmpdir(), 'results-'));
    file = path.join(resultsDir, 'smoke.json');
    firstRun = await cli(['--quick', '--results-dir', resultsDir]);
    results = await readResults(file);
  });

  it('writes a schema-valid result from a --quick run, with a summary table', () => {
    assert.equal(firstRun.code, 0, firstRun.stderr);
    assert.match(firstRun.stdout, /smoke: running \(no results yet\)/);
    // Products on the system's OpenBLAS where it is installed, said on the start line and in the results.
    if (results.provenance.blas === null) assert.match(firstRun.stdout, /no OpenBLAS: install libopenblas0/);
    else assert.match(firstRun.stdout, /smoke: running .* on wasm [\d.]+, products on OpenBLAS \d/);
    assert.match(firstRun.stdout, /experiment\s+run\s+accuracy/);
    assert.equal(results.provenance.quick, true);
    assert.deepEqual(
      results.runs.map((r) => r.key),
      ['mlp5', 'lenet5'],
    );
    for (const run of results.runs) {
      const trial = run.trials[0]!;
      assert.equal(trial.test.total, 1000);
      assert.equal(trial.test.correct, 1000 - trial.test.misclassified.length);
      assert.equal(
        trial.test.confusion.flat().reduce((a, b) => a + b, 0),
        1000,
      );
      assert.ok(trial.test.accuracy > 0.3, `${run.key} learned something: ${trial.test.accuracy}`);
      assert.ok(trial.epochs[0]!.trainSeconds > 0 && Number.isFinite(trial.epochs[0]!.trainLoss));
      assert.ok(trial.latency.batch1.p50Us > 0 && trial.latency.batch1.p50Us <= trial.latency.batch1.p99Us);
      assert.ok(run.metrics.sizeWithOptimizerBytes > 2.5 * run.metrics.sizeBytes);
    }
    assert.equal(results.runs[1]!.metrics.params, 44_426);
    assert.equal(results.comparisons.length, 1);
    assert.equal(results.dataset.checksums['train-images-idx3-ubyte']?.length, 64);
  });

  it('saves the models in TensorFlow.js format with predictions for the browser check', async () => {
    assert.equal(results.runs[1]!.savedModel, 'smoke/models/lenet5');
    const modelJson = JSON.parse(
      await readFile(path.join(resultsDir, 'smoke/models/lenet5/model.json'), 'utf8'),
    );
    assert.equal(modelJson.format, 'layers-model');
    assert.deepEqual(modelJson.weightsManifest[0].paths, ['weights.bin']);
    const weights = await readFile(path.join(resultsDir, 'smoke/models/lenet5/weights.bin'));
    assert.equal(weights.byteLength, 44_426 * 4);
    assert.equal(results.samples!.indices.length, 200);
    assert.equal(results.samples!.predictions.lenet5!.length, 200);
    const digit = results.testDigits.find((d) => d.index === 0)!;
    assert.equal(Buffer.from(digit.pixelsBase64, 'base64').byteLength, 784);
    assert.equal(digit.label, 7);
  });

  it('trains nothing on a second run when nothing changed', async () => {
    const before = await readFile(file);
    const second = await cli(['--quick', '--results-dir', resultsDir]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /smoke: up to date/);
    assert.doesNotMatch(second.stdout, /epoch 1/);
    assert.deepEqual(await readFile(file), before);
  });

  it('reruns when the definition changes', async () => {
    const definitionsDir = await mkdtemp(path.join(os.tmpdir(), 'definitions-'));
    const definition = JSON.parse(await readFile(path.join(DEFINITIONS, 'smoke.json'), 'utf8'));
    await writeFile(
      path.join(definitionsDir, 'smoke.json'),
      JSON.stringify({ ...definition, learningRate: 0.002 }),
    );
    const events: string[] = [];
    await runExperiments({
      quick: true,
      resultsDir,
      definitionsDir,
      events: { onExperimentStart: (_d, reason) => events.push(reason) },
      only: ['smoke'],
    }).catch(() => undefined);
    assert.deepEqual(events.slice(0, 1), ['definition changed']);
  });

  it('leaves the earlier results byte-identical when a run fails on bad data', async () => {
    // --no-blas: this earlier run's products stay on XNNPACK, and its results say so.
    const xnnpack = await cli(['--quick', '--results-dir', resultsDir, '--force', '--no-blas']);
    assert.equal(xnnpack.code, 0, xnnpack.stderr);
    assert.doesNotMatch(xnnpack.stdout, /OpenBLAS|libopenblas/);
    assert.equal((await readResults(file)).provenance.blas, null);
    const earlier = await readFile(file);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bad-mnist-'));
    for (const name of await readdir(defaultDataDir()))
      await copyFile(path.join(defaultDataDir(), name), path.join(dataDir, name));
    const labels = await readFile(path.join(dataDir, 't10k-labels-idx1-ubyte'));
    labels[8 + 5] = 42;
    await writeFile(path.join(dataDir, 't10k-labels-idx1-ubyte'), labels);
    const failed = await cli(['--quick', '--force', '--results-dir', resultsDir, '--data-dir', dataDir]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^error: .*t10k-labels-idx1-ubyte.*42/);
    assert.equal(failed.stderr.trim().split('\n').length, 1);
    assert.deepEqual(await readFile(file), earlier);
  });

  it('leaves the earlier results byte-identical when interrupted with Ctrl-C mid-training', async () => {
    const earlier = await readFile(file);
    let sent = false;
    const interrupted = await cli(['--quick', '--force', '--results-dir', resultsDir], (line, kill) => {
      if (!sent && /\[1\/2\] mlp5/.test(line)) {
        sent = true;
        setTimeout(kill, 300);
      }
    });
    assert.ok(sent, 'the run started training');
    assert.equal(interrupted.code, 130);
    assert.match(interrupted.stderr, /interrupted: earlier results are unchanged/);
    assert.deepEqual(await readFile(file), earlier);
    assert.deepEqual(
      (await readdir(resultsDir)).filter((f) => f.startsWith('.tmp-')),
      [],
      'no temporary files are left beside the results',
    );
  });

  it('rejects an unknown backend and an unknown experiment in one line', async () => {
    const badBackend = await cli(['--backend', 'gpu', '--results-dir', resultsDir]);
    assert.equal(badBackend.code, 1);
    assert.equal(
      badBackend.stderr,
      "error: --backend: unknown backend 'gpu' (known: auto, tensorflow, wasm, cpu)\n",
    );
    const badOnly = await cli(['--only', 'nope', '--results-dir', resultsDir]);
    assert.equal(badOnly.stderr, "error: --only: unknown experiment 'nope' (known: smoke)\n");
  });
});

describe('training', () => {
  let train: LabelledImages;

  before(async () => {
    await selectBackend('wasm');
    const mnist = await loadMnist();
    const count = 640;
    train = {
      images: normalise(mnist.train.images.subarray(0, count * PIXELS)),
      labels: mnist.train.labels.subarray(0, count),
      count,
    };
  });

  after(() => tf.disposeVariables());

  async function firstLosses(seed: number): Promise<number[]> {
    const losses: number[] = [];
    const model = buildModel(architecture('lenet5'), seed);
    const optimizer = tf.train.adam(0.001);
    await trainModel({
      model,
      optimizer,
      train,
      validation: train,
      batchSize: 64,
      epochs: 1,
      seed,
      name: 'lenet5',
      onBatch: (p) => losses.push(p.loss),
    });
    model.dispose();
    optimizer.dispose();
    return losses;
  }

  it('gives the same losses for the same seed and backend, and falling losses', async () => {
    const a = await firstLosses(3);
    const b = await firstLosses(3);
    assert.deepEqual(a, b);
    assert.notDeepEqual(await firstLosses(4), a);
    assert.ok(a.at(-1)! < a[0]!, `loss falls: ${a[0]} → ${a.at(-1)}`);
  });

  it('does not leak tensors across a training run', async () => {
    await firstLosses(3);
    const before = tf.memory().numTensors;
    await firstLosses(3);
    assert.equal(tf.memory().numTensors, before);
  });

  it('stops with a DivergenceError on a non-finite loss', async () => {
    const poisoned = { ...train, images: train.images.slice() };
    poisoned.images.fill(Number.NaN, 0, PIXELS * 64);
    const model = buildModel(architecture('mlp5'), 1);
    await assert.rejects(
      trainModel({
        model,
        optimizer: tf.train.adam(0.001),
        train: poisoned,
        validation: train,
        batchSize: 64,
        epochs: 1,
        seed: 1,
        name: 'mlp5',
      }),
      (error: unknown) =>
        error instanceof DivergenceError &&
        /mlp5 \(seed 1\) diverged: loss NaN at epoch 1, batch \d+; no results were written/.test(
          error.message,
        ),
    );
  });
});
