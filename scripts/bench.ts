/**
 * `npm run bench`: training and inference speed of models on the selected backend, on real MNIST batches.
 * A benchmark, not a test: numbers vary with the machine and its load.
 *
 *   --models mlp5,lenet5   model ids (default mlp5,lenet5)
 *   --batches 200          timed training batches of 64 per model (after 20 warm-up batches)
 *   --calls 1000           timed batch-1 inference calls
 *   --backend <name>       tensorflow | wasm | cpu (default: the fastest that loads)
 *   --json                 print one JSON object as the last line
 *
 * Training FLOPs per sample are counted as 3× the forward FLOPs (forward, then gradients with respect
 * to activations and to weights), the usual convention; GFLOP/s = that × 64 ÷ the median batch time.
 */
import * as tf from '@tensorflow/tfjs';
import { parseArgs } from 'node:util';
import { selectBackend, type BackendName } from '../experiments/lib/backend.ts';
import { loadMnist, normalise } from '../experiments/lib/dataset.ts';
import { UsageError } from '../experiments/lib/errors.ts';
import { layerShapes, summariseLayers, totalFlops } from '../experiments/lib/flops.ts';
import { measureBatch1 } from '../experiments/lib/latency.ts';
import { buildModel, isModelId, MODEL_IDS } from '../experiments/lib/models.ts';
import { median } from '../experiments/lib/stats.ts';
import { PIXELS, systemClock, trainModel } from '../experiments/lib/train.ts';
import { exitOnInterrupt, fail } from './cli.ts';

const BATCH = 64;
const WARMUP_BATCHES = 20;
/** Nominal fp32 peak of this machine's CPU (2 Zen 5 cores, AVX-512), GFLOP/s, for the fraction of peak. */
const PEAK_GFLOPS = 270;

function parseArguments() {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: 'mlp5,lenet5' },
      batches: { type: 'string', default: '200' },
      calls: { type: 'string', default: '1000' },
      backend: { type: 'string', default: 'auto' },
      json: { type: 'boolean', default: false },
      debug: { type: 'boolean', default: false },
    },
  });
  const models = values.models.split(',').filter((m) => m !== '');
  for (const m of models) {
    if (!isModelId(m))
      throw new UsageError(`--models: unknown model '${m}' (known: ${MODEL_IDS.join(', ')})`);
  }
  const positive = (name: string, text: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n <= 0)
      throw new UsageError(`--${name}: expected a positive integer, got '${text}'`);
    return n;
  };
  return {
    models: models.filter(isModelId),
    batches: positive('batches', values.batches),
    calls: positive('calls', values.calls),
    backend: values.backend as BackendName | 'auto',
    json: values.json,
  };
}

async function main(): Promise<void> {
  const args = parseArguments();
  exitOnInterrupt();
  const backend = await selectBackend(args.backend);
  const data = await loadMnist();
  const count = (args.batches + WARMUP_BATCHES) * BATCH;
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
    { trainMsPerBatch: number; latencyB1: { p50Us: number; p90Us: number }; gflops: number }
  > = {};
  for (const id of args.models) {
    const model = buildModel(id, 1);
    const optimizer = tf.train.adam(0.001);
    const forwardFlops = totalFlops(summariseLayers(layerShapes(model))).flops;
    const stamps: number[] = [];
    await trainModel({
      model,
      optimizer,
      train,
      validation: test,
      batchSize: BATCH,
      epochs: 1,
      seed: 1,
      name: id,
      onBatch: () => stamps.push(systemClock.wallSeconds()),
    });
    const batchMs = stamps.slice(WARMUP_BATCHES).map((t, i) => (t - stamps[WARMUP_BATCHES - 1 + i]!) * 1000);
    const trainMsPerBatch = median(batchMs);
    const latency = measureBatch1(model, test, { warmupCalls: 100, timedCalls: args.calls });
    const gflops = (3 * forwardFlops * BATCH) / (trainMsPerBatch / 1000) / 1e9;
    report[id] = { trainMsPerBatch, latencyB1: { p50Us: latency.p50Us, p90Us: latency.p90Us }, gflops };
    console.log(
      `${id}: ${trainMsPerBatch.toFixed(2)} ms per training batch of ${BATCH} (${gflops.toFixed(2)} GFLOP/s, ${((gflops / PEAK_GFLOPS) * 100).toFixed(2)}% of ${PEAK_GFLOPS} GFLOP/s peak); batch-1 latency p50 ${latency.p50Us.toFixed(0)} µs, p90 ${latency.p90Us.toFixed(0)} µs`,
    );
    model.dispose();
    optimizer.dispose();
  }
  const summary = { backend: backend.name, models: report };
  if (args.json) console.log(JSON.stringify(summary));
}

main().catch((error: unknown) => fail(error));
