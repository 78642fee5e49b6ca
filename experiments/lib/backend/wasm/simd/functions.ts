/**
 * The element-wise SIMD functions (./simd.wat, assembled in ./module.ts) instantiated on the wasm
 * backend's own memory, so they read and write its tensors in place. tfjs-backend-wasm has no such
 * kernels, and JavaScript loops over the heap manage about 1 ns per element where SIMD does four.
 */
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { SIMD_MODULE_BASE64 } from './module.ts';

/** The module's functions; pointers are byte offsets into the wasm heap, counts multiples of 4. */
export interface SimdFunctions {
  /** adam(w, g, m, v, wOut, mOut, vOut, count, ...../adam-constants.ts). */
  adam(...args: number[]): void;
  /**
   * adamRank1(w, m, v, x, rows, dy, columns, ...adamConstants, ...adamRank1Bounds (../adam-constants.ts)): adam's
   * update in place of a rows × columns weight matrix whose gradient is x·dyᵀ (a dense layer at batch 1).
   */
  adamRank1(...args: number[]): void;
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
  /**
   * im2col(x, patches, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight,
   * filterWidth, strideHeight, strideWidth): the unpadded NHWC batch x as the
   * [batch·outHeight·outWidth, filterHeight·filterWidth·channels] matrix of its patches (copies only).
   */
  im2col(...args: number[]): void;
  /**
   * im2colColumns(x, patches, batch, inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth,
   * strideHeight): im2col's matrix transposed, [filterHeight·filterWidth, positions], for a batch of one
   * channel convolved with a horizontal stride of 1 (copies only).
   */
  im2colColumns(...args: number[]): void;
  /**
   * col2im(patches, dx, …the same shape arguments): adds every row of patches into the zeroed NHWC dx
   * where im2col takes it from, each element's terms in the order of the output positions.
   */
  col2im(...args: number[]): void;
  /**
   * avgPoolGrad(dy, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, filterHeight,
   * filterWidth, scale): every pixel of each tiling window of dx receives that window's dy·scale.
   */
  avgPoolGrad(...args: number[]): void;
  /**
   * avgPool2x2(x, out, batch, inHeight, inWidth, channels, outHeight, outWidth, scale): a 2×2 average
   * pool with stride 2 and no padding, summed in XNNPACK's order (the two columns' pairs, then their sum).
   */
  avgPool2x2(...args: number[]): void;
}

const instances = new WeakMap<WebAssembly.Memory, SimdFunctions | null>();

/**
 * Whether the SIMD functions run on `backend`'s memory (the single-threaded build's own, or the
 * threaded build's shared one); without them the same kernels run in JavaScript, with the same values.
 */
export function simdFunctionsLoad(backend: BackendWasm): boolean {
  return simdModule(backend) !== undefined;
}

/**
 * The SIMD functions instantiated on `backend`'s wasm memory (once per memory), or undefined where
 * that memory is not reachable or WebAssembly SIMD is missing.
 */
export function simdModule(backend: BackendWasm): SimdFunctions | undefined {
  // The single-threaded build exports its memory; the threaded one imports it (../threads.ts).
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  if (!(memory instanceof WebAssembly.Memory)) return undefined;
  let functions = instances.get(memory);
  if (functions === undefined) {
    try {
      const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
      const bytes = Buffer.from(shared ? SIMD_MODULE_BASE64.shared : SIMD_MODULE_BASE64.unshared, 'base64');
      const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
      functions = instance.exports as unknown as SimdFunctions;
    } catch {
      functions = null;
    }
    instances.set(memory, functions);
  }
  return functions ?? undefined;
}
