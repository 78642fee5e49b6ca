/**
 * TanhGrad, a kernel tfjs lacks, and tanh's gradient registered to use it on wasm: (1 − y²)·dy in one
 * SIMD pass where tfjs-core runs three kernels (Square, Sub, Multiply), with the same values.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { TANH_GRAD } from '../../../engine/kernel-names.ts';
import { BACKEND, type WasmKernel, type WasmKernelConfig } from '../kernel.ts';
import { simdModule } from '../simd/functions.ts';

/**
 * Replaces tfjs-core's Tanh gradient, (1 − y²)·dy as three kernels (Square, Sub, Multiply), each a
 * pass over the tensor and a kernel call, by the one TanhGrad kernel on wasm. The gradient registry
 * is global: on any other backend, or for other than float32, tfjs-core's own gradient runs.
 */
export function fuseTanhGradient(): void {
  const original = tf.getGradient(tf.Tanh);
  if (original === undefined) return;
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0];
      const single = Array.isArray(dy) ? undefined : dy;
      if (tf.getBackend() !== BACKEND || y === undefined || single?.dtype !== 'float32')
        return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(TANH_GRAD, { y, dy: single }) as tf.Tensor };
    },
  });
}

/**
 * (1 − y²)·dy, each product and difference rounded to float32 in tfjs-core's order, so the values are
 * its Tanh gradient's bit for bit: four at a time by the SIMD module's `tanhGrad`, the rest (or all,
 * without that module) in JavaScript.
 */
export const tanhGrad: WasmKernel = ({
  inputs,
  backend,
}: {
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[];
  backend: BackendWasm;
}) => {
  const { y, dy } = inputs as { y: tf.TensorInfo; dy: tf.TensorInfo };
  const out = backend.makeOutput(y.shape, 'float32');
  // Views on the wasm heap are taken after the allocation above, which may grow (and detach) it.
  const yValues = backend.typedArrayFromHeap(y) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  const outValues = backend.typedArrayFromHeap(out) as Float32Array;
  const simd = simdModule(backend);
  const done = simd === undefined ? 0 : yValues.length - (yValues.length % 4);
  if (simd !== undefined) simd.tanhGrad(yValues.byteOffset, dyValues.byteOffset, outValues.byteOffset, done);
  const f = Math.fround;
  for (let i = done; i < yValues.length; i++) {
    outValues[i] = f(f(1 - f(yValues[i]! * yValues[i]!)) * dyValues[i]!);
  }
  return out;
};

export const tanhGradConfig: WasmKernelConfig = { kernelName: TANH_GRAD, build: () => tanhGrad };
