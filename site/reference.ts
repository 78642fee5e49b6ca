/**
 * The PyTorch reference: `experiments/reference/pytorch.json`, written by
 * scripts/reference/pytorch_reference.py (`accuracy`), the test accuracy of PyTorch trained with the
 * original series' set-up, per model and seed. The site reads it for the reproduction verdicts
 * (reproduction.ts); nothing else does. Validated where it enters, like the results: every error is a
 * ResultsError naming the file and the JSON path, e.g.
 * `experiments/reference/pytorch.json: models.mlp1.runs[3].accuracy: 0.9 contradicts correct / total (9650 / 10000)`.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ResultsError, parseFileJson } from '../experiments/lib/contract/errors.ts';

/** Reference folder, relative to the working directory. */
export const DEFAULT_REFERENCE_DIR = 'experiments/reference';
/** The PyTorch reference's file name in the reference folder. */
export const PYTORCH_REFERENCE_FILE = 'pytorch.json';

export const REFERENCE_SCHEMA_VERSION = 1;

/** One training run: one model and seed. e.g. { seed: 1, correct: 9650, total: 10000, accuracy: 0.965, … } */
const ReferenceRun = z.object({
  seed: z.number().int(),
  correct: z.number().int().nonnegative(),
  total: z.number().int().positive(),
  /** Exactly correct / total. */
  accuracy: z.number().min(0).max(1),
  validationAccuracy: z.number().min(0).max(1),
  /** Wall time of the whole run (training and both evaluations), seconds. */
  wallSeconds: z.number().positive(),
  /** ISO 8601, UTC. */
  date: z.string(),
});

export const Reference = z.object({
  schemaVersion: z.literal(REFERENCE_SCHEMA_VERSION),
  framework: z.literal('pytorch'),
  producer: z.string(),
  environment: z.object({
    /** torch.__version__, e.g. `1.13.0a0` (Debian's 1.13.1). */
    torch: z.string(),
    /** What torch was built against (BLAS_INFO of torch.__config__.show()); `generic`: the system libblas. */
    torchBlas: z.string().nullable(),
    /** The BLAS threadpoolctl found loaded, e.g. `OpenBLAS 0.3.21 (pthreads, Haswell)`. */
    blas: z.string(),
    /** torch's intra-op threads and the BLAS's threads, both. */
    threads: z.number().int().positive(),
    python: z.string(),
    numpy: z.string(),
    cpuModel: z.string(),
    cores: z.number().int().positive(),
    os: z.string(),
  }),
  /** The set-up every run used; the verdicts compare only engine runs with the same. */
  setup: z.object({
    epochs: z.number().int().positive(),
    batchSize: z.number().int().positive(),
    optimizer: z.string(),
    learningRate: z.number().positive(),
    trainSize: z.number().int().positive(),
    validationSize: z.number().int().nonnegative(),
    testSize: z.number().int().positive(),
    loss: z.string(),
    init: z.string(),
    normalisation: z.string(),
    order: z.string(),
  }),
  /** Model id (as in experiments/architectures) → its trainable parameters and runs, by seed. */
  models: z.record(
    z.string(),
    z.object({ params: z.number().int().positive(), runs: z.array(ReferenceRun).min(1) }),
  ),
});
export type Reference = z.infer<typeof Reference>;
export type ReferenceRun = z.infer<typeof ReferenceRun>;

/** Validates unknown JSON as the PyTorch reference: the schema, then what it cannot say. */
export function parseReference(json: unknown, file: string): Reference {
  const reference = parseFileJson(Reference, json, file);
  for (const [model, { runs }] of Object.entries(reference.models)) {
    const seen = new Map<number, number>();
    runs.forEach((run, i) => {
      const at = `models.${model}.runs[${i}]`;
      const first = seen.get(run.seed);
      if (first !== undefined)
        throw new ResultsError(file, `${at}.seed`, `${run.seed} is also the seed of runs[${first}]`);
      seen.set(run.seed, i);
      if (run.total !== reference.setup.testSize)
        throw new ResultsError(
          file,
          `${at}.total`,
          `${run.total} differs from setup.testSize (${reference.setup.testSize})`,
        );
      if (run.correct > run.total)
        throw new ResultsError(
          file,
          `${at}.correct`,
          `${run.correct} is more than the ${run.total} test images`,
        );
      if (Math.abs(run.accuracy - run.correct / run.total) > 1e-12)
        throw new ResultsError(
          file,
          `${at}.accuracy`,
          `${run.accuracy} contradicts correct / total (${run.correct} / ${run.total})`,
        );
      if (
        !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/.test(run.date) ||
        Number.isNaN(Date.parse(run.date))
      )
        throw new ResultsError(file, `${at}.date`, `'${run.date}' is not an ISO 8601 UTC time`);
    });
  }
  return reference;
}

/**
 * The PyTorch reference in `dir` (relative to the working directory or absolute), or null when the
 * folder or the file is missing: the site then shows no verdicts.
 */
export async function loadReference(dir: string = DEFAULT_REFERENCE_DIR): Promise<Reference | null> {
  const file = path.join(dir, PYTORCH_REFERENCE_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ResultsError(file, '(file)', `cannot read: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ResultsError(file, '(file)', `not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseReference(json, file);
}
