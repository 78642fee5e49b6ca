/**
 * The engine's error classes. Each carries its context so the command line can print one line
 * that names the file, the field and what was expected, and takes `{ cause }` (the error it wraps)
 * so `--debug` can print the whole chain.
 */
import type { ZodType } from 'zod';

/** A dataset file that cannot be used: wrong magic number, truncated, inconsistent counts, bad labels. */
export class DatasetError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${path}: ${reason}`, options);
    this.name = 'DatasetError';
  }
}

/** An experiment definition that fails validation. `field` is a path like `models[1]`. */
export class DefinitionError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${field}: ${reason}`, options);
    this.name = 'DefinitionError';
  }
}

/**
 * An architecture spec that fails validation: a bad field or a layer list whose shapes do not fit.
 * `field` is a path like `layers[3].kernel`; e.g. `experiments/architectures/x.json: layers[3].kernel:
 * 7 exceeds the 4×4 input`.
 */
export class ArchitectureError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${field}: ${reason}`, options);
    this.name = 'ArchitectureError';
  }
}

/** A results file that does not match the results schema. */
export class ResultsError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${field}: ${reason}`, options);
    this.name = 'ResultsError';
  }
}

/** Training produced a NaN or infinite loss; nothing is written for such a run. */
export class DivergenceError extends Error {
  constructor(
    readonly model: string,
    readonly seed: number,
    readonly epoch: number,
    readonly batch: number,
    readonly loss: number,
  ) {
    super(
      `${model} (seed ${seed}) diverged: loss ${loss} at epoch ${epoch}, batch ${batch}; no results were written`,
    );
    this.name = 'DivergenceError';
  }
}

/** A bad command-line argument or a backend that cannot be loaded. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/**
 * An operating-system error (ENOSPC, EACCES, …) with the path it happened on, since Node's message
 * for a write through a file handle names none: e.g. `experiments/results/x.json: cannot write:
 * ENOSPC: no space left on device, write`. The original error is the cause.
 */
export class FileError extends Error {
  constructor(
    readonly path: string,
    readonly action: string,
    cause: unknown,
  ) {
    super(`${path}: cannot ${action}: ${firstLine(cause)}`, { cause });
    this.name = 'FileError';
  }
}

/** `schema`'s reading of the JSON of `file`; a ResultsError naming the file and the first failing field. */
export function parseFileJson<T>(schema: ZodType<T>, json: unknown, file: string): T {
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ResultsError(file, formatPath(issue.path), issue.message);
  }
  return parsed.data;
}

/** Turns a zod issue path into the `models[1].id` form used in messages. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** The first line of an error's message, trimmed: for one-line causes. */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0]!.trim();
}
