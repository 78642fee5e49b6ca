/**
 * Inference timing. The headline figure is true single-sample latency: batch 1, after warm-up, each call
 * timed end to end (tensor from pixels, predict, read the logits back), reported as percentiles in µs.
 * The original's figure (batch-64 time ÷ 64) is kept, labelled as amortised, with large-batch throughput.
 * At batch 1 a Sequential model's forward pass runs as its layers' own `call`s in one tidy (`forward`):
 * the same operations as `model.predict`, so the same logits, without LayersModel's per-call graph
 * bookkeeping (feed dictionaries, topological execution, input checks), about a third of mlp5's
 * batch-1 time on wasm. A stack of dense layers with OpenBLAS loaded runs instead as one chain of
 * BLAS calls, from the pixels to the logits in a Float32Array, without tfjs's per-layer dispatch: the
 * caller passes that chain in (backend/blas/inference-chain.ts). The batched figures keep `predict`, which splits a batch into runs of 32.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_SIZE } from '../contract/image.ts';
import type { LatencyStats } from '../contract/results.ts';
import { median, percentile } from './stats.ts';
import { PIXELS, systemClock, type Clock, type LabelledImages } from './train.ts';

/** A model's batch-1 inference outside tfjs: pixels (784, [-1, 1]) in, logits out. */
export interface Batch1Chain {
  run(x: Float32Array): Float32Array;
}

export interface LatencyOptions {
  warmupCalls: number;
  timedCalls: number;
  clock?: Clock;
  /** The model's chain of BLAS calls, when it has one: each call runs on it instead of tfjs. */
  chain?: Batch1Chain;
  /**
   * 'chain' (the default with a chain, else 'forward'), 'forward', or plain 'predict', for comparison;
   * all give the same predictions (tests/backend/blas/inference-chain.test.ts).
   */
  path?: LatencyStats['path'];
}

/**
 * The model's logits for `x`, computed as `model.predict(x)` computes them. For a Sequential model
 * (a chain of single-input layers) each layer's `call` is applied in turn, in inference mode; any
 * other model goes through `predict`. The caller disposes the result.
 */
export function forward(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  if (model.getClassName() !== 'Sequential') return model.predict(x) as tf.Tensor;
  return tf.tidy(() => {
    let output = x;
    for (const layer of model.layers) output = layer.call(output, {}) as tf.Tensor;
    return output;
  });
}

const predict = (model: tf.LayersModel, x: tf.Tensor) => model.predict(x) as tf.Tensor;

function timePredict(
  model: tf.LayersModel,
  run: (model: tf.LayersModel, x: tf.Tensor) => tf.Tensor,
  images: Float32Array,
  start: number,
  size: number,
  clock: Clock,
): number {
  const begin = clock.wallSeconds();
  const x = tf.tensor4d(images.subarray(start * PIXELS, (start + size) * PIXELS), [
    size,
    IMAGE_SIZE,
    IMAGE_SIZE,
    1,
  ]);
  const y = run(model, x);
  y.dataSync();
  const seconds = clock.wallSeconds() - begin;
  tf.dispose([x, y]);
  return seconds;
}

/** Batch-1 latency over `timedCalls` calls cycling through the first test images. */
export function measureBatch1(
  model: tf.LayersModel,
  set: LabelledImages,
  options: LatencyOptions,
): LatencyStats {
  const clock = options.clock ?? systemClock;
  const pool = Math.min(set.count, 100);
  const chain = options.path === undefined || options.path === 'chain' ? options.chain : undefined;
  if (options.path === 'chain' && chain === undefined)
    throw new Error(`${model.name}: no BLAS chain for this model (a stack of dense layers on OpenBLAS)`);
  const path = chain !== undefined ? 'chain' : (options.path ?? 'forward');
  const time =
    chain !== undefined
      ? (start: number) => {
          const begin = clock.wallSeconds();
          chain.run(set.images.subarray(start * PIXELS, (start + 1) * PIXELS));
          return clock.wallSeconds() - begin;
        }
      : (start: number) =>
          timePredict(model, path === 'predict' ? predict : forward, set.images, start, 1, clock);
  for (let i = 0; i < options.warmupCalls; i++) time(i % pool);
  const micros: number[] = [];
  for (let i = 0; i < options.timedCalls; i++) micros.push(time(i % pool) * 1e6);
  return {
    path,
    calls: micros.length,
    p50Us: percentile(micros, 50),
    p90Us: percentile(micros, 90),
    p99Us: percentile(micros, 99),
    meanUs: micros.reduce((a, b) => a + b, 0) / micros.length,
  };
}

/** The original's method: each full batch of `batchSize` timed and divided by its length; median, µs. */
export function measureAmortised(
  model: tf.LayersModel,
  set: LabelledImages,
  batchSize = 64,
  clock = systemClock,
): number {
  timePredict(model, predict, set.images, 0, Math.min(batchSize, set.count), clock);
  const perSample: number[] = [];
  for (let start = 0; start + batchSize <= set.count; start += batchSize) {
    perSample.push((timePredict(model, predict, set.images, start, batchSize, clock) / batchSize) * 1e6);
  }
  return median(perSample);
}

/** Images per second at a large batch over the whole set. */
export function measureThroughput(
  model: tf.LayersModel,
  set: LabelledImages,
  batchSize = 1000,
  clock = systemClock,
): { batchSize: number; imagesPerSecond: number } {
  const size = Math.min(batchSize, set.count);
  timePredict(model, predict, set.images, 0, size, clock);
  let seconds = 0;
  let images = 0;
  for (let start = 0; start + size <= set.count; start += size) {
    seconds += timePredict(model, predict, set.images, start, size, clock);
    images += size;
  }
  return { batchSize: size, imagesPerSecond: images / seconds };
}
