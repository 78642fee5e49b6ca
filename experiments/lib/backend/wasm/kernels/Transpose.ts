/**
 * Transpose, for swapping the two axes of a float32 matrix (what the matrix-product kernels need): a
 * SIMD copy of 4×4 blocks on the wasm heap, the edges as a cache-blocked copy in JavaScript. wasm's
 * generic kernel computes every element's coordinates and manages about 12 ns per element, the
 * JavaScript copy about 1–2, the SIMD one about a quarter of that. Every other permutation goes to
 * wasm's own kernel.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';
import { simdModule } from '../simd/functions.ts';

const BLOCK = 32;

/** Wraps wasm's Transpose (`original`) as described above. */
export function blockedTranspose(original: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const perm = (args.attrs?.perm ?? []) as number[];
    const rank = x.shape.length;
    const leading = tf.util.sizeFromShape(x.shape.slice(0, -2));
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

export const transposeConfig: WasmKernelConfig = {
  kernelName: tf.Transpose,
  build: ({ own }) => blockedTranspose(own(tf.Transpose)),
};
