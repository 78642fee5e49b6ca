/**
 * Atomic writes: every file the engine produces is written to a temporary file in the same folder and
 * renamed over the target, so a crash, Ctrl-C or failed run never leaves a half-written or damaged file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileError } from '../contract/errors.ts';

function temporaryName(target: string): string {
  return path.join(path.dirname(target), `.tmp-${path.basename(target)}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to `target` atomically; a failure (e.g. ENOSPC) is a FileError naming `target`. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  const temporary = temporaryName(target);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(temporary, data);
    await rename(temporary, target);
  } catch (error) {
    // Best effort: the folder may not exist (ENOTDIR), and the first error is the one to report.
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new FileError(target, 'write', error);
  }
}

/** Pretty-printed JSON with a trailing newline, written atomically. */
export async function writeJson(target: string, value: unknown): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Replaces the folder `target` with the files `write` puts into a fresh temporary folder. The old
 * folder survives until the new one is complete.
 */
export async function replaceDirectory(target: string, write: (dir: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = temporaryName(target);
  const old = `${temporary}-old`;
  try {
    await mkdir(temporary);
    await write(temporary);
    await rename(target, old).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
    await rename(temporary, target);
  } finally {
    await rm(temporary, { recursive: true, force: true });
    await rm(old, { recursive: true, force: true });
  }
}
