import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIMD_MODULE_BASE64 } from '../../../experiments/lib/backend/wasm/simd/module.ts';
import { adamConstants, adamRank1Bounds } from '../../../experiments/lib/backend/wasm/adam-constants.ts';

const memory = new WebAssembly.Memory({ initial: 4 });
const simd = new WebAssembly.Instance(
  new WebAssembly.Module(Buffer.from(SIMD_MODULE_BASE64.unshared, 'base64')),
  { env: { memory } },
).exports as Record<string, (...args: number[]) => void>;

/** One Adam step in JavaScript, every operation rounded to float32 in tfjs-core's order. */
function reference(w: number, g: number, m: number, v: number, c: number[]): [number, number, number] {
  const f = Math.fround;
  const [b1, b2, c1, c2, a1, a2, eps, rate] = c as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const m2 = f(f(m * b1) + f(g * c1));
  const v2 = f(f(v * b2) + f(f(g * g) * c2));
  const step = f(f(m2 / a1) / f(f(Math.sqrt(f(v2 / a2))) + eps));
  return [f(f(step * rate) + w), m2, v2];
}

/** Values of every kind: subnormal and zero moments, tiny and zero weights, zero gradients. */
function mixed(
  count: number,
  seed: number,
): { w: Float32Array; g: Float32Array; m: Float32Array; v: Float32Array } {
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const pick = <T>(options: T[]) => options[Math.floor(next() * options.length)]!;
  const subnormal = () => pick([1, 2, 3, 4, 1000, 2 ** 22]) * 2 ** -149 * pick([1, -1]);
  const w = Float32Array.from({ length: count }, () =>
    pick([0, 1e-30, -3e-27, 2 ** -100, next() - 0.5, 1e-3]),
  );
  const g = Float32Array.from({ length: count }, () => pick([0, 0, 0, (next() - 0.5) * 1e-3, 1e-20]));
  const m = Float32Array.from({ length: count }, () =>
    pick([0, subnormal(), subnormal(), 1e-37, (next() - 0.5) * 1e-4]),
  );
  const v = Float32Array.from({ length: count }, () =>
    pick([0, Math.abs(subnormal()), 1e-37, next() * 1e-8]),
  );
  return { w, g, m, v };
}

for (const [when, accBeta1, accBeta2, epsilon] of [
  ['with the bias corrections exactly 1', 0, 0, 1e-8],
  ['in the first steps', 0.9, 0.999, 1e-8],
  ['with a tiny ε', 0, 0, 1e-40],
] as const) {
  test(`adam and adamRank1 give the float32 reference's values bit for bit on subnormal moments, ${when}`, () => {
    const constants = adamConstants(
      { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon },
      accBeta1,
      accBeta2,
    );
    const bounds = adamRank1Bounds({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon });
    const rows = 40;
    const columns = 10; // two SIMD groups and a remainder of 2 per row
    const count = rows * columns;
    const { w, g, m, v } = mixed(count, 17);
    const x = Float32Array.from({ length: rows }, (_, i) => [0, 1, -0.5, 1e-20, 2, 0, 0.25][i % 7]!);
    const dy = Float32Array.from(
      { length: columns },
      (_, j) => [0, 1e-3, 0, -2e-4, 0, 0, 5e-5, 0, 0, 1e-7][j]!,
    );
    const heap = new Float32Array(memory.buffer);
    const at = (k: number) => k * 512 * 4; // byte offsets of 512-float slots
    // adam on the elementwise gradient g.
    heap.set(w, at(0) / 4);
    heap.set(g, at(1) / 4);
    heap.set(m, at(2) / 4);
    heap.set(v, at(3) / 4);
    const simdCount = count - (count % 4);
    simd.adam!(at(0), at(1), at(2), at(3), at(4), at(5), at(6), simdCount, ...constants);
    for (let i = 0; i < simdCount; i++) {
      const [w2, m2, v2] = reference(w[i]!, g[i]!, m[i]!, v[i]!, constants);
      assert.deepEqual(
        [heap[at(4) / 4 + i], heap[at(5) / 4 + i], heap[at(6) / 4 + i]],
        [w2, m2, v2],
        `adam, element ${i}`,
      );
    }
    // adamRank1 on the gradient x·dyᵀ, in place.
    heap.set(w, at(0) / 4);
    heap.set(m, at(2) / 4);
    heap.set(v, at(3) / 4);
    heap.set(x, at(7) / 4);
    heap.set(dy, at(8) / 4);
    simd.adamRank1!(at(0), at(2), at(3), at(7), rows, at(8), columns, ...constants, ...bounds);
    for (let i = 0; i < rows; i++)
      for (let j = 0; j < columns; j++) {
        const e = i * columns + j;
        const [w2, m2, v2] = reference(w[e]!, Math.fround(x[i]! * dy[j]!), m[e]!, v[e]!, constants);
        assert.deepEqual(
          [heap[at(0) / 4 + e], heap[at(2) / 4 + e], heap[at(3) / 4 + e]],
          [w2, m2, v2],
          `adamRank1, ${i}, ${j}`,
        );
      }
  });
}
