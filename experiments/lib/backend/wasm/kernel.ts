/**
 * What every kernel of this backend shares: the backend's name, the shape of a kernel function as the
 * kernels call one another, and a registry entry (`WasmKernelConfig`). Imports nothing of this
 * project, so the BLAS products (../blas) and the wasm kernels can both use it without importing
 * each other.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** tfjs's name of the backend these kernels are registered for. */
export const BACKEND = 'wasm';

/** The arguments tfjs hands a kernel function on the wasm backend. */
export interface WasmKernelArgs {
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[];
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}

/** A kernel function as the wrappers call it: always one output, on the wasm backend. */
export type WasmKernel = (args: WasmKernelArgs) => tf.TensorInfo;

/** A kernel function with several outputs (e.g. AdamUpdate's value and two moments). */
export type WasmMultiKernel = (args: WasmKernelArgs) => tf.TensorInfo[];

/** Kernel functions a registry entry is built from. */
export interface KernelSource {
  /** wasm's own kernel of that name, as tfjs-backend-wasm registered it. */
  own(name: string): WasmKernel;
  /** The kernel of that name as this backend registers it (an entry listed earlier in the registry). */
  ours(name: string): WasmKernel;
}

/**
 * One kernel this backend adds or puts in place of wasm's own, as tfjs-backend-wasm's
 * `kernels/<Name>.ts` each export a `KernelConfig`: here the function is built at registration,
 * from wasm's own kernels that it wraps or calls.
 */
export interface WasmKernelConfig {
  kernelName: string;
  build(kernels: KernelSource): WasmKernel | WasmMultiKernel;
}

/** How many matrices a tensor holds: the product of all but its last two dimensions. */
export function batchSize(x: tf.TensorInfo): number {
  return tf.util.sizeFromShape(x.shape.slice(0, -2));
}
