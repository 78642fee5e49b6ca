import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assembleSimdModule } from '../../../experiments/lib/backend/wasm/simd/assemble.ts';
import { SIMD_MODULE_BASE64 } from '../../../experiments/lib/backend/wasm/simd/module.ts';

const committed = {
  unshared: Buffer.from(SIMD_MODULE_BASE64.unshared, 'base64'),
  shared: Buffer.from(SIMD_MODULE_BASE64.shared, 'base64'),
};

test('the committed SIMD module is simd.wat as wabt assembles it, for both memories', async () => {
  const assembled = await assembleSimdModule();
  const hint = 'run `node --import tsx experiments/lib/backend/wasm/simd/build.ts` after editing simd.wat';
  assert.ok(Buffer.from(assembled.unshared).equals(committed.unshared), hint);
  assert.ok(Buffer.from(assembled.shared).equals(committed.shared), hint);
});

test('the module imports one memory, shared only in its threaded variant, and exports the ten functions with their signatures', () => {
  for (const [variant, bytes] of Object.entries(committed)) {
    const module = new WebAssembly.Module(bytes);
    assert.deepEqual(WebAssembly.Module.imports(module), [{ module: 'env', name: 'memory', kind: 'memory' }]);
    assert.deepEqual(
      WebAssembly.Module.exports(module).map((e) => `${e.kind} ${e.name}`),
      [
        'function adam',
        'function adamRank1',
        'function affine',
        'function tanhGrad',
        'function transpose',
        'function im2col',
        'function col2im',
        'function avgPoolGrad',
        'function im2colColumns',
        'function avgPool2x2',
      ],
      variant,
    );
    const memory = new WebAssembly.Memory(
      variant === 'shared' ? { initial: 1, maximum: 65536, shared: true } : { initial: 1 },
    );
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
      string,
      (...args: number[]) => void
    >;
    // Parameter counts, then a call that checks the types: f32 parameters round, i32 ones truncate.
    assert.deepEqual(
      [
        'adam',
        'adamRank1',
        'affine',
        'tanhGrad',
        'transpose',
        'im2col',
        'col2im',
        'avgPoolGrad',
        'im2colColumns',
        'avgPool2x2',
      ].map((name) => exports[name]!.length),
      [16, 17, 5, 4, 6, 12, 12, 11, 10, 9],
    );
    const floats = new Float32Array(memory.buffer, 0, 8);
    floats.set([1, 2, 3, 4]);
    exports.affine!(0, 16, 4, 0.5, 0.25);
    assert.deepEqual([...floats.subarray(4)], [0.75, 1.25, 1.75, 2.25]);
  }
});
