import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leveneTest, summariseSample, tCritical, tTwoSidedP, welchTest } from '../../site/stats.ts';

/**
 * Reference values computed once with SciPy 1.10.1 (scipy.stats.ttest_ind(a, b, equal_var=False),
 * scipy.stats.levene(a, b), scipy.stats.t.interval) on the committed ten-seed accuracies of
 * 2026-11-26: this engine's (a) against PyTorch's (b), correct / 10,000.
 */
const seeds = (correct: number[]) => correct.map((c) => c / 10_000);
const SCIPY = {
  mlp1: {
    a: seeds([9637, 9672, 9584, 9592, 9640, 9608, 9627, 9644, 9661, 9554]),
    b: seeds([9671, 9646, 9681, 9663, 9632, 9679, 9663, 9671, 9625, 9666]),
    t: -2.8761907906354223,
    p: 0.012558228685253414,
    leveneW: 3.109978038179728,
    leveneP: 0.09478094942090076,
  },
  mlp5: {
    a: seeds([9580, 9626, 9484, 9587, 9609, 9566, 9528, 9475, 9592, 9551]),
    b: seeds([9625, 9488, 9634, 9551, 9559, 9584, 9628, 9613, 9566, 9535]),
    t: -0.8430435940923638,
    p: 0.41031171683911627,
    leveneW: 0.0014843157304472614,
    leveneP: 0.9696917376675248,
  },
  lenet5: {
    a: seeds([9770, 9775, 9771, 9795, 9777, 9797, 9760, 9764, 9738, 9767]),
    b: seeds([9766, 9770, 9794, 9756, 9802, 9782, 9772, 9783, 9772, 9725]),
    t: -0.09280323373342614,
    p: 0.9271382837920801,
    leveneW: 0.2152991792023618,
    leveneP: 0.6482076165490174,
  },
};

const near = (actual: number, expected: number, relative = 1e-9) =>
  assert.ok(
    Math.abs(actual - expected) <= relative * Math.abs(expected),
    `${actual} is not within ${relative} (relative) of ${expected}`,
  );

test("Welch's t and two-sided p match scipy.stats.ttest_ind(equal_var=False)", () => {
  for (const [model, s] of Object.entries(SCIPY)) {
    const welch = welchTest(s.a, s.b);
    near(welch.t, s.t);
    near(welch.p, s.p, 1e-8);
    assert.ok(
      welch.df > 9 && welch.df < 18,
      `${model}: ν ${welch.df} lies between the smaller n − 1 and n₁ + n₂ − 2`,
    );
  }
});

test("Welch's 95% interval of the difference matches SciPy (t.ppf(0.975, ν) × the standard error)", () => {
  const welch = welchTest(SCIPY.mlp1.a, SCIPY.mlp1.b);
  near(welch.df, 13.52565387584936);
  near(welch.ci95[0], -0.006608063166195113, 1e-8);
  near(welch.ci95[1], -0.0009519368338046759, 1e-7);
  near(welch.difference, (welch.ci95[0] + welch.ci95[1]) / 2);
});

test("Student's two-sided critical value takes a fractional ν (SciPy t.ppf(0.975, ν))", () => {
  near(tCritical(0.05, 10.7), 2.208537614838271);
  near(tCritical(0.05, 52.3), 2.0063728604179074);
});

test("Welch's test with unequal sample sizes matches SciPy (3 against 5 values)", () => {
  const welch = welchTest([0.9637, 0.9672, 0.9584], [0.9671, 0.9646, 0.9681, 0.9663, 0.9632]);
  near(welch.t, -1.020548346402149);
  near(welch.p, 0.39647210949668454, 1e-8);
});

test('the two-sided t tail takes a fractional ν, unlike Cephes stdtr (SciPy: 2·t.sf(1.84, 10.7))', () => {
  near(tTwoSidedP(1.84, 10.7), 0.09364598331485183, 1e-9);
  near(tTwoSidedP(-1.84, 10.7), 0.09364598331485183, 1e-9);
});

test('Welch p is 1 for two identical constant samples and 0 for two different ones', () => {
  assert.equal(welchTest([0.5, 0.5], [0.5, 0.5, 0.5]).p, 1);
  assert.equal(welchTest([0.5, 0.5], [0.6, 0.6]).p, 0);
});

test("Welch's test rejects a side with fewer than two values", () => {
  assert.throws(() => welchTest([0.9], [0.9, 0.8]), /at least two values on each side/);
});

test("Levene's test (median-centred) matches scipy.stats.levene", () => {
  for (const s of Object.values(SCIPY)) {
    const levene = leveneTest(s.a, s.b);
    near(levene.w, s.leveneW, 1e-8);
    near(levene.p, s.leveneP, 1e-8);
  }
  const three = leveneTest([1, 2, 3, 4], [2, 4, 6, 8, 10], [1, 1, 2]);
  near(three.w, 3.165155440414507);
  near(three.p, 0.09101478841243082, 1e-8);
});

test("Levene's test rejects a single group or a group of one value", () => {
  assert.throws(() => leveneTest([1, 2, 3]), /two or more groups/);
  assert.throws(() => leveneTest([1, 2, 3], [4]), /two or more groups/);
});

test("a sample's 95% interval matches scipy.stats.t.interval; min and max are the extreme seeds", () => {
  const sample = summariseSample(SCIPY.mlp1.a);
  assert.equal(sample.n, 10);
  near(sample.ci95![0], 0.9595515815788871);
  near(sample.ci95![1], 0.9648284184211129);
  assert.equal(sample.min, 0.9554);
  assert.equal(sample.max, 0.9672);
  assert.deepEqual(summariseSample([0.97]), { n: 1, mean: 0.97, sd: 0, ci95: null, min: 0.97, max: 0.97 });
});
