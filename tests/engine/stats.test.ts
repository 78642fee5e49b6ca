import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  binomialCdf,
  mcnemarExact,
  median,
  percentile,
  summarise,
  tQuantile,
} from '../../experiments/lib/engine/stats.ts';

describe('statistics', () => {
  it('gives the mean, sample sd and t-based 95% interval of three values', () => {
    const s = summarise([1, 2, 3]);
    assert.equal(s.mean, 2);
    assert.equal(s.sd, 1);
    // t(0.975, 2) = 4.302653; half-width = 4.302653 / √3
    assert.ok(Math.abs(s.ci95![0] - (2 - 4.302653 / Math.sqrt(3))) < 1e-5);
    assert.ok(Math.abs(s.ci95![1] - (2 + 4.302653 / Math.sqrt(3))) < 1e-5);
  });

  it('has no interval for a single trial', () => {
    assert.deepEqual(summarise([0.97]), { values: [0.97], mean: 0.97, sd: 0, ci95: null });
  });

  it('takes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    assert.equal(percentile(values, 50), 50);
    assert.equal(percentile(values, 90), 90);
    assert.equal(percentile(values, 99), 99);
    assert.equal(median([5, 1, 3]), 3);
  });

  it("computes McNemar's exact p-value by hand-checked binomial sums", () => {
    // n = 10, k = 2: 2·(1 + 10 + 45)/1024 = 0.109375
    assert.ok(Math.abs(mcnemarExact(2, 8) - 0.109375) < 1e-12);
    assert.ok(Math.abs(mcnemarExact(8, 2) - 0.109375) < 1e-12);
    assert.equal(mcnemarExact(5, 5), 1);
    assert.equal(mcnemarExact(0, 0), 1);
    // 0 against 20: 2 / 2^20
    assert.ok(Math.abs(mcnemarExact(0, 20) - 2 / 2 ** 20) < 1e-15);
  });
});

/**
 * Reference values computed with the @stdlib packages this module used before (t-quantile and
 * binomial-cdf 0.2.3); the binomial ones also agree with exact rational sums (Python's math.comb and
 * fractions) to 3e-14 relative. Cephes and @stdlib differ in the last bits only.
 */
const T_975 = {
  1: 12.706204736174694,
  2: 4.302652729749462,
  3: 3.182446305283708,
  4: 2.776445105197794,
  5: 2.570581835636314,
  9: 2.262157162798205,
  19: 2.0930240544083096,
  29: 2.045229642132704,
  99: 1.9842169515864172,
  999: 1.9623414611334495,
};
const MCNEMAR: [onlyA: number, onlyB: number, pValue: number][] = [
  [139, 137, 0.9520164761739437],
  [260, 324, 0.009077450020148408],
  [85, 182, 2.8565326244680276e-9],
  [56, 189, 4.753341036909817e-18],
  [51, 338, 4.767106211695287e-53],
  [1000, 1300, 4.2874090021150526e-10],
];

describe('statistics against the values of the library they replaced', () => {
  it('gives the 97.5% t quantiles within 1e-12 relative', () => {
    for (const [df, expected] of Object.entries(T_975)) {
      const actual = tQuantile(0.975, Number(df));
      assert.ok(Math.abs(actual - expected) <= 1e-12 * expected, `df ${df}: ${actual} vs ${expected}`);
    }
  });

  it("gives McNemar's exact p-values within 1e-11 relative, down to 1e-53", () => {
    for (const [a, b, expected] of MCNEMAR) {
      const actual = mcnemarExact(a, b);
      assert.ok(Math.abs(actual - expected) <= 1e-11 * expected, `${a}/${b}: ${actual} vs ${expected}`);
    }
  });

  it('gives the binomial lower tail of short sums to the last bits (an incomplete beta, not a sum)', () => {
    assert.ok(Math.abs(binomialCdf(2, 10, 0.5) - 56 / 1024) < 1e-15);
    assert.ok(Math.abs(binomialCdf(0, 5, 0.5) - 1 / 32) < 1e-15);
    assert.ok(Math.abs(binomialCdf(3, 5, 0.25) - 1008 / 1024) < 1e-15);
  });
});
