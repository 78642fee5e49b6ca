/**
 * Where and how results were produced: machine, versions, commit, and the engine's source hash that
 * decides whether earlier results are stale.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const LIB_DIR = path.dirname(fileURLToPath(import.meta.url));

/**
 * SHA-256 over the engine's source files (experiments/lib/*.ts, sorted by name). Any change to the
 * engine makes every earlier result stale.
 */
export function engineHash(dir = LIB_DIR): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort()) {
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(path.join(dir, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

/** The checked-out commit, with `-dirty` when tracked files differ; null outside a git work tree. */
export function gitCommit(): string | null {
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return dirty === '' ? commit : `${commit}-dirty`;
  } catch {
    return null;
  }
}

export function machine(): { cpuModel: string; cores: number; os: string; node: string } {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}
