/** Runs the real `npm run experiments` command line for the runner tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `node --import tsx scripts/experiments.ts ...args`; `onLine(line, child)` sees each stdout line. */
export function cli(
  args: string[],
  options: { env?: Record<string, string>; onLine?: (line: string, child: ChildProcess) => void } = {},
): Promise<CliResult> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/experiments.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      for (const line of chunk.toString().split('\n')) options.onLine?.(line, child);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

/** The last line of a `--plan --json` run, parsed. */
export function planTrials(result: CliResult): {
  experiment: string;
  key: string;
  model: string;
  batchSize: number;
  seed: number;
  action: 'cached' | 'measure' | 'train';
  reason: string;
}[] {
  const last = result.stdout.trim().split('\n').at(-1)!;
  return (JSON.parse(last) as { trials: ReturnType<typeof planTrials> }).trials;
}

/** Every file under `dir` (relative path → bytes), skipping the lock and temporaries. */
export async function snapshot(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const entry of await readdir(dir, { recursive: true })) {
    const base = path.basename(entry);
    if (base === '.lock' || entry.split(path.sep).some((part) => part.startsWith('.tmp-'))) continue;
    const full = path.join(dir, entry);
    if ((await stat(full)).isFile()) files.set(entry, await readFile(full));
  }
  return files;
}

const TIMING = new Set([
  'trainSeconds',
  'cpuSeconds',
  'samplesPerSecond',
  'latency',
  'carbon',
  'peakRssBytes',
  'date',
  'wallSeconds',
  'gitCommit',
  'trainSecondsPerEpoch',
  'cpuSecondsPerEpoch',
  'latencyP50Us',
  'latencyP90Us',
  'latencyP99Us',
  'latencyAmortisedUs',
  'throughputImagesPerSecond',
  'carbonPerInferenceG',
  'carbonPerEpochG',
  'energyPerInferenceKwh',
  'energyPerEpochKwh',
  'carbonPerInferenceGOriginal',
  'carbonPerEpochGOriginal',
]);

/** A results file without what varies from run to run (timings, dates, memory, the commit). */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => !TIMING.has(k))
        .map(([k, v]) => [k, withoutTimings(v)]),
    );
  return value;
}
