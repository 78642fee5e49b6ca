import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probeBackend } from '../../experiments/lib/backend/probe.ts';
import { selectBackend } from '../../experiments/lib/backend/select.ts';

test('the probe describes the backend selectBackend starts, for auto, wasm without BLAS and cpu', async () => {
  for (const [requested, options] of [
    ['auto', {}],
    ['wasm', { blas: false }],
    ['cpu', {}],
  ] as const) {
    const probed = probeBackend(requested, options);
    if (probed === undefined) {
      assert.equal(requested, 'auto', 'only auto with tfjs-node installed may be left to selectBackend');
      continue;
    }
    assert.deepEqual(
      probed,
      await selectBackend(requested, options),
      `${requested} ${JSON.stringify(options)}`,
    );
  }
});

test('the probe leaves to selectBackend what only starting tells: tfjs-node, the threaded wasm build', () => {
  assert.equal(probeBackend('tensorflow'), undefined);
  assert.equal(probeBackend('wasm', { threads: 2 }), undefined);
});
