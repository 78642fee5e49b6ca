/**
 * The results file: the contract between the experiment engine (which writes it) and the site
 * (which only reads it). One JSON file per experiment, `experiments/results/<id>.json`.
 *
 * Bump RESULTS_SCHEMA_VERSION on any incompatible change; the loader rejects other versions.
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ResultsError, parseFileJson } from './errors.ts';

export const RESULTS_SCHEMA_VERSION = 1;

/** Mean and 95% confidence interval (Student's t) over the trials (seeds) of one run. */
export const Stat = z.object({
  /** Every trial's value, in the order of `provenance.seeds`. */
  values: z.array(z.number()),
  mean: z.number(),
  /** Sample standard deviation; 0 with one trial. */
  sd: z.number(),
  /** 95% confidence interval of the mean; null with one trial. e.g. [0.9712, 0.9801] */
  ci95: z.tuple([z.number(), z.number()]).nullable(),
});
export type Stat = z.infer<typeof Stat>;

/** One layer of the per-layer breakdown (like a model summary table). */
export const LayerSummary = z.object({
  name: z.string(),
  /** tfjs-layers class name, e.g. `Dense`, `Conv2D`, `AveragePooling2D`. */
  type: z.string(),
  /** Output shape without the batch dimension, e.g. [24, 24, 6]. */
  outputShape: z.array(z.number().int()),
  params: z.number().int().nonnegative(),
  /** Multiply-add FLOPs per sample (dense and conv layers; 2 per multiply-add). */
  flops: z.number().int().nonnegative(),
  /** Pooling FLOPs per sample, counted separately. */
  poolingFlops: z.number().int().nonnegative(),
  /** Activation-function FLOPs per sample (one per element), counted separately. */
  activationFlops: z.number().int().nonnegative(),
  activation: z.string().nullable(),
});
export type LayerSummary = z.infer<typeof LayerSummary>;

export const EpochLog = z.object({
  epoch: z.number().int().positive(),
  /** Mean training cross-entropy over the epoch's batches. */
  trainLoss: z.number(),
  trainAccuracy: z.number(),
  valLoss: z.number(),
  valAccuracy: z.number(),
  /** Wall clock of the epoch's training alone (no validation, no saving), seconds. */
  trainSeconds: z.number(),
  /** Process CPU time (user + system) over the same span, seconds. */
  cpuSeconds: z.number(),
  samplesPerSecond: z.number(),
});
export type EpochLog = z.infer<typeof EpochLog>;

export const Misclassified = z.object({
  /** Index into the 10,000 test images. */
  index: z.number().int().nonnegative(),
  label: z.number().int(),
  predicted: z.number().int(),
  /** Softmax probability of the predicted class. */
  confidence: z.number(),
});

export const LatencyStats = z.object({
  /**
   * How each call ran: 'chain' (a dense stack as one chain of OpenBLAS calls), 'forward' (the layers'
   * own tfjs calls in turn) or 'predict' (tfjs's model.predict); absent in results from before it.
   */
  path: z.enum(['chain', 'forward', 'predict']).optional(),
  calls: z.number().int().positive(),
  p50Us: z.number(),
  p90Us: z.number(),
  p99Us: z.number(),
  meanUs: z.number(),
});
export type LatencyStats = z.infer<typeof LatencyStats>;

export const CarbonEstimate = z.object({
  /** Name of the carbon parameter preset, e.g. `green-algorithms` or `original`. */
  preset: z.string(),
  perInferenceKwh: z.number(),
  perInferenceG: z.number(),
  perEpochKwh: z.number(),
  perEpochG: z.number(),
});
export type CarbonEstimate = z.infer<typeof CarbonEstimate>;

/** One trained model: one seed of one (model, batch size) run. */
export const Trial = z.object({
  /** The trial's key in the trial store (runner/trial-key.ts); absent in files from before trial keys. */
  key: z.string().optional(),
  seed: z.number().int(),
  epochs: z.array(EpochLog),
  test: z.object({
    correct: z.number().int().nonnegative(),
    total: z.number().int().positive(),
    /** Exactly correct / total. */
    accuracy: z.number(),
    testLoss: z.number(),
    /** Accuracy per true class 0–9. */
    perClassAccuracy: z.array(z.number()),
    /** confusion[true][predicted] counts. */
    confusion: z.array(z.array(z.number().int().nonnegative())),
    /** Every misclassified test image. */
    misclassified: z.array(Misclassified),
  }),
  latency: z.object({
    /** Single sample, batch 1, after warm-up. */
    batch1: LatencyStats,
    /** The original's method: time of a batch of 64 divided by 64 (median over batches), µs. */
    amortisedBatch64Us: z.number(),
    throughput: z.object({ batchSize: z.number().int(), imagesPerSecond: z.number() }),
  }),
  /** Peak resident memory of the process during the trial, bytes. */
  peakRssBytes: z.number(),
  carbon: z.array(CarbonEstimate),
});
export type Trial = z.infer<typeof Trial>;

/**
 * The flat metrics of a run, summarised over its trials. These names are what posts refer to
 * (`{% metric "lenet5" "accuracy" %}`).
 */
export const RunMetrics = z.object({
  params: z.number().int(),
  flops: z.number().int(),
  poolingFlops: z.number().int(),
  activationFlops: z.number().int(),
  /** Saved tfjs model (model.json + weights), bytes. */
  sizeBytes: z.number().int(),
  /** Saved with the Adam optimizer state, as the original's checkpoint, bytes. */
  sizeWithOptimizerBytes: z.number().int(),
  accuracy: Stat,
  testLoss: Stat,
  trainSecondsPerEpoch: Stat,
  cpuSecondsPerEpoch: Stat,
  samplesPerSecond: Stat,
  latencyP50Us: Stat,
  latencyP90Us: Stat,
  latencyP99Us: Stat,
  latencyAmortisedUs: Stat,
  throughputImagesPerSecond: Stat,
  /** Per-inference and per-epoch carbon with the default preset (green-algorithms), grams CO2e. */
  carbonPerInferenceG: Stat,
  carbonPerEpochG: Stat,
  energyPerInferenceKwh: Stat,
  energyPerEpochKwh: Stat,
  /** The same with the original's parameters (16 W, 713 g/kWh), to compare like with like. */
  carbonPerInferenceGOriginal: Stat,
  carbonPerEpochGOriginal: Stat,
});
export type RunMetrics = z.infer<typeof RunMetrics>;
export type MetricName = keyof RunMetrics;

/** One (model, batch size) cell of the experiment. */
export const Run = z.object({
  /** Unique within the file: `<model>` when the experiment has one batch size, else `<model>@<batch>`. */
  key: z.string(),
  model: z.string(),
  /** Display name, e.g. `MLP-5`, `LeNet-5`. */
  label: z.string(),
  batchSize: z.number().int().positive(),
  layers: z.array(LayerSummary),
  /** The architecture's declared layer list, as trained (experiments/architectures). */
  architecture: z.array(z.record(z.string(), z.unknown())).optional(),
  trials: z.array(Trial).min(1),
  metrics: RunMetrics,
  /** Folder of the saved model (first seed) relative to the results folder, or null if not kept. */
  savedModel: z.string().nullable(),
});
export type Run = z.infer<typeof Run>;

/** McNemar's exact test between two runs' predictions on the same test images (same seed). */
export const Comparison = z.object({
  a: z.string(),
  b: z.string(),
  seed: z.number().int(),
  /** Test images a got right and b got wrong. */
  onlyACorrect: z.number().int().nonnegative(),
  onlyBCorrect: z.number().int().nonnegative(),
  /** Two-sided exact binomial p-value. */
  pValue: z.number(),
});
export type Comparison = z.infer<typeof Comparison>;

export const CarbonParameters = z.object({
  preset: z.string(),
  source: z.string(),
  corePowerW: z.number(),
  memoryPowerWPerGb: z.number(),
  /** Memory counted for the power draw, GB; null = the process's measured peak RSS. */
  memoryGb: z.number().nullable(),
  pue: z.number(),
  gridGco2ePerKwh: z.number(),
});
export type CarbonParameters = z.infer<typeof CarbonParameters>;

/** A real MNIST test image, for galleries and the in-browser demo. */
export const TestDigit = z.object({
  /** Index into the 10,000 test images. */
  index: z.number().int().nonnegative(),
  label: z.number().int(),
  /** 784 raw pixels (0–255, row-major 28×28, white ink on black) in base64. */
  pixelsBase64: z.string(),
});
export type TestDigit = z.infer<typeof TestDigit>;

export const Results = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION),
  experiment: z.object({
    id: z.string(),
    title: z.string(),
    description: z.string(),
    /** SHA-256 of the definition file's canonical JSON. */
    definitionHash: z.string(),
    /** Files from before trial keys: SHA-256 of the engine's source files. */
    engineHash: z.string().optional(),
    /**
     * The code the results came from, per kind of work (training, measuring, assembling): file
     * (relative to experiments/lib) → hash of its code without comments and formatting.
     */
    code: z
      .object({
        train: z.record(z.string(), z.string()),
        measure: z.record(z.string(), z.string()),
        report: z.record(z.string(), z.string()),
      })
      .optional(),
    definition: z.record(z.string(), z.unknown()),
  }),
  provenance: z.object({
    /** ISO 8601, UTC. */
    date: z.string(),
    gitCommit: z.string().nullable(),
    node: z.string(),
    tfjs: z.string(),
    backend: z.string(),
    backendVersion: z.string(),
    /** Threads computing kernels (wasm: 1 unless the threaded build was asked for; tensorflow: 0, its own choice). */
    threads: z.number().int().nonnegative(),
    /** On wasm, the native BLAS its matrix products ran on (e.g. 'OpenBLAS 0.3.21 … Haswell …', one thread); null: XNNPACK. */
    blas: z.string().nullable().default(null),
    cpuModel: z.string(),
    cores: z.number().int(),
    os: z.string(),
    seeds: z.array(z.number().int()),
    /** Quick runs (a small subset) are for smoke tests, never for publishing. */
    quick: z.boolean(),
    /** Total wall time of the experiment, seconds. */
    wallSeconds: z.number(),
  }),
  dataset: z.object({
    name: z.string(),
    trainSize: z.number().int(),
    validationSize: z.number().int(),
    testSize: z.number().int(),
    /** File name → SHA-256 of the raw file as read. */
    checksums: z.record(z.string(), z.string()),
  }),
  carbon: z.array(CarbonParameters),
  runs: z.array(Run).min(1),
  comparisons: z.array(Comparison),
  /**
   * Test digits referenced by this file: up to 48 misclassified images per run (first seed), plus,
   * when models are saved, the first 200 test images.
   */
  testDigits: z.array(TestDigit),
  /**
   * Predictions of the saved models (first seed) on `indices`, for checking that the browser
   * reproduces them; null when models are not saved. e.g. { indices: [0, 1], predictions: { lenet5: [7, 2] } }
   */
  samples: z
    .object({
      indices: z.array(z.number().int()),
      predictions: z.record(z.string(), z.array(z.number().int())),
    })
    .nullable(),
});
export type Results = z.infer<typeof Results>;

/** Validates unknown JSON as a results file; errors name the file and the field. */
export function parseResults(json: unknown, file: string): Results {
  return parseFileJson(Results, json, file);
}

export async function readResults(file: string): Promise<Results> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ResultsError(file, '(file)', `cannot read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(file, '(file)', `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseResults(json, file);
}
