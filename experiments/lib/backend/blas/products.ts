/**
 * The wasm backend's float32 matrix products and bias-gradient sums on a loaded BLAS (./openblas.ts):
 * wrappers of wasm's BatchMatMul, _FusedMatMul and Sum kernels that, while `nativeProducts.blas` is
 * set, compute on the wasm heap in place through `sgemm` and `sgemv`, and otherwise call the kernel
 * they wrap (../wasm/kernels registers them).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { WasmKernel } from '../wasm/kernel.ts';
import { nativeProducts, type Blas } from './openblas.ts';

/**
 * Wraps wasm's BatchMatMul: with `nativeProducts.blas` set, a float32 product (single or batched,
 * either side broadcast over the batch) is one `sgemm` per matrix, transposes included, written
 * straight into the output on the wasm heap. Anything else goes to `kernel`.
 */
export function blasBatchMatMul(kernel: WasmKernel): WasmKernel {
  return (args) => {
    const blas = nativeProducts.blas;
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const product = blas === undefined ? undefined : blasProduct(blas, args, a, b);
    return product ?? kernel(args);
  };
}

/**
 * Wraps wasm's _FusedMatMul (a product, optionally plus a bias and through an activation) the same
 * way for the activations Dense layers here use, linear and relu, with a bias of one value per
 * output column (or none): the bias is written into the output's rows first and `sgemm` adds the
 * product to it, then relu clamps. Other activations, PReLU weights and other bias shapes go to `kernel`.
 */
export function blasFusedMatMul(kernel: WasmKernel): WasmKernel {
  return (args) => {
    const blas = nativeProducts.blas;
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const activation = (args.attrs?.activation as string | undefined) ?? 'linear';
    if (
      blas === undefined ||
      preluActivationWeights !== undefined ||
      (activation !== 'linear' && activation !== 'relu')
    )
      return kernel(args);
    const out = blasProduct(blas, args, a!, b!, bias);
    if (out === undefined) return kernel(args);
    if (activation === 'relu') {
      const values = args.backend.typedArrayFromHeap(out) as Float32Array;
      for (let i = 0; i < values.length; i++) if (values[i]! < 0) values[i] = 0;
    }
    return out;
  };
}

/**
 * Wraps wasm's Sum: with `nativeProducts.blas` set, a float32 sum over every axis but the last (a
 * bias gradient: a Dense layer's dy summed over the batch, a convolution's over batch, rows and
 * columns) is one `sgemv` of the values, seen as a rows × channels matrix, with a vector of ones.
 * wasm's own Sum first transposes the reduced axes innermost (for LeNet-5's conv1, 221,184 values).
 * Other reductions go to `kernel`.
 */
export function blasColumnSums(kernel: WasmKernel): WasmKernel {
  return (args) => {
    const blas = nativeProducts.blas;
    const { x } = args.inputs as { x: tf.TensorInfo };
    const rank = x.shape.length;
    if (blas === undefined || x.dtype !== 'float32' || rank < 2) return kernel(args);
    const axis = args.attrs?.axis as number | number[] | undefined;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis ?? -1]).map((a) => (a < 0 ? a + rank : a)))];
    if (axes.length !== rank - 1 || axes.some((a) => a < 0 || a > rank - 2)) return kernel(args);
    const columns = x.shape[rank - 1]!;
    const rows = tf.util.sizeFromShape(x.shape.slice(0, -1));
    const out = args.backend.makeOutput(
      args.attrs?.keepDims ? [...Array(rank - 1).fill(1), columns] : [columns],
      'float32',
    );
    const values = args.backend.typedArrayFromHeap(x) as Float32Array;
    const sums = args.backend.typedArrayFromHeap(out) as Float32Array;
    if (rows * columns === 0) sums.fill(0);
    else blas.sgemv(true, rows, columns, 1, values, columns, onesOf(rows), 0, sums);
    return out;
  };
}

let ones = new Float32Array(0);

/** A vector of at least `length` ones (kept and grown), for sums as products. */
function onesOf(length: number): Float32Array {
  if (ones.length < length) ones = new Float32Array(length).fill(1);
  return ones.subarray(0, length);
}

/**
 * a·b (attrs `transposeA`/`transposeB` as tfjs's BatchMatMul) into a new output, through `sgemm`, or
 * undefined when the operands are not float32, their batch shapes differ with neither a single
 * matrix, or a bias is given whose size is not the product's column count. With a bias, each
 * output row starts as the bias and the product is added to it.
 */
function blasProduct(
  blas: Blas,
  { backend, attrs }: { backend: BackendWasm; attrs?: tf.NamedAttrMap },
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  bias?: tf.TensorInfo,
): tf.TensorInfo | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2)
    return undefined;
  const transposeA = Boolean(attrs?.transposeA);
  const transposeB = Boolean(attrs?.transposeB);
  const outerA = a.shape.slice(0, -2);
  const outerB = b.shape.slice(0, -2);
  const batchA = tf.util.sizeFromShape(outerA);
  const batchB = tf.util.sizeFromShape(outerB);
  const sameOuter = outerA.length === outerB.length && outerA.every((size, i) => size === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = a.shape[rankA - (transposeA ? 1 : 2)]!;
  const k = a.shape[rankA - (transposeA ? 2 : 1)]!;
  const n = b.shape[rankB - (transposeB ? 2 : 1)]!;
  if (b.shape[rankB - (transposeB ? 1 : 2)] !== k) return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || tf.util.sizeFromShape(bias.shape) !== n))
    return undefined;
  // The broadcast batch shape, e.g. [1, 1] with [3] → [1, 3]: as tfjs's, with one side all ones or both equal.
  const rank = Math.max(outerA.length, outerB.length);
  const outer = Array.from({ length: rank }, (_, i) =>
    Math.max(outerA[outerA.length - rank + i] ?? 1, outerB[outerB.length - rank + i] ?? 1),
  );
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...outer, m, n], 'float32');
  if (m * n === 0) return out;
  // Views are taken after makeOutput, which may grow (and so replace) the wasm memory.
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const ov = backend.typedArrayFromHeap(out) as Float32Array;
  if (bias !== undefined) {
    const biasValues = backend.typedArrayFromHeap(bias) as Float32Array;
    for (let row = 0; row < batch * m; row++) ov.set(biasValues, row * n);
  } else if (k === 0) {
    ov.fill(0);
    return out;
  }
  const matrixA = m * k;
  const matrixB = k * n;
  for (let i = 0; i < batch; i++) {
    if (m === 1) {
      // A row vector times B: sgemm would pack all of B first; sgemv streams it once (op(B)ᵀ·x).
      const offsetB = batchB === 1 ? 0 : i * matrixB;
      blas.sgemv(
        !transposeB,
        transposeB ? n : k,
        transposeB ? k : n,
        1,
        bv.subarray(offsetB, offsetB + matrixB),
        transposeB ? k : n,
        av.subarray(batchA === 1 ? 0 : i * k, (batchA === 1 ? 0 : i * k) + k),
        bias === undefined ? 0 : 1,
        ov.subarray(i * n, (i + 1) * n),
      );
      continue;
    }
    const offsetA = batchA === 1 ? 0 : i * matrixA;
    const offsetB = batchB === 1 ? 0 : i * matrixB;
    blas.sgemm(
      transposeA,
      transposeB,
      m,
      n,
      k,
      1,
      av.subarray(offsetA, offsetA + matrixA),
      transposeA ? m : k,
      bv.subarray(offsetB, offsetB + matrixB),
      transposeB ? k : n,
      bias === undefined ? 0 : 1,
      ov.subarray(i * m * n, (i + 1) * m * n),
      n,
    );
  }
  return out;
}
