/**
 * Sum. A float32 sum over every axis but the last (a bias gradient) runs on OpenBLAS when it is
 * loaded (../../blas/products.ts); anything else is wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import { blasColumnSums } from '../../blas/products.ts';
import type { WasmKernelConfig } from '../kernel.ts';

export const sumConfig: WasmKernelConfig = {
  kernelName: tf.Sum,
  build: ({ own }) => blasColumnSums(own(tf.Sum)),
};
