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

/**
 * adamRank1's two further arguments, `wMin` and `vFlush`: below them the update skips the division
 * and square root of subnormal moments, whose result it knows exactly (./simd/simd.wat gives the
 * argument). A step from a subnormal m̂ is below 2⁻¹²⁶ / ε · |rate|, under half a unit of any weight
 * above that times 2²⁵ (the 1.01 covers this bound's own roundings; ε = 0 gives no skip); and √v̂ + ε
 * rounds to ε for a subnormal v̂ when ε ≥ 2⁻³⁰.
 */
export function adamRank1Bounds(attrs: AdamUpdateAttrs): [wMin: number, vFlush: number] {
  const eps = Math.fround(attrs.epsilon);
  const wMin = (2 ** -126 / eps) * Math.abs(Math.fround(attrs.learningRate)) * 2 ** 25 * 1.01;
  return [Number.isFinite(wMin) ? wMin : Infinity, eps >= 2 ** -30 ? 1 : 0];
}
