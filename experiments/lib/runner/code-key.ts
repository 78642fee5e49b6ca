/**
 * What code a result depends on, hashed by meaning rather than bytes: the import closure of an entry
 * point (as Observable Framework keys a data loader by its module graph), each file's code with comments
 * and formatting removed by esbuild's transform, so a comment, a reformat or a file that the entry does
 * not import changes nothing. Type-only imports are erased (types do not change what runs).
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** experiments/lib: the folder code keys name their files relative to. */
export const LIB_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The entry points of each kind of work: training a trial, measuring a trained model, assembling results. */
export const ENTRY_POINTS = {
  train: ['engine/trial.ts', 'backend/select.ts', 'backend/wasm/dense-step.ts'],
  measure: ['engine/measure.ts', 'backend/blas/inference-chain.ts'],
  report: ['runner/assemble.ts'],
} as const;
export type CodeKind = keyof typeof ENTRY_POINTS;

/** File (relative to experiments/lib, '/'-separated) → SHA-256 of its code without comments and formatting. */
export type CodeHashes = Record<string, string>;

async function meaningHash(file: string): Promise<string> {
  const source = await readFile(file, 'utf8');
  const { code } = await esbuild.transform(source, {
    loader: path.extname(file).slice(1) === 'js' ? 'js' : 'ts',
    minifyWhitespace: true,
    legalComments: 'none',
    format: 'esm',
  });
  return createHash('sha256').update(code).digest('hex');
}

/** Every local file the entry points import, transitively, with its meaning hash. */
export async function closureHashes(entries: readonly string[], libDir = LIB_DIR): Promise<CodeHashes> {
  const result = await esbuild.build({
    entryPoints: entries.map((e) => path.join(libDir, e)),
    absWorkingDir: libDir,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir: path.join(libDir, '.code-key-out'),
    logLevel: 'silent',
  });
  const files = Object.keys(result.metafile.inputs)
    .map((input) => path.resolve(libDir, input))
    .sort();
  const hashes: CodeHashes = {};
  for (const file of files)
    hashes[path.relative(libDir, file).split(path.sep).join('/')] = await meaningHash(file);
  return hashes;
}

/** One hash over a closure's file hashes. */
export function combinedHash(hashes: CodeHashes): string {
  const hash = createHash('sha256');
  for (const file of Object.keys(hashes).sort())
    hash.update(file).update('\0').update(hashes[file]!).update('\0');
  return hash.digest('hex');
}

/** The files whose hash differs between two closures (added, removed or changed), sorted. */
export function changedFiles(before: CodeHashes, after: CodeHashes): string[] {
  const files = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...files].filter((f) => before[f] !== after[f]).sort();
}

export interface CodeKeys {
  train: CodeHashes;
  measure: CodeHashes;
  report: CodeHashes;
}

/** The three closures of this checkout's engine. */
export async function codeKeys(libDir = LIB_DIR): Promise<CodeKeys> {
  const [train, measure, report] = await Promise.all(
    (Object.keys(ENTRY_POINTS) as CodeKind[]).map((kind) => closureHashes(ENTRY_POINTS[kind], libDir)),
  );
  return { train: train!, measure: measure!, report: report! };
}
