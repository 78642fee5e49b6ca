/**
 * Element-wise helpers on the wasm heap that several kernels share: four floats at a time by the SIMD
 * module (./simd), the rest (or all, without it) in JavaScript with the same float32 roundings.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdModule } from './simd/functions.ts';

/**
 * output = a·input + b element by element (float32, one shape; `output` may be `input`), each
 * product and sum rounded to float32.
 */
export function affine(
  backend: BackendWasm,
  input: tf.TensorInfo,
  output: tf.TensorInfo,
  a: number,
  b: number,
): void {
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const y = backend.typedArrayFromHeap(output) as Float32Array;
  const simd = simdModule(backend);
  const done = simd === undefined ? 0 : x.length - (x.length % 4);
  if (simd !== undefined) simd.affine(x.byteOffset, y.byteOffset, done, a, b);
  const [fa, fb] = [Math.fround(a), Math.fround(b)];
  for (let i = done; i < x.length; i++) y[i] = Math.fround(Math.fround(fa * x[i]!) + fb);
}
