/**
 * The training loop: Adam on softmax cross-entropy over logits, shuffled mini-batches (seeded), the last
 * smaller batch kept (as PyTorch's DataLoader does). A custom loop rather than `model.fit()`: it times each
 * epoch's training alone, builds batches into one reused buffer, and stops at the first non-finite loss.
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';
import { gatherRows, shuffleInPlace } from './dataset.ts';
import { DivergenceError } from '../contract/errors.ts';
import { applyForTraining } from './forward.ts';
import { IMAGE_PIXELS, NUM_CLASSES } from '../contract/image.ts';
import { batchTensors } from './batch.ts';
import type { EpochLog } from '../contract/results.ts';
import { applyAdam, adamSlots } from './adam-state.ts';
import { ADAM_UPDATE, type FusedStepFactory, type StepOutcome } from './kernel-names.ts';
import { replayedStep, type StepGradients } from './replay-step.ts';

/** Pixels per image (784); the same number as ../contract/image.ts IMAGE_PIXELS. */
export const PIXELS = IMAGE_PIXELS;

/** Normalised images (N×784, [-1, 1]) with their labels. */
export interface LabelledImages {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  batches: number;
  loss: number;
  samplesPerSecond: number;
  /**
   * Which step trained the batch: the backend's fused step, a replay of the recorded engine step
   * (`replay`), or the engine's own (the recorded one included).
   */
  step: 'fused' | 'replayed' | 'engine';
}

/** Monotonic clock in seconds plus process CPU seconds; replaceable in tests. */
export interface Clock {
  wallSeconds(): number;
  cpuSeconds(): number;
}

export const systemClock: Clock = {
  wallSeconds: () => Number(process.hrtime.bigint()) / 1e9,
  cpuSeconds: () => {
    const usage = process.cpuUsage();
    return (usage.user + usage.system) / 1e6;
  },
};

export interface TrainOptions {
  model: tf.LayersModel;
  optimizer: tf.Optimizer;
  train: LabelledImages;
  validation: LabelledImages;
  batchSize: number;
  epochs: number;
  /** Seeds the per-epoch shuffles. */
  seed: number;
  /** Names the run in a DivergenceError. */
  name: string;
  onBatch?: (progress: BatchProgress) => void;
  onEpochEnd?: (log: EpochLog) => void;
  clock?: Clock;
  /**
   * The backend's fused step for this model (e.g. backend/wasm/dense-step.ts), run in place of
   * `trainStep` for the batches it takes; the values are the same either way.
   */
  fusedStep?: FusedStepFactory;
  /**
   * Replay the engine's step from a recording of its kernel calls after the first full batch
   * (./replay-step.ts); the values are the same either way.
   */
  replay?: boolean;
}

/** Mean cross-entropy and accuracy of `model` on a labelled set, in batches. */
export function evaluate(
  model: tf.LayersModel,
  set: LabelledImages,
  batchSize = 1000,
): { loss: number; accuracy: number; predicted: Uint8Array; confidence: Float32Array } {
  const predicted = new Uint8Array(set.count);
  const confidence = new Float32Array(set.count);
  let lossSum = 0;
  for (let start = 0; start < set.count; start += batchSize) {
    const size = Math.min(batchSize, set.count - start);
    const [losses, probabilities] = tf.tidy(() => {
      const { xs, ids } = batchTensors(
        set.images.subarray(start * PIXELS),
        Int32Array.from(set.labels.subarray(start, start + size)),
        size,
      );
      const labels = tf.oneHot(ids, NUM_CLASSES);
      const logits = model.predict(xs) as tf.Tensor2D;
      return [
        tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.NONE),
        tf.softmax(logits),
      ];
    });
    const lossValues = losses.dataSync();
    const probs = probabilities.dataSync();
    tf.dispose([losses, probabilities]);
    for (let i = 0; i < size; i++) {
      lossSum += lossValues[i]!;
      let best = 0;
      for (let c = 1; c < NUM_CLASSES; c++)
        if (probs[i * NUM_CLASSES + c]! > probs[i * NUM_CLASSES + best]!) best = c;
      predicted[start + i] = best;
      confidence[start + i] = probs[i * NUM_CLASSES + best]!;
    }
  }
  let correct = 0;
  for (let i = 0; i < set.count; i++) if (predicted[i] === set.labels[i]) correct++;
  return { loss: lossSum / set.count, accuracy: correct / set.count, predicted, confidence };
}

/**
 * `optimizer.applyGradients(gradients)`, except that for an AdamOptimizer on a backend with the
 * `AdamUpdate` kernel (backend/wasm) each variable is updated by that one kernel rather than by
 * eleven element-wise ones, with the optimizer's state kept as tfjs-core's own (./adam-state.ts).
 * The kernel is called directly rather than through the engine, which would wrap its three outputs
 * in tensors only for them to be assigned: an output that is its variable's own data, updated in
 * place, needs no assignment, only its extra reference dropped.
 */
export function applyGradients(optimizer: tf.Optimizer, gradients: tf.NamedTensorMap): void {
  const kernel = tf.getKernel(ADAM_UPDATE, tf.getBackend());
  const backend = tf.backend();
  const fused =
    kernel !== undefined &&
    applyAdam(optimizer, gradients, (slot, gradient, attrs, adam) => {
      const { variable: value, firstMoment, secondMoment } = slot;
      const outputs = kernel.kernelFunc({
        inputs: {
          value,
          gradient,
          firstMoment,
          secondMoment,
          accBeta1: adam.accBeta1,
          accBeta2: adam.accBeta2,
        },
        attrs: attrs as unknown as tf.NamedAttrMap,
        backend,
      }) as tf.TensorInfo[];
      [value, firstMoment, secondMoment].forEach((variable, i) => {
        const output = outputs[i]!;
        if (output.dataId === variable.dataId) backend.disposeData(output.dataId);
        else variable.assign(tf.engine().makeTensorFromTensorInfo(output));
      });
    });
  if (!fused) optimizer.applyGradients(gradients);
}

/**
 * One training step on the first `size` images of `images` (N×784) and labels of `labelIds`: Adam on
 * the mean softmax cross-entropy. Returns the batch's loss and its count of correct predictions (made
 * before the update), which the caller disposes.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: Float32Array,
  labelIds: Int32Array,
  size: number,
): { loss: tf.Scalar; correct: tf.Scalar } {
  return tf.tidy(() => {
    const { xs, ids } = batchTensors(images, labelIds, size);
    const { loss, correct, grads } = stepGradients(model, optimizer, xs, ids);
    applyGradients(optimizer, grads);
    return { loss, correct };
  });
}

/** The step's loss, count of correct predictions and gradients for images `xs` with labels `ids`. */
export function stepGradients(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor4D,
  ids: tf.Tensor1D,
): StepGradients {
  const labels = tf.oneHot(ids, NUM_CLASSES);
  let correct: tf.Scalar | undefined;
  const { value: loss, grads } = optimizer.computeGradients(() => {
    const logits = applyForTraining(model, xs) as tf.Tensor2D;
    correct = tf.keep(tf.sum<tf.Scalar>(tf.cast(tf.equal(tf.argMax(logits, 1), ids), 'int32')));
    return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
  });
  return { loss, correct: correct!, grads };
}

/** Trains `model` in place and returns one log per epoch. Throws DivergenceError on a non-finite loss. */
export async function trainModel(options: TrainOptions): Promise<EpochLog[]> {
  const { model, optimizer, train, batchSize, epochs, clock = systemClock } = options;
  const random = seedrandom(`shuffle-${options.seed}`);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const batches = Math.ceil(train.count / batchSize);
  const xBuffer = new Float32Array(batchSize * PIXELS);
  const yBuffer = new Int32Array(batchSize);
  const logs: EpochLog[] = [];
  const slots = options.fusedStep === undefined ? undefined : adamSlots(optimizer, model);
  const fused = slots === undefined ? undefined : options.fusedStep!(model, slots, batchSize);
  const replayed = options.replay
    ? replayedStep(
        batchSize,
        (xs, ids) => stepGradients(model, optimizer, xs, ids),
        (grads) => applyGradients(optimizer, grads),
      )
    : undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      let correctSum = 0;
      const wallStart = clock.wallSeconds();
      const cpuStart = clock.cpuSeconds();
      for (let batch = 0; batch < batches; batch++) {
        const start = batch * batchSize;
        const end = Math.min(start + batchSize, train.count);
        const size = end - start;
        gatherRows(train.images, PIXELS, order, start, end, xBuffer);
        for (let i = 0; i < size; i++) yBuffer[i] = train.labels[order[start + i]!]!;

        let step: BatchProgress['step'] = 'fused';
        let outcome = fused?.run(xBuffer, yBuffer, size);
        if (outcome === undefined) {
          const replay = replayed?.run(xBuffer, yBuffer, size);
          step = replay?.replayed ? 'replayed' : 'engine';
          outcome = replay ?? engineStep(model, optimizer, xBuffer, yBuffer, size);
        }
        const lossValue = outcome.loss;
        correctSum += outcome.correct;
        if (!Number.isFinite(lossValue))
          throw new DivergenceError(options.name, options.seed, epoch, batch + 1, lossValue);
        lossSum += lossValue * size;
        options.onBatch?.({
          epoch,
          batch: batch + 1,
          batches,
          loss: lossSum / end,
          samplesPerSecond: end / Math.max(1e-9, clock.wallSeconds() - wallStart),
          step,
        });
      }
      const trainSeconds = clock.wallSeconds() - wallStart;
      const cpuSeconds = clock.cpuSeconds() - cpuStart;
      const validation = evaluate(model, options.validation);
      const log: EpochLog = {
        epoch,
        trainLoss: lossSum / train.count,
        trainAccuracy: correctSum / train.count,
        valLoss: validation.loss,
        valAccuracy: validation.accuracy,
        trainSeconds,
        cpuSeconds,
        samplesPerSecond: train.count / trainSeconds,
      };
      if (!Number.isFinite(log.valLoss))
        throw new DivergenceError(options.name, options.seed, epoch, batches, log.valLoss);
      logs.push(log);
      options.onEpochEnd?.(log);
      await new Promise((resolve) => setImmediate(resolve));
    }
  } finally {
    fused?.dispose();
    replayed?.dispose();
  }
  return logs;
}

/** `trainStep` with its loss and count read back and its tensors disposed. */
function engineStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  images: Float32Array,
  labelIds: Int32Array,
  size: number,
): StepOutcome {
  const { loss, correct } = trainStep(model, optimizer, images, labelIds, size);
  const outcome = { loss: loss.dataSync()[0]!, correct: correct.dataSync()[0]! };
  tf.dispose([loss, correct]);
  return outcome;
}
