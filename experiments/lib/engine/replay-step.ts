/**
 * A training step replayed from a recording of the engine's own: the first full batch runs through
 * tfjs as usual while every kernel call it makes is written down (kernel, inputs, attributes), and
 * later batches of the same size call those kernel functions again, in the same order, on the new
 * batch, without tfjs's engine in between. tfjs spends about as long on each call's bookkeeping
 * (tensor tracking, scopes, the gradient tape and its walk back) as the small kernels of these models
 * take to compute: about 150 calls in a LeNet-5 step, 1.8 ms of 4.4 under the profiler.
 *
 * The values are the engine step's bit for bit, by construction: the same kernel functions receive
 * the same data, attributes and shapes in the same order (tests/engine/replay-step.test.ts compares
 * every weight and moment after many steps). What varies between steps is read afresh: the batch,
 * the variables' data (by variable, not by the data they held when recorded) and everything computed
 * from them. What is neither, the constants tfjs makes inside a step (the 1 that seeds the gradient,
 * the batch size that divides the summed loss), is copied once when recorded. Adam's update stays
 * the engine's (./train.ts `applyGradients`): its bias corrections change every step.
 *
 * The calls are captured by ./kernel-capture.ts. Nothing is recorded, and every step runs through
 * the engine, when a kernel returns a tensor rather than tensor data (tfjs-node's do) or when one of
 * the step's results is a variable's own data; a batch of another size (the last, smaller one) runs
 * through the engine too.
 */
import * as tf from '@tensorflow/tfjs';
import { IMAGE_PIXELS } from '../contract/image.ts';
import { batchShape, batchTensors } from './batch.ts';
import { captureKernelCalls, type CapturedCall } from './kernel-capture.ts';
import type { StepOutcome } from './kernel-names.ts';

/** Where a recorded call's input comes from. */
type Source =
  | { kind: 'output'; call: number; index: number }
  | { kind: 'images' }
  | { kind: 'labels' }
  | { kind: 'variable'; variable: tf.Variable }
  | { kind: 'constant'; constant: tf.Tensor };

interface Input {
  name: string;
  /** undefined for an optional input not given (e.g. a product's bias). */
  source: Source | undefined;
  shape: number[];
  dtype: tf.DataType;
}

interface Call {
  kernelFunc: tf.KernelFunc;
  attrs: tf.NamedAttrMap | undefined;
  inputs: Input[];
  /** The outputs (call, index) whose last use is this call, freed after it. */
  frees: [number, number][];
}

/** A place in the recording: output `index` of call `call`. */
type Place = [number, number];

interface Recording {
  calls: Call[];
  loss: Place;
  correct: Place;
  /** The gradients, in the order and under the names `optimizer.computeGradients` gave them. */
  gradients: [string, Place][];
  constants: tf.Tensor[];
}

/** What the recorded step computes: the loss, the count of correct predictions and the gradients. */
export interface StepGradients {
  loss: tf.Scalar;
  correct: tf.Scalar;
  grads: tf.NamedTensorMap;
}

export interface ReplayedStep {
  /**
   * One step on the first `size` images of `images` with labels `labels`: the engine's, recorded, the
   * first time a batch of the recorded size comes (`replayed` false); replayed after; undefined
   * (nothing changed) for any other size or when the step cannot be recorded.
   */
  run(
    images: Float32Array,
    labels: Int32Array,
    size: number,
  ): (StepOutcome & { replayed: boolean }) | undefined;
  dispose(): void;
}

/**
 * A replayed step for batches of `batchSize`: `gradients(xs, ids)` is the engine's step up to its
 * gradients (./train.ts `stepGradients`), `apply(grads)` the update.
 */
export function replayedStep(
  batchSize: number,
  gradients: (xs: tf.Tensor4D, ids: tf.Tensor1D) => StepGradients,
  apply: (grads: tf.NamedTensorMap) => void,
): ReplayedStep {
  let recording: Recording | undefined;
  let unrecordable = false;
  return {
    run(images, labels, size) {
      if (size !== batchSize || unrecordable) return undefined;
      if (recording !== undefined)
        return { ...replay(recording, images, labels, size, apply), replayed: true };
      const recorded = record(images, labels, size, gradients, apply);
      if (recorded.recording === undefined) unrecordable = true;
      recording = recorded.recording;
      return { ...recorded.outcome, replayed: false };
    },
    dispose() {
      if (recording !== undefined) tf.dispose(recording.constants);
      recording = undefined;
    },
  };
}

/** Runs the engine's step once, recording its kernel calls. */
function record(
  images: Float32Array,
  labels: Int32Array,
  size: number,
  gradients: (xs: tf.Tensor4D, ids: tf.Tensor1D) => StepGradients,
  apply: (grads: tf.NamedTensorMap) => void,
): { outcome: StepOutcome; recording: Recording | undefined } {
  const variables = new Map(
    Object.values(tf.engine().registeredVariables).map((variable) => [variable.dataId, variable]),
  );
  let calls: CapturedCall[] | undefined;
  let places: ReturnType<typeof placesOf>;
  let sources: { xs: tf.DataId; ids: tf.DataId } | undefined;
  const { loss, correct } = tf.tidy(() => {
    const { xs, ids } = batchTensors(images, labels, size);
    sources = { xs: xs.dataId, ids: ids.dataId };
    const persistent = new Set([...variables.keys(), xs.dataId, ids.dataId]);
    const captured = captureKernelCalls(() => gradients(xs, ids), persistent);
    const step = captured.result;
    calls = captured.calls;
    places = calls === undefined ? undefined : placesOf(calls, step, variables);
    apply(step.grads);
    return { loss: step.loss, correct: step.correct };
  });
  const outcome = { loss: loss.dataSync()[0]!, correct: correct.dataSync()[0]! };
  tf.dispose([loss, correct]);
  // The captured inputs hold the data the variables had during the step, which `variables` maps.
  const recording = places === undefined ? undefined : recordingOf(calls!, places, sources!, variables);
  return { outcome, recording };
}

/**
 * The places of the step's loss, count and gradients among the captured outputs; undefined if one
 * is not a kernel's output or is a variable's own data (a replay hands them over to tensors).
 */
function placesOf(
  calls: CapturedCall[],
  step: StepGradients,
  variables: Map<tf.DataId, tf.Variable>,
): { loss: Place; correct: Place; gradients: [string, Place][] } | undefined {
  const latest = new Map<tf.DataId, Place>();
  calls.forEach((call, c) => call.outputs.forEach((info, k) => latest.set(info.dataId, [c, k])));
  const placeOf = (tensor: tf.Tensor) =>
    variables.has(tensor.dataId) ? undefined : latest.get(tensor.dataId);
  const loss = placeOf(step.loss);
  const correct = placeOf(step.correct);
  const gradients = Object.entries(step.grads).map(([name, grad]) => [name, placeOf(grad)] as const);
  if (loss === undefined || correct === undefined || gradients.some(([, place]) => place === undefined))
    return undefined;
  return { loss, correct, gradients: gradients as [string, Place][] };
}

/** The recording of the captured calls: each input's source, and when to free each output. */
function recordingOf(
  captured: CapturedCall[],
  places: { loss: Place; correct: Place; gradients: [string, Place][] },
  sources: { xs: tf.DataId; ids: tf.DataId },
  variables: Map<tf.DataId, tf.Variable>,
): Recording {
  const latest = new Map<tf.DataId, Place>();
  const constants: tf.Tensor[] = [];
  const lastUse = new Map<string, number>();
  const calls: Call[] = captured.map((call, c) => {
    const inputs = Object.entries(call.inputs).map(([name, info]): Input => {
      if (info == null) return { name, source: undefined, shape: [], dtype: 'float32' };
      const { shape, dtype } = info;
      const place = latest.get(info.dataId);
      if (place !== undefined) {
        lastUse.set(place.join(), c);
        return { name, source: { kind: 'output', call: place[0], index: place[1] }, shape, dtype };
      }
      if (info.dataId === sources.xs) return { name, source: { kind: 'images' }, shape, dtype };
      if (info.dataId === sources.ids) return { name, source: { kind: 'labels' }, shape, dtype };
      const variable = variables.get(info.dataId);
      if (variable !== undefined) return { name, source: { kind: 'variable', variable }, shape, dtype };
      const constant = tf.tensor(call.values.get(name)!, shape, dtype);
      constants.push(constant);
      return { name, source: { kind: 'constant', constant }, shape, dtype };
    });
    call.outputs.forEach((info, k) => latest.set(info.dataId, [c, k]));
    return { kernelFunc: call.kernelFunc, attrs: call.attrs, inputs, frees: [] };
  });
  // Free every output after its last use, except those the step returns; unused ones at once.
  const kept = new Set(
    [places.loss, places.correct, ...places.gradients.map(([, p]) => p)].map((p) => p.join()),
  );
  captured.forEach((call, c) =>
    call.outputs.forEach((_, k) => {
      const key = [c, k].join();
      if (!kept.has(key)) calls[lastUse.get(key) ?? c]!.frees.push([c, k]);
    }),
  );
  return { calls, ...places, constants };
}

/** Replays `recording` on a new batch, then applies its gradients. */
function replay(
  recording: Recording,
  images: Float32Array,
  labels: Int32Array,
  size: number,
  apply: (grads: tf.NamedTensorMap) => void,
): StepOutcome {
  const backend = tf.backend();
  const xs = backend.write(images.subarray(0, size * IMAGE_PIXELS), batchShape(size), 'float32');
  const ids = backend.write(labels.subarray(0, size), [size], 'int32');
  const outputs: tf.TensorInfo[][] = [];
  try {
    for (const call of recording.calls) {
      const inputs: tf.NamedTensorInfoMap = {};
      for (const { name, source, shape, dtype } of call.inputs) {
        if (source === undefined) continue;
        inputs[name] = { dataId: dataIdOf(source, outputs, xs, ids), shape, dtype };
      }
      const out = call.kernelFunc({ inputs, attrs: call.attrs ?? {}, backend });
      outputs.push(Array.isArray(out) ? out : [out]);
      for (const [c, k] of call.frees) backend.disposeData(outputs[c]![k]!.dataId);
    }
  } finally {
    backend.disposeData(xs);
    backend.disposeData(ids);
  }
  const at = ([c, k]: Place) => outputs[c]![k]!;
  const read = (place: Place) => {
    const value = (backend.readSync(at(place).dataId) as tf.TypedArray)[0]!;
    backend.disposeData(at(place).dataId);
    return value;
  };
  const outcome = { loss: read(recording.loss), correct: read(recording.correct) };
  const grads: tf.NamedTensorMap = {};
  for (const [name, place] of recording.gradients)
    grads[name] = tf.engine().makeTensorFromTensorInfo(at(place));
  try {
    apply(grads);
  } finally {
    tf.dispose(Object.values(grads));
  }
  return outcome;
}

function dataIdOf(source: Source, outputs: tf.TensorInfo[][], xs: tf.DataId, ids: tf.DataId): tf.DataId {
  switch (source.kind) {
    case 'output':
      return outputs[source.call]![source.index]!.dataId;
    case 'images':
      return xs;
    case 'labels':
      return ids;
    case 'variable':
      return source.variable.dataId;
    case 'constant':
      return source.constant.dataId;
  }
}
