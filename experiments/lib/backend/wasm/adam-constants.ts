/**
 * The scalar arguments of the SIMD module's Adam updates (`adam`, `adamRank1` in ./simd/simd.wat), as
 * float32 values: β1, β2, 1 − β1, 1 − β2, 1 − β1ᵗ, 1 − β2ᵗ, ε, −rate.
 */
import type { AdamUpdateAttrs } from '../../engine/kernel-names.ts';

export function adamConstants(attrs: AdamUpdateAttrs, accBeta1: number, accBeta2: number): number[] {
  const f = Math.fround;
  return [
    f(attrs.beta1),
    f(attrs.beta2),
    f(1 - attrs.beta1),
    f(1 - attrs.beta2),
    f(1 - accBeta1),
    f(1 - accBeta2),
    f(attrs.epsilon),
    f(-attrs.learningRate),
  ];
}
