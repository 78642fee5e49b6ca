import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Results } from '../../experiments/lib/contract/results.ts';
import {
  VERDICT_FIELDS,
  engineSample,
  findVerdict,
  judge,
  originalAccuracy,
  requireVerdict,
  verdictField,
} from '../../site/reproduction.ts';
import type { ResultsData } from '../../site/results.ts';
import { makeReference } from '../fixtures/reference-fixture.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const WHERE = { file: 'content/posts/x.md', line: 4 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** `results` with run `runKey`'s trials given these correct counts (of 10,000), in seed order. */
function withCorrect(results: Results, runKey: string, correct: number[]): Results {
  const run = results.runs.find((r) => r.key === runKey)!;
  run.trials.forEach((trial, i) => {
    trial.test.correct = correct[i]!;
    trial.test.accuracy = correct[i]! / 10_000;
  });
  return results;
}

// This engine's and PyTorch's MLP-1 over ten seeds (2026-11-26): Welch p 0.0126, SciPy.
const ENGINE_MLP1 = [9637, 9672, 9584, 9592, 9640, 9608, 9627, 9644, 9661, 9554];
const PYTORCH_MLP1 = [9671, 9646, 9681, 9663, 9632, 9679, 9663, 9671, 9625, 9666];

function series(): ResultsData {
  const pair = withCorrect(makeResults({ id: 'mlp1-vs-mlp2', seeds: range(10) }), 'mlp1', ENGINE_MLP1);
  const many = withCorrect(makeResults({ id: 'mlp1-seeds', models: ['mlp1'], seeds: range(12) }), 'mlp1', [
    ...ENGINE_MLP1,
    9650,
    9660,
  ]);
  return {
    'mlp1-vs-mlp2': pair,
    'mlp1-seeds': many,
    'batch-size': makeResults({ id: 'batch-size', seeds: [1] }),
  };
}

test('a model is reproduced when Welch p is 0.05 or more and the original lies within the seed range', () => {
  const engine = [0.9637, 0.9672, 0.9584, 0.9592];
  const close = [0.964, 0.9668, 0.959, 0.9601];
  assert.deepEqual(
    { ...judge(engine, close, 0.964), welch: undefined, levene: undefined },
    { originalInRange: true, reproduced: true, welch: undefined, levene: undefined },
  );
  assert.equal(judge(engine, close, 0.97).originalInRange, false);
  assert.equal(judge(engine, close, 0.97).reproduced, false);
  assert.equal(judge(engine, close, null).reproduced, false);
  const ten = judge(
    ENGINE_MLP1.map((c) => c / 10_000),
    PYTORCH_MLP1.map((c) => c / 10_000),
    0.964,
  );
  assert.ok(Math.abs(ten.welch.p - 0.012558228685253414) < 1e-9);
  assert.equal(ten.originalInRange, true);
  assert.equal(ten.reproduced, false, 'p below 0.05 differs even with the original in range');
});

test("the engine's side is the largest sample with the reference's set-up, whichever experiment holds it", () => {
  const reference = makeReference({ mlp1: PYTORCH_MLP1 });
  const found = engineSample(series(), reference, 'mlp1', 'mlp1-vs-mlp2');
  assert.equal(found?.results.experiment.id, 'mlp1-seeds');
  assert.equal(found?.run.trials.length, 12);
});

test('runs with another batch size, one seed, a quick run, another learning rate or other parameters are not compared', () => {
  const reference = makeReference({ mlp1: PYTORCH_MLP1 });
  const sweep = makeResults({ id: 'batch-size', models: ['mlp1'], batchSizes: [16, 128], seeds: [1, 2] });
  const quick = makeResults({ id: 'mlp1-vs-mlp2', seeds: [1, 2], quick: true });
  const rate = makeResults({ id: 'mlp1-vs-mlp2', seeds: [1, 2] });
  rate.experiment.definition.learningRate = 0.01;
  const single = makeResults({ id: 'mlp1-vs-mlp2', seeds: [1] });
  for (const results of [sweep, quick, rate, single]) {
    assert.equal(engineSample({ x: results }, reference, 'mlp1', 'x'), null);
  }
  const other = makeReference({ mlp1: PYTORCH_MLP1 });
  other.models.mlp1!.params = 1234;
  assert.equal(engineSample(series(), other, 'mlp1', 'mlp1-vs-mlp2'), null);
});

test("equal samples go to the page's own experiment", () => {
  const reference = makeReference({ mlp1: PYTORCH_MLP1 });
  const results = {
    'a-first': makeResults({ id: 'a-first', models: ['mlp1'], seeds: [1, 2, 3] }),
    'mlp1-vs-mlp2': makeResults({ id: 'mlp1-vs-mlp2', seeds: [1, 2, 3] }),
  };
  assert.equal(
    engineSample(results, reference, 'mlp1', 'mlp1-vs-mlp2')?.results.experiment.id,
    'mlp1-vs-mlp2',
  );
  assert.equal(engineSample(results, reference, 'mlp1', 'other')?.results.experiment.id, 'a-first');
});

test("the original's figure is the page's experiment's, else another post's at the reference batch size", () => {
  assert.equal(originalAccuracy('mlp1', 'mlp1-vs-mlp2', 64), 0.964);
  assert.equal(originalAccuracy('mlp1', 'batch-size', 64), 0.964);
  assert.equal(originalAccuracy('lenet5', 'mlp1-vs-mlp2', 64), 0.978);
  assert.equal(originalAccuracy('lenet5', null, 64), 0.978);
  assert.equal(originalAccuracy('mlp-7', 'mlp1-vs-mlp2', 64), null);
});

test('a verdict holds both sides, their seeds and summaries, and the tests', () => {
  const verdict = findVerdict(series(), makeReference({ mlp1: PYTORCH_MLP1 }), 'mlp1', 'mlp1-vs-mlp2')!;
  assert.equal(verdict.label, 'MLP-1');
  assert.equal(verdict.engine.experimentId, 'mlp1-seeds');
  assert.deepEqual(verdict.engine.seeds, range(12));
  assert.deepEqual(verdict.pytorch.seeds, range(10));
  assert.equal(verdict.pytorch.sample.n, 10);
  assert.equal(verdict.original, 0.964);
  assert.ok(verdict.welch.t < 0, "this engine's mean is the lower: t is negative");
});

test('no verdict without a reference, without the model in it, or with one PyTorch seed', () => {
  const results = series();
  assert.equal(findVerdict(results, null, 'mlp1', 'mlp1-vs-mlp2'), null);
  assert.equal(findVerdict(results, makeReference({ mlp2: [9700, 9710] }), 'mlp1', 'mlp1-vs-mlp2'), null);
  assert.equal(findVerdict(results, makeReference({ mlp1: [9700] }), 'mlp1', 'mlp1-vs-mlp2'), null);
});

test('a missing verdict is an error that says which data set lacks it', () => {
  const results = series();
  assert.throws(() => requireVerdict(results, null, 'mlp1', 'mlp1-vs-mlp2', WHERE), {
    name: 'ContentError',
    message:
      "content/posts/x.md:4: no PyTorch reference to compare 'mlp1' with (experiments/reference/pytorch.json is missing)",
  });
  assert.throws(() => requireVerdict(results, makeReference({ mlp2: [9700, 9710] }), 'mlp1', null, WHERE), {
    message: "content/posts/x.md:4: the PyTorch reference has fewer than two seeds of 'mlp1' (models: mlp2)",
  });
  assert.throws(() => requireVerdict(results, makeReference({ mlp5: [9600, 9610] }), 'mlp5', null, WHERE), {
    message:
      "content/posts/x.md:4: no results train 'mlp5' with the PyTorch reference's set-up (batch 64, 2 epochs, two or more seeds)",
  });
});

test('verdict fields read as numbers in claims and as text in prose', () => {
  const verdict = findVerdict(series(), makeReference({ mlp1: PYTORCH_MLP1 }), 'mlp1', 'mlp1-vs-mlp2')!;
  const text = (name: string) => VERDICT_FIELDS[name]!.text(verdict);
  assert.equal(text('reproduced'), verdict.reproduced ? 'reproduced' : 'differs');
  assert.equal(text('pytorchMean'), '96.60%');
  assert.equal(text('pytorchSeeds'), '10');
  assert.equal(text('pytorchRange'), '96.25–96.81%');
  assert.match(text('meanDifference'), /^\u2212\d\.\d\d percentage points$/);
  assert.match(text('differenceInterval'), /^\u2212\d\.\d\d to \u2212?\d\.\d\d percentage points$/);
  assert.equal(VERDICT_FIELDS.pytorchMean!.value!(verdict), verdict.pytorch.sample.mean);
  assert.equal(VERDICT_FIELDS.engineInterval!.value, undefined);
  assert.throws(() => verdictField('welch', WHERE), {
    name: 'ContentError',
    message:
      /^content\/posts\/x\.md:4: unknown reproduction field 'welch' \(known: reproduced, originalInRange, welchP, /,
  });
});
