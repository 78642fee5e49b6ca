/**
 * Declarations for the two functions of `cephes` 3 that ./stats.ts uses: the package ships an
 * index.d.ts, but its package.json `exports` gives no `types` condition, so TypeScript's NodeNext
 * resolution cannot find it (nearform/node-cephes).
 */
declare module 'cephes' {
  /** Inverse of Student's t CDF: the `p` quantile with `k` degrees of freedom (Cephes `stdtri`). */
  export function stdtri(k: number, p: number): number;
  /** Binomial lower tail P(X ≤ k), X ~ Binomial(n, p) (Cephes `bdtr`). */
  export function bdtr(k: number, n: number, p: number): number;
}
