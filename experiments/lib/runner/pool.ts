/**
 * Worker processes for trials: N children (./worker.ts), one job each at a time, handed out in the
 * order given (longest first). A failed job stops the whole pool with the trial named; finished
 * trials are already in the store. `stop()` kills every worker at once (Ctrl-C, SIGTERM): a killed
 * worker leaves at most a temporary folder, which the next run removes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BackendInfo } from '../backend/select.ts';
import type { EpochLog } from '../contract/results.ts';
import type { FromWorker, Job, Progress, TrialOutcome, WorkerInit } from './protocol.ts';

export type { Progress };

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface PoolEvents {
  onReady?: (backend: BackendInfo) => void;
  onStart?: (worker: number, job: Job) => void;
  onProgress?: (worker: number, job: Job, progress: Progress) => void;
  onEpoch?: (worker: number, job: Job, log: EpochLog) => void;
  onMeasuring?: (worker: number, job: Job) => void;
  onDone?: (worker: number, job: Job, outcome: TrialOutcome) => void | Promise<void>;
}

export class WorkerError extends Error {
  constructor(
    readonly job: string,
    message: string,
    readonly workerStack?: string,
  ) {
    super(`${job}: ${message}`);
    this.name = 'WorkerError';
  }
}

const running = new Set<ChildProcess>();

/** Kills every worker of every pool of this process. */
export function stopWorkers(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/** Runs `jobs` on `workers` processes; resolves with every outcome by key once all are done. */
export function runJobs(
  jobs: readonly Job[],
  workers: number,
  init: Omit<WorkerInit, 'type'>,
  events: PoolEvents = {},
): Promise<Map<string, TrialOutcome>> {
  const outcomes = new Map<string, TrialOutcome>();
  if (jobs.length === 0) return Promise.resolve(outcomes);
  const queue = [...jobs];
  const children: ChildProcess[] = [];
  let settled = false;
  let readyReported = false;
  return new Promise((resolve, reject) => {
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      for (const child of children) {
        running.delete(child);
        if (error !== undefined) child.kill('SIGKILL');
        else child.disconnect();
      }
      if (error === undefined) resolve(outcomes);
      else reject(error);
    };
    const startWorker = (index: number) => {
      const child = fork(WORKER, [], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
      children.push(child);
      running.add(child);
      let current: Job | undefined;
      let busy = Promise.resolve();
      const next = () => {
        current = queue.shift();
        if (current === undefined) {
          if (outcomes.size === jobs.length) finish();
          return;
        }
        events.onStart?.(index, current);
        child.send({ type: 'job', job: current });
      };
      child.on('message', (message: FromWorker) => {
        if (settled) return;
        switch (message.type) {
          case 'ready':
            if (!readyReported) events.onReady?.(message.backend);
            readyReported = true;
            next();
            break;
          case 'progress':
            events.onProgress?.(index, current!, message);
            break;
          case 'epoch':
            events.onEpoch?.(index, current!, message.log);
            break;
          case 'measuring':
            events.onMeasuring?.(index, current!);
            break;
          case 'done': {
            const job = current!;
            outcomes.set(message.key, message.outcome);
            busy = busy
              .then(() => events.onDone?.(index, job, message.outcome))
              .then(next, (error: unknown) => finish(error as Error));
            break;
          }
          case 'failed':
            finish(new WorkerError(current?.name ?? `worker ${index + 1}`, message.message, message.stack));
            break;
        }
      });
      child.on('exit', (code, signal) => {
        running.delete(child);
        if (!settled && (outcomes.size < jobs.length || current !== undefined))
          finish(
            new WorkerError(
              current?.name ?? `worker ${index + 1}`,
              `worker process ended (${signal ?? `exit code ${code}`})`,
            ),
          );
      });
      child.send({ type: 'init', ...init });
    };
    for (let i = 0; i < Math.min(workers, jobs.length); i++) startWorker(i);
  });
}
