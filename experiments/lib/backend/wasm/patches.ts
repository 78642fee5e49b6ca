/**
 * Convolutions as one matrix product on OpenBLAS, which the convolution kernels (./kernels/FusedConv2D.ts,
 * Conv2DBackpropFilter.ts, Conv2DBackpropInput.ts) share: the input's patches laid out as a matrix
 * (im2col) and that matrix's rows added back into an image (col2im), both in the SIMD module
 * (./simd), on the wasm heap in place. XNNPACK, which wasm's own Conv2D runs, creates an operator and
 * packs its filter on every call whose filter changed, which in training is every call; building
 * the patches in JavaScript instead was slower than XNNPACK (experiments/BACKENDS.md).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeProducts, type Blas } from '../blas/openblas.ts';
import { simdModule, type SimdFunctions } from './simd/functions.ts';

/**
 * At most this many floats of patch matrix at a time (256 KiB): the products run over the batch in
 * chunks of whole images whose patches fit, so the matrix is still in cache when `sgemm` reads it
 * (LeNet-5's conv1 has 14,400 patch floats an image, 921,600 for a batch of 64; 10,000 images at
 * once would need 576 MB).
 */
export const PATCH_CHUNK_FLOATS = 1 << 16;

/** A convolution this path computes, with what computes it. */
export interface PatchConvolution {
  info: tf.backend_util.Conv2DInfo;
  blas: Blas;
  simd: SimdFunctions;
  /** Output positions an image, outHeight·outWidth: the patch matrix's rows per image. */
  imagePositions: number;
  /** filterHeight·filterWidth·inChannels: the patch matrix's columns, the filter's rows. */
  patchSize: number;
  /** Images per chunk (at least 1; the whole batch when it fits in `PATCH_CHUNK_FLOATS`). */
  chunkImages: number;
  /**
   * Whether the kernels lay the patches out as columns (`writePatchColumns`, the matrix transposed)
   * rather than rows: for one input channel and a horizontal stride of 1 (LeNet-5's conv1), where a
   * row of the transposed matrix is whole runs of image rows (24 floats for conv1, against runs of 5
   * a patch row), and where `sgemm` then runs the forward product with the positions, not the 6
   * output channels, along its kernels' longer side (0.16 against 0.24 ms for conv1 at batch 64).
   */
  columns: boolean;
}

/**
 * The convolution of `xShape` by `filterShape` when this path handles it: OpenBLAS and the SIMD module
 * loaded, NHWC float32 data (`dtypes`), dilation 1 and no padding (LeNet's 'valid' convolutions), any
 * strides; undefined otherwise, for the kernel to fall back to wasm's own path.
 */
export function patchConvolution(
  backend: BackendWasm,
  dtypes: string[],
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  attrs: { strides: number | [number, number]; pad: unknown; dataFormat?: string; dimRoundingMode?: unknown },
  dilations: number | [number, number] = 1,
): PatchConvolution | undefined {
  const blas = nativeProducts.blas;
  if (blas === undefined || dtypes.some((dtype) => dtype !== 'float32')) return undefined;
  if (attrs.dataFormat !== undefined && attrs.dataFormat !== 'NHWC' && attrs.dataFormat !== 'channelsLast')
    return undefined;
  if ((Array.isArray(dilations) ? dilations : [dilations]).some((rate) => rate !== 1)) return undefined;
  const simd = simdModule(backend);
  if (simd === undefined) return undefined;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    false,
    'channelsLast',
  );
  const { top, bottom, left, right } = info.padInfo;
  if (top !== 0 || bottom !== 0 || left !== 0 || right !== 0) return undefined;
  const imagePositions = info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  if (info.batchSize * imagePositions === 0 || patchSize === 0 || info.outChannels === 0) return undefined;
  const chunkImages = Math.min(
    info.batchSize,
    Math.max(1, Math.floor(PATCH_CHUNK_FLOATS / (imagePositions * patchSize))),
  );
  const columns = info.inChannels === 1 && info.strideWidth === 1;
  return { info, blas, simd, imagePositions, patchSize, chunkImages, columns };
}

/**
 * Calls `compute(first, images, patches)` for consecutive chunks of the batch, `patches` a
 * `[chunkImages·imagePositions, patchSize]` float32 buffer on the wasm heap shared by every call and
 * released after the last.
 */
export function forEachChunk(
  backend: BackendWasm,
  convolution: PatchConvolution,
  compute: (first: number, images: number, patches: tf.TensorInfo) => void,
): void {
  const { info, chunkImages, imagePositions, patchSize } = convolution;
  const patches = backend.makeOutput([chunkImages * imagePositions, patchSize], 'float32');
  try {
    for (let first = 0; first < info.batchSize; first += chunkImages) {
      compute(first, Math.min(chunkImages, info.batchSize - first), patches);
    }
  } finally {
    backend.disposeData(patches.dataId);
  }
}

/** The arguments im2col and col2im share after their two pointers, for `images` images. */
function shapeArguments({ info }: PatchConvolution, images: number): number[] {
  return [
    images,
    info.inHeight,
    info.inWidth,
    info.inChannels,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
    info.strideWidth,
  ];
}

/** Bytes of one NHWC image of the convolution's input. */
function imageBytes({ info }: PatchConvolution): number {
  return info.inHeight * info.inWidth * info.inChannels * Float32Array.BYTES_PER_ELEMENT;
}

/**
 * Writes the patches of images first … first + images − 1 of x into the start of `patches`: row
 * (b·outHeight + oh)·outWidth + ow, b counted from `first`, holds x[b, oh·sh + kh, ow·sw + kw, ci] in
 * (kh, kw, ci) order, the order of the filter's rows, so the convolution is patches · filter seen as
 * `[patchSize, outChannels]`.
 */
export function writePatches(
  backend: BackendWasm,
  convolution: PatchConvolution,
  x: tf.TensorInfo,
  patches: tf.TensorInfo,
  first: number,
  images: number,
): void {
  const xValues = backend.typedArrayFromHeap(x) as Float32Array;
  const patchValues = backend.typedArrayFromHeap(patches) as Float32Array;
  convolution.simd.im2col(
    xValues.byteOffset + first * imageBytes(convolution),
    patchValues.byteOffset,
    ...shapeArguments(convolution, images),
  );
}

/**
 * Writes the patch matrix of images first … first + images − 1 of x (one channel, horizontal stride 1)
 * transposed into the start of `patches`: row (kh, kw), `images·imagePositions` floats long, holds
 * x[b, oh·sh + kh, ow + kw] for the positions (b, oh, ow) in order, b counted from `first`.
 */
export function writePatchColumns(
  backend: BackendWasm,
  convolution: PatchConvolution,
  x: tf.TensorInfo,
  patches: tf.TensorInfo,
  first: number,
  images: number,
): void {
  const { info } = convolution;
  const xValues = backend.typedArrayFromHeap(x) as Float32Array;
  const patchValues = backend.typedArrayFromHeap(patches) as Float32Array;
  convolution.simd.im2colColumns(
    xValues.byteOffset + first * imageBytes(convolution),
    patchValues.byteOffset,
    images,
    info.inHeight,
    info.inWidth,
    info.outHeight,
    info.outWidth,
    info.filterHeight,
    info.filterWidth,
    info.strideHeight,
  );
}

/**
 * Writes the `[channels, positions]` matrix `source` transposed into `target` (`[positions,
 * channels]`): 4×4 blocks by the SIMD module's `transpose`, four channels at a time, the last four
 * overlapping the ones before where the count is not a multiple of 4 (they write the same values);
 * positions past the last multiple of 4, or everything for fewer than 4 channels, in JavaScript.
 */
export function transposeInto(
  simd: SimdFunctions,
  source: Float32Array,
  target: Float32Array,
  channels: number,
  positions: number,
): void {
  const blocked = channels < 4 ? 0 : positions - (positions % 4);
  if (blocked > 0) {
    for (let channel = 0; channel < channels; channel += 4) {
      const start = Math.min(channel, channels - 4);
      simd.transpose(
        source.byteOffset + start * positions * Float32Array.BYTES_PER_ELEMENT,
        target.byteOffset + start * Float32Array.BYTES_PER_ELEMENT,
        4,
        blocked,
        positions,
        channels,
      );
    }
  }
  for (let position = blocked; position < positions; position++) {
    for (let channel = 0; channel < channels; channel++) {
      target[position * channels + channel] = source[channel * positions + position]!;
    }
  }
}

/**
 * Adds the rows at the start of `patches`, laid out as `writePatches` writes those of images first …
 * first + images − 1, into the NHWC `dx` where im2col takes each from (col2im). Those images of `dx`
 * must hold zeros before.
 */
export function addPatches(
  backend: BackendWasm,
  convolution: PatchConvolution,
  patches: tf.TensorInfo,
  dx: tf.TensorInfo,
  first: number,
  images: number,
): void {
  const patchValues = backend.typedArrayFromHeap(patches) as Float32Array;
  const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
  convolution.simd.col2im(
    patchValues.byteOffset,
    dxValues.byteOffset + first * imageBytes(convolution),
    ...shapeArguments(convolution, images),
  );
}

/** Fills `values` with copies of `row` one after another (its length a multiple of row's), doubling each copy. */
export function fillRows(values: Float32Array, row: Float32Array): void {
  values.set(row);
  for (let filled = row.length; filled < values.length; filled *= 2) {
    values.copyWithin(filled, 0, Math.min(filled, values.length - filled));
  }
}
