/**
 * The trial store: one folder per trial key holding what training left — `record.json` (a
 * `TrialRecord`: per-epoch logs, test predictions, sizes, provenance) and the trained model
 * (`model.json`, `weights.bin`). Content-addressed, so stores from several machines merge by copying
 * folders together. A folder appears whole or not at all: it is written under a temporary name and
 * renamed. Default `experiments/.trials` (git-ignored); `--store DIR` chooses another.
 */
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TrialRecord } from '../contract/trial.ts';
import { ResultsError, parseFileJson } from '../contract/errors.ts';
import type { SavedFiles } from '../engine/save.ts';
import { failpoint, temporaryName, withPath } from './files.ts';

export const STORE_DIR = 'experiments/.trials';
const RECORD = 'record.json';
const MODEL_JSON = 'model.json';
const WEIGHTS = 'weights.bin';

export function trialDir(store: string, key: string): string {
  return path.join(store, key);
}

export async function hasRecord(store: string, key: string): Promise<boolean> {
  return access(path.join(trialDir(store, key), RECORD)).then(
    () => true,
    () => false,
  );
}

export async function readRecord(store: string, key: string): Promise<TrialRecord> {
  const file = path.join(trialDir(store, key), RECORD);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ResultsError(file, '(file)', `cannot read the trial record: ${(error as Error).message}`);
  }
  const record = parseFileJson(TrialRecord, json, file);
  if (record.key !== key) throw new ResultsError(file, 'key', `expected ${key}, found ${record.key}`);
  return record;
}

export async function readModelFiles(store: string, key: string): Promise<SavedFiles> {
  const dir = trialDir(store, key);
  try {
    return {
      modelJson: await readFile(path.join(dir, MODEL_JSON), 'utf8'),
      weights: new Uint8Array(await readFile(path.join(dir, WEIGHTS))),
    };
  } catch (error) {
    throw withPath(error, dir);
  }
}

/** Writes model.json and weights.bin into `dir` (which must exist). */
export async function writeModelFiles(dir: string, files: SavedFiles): Promise<void> {
  await writeFile(path.join(dir, WEIGHTS), files.weights);
  await writeFile(path.join(dir, MODEL_JSON), files.modelJson);
}

/** Adds a trained trial to the store, atomically. Another process storing the same key first is fine. */
export async function writeRecord(store: string, record: TrialRecord, files: SavedFiles): Promise<void> {
  const target = trialDir(store, record.key);
  const temporary = temporaryName(target);
  try {
    await mkdir(temporary, { recursive: true });
    await writeFile(path.join(temporary, RECORD), `${JSON.stringify(record, null, 2)}\n`);
    await writeModelFiles(temporary, files);
    failpoint('record');
    await rename(temporary, target).catch(async (error: NodeJS.ErrnoException) => {
      // The same key already stored (a concurrent or merged run): same training, keep the first.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
    });
  } catch (error) {
    throw withPath(error, target);
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

/** Base64 of a typed array's bytes (little-endian, as the machine stores them). */
export function bytesBase64(array: Uint8Array | Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString('base64');
}

export function float32FromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

export function uint8FromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64'));
}
