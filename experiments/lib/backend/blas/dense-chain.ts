/**
 * Batch-1 inference of a stack of dense layers as one chain of OpenBLAS `sgemv` calls on plain
 * Float32Arrays. At batch 1 a dense layer's arithmetic takes a few microseconds, and through
 * TensorFlow.js every layer also pays for its kernel dispatch (tensor bookkeeping, the wasm heap,
 * the product's set-up): most of an MLP's 60–80 µs call. Here a call is one `sgemv` per layer, the
 * bias added first (y = bias, then y += Wᵀx) and the activation applied in place.
 *
 * Hand-written because it is the engine's own inference path, not a library's: the weights come
 * from the trained tfjs model once, before timing, as the layers hold them.
 */
import type { Blas } from './openblas.ts';

export type DenseActivation = 'linear' | 'relu' | 'tanh';

/** One step of the chain: a centre crop of a square image, or a dense layer. */
export type ChainStep =
  | { kind: 'crop'; size: number; from: number }
  | {
      kind: 'dense';
      /** Row-major `inputs × units`, as tfjs-layers' Dense stores its kernel. */
      kernel: Float32Array;
      bias: Float32Array | null;
      inputs: number;
      units: number;
      activation: DenseActivation;
    };

/** A compiled chain: `run(x)` returns the output in a buffer the next call overwrites. */
export interface DenseChain {
  run(x: Float32Array): Float32Array;
}

function activate(y: Float32Array, activation: DenseActivation): void {
  if (activation === 'relu') {
    for (let i = 0; i < y.length; i++) if (!(y[i]! > 0)) y[i] = 0;
  } else if (activation === 'tanh') {
    for (let i = 0; i < y.length; i++) y[i] = Math.tanh(y[i]!);
  }
}

/**
 * The chain of `steps` on `blas`, with its buffers allocated once. Throws if the shapes do not
 * follow from one step to the next (`inputs` is the size of what the previous step produced).
 */
export function denseChain(blas: Blas, steps: ChainStep[], inputSize: number): DenseChain {
  let size = inputSize;
  const buffers = steps.map((step, index) => {
    if (step.kind === 'crop') {
      if (step.from * step.from !== size || step.size > step.from)
        throw new Error(`chain step ${index}: a ${step.size}×${step.size} crop of ${size} values`);
      size = step.size * step.size;
    } else {
      if (step.inputs !== size || step.kernel.length !== step.inputs * step.units)
        throw new Error(
          `chain step ${index}: a ${step.inputs}×${step.units} dense layer after ${size} values`,
        );
      size = step.units;
    }
    return new Float32Array(size);
  });
  return {
    run(x) {
      let input = x;
      steps.forEach((step, index) => {
        const y = buffers[index]!;
        if (step.kind === 'crop') {
          const offset = (step.from - step.size) / 2;
          for (let row = 0; row < step.size; row++) {
            const start = (row + offset) * step.from + offset;
            y.set(input.subarray(start, start + step.size), row * step.size);
          }
        } else {
          if (step.bias === null) y.fill(0);
          else y.set(step.bias);
          blas.sgemv(true, step.inputs, step.units, 1, step.kernel, step.units, input, 1, y);
          activate(y, step.activation);
        }
        input = y;
      });
      return input;
    },
  };
}
