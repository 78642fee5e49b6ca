/**
 * Slice: wasm's copies a strided slice one innermost row at a time; this copies maximal contiguous runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { WasmKernel, WasmKernelConfig } from '../kernel.ts';

/** Runs of at least this many elements are copied with `TypedArray.set`, shorter ones element by element. */
const MIN_SET_RUN = 64;

/**
 * wasm's Slice copies a strided slice one innermost row at a time with `set(subarray(…))`, a new
 * typed-array object per row: MLP-2's 20×20 centre crop of a [64, 28, 28, 1] batch is 25,600
 * one-pixel rows, about 4 ms of a 15 ms training step. This copies maximal contiguous runs instead
 * (trailing axes taken whole merge into one run: 1,280 runs of 20 pixels for that crop), short runs
 * element by element. Same values; dtypes other than float32 and int32 go to wasm's own kernel.
 */
export function runSlice(fallback: WasmKernel): WasmKernel {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return fallback(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [start, extent] = tf.slice_util.parseSliceParams(x as tf.Tensor, begin, size) as [
      number[],
      number[],
    ];
    const shape = x.shape;
    const rank = shape.length;
    // The run: the last axis that is not taken whole, times every axis after it.
    let axis = rank - 1;
    let run = 1;
    while (axis >= 0 && extent[axis] === shape[axis] && start[axis] === 0) run *= shape[axis--]!;
    if (axis >= 0) run *= extent[axis]!;
    const outer = axis <= 0 ? 1 : extent.slice(0, axis).reduce((product, n) => product * n, 1);
    const out = args.backend.makeOutput(extent, x.dtype);
    const source = args.backend.typedArrayFromHeap(x);
    const target = args.backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(shape);
    const index = new Array<number>(Math.max(axis, 0)).fill(0);
    for (let r = 0, written = 0; r < outer && run > 0; r++, written += run) {
      let from = axis >= 0 ? start[axis]! * (strides[axis] ?? 1) : 0;
      for (let d = 0; d < index.length; d++) from += (start[d]! + index[d]!) * strides[d]!;
      if (run >= MIN_SET_RUN) target.set(source.subarray(from, from + run), written);
      else for (let i = 0; i < run; i++) target[written + i] = source[from + i]!;
      for (let d = index.length - 1; d >= 0; d--) {
        if (++index[d]! < extent[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  };
}

export const sliceConfig: WasmKernelConfig = {
  kernelName: tf.Slice,
  build: ({ own }) => runSlice(own(tf.Slice)),
};
