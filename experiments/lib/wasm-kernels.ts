/**
 * Kernels the wasm backend (@tensorflow/tfjs-backend-wasm 4.22) lacks or runs slowly, registered over
 * its own: `registerWasmKernels()` is called once before training on wasm.
 *
 * - `Conv2DBackpropFilter` is missing, so training any convolutional model throws
 *   "Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'". It is added here as im2col
 *   followed by one plain matrix product, the form wasm runs through XNNPACK.
 * - `Conv2DBackpropInput` exists but runs a naive loop (about 1.9 GFLOP/s, 40% of a LeNet-5
 *   training step). With stride 1 it is replaced by wasm's (XNNPACK) Conv2D of the output gradient
 *   with the flipped filter; with larger strides by one plain matrix product followed by col2im,
 *   the mirror image of the filter gradient.
 * - `BatchMatMul` and `_FusedMatMul` reach XNNPACK only for a single, untransposed product; with
 *   `transposeA`/`transposeB` set wasm falls back to a naive loop about ten times slower
 *   (1.1–2.9 against 25 GFLOP/s for 512×512×512 here). Backpropagation through Dense layers
 *   multiplies by transposed matrices, so the wrappers below transpose the operands explicitly with
 *   wasm's Transpose kernel and call the original kernel untransposed.
 *
 * Every intermediate is released through the backend, so a kernel call leaves no data behind.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const BACKEND = 'wasm';

/** A kernel function as the wrappers below call it: always one output, on the wasm backend. */
type WasmKernel = (args: {
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
  const batchMatMul = originalKernel(tf.BatchMatMul);
  const fusedMatMul = originalKernel(tf._FusedMatMul);
  const transpose = originalKernel(tf.Transpose).kernelFunc as unknown as WasmKernel;
  const plainMatMul = batchMatMul.kernelFunc as unknown as WasmKernel;
  const conv2d = originalKernel(tf.Conv2D).kernelFunc as unknown as WasmKernel;

  replaceKernel(batchMatMul, matMulWithoutTransposes(plainMatMul, transpose));
  replaceKernel(
    fusedMatMul,
    matMulWithoutTransposes(fusedMatMul.kernelFunc as unknown as WasmKernel, transpose),
  );
  const backpropInput = originalKernel(tf.Conv2DBackpropInput);
  replaceKernel(
    backpropInput,
    conv2dBackpropInput(plainMatMul, transpose, conv2d, backpropInput.kernelFunc as unknown as WasmKernel),
  );
  if (tf.getKernel(tf.Conv2DBackpropFilter, BACKEND) === undefined) {
    tf.registerKernel({
      kernelName: tf.Conv2DBackpropFilter,
      backendName: BACKEND,
      kernelFunc: conv2dBackpropFilter(plainMatMul, transpose, conv2d) as unknown as tf.KernelFunc,
    });
  }
  registered = true;
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

/** How many matrices a tensor holds: the product of all but its last two dimensions. */
function batchSize(x: tf.TensorInfo): number {
  return x.shape.slice(0, -2).reduce((product, size) => product * size, 1);
}

/**
 * dW[kh, kw, ci, co] = Σ over n, oh, ow of x[n, oh·sh + kh − top, ow·sw + kw − left, ci] · dy[n, oh, ow, co].
 * With stride 1 that is a convolution (XNNPACK's) in which the batch and channel axes trade places:
 * x as `[ci, h, w, n]` (ci images of n channels) convolved with dy as `[oh, ow, n, co]`, the same
 * padding, gives dW as `[ci, kh, kw, co]`. Otherwise the input patches are laid out as a `[kh·kw·ci, n·oh·ow]` matrix (im2col, zeros where the window
 * reaches into the padding) so that dW is that matrix times dy seen as `[n·oh·ow, co]`, with no
 * transpose; the product's row-major layout is already the filter's `[kh, kw, ci, co]`.
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
