/**
 * Helpers on the wasm heap that several kernels share: element-wise work four floats at a time by the
 * SIMD module (./simd), the rest (or all, without it) in JavaScript with the same float32 roundings;
 * and the bookkeeping for tensors written in place.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { simdModule } from './simd/functions.ts';

/**
 * output = a·input + b element by element (float32, one shape; `output` may be `input`), each
 * product and sum rounded to float32.
 */
export function affine(
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

/** The fields of tfjs-backend-wasm 4.22's BackendWasm read here; not in its public typings. */
interface WasmInternals {
  dataIdMap: { get(dataId: object): { id: number; memoryOffset: number } };
  wasm: {
    tfjs: { disposeData(id: number): void; registerTensor(id: number, size: number, offset: number): void };
  };
}

/**
 * Makes the wasm backend's C++ side forget what it derived from `tensor`'s old values. XNNPACK
 * operators are cached by the id of their filter and bias (convolutions and fully connected
 * layers pack those once, when the operator is created), and a tensor's cached operators are
 * dropped only when that id is disposed; an update written in place keeps the id, so without this
 * a convolution would go on computing with its first step's weights (LeNet-5 then trained to 93%
 * instead of 97.7%). Disposing the id on the C++ side runs those disposal callbacks without
 * freeing the memory, which the JavaScript side owns; registering it again at the same address
 * leaves the tensor as it was, values included.
 */
export function forgetPackedCopies(backend: BackendWasm, tensor: tf.TensorInfo): void {
  const internals = backend as unknown as WasmInternals;
  const { id, memoryOffset } = internals.dataIdMap.get(tensor.dataId);
  internals.wasm.tfjs.disposeData(id);
  internals.wasm.tfjs.registerTensor(id, tf.util.sizeFromShape(tensor.shape), memoryOffset);
}
