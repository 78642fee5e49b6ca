/**
 * A worker process: selects the backend and loads the data once, then runs the jobs the runner sends,
 * one at a time. `train`: trains the trial, writes its record and model to the store, then measures it;
 * `measure`: loads the stored trial's model and measures it; `store`: trains and stores only (shards).
 * It exits by itself when the runner goes away (checked between batches: training blocks the event
 * loop, so the IPC channel's 'disconnect' event alone would come only at an epoch's end).
 */
import type * as tf from '@tensorflow/tfjs';
import { inferenceChain } from '../backend/blas/inference-chain.ts';
import { denseTrainingStep } from '../backend/wasm/dense-step.ts';
import { selectBackend } from '../backend/select.ts';
import type { Trial } from '../contract/results.ts';
import type { TrialRecord } from '../contract/trial.ts';
import { loadMnist, type Mnist } from '../engine/dataset.ts';
import { carbonEstimates, measureLatency, testMetrics } from '../engine/measure.ts';
import { save } from '../engine/save.ts';
import { prepareData, trainTrial } from '../engine/trial.ts';
import type { FromWorker, Job, ToWorker, TrialOutcome, WorkerInit } from './protocol.ts';
import { machine } from './provenance.ts';
import {
  bytesBase64,
  float32FromBase64,
  readModelFiles,
  readRecord,
  uint8FromBase64,
  writeRecord,
} from './store.ts';
import { backendIdentity, type KeyContext } from './trial-key.ts';

const send = (message: FromWorker) => process.send!(message);
const parent = process.ppid;
let init: WorkerInit | undefined;
let data: Mnist | undefined;
let context: Omit<KeyContext, 'trainCode'> | undefined;
let queue = Promise.resolve();

/** True once the runner is gone (a getppid() call: cheap enough for every batch). */
function orphaned(): boolean {
  return process.ppid !== parent;
}

async function measure(model: tf.LayersModel, record: TrialRecord, job: Job): Promise<Trial> {
  const set = prepareData(data!, job.settings);
  const latency = measureLatency(model, set.test, {
    latencyCalls: job.latencyCalls,
    chain: inferenceChain(model),
  });
  const predicted = uint8FromBase64(record.test.predictedBase64);
  const confidence = float32FromBase64(record.test.confidenceBase64);
  return {
    key: record.key,
    seed: job.settings.seed,
    epochs: record.epochs,
    test: testMetrics(predicted, confidence, set.test.labels, record.test.loss),
    latency,
    peakRssBytes: record.peakRssBytes,
    carbon: carbonEstimates(latency.batch1.p50Us, record.epochs, record.peakRssBytes),
  };
}

async function run(job: Job): Promise<TrialOutcome> {
  if (job.mode === 'measure') {
    const record = await readRecord(init!.store, job.key);
    const model = await save.load(await readModelFiles(init!.store, job.key));
    send({ type: 'measuring', key: job.key });
    try {
      const trial = await measure(model, record, job);
      return { trial, sizeBytes: record.sizeBytes, sizeWithOptimizerBytes: record.sizeWithOptimizerBytes };
    } finally {
      model.dispose();
    }
  }
  let lastSent = 0;
  const trained = await trainTrial(job.settings, data!, {
    fusedStep: denseTrainingStep,
    replay: true,
    onBatch: (p) => {
      if (orphaned()) process.exit(1);
      const now = Date.now();
      if (p.batch === 1 || p.batch === p.batches || now - lastSent > 200) {
        lastSent = now;
        send({ type: 'progress', key: job.key, epochs: job.settings.epochs, ...p });
      }
    },
    onEpochEnd: (log) => send({ type: 'epoch', key: job.key, log }),
  });
  try {
    const record: TrialRecord = {
      recordVersion: 1,
      key: job.key,
      settings: job.settings,
      backend: context!.backend,
      dataChecksums: context!.dataChecksums,
      trainCode: init!.trainCode,
      epochs: trained.epochs,
      test: {
        predictedBase64: bytesBase64(trained.test.predicted),
        confidenceBase64: bytesBase64(trained.test.confidence),
        loss: trained.test.loss,
      },
      sizeBytes: save.sizeOnDisk(trained.files),
      sizeWithOptimizerBytes: trained.sizeWithOptimizerBytes,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      trainedAt: new Date().toISOString(),
      machine: machine(),
    };
    await writeRecord(init!.store, record, trained.files);
    if (job.mode === 'store')
      return {
        trial: null,
        sizeBytes: record.sizeBytes,
        sizeWithOptimizerBytes: record.sizeWithOptimizerBytes,
      };
    send({ type: 'measuring', key: job.key });
    const trial = await measure(trained.model, record, job);
    return { trial, sizeBytes: record.sizeBytes, sizeWithOptimizerBytes: record.sizeWithOptimizerBytes };
  } finally {
    trained.model.dispose();
  }
}

async function handle(message: ToWorker): Promise<void> {
  if (message.type === 'init') {
    init = message;
    const backend = await selectBackend(message.backend, { threads: message.threads, blas: message.blas });
    const identity = backendIdentity(backend);
    if (JSON.stringify(identity) !== JSON.stringify(message.backendIdentity))
      throw new Error(
        `the worker started ${JSON.stringify(identity)}, not the backend the trials were keyed by (${JSON.stringify(message.backendIdentity)})`,
      );
    data = await loadMnist(message.dataDir);
    context = { backend: identity, dataChecksums: data.checksums };
    send({ type: 'ready', backend });
    return;
  }
  const outcome = await run(message.job);
  send({ type: 'done', key: message.job.key, outcome });
}

process.on('message', (message: ToWorker) => {
  queue = queue
    .then(() => handle(message))
    .catch((error: unknown) => {
      send({
        type: 'failed',
        key: message.type === 'job' ? message.job.key : null,
        message: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    });
});
process.on('disconnect', () => process.exit(1));
