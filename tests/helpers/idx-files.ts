/** Builds small IDX files for the idx and dataset tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/** An IDX file's bytes: magic 0x0000 <type> <dims.length>, big-endian uint32 sizes, then `values`. */
export function idxBytes(dims: number[], values: ArrayLike<number>, type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((size, i) => header.writeUInt32BE(size, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(Array.from(values))]);
}

/** A fresh folder under the OS temp dir; `cleanup` removes it. */
export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
