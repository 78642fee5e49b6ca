/**
 * AvgPool: wasm's runs XNNPACK's average pooling (about 0.1–0.18 ms for LeNet-5's first pool at
 * batch 64, through an operator created per call). LeNet's 2×2 pools with stride 2 and no padding
 * run as the SIMD module's `avgPool2x2` instead, which sums each window in the order XNNPACK does,
 * so the values are wasm's own bit for bit (tests/backend/wasm/kernels/AvgPool.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import { simdModule } from '../simd/functions.ts';

/**
 * out[n, oh, ow, c] = ((x[n, 2oh, 2ow, c] + x[n, 2oh + 1, 2ow, c]) + (x[n, 2oh, 2ow + 1, c] +
 * x[n, 2oh + 1, 2ow + 1, c]))·¼ (each window's columns summed first, as XNNPACK does) for a 2×2, stride-2, unpadded NHWC float32 pool with the SIMD module
 * loaded; any other pooling goes to wasm's own kernel (`fallback`). Attributes are tfjs-core's
 * AvgPoolAttrs.
 */
export function avgPool2x2(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.AvgPoolAttrs;
    const simd = simdModule(backend);
    if (x.dtype !== 'float32' || simd === undefined) return fallback(args);
    const info = tf.backend_util.computePool2DInfo(
      x.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
      dimRoundingMode,
    );
    const { padInfo } = info;
    if (
      info.filterHeight !== 2 ||
      info.filterWidth !== 2 ||
      info.strideHeight !== 2 ||
      info.strideWidth !== 2 ||
      padInfo.top !== 0 ||
      padInfo.left !== 0 ||
      padInfo.bottom !== 0 ||
      padInfo.right !== 0
    ) {
      return fallback(args);
    }
    const out = backend.makeOutput(info.outShape, 'float32');
    // Views on the wasm heap are taken after the allocation above, which may grow (and detach) it.
    const xValues = backend.typedArrayFromHeap(x) as Float32Array;
    const outValues = backend.typedArrayFromHeap(out) as Float32Array;
    simd.avgPool2x2(
      xValues.byteOffset,
      outValues.byteOffset,
      info.batchSize,
      info.inHeight,
      info.inWidth,
      info.inChannels,
      info.outHeight,
      info.outWidth,
      0.25,
    );
    return out;
  };
}

export const avgPoolConfig: WasmKernelConfig = {
  kernelName: tf.AvgPool,
  build: ({ own }) => avgPool2x2(own(tf.AvgPool)),
};
