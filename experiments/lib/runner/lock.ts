/**
 * One run at a time per results folder and per trial store: a lock file (`.lock`, like DVC's
 * `.dvc/tmp/lock`) holding the owner's pid. A second run refuses with the owner named; a lock whose
 * process is gone is taken over. Written by hand rather than with proper-lockfile: that library keeps a
 * lock fresh by touching it from a timer, and training blocks the event loop for whole epochs, so its
 * locks would look stale to a second run while the first is busy.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../contract/errors.ts';
import { processAlive, withPath } from './files.ts';

export const LOCK_FILE = '.lock';

interface Owner {
  pid: number;
  startedAt: string;
  command: string;
}

/** Takes the lock of `dir` (created if missing); returns the function that releases it. */
export async function acquireLock(dir: string): Promise<() => void> {
  await mkdir(dir, { recursive: true }).catch((error: unknown) => {
    throw withPath(error, dir);
  });
  const file = path.join(dir, LOCK_FILE);
  const owner: Owner = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command: process.argv.slice(1).join(' '),
  };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag: 'wx' });
      let released = false;
      // process.exit() (Ctrl-C, a failure) skips `finally` blocks; 'exit' listeners still run.
      const release = () => {
        if (released) return;
        released = true;
        process.off('exit', release);
        rmSync(file, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw withPath(error, file);
    }
    let holder: Owner | null = null;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    } catch {
      holder = null;
    }
    if (holder !== null && processAlive(holder.pid)) {
      throw new UsageError(
        `${dir} is in use by another run (pid ${holder.pid}, started ${holder.startedAt}); wait for it to finish, or delete ${file} if no run is active`,
      );
    }
    rmSync(file, { force: true });
  }
  throw new UsageError(`${file}: could not take the lock`);
}
