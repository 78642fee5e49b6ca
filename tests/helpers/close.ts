import assert from 'node:assert/strict';

/** Every element within `tolerance` × the largest magnitude in `expected` (float32 sums reorder). */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]!));
  for (let i = 0; i < expected.length; i++) {
    const difference = Math.abs(actual[i]! - expected[i]!);
    assert.ok(
      difference <= tolerance * scale,
      `${what}: element ${i} is ${actual[i]}, expected ${expected[i]} (scale ${scale})`,
    );
  }
}
