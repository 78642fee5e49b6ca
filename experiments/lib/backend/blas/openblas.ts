/**
 * The system's OpenBLAS, called through the koffi FFI, for the wasm backend's matrix products and
 * bias-gradient sums (the BatchMatMul, _FusedMatMul and Sum kernels of ../wasm/kernels, through ./products.ts).
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
import type * as Koffi from 'koffi';
import { firstLine } from '../../contract/errors.ts';

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
 * or undefined for XNNPACK. Set by ../select.ts when it starts wasm; tests switch it.
 */
export const nativeProducts: { blas: Blas | undefined } = { blas: undefined };
