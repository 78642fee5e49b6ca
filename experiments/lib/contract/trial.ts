/**
 * A trial is the engine's unit of work: one (model, batch size, seed) of an experiment, trained once.
 * `TrialSettings` is everything of a definition that decides how that one model trains; together with
 * the data's checksums, the backend and the training code it makes the trial's key (runner/trial-key.ts).
 * Two experiments that ask for the same settings share one trained trial.
 */
import { z } from 'zod';
import { EpochLog } from './results.ts';

export const TrialSettings = z.object({
  /** Architecture id, e.g. `mlp5`. */
  model: z.string(),
  /** The architecture's layer list as declared (what is trained; its label is not part of it). */
  layers: z.array(z.record(z.string(), z.unknown())),
  batchSize: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  epochs: z.number().int().positive(),
  optimizer: z.literal('adam'),
  learningRate: z.number().positive(),
  validationSize: z.number().int().nonnegative(),
  /** How many of the training and test images are used; null: all (the `--quick` subset sets them). */
  trainImages: z.number().int().positive().nullable(),
  testImages: z.number().int().positive().nullable(),
});
export type TrialSettings = z.infer<typeof TrialSettings>;

/**
 * What a trained trial leaves in the trial store (`<store>/<key>/record.json`, beside the saved
 * model's model.json and weights.bin): the training artifacts, no measurements of the model.
 */
export const TrialRecord = z.object({
  recordVersion: z.literal(1),
  key: z.string(),
  settings: TrialSettings,
  /** e.g. { backend: 'wasm', backendVersion: '4.22.0', tfjs: '4.22.0', blas: 'OpenBLAS 0.3.21 …', threads: 1 } */
  backend: z.record(z.string(), z.unknown()),
  /** File name → SHA-256 of the data files read. */
  dataChecksums: z.record(z.string(), z.string()),
  /** Training code: file (relative to experiments/lib) → hash of its code without comments and formatting. */
  trainCode: z.record(z.string(), z.string()),
  epochs: z.array(EpochLog),
  test: z.object({
    /** Predicted class per test image, base64 of a Uint8Array. */
    predictedBase64: z.string(),
    /** Softmax probability of the predicted class per test image, base64 of a Float32Array (little-endian). */
    confidenceBase64: z.string(),
    /** Mean test cross-entropy. */
    loss: z.number(),
  }),
  /** Saved model (model.json + weights) and with Adam's state, bytes. */
  sizeBytes: z.number().int().positive(),
  sizeWithOptimizerBytes: z.number().int().positive(),
  /** Peak resident memory of the training process, bytes. */
  peakRssBytes: z.number().positive(),
  /** ISO 8601 UTC time training finished; the machine it ran on. */
  trainedAt: z.string(),
  machine: z.object({ cpuModel: z.string(), cores: z.number().int(), os: z.string(), node: z.string() }),
});
export type TrialRecord = z.infer<typeof TrialRecord>;
