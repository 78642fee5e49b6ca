/** Seeded inputs and a backend switch shared by the wasm kernel tests. */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '../../../experiments/lib/backend/wasm/register-kernels.ts';

/** Seeded values in [-1, 1) (mulberry32), so both backends see identical inputs. */
export function randomValues(size: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    values[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return values;
}

export function randomTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    randomValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}

/** Runs `compute` with `backend` active; tensors made inside live and are read on that backend. */
export async function on<T>(backend: 'cpu' | 'wasm', compute: () => T): Promise<T> {
  await tf.setBackend(backend);
  return compute();
}

/** Registers this backend's kernels and makes wasm the active backend. */
export async function onWasmWithKernels(): Promise<void> {
  registerWasmKernels();
  await tf.setBackend('wasm');
  await tf.ready();
}
