/**
 * BatchMatMul. On OpenBLAS when it is loaded (../../blas/products.ts); otherwise wasm's own kernel
 * reaches XNNPACK only for a single, untransposed product, and with `transposeA`/`transposeB` set
 * falls back to a naive loop about ten times slower (1.1–2.9 against 25 GFLOP/s for 512×512×512
 * here), so the operands are transposed explicitly first, the product arranged so that XNNPACK packs
 * the smaller operand, and products a few rows tall run as a plain loop (../products.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { blasBatchMatMul } from '../../blas/products.ts';
import type { WasmKernelConfig } from '../kernel.ts';
import { matMulWithoutTransposes, narrowProductsInJs, packSmallerOperand } from '../products.ts';

export const batchMatMulConfig: WasmKernelConfig = {
  kernelName: tf.BatchMatMul,
  build: ({ own, ours }) => {
    const transpose = ours(tf.Transpose);
    return blasBatchMatMul(
      narrowProductsInJs(
        packSmallerOperand(matMulWithoutTransposes(own(tf.BatchMatMul), transpose), transpose),
      ),
    );
  },
};
