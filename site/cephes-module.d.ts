/**
 * The Cephes functions the site's statistics use besides the two ../experiments/lib/engine/cephes-module.d.ts
 * declares (the package's own index.d.ts is unreachable under NodeNext resolution, nearform/node-cephes).
 * The declarations merge with that file's.
 */
declare module 'cephes' {
  /** Regularised incomplete beta function I_x(a, b), real a and b (Cephes `incbet`). */
  export function incbet(a: number, b: number, x: number): number;
  /** Inverse of `incbet` in x: the x with I_x(a, b) = y (Cephes `incbi`). */
  export function incbi(a: number, b: number, y: number): number;
  /** Complemented F distribution: P(F > x) with `ia` and `ib` degrees of freedom, both integers (Cephes `fdtrc`). */
  export function fdtrc(ia: number, ib: number, x: number): number;
}
