/**
 * The state tfjs-core 4.22's AdamOptimizer keeps in private fields, read and advanced here so that
 * the fused Adam update (`applyGradients` in ./train.ts) and a backend's fused training step
 * (./kernel-names.ts `FusedStepFactory`) keep it exactly as `AdamOptimizer.applyGradients` does:
 * moment variables named `<variable>/m` and `/v` in the gradients' order, `accBeta1`, `accBeta2`
 * and the iteration count, so saving and restoring the optimizer work unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamSlot, AdamSlots, AdamUpdateAttrs } from './kernel-names.ts';

/** AdamOptimizer's private fields (tfjs-core 4.22). */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: { originalName: string; variable: tf.Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: tf.Variable }[];
  incrementIterations(): void;
}

/** The optimizer's fields if it is an AdamOptimizer, else undefined. */
function adamFields(optimizer: tf.Optimizer): AdamFields | undefined {
  // Not `instanceof tf.AdamOptimizer`: tfjs's Optimizer answers instanceof by duck typing, true for any optimizer.
  return optimizer.getClassName() === 'Adam' ? (optimizer as unknown as AdamFields) : undefined;
}

/** e.g. `{ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }` */
function attrsOf(adam: AdamFields): AdamUpdateAttrs {
  return { learningRate: adam.learningRate, beta1: adam.beta1, beta2: adam.beta2, epsilon: adam.epsilon };
}

/** The moments of the `index`-th variable of the gradients, created (zeros) as AdamOptimizer does on first use. */
function slotAt(adam: AdamFields, index: number, variable: tf.Variable): AdamSlot {
  adam.accumulatedFirstMoment[index] ??= {
    originalName: `${variable.name}/m`,
    variable: tf.tidy(() => tf.zerosLike(variable).variable(false)),
  };
  adam.accumulatedSecondMoment[index] ??= {
    originalName: `${variable.name}/v`,
    variable: tf.tidy(() => tf.zerosLike(variable).variable(false)),
  };
  return {
    variable,
    firstMoment: adam.accumulatedFirstMoment[index].variable,
    secondMoment: adam.accumulatedSecondMoment[index].variable,
  };
}

/** After a step: β1ᵗ and β2ᵗ multiplied by β1 and β2 (float32, as tfjs's Mul) and the iteration counted. */
function advance(adam: AdamFields): void {
  tf.tidy(() => {
    adam.accBeta1.assign(tf.mul(adam.accBeta1, adam.beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, adam.beta2));
  });
  adam.incrementIterations();
}

/**
 * Adam's update of every variable in `gradients` (as `optimizer.applyGradients`), `update` computing
 * each variable's new value and moments, then the step counted. Undefined (nothing done) when the
 * optimizer is not Adam.
 */
export function applyAdam(
  optimizer: tf.Optimizer,
  gradients: tf.NamedTensorMap,
  update: (slot: AdamSlot, gradient: tf.Tensor, attrs: AdamUpdateAttrs, adam: AdamSlots) => void,
): true | undefined {
  const fields = adamFields(optimizer);
  if (fields === undefined) return undefined;
  const slots = adamSlotsOf(fields, Object.keys(gradients));
  tf.tidy(() => {
    Object.keys(gradients).forEach((name, i) => {
      const gradient = gradients[name];
      if (gradient != null) update(slots.slots[i]!, gradient, slots.attrs, slots);
    });
  });
  slots.advance();
  return true;
}

function adamSlotsOf(adam: AdamFields, names: string[]): AdamSlots {
  const variables = tf.engine().registeredVariables;
  return {
    attrs: attrsOf(adam),
    slots: names.map((name, i) => slotAt(adam, i, variables[name]!)),
    accBeta1: adam.accBeta1,
    accBeta2: adam.accBeta2,
    advance: () => advance(adam),
  };
}

/**
 * The Adam state for training `model` with `optimizer`, its slots in the order of the gradients
 * `optimizer.computeGradients` returns for it (tfjs's registered variables that are the model's
 * trainable weights, in registration order), so a fused step and the plain one use the same
 * moments; undefined when the optimizer is not Adam.
 */
export function adamSlots(optimizer: tf.Optimizer, model: tf.LayersModel): AdamSlots | undefined {
  const fields = adamFields(optimizer);
  if (fields === undefined) return undefined;
  const weights = new Set(model.trainableWeights.map((weight) => weight.name));
  const names = Object.keys(tf.engine().registeredVariables).filter((name) => weights.has(name));
  return adamSlotsOf(fields, names);
}
