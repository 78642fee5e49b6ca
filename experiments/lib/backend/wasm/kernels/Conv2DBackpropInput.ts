/**
 * Conv2DBackpropInput: wasm's own runs a naive loop (about 1.9 GFLOP/s, 40% of a LeNet-5 training
 * step). With stride 1 this is wasm's (XNNPACK) Conv2D of the output gradient with the flipped
 * filter; with larger strides one plain matrix product followed by col2im, the mirror image of the
 * filter gradient (./Conv2DBackpropFilter.ts). With OpenBLAS loaded, an unpadded one (LeNet-5's
 * conv2) is one `cblas_sgemm` and col2im in WebAssembly SIMD instead (`patchConv2dBackpropInput`,
 * ../patches.ts): the stride-1 convolution on XNNPACK packs its filter on every call and computes
 * over the zero padding it needs (44 MFLOP for conv2's 20 useful ones at batch 64).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import { addPatches, forEachChunk, patchConvolution } from '../patches.ts';

/**
 * dx[n, ih, iw, ci] = Σ over the windows covering (ih, iw) of dy[n, oh, ow, co] · w[kh, kw, ci, co].
 * With stride 1 that is the convolution of dy, padded by (filter size − 1 − padding) on each side,
 * with the filter flipped in space and with its channel axes swapped. Otherwise the window
 * contributions form the `[n·oh·ow, kh·kw·ci]` matrix dy · wᵀ (wᵀ made explicitly, it is small),
 * which col2im adds into dx. NCHW data goes to wasm's own kernel (`fallback`).
 */
export function conv2dBackpropInput(
  plainMatMul: WasmKernel,
  transpose: WasmKernel,
  conv2d: WasmKernel,
  fallback: WasmKernel,
): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } =
      attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if (dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return fallback(args);
    const info = tf.backend_util.computeConv2DInfo(
      inputShape,
      filter.shape as [number, number, number, number],
      strides,
      1,
      pad,
      dimRoundingMode,
      false,
      'channelsLast',
    );
    const { batchSize: n, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
    const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
    const { top, left } = info.padInfo;
    const patchSize = filterHeight * filterWidth * inChannels;
    const positions = n * outHeight * outWidth;

    const { bottom, right } = info.padInfo;
    const fullPadding = [
      filterHeight - 1 - top,
      filterHeight - 1 - bottom,
      filterWidth - 1 - left,
      filterWidth - 1 - right,
    ];
    if (strideHeight === 1 && strideWidth === 1 && fullPadding.every((size) => size >= 0)) {
      const flipped = backend.makeOutput([filterHeight, filterWidth, outChannels, inChannels], 'float32');
      try {
        const filterValues = backend.typedArrayFromHeap(filter) as Float32Array;
        const flippedValues = backend.typedArrayFromHeap(flipped) as Float32Array;
        for (let kh = 0; kh < filterHeight; kh++) {
          for (let kw = 0; kw < filterWidth; kw++) {
            const source =
              ((filterHeight - 1 - kh) * filterWidth + (filterWidth - 1 - kw)) * inChannels * outChannels;
            const target = (kh * filterWidth + kw) * outChannels * inChannels;
            for (let ci = 0; ci < inChannels; ci++) {
              for (let co = 0; co < outChannels; co++) {
                flippedValues[target + co * inChannels + ci] = filterValues[source + ci * outChannels + co]!;
              }
            }
          }
        }
        const [padTop, padBottom, padLeft, padRight] = fullPadding as [number, number, number, number];
        return conv2d({
          inputs: { x: dy, filter: flipped },
          backend,
          attrs: {
            strides: 1,
            dilations: 1,
            pad: [
              [0, 0],
              [padTop, padBottom],
              [padLeft, padRight],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          } as unknown as tf.NamedAttrMap,
        });
      } finally {
        backend.disposeData(flipped.dataId);
      }
    }

    const filterT = transpose({
      inputs: { x: { ...filter, shape: [patchSize, outChannels] } },
      backend,
      attrs: { perm: [1, 0] },
    });
    let windows: tf.TensorInfo | undefined;
    try {
      windows = plainMatMul({
        inputs: { a: { ...dy, shape: [positions, outChannels] }, b: filterT },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
      const dx = backend.makeOutput([...inputShape], 'float32');
      // Views on the wasm heap are taken after the allocations above, which may grow (and detach) it.
      const windowValues = backend.typedArrayFromHeap(windows) as Float32Array;
      const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
      dxValues.fill(0);
      for (let b = 0; b < n; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            let source = ((b * outHeight + oh) * outWidth + ow) * patchSize;
            for (let kh = 0; kh < filterHeight; kh++) {
              const ih = oh * strideHeight + kh - top;
              if (ih < 0 || ih >= inHeight) {
                source += filterWidth * inChannels;
                continue;
              }
              for (let kw = 0; kw < filterWidth; kw++) {
                const iw = ow * strideWidth + kw - left;
                if (iw >= 0 && iw < inWidth) {
                  const target = ((b * inHeight + ih) * inWidth + iw) * inChannels;
                  for (let ci = 0; ci < inChannels; ci++) {
                    dxValues[target + ci] = dxValues[target + ci]! + windowValues[source + ci]!;
                  }
                }
                source += inChannels;
              }
            }
          }
        }
      }
      return dx;
    } finally {
      backend.disposeData(filterT.dataId);
      if (windows !== undefined) backend.disposeData(windows.dataId);
    }
  };
}

/**
 * The window contributions dy · wᵀ (dy seen as `[positions, outChannels]`, w as `[patchSize,
 * outChannels]`, transposed by `sgemm` itself) added into dx by col2im, a chunk of images at a time
 * (../patches.ts), for NHWC float32 data without padding with OpenBLAS loaded; anything else goes
 * to `fallback`. The sums run in another order than the fallback's, so the values agree within
 * float32 rounding:
 * tests/backend/wasm/kernels/Conv2DBackpropFilter.test.ts holds them within 1e-5 (relative to the
 * largest) of it.
 */
export function patchConv2dBackpropInput(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
    const inputAttrs = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    const convolution = patchConvolution(
      backend,
      [dy.dtype, filter.dtype],
      inputAttrs.inputShape,
      filter.shape as [number, number, number, number],
      inputAttrs,
    );
    if (convolution === undefined) return fallback(args);
    const { info, blas, imagePositions, patchSize } = convolution;
    const channels = info.outChannels;
    const imageFloats = info.inHeight * info.inWidth * info.inChannels;
    const dx = backend.makeOutput([...inputAttrs.inputShape], 'float32');
    forEachChunk(backend, convolution, (first, images, windows) => {
      const rows = images * imagePositions;
      const start = first * imagePositions * channels;
      blas.sgemm(
        false,
        true,
        rows,
        patchSize,
        channels,
        1,
        (backend.typedArrayFromHeap(dy) as Float32Array).subarray(start, start + rows * channels),
        channels,
        backend.typedArrayFromHeap(filter) as Float32Array,
        channels,
        0,
        backend.typedArrayFromHeap(windows) as Float32Array,
        patchSize,
      );
      (backend.typedArrayFromHeap(dx) as Float32Array).fill(
        0,
        first * imageFloats,
        (first + images) * imageFloats,
      );
      addPatches(backend, convolution, windows, dx, first, images);
    });
    return dx;
  };
}

export const conv2dBackpropInputConfig: WasmKernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  build: ({ own, ours }) =>
    patchConv2dBackpropInput(
      conv2dBackpropInput(
        own(tf.BatchMatMul),
        ours(tf.Transpose),
        own(tf.Conv2D),
        own(tf.Conv2DBackpropInput),
      ),
    ),
};
