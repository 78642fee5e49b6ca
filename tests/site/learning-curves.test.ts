import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Run } from '../../experiments/lib/contract/results.ts';
import {
  PLATEAU_TOLERANCE,
  epochSummaries,
  epochSummary,
  isEpochField,
  peakEpoch,
  plateauEpoch,
  runEpochs,
} from '../../site/learning-curves.ts';
import { makeResults } from '../fixtures/results-fixture.ts';

/**
 * A run of the evaluating-models fixture whose trials' validation accuracies are replaced by
 * `curves` (one array per seed, one value per epoch), training accuracy by 0.9 + the epoch / 100.
 */
function runWith(curves: number[][]): Run {
  const template = makeResults({ id: 'evaluating-models', seeds: curves.map((_, i) => i + 1) }).runs[0]!;
  return {
    ...template,
    trials: template.trials.map((trial, seed) => ({
      ...trial,
      epochs: curves[seed]!.map((valAccuracy, i) => ({
        ...trial.epochs[0]!,
        epoch: i + 1,
        valAccuracy,
        trainAccuracy: 0.9 + (i + 1) / 100,
      })),
    })),
  };
}

describe('learning curves over seeds', () => {
  it('summarises each epoch by its mean, lowest and highest seed, values in seed order', () => {
    const run = runWith([
      [0.9, 0.95, 0.97],
      [0.92, 0.94, 0.98],
    ]);
    const curve = epochSummaries(run, 'valAccuracy');
    assert.deepEqual(
      curve.map((s) => s.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(curve[0]!.values, [0.9, 0.92]);
    assert.ok(Math.abs(curve[0]!.mean - 0.91) < 1e-12);
    assert.equal(curve[1]!.min, 0.94);
    assert.equal(curve[1]!.max, 0.95);
    assert.ok(Math.abs(epochSummary(run, 'trainAccuracy', 3)!.mean - 0.93) < 1e-12);
    assert.equal(epochSummary(run, 'valAccuracy', 4), null);
  });

  it('refuses trials that logged different epochs', () => {
    const run = runWith([
      [0.9, 0.95],
      [0.92, 0.94, 0.96],
    ]);
    assert.throws(() => runEpochs(run), /seed 2 logged epochs 1, 2, 3, seed 1 1, 2/);
  });

  it('finds the peak as the highest mean, the earliest of equal ones', () => {
    assert.equal(peakEpoch(runWith([[0.95, 0.97, 0.98, 0.979]])), 3);
    assert.equal(peakEpoch(runWith([[0.95, 0.98, 0.97, 0.98]])), 2);
    // The mean decides, not one seed's best.
    assert.equal(
      peakEpoch(
        runWith([
          [0.95, 0.99, 0.96],
          [0.95, 0.95, 0.985],
        ]),
      ),
      3,
    );
  });

  it('stops improving at the first epoch within a tenth of a point of the best mean', () => {
    assert.equal(PLATEAU_TOLERANCE, 0.001);
    // Best 0.980 at epoch 4; epoch 3 is 0.05 points below it, epoch 2 a whole point.
    assert.equal(plateauEpoch(runWith([[0.95, 0.97, 0.9795, 0.98]])), 3);
    // A later dip does not move it; a late gain of more than the tolerance does.
    assert.equal(plateauEpoch(runWith([[0.95, 0.98, 0.975, 0.9805]])), 2);
    assert.equal(plateauEpoch(runWith([[0.95, 0.98, 0.975, 0.9815]])), 4);
    assert.equal(plateauEpoch(runWith([[0.95, 0.97, 0.9795, 0.98]]), 0), 4);
    // Never before the peak's epoch minus what the tolerance allows, never after the peak.
    const run = runWith([
      [0.9, 0.96, 0.975, 0.98, 0.979],
      [0.91, 0.95, 0.977, 0.978, 0.981],
    ]);
    assert.ok(plateauEpoch(run) <= peakEpoch(run));
  });

  it('names the fields of the epoch log it draws', () => {
    assert.ok(isEpochField('valAccuracy'));
    assert.ok(isEpochField('trainLoss'));
    assert.ok(!isEpochField('trainSeconds'));
    assert.ok(!isEpochField('accuracy'));
  });
});
