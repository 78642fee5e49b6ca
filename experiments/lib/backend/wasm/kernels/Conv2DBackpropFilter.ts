/**
 * Conv2DBackpropFilter, which tfjs-backend-wasm 4.22 lacks: training any convolutional model on wasm
 * throws "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'" without it. With stride 1
 * it is wasm's (XNNPACK) Conv2D with batch and channel axes swapped, otherwise im2col followed by one
 * plain matrix product, the form wasm runs through XNNPACK. Built from wasm's own kernels only, so
 * the "plain" wasm (`npm run bench -- --plain`) gets the same one. With OpenBLAS loaded, the registry's
 * (`patchConv2dBackpropFilterConfig`) computes an unpadded one (LeNet-5's) as im2col in WebAssembly
 * SIMD and one `cblas_sgemm` instead (../patches.ts): XNNPACK packs the "filter", the output
 * gradient, anew on every call, and the transposes around it cost about as much again.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import { forEachChunk, patchConvolution, writePatchColumns, writePatches } from '../patches.ts';

/**
 * dW[kh, kw, ci, co] = Σ over n, oh, ow of x[n, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[n, oh, ow, co].
 * With stride 1 that is a convolution (XNNPACK's) in which the batch and channel axes trade places:
 * x as `[ci, h, w, n]` (ci images of n channels) convolved with dy as `[oh, ow, n, co]`, with the
 * same padding, gives dW as `[ci, kh, kw, co]`. Otherwise the input patches are laid out as a
 * `[kh·kw·ci, n·oh·ow]` matrix (im2col, zeros where the window reaches into the padding) so that
 * dW is that matrix times dy seen as `[n·oh·ow, co]`, with no transpose; the product's row-major
 * layout is already the filter's `[kh, kw, ci, co]`.
 * Attributes are those of tfjs-core's `Conv2DBackpropFilterAttrs`; only NHWC data is supported, as
 * for wasm's Conv2D, and dilations are 1 as in tfjs's conv2d gradient.
 */
export function conv2dBackpropFilter(
  plainMatMul: WasmKernel,
  transpose: WasmKernel,
  conv2d: WasmKernel,
): WasmKernel {
  return ({ inputs, backend, attrs }) => {
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const { strides, pad, dataFormat, dimRoundingMode, filterShape } =
      attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    if (dataFormat === 'NCHW') {
      throw new Error("wasm Conv2DBackpropFilter supports dataFormat 'NHWC' only (as wasm's Conv2D does)");
    }
    if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
      throw new Error(`wasm Conv2DBackpropFilter supports float32 only, got ${x.dtype} and ${dy.dtype}`);
    }
    const info = tf.backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filterShape,
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

    if (strideHeight === 1 && strideWidth === 1) {
      const temporaries: tf.TensorInfo[] = [];
      const permuted = (tensor: tf.TensorInfo, perm: number[]) => {
        const out = transpose({ inputs: { x: tensor }, backend, attrs: { perm } });
        temporaries.push(out);
        return out;
      };
      try {
        const { bottom, right } = info.padInfo;
        const dWByInput = conv2d({
          inputs: { x: permuted(x, [3, 1, 2, 0]), filter: permuted(dy, [1, 2, 0, 3]) },
          backend,
          attrs: {
            strides: 1,
            dilations: 1,
            pad: [
              [0, 0],
              [top, bottom],
              [left, right],
              [0, 0],
            ],
            dataFormat: 'NHWC',
          } as unknown as tf.NamedAttrMap,
        });
        temporaries.push(dWByInput);
        return transpose({ inputs: { x: dWByInput }, backend, attrs: { perm: [1, 2, 0, 3] } });
      } finally {
        for (const temporary of temporaries) backend.disposeData(temporary.dataId);
      }
    }

    const columns = backend.makeOutput([patchSize, positions], 'float32');
    try {
      // Views on the wasm heap are taken after the allocation above, which may grow (and detach) it.
      const xValues = backend.typedArrayFromHeap(x) as Float32Array;
      const columnValues = backend.typedArrayFromHeap(columns) as Float32Array;
      columnValues.fill(0);
      for (let kh = 0; kh < filterHeight; kh++) {
        for (let kw = 0; kw < filterWidth; kw++) {
          for (let ci = 0; ci < inChannels; ci++) {
            const row = ((kh * filterWidth + kw) * inChannels + ci) * positions;
            for (let b = 0; b < n; b++) {
              for (let oh = 0; oh < outHeight; oh++) {
                const ih = oh * strideHeight + kh - top;
                if (ih < 0 || ih >= inHeight) continue;
                const target = row + (b * outHeight + oh) * outWidth;
                const source = ((b * inHeight + ih) * inWidth + kw - left) * inChannels + ci;
                for (let ow = 0; ow < outWidth; ow++) {
                  const iw = ow * strideWidth + kw - left;
                  if (iw >= 0 && iw < inWidth) {
                    columnValues[target + ow] = xValues[source + ow * strideWidth * inChannels]!;
                  }
                }
              }
            }
          }
        }
      }
      const dW = plainMatMul({
        inputs: { a: columns, b: { ...dy, shape: [positions, outChannels] } },
        backend,
        attrs: { transposeA: false, transposeB: false },
      });
      dW.shape = [...filterShape];
      return dW;
    } finally {
      backend.disposeData(columns.dataId);
    }
  };
}

export const conv2dBackpropFilterConfig: WasmKernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  build: ({ own }) => conv2dBackpropFilter(own(tf.BatchMatMul), own(tf.Transpose), own(tf.Conv2D)),
};

/**
 * dW, seen as `[patchSize, outChannels]`, = patchesᵀ · dy, dy seen as `[positions, outChannels]`,
 * one `sgemm` over the `[positions, patchSize]` patch matrix of x for each chunk of images, the
 * chunks' products summed into dW (../patches.ts; for one input channel the patches are written
 * transposed, as columns), for NHWC float32 data without padding with OpenBLAS loaded; anything
 * else goes to `fallback` (`conv2dBackpropFilter`). OpenBLAS sums the positions in another order
 * than the fallback, so the values agree within float32 rounding:
 * tests/backend/wasm/kernels/Conv2DBackpropFilter.test.ts holds them within 1e-5 (relative to the
 * largest) of it.
 */
export function patchConv2dBackpropFilter(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
    const filterAttrs = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
    const convolution = patchConvolution(
      backend,
      [x.dtype, dy.dtype],
      x.shape as [number, number, number, number],
      filterAttrs.filterShape,
      filterAttrs,
    );
    if (convolution === undefined) return fallback(args);
    const { info, blas, imagePositions, patchSize } = convolution;
    const channels = info.outChannels;
    const dW = backend.makeOutput([...filterAttrs.filterShape], 'float32');
    forEachChunk(backend, convolution, (first, images, patches) => {
      const rows = images * imagePositions;
      const start = first * imagePositions * channels;
      // Patches as rows: dW = patchesᵀ · dy; as columns (../patches.ts) the matrix is patchesᵀ already.
      if (convolution.columns) writePatchColumns(backend, convolution, x, patches, first, images);
      else writePatches(backend, convolution, x, patches, first, images);
      blas.sgemm(
        !convolution.columns,
        false,
        patchSize,
        channels,
        rows,
        1,
        backend.typedArrayFromHeap(patches) as Float32Array,
        convolution.columns ? rows : patchSize,
        (backend.typedArrayFromHeap(dy) as Float32Array).subarray(start, start + rows * channels),
        channels,
        first === 0 ? 0 : 1,
        backend.typedArrayFromHeap(dW) as Float32Array,
        channels,
      );
    });
    return dW;
  };
}

/** The registry's Conv2DBackpropFilter: `patchConv2dBackpropFilter` before the one above. */
export const patchConv2dBackpropFilterConfig: WasmKernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  build: ({ own }) => patchConv2dBackpropFilter(own(tf.Conv2DBackpropFilter)),
};
