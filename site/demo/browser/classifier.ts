/**
 * The TensorFlow.js half of the demo, loaded lazily (a separate chunk) on first use: starts the
 * backends the browser has, loads the trained models saved by the experiments, measures each
 * model's single-image latency on every backend, keeps the fastest, classifies, and fine-tunes on a
 * reader's correction (./finetune.ts). Inputs are normalised 28×28 images (see ../preprocess.ts
 * `normalise`).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import {
  fineTune,
  predictSet,
  restore,
  snapshot,
  type FineTuneMethod,
  type LabelledSet,
} from './finetune.ts';
import { registerWasmConvFilterGradient } from './wasm-grad.ts';

/** Backends measured, in the order tried; `cpu` (plain JavaScript) only when neither starts. */
export const BACKENDS = ['wasm', 'webgl'] as const;
const FALLBACK = 'cpu';

/** Latency: `SAMPLES` timings, each of `CALLS_PER_SAMPLE` back-to-back calls, after `WARM_UP` calls. */
export const LATENCY_SAMPLES = 25;
export const CALLS_PER_SAMPLE = 8;
const WARM_UP = 8;

export interface ModelSource {
  /** Run key in the results, e.g. `lenet5`. */
  key: string;
  /** Absolute URL of the saved model's model.json. */
  url: string;
}

/** Median single-image latency per backend and run key, µs. e.g. { wasm: { lenet5: 180 }, webgl: { lenet5: 2100 } } */
export type LatencyByBackend = Record<string, Record<string, number>>;

export interface Classifier {
  /** The backend in use: the fastest of those measured. */
  backend: string;
  /** Softmax probabilities 0–9 per run key, for one normalised image (784 values). */
  classify(input: Float32Array): Map<string, number[]>;
  /** Measures every backend that started (yielding to the page between samples), then keeps the fastest. */
  measureLatency(): Promise<LatencyByBackend>;
  /** Fraction correct per run key on `set`. */
  accuracy(set: LabelledSet): Map<string, number>;
  /** Fine-tunes every model on `example` labelled `label`; resolves to the wall time per model, ms. */
  fineTune(
    example: Float32Array,
    label: number,
    replay: LabelledSet,
    method: FineTuneMethod,
    onStep: (key: string, done: number, total: number) => void,
  ): Promise<Map<string, number>>;
  /** Puts back the published weights of every model, bit for bit. */
  reset(): void;
}

/** The backends of BACKENDS that start here (wasm binaries from `wasmBaseUrl`), or `cpu`. */
async function startBackends(wasmBaseUrl: string): Promise<string[]> {
  setWasmPaths(wasmBaseUrl);
  const started: string[] = [];
  for (const name of BACKENDS) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        started.push(name);
      }
    } catch {
      // This backend cannot run here (no WebGL, no WebAssembly); the others may.
    }
  }
  if (started.length === 0 && (await tf.setBackend(FALLBACK))) started.push(FALLBACK);
  if (started.length === 0)
    throw new Error(
      `none of the TensorFlow.js backends ${[...BACKENDS, FALLBACK].join(', ')} works in this browser`,
    );
  // A backend that failed to start may leave the engine without one: start on the first that works.
  await tf.setBackend(started[0]!);
  await tf.ready();
  registerWasmConvFilterGradient();
  return started;
}

function probabilities(model: tf.LayersModel, input: Float32Array): Float32Array {
  return tf.tidy(() => {
    const logits = model.predict(tf.tensor4d(input, [1, 28, 28, 1])) as tf.Tensor;
    return tf.softmax(logits).dataSync() as Float32Array;
  });
}

/**
 * The model's logits for one image, with its layers' own `call`s in turn when it is a Sequential
 * model: what the experiments time (experiments/lib/engine/latency.ts `forward`, which the site may
 * not import), the same operations as `predict` without LayersModel's per-call bookkeeping.
 */
function logits(model: tf.LayersModel, input: Float32Array): Float32Array {
  return tf.tidy(() => {
    let output: tf.Tensor = tf.tensor4d(input, [1, 28, 28, 1]);
    if (model.getClassName() !== 'Sequential') output = model.predict(output) as tf.Tensor;
    else for (const layer of model.layers) output = layer.call(output, {}) as tf.Tensor;
    return output.dataSync() as Float32Array;
  });
}

/**
 * Median time of one classification as the experiments time it (image in, `logits`, read back),
 * µs. Each sample times `CALLS_PER_SAMPLE` calls and divides: browsers coarsen `performance.now()`
 * (Chromium to 100 µs without cross-origin isolation), too coarse for one call of these models.
 */
async function latencyP50Us(model: tf.LayersModel): Promise<number> {
  const input = new Float32Array(28 * 28).fill(-1);
  for (let i = 0; i < WARM_UP; i++) logits(model, input);
  const samples: number[] = [];
  for (let s = 0; s < LATENCY_SAMPLES; s++) {
    const start = performance.now();
    for (let i = 0; i < CALLS_PER_SAMPLE; i++) logits(model, input);
    samples.push(((performance.now() - start) * 1000) / CALLS_PER_SAMPLE);
    if (s % 5 === 4) await tf.nextFrame();
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

export async function loadClassifier(sources: ModelSource[], wasmBaseUrl: string): Promise<Classifier> {
  const started = await startBackends(wasmBaseUrl);
  const models = new Map<string, tf.LayersModel>();
  for (const source of sources) models.set(source.key, await tf.loadLayersModel(source.url));
  const published = new Map([...models].map(([key, model]) => [key, snapshot(model)]));

  const classifier: Classifier = {
    backend: tf.getBackend(),
    classify(input) {
      const out = new Map<string, number[]>();
      for (const [key, model] of models) out.set(key, Array.from(probabilities(model, input)));
      return out;
    },
    async measureLatency() {
      const byBackend: LatencyByBackend = {};
      for (const name of started) {
        await tf.setBackend(name);
        byBackend[name] = {};
        for (const [key, model] of models) byBackend[name][key] = await latencyP50Us(model);
      }
      const total = (name: string) => Object.values(byBackend[name]!).reduce((a, b) => a + b, 0);
      const fastest = started.reduce((best, name) => (total(name) < total(best) ? name : best));
      await tf.setBackend(fastest);
      classifier.backend = fastest;
      return byBackend;
    },
    accuracy(set) {
      const out = new Map<string, number>();
      for (const [key, model] of models) {
        const { predicted } = predictSet(model, set);
        out.set(key, predicted.filter((p, i) => p === set.labels[i]).length / set.count);
      }
      return out;
    },
    async fineTune(example, label, replay, method, onStep) {
      const times = new Map<string, number>();
      for (const [key, model] of models) {
        const start = performance.now();
        await fineTune(model, example, label, replay, method, (done, total) => onStep(key, done, total));
        times.set(key, performance.now() - start);
      }
      return times;
    },
    reset() {
      for (const [key, model] of models) restore(model, published.get(key)!);
    },
  };
  return classifier;
}
