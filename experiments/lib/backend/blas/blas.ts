/**
 * The system's OpenBLAS, called through the koffi FFI, for the wasm backend's matrix products and
 * bias-gradient sums (the BatchMatMul, _FusedMatMul and Sum kernels ./wasm-kernels.ts registers).
 *
 * XNNPACK inside tfjs-backend-wasm is limited to one thread of WebAssembly's 128-bit SIMD (about
 * 30 GFLOP/s here) and repacks an operand on every call; OpenBLAS's `cblas_sgemm` runs the same
 * products at about 90 GFLOP/s on this machine (AVX2 kernels, one thread), reading and writing the
 * wasm heap in place: the operands are Float32Array views of the wasm memory, which koffi hands to C
 * as pointers. Loaded only when present (Debian: `libopenblas0`); without it the products stay on
 * XNNPACK. Hand-written because no package offers BLAS over typed arrays without a native build;
 * koffi ships prebuilt binaries, so nothing is compiled or downloaded at install time.
 */
import { createRequire } from 'node:module';
import type * as tf from '@tensorflow/tfjs';
import type * as Koffi from 'koffi';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { firstLine } from '../../contract/errors.ts';
import type { WasmKernel } from '../wasm/kernels.ts';

/** Row-major C = alpha·op(A)·op(B) + beta·C, op(X) = X or Xᵀ, as BLAS defines `sgemm`. */
export type Sgemm = (
  transposeA: boolean,
  transposeB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  b: Float32Array,
  ldb: number,
  beta: number,
  c: Float32Array,
  ldc: number,
) => void;

/** Row-major y = alpha·op(A)·x + beta·y over an m×n matrix A, as BLAS defines `sgemv` (unit strides). */
export type Sgemv = (
  transposeA: boolean,
  m: number,
  n: number,
  alpha: number,
  a: Float32Array,
  lda: number,
  x: Float32Array,
  beta: number,
  y: Float32Array,
) => void;

/** A loaded BLAS. e.g. `{ description: 'OpenBLAS 0.3.21 NO_LAPACKE DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64', sgemm, sgemv }` */
export interface Blas {
  /** The library's own build description, for results' provenance. */
  description: string;
  sgemm: Sgemm;
  sgemv: Sgemv;
}

/** Shared-library names tried in order (Linux, then macOS). */
const LIBRARY_NAMES = ['libopenblas.so.0', 'libopenblas.so', 'libopenblas.dylib'];

// CBLAS enum values (cblas.h).
const ROW_MAJOR = 101;
const NO_TRANS = 111;
const TRANS = 112;

const require = createRequire(import.meta.url);

let loaded: Blas | Error | undefined;

/**
 * OpenBLAS, or an Error saying why it cannot be loaded (koffi or the library missing); opened once
 * per process. It runs on one thread whatever `--threads` says: with two, OpenBLAS's threaded
 * products sum in another order than its single-threaded ones (training would then depend on the
 * thread count), and on this 2-core machine its second thread competed with the wasm pool's and
 * made a step slower, not faster (MLP-5 8.9 against 4.2 ms).
 */
export function loadBlas(): Blas | Error {
  loaded ??= openLibrary();
  return loaded;
}

function openLibrary(): Blas | Error {
  let koffi: typeof Koffi;
  try {
    koffi = require('koffi') as typeof Koffi;
  } catch (error) {
    return new Error(`koffi cannot be loaded: ${firstLine(error)}`);
  }
  const failures: string[] = [];
  for (const name of LIBRARY_NAMES) {
    try {
      const handle = koffi.load(name);
      const sgemm = handle.func(
        'void cblas_sgemm(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda, const float *b, int ldb, float beta, _Inout_ float *c, int ldc)',
      );
      const sgemv = handle.func(
        'void cblas_sgemv(int order, int transA, int m, int n, float alpha, const float *a, int lda, const float *x, int incX, float beta, _Inout_ float *y, int incY)',
      );
      const setNumThreads = handle.func('void openblas_set_num_threads(int threads)');
      const getConfig = handle.func('const char *openblas_get_config()');
      setNumThreads(1);
      return {
        description: String(getConfig()),
        sgemm: (transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) =>
          sgemm(
            ROW_MAJOR,
            transposeA ? TRANS : NO_TRANS,
            transposeB ? TRANS : NO_TRANS,
            m,
            n,
            k,
            alpha,
            a,
            lda,
            b,
            ldb,
            beta,
            c,
            ldc,
          ),
        sgemv: (transposeA, m, n, alpha, a, lda, x, beta, y) =>
          sgemv(ROW_MAJOR, transposeA ? TRANS : NO_TRANS, m, n, alpha, a, lda, x, 1, beta, y, 1),
      };
    } catch (error) {
      failures.push(`${name}: ${firstLine(error)}`);
    }
  }
  return new Error(`OpenBLAS cannot be loaded (${failures.join('; ')})`);
}

/**
 * The BLAS the wasm backend's BatchMatMul and _FusedMatMul kernels hand their float32 products to,
 * or undefined for XNNPACK. Set by ./backend.ts when it starts wasm; tests switch it.
 */
export const nativeProducts: { blas: Blas | undefined } = { blas: undefined };

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
    const rows = x.shape.slice(0, -1).reduce((product, size) => product * size, 1);
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
  const batchA = outerA.reduce((product, size) => product * size, 1);
  const batchB = outerB.reduce((product, size) => product * size, 1);
  const sameOuter = outerA.length === outerB.length && outerA.every((size, i) => size === outerB[i]);
  if (!sameOuter && batchA !== 1 && batchB !== 1) return undefined;
  const rankA = a.shape.length;
  const rankB = b.shape.length;
  const m = a.shape[rankA - (transposeA ? 1 : 2)]!;
  const k = a.shape[rankA - (transposeA ? 2 : 1)]!;
  const n = b.shape[rankB - (transposeB ? 2 : 1)]!;
  if (b.shape[rankB - (transposeB ? 1 : 2)] !== k) return undefined;
  if (bias !== undefined && (bias.dtype !== 'float32' || bias.shape.reduce((p, s) => p * s, 1) !== n))
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
