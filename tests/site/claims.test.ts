import assert from 'node:assert/strict';
import { test } from 'node:test';
import { claimLine } from '../../site/check.ts';
import { checkClaims, evaluateClaim } from '../../site/claims.ts';
import { ContentError } from '../../site/errors.ts';
import { findVerdict } from '../../site/reproduction.ts';
import { makeReference } from '../fixtures/reference-fixture.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

const POST = 'content/posts/x.md';
const headline = makeResults({ id: 'mlp-vs-lenet' });
const sweep = makeResults({ id: 'batch-size', seeds: [1] });

test('a true comparison holds and reports the values it used', () => {
  const outcome = evaluateClaim('lenet5.accuracy > mlp5.accuracy', headline, POST);
  assert.equal(outcome.holds, true);
  assert.deepEqual(
    outcome.values.map((v) => v.text),
    ['lenet5.accuracy', 'mlp5.accuracy'],
  );
});

test('arithmetic, unary minus and word operators evaluate', () => {
  assert.equal(evaluateClaim('mlp5.sizeBytes / lenet5.sizeBytes > 10', headline, POST).holds, true);
  assert.equal(evaluateClaim('-lenet5.params < 0 and 2 * 3 == 6', headline, POST).holds, true);
  assert.equal(evaluateClaim('1 > 2 or lenet5.params + 1 != 3', headline, POST).holds, true);
  assert.equal(evaluateClaim('(1 > 2) && (lenet5.params > 1)', headline, POST).holds, false);
});

test('a claim that refers to no results is an error, true or not', () => {
  for (const claim of ['1 > 0', '2 * 3 == 6 or 1 < 0']) {
    assert.throws(() => checkClaims([claim], headline, POST, () => 7), {
      name: 'ClaimError',
      message: `content/posts/x.md:7: claim '${claim}' cannot be evaluated: it refers to no results (write run.metric)`,
    });
  }
});

test('a claim whose arithmetic is not finite is an error, even where the comparison would hold', () => {
  assert.throws(() => checkClaims(['lenet5.params / 0 > 1'], headline, POST), {
    message:
      /claim 'lenet5\.params \/ 0 > 1' cannot be evaluated: 44430 \/ 0 gives Infinity, not a finite number$/,
  });
  assert.throws(() => checkClaims(['(lenet5.params - lenet5.params) / 0 != 1'], headline, POST), {
    message: /0 \/ 0 gives NaN, not a finite number/,
  });
});

test('quoted run keys reach runs whose keys are not identifiers', () => {
  const claim = "'mlp1@1'.trainSecondsPerEpoch > 5 * 'mlp1@64'.trainSecondsPerEpoch";
  assert.equal(evaluateClaim(claim, sweep, POST).holds, true);
});

test('a false claim fails naming the post, the claim and the actual values', () => {
  assert.throws(() => checkClaims(['mlp5.accuracy > lenet5.accuracy'], headline, POST), {
    name: 'ClaimError',
    message:
      /^content\/posts\/x\.md: claim 'mlp5\.accuracy > lenet5\.accuracy' is false: mlp5\.accuracy = 0\.96\d+, lenet5\.accuracy = 0\.98\d+$/,
  });
});

test('an unknown run fails with the known runs', () => {
  assert.throws(() => checkClaims(['lenet6.accuracy > 0.9'], headline, POST), {
    message:
      "content/posts/x.md: claim 'lenet6.accuracy > 0.9' cannot be evaluated: unknown run 'lenet6' in experiment 'mlp-vs-lenet' (known: mlp5, lenet5)",
  });
});

test('an unknown metric fails naming the metric', () => {
  assert.throws(() => checkClaims(['lenet5.acuracy > 0.9'], headline, POST), {
    message: /cannot be evaluated: unknown metric 'acuracy' \(known: params, flops/,
  });
});

test('a malformed claim fails with the parser message', () => {
  assert.throws(() => checkClaims(['lenet5.accuracy >'], headline, POST), {
    message:
      "content/posts/x.md: claim 'lenet5.accuracy >' cannot be parsed: Expected expression after > at character 17",
  });
});

test('function calls, bare names and string literals are rejected', () => {
  assert.throws(() => checkClaims(['max(1, 2) > 1'], headline, POST), {
    message: /claim 'max\(1, 2\) > 1' cannot be evaluated: a function call is not allowed/,
  });
  assert.throws(() => checkClaims(['process > 1'], headline, POST), {
    message: /'process' is not a run\.metric reference/,
  });
  assert.throws(() => checkClaims(["'a' > 1"], headline, POST), {
    message: /the literal 'a' is not a number/,
  });
  assert.throws(() => checkClaims(['lenet5["accuracy"] > 1'], headline, POST), {
    message: /references must read run\.metric/,
  });
});

test('a claim must be a statement, not a number', () => {
  assert.throws(() => checkClaims(['lenet5.accuracy + 1'], headline, POST), {
    message: /a number cannot be used as a statement/,
  });
  assert.throws(() => checkClaims(['(1 > 2) + 1 > 0'], headline, POST), {
    message: /a comparison cannot be used as a number/,
  });
});

test('a false claim names its line when the checker knows it', () => {
  assert.throws(() => checkClaims(['mlp5.accuracy > lenet5.accuracy'], headline, POST, () => 9), {
    message: /^content\/posts\/x\.md:9: claim 'mlp5\.accuracy > lenet5\.accuracy' is false: /,
  });
  assert.throws(() => checkClaims(['lenet5.accuracy >'], headline, POST, () => 4), {
    message: /^content\/posts\/x\.md:4: claim 'lenet5\.accuracy >' cannot be parsed/,
  });
});

test('a claim is found on its own front matter line, quoted or not', () => {
  const raw = [
    '---',
    'title: T',
    'claims:',
    '  - lenet5.accuracy > mlp5.accuracy',
    `  - "'mlp1@1'.accuracy < 1"`,
    '---',
    'lenet5.accuracy > mlp5.accuracy in the body',
  ].join('\n');
  assert.equal(claimLine(raw, 'lenet5.accuracy > mlp5.accuracy'), 4);
  assert.equal(claimLine(raw, "'mlp1@1'.accuracy < 1"), 5);
  assert.equal(claimLine(raw, 'written differently'), 3);
});

test('reproduction.model.field refers to a verdict: numbers compare, yes/no fields are statements', () => {
  const verdict = findVerdict(
    { 'mlp-vs-lenet': headline },
    makeReference({ lenet5: [9800, 9810, 9790] }),
    'lenet5',
    'mlp-vs-lenet',
  )!;
  const context = { verdict: () => verdict };
  const outcome = evaluateClaim(
    'reproduction.lenet5.welchP < 1 and reproduction.lenet5.pytorchSeeds == 3',
    headline,
    POST,
    context,
  );
  assert.equal(outcome.holds, true);
  assert.deepEqual(
    outcome.values.map((v) => v.text),
    ['reproduction.lenet5.welchP', 'reproduction.lenet5.pytorchSeeds'],
  );
  assert.equal(
    evaluateClaim('reproduction.lenet5.reproduced', headline, POST, context).holds,
    verdict.reproduced,
  );
  assert.equal(
    evaluateClaim("reproduction['lenet5'].originalInRange or 1 > 0", headline, POST, context).holds,
    true,
  );
  assert.throws(
    () => checkClaims(['reproduction.lenet5.pytorchMean > 0.99'], headline, POST, () => 3, context),
    {
      name: 'ClaimError',
      message:
        "content/posts/x.md:3: claim 'reproduction.lenet5.pytorchMean > 0.99' is false: reproduction.lenet5.pytorchMean = 0.98",
    },
  );
  assert.throws(
    () => checkClaims(['reproduction.lenet5.reproduced and 1 > 2'], headline, POST, () => 3, context),
    {
      message: new RegExp(`is false: reproduction\\.lenet5\\.reproduced = ${verdict.reproduced}$`),
    },
  );
});

test('a verdict reference that is malformed, names an unknown or text field, or has no verdict is an error', () => {
  const context = {
    verdict: (model: string): never => {
      throw new ContentError(POST, null, `no results train '${model}' with the PyTorch reference's set-up`);
    },
  };
  const cases: [string, RegExp][] = [
    [
      'reproduction.mlp1.welch > 0',
      /cannot be evaluated: unknown reproduction field 'welch' \(known: reproduced, /,
    ],
    [
      'reproduction.mlp1.engineInterval > 0',
      /cannot be evaluated: reproduction\.mlp1\.engineInterval is text, not a number or a statement/,
    ],
    [
      "reproduction.mlp1['welchP'] > 0",
      /cannot be evaluated: references must read reproduction\.model\.field/,
    ],
    [
      'reproduction.mlp1.welchP > 0',
      /cannot be evaluated: no results train 'mlp1' with the PyTorch reference's set-up$/,
    ],
  ];
  for (const [claim, message] of cases) {
    assert.throws(
      () => checkClaims([claim], headline, POST, () => null, context),
      { name: 'ClaimError', message },
      claim,
    );
  }
  assert.throws(() => checkClaims(['reproduction.mlp1.welchP > 0'], headline, POST), {
    message: /cannot be evaluated: reproduction\.mlp1\.welchP: no reproduction verdicts in this build$/,
  });
});

test('claims read learning curves: epochs of plateau and peak, and a field after an epoch', () => {
  const evaluating = makeResults({ id: 'evaluating-models', seeds: [1, 2] });
  const lenet = evaluating.runs.find((run) => run.key === 'lenet5')!;
  const mean = (lenet.trials[0]!.epochs[4]!.valAccuracy + lenet.trials[1]!.epochs[4]!.valAccuracy) / 2;
  const outcome = evaluateClaim(
    "lenet5.epoch5.valAccuracy > 0.9 and 'mlp-512'.plateauEpoch <= 'mlp-512'.peakEpoch",
    evaluating,
    POST,
  );
  assert.equal(outcome.holds, true);
  assert.deepEqual(outcome.values[0], { text: 'lenet5.epoch5.valAccuracy', value: mean });
  assert.deepEqual(
    outcome.values.slice(1).map((v) => v.text),
    ["'mlp-512'.plateauEpoch", "'mlp-512'.peakEpoch"],
  );
  // The fixture's validation accuracy rises to the last epoch.
  assert.equal(evaluateClaim('lenet5.peakEpoch == 10', evaluating, POST).holds, true);
});

test('a learning-curve reference to an epoch not trained, an unknown field or a bad name fails', () => {
  const evaluating = makeResults({ id: 'evaluating-models', seeds: [1] });
  const fails = (claim: string, message: string) =>
    assert.throws(() => checkClaims([claim], evaluating, POST), {
      name: 'ClaimError',
      message: `${POST}: claim '${claim}' cannot be evaluated: ${message}`,
    });
  fails('lenet5.epoch11.valAccuracy > 0.9', "run 'lenet5' has no epoch 11 (trained: 1–10)");
  fails(
    'lenet5.epoch1.valAcc > 0.9',
    "unknown epoch field 'valAcc' (known: trainAccuracy, valAccuracy, trainLoss, valLoss)",
  );
  fails(
    'lenet5.last.valAccuracy > 0.9',
    "'last' is not an epoch (write run.epochN.field, e.g. lenet5.epoch1.valAccuracy) (allowed: numbers, run.metric, run.epochN.field, reproduction.model.field, + - * /, comparisons, and/or)",
  );
  fails(
    'lenet5.epoch1.valAccuracy.x > 0.9',
    'references must read run.metric or run.epochN.field (allowed: numbers, run.metric, run.epochN.field, reproduction.model.field, + - * /, comparisons, and/or)',
  );
});
