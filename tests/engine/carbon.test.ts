import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CARBON_PRESETS, carbonGrams, energyKwh } from '../../experiments/lib/engine/carbon.ts';

describe('carbon', () => {
  it('applies the Green Algorithms formula with measured memory', () => {
    const params = CARBON_PRESETS['green-algorithms'];
    // 3600 core-seconds at 12 W + 3600 s × 2 GB × 0.3725 W/GB, × PUE 1.67
    const kwh = energyKwh({ cpuSeconds: 3600, wallSeconds: 3600, memoryBytes: 2e9 }, params);
    const expected = ((3600 * 12 + 3600 * 2 * 0.3725) * 1.67) / 3.6e6;
    assert.ok(Math.abs(kwh - expected) < 1e-15);
    assert.ok(Math.abs(carbonGrams(kwh, params) - expected * 475) < 1e-12);
  });

  it("reproduces the original's 16 W × 713 g/kWh for one inference", () => {
    const params = CARBON_PRESETS.original;
    // The headline post: 5.9 µs at 16 W and 713 g/kWh = 18.7 ngCO2e (it printed 18.3 from unrounded latency).
    const grams = carbonGrams(
      energyKwh({ cpuSeconds: 5.9e-6, wallSeconds: 5.9e-6, memoryBytes: 0 }, params),
      params,
    );
    assert.ok(Math.abs(grams * 1e9 - 18.696) < 0.01);
  });
});
