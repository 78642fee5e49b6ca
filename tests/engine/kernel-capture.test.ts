import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { captureKernelCalls } from '../../experiments/lib/engine/kernel-capture.ts';

before(async () => {
  await tf.setBackend('cpu');
  // A kernel that runs another registered one inside it, looked up in the registry at call time.
  tf.registerKernel({
    kernelName: 'CaptureTestOuter',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) =>
      tf.getKernel(tf.Identity, 'cpu')!.kernelFunc({ inputs: { x: inputs.x! }, backend, attrs: {} }),
  });
});

const kernelFuncs = () => tf.getKernelsForBackend('cpu').map((config) => config.kernelFunc);

test('captures the engine’s kernel calls in order, with their inputs, attributes and outputs', () => {
  const a = tf.tensor1d([1, 2, 3]);
  const { result, calls } = captureKernelCalls(
    () => tf.tidy(() => tf.sum(tf.mul(a, tf.scalar(2)))),
    new Set([a.dataId]),
  );
  assert.deepEqual(result.dataSync(), new Float32Array([12]));
  assert.deepEqual(
    calls!.map((call) => call.kernelName),
    [tf.Multiply, tf.Sum],
  );
  const [mul, sum] = calls!;
  assert.equal(mul!.inputs.a!.dataId, a.dataId);
  assert.deepEqual(mul!.inputs.b!.shape, []);
  // The scalar 2 is data tfjs made outside a kernel: its value is copied; a's is not.
  assert.deepEqual([...mul!.values.keys()], ['b']);
  assert.deepEqual(mul!.values.get('b'), new Float32Array([2]));
  assert.equal(sum!.inputs.x!.dataId, mul!.outputs[0]!.dataId);
  assert.equal(sum!.values.size, 0, 'an earlier output is not copied');
  assert.deepEqual(sum!.attrs, { axis: null, keepDims: false });
  tf.dispose([a, result]);
});

test('records a kernel that runs another inside it once, as the engine called it', () => {
  const x = tf.tensor1d([5]);
  const { result, calls } = captureKernelCalls(
    () => tf.engine().runKernel('CaptureTestOuter', { x }) as tf.Tensor,
    new Set([x.dataId]),
  );
  assert.deepEqual(
    calls!.map((call) => call.kernelName),
    ['CaptureTestOuter'],
  );
  tf.dispose([x, result]);
});

test('leaves the registry’s kernel functions as they were, also when the function throws', () => {
  const before = kernelFuncs();
  captureKernelCalls(() => tf.tidy(() => tf.add(1, 2)), new Set());
  assert.deepEqual(kernelFuncs(), before);
  assert.throws(
    () =>
      captureKernelCalls(() => {
        tf.tidy(() => tf.add(1, 2));
        throw new Error('inside');
      }, new Set()),
    /inside/,
  );
  assert.deepEqual(kernelFuncs(), before);
});
