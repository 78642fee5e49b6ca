/**
 * Names and attributes of the kernels the engine adds to TensorFlow.js, as tfjs-core's kernel_names.ts
 * does for its own: the engine dispatches by name (`tf.engine().runKernel`), a backend registers an
 * implementation under the name. And the interface of a fused training step, which a backend may
 * supply and the engine's training loop runs in place of its own step. The backend imports only this
 * module of the engine.
 */
import type * as tf from '@tensorflow/tfjs';

/**
 * The fused Adam update. Inputs `value`, `gradient`, `firstMoment`, `secondMoment` (float32, one shape)
 * and the scalars `accBeta1`, `accBeta2`; attrs `AdamUpdateAttrs`; outputs the new value, first and
 * second moments.
 */
export const ADAM_UPDATE = 'AdamUpdate';

/** Tanh's gradient: inputs `y` (tanh's output) and `dy`, float32 of one shape; output (1 − y²)·dy. */
export const TANH_GRAD = 'TanhGrad';

/** e.g. `{ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }`, as AdamOptimizer holds them. */
export interface AdamUpdateAttrs {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** A trainable variable and the Adam moments kept for it. */
export interface AdamSlot {
  variable: tf.Variable;
  firstMoment: tf.Variable;
  secondMoment: tf.Variable;
}

/** Adam's state as the engine hands it to a fused step (engine/adam-state.ts). */
export interface AdamSlots {
  attrs: AdamUpdateAttrs;
  /** One per trainable variable, in the order the optimizer's gradients come in. */
  slots: AdamSlot[];
  /** β1ᵗ and β2ᵗ, the scalars whose complements correct the moments' bias. */
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  /** After a step's updates: β1ᵗ, β2ᵗ and the iteration count advanced as AdamOptimizer does. */
  advance(): void;
}

/** A batch's loss (mean softmax cross-entropy) and its count of correct predictions before the update. */
export interface StepOutcome {
  loss: number;
  correct: number;
}

/**
 * A training step the backend computes its own way, with the values of the engine's step
 * (engine/train.ts `trainStep`): the same loss, the same weights and optimizer state afterwards.
 */
export interface FusedTrainingStep {
  /**
   * One step on the first `size` images of `images` (N×784) with labels `labels`; undefined, having
   * changed nothing, when it does not apply to this batch (the engine's step then runs).
   */
  run(images: Float32Array, labels: Int32Array, size: number): StepOutcome | undefined;
  /** Frees what the step holds; the model and optimizer stay. */
  dispose(): void;
}

/** A backend's fused step for this model, optimizer state and batch size, or undefined where it has none. */
export type FusedStepFactory = (
  model: tf.LayersModel,
  adam: AdamSlots,
  batchSize: number,
) => FusedTrainingStep | undefined;
