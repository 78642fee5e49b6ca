import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mcnemarExact, median, percentile, summarise } from '../../experiments/lib/engine/stats.ts';

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
