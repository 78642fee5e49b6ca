/**
 * Atomic writes: every file the engine produces is written to a temporary file in the same folder and
 * renamed over the target, so a crash, a kill, a full disk or a failed run never leaves a half-written
 * file. Temporary names carry this process's pid (`.tmp-<pid>-<name>-<random>`), so a run removes only
 * its own leftovers and those of runs that are no longer alive, never a concurrent run's.
 * I/O errors name the path they failed on.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FileError } from '../contract/errors.ts';

const TEMPORARY = /^\.tmp-(\d+)-/;

export function temporaryName(target: string): string {
  return path.join(
    path.dirname(target),
    `.tmp-${process.pid}-${path.basename(target)}-${randomBytes(4).toString('hex')}`,
  );
}

/** An I/O error with the path it concerns in its message, keeping the original as `cause`. */
export function withPath(error: unknown, target: string): Error {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.message === 'string' && e.message.startsWith(`${target}: `)) return e;
  const wrapped = new Error(`${target}: ${e?.code ? `${e.code}: ` : ''}${e?.message ?? String(error)}`, {
    cause: error,
  }) as NodeJS.ErrnoException;
  wrapped.code = e?.code;
  return wrapped;
}

/**
 * Test hook: with EXPERIMENTS_FAILPOINT=<name> in the environment the process kills itself (SIGKILL,
 * as a power cut would) when it reaches that step. Steps: `record` (a trial record written to its
 * temporary folder, not yet renamed), `models` (new saved models written, results not yet),
 * `results` (the results file written to its temporary name, not yet renamed).
 */
export function failpoint(name: string): void {
  if (process.env.EXPERIMENTS_FAILPOINT === name) process.kill(process.pid, 'SIGKILL');
}

export async function writeFileAtomic(
  target: string,
  data: string | Uint8Array,
  step?: string,
): Promise<void> {
  const temporary = temporaryName(target);
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(temporary, data);
    if (step !== undefined) failpoint(step);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new FileError(target, 'write', error);
  }
}

/** Pretty-printed JSON with a trailing newline, written atomically. */
export async function writeJson(target: string, value: unknown, step?: string): Promise<void> {
  await writeFileAtomic(target, `${JSON.stringify(value, null, 2)}\n`, step);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes `.tmp-<pid>-…` entries of `dir` left by processes that are no longer running. */
export async function removeDeadTemporaries(dir: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(
    entries
      .filter((e) => {
        const match = TEMPORARY.exec(e);
        return match !== null && Number(match[1]) !== process.pid && !alive(Number(match[1]));
      })
      .map((e) => rm(path.join(dir, e), { recursive: true, force: true })),
  );
}

/** Fails early, naming the folder, when `dir` cannot be created or written. */
export async function checkWritable(dir: string): Promise<void> {
  const probe = temporaryName(path.join(dir, 'write-check'));
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(probe, '');
  } catch (error) {
    throw withPath(error, dir);
  } finally {
    await rm(probe, { force: true }).catch(() => undefined);
  }
}

export { alive as processAlive };
