/**
 * `npm run bench`: training and inference speed of models on the selected backend, on real MNIST batches.
 * A benchmark, not a test: numbers vary with the machine and its load.
 *
 *   --models mlp5,lenet5   architecture ids, from experiments/architectures/ (default mlp5,lenet5)
 *   --batch-size 64        training batch size (1 benchmarks the batch-size experiment's single-image steps)
 *   --batches 200          timed training batches per model (after 20 warm-up batches)
 *   --calls 1000           timed batch-1 inference calls
 *   --backend <name>       tensorflow | wasm | cpu (default: the fastest that loads)
 *   --threads <n>          threads for the wasm backend (default 1; 2 or more: the threaded build)
 *   --no-blas              on wasm, keep matrix products on XNNPACK even when OpenBLAS is installed
 *   --plain                the path before the kernel speed-ups, for comparison (implies wasm): tfjs's
 *                          own kernels (only the Conv2DBackpropFilter wasm lacks is added), tfjs's Adam,
 *                          and batch-1 inference through model.predict; the training step's forward
 *                          pass (experiments/lib/engine/forward.ts) is the engine's in both
 *   --engine-step          train every batch through tfjs's engine, not a replay of the recorded step
 *                          (experiments/lib/engine/replay-step.ts), to measure what the replay saves
 *   --profile              also print, per model, where a training step's time goes, kernel by kernel
 *   --json                 print one JSON object as the last line
 *
 * Training FLOPs per sample are counted as 3× the forward FLOPs (forward, then gradients with respect
 * to activations and to weights), the usual convention; GFLOP/s = that × batch size ÷ the median batch time.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../experiments/lib/backend/select.ts';
import { loadMnist, normalise } from '../experiments/lib/engine/dataset.ts';
import { UsageError } from '../experiments/lib/contract/errors.ts';
import { layerShapes, summariseLayers, totalFlops } from '../experiments/lib/engine/flops.ts';
import { measureBatch1 } from '../experiments/lib/engine/latency.ts';
import { inferenceChain } from '../experiments/lib/backend/blas/inference-chain.ts';
import { denseTrainingStep } from '../experiments/lib/backend/wasm/dense-step.ts';
import { adam } from '../experiments/lib/engine/trial.ts';
import { buildModel } from '../experiments/lib/engine/models.ts';
import { readArchitectures, type ArchitectureSpec } from '../experiments/lib/contract/architecture.ts';
import { median } from '../experiments/lib/engine/stats.ts';
import { PIXELS, systemClock, trainModel, trainStep } from '../experiments/lib/engine/train.ts';
import { exitOnInterrupt, fail } from './cli.ts';

const WARMUP_BATCHES = 20;
/** Nominal fp32 peak of this machine's CPU (2 Zen 5 cores, AVX-512), GFLOP/s, for the fraction of peak. */
const PEAK_GFLOPS = 270;

function parseArguments(known: ReadonlyMap<string, ArchitectureSpec>) {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'mlp5,lenet5' },
      'batch-size': { type: 'string', default: '64' },
      batches: { type: 'string', default: '200' },
      calls: { type: 'string', default: '1000' },
      backend: { type: 'string', default: 'auto' },
      threads: { type: 'string', default: '1' },
      'no-blas': { type: 'boolean', default: false },
      plain: { type: 'boolean', default: false },
      'engine-step': { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  const models = values.models.split(',').filter((m) => m !== '');
  for (const m of models) {
    if (!known.has(m))
      throw new UsageError(`--models: unknown model '${m}' (known: ${[...known.keys()].join(', ')})`);
  }
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`--${name}: expected a positive integer, got '${text}'`);
    return n;
  };
  return {
    models: models.map((m) => known.get(m)!),
    batchSize: positive('batch-size', values['batch-size']),
    batches: positive('batches', values.batches),
    calls: positive('calls', values.calls),
    backend: values.backend as BackendName | 'auto',
    threads: Number(values.threads),
    blas: !values['no-blas'],
    plain: values.plain,
    engineStep: values['engine-step'],
    profile: values.profile,
    json: values.json,
  };
}

async function main(): Promise<void> {
  const args = parseArguments(await readArchitectures());
  exitOnInterrupt();
  const backend = await selectBackend(args.plain ? 'wasm' : args.backend, {
    threads: args.plain ? 1 : args.threads,
    blas: args.blas,
    plain: args.plain,
  });
  const data = await loadMnist();
  const count = (args.batches + WARMUP_BATCHES) * args.batchSize;
  if (count > data.train.count)
    throw new UsageError(
      `--batches: ${args.batches} + ${WARMUP_BATCHES} warm-up batches of ${args.batchSize} need ${count} training images, MNIST has ${data.train.count}`,
    );
  const train = {
    images: normalise(data.train.images.subarray(0, count * PIXELS)),
    labels: data.train.labels.subarray(0, count),
    count,
  };
  const test = {
    images: normalise(data.test.images.subarray(0, 100 * PIXELS)),
    labels: data.test.labels.subarray(0, 100),
    count: 100,
  };
  const report: Record<
    string,
    {
      trainMsPerBatch: number;
      latencyB1: { p50Us: number; p90Us: number; path: string | undefined };
      gflops: number;
    }
  > = {};
  for (const spec of args.models) {
    const id = spec.id;
    const model = buildModel(spec, 1);
    const optimizer = adam(0.001);
    const forwardFlops = totalFlops(summariseLayers(layerShapes(model))).flops;
    const stamps: number[] = [];
    const cpuStamps: number[] = [];
    await trainModel({
      model,
      optimizer,
      train,
      validation: test,
      batchSize: args.batchSize,
      epochs: 1,
      seed: 1,
      name: id,
      fusedStep: args.plain ? undefined : denseTrainingStep,
      replay: !args.plain && !args.engineStep,
      onBatch: () => {
        stamps.push(systemClock.wallSeconds());
        cpuStamps.push(systemClock.cpuSeconds());
      },
    });
    const batchMs = stamps.slice(WARMUP_BATCHES).map((t, i) => (t - stamps[WARMUP_BATCHES - 1 + i]!) * 1000);
    const trainMsPerBatch = median(batchMs);
    // CPU time of the process per batch: less sensitive than wall time to other processes' load.
    const cpuMsPerBatch = median(
      cpuStamps.slice(WARMUP_BATCHES).map((t, i) => (t - cpuStamps[WARMUP_BATCHES - 1 + i]!) * 1000),
    );
    if (args.profile)
      printProfile(await profileStep(model, optimizer, train.images, train.labels, args.batchSize));
    const latency = measureBatch1(model, test, {
      warmupCalls: 100,
      timedCalls: args.calls,
      path: args.plain ? 'predict' : undefined,
      chain: args.plain ? undefined : inferenceChain(model),
    });
    const gflops = (3 * forwardFlops * args.batchSize) / (trainMsPerBatch / 1000) / 1e9;
    report[id] = {
      trainMsPerBatch,
      latencyB1: { p50Us: latency.p50Us, p90Us: latency.p90Us, path: latency.path },
      gflops,
    };
    console.log(
      `${id}: ${trainMsPerBatch.toFixed(2)} ms per training batch of ${args.batchSize} (CPU ${cpuMsPerBatch.toFixed(2)} ms; ${gflops.toFixed(2)} GFLOP/s, ${((gflops / PEAK_GFLOPS) * 100).toFixed(2)}% of ${PEAK_GFLOPS} GFLOP/s peak); batch-1 latency p50 ${latency.p50Us.toFixed(0)} µs, p90 ${latency.p90Us.toFixed(0)} µs (${latency.path})`,
    );
    model.dispose();
    optimizer.dispose();
  }
  const summary = {
    backend: args.plain ? `${backend.name} (plain)` : backend.name,
    batchSize: args.batchSize,
    threads: backend.threads,
    blas: backend.blas,
    models: report,
  };
  if (args.json) console.log(JSON.stringify(summary));
}

const PROFILED_STEPS = 20;

interface StepProfile {
  /** Mean wall time of a step, ms (profiling adds its own bookkeeping, so it exceeds the plain figure). */
  stepMs: number;
  /** Per kernel name: calls per step and ms per step, slowest first. */
  kernels: { name: string; calls: number; ms: number }[];
}

/** Runs PROFILED_STEPS training steps under tf.profile and sums each kernel's time per step. */
async function profileStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: Float32Array,
  labels: Uint8Array,
  batchSize: number,
): Promise<StepProfile> {
  const ids = Int32Array.from(labels.subarray(0, batchSize));
  const begin = systemClock.wallSeconds();
  const info = await tf.profile(() => {
    for (let i = 0; i < PROFILED_STEPS; i++) {
      const { loss, correct } = trainStep(model, optimizer, images, ids, batchSize);
      loss.dataSync();
      correct.dataSync();
      tf.dispose([loss, correct]);
    }
  });
  const stepMs = ((systemClock.wallSeconds() - begin) * 1000) / PROFILED_STEPS;
  const byName = new Map<string, { calls: number; ms: number }>();
  for (const kernel of info.kernels) {
    // Ops with a custom gradient (e.g. 'fusedMatMul__op', or a custom gradient's scope) are recorded
    // too, around the kernels they run: only registered kernels count.
    if (tf.getKernel(kernel.name, tf.getBackend()) === undefined) continue;
    const entry = byName.get(kernel.name) ?? { calls: 0, ms: 0 };
    entry.calls += 1 / PROFILED_STEPS;
    entry.ms += Number(kernel.kernelTimeMs) / PROFILED_STEPS;
    byName.set(kernel.name, entry);
  }
  const kernels = [...byName].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
  return { stepMs, kernels };
}

function printProfile({ stepMs, kernels }: StepProfile): void {
  const kernelMs = kernels.reduce((sum, k) => sum + k.ms, 0);
  const calls = kernels.reduce((sum, k) => sum + k.calls, 0);
  console.log(
    `  profile of one training step (mean of ${PROFILED_STEPS}, under tf.profile): ${stepMs.toFixed(2)} ms`,
  );
  console.log(`  ${'kernel'.padEnd(24)} ${'calls'.padStart(6)} ${'ms'.padStart(8)} ${'share'.padStart(6)}`);
  for (const k of kernels) {
    console.log(
      `  ${k.name.padEnd(24)} ${k.calls.toFixed(0).padStart(6)} ${k.ms.toFixed(3).padStart(8)} ${((k.ms / stepMs) * 100).toFixed(1).padStart(5)}%`,
    );
  }
  console.log(
    `  ${'all kernels'.padEnd(24)} ${calls.toFixed(0).padStart(6)} ${kernelMs.toFixed(3).padStart(8)} ${((kernelMs / stepMs) * 100).toFixed(1).padStart(5)}%`,
  );
  console.log(
    `  ${'outside kernels (JS)'.padEnd(24)} ${''.padStart(6)} ${(stepMs - kernelMs).toFixed(3).padStart(8)} ${(((stepMs - kernelMs) / stepMs) * 100).toFixed(1).padStart(5)}%`,
  );
}

main().catch((error: unknown) => fail(error));
