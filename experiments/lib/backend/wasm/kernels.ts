/**
 * Kernels the wasm backend (@tensorflow/tfjs-backend-wasm 4.22) lacks or runs slowly, registered over
 * its own: `registerWasmKernels()` is called once before training on wasm.
 *
 * - `Conv2DBackpropFilter` is missing, so training any convolutional model throws
 *   "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". It is added here: with
 *   stride 1 as wasm's (XNNPACK) Conv2D with batch and channel axes swapped, otherwise as im2col
 *   followed by one plain matrix product, the form wasm runs through XNNPACK.
 * - `Conv2DBackpropInput` exists but runs a naive loop (about 1.9 GFLOP/s, 40% of a LeNet-5
 *   training step). With stride 1 it is replaced by wasm's (XNNPACK) Conv2D of the output gradient
 *   with the flipped filter; with larger strides by one plain matrix product followed by col2im,
 *   the mirror image of the filter gradient.
 * - `Tanh` (LeNet-5's activation) runs at about 30 ns per element, twice wasm's Sigmoid; it is
 *   computed as 2·sigmoid(2x) − 1 (within 3e-7 of tanh), the two scalings by a SIMD function.
 * - `TanhGrad` is added, and tanh's gradient registered to use it on wasm: (1 − y²)·dy in one SIMD
 *   pass where tfjs-core runs three kernels (Square, Sub, Multiply), with the same values.
 * - `BatchMatMul` and `_FusedMatMul` reach XNNPACK only for a single, untransposed product; with
 *   `transposeA`/`transposeB` set wasm falls back to a naive loop about ten times slower
 *   (1.1–2.9 against 25 GFLOP/s for 512×512×512 here). Backpropagation through Dense layers
 *   multiplies by transposed matrices, so the wrappers below transpose the operands explicitly with
 *   wasm's Transpose kernel and call the original kernel untransposed. XNNPACK also packs the
 *   right-hand operand anew on every call with new data, so X·W and dy·Wᵀ are computed as (Wᵀ·Xᵀ)ᵀ
 *   and (W·dyᵀ)ᵀ where that packs the batch's values rather than the larger weight matrix.
 *
 * - `Slice` copies one innermost row per call (a pixel, for MLP-2's centre crop); it copies maximal
 *   contiguous runs instead.
 * - `AvgPoolGrad` runs a general loop (about 8 ns per element here, 2 ms of a LeNet-5 step); for
 *   windows that do not overlap and need no padding, LeNet's 2×2 pools with stride 2, each input
 *   pixel takes exactly one output's gradient over the window size: the first row of each window
 *   row is written, the others copied.
 * - `AdamUpdate` is added (no tfjs kernel of that name exists): one Adam step for one variable in a
 *   single pass, where tf.train.adam runs eleven element-wise kernels (each a pass over the weights
 *   and a kernel call's overhead). ./train.ts uses it, on the backend that has it, in place of the
 *   optimizer's own `applyGradients`.
 *
 * The element-wise work (Adam, tanh's scalings and gradient) runs four floats at a time in a small
 * WebAssembly SIMD module written out below as bytes (`simdModuleBytes`) and instantiated on the
 * wasm backend's own memory: tfjs-backend-wasm has no such kernels, and JavaScript loops over the
 * heap manage about 1 ns per element where SIMD does four.
 *
 * When the system's OpenBLAS is loaded (./blas.ts), float32 products and bias-gradient sums skip all
 * of the above and run on it; the wrappers here are the path without it.
 *
 * Every intermediate is released through the backend, so a kernel call leaves no data behind.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_UPDATE, TANH_GRAD, type AdamUpdateAttrs } from '../../engine/kernel-names.ts';
import { blasBatchMatMul, blasColumnSums, blasFusedMatMul } from '../blas/blas.ts';

const BACKEND = 'wasm';

/** A kernel function as the wrappers below call it: always one output, on the wasm backend. */
export type WasmKernel = (args: {
  inputs: tf.NamedTensorInfoMap | tf.TensorInfo[];
  backend: BackendWasm;
  attrs?: tf.NamedAttrMap;
}) => tf.TensorInfo;

let registered = false;

/**
 * Registers the added and faster kernels for the 'wasm' backend. The wasm backend's own kernels must
 * already be registered (import '@tensorflow/tfjs-backend-wasm' first). Calling it again does nothing.
 * It works whether or not wasm is the active backend yet.
 */
export function registerWasmKernels(): void {
  if (registered) return;
  registerMissingWasmKernels();
  const batchMatMul = originalKernel(tf.BatchMatMul);
  const fusedMatMul = originalKernel(tf._FusedMatMul);
  const originalTranspose = originalKernel(tf.Transpose);
  const transpose = blockedTranspose(originalTranspose.kernelFunc as unknown as WasmKernel);
  replaceKernel(originalTranspose, transpose);
  const plainMatMul = batchMatMul.kernelFunc as unknown as WasmKernel;
  const conv2d = originalKernel(tf.Conv2D).kernelFunc as unknown as WasmKernel;

  replaceKernel(
    batchMatMul,
    blasBatchMatMul(
      narrowProductsInJs(packSmallerOperand(matMulWithoutTransposes(plainMatMul, transpose), transpose)),
    ),
  );
  replaceKernel(
    fusedMatMul,
    blasFusedMatMul(matMulWithoutTransposes(fusedMatMul.kernelFunc as unknown as WasmKernel, transpose)),
  );
  const slice = originalKernel(tf.Slice);
  replaceKernel(slice, runSlice(slice.kernelFunc as unknown as WasmKernel));
  const sum = originalKernel(tf.Sum);
  replaceKernel(sum, blasColumnSums(sum.kernelFunc as unknown as WasmKernel));
  const backpropInput = originalKernel(tf.Conv2DBackpropInput);
  replaceKernel(
    backpropInput,
    conv2dBackpropInput(plainMatMul, transpose, conv2d, backpropInput.kernelFunc as unknown as WasmKernel),
  );
  const tanh = originalKernel(tf.Tanh);
  const sigmoid = originalKernel(tf.Sigmoid).kernelFunc as unknown as WasmKernel;
  replaceKernel(tanh, tanhViaSigmoid(sigmoid, tanh.kernelFunc as unknown as WasmKernel));
  tf.registerKernel({
    kernelName: TANH_GRAD,
    backendName: BACKEND,
    kernelFunc: tanhGrad as unknown as tf.KernelFunc,
  });
  fuseTanhGradient();
  const avgPoolGrad = originalKernel(tf.AvgPoolGrad);
  replaceKernel(avgPoolGrad, tiledAvgPoolGrad(avgPoolGrad.kernelFunc as unknown as WasmKernel));
  if (tf.getKernel(ADAM_UPDATE, BACKEND) === undefined) {
    tf.registerKernel({
      kernelName: ADAM_UPDATE,
      backendName: BACKEND,
      kernelFunc: adamUpdate as unknown as tf.KernelFunc,
    });
  }
  registered = true;
}

/**
 * Registers only what wasm lacks to train a convolutional model at all (`Conv2DBackpropFilter`),
 * leaving every other kernel tfjs's own: the "plain" wasm that `npm run bench -- --plain` compares
 * against. Calling it again does nothing.
 */
export function registerMissingWasmKernels(): void {
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND) !== undefined) return;
  const transpose = originalKernel(tf.Transpose).kernelFunc as unknown as WasmKernel;
  const plainMatMul = originalKernel(tf.BatchMatMul).kernelFunc as unknown as WasmKernel;
  const conv2d = originalKernel(tf.Conv2D).kernelFunc as unknown as WasmKernel;
  tf.registerKernel({
    kernelName: tf.Conv2DBackpropFilter,
    backendName: BACKEND,
    kernelFunc: conv2dBackpropFilter(plainMatMul, transpose, conv2d) as unknown as tf.KernelFunc,
  });
}

function originalKernel(name: string): tf.KernelConfig {
  const config = tf.getKernel(name, BACKEND);
  if (config === undefined) {
    throw new Error(
      `registerWasmKernels: the wasm kernel '${name}' is not registered; import '@tensorflow/tfjs-backend-wasm' first`,
    );
  }
  return config;
}

/** Swaps a kernel's function, keeping its setup (which binds the wasm export) and disposal. */
function replaceKernel(original: tf.KernelConfig, kernelFunc: WasmKernel): void {
  tf.unregisterKernel(original.kernelName, BACKEND);
  tf.registerKernel({ ...original, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/**
 * Wraps a BatchMatMul-style kernel (inputs `a`, `b` and optional extras; attrs `transposeA`,
 * `transposeB`) so that a single product reaches the wrapped kernel with untransposed operands.
 * Batched products (more than one matrix on either side) are passed through unchanged: wasm runs
 * them in its naive loop either way, and splitting them into single XNNPACK products measured
 * slower for small matrices, since XNNPACK builds and packs an operator per product.
 */
function matMulWithoutTransposes(kernel: WasmKernel, transpose: WasmKernel): WasmKernel {
  return ({ inputs: namedInputs, backend, attrs }) => {
    const inputs = namedInputs as tf.NamedTensorInfoMap;
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const transposeA = Boolean(attrs?.transposeA);
    const transposeB = Boolean(attrs?.transposeB);
    if ((!transposeA && !transposeB) || batchSize(a) > 1 || batchSize(b) > 1) {
      return kernel({ inputs, backend, attrs });
    }
    // Rows of the product (a's) and columns (b's). Transposing an operand costs about as much as the
    // naive loop spends on a product only MIN_TRANSPOSE_SPAN rows or columns wide: below that (a
    // matrix–vector product at batch 1, say) the naive loop is cheaper than the copy.
    const rows = a.shape[a.shape.length - (transposeA ? 1 : 2)]!;
    const columns = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
    if ((transposeB && rows < MIN_TRANSPOSE_SPAN) || (transposeA && columns < MIN_TRANSPOSE_SPAN)) {
      return kernel({ inputs, backend, attrs });
    }
    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (x: tf.TensorInfo): tf.TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const rank = perm.length;
      [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
      const out = transpose({ inputs: { x }, backend, attrs: { perm } });
      temporaries.push(out);
      return out;
    };
    try {
      return kernel({
        inputs: { ...inputs, a: transposeA ? swapLastTwo(a) : a, b: transposeB ? swapLastTwo(b) : b },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
    } finally {
      for (const temporary of temporaries) backend.disposeData(temporary.dataId);
    }
  };
}

/**
 * Per element (ns), as measured here within training steps: XNNPACK packing a new right-hand operand,
 * and a transpose (`blockedTranspose`, SIMD). Chosen by timing MLP-5 steps with each setting in turn
 * in one process: the product forms these pick made a step 10% faster than packing only the smaller
 * operand of dy·Wᵀ.
 */
const PACK_NS = 4;
const TRANSPOSE_NS = 0.5;

/**
 * XNNPACK, which runs wasm's untransposed products, first packs the right-hand operand into its own
 * layout, on every call with new data, at about 4 ns per element: for a batch of 64 rows times
 * MLP-5's new 784×512 weight matrix, more than the product itself (2.4 against 1.6 ms). Training
 * changes the weights every step, so the forward product X·W pays it every time, and the backward
 * dy·Wᵀ pays a transpose of W on top (`matMulWithoutTransposes`). This wrapper computes a single
 * product C = A·B as (Bᵀ·Aᵀ)ᵀ, packing A instead of B, where that is estimated to cost less,
 * counting packing and transposes (`kernel` makes those of its operands; the result's is made here):
 * X·W as (Wᵀ·Xᵀ)ᵀ and dy·Wᵀ as (W·dyᵀ)ᵀ when the weights outnumber the batch's values. Each element
 * of C is the same sum over the same terms in the same order either way, so the values are the same
 * (tests/wasm-kernels.test.ts).
 */
function packSmallerOperand(kernel: WasmKernel, transpose: WasmKernel): WasmKernel {
  return (args) => {
    const single = singleFloat32Product(args);
    if (single === undefined || !productRearrangement.enabled) return kernel(args);
    const { a, b, transposeA, transposeB } = single;
    if (!packsLeftOperand(a.shape, b.shape, transposeA, transposeB)) return kernel(args);
    const { backend } = args;
    const product = kernel({
      inputs: { a: b, b: a },
      backend,
      attrs: { transposeA: !transposeB, transposeB: !transposeA },
    });
    try {
      const rank = product.shape.length;
      const perm = product.shape.map((_, i) => i);
      [perm[rank - 2], perm[rank - 1]] = [rank - 1, rank - 2];
      return transpose({ inputs: { x: product }, backend, attrs: { perm } });
    } finally {
      backend.disposeData(product.dataId);
    }
  };
}

/**
 * The operands of a BatchMatMul call and its transposes when it is a single float32 product (one
 * matrix on each side), the case the wrappers below rearrange; undefined for any other call.
 */
function singleFloat32Product(
  args: Parameters<WasmKernel>[0],
): { a: tf.TensorInfo; b: tf.TensorInfo; transposeA: boolean; transposeB: boolean } | undefined {
  const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
  if (batchSize(a) > 1 || batchSize(b) > 1 || a.dtype !== 'float32' || b.dtype !== 'float32')
    return undefined;
  return { a, b, transposeA: Boolean(args.attrs?.transposeA), transposeB: Boolean(args.attrs?.transposeB) };
}

/** Turned off, `packSmallerOperand` computes every product as given: the reference its tests compare with. */
export const productRearrangement = { enabled: true };

/** Whether `packSmallerOperand` computes the single product of operands of these shapes as (Bᵀ·Aᵀ)ᵀ. */
export function packsLeftOperand(
  shapeA: readonly number[],
  shapeB: readonly number[],
  transposeA: boolean,
  transposeB: boolean,
): boolean {
  const sizeA = shapeA.reduce((product, size) => product * size, 1);
  const sizeB = shapeB.reduce((product, size) => product * size, 1);
  const rows = shapeA[shapeA.length - (transposeA ? 1 : 2)]!;
  const columns = shapeB[shapeB.length - (transposeB ? 2 : 1)]!;
  const direct = PACK_NS * sizeB + TRANSPOSE_NS * ((transposeA ? sizeA : 0) + (transposeB ? sizeB : 0));
  const swapped =
    PACK_NS * sizeA + TRANSPOSE_NS * ((transposeA ? 0 : sizeA) + (transposeB ? 0 : sizeB) + rows * columns);
  return swapped < direct;
}

/**
 * Wraps BatchMatMul so that a single product only a few rows tall (batch-1 training, e.g. a row vector
 * times a 1024×1024 weight matrix) runs as a plain loop in JavaScript. XNNPACK repacks the weight
 * matrix on every call with new weights, which at one row costs about 8 ms for 1024×1024 where the
 * loop takes about 1; wasm's naive loop is as slow as this one. Taller products go to `kernel`.
 */
function narrowProductsInJs(kernel: WasmKernel): WasmKernel {
  return (args) => {
    const single = singleFloat32Product(args);
    if (single === undefined) return kernel(args);
    const { a, b, transposeA, transposeB } = single;
    const rank = a.shape.length;
    const rows = a.shape[rank - (transposeA ? 1 : 2)]!;
    const inner = a.shape[rank - (transposeA ? 2 : 1)]!;
    const columns = b.shape[b.shape.length - (transposeB ? 2 : 1)]!;
    if (rows >= MIN_TRANSPOSE_SPAN) return kernel(args);
    const backend = args.backend;
    const outShape = [...(a.shape.length > b.shape.length ? a.shape : b.shape).slice(0, -2), rows, columns];
    const out = backend.makeOutput(outShape, 'float32');
    const av = backend.typedArrayFromHeap(a) as Float32Array;
    const bv = backend.typedArrayFromHeap(b) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    ov.fill(0);
    for (let r = 0; r < rows; r++) {
      const o = r * columns;
      for (let k = 0; k < inner; k++) {
        const s = transposeA ? av[k * rows + r]! : av[r * inner + k]!;
        if (s === 0) continue;
        if (transposeB) {
          for (let c = 0; c < columns; c++) ov[o + c] = ov[o + c]! + s * bv[c * inner + k]!;
        } else {
          const row = k * columns;
          for (let c = 0; c < columns; c++) ov[o + c] = ov[o + c]! + s * bv[row + c]!;
        }
      }
    }
    return out;
  };
}

/** See matMulWithoutTransposes: measured break-even of an explicit transpose against the naive loop. */
const MIN_TRANSPOSE_SPAN = 4;

/**
 * Wraps wasm's Transpose so that swapping the two axes of a float32 matrix (what the matMul wrappers
 * need) runs as a SIMD copy of 4×4 blocks on the wasm heap (the edges as a cache-blocked copy in
 * JavaScript): wasm's generic kernel computes every element's coordinates and manages about 12 ns per
 * element, the JavaScript copy about 1–2, the SIMD one about a quarter of that.
 * Every other permutation goes to the original kernel.
 */
function blockedTranspose(original: WasmKernel): WasmKernel {
  const BLOCK = 32;
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const perm = (args.attrs?.perm ?? []) as number[];
    const rank = x.shape.length;
    const leading = x.shape.slice(0, -2).reduce((product, size) => product * size, 1);
    const swapsLastTwo =
      rank >= 2 &&
      perm[rank - 2] === rank - 1 &&
      perm[rank - 1] === rank - 2 &&
      perm.slice(0, -2).every((p, i) => p === i);
    if (!swapsLastTwo || leading !== 1 || x.dtype !== 'float32') return original(args);
    const backend = args.backend;
    const height = x.shape[rank - 2]!;
    const width = x.shape[rank - 1]!;
    const out = backend.makeOutput([...x.shape.slice(0, -2), width, height], 'float32');
    const source = backend.typedArrayFromHeap(x) as Float32Array;
    const target = backend.typedArrayFromHeap(out) as Float32Array;
    const copy = (rowStart: number, rowEnd: number, columnStart: number) => {
      for (let i0 = rowStart; i0 < rowEnd; i0 += BLOCK) {
        const iEnd = Math.min(i0 + BLOCK, rowEnd);
        for (let j0 = columnStart; j0 < width; j0 += BLOCK) {
          const jEnd = Math.min(j0 + BLOCK, width);
          for (let i = i0; i < iEnd; i++) {
            const row = i * width;
            for (let j = j0; j < jEnd; j++) target[j * height + i] = source[row + j]!;
          }
        }
      }
    };
    // 4×4 blocks by the SIMD module's `transpose` (about four times the JavaScript copy's speed), the
    // rows and columns past the last whole block, or everything without that module, by the copy.
    const simd = simdModule(backend);
    const rows = simd === undefined || width < 4 ? 0 : height - (height % 4);
    const columns = rows === 0 ? 0 : width - (width % 4);
    if (rows > 0) simd!.transpose(source.byteOffset, target.byteOffset, rows, columns, width, height);
    copy(0, rows, columns);
    copy(rows, height, 0);
    return out;
  };
}

/** How many matrices a tensor holds: the product of all but its last two dimensions. */
function batchSize(x: tf.TensorInfo): number {
  return x.shape.slice(0, -2).reduce((product, size) => product * size, 1);
}

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
function conv2dBackpropFilter(
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

/**
 * dx[n, ih, iw, ci] = Σ over the windows covering (ih, iw) of dy[n, oh, ow, co] · w[kh, kw, ci, co].
 * With stride 1 that is the convolution of dy, padded by (filter size − 1 − padding) on each side,
 * with the filter flipped in space and with its channel axes swapped. Otherwise the window
 * contributions form the `[n·oh·ow, kh·kw·ci]` matrix dy · wᵀ (wᵀ made explicitly, it is small),
 * which col2im adds into dx. NCHW data goes to wasm's own kernel (`fallback`).
 */
function conv2dBackpropInput(
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

/** tanh(x) = 2·sigmoid(2x) − 1 for float32 data, the scalings done by `affine` on the wasm heap. */
function tanhViaSigmoid(sigmoid: WasmKernel, fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { inputs, backend } = args;
    const { x } = inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return fallback(args);
    const doubled = backend.makeOutput(x.shape, 'float32');
    try {
      affine(backend, x, doubled, 2, 0);
      const out = sigmoid({ inputs: { x: doubled }, backend });
      affine(backend, out, out, 2, -1);
      return out;
    } finally {
      backend.disposeData(doubled.dataId);
    }
  };
}

/**
 * output = a·input + b element by element (float32, one shape; `output` may be `input`), each
 * product and sum rounded to float32: four at a time by the SIMD module's `affine`, the rest (or all,
 * without that module) in JavaScript.
 */
function affine(
  backend: BackendWasm,
  input: tf.TensorInfo,
  output: tf.TensorInfo,
  a: number,
  b: number,
): void {
  const x = backend.typedArrayFromHeap(input) as Float32Array;
  const y = backend.typedArrayFromHeap(output) as Float32Array;
  const simd = simdModule(backend);
  const done = simd === undefined ? 0 : x.length - (x.length % 4);
  if (simd !== undefined) simd.affine(x.byteOffset, y.byteOffset, done, a, b);
  const [fa, fb] = [Math.fround(a), Math.fround(b)];
  for (let i = done; i < x.length; i++) y[i] = Math.fround(Math.fround(fa * x[i]!) + fb);
}

/**
 * Replaces tfjs-core's Tanh gradient, (1 − y²)·dy as three kernels (Square, Sub, Multiply), each a
 * pass over the tensor and a kernel call, by the one TanhGrad kernel on wasm. The gradient registry
 * is global: on any other backend, or for other than float32, tfjs-core's own gradient runs.
 */
function fuseTanhGradient(): void {
  const original = tf.getGradient(tf.Tanh);
  if (original === undefined) return;
  tf.registerGradient({
    ...original,
    gradFunc: (dy, saved, attrs) => {
      const y = saved[0];
      const single = Array.isArray(dy) ? undefined : dy;
      if (tf.getBackend() !== BACKEND || y === undefined || single?.dtype !== 'float32')
        return original.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(TANH_GRAD, { y, dy: single }) as tf.Tensor };
    },
  });
}

/**
 * (1 − y²)·dy, each product and difference rounded to float32 in tfjs-core's order, so the values are
 * its Tanh gradient's bit for bit: four at a time by the SIMD module's `tanhGrad`, the rest (or all,
 * without that module) in JavaScript.
 */
const tanhGrad = ({ inputs, backend }: { inputs: tf.NamedTensorInfoMap; backend: BackendWasm }) => {
  const { y, dy } = inputs as { y: tf.TensorInfo; dy: tf.TensorInfo };
  const out = backend.makeOutput(y.shape, 'float32');
  // Views on the wasm heap are taken after the allocation above, which may grow (and detach) it.
  const yValues = backend.typedArrayFromHeap(y) as Float32Array;
  const dyValues = backend.typedArrayFromHeap(dy) as Float32Array;
  const outValues = backend.typedArrayFromHeap(out) as Float32Array;
  const simd = simdModule(backend);
  const done = simd === undefined ? 0 : yValues.length - (yValues.length % 4);
  if (simd !== undefined) simd.tanhGrad(yValues.byteOffset, dyValues.byteOffset, outValues.byteOffset, done);
  const f = Math.fround;
  for (let i = done; i < yValues.length; i++) {
    outValues[i] = f(f(1 - f(yValues[i]! * yValues[i]!)) * dyValues[i]!);
  }
  return out;
};

/** Runs of at least this many elements are copied with `TypedArray.set`, shorter ones element by element. */
const MIN_SET_RUN = 64;

/**
 * wasm's Slice copies a strided slice one innermost row at a time with `set(subarray(…))`, a new
 * typed-array object per row: MLP-2's 20×20 centre crop of a [64, 28, 28, 1] batch is 25,600
 * one-pixel rows, about 4 ms of a 15 ms training step. This copies maximal contiguous runs instead
 * (trailing axes taken whole merge into one run: 1,280 runs of 20 pixels for that crop), short runs
 * element by element. Same values; dtypes other than float32 and int32 go to wasm's own kernel.
 */
function runSlice(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return fallback(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [
      number[],
      number[],
    ];
    const shape = x.shape;
    const rank = shape.length;
    // The run: the last axis that is not taken whole, times every axis after it.
    let axis = rank - 1;
    let run = 1;
    while (axis >= 0 && extent[axis] === shape[axis] && start[axis] === 0) run *= shape[axis--]!;
    if (axis >= 0) run *= extent[axis]!;
    const outer = axis <= 0 ? 1 : extent.slice(0, axis).reduce((product, n) => product * n, 1);
    const out = args.backend.makeOutput(extent, x.dtype);
    const source = args.backend.typedArrayFromHeap(x);
    const target = args.backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(shape);
    const index = new Array<number>(Math.max(axis, 0)).fill(0);
    for (let r = 0, written = 0; r < outer && run > 0; r++, written += run) {
      let from = axis >= 0 ? start[axis]! * (strides[axis] ?? 1) : 0;
      for (let d = 0; d < index.length; d++) from += (start[d]! + index[d]!) * strides[d]!;
      if (run >= MIN_SET_RUN) target.set(source.subarray(from, from + run), written);
      else for (let i = 0; i < run; i++) target[written + i] = source[from + i]!;
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d]! < extent[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  };
}

/**
 * dx[n, h, w, c] = dy[n, ⌊h/fh⌋, ⌊w/fw⌋, c] / (fh·fw) where the pooling windows tile the input
 * (stride equal to the window, no padding, NHWC float32), zero past the last whole window; any
 * other pooling goes to wasm's own kernel (`fallback`). Attributes are tfjs-core's AvgPoolGradAttrs.
 */
function tiledAvgPoolGrad(fallback: WasmKernel): WasmKernel {
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

/**
 * One Adam step, element by element, in exactly tfjs-core 4.22's AdamOptimizer order of float32
 * operations, so the values are bit for bit those of tf.train.adam:
 *   m' = m·β1 + g·(1 − β1), v' = v·β2 + g²·(1 − β2),
 *   w' = (m' / (1 − β1ᵗ)) / (√(v' / (1 − β2ᵗ)) + ε) · (−lr) + w,
 * with β1ᵗ and β2ᵗ the optimizer's `accBeta1`/`accBeta2` scalars. Returns [w', m', v'].
 * Four elements at a time by a small WebAssembly SIMD function (`simdModule`) working on the wasm
 * backend's own heap, whose f32x4 operations round each result to float32 as tfjs's kernels do;
 * the last (length mod 4) elements, or all of them where that module cannot be built, by the same
 * operations in JavaScript, each rounded with Math.fround.
 */
const adamUpdate = ({
  inputs,
  backend,
  attrs,
}: {
  inputs: tf.NamedTensorInfoMap;
  backend: BackendWasm;
  attrs: tf.NamedAttrMap;
}): tf.TensorInfo[] => {
  const { value, gradient, firstMoment, secondMoment, accBeta1, accBeta2 } = inputs as Record<
    string,
    tf.TensorInfo
  >;
  const { learningRate, beta1, beta2, epsilon } = attrs as unknown as AdamUpdateAttrs;
  const f = Math.fround;
  const newValue = backend.makeOutput(value!.shape, 'float32');
  const newFirst = backend.makeOutput(value!.shape, 'float32');
  const newSecond = backend.makeOutput(value!.shape, 'float32');
  // Views on the wasm heap are taken after the allocations above, which may grow (and detach) it.
  const w = backend.typedArrayFromHeap(value!) as Float32Array;
  const g = backend.typedArrayFromHeap(gradient!) as Float32Array;
  const m = backend.typedArrayFromHeap(firstMoment!) as Float32Array;
  const v = backend.typedArrayFromHeap(secondMoment!) as Float32Array;
  const wOut = backend.typedArrayFromHeap(newValue) as Float32Array;
  const mOut = backend.typedArrayFromHeap(newFirst) as Float32Array;
  const vOut = backend.typedArrayFromHeap(newSecond) as Float32Array;
  const b1 = f(beta1);
  const b2 = f(beta2);
  const oneMinusB1 = f(1 - beta1);
  const oneMinusB2 = f(1 - beta2);
  const eps = f(epsilon);
  const minusRate = f(-learningRate);
  const oneMinusAccB1 = f(1 - (backend.typedArrayFromHeap(accBeta1!) as Float32Array)[0]!);
  const oneMinusAccB2 = f(1 - (backend.typedArrayFromHeap(accBeta2!) as Float32Array)[0]!);
  let done = 0;
  const simd = simdModule(backend);
  if (simd !== undefined) {
    done = w.length - (w.length % 4);
    simd.adam(
      w.byteOffset,
      g.byteOffset,
      m.byteOffset,
      v.byteOffset,
      wOut.byteOffset,
      mOut.byteOffset,
      vOut.byteOffset,
      done,
      b1,
      b2,
      oneMinusB1,
      oneMinusB2,
      oneMinusAccB1,
      oneMinusAccB2,
      eps,
      minusRate,
    );
  }
  for (let i = done; i < w.length; i++) {
    const gi = g[i]!;
    const mi = f(f(m[i]! * b1) + f(gi * oneMinusB1));
    const vi = f(f(v[i]! * b2) + f(f(gi * gi) * oneMinusB2));
    mOut[i] = mi;
    vOut[i] = vi;
    const step = f(f(mi / oneMinusAccB1) / f(f(Math.sqrt(f(vi / oneMinusAccB2))) + eps));
    wOut[i] = f(f(step * minusRate) + w[i]!);
  }
  return [newValue, newFirst, newSecond];
};

/** The SIMD module's functions; pointers are byte offsets into the wasm heap, counts multiples of 4. */
interface SimdFunctions {
  /** adam(w, g, m, v, wOut, mOut, vOut, count, then the eight f32 constants). */
  adam(...args: number[]): void;
  /** affine(input, output, count, a, b): output = a·input + b. */
  affine(input: number, output: number, count: number, a: number, b: number): void;
  /** tanhGrad(y, dy, output, count): output = (1 − y·y)·dy. */
  tanhGrad(y: number, dy: number, output: number, count: number): void;
  /**
   * transpose(source, target, rows, columns, width, height): target (width × height) receives the
   * transpose of the first `rows` × `columns` (multiples of 4) of source (height × width), in 4×4 blocks.
   */
  transpose(
    source: number,
    target: number,
    rows: number,
    columns: number,
    width: number,
    height: number,
  ): void;
}

const simdModules = new WeakMap<WebAssembly.Memory, SimdFunctions | null>();

/**
 * Whether the SIMD functions below run on `backend`'s memory (the single-threaded build's own, or the
 * threaded build's shared one); without them the same kernels run in JavaScript, with the same values.
 */
export function simdFunctionsLoad(backend: BackendWasm): boolean {
  return simdModule(backend) !== undefined;
}

/**
 * The SIMD functions instantiated on `backend`'s wasm memory (once per memory), or undefined where
 * that memory is not reachable or WebAssembly SIMD is missing. Their code, in WebAssembly text:
 *
 *   (func (export "adam") (param $w $g $m $v $wo $mo $vo $count i32)
 *         (param $b1 $b2 $c1 $c2 $a1 $a2 $eps $lr f32)     ;; c = 1 − β, a = 1 − βᵗ, lr = −rate
 *     (local $i i32) (local splats of the eight constants, $g4 $m4 $v4 v128)
 *     $count ← $count · 4 (bytes)
 *     loop while $i < $count, $i += 16:
 *       $g4 ← load($g + $i)
 *       $m4 ← load($m + $i)·$b1 + $g4·$c1            store($mo + $i, $m4)
 *       $v4 ← load($v + $i)·$b2 + ($g4·$g4)·$c2      store($vo + $i, $v4)
 *       store($wo + $i, (($m4 / $a1) / (sqrt($v4 / $a2) + $eps))·$lr + load($w + $i))
 *
 *   (func (export "affine") (param $x $y $count i32) (param $a $b f32)
 *     (local $i i32) (local splats of $a and $b v128)
 *     $count ← $count · 4 (bytes)
 *     loop while $i < $count, $i += 16:
 *       store($y + $i, load($x + $i)·$a + $b)
 *
 *   (func (export "tanhGrad") (param $y $dy $out $count i32)
 *     (local $i i32) (local $one4 v128)
 *     $one4 ← splat(1.0); $count ← $count · 4 (bytes)
 *     loop while $i < $count, $i += 16:
 *       store($out + $i, ($one4 − load($y + $i)·load($y + $i))·load($dy + $i))
 */
function simdModule(backend: BackendWasm): SimdFunctions | undefined {
  // The single-threaded build exports its memory; the threaded one imports it (./wasm-threads.ts).
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let functions = simdModules.get(memory);
  if (functions === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const instance = new WebAssembly.Instance(new WebAssembly.Module(simdModuleBytes(shared)), {
        env: { memory },
      });
      functions = instance.exports as unknown as SimdFunctions;
    } catch {
      functions = null;
    }
    simdModules.set(memory, functions);
  }
  return functions ?? undefined;
}

/** The binary of the module above (WebAssembly 1.0 with the SIMD proposal's f32x4 operations). */
function simdModuleBytes(sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const F32 = 0x7d;
  const V128 = 0x7b;
  const get = (index: number) => [0x20, index];
  const set = (index: number) => [0x21, index];
  const simd = (op: number) => [0xfd, ...unsignedLeb(op)];
  const load = [...simd(0x00), 0, 0];
  const store = [...simd(0x0b), 0, 0];
  const [add, sub, mul, div, sqrt, splat] = [0xe4, 0xe5, 0xe6, 0xe7, 0xe3, 0x13].map(simd) as number[][];
  /** `$count ← $count · 4`, then `block loop (br_if 1 ($i ≥ $count)) …step… ($i += 16) (br 0) end end`. */
  const loop = (i: number, count: number, step: number[]) => [
    ...get(count), 0x41, 2, 0x74, ...set(count),
    0x02, 0x40, 0x03, 0x40,
    ...get(i), ...get(count), 0x4f, 0x0d, 1,
    ...step,
    ...get(i), 0x41, 16, 0x6a, ...set(i),
    0x0c, 0,
    0x0b, 0x0b,
  ]; // prettier-ignore
  const adam = (() => {
    // Parameters 0–6 pointers, 7 count, 8–15 the constants; locals 16 $i, 17–24 splats, 25–27 $g4 $m4 $v4.
    const [i, splats, g4, m4, v4] = [16, 17, 25, 26, 27];
    const at = (pointer: number) => [...get(pointer), ...get(i), 0x6a];
    return [
      2, 1, I32, 11, V128,
      ...[0, 1, 2, 3, 4, 5, 6, 7].flatMap((k) => [...get(8 + k), ...splat!, ...set(splats + k)]),
      ...loop(i, 7, [
        ...at(1), ...load, ...set(g4),
        ...at(2), ...load, ...get(splats), ...mul!, ...get(g4), ...get(splats + 2), ...mul!, ...add!, ...set(m4),
        ...at(3), ...load, ...get(splats + 1), ...mul!,
        ...get(g4), ...get(g4), ...mul!, ...get(splats + 3), ...mul!, ...add!, ...set(v4),
        ...at(5), ...get(m4), ...store,
        ...at(6), ...get(v4), ...store,
        ...at(4),
        ...get(m4), ...get(splats + 4), ...div!,
        ...get(v4), ...get(splats + 5), ...div!, ...sqrt!, ...get(splats + 6), ...add!,
        ...div!, ...get(splats + 7), ...mul!,
        ...at(0), ...load, ...add!,
        ...store,
      ]),
      0x0b,
    ]; // prettier-ignore
  })();
  const affine = (() => {
    // Parameters 0 $x, 1 $y, 2 count, 3 $a, 4 $b; locals 5 $i, 6–7 splats of $a and $b.
    const [i, a4, b4] = [5, 6, 7];
    const at = (pointer: number) => [...get(pointer), ...get(i), 0x6a];
    return [
      2, 1, I32, 2, V128,
      ...get(3), ...splat!, ...set(a4), ...get(4), ...splat!, ...set(b4),
      ...loop(i, 2, [...at(1), ...at(0), ...load, ...get(a4), ...mul!, ...get(b4), ...add!, ...store]),
      0x0b,
    ]; // prettier-ignore
  })();
  const tanhGrad = (() => {
    // Parameters 0 $y, 1 $dy, 2 $out, 3 count; locals 4 $i, 5 $one4. f32.const 1.0 is 0x3f800000.
    const [i, one4] = [4, 5];
    const at = (pointer: number) => [...get(pointer), ...get(i), 0x6a];
    return [
      2, 1, I32, 1, V128,
      0x43, 0x00, 0x00, 0x80, 0x3f, ...splat!, ...set(one4),
      ...loop(i, 3, [
        ...at(2),
        ...get(one4), ...at(0), ...load, ...at(0), ...load, ...mul!, ...sub!,
        ...at(1), ...load, ...mul!,
        ...store,
      ]),
      0x0b,
    ]; // prettier-ignore
  })();
  const transpose = (() => {
    // Parameters 0 $src, 1 $dst, 2 rows, 3 columns, 4 width, 5 height; locals 6 $i, 7 $j, 8 $rowBytes,
    // 9 $columnBytes, 10 $s, 11 $d, 12–15 rows $r0–$r3 of a 4×4 block, 16–19 $t0–$t3 pairs of them.
    const [i, j, rowBytes, columnBytes, source, target, r0, t0] = [6, 7, 8, 9, 10, 11, 12, 16];
    const shuffle = (lanes: number[]) => [
      0xfd,
      0x0d,
      ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3]),
    ];
    // Lanes 0–3 are the first operand's floats, 4–7 the second's.
    const [interleaveLow, interleaveHigh, lowHalves, highHalves] = [
      [0, 4, 1, 5],
      [2, 6, 3, 7],
      [0, 1, 4, 5],
      [2, 3, 6, 7],
    ];
    const times = (local: number, k: number) => (k === 0 ? [0x41, 0] : [...get(local), 0x41, k, 0x6c]);
    const at = (base: number, stride: number, k: number) => [...get(base), ...times(stride, k), 0x6a];
    return [
      2, 6, I32, 8, V128,
      ...get(4), 0x41, 2, 0x74, ...set(rowBytes),
      ...get(5), 0x41, 2, 0x74, ...set(columnBytes),
      0x02, 0x40, 0x03, 0x40,
      ...get(i), ...get(2), 0x4f, 0x0d, 1,
      0x41, 0, ...set(j),
      0x02, 0x40, 0x03, 0x40,
      ...get(j), ...get(3), 0x4f, 0x0d, 1,
      // $s ← $src + $i·$rowBytes + 4·$j; the block's rows, then their interleavings.
      ...get(0), ...get(i), ...get(rowBytes), 0x6c, 0x6a, ...get(j), 0x41, 2, 0x74, 0x6a, ...set(source),
      ...[0, 1, 2, 3].flatMap((k) => [...at(source, rowBytes, k), ...load, ...set(r0 + k)]),
      ...get(r0), ...get(r0 + 1), ...shuffle(interleaveLow), ...set(t0),
      ...get(r0), ...get(r0 + 1), ...shuffle(interleaveHigh), ...set(t0 + 1),
      ...get(r0 + 2), ...get(r0 + 3), ...shuffle(interleaveLow), ...set(t0 + 2),
      ...get(r0 + 2), ...get(r0 + 3), ...shuffle(interleaveHigh), ...set(t0 + 3),
      // $d ← $dst + $j·$columnBytes + 4·$i; column k of the block becomes row k.
      ...get(1), ...get(j), ...get(columnBytes), 0x6c, 0x6a, ...get(i), 0x41, 2, 0x74, 0x6a, ...set(target),
      ...at(target, columnBytes, 0), ...get(t0), ...get(t0 + 2), ...shuffle(lowHalves), ...store,
      ...at(target, columnBytes, 1), ...get(t0), ...get(t0 + 2), ...shuffle(highHalves), ...store,
      ...at(target, columnBytes, 2), ...get(t0 + 1), ...get(t0 + 3), ...shuffle(lowHalves), ...store,
      ...at(target, columnBytes, 3), ...get(t0 + 1), ...get(t0 + 3), ...shuffle(highHalves), ...store,
      ...get(j), 0x41, 4, 0x6a, ...set(j),
      0x0c, 0,
      0x0b, 0x0b,
      ...get(i), 0x41, 4, 0x6a, ...set(i),
      0x0c, 0,
      0x0b, 0x0b,
      0x0b,
    ]; // prettier-ignore
  })();
  const section = (id: number, content: number[]) => [id, ...unsignedLeb(content.length), ...content];
  const name = (text: string) => [text.length, ...[...text].map((c) => c.charCodeAt(0))];
  const code = (body: number[]) => [...unsignedLeb(body.length), ...body];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [
      4,
      0x60, 16, ...Array<number>(8).fill(I32), ...Array<number>(8).fill(F32), 0,
      0x60, 5, I32, I32, I32, F32, F32, 0,
      0x60, 4, I32, I32, I32, I32, 0,
      0x60, 6, I32, I32, I32, I32, I32, I32, 0,
    ]),
    // The memory import: limits flag 0 (minimum 0, no maximum), or for a shared memory flag 3 with
    // the maximum that memory declares (65,536 pages, 4 GiB, in the threaded build).
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, ...(sharedMemory ? [0x03, 0x00, ...unsignedLeb(65536)] : [0x00, 0x00])]),
    ...section(3, [4, 0, 1, 2, 3]),
    ...section(7, [4, ...name('adam'), 0x00, 0, ...name('affine'), 0x00, 1, ...name('tanhGrad'), 0x00, 2, ...name('transpose'), 0x00, 3]),
    ...section(10, [4, ...code(adam), ...code(affine), ...code(tanhGrad), ...code(transpose)]),
  ]); // prettier-ignore
}

function unsignedLeb(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}
