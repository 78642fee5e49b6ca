/**
 * Names and attributes of the kernels the engine adds to TensorFlow.js, as tfjs-core's kernel_names.ts
 * does for its own: the engine dispatches by name (`tf.engine().runKernel`), a backend registers an
 * implementation under the name. The backend imports only this module of the engine.
 */

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
