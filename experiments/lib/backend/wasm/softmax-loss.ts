/**
 * The softmax cross-entropy of one image's logits and its gradient, as tfjs-core 4.22's
 * `tf.losses.softmaxCrossEntropy` computes them on the wasm backend for a batch of one, operation for
 * operation, for the fused training step (./dense-step.ts):
 *   lse = max + log(Σ exp(z − max)), r = z − lse, loss = −r[label] (the mean over one image),
 *   ∂loss/∂z = exp(r) − onehot(label),
 * each operation rounded to float32 as wasm's kernels round it. exp and log are not JavaScript's
 * (Math.exp rounded to float32 differs from the C library's expf in about one value in 1,600): they
 * are wasm's own Exp and Log functions, called on the heap without tfjs's dispatch. Max, Sub, Add and
 * the sum (in order, from the first class) are exact float32 operations, computed here.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** The fields of tfjs-backend-wasm 4.22's BackendWasm used here; not in its public typings. */
interface WasmModule {
  dataIdMap: { get(dataId: object): { id: number } };
  wasm: { cwrap(name: string, result: null, args: string[]): (...args: number[]) => void };
}

/** wasm's CppDType for float32 (tfjs-backend-wasm's kernels/types.ts). */
const FLOAT32 = 0;

export interface SoftmaxLoss {
  /**
   * The loss of `logits` (a view of `classes` floats) for `label`, with its gradient written to
   * `gradient`; `predicted` is the first class of the highest logit (tf.argMax's).
   */
  run(logits: Float32Array, label: number, gradient: Float32Array): { loss: number; predicted: number };
  dispose(): void;
}

export function softmaxLoss(backend: BackendWasm, classes: number): SoftmaxLoss {
  const module = backend as unknown as WasmModule;
  const exp = module.wasm.cwrap('Exp', null, ['number', 'number', 'number']);
  const log = module.wasm.cwrap('Log', null, ['number', 'number', 'number']);
  const tensors = [classes, classes, 1, 1].map((size) => backend.makeOutput([size], 'float32'));
  const ids = tensors.map((tensor) => module.dataIdMap.get(tensor.dataId).id);
  const [expIn, expOut, logIn, logOut] = ids as [number, number, number, number];
  // Views are taken on each call: other kernels may grow (and so replace) the wasm memory.
  const view = (k: number) => backend.typedArrayFromHeap(tensors[k]!) as Float32Array;
  const f = Math.fround;
  return {
    run(logits, label, gradient) {
      let max = logits[0]!;
      let predicted = 0;
      for (let c = 1; c < classes; c++)
        if (logits[c]! > max) {
          max = logits[c]!;
          predicted = c;
        }
      const shifted = view(0);
      for (let c = 0; c < classes; c++) shifted[c] = f(logits[c]! - max);
      exp(expIn, FLOAT32, expOut);
      const exps = view(1);
      let sum = 0;
      for (let c = 0; c < classes; c++) sum = f(sum + exps[c]!);
      view(2)[0] = sum;
      log(logIn, FLOAT32, logOut);
      const logSumExp = f(max + view(3)[0]!);
      const logProbabilities = view(0);
      for (let c = 0; c < classes; c++) logProbabilities[c] = f(logits[c]! - logSumExp);
      exp(expIn, FLOAT32, expOut);
      const probabilities = view(1);
      for (let c = 0; c < classes; c++) gradient[c] = f(probabilities[c]! - (c === label ? 1 : 0));
      return { loss: -logProbabilities[label]!, predicted };
    },
    dispose() {
      for (const tensor of tensors) backend.disposeData((tensor as tf.TensorInfo).dataId);
    },
  };
}
