/**
 * The registry of the kernels this backend adds to tfjs-backend-wasm 4.22 or puts in place of its
 * own, one per file in ./kernels (as tfjs-backend-wasm's register_all_kernels.ts lists its own).
 * Each is tested to compute the values of the path it replaces (tests/backend/wasm/kernels/).
 * Every intermediate a kernel makes is released through the backend, so a call leaves no data behind.
 */
import * as tf from '@tensorflow/tfjs';
import { BACKEND, type KernelSource, type WasmKernel, type WasmKernelConfig } from './kernel.ts';
import { adamUpdateConfig } from './kernels/AdamUpdate.ts';
import { avgPoolConfig } from './kernels/AvgPool.ts';
import { avgPoolGradConfig } from './kernels/AvgPoolGrad.ts';
import { batchMatMulConfig } from './kernels/BatchMatMul.ts';
import {
  conv2dBackpropFilterConfig,
  patchConv2dBackpropFilterConfig,
} from './kernels/Conv2DBackpropFilter.ts';
import { conv2dBackpropInputConfig } from './kernels/Conv2DBackpropInput.ts';
import { fusedConv2DConfig } from './kernels/FusedConv2D.ts';
import { fusedMatMulConfig } from './kernels/_FusedMatMul.ts';
import { identityConfig } from './kernels/Identity.ts';
import { sliceConfig } from './kernels/Slice.ts';
import { sumConfig } from './kernels/Sum.ts';
import { tanhConfig } from './kernels/Tanh.ts';
import { fuseTanhGradient, tanhGradConfig } from './kernels/TanhGrad.ts';
import { transposeConfig } from './kernels/Transpose.ts';

/**
 * Registered by `registerWasmKernels`, in this order: an entry may use those before it
 * (`ours(name)`), e.g. the products use the faster Transpose.
 */
export const WASM_KERNEL_CONFIGS: readonly WasmKernelConfig[] = [
  transposeConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  sliceConfig,
  sumConfig,
  conv2dBackpropInputConfig,
  patchConv2dBackpropFilterConfig,
  fusedConv2DConfig,
  tanhConfig,
  tanhGradConfig,
  avgPoolConfig,
  avgPoolGradConfig,
  adamUpdateConfig,
  identityConfig,
];

let registered = false;

/**
 * Registers the added and faster kernels for the 'wasm' backend, and tanh's gradient that uses
 * TanhGrad there. The wasm backend's own kernels must already be registered (import
 * '@tensorflow/tfjs-backend-wasm' first). Calling it again does nothing. It works whether or not
 * wasm is the active backend yet.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registerMissingWasmKernels();
  const own = ownKernels();
  const ours = new Map<string, WasmKernel>();
  const source: KernelSource = {
    own: (name) => own(name).kernelFunc as unknown as WasmKernel,
    ours: (name) => {
      const kernel = ours.get(name);
      if (kernel === undefined)
        throw new Error(`registerWasmKernels: '${name}' is not registered before its use`);
      return kernel;
    },
  };
  for (const config of WASM_KERNEL_CONFIGS) {
    const kernelFunc = config.build(source);
    ours.set(config.kernelName, kernelFunc as WasmKernel);
    const original = tf.getKernel(config.kernelName, BACKEND);
    // A replacement keeps the original's setup (which binds the wasm export) and disposal.
    if (original !== undefined) tf.unregisterKernel(config.kernelName, BACKEND);
    tf.registerKernel({
      ...(original ?? { kernelName: config.kernelName, backendName: BACKEND }),
      kernelFunc: kernelFunc as unknown as tf.KernelFunc,
    });
  }
  fuseTanhGradient();
  registered = true;
}

/**
 * Registers only what wasm lacks to train a convolutional model at all (`Conv2DBackpropFilter`),
 * leaving every other kernel tfjs's own: the "plain" wasm that `npm run bench -- --plain` compares
 * against. Calling it again does nothing.
 */
export function registerMissingWasmKernels(): void {
  if (tf.getKernel(conv2dBackpropFilterConfig.kernelName, BACKEND) !== undefined) return;
  const own = ownKernels();
  const kernelFunc = conv2dBackpropFilterConfig.build({
    own: (name) => own(name).kernelFunc as unknown as WasmKernel,
    ours: (name) => {
      throw new Error(`registerMissingWasmKernels: '${name}' is not one of wasm's own kernels`);
    },
  });
  tf.registerKernel({
    kernelName: conv2dBackpropFilterConfig.kernelName,
    backendName: BACKEND,
    kernelFunc: kernelFunc as unknown as tf.KernelFunc,
  });
}

/**
 * wasm's own kernels as registered now (before this registry replaces any), by name; throws for a
 * name wasm does not have.
 */
function ownKernels(): (name: string) => tf.KernelConfig {
  const configs = new Map(tf.getKernelsForBackend(BACKEND).map((config) => [config.kernelName, config]));
  return (name) => {
    const config = configs.get(name);
    if (config === undefined) {
      throw new Error(
        `registerWasmKernels: the wasm kernel '${name}' is not registered; import '@tensorflow/tfjs-backend-wasm' first`,
      );
    }
    return config;
  };
}
