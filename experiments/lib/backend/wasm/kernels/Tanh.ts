/**
 * Tanh (LeNet-5's activation): wasm's runs at about 30 ns per element, twice its Sigmoid; this
 * computes 2·sigmoid(2x) − 1 (within 3e-7 of tanh), the two scalings by the SIMD `affine`.
 */
import * as tf from '@tensorflow/tfjs';
import { affine } from '../heap.ts';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';

/** tanh(x) = 2·sigmoid(2x) − 1 for float32 data, the scalings done by `affine` on the wasm heap. */
export function tanhViaSigmoid(sigmoid: WasmKernel, fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return fallback(args);
    const doubled = backend.makeOutput(x.shape, 'float32');
    try {
      affine(backend, x, doubled, 2, 0);
      const out = sigmoid({ inputs: { x: doubled }, backend });
      affine(backend, out, out, 2, -1);
      return out;
    } finally {
      backend.disposeData(doubled.dataId);
    }
  };
}

export const tanhConfig: WasmKernelConfig = {
  kernelName: tf.Tanh,
  build: ({ own }) => tanhViaSigmoid(own(tf.Sigmoid), own(tf.Tanh)),
};
