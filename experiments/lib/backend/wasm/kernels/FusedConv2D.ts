/**
 * FusedConv2D (tf.fused.conv2d: what tfjs-layers' Conv2D runs, a convolution plus a bias): wasm's
 * runs it on XNNPACK, which creates an operator and packs the filter anew whenever the filter
 * changed, every training step. With OpenBLAS loaded, an unpadded convolution (LeNet-5's) is
 * im2col in WebAssembly SIMD and one `cblas_sgemm` instead (../patches.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import {
  fillRows,
  forEachChunk,
  patchConvolution,
  transposeInto,
  writePatchColumns,
  writePatches,
} from '../patches.ts';

/**
 * out[n, oh, ow, co] = bias[co] + Σ over kh, kw, ci of x[n, oh·sh + kh, ow·sw + kw, ci] · w[kh, kw, ci, co],
 * as the `[positions, patchSize]` patch matrix times the filter seen as `[patchSize, outChannels]`,
 * each output row starting as the bias, a chunk of images at a time (../patches.ts). For one input
 * channel (conv1) the patches are laid out as columns instead, the product computes outᵀ = wᵀ ·
 * patchesᵀ, each row starting as its channel's bias, and a SIMD transpose writes it into out.
 * OpenBLAS adds the terms in another order than XNNPACK, so the values agree within float32
 * rounding, not bit for bit: tests/backend/wasm/kernels/FusedConv2D.test.ts holds them within 1e-5
 * (relative to the largest) of wasm's own kernel. Only a linear activation with a rank-1 bias or
 * none (tanh is a layer's activation of its own here), NHWC float32 data, dilation 1 and no
 * padding; anything else goes to wasm's own kernel (`fallback`).
 */
export function patchFusedConv2d(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs as Record<string, tf.TensorInfo | undefined>;
    const { activation, dilations, ...convAttrs } = attrs as unknown as tf.FusedConv2DAttrs;
    if (
      (activation !== undefined && activation !== 'linear') ||
      preluActivationWeights !== undefined ||
      (bias !== undefined && bias.shape.length !== 1)
    )
      return fallback(args);
    const convolution = patchConvolution(
      backend,
      [x!.dtype, filter!.dtype, ...(bias === undefined ? [] : [bias.dtype])],
      x!.shape as [number, number, number, number],
      filter!.shape as [number, number, number, number],
      convAttrs,
      dilations,
    );
    if (convolution === undefined || (bias !== undefined && bias.shape[0] !== convolution.info.outChannels))
      return fallback(args);
    const { info, blas, imagePositions, patchSize, columns } = convolution;
    const channels = info.outChannels;
    const out = backend.makeOutput(info.outShape, 'float32');
    // With the patches as columns, the product is outᵀ = wᵀ · patchesᵀ, transposed into out after.
    const transposed = columns
      ? backend.makeOutput([channels, convolution.chunkImages * imagePositions], 'float32')
      : undefined;
    try {
      forEachChunk(backend, convolution, (first, images, patches) => {
        const rows = images * imagePositions;
        const start = first * imagePositions * channels;
        const outValues = (backend.typedArrayFromHeap(out) as Float32Array).subarray(
          start,
          start + rows * channels,
        );
        const biasValues =
          bias === undefined ? undefined : (backend.typedArrayFromHeap(bias) as Float32Array);
        const patchValues = () => backend.typedArrayFromHeap(patches) as Float32Array;
        const filterValues = backend.typedArrayFromHeap(filter!) as Float32Array;
        const beta = bias === undefined ? 0 : 1;
        if (transposed === undefined) {
          writePatches(backend, convolution, x!, patches, first, images);
          if (biasValues !== undefined) fillRows(outValues, biasValues);
          blas.sgemm(
            false,
            false,
            rows,
            channels,
            patchSize,
            1,
            patchValues(),
            patchSize,
            filterValues,
            channels,
            beta,
            outValues,
            channels,
          );
          return;
        }
        writePatchColumns(backend, convolution, x!, patches, first, images);
        const transposedValues = (backend.typedArrayFromHeap(transposed) as Float32Array).subarray(
          0,
          channels * rows,
        );
        if (biasValues !== undefined) {
          for (let channel = 0; channel < channels; channel++) {
            transposedValues.fill(biasValues[channel]!, channel * rows, (channel + 1) * rows);
          }
        }
        blas.sgemm(
          true,
          false,
          channels,
          rows,
          patchSize,
          1,
          filterValues,
          channels,
          patchValues(),
          rows,
          beta,
          transposedValues,
          rows,
        );
        transposeInto(convolution.simd, transposedValues, outValues, channels, rows);
      });
    } finally {
      if (transposed !== undefined) backend.disposeData(transposed.dataId);
    }
    return out;
  };
}

export const fusedConv2DConfig: WasmKernelConfig = {
  kernelName: tf.FusedConv2D,
  build: ({ own }) => patchFusedConv2d(own(tf.FusedConv2D)),
};
