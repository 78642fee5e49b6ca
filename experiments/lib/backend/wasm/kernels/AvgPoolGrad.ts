/**
 * AvgPoolGrad: wasm's runs a general loop (about 8 ns per element here, 2 ms of a LeNet-5 step). For
 * windows that do not overlap and need no padding (LeNet's 2×2 pools with stride 2) each input pixel
 * takes exactly one output's gradient over the window size, written by the SIMD module's
 * `avgPoolGrad` (four channels at a time, 0.22 against 0.06 ms for LeNet-5's first pool at batch 64)
 * or, without it, in JavaScript: the first row of each window row written, the others copied. Both
 * round each product to float32 alike, so the values are the same bit for bit.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import { simdModule } from '../simd/functions.ts';

/**
 * dx[n, h, w, c] = dy[n, ⌊h/fh⌋, ⌊w/fw⌋, c] / (fh·fw) where the pooling windows tile the input
 * (stride equal to the window, no padding, NHWC float32), zero past the last whole window; any
 * other pooling goes to wasm's own kernel (`fallback`). Attributes are tfjs-core's AvgPoolGradAttrs.
 * `useSimd: false` keeps it in JavaScript (the tests compare the two).
 */
export function tiledAvgPoolGrad(
  fallback: WasmKernel,
  { useSimd = true }: { useSimd?: boolean } = {},
): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
    const { filterSize, strides, pad } = attrs as unknown as tf.AvgPoolGradAttrs;
    if (dy.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      filterSize,
      strides,
      1,
      pad,
    );
    const { batchSize: n, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
    const { filterHeight, filterWidth, strideHeight, strideWidth, padInfo } = info;
    if (
      strideHeight !== filterHeight ||
      strideWidth !== filterWidth ||
      padInfo.top !== 0 ||
      padInfo.left !== 0 ||
      outHeight * strideHeight > inHeight ||
      outWidth * strideWidth > inWidth
    ) {
      return fallback(args);
    }
    const dx = backend.makeOutput(input.shape, 'float32');
    // Views on the wasm heap are taken after the allocation above, which may grow (and detach) it.
    const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
    const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
    if (outHeight * strideHeight < inHeight || outWidth * strideWidth < inWidth) dxValues.fill(0);
    const scale = Math.fround(1 / (filterHeight * filterWidth));
    const simd = useSimd ? simdModule(backend) : undefined;
    if (simd !== undefined) {
      simd.avgPoolGrad(
        dyValues.byteOffset,
        dxValues.byteOffset,
        n,
        inHeight,
        inWidth,
        channels,
        outHeight,
        outWidth,
        filterHeight,
        filterWidth,
        scale,
      );
      return dx;
    }
    // Every row of a window receives the same values: the first row is computed, the others copied.
    const rowLength = outWidth * strideWidth * channels;
    for (let b = 0; b < n; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const firstRow = (b * inHeight + oh * strideHeight) * inWidth * channels;
        for (let ow = 0; ow < outWidth; ow++) {
          const source = ((b * outHeight + oh) * outWidth + ow) * channels;
          for (let kw = 0; kw < filterWidth; kw++) {
            const target = firstRow + (ow * strideWidth + kw) * channels;
            for (let c = 0; c < channels; c++) {
              dxValues[target + c] = Math.fround(dyValues[source + c]! * scale);
            }
          }
        }
        for (let kh = 1; kh < filterHeight; kh++) {
          dxValues.copyWithin(firstRow + kh * inWidth * channels, firstRow, firstRow + rowLength);
        }
      }
    }
    return dx;
  };
}

export const avgPoolGradConfig: WasmKernelConfig = {
  kernelName: tf.AvgPoolGrad,
  build: ({ own }) => tiledAvgPoolGrad(own(tf.AvgPoolGrad)),
};
