/**
 * The TensorFlow.js half of the demo, loaded lazily (a separate chunk) on first use: picks the
 * fastest backend the browser has, loads the trained models saved by the experiments, classifies
 * and measures latency. Inputs are normalised 28×28 images (see ../preprocess.ts `normalise`).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { IMAGE_PIXELS, IMAGE_SIZE } from '../../../experiments/lib/contract/image.ts';

/** Fastest first: WebGL (GPU), WebAssembly (SIMD when available), plain JavaScript. */
export const BACKENDS = ['webgl', 'wasm', 'cpu'] as const;

export interface ModelSource {
  /** Run key in the results, e.g. `lenet5`. */
  key: string;
  /** Absolute URL of the saved model's model.json. */
  url: string;
}

export interface Classifier {
  /** The backend in use, one of BACKENDS. */
  backend: string;
  /** Softmax probabilities 0–9 per run key, for one normalised image (784 values). */
  classify(input: Float32Array): Map<string, number[]>;
  /** Median wall time of `runs` single-image classifications (after warm-up), µs. */
  latencyP50Us(key: string, runs: number): number;
}

/** The first backend of BACKENDS that initialises; wasm binaries are fetched from `wasmBaseUrl`. */
async function chooseBackend(wasmBaseUrl: string): Promise<string> {
  setWasmPaths(wasmBaseUrl);
  for (const name of BACKENDS) {
    try {
      if (await tf.setBackend(name)) {
        await tf.ready();
        return name;
      }
    } catch {
      // This backend cannot run here (no WebGL, no WebAssembly); try the next one.
    }
  }
  throw new Error(`none of the TensorFlow.js backends ${BACKENDS.join(', ')} works in this browser`);
}

export async function loadClassifier(sources: ModelSource[], wasmBaseUrl: string): Promise<Classifier> {
  const backend = await chooseBackend(wasmBaseUrl);
  const models = new Map<string, tf.LayersModel>();
  for (const source of sources) models.set(source.key, await tf.loadLayersModel(source.url));

  function probabilities(model: tf.LayersModel, input: Float32Array): Float32Array {
    return tf.tidy(() => {
      const logits = model.predict(tf.tensor4d(input, [1, IMAGE_SIZE, IMAGE_SIZE, 1])) as tf.Tensor;
      return tf.softmax(logits).dataSync() as Float32Array;
    });
  }

  return {
    backend,
    classify(input) {
      const out = new Map<string, number[]>();
      for (const [key, model] of models) out.set(key, Array.from(probabilities(model, input)));
      return out;
    },
    latencyP50Us(key, runs) {
      const model = models.get(key);
      if (!model) throw new Error(`no model loaded for run '${key}'`);
      const input = new Float32Array(IMAGE_PIXELS).fill(-1);
      for (let i = 0; i < 5; i++) probabilities(model, input);
      const timesUs: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        probabilities(model, input);
        timesUs.push((performance.now() - start) * 1000);
      }
      timesUs.sort((a, b) => a - b);
      return timesUs[Math.floor(timesUs.length / 2)]!;
    },
  };
}
