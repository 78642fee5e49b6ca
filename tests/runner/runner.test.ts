import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFile, cp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { readResults, type Results } from '../../experiments/lib/contract/results.ts';
import { defaultDataDir } from '../../experiments/lib/engine/dataset.ts';
import { cli, planTrials, snapshot, withoutTimings } from '../helpers/runner-cli.ts';
import { tempDir } from '../helpers/idx-files.ts';

const SMOKE = JSON.parse(await readFile('tests/fixtures/definitions/smoke.json', 'utf8')) as Record<
  string,
  unknown
>;
const WORKER = path.resolve('experiments/lib/runner/worker.ts');

/** A definitions folder holding `definitions` (id → fields). */
async function definitionsDir(root: string, definitions: Record<string, Record<string, unknown>>) {
  const dir = path.join(
    root,
    `definitions-${Object.keys(definitions).join('-')}-${Math.random().toString(36).slice(2, 8)}`,
  );
  await mkdir(dir, { recursive: true });
  for (const [id, fields] of Object.entries(definitions))
    await writeFile(path.join(dir, `${id}.json`), JSON.stringify(fields));
  return dir;
}

function workersAlive(): number[] {
  const found = spawnSync('pgrep', ['-f', WORKER], { encoding: 'utf8' });
  return found.stdout.trim() === '' ? [] : found.stdout.trim().split('\n').map(Number);
}

describe('the experiment runner', () => {
  let root: string;
  let smokeDefs: string;
  let resultsDir: string;
  let store: string;
  let results: Results;
  let first: Awaited<ReturnType<typeof cli>>;
  const args = () => [
    '--quick',
    '--definitions-dir',
    smokeDefs,
    '--results-dir',
    resultsDir,
    '--store',
    store,
  ];

  before(async () => {
    root = (await tempDir('runner')).dir;
    smokeDefs = await definitionsDir(root, { smoke: SMOKE });
    resultsDir = path.join(root, 'results');
    store = path.join(root, 'store');
    first = await cli(args());
    results = await readResults(path.join(resultsDir, 'smoke.json'));
  });

  it('writes a schema-valid result from a --quick run: trial keys, a store record per trial, a summary', async () => {
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /smoke: 2 to train, 0 to measure, 0 cached \(no results yet\)/);
    if (results.provenance.blas === null) assert.match(first.stdout, /no OpenBLAS: install libopenblas0/);
    else assert.match(first.stdout, /2 trials on \d workers?, wasm [\d.]+, products on OpenBLAS \d/);
    assert.match(first.stdout, /experiment\s+run\s+accuracy/);
    assert.deepEqual(
      results.runs.map((r) => r.key),
      ['mlp5', 'lenet5'],
    );
    const stored = (await readdir(store)).filter((e) => !e.startsWith('.'));
    for (const run of results.runs) {
      const trial = run.trials[0]!;
      assert.match(trial.key!, /^[0-9a-f]{64}$/);
      assert.ok(stored.includes(trial.key!), `${run.key}'s trial is in the store`);
      assert.equal(trial.test.total, 1000);
      assert.equal(trial.test.correct, 1000 - trial.test.misclassified.length);
      assert.ok(trial.test.accuracy > 0.3, `${run.key} learned something: ${trial.test.accuracy}`);
      assert.ok(trial.latency.batch1.p50Us > 0 && trial.latency.batch1.p50Us <= trial.latency.batch1.p99Us);
      assert.ok(run.metrics.sizeWithOptimizerBytes > 2.5 * run.metrics.sizeBytes);
      assert.deepEqual(run.architecture?.at(-1), { kind: 'dense', units: 10, activation: 'linear' });
    }
    assert.equal(results.runs[1]!.metrics.params, 44_426);
    assert.equal(results.comparisons.length, 1);
    assert.ok(results.experiment.code!.train['engine/trial.ts']);
  });

  it('saves the models in folders named by trial key, with predictions for the browser check', async () => {
    const lenet = results.runs[1]!;
    assert.equal(lenet.savedModel, `smoke/models/lenet5-${lenet.trials[0]!.key!.slice(0, 12)}`);
    const modelJson = JSON.parse(
      await readFile(path.join(resultsDir, lenet.savedModel, 'model.json'), 'utf8'),
    );
    assert.equal(modelJson.format, 'layers-model');
    const weights = await readFile(path.join(resultsDir, lenet.savedModel, 'weights.bin'));
    assert.equal(weights.byteLength, 44_426 * 4);
    assert.equal(results.samples!.predictions.lenet5!.length, 200);
    const digit = results.testDigits.find((d) => d.index === 0)!;
    assert.equal(digit.label, 7);
  });

  it('plans every trial cached on a second run, trains nothing and leaves the results byte-identical', async () => {
    const before = await snapshot(resultsDir);
    const plan = await cli([...args(), '--plan', '--json']);
    assert.equal(plan.code, 0, plan.stderr);
    assert.deepEqual(
      planTrials(plan).map((t) => [t.model, t.action]),
      [
        ['mlp5', 'cached'],
        ['lenet5', 'cached'],
      ],
    );
    const second = await cli(args());
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /smoke: up to date/);
    assert.doesNotMatch(second.stdout, /epoch 1/);
    assert.deepEqual(await snapshot(resultsDir), before);
  });

  it('plans a new seed, a changed learning rate, a new architecture and other data as they are', async () => {
    const plan = async (definitions: Record<string, Record<string, unknown>>, extra: string[] = []) => {
      const dir = await definitionsDir(root, definitions);
      const result = await cli([
        '--quick',
        '--definitions-dir',
        dir,
        '--results-dir',
        resultsDir,
        '--store',
        store,
        '--plan',
        '--json',
        ...extra,
      ]);
      assert.equal(result.code, 0, result.stderr);
      return planTrials(result);
    };
    // --quick keeps the first seed only, so a new seed goes first here.
    const seeds = await plan({ smoke: { ...SMOKE, seeds: [3, 7] } });
    assert.deepEqual(
      seeds.map((t) => [t.model, t.seed, t.action, t.reason]),
      [
        ['mlp5', 3, 'train', 'new trial'],
        ['lenet5', 3, 'train', 'new trial'],
      ],
    );
    const rate = await plan({ smoke: { ...SMOKE, learningRate: 0.002 } });
    assert.deepEqual(
      rate.map((t) => [t.action, t.reason]),
      [
        ['train', 'settings changed (learning rate 0.001 → 0.002)'],
        ['train', 'settings changed (learning rate 0.001 → 0.002)'],
      ],
    );
    const lecun = {
      id: 'lecun-300-100',
      label: 'LeCun 300-100',
      layers: [
        { kind: 'flatten' },
        { kind: 'dense', units: 300, activation: 'relu' },
        { kind: 'dense', units: 100, activation: 'relu' },
        { kind: 'dense', units: 10, activation: 'linear' },
      ],
    };
    const added = await plan({ smoke: SMOKE, lecun: { ...SMOKE, models: [lecun], saveModels: false } });
    assert.deepEqual(
      added.map((t) => [t.experiment, t.model, t.action]),
      [
        ['lecun', 'lecun-300-100', 'train'],
        ['smoke', 'mlp5', 'cached'],
        ['smoke', 'lenet5', 'cached'],
      ],
    );
    const dataDir = path.join(root, 'gzipped-mnist');
    await mkdir(dataDir, { recursive: true });
    for (const name of await readdir(defaultDataDir()))
      await writeFile(
        path.join(dataDir, `${name}.gz`),
        gzipSync(await readFile(path.join(defaultDataDir(), name))),
      );
    const otherData = await plan({ smoke: SMOKE }, ['--data-dir', dataDir]);
    assert.deepEqual(
      otherData.map((t) => [t.action, t.reason]),
      [
        ['train', 'other data'],
        ['train', 'other data'],
      ],
    );
  });

  it('re-measures from the store without training when the results are lost', async () => {
    const copy = path.join(root, 'results-lost');
    const again = await cli([
      '--quick',
      '--definitions-dir',
      smokeDefs,
      '--results-dir',
      copy,
      '--store',
      store,
    ]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /smoke: 0 to train, 2 to measure, 0 cached \(no results yet\)/);
    assert.doesNotMatch(again.stdout, /epoch 1/);
    const remeasured = await readResults(path.join(copy, 'smoke.json'));
    assert.deepEqual(
      withoutTimings(remeasured.runs.map((r) => r.trials.map((t) => t.test))),
      withoutTimings(results.runs.map((r) => r.trials.map((t) => t.test))),
    );
    assert.deepEqual(
      await readFile(path.join(copy, remeasured.runs[1]!.savedModel!, 'weights.bin')),
      await readFile(path.join(resultsDir, results.runs[1]!.savedModel!, 'weights.bin')),
    );
  });

  it('gives the same results with --jobs 2 as with --jobs 1, apart from timings', async () => {
    const one = path.join(root, 'jobs-1');
    const two = path.join(root, 'jobs-2');
    const a = await cli([
      '--quick',
      '--definitions-dir',
      smokeDefs,
      '--results-dir',
      one,
      '--store',
      `${one}-store`,
      '--jobs',
      '1',
    ]);
    const b = await cli([
      '--quick',
      '--definitions-dir',
      smokeDefs,
      '--results-dir',
      two,
      '--store',
      `${two}-store`,
      '--jobs',
      '2',
    ]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    assert.match(a.stdout, /2 trials on 1 worker,/);
    assert.match(b.stdout, /2 trials on 2 workers,/);
    assert.deepEqual(
      withoutTimings(await readResults(path.join(two, 'smoke.json'))),
      withoutTimings(await readResults(path.join(one, 'smoke.json'))),
    );
  });

  it('two shards in two processes into two stores, merged, give the results of one run', async () => {
    const shard = (k: number) =>
      cli([
        '--quick',
        '--definitions-dir',
        smokeDefs,
        '--results-dir',
        path.join(root, `shard-${k}-results`),
        '--store',
        path.join(root, `shard-${k}`),
        '--shard',
        `${k}/2`,
      ]);
    const [s1, s2] = await Promise.all([shard(1), shard(2)]);
    for (const s of [s1, s2]) {
      assert.equal(s.code, 0, s.stderr);
      assert.match(s.stdout, /no results written/);
    }
    const keys = async (k: number) =>
      (await readdir(path.join(root, `shard-${k}`))).filter((e) => !e.startsWith('.'));
    const [k1, k2] = [await keys(1), await keys(2)];
    assert.equal(k1.length + k2.length, 2, 'each trial trained once');
    assert.deepEqual(await readdir(path.join(root, 'shard-1-results')).catch(() => []), []);
    const merged = path.join(root, 'merged');
    await cp(path.join(root, 'shard-1'), merged, { recursive: true });
    await cp(path.join(root, 'shard-2'), merged, { recursive: true });
    await rm(path.join(merged, '.lock'), { force: true });
    const mergedResults = path.join(root, 'merged-results');
    const final = await cli([
      '--quick',
      '--definitions-dir',
      smokeDefs,
      '--results-dir',
      mergedResults,
      '--store',
      merged,
    ]);
    assert.equal(final.code, 0, final.stderr);
    assert.match(final.stdout, /0 to train, 2 to measure/);
    assert.deepEqual(
      withoutTimings(await readResults(path.join(mergedResults, 'smoke.json'))),
      withoutTimings(await readResults(path.join(root, 'jobs-1', 'smoke.json'))),
    );
  });

  for (const step of ['record', 'models', 'results']) {
    it(`leaves earlier results and models byte-identical when killed at the ${step} write`, async () => {
      const before = await snapshot(resultsDir);
      const killed = await cli([...args(), '--force'], { env: { EXPERIMENTS_FAILPOINT: step } });
      assert.notEqual(killed.code, 0, killed.stdout);
      assert.deepEqual(await snapshot(resultsDir), before);
      assert.deepEqual(workersAlive(), []);
    });
  }

  it("removes only its own and dead runs' temporaries, and takes over a lock whose run is gone", async () => {
    const live = spawn('sleep', ['30']);
    const mine = path.join(resultsDir, `.tmp-${live.pid}-smoke.json-abcd`);
    await writeFile(mine, 'a live run is writing this');
    await writeFile(
      path.join(resultsDir, '.lock'),
      JSON.stringify({ pid: 999_999_99, startedAt: 'then', command: 'x' }),
    );
    const run = await cli(args());
    live.kill();
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await readFile(mine, 'utf8'), 'a live run is writing this');
    const left = (await readdir(resultsDir)).filter(
      (e) => e.startsWith('.tmp-') && e !== path.basename(mine),
    );
    assert.deepEqual(left, [], "the killed runs' temporaries are gone");
    await rm(mine);
  });

  it('refuses to start while another run holds the results folder, naming it', async () => {
    const other = spawn('sleep', ['30']);
    await writeFile(
      path.join(resultsDir, '.lock'),
      JSON.stringify({ pid: other.pid, startedAt: '2026-12-02T10:00:00Z', command: 'x' }),
    );
    const refused = await cli(args());
    other.kill();
    await rm(path.join(resultsDir, '.lock'));
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `error: ${resultsDir} is in use by another run (pid ${other.pid}, started 2026-12-02T10:00:00Z); wait for it to finish, or delete ${path.join(resultsDir, '.lock')} if no run is active\n`,
    );
  });

  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    it(`stops within a second on ${signal} mid-training, leaving no worker and the results unchanged`, async () => {
      const before = await snapshot(resultsDir);
      let sentAt = 0;
      const stopped = await cli([...args(), '--force', '--jobs', '1'], {
        onLine: (line, child) => {
          if (sentAt === 0 && /^worker 1: smoke /.test(line)) {
            sentAt = Date.now() + 500;
            setTimeout(() => child.kill(signal), 500);
          }
        },
      });
      const ms = Date.now() - sentAt;
      assert.ok(sentAt > 0, 'the run started training');
      assert.equal(stopped.code, code, stopped.stderr);
      assert.match(stopped.stderr, new RegExp(`interrupted \\(${signal}\\): earlier results are unchanged`));
      assert.ok(ms < 1500, `stopped ${ms} ms after the signal`);
      assert.deepEqual(workersAlive(), []);
      assert.deepEqual(await snapshot(resultsDir), before);
    });
  }

  it('stops the trainer when the `npm run` that started it gets SIGTERM', async () => {
    const npm = spawn('npm', ['run', '--silent', 'experiments', '--', ...args(), '--force', '--jobs', '1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: false,
    });
    await new Promise<void>((resolve) =>
      npm.stdout.on('data', (chunk: Buffer) => /worker 1:/.test(chunk.toString()) && resolve()),
    );
    npm.kill('SIGTERM');
    const deadline = Date.now() + 3000;
    while (
      Date.now() < deadline &&
      (workersAlive().length > 0 ||
        spawnSync('pgrep', ['-f', `scripts/experiments.ts.*${store}`]).stdout.length > 0)
    )
      await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(workersAlive(), [], 'no worker survives');
    assert.equal(
      spawnSync('pgrep', ['-f', `scripts/experiments.ts.*${store}`]).stdout.toString(),
      '',
      'nor the runner',
    );
  });

  it('checks before training that the data holds what a definition asks, naming both numbers', async () => {
    const dir = await definitionsDir(root, { big: { ...SMOKE, batchSizes: [5000] } });
    const failed = await cli([
      '--quick',
      '--definitions-dir',
      dir,
      '--results-dir',
      resultsDir,
      '--store',
      store,
    ]);
    assert.equal(failed.code, 1);
    assert.match(
      failed.stderr,
      /^error: .*big\.json trains with batches of 5000 but the training set holds only 2000 images/,
    );
  });

  it('fails before training, naming the folder, when the results folder cannot be written', async () => {
    const blocked = path.join(root, 'not-a-folder');
    await writeFile(blocked, '');
    const failed = await cli([
      '--quick',
      '--definitions-dir',
      smokeDefs,
      '--results-dir',
      path.join(blocked, 'results'),
      '--store',
      store,
    ]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, new RegExp(`^error: ${path.join(blocked, 'results')}: `));
    assert.doesNotMatch(failed.stdout, /worker 1/);
  });

  it('leaves the earlier results byte-identical when a run fails on bad data', async () => {
    const before = await snapshot(resultsDir);
    const dataDir = path.join(root, 'bad-mnist');
    await mkdir(dataDir, { recursive: true });
    for (const name of await readdir(defaultDataDir()))
      await copyFile(path.join(defaultDataDir(), name), path.join(dataDir, name));
    const labels = await readFile(path.join(dataDir, 't10k-labels-idx1-ubyte'));
    labels[8 + 5] = 42;
    await writeFile(path.join(dataDir, 't10k-labels-idx1-ubyte'), labels);
    const failed = await cli([...args(), '--force', '--data-dir', dataDir]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /^error: .*t10k-labels-idx1-ubyte.*42/);
    assert.equal(failed.stderr.trim().split('\n').length, 1);
    assert.deepEqual(await snapshot(resultsDir), before);
  });

  it('rejects an unknown backend, an unknown experiment and a bad shard in one line', async () => {
    const badBackend = await cli(['--backend', 'gpu', ...args()]);
    assert.equal(
      badBackend.stderr,
      "error: --backend: unknown backend 'gpu' (known: auto, tensorflow, wasm, cpu)\n",
    );
    const badOnly = await cli(['--only', 'nope', ...args()]);
    assert.equal(badOnly.stderr, "error: --only: unknown experiment 'nope' (known: smoke)\n");
    const badShard = await cli(['--shard', '3/2', ...args()]);
    assert.equal(badShard.stderr, "error: --shard: expected K/N with 1 ≤ K ≤ N, e.g. 1/4, got '3/2'\n");
  });
});
