/**
 * _FusedMatMul (a product plus a bias, through an activation: what Dense layers run). On OpenBLAS
 * when it is loaded (../../blas/products.ts); otherwise with transposed operands made explicit, as
 * ./BatchMatMul.ts does, so the product reaches XNNPACK.
 */
import * as tf from '@tensorflow/tfjs';
import { blasFusedMatMul } from '../../blas/products.ts';
import type { WasmKernelConfig } from '../kernel.ts';
import { matMulWithoutTransposes } from '../products.ts';

export const fusedMatMulConfig: WasmKernelConfig = {
  kernelName: tf._FusedMatMul,
  build: ({ own, ours }) =>
    blasFusedMatMul(matMulWithoutTransposes(own(tf._FusedMatMul), ours(tf.Transpose))),
};
