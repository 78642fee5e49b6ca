/**
 * The kernel calls tfjs's engine makes while a function runs, written down with what each received,
 * for ./replay-step.ts. tfjs has no public way to capture them: its profiler records kernel names
 * and shapes, not inputs. So for the length of the one call the registered kernel functions of the
 * active backend are wrapped, and unwrapped after, whatever happens.
 */
import * as tf from '@tensorflow/tfjs';

/** One kernel call: the function the engine called, with its inputs, attributes and outputs. */
export interface CapturedCall {
  kernelName: string;
  kernelFunc: tf.KernelFunc;
  /** Each input's data, shape and type as the call received them (a variable's data changes later). */
  inputs: Record<string, tf.TensorInfo | undefined>;
  attrs: tf.NamedAttrMap | undefined;
  outputs: tf.TensorInfo[];
  /**
   * The values, as the call read them, of each input that is neither an earlier call's output nor
   * in `persistent` (data tfjs made outside any kernel, such as a scalar constant).
   */
  values: Map<string, tf.TypedArray>;
}

/**
 * Runs `run`, returning its result and the kernel calls the engine made (not those a kernel makes
 * of another inside it). `persistent` holds the data whose values are not copied (the variables').
 * `calls` is undefined when a kernel returned a tensor rather than tensor data (tfjs-node's do),
 * which the engine would track and a replay could not.
 */
export function captureKernelCalls<T>(
  run: () => T,
  persistent: ReadonlySet<tf.DataId>,
): { result: T; calls: CapturedCall[] | undefined } {
  const backend = tf.backend();
  const calls: CapturedCall[] = [];
  const produced = new Set<tf.DataId>();
  let replayable = true;
  const configs = tf.getKernelsForBackend(tf.getBackend());
  const originals = configs.map((config) => config.kernelFunc);
  let depth = 0;
  configs.forEach((config, i) => {
    const kernelFunc = originals[i]!;
    config.kernelFunc = (params) => {
      depth++;
      let out: tf.TensorInfo | tf.TensorInfo[];
      try {
        out = kernelFunc(params);
      } finally {
        depth--;
      }
      if (depth > 0) return out;
      const outputs = Array.isArray(out) ? out : [out];
      if (outputs.some((info) => (info as Partial<tf.Tensor>).rank !== undefined)) replayable = false;
      const inputs: CapturedCall['inputs'] = {};
      const values = new Map<string, tf.TypedArray>();
      for (const [name, info] of Object.entries(params.inputs)) {
        if (info == null) {
          inputs[name] = undefined;
          continue;
        }
        inputs[name] = { dataId: info.dataId, shape: info.shape, dtype: info.dtype };
        if (!produced.has(info.dataId) && !persistent.has(info.dataId))
          values.set(name, backend.readSync(info.dataId) as tf.TypedArray);
      }
      for (const info of outputs) produced.add(info.dataId);
      calls.push({ kernelName: config.kernelName, kernelFunc, inputs, attrs: params.attrs, outputs, values });
      return out;
    };
  });
  try {
    const result = run();
    return { result, calls: replayable ? calls : undefined };
  } finally {
    configs.forEach((config, i) => (config.kernelFunc = originals[i]!));
  }
}
