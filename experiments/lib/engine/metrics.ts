/**
 * Roll-ups over a run's trials, pure functions of the trials' figures: every metric as mean and 95%
 * interval over seeds, and McNemar's exact test between runs of one batch size, seed by seed.
 */
import type { Comparison, EpochLog, Run, Trial } from '../contract/results.ts';
import { DEFAULT_CARBON_PRESET } from './carbon.ts';
import { mcnemarExact, summarise } from './stats.ts';

/** The figures of a run that do not vary by seed: parameters, FLOPs per sample, saved sizes (bytes). */
export interface StaticFigures {
  params: number;
  flops: number;
  poolingFlops: number;
  activationFlops: number;
  sizeBytes: number;
  sizeWithOptimizerBytes: number;
}

export function runMetrics(trials: Trial[], figures: StaticFigures): Run['metrics'] {
  const over = (pick: (t: Trial) => number) => summarise(trials.map(pick));
  const meanEpoch = (t: Trial, pick: (e: EpochLog) => number) =>
    t.epochs.reduce((s, e) => s + pick(e), 0) / t.epochs.length;
  const carbon = (t: Trial, preset: string) => t.carbon.find((c) => c.preset === preset)!;
  return {
    ...figures,
    accuracy: over((t) => t.test.accuracy),
    testLoss: over((t) => t.test.testLoss),
    trainSecondsPerEpoch: over((t) => meanEpoch(t, (e) => e.trainSeconds)),
    cpuSecondsPerEpoch: over((t) => meanEpoch(t, (e) => e.cpuSeconds)),
    samplesPerSecond: over((t) => meanEpoch(t, (e) => e.samplesPerSecond)),
    latencyP50Us: over((t) => t.latency.batch1.p50Us),
    latencyP90Us: over((t) => t.latency.batch1.p90Us),
    latencyP99Us: over((t) => t.latency.batch1.p99Us),
    latencyAmortisedUs: over((t) => t.latency.amortisedBatch64Us),
    throughputImagesPerSecond: over((t) => t.latency.throughput.imagesPerSecond),
    carbonPerInferenceG: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perInferenceG),
    carbonPerEpochG: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perEpochG),
    energyPerInferenceKwh: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perInferenceKwh),
    energyPerEpochKwh: over((t) => carbon(t, DEFAULT_CARBON_PRESET).perEpochKwh),
    carbonPerInferenceGOriginal: over((t) => carbon(t, 'original').perInferenceG),
    carbonPerEpochGOriginal: over((t) => carbon(t, 'original').perEpochG),
  };
}

/** McNemar's exact test for every pair of runs with the same batch size, for each seed both have. */
export function compareRuns(runs: readonly Run[], labels: Uint8Array): Comparison[] {
  const comparisons: Comparison[] = [];
  for (let i = 0; i < runs.length; i++) {
    for (let j = i + 1; j < runs.length; j++) {
      const a = runs[i]!;
      const b = runs[j]!;
      if (a.batchSize !== b.batchSize) continue;
      for (const trialA of a.trials) {
        const trialB = b.trials.find((t) => t.seed === trialA.seed);
        if (trialB === undefined) continue;
        const pa = predictionsOf(trialA.test, labels);
        const pb = predictionsOf(trialB.test, labels);
        let onlyACorrect = 0;
        let onlyBCorrect = 0;
        for (let k = 0; k < pa.length; k++) {
          const aRight = pa[k] === labels[k];
          const bRight = pb[k] === labels[k];
          if (aRight && !bRight) onlyACorrect++;
          else if (bRight && !aRight) onlyBCorrect++;
        }
        comparisons.push({
          a: a.key,
          b: b.key,
          seed: trialA.seed,
          onlyACorrect,
          onlyBCorrect,
          pValue: mcnemarExact(onlyACorrect, onlyBCorrect),
        });
      }
    }
  }
  return comparisons;
}

/** The predicted class of every test image, rebuilt from a trial's misclassified list. */
export function predictionsOf(test: Trial['test'], labels: Uint8Array): Uint8Array {
  const predicted = Uint8Array.from(labels.subarray(0, test.total));
  for (const m of test.misclassified) predicted[m.index] = m.predicted;
  return predicted;
}
