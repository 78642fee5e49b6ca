/**
 * Identity (tf.clone, and what tfjs-core's engine runs on every tensor it saves for the backward
 * pass: a Dense layer's input and weight matrix, each step). wasm's own copies the data into a new
 * buffer; this returns the same data with its reference count raised, as wasm's own Reshape and
 * the cpu backend's Identity do. No kernel here or in tfjs-backend-wasm writes into its inputs, so
 * sharing is safe. For MLP-1 at batch 1 the copies were about a tenth of a training step (its
 * 784×1024 weights, 3.2 MB, twice a step). Strings go to wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';

export function sharedIdentity(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype === 'string') return fallback(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

export const identityConfig: WasmKernelConfig = {
  kernelName: tf.Identity,
  build: ({ own }) => sharedIdentity(own(tf.Identity)),
};
