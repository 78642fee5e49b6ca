/**
 * Rearrangements of single float32 matrix products that the BatchMatMul and _FusedMatMul kernels
 * (./kernels) apply on the path without OpenBLAS, so that their products reach XNNPACK in the form it
 * runs fast. Each computes every element as the same sum over the same terms in the same order as
 * the product asked for, so the values are the same (tests/backend/wasm/products.test.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { batchSize, type WasmKernel, type WasmKernelArgs } from './kernel.ts';

/**
 * Wraps a BatchMatMul-style kernel (inputs `a`, `b` and optional extras; attrs `transposeA`,
 * `transposeB`) so that a single product reaches the wrapped kernel with untransposed operands.
 * Batched products (more than one matrix on either side) are passed through unchanged: wasm runs
 * them in its naive loop either way, and splitting them into single XNNPACK products measured
 * slower for small matrices, since XNNPACK builds and packs an operator per product.
 */
export function matMulWithoutTransposes(kernel: WasmKernel, transpose: WasmKernel): WasmKernel {
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
 * (tests/backend/wasm/products.test.ts).
 */
export function packSmallerOperand(kernel: WasmKernel, transpose: WasmKernel): WasmKernel {
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
  args: WasmKernelArgs,
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
  const sizeA = tf.util.sizeFromShape([...shapeA]);
  const sizeB = tf.util.sizeFromShape([...shapeB]);
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
export function narrowProductsInJs(kernel: WasmKernel): WasmKernel {
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
