/**
 * AdamUpdate (engine/kernel-names.ts; no tfjs kernel of that name exists): one Adam step for one
 * variable in a single pass, where tf.train.adam runs eleven element-wise kernels, each a pass over
 * the weights and a kernel call's overhead. engine/train.ts runs it, on a backend that has it, in
 * place of the optimizer's own `applyGradients`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { ADAM_UPDATE, type AdamUpdateAttrs } from '../../../engine/kernel-names.ts';
import type { WasmKernelConfig } from '../kernel.ts';
import { adamConstants } from '../adam-constants.ts';
import { forgetPackedCopies } from '../heap.ts';
import { simdModule } from '../simd/functions.ts';

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
 * Each of w', m', v' is written over w, m, v in place when no other tensor shares that data
 * (`outputFor`): each element is read before it is written, so the values are the same, and the
 * step streams over three buffers fewer (fresh ones cost a read for every line written; for MLP-1's
 * 3.2 MB first layer that is 10 MB a step).
 */
export const adamUpdate = ({
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
  const newValue = outputFor(backend, value!, gradient!);
  const newFirst = outputFor(backend, firstMoment!, gradient!);
  const newSecond = outputFor(backend, secondMoment!, gradient!);
  // Views on the wasm heap are taken after the allocations above, which may grow (and detach) it.
  const w = backend.typedArrayFromHeap(value!) as Float32Array;
  const g = backend.typedArrayFromHeap(gradient!) as Float32Array;
  const m = backend.typedArrayFromHeap(firstMoment!) as Float32Array;
  const v = backend.typedArrayFromHeap(secondMoment!) as Float32Array;
  const wOut = backend.typedArrayFromHeap(newValue) as Float32Array;
  const mOut = backend.typedArrayFromHeap(newFirst) as Float32Array;
  const vOut = backend.typedArrayFromHeap(newSecond) as Float32Array;
  const constants = adamConstants(
    { learningRate, beta1, beta2, epsilon },
    (backend.typedArrayFromHeap(accBeta1!) as Float32Array)[0]!,
    (backend.typedArrayFromHeap(accBeta2!) as Float32Array)[0]!,
  );
  const [b1, b2, oneMinusB1, oneMinusB2, oneMinusAccB1, oneMinusAccB2, eps, minusRate] = constants as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
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
      ...constants,
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
  for (const [output, input] of [
    [newValue, value!],
    [newFirst, firstMoment!],
    [newSecond, secondMoment!],
  ] as const)
    if (output.dataId === input.dataId) forgetPackedCopies(backend, input);
  return [newValue, newFirst, newSecond];
};

/**
 * The output that replaces `input`: its own data, shared (its reference count raised, as wasm's
 * Reshape does) when the input is its only holder and is not the gradient, so the caller, which
 * assigns the output to the input's variable, cannot observe the old values; otherwise a new buffer.
 */
function outputFor(backend: BackendWasm, input: tf.TensorInfo, gradient: tf.TensorInfo): tf.TensorInfo {
  if (!inPlaceUpdates.enabled || input.dataId === gradient.dataId || backend.refCount(input.dataId) !== 1)
    return backend.makeOutput(input.shape, 'float32');
  backend.incRef(input.dataId);
  return { dataId: input.dataId, shape: input.shape, dtype: 'float32' };
}

/** Turned off, every update writes new buffers: the reference the in-place path is tested against. */
export const inPlaceUpdates = { enabled: true };

export const adamUpdateConfig: WasmKernelConfig = {
  kernelName: ADAM_UPDATE,
  build: () => adamUpdate as unknown as ReturnType<WasmKernelConfig['build']>,
};
