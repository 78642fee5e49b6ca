import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { on, onWasmWithKernels, randomValues } from '../values.ts';

before(onWasmWithKernels);

describe('wasm slices', () => {
  const CASES: {
    title: string;
    shape: number[];
    begin: number[];
    size: number[];
    dtype?: 'int32' | 'bool';
  }[] = [
    {
      title: "MLP-2's centre crop of a batch",
      shape: [64, 28, 28, 1],
      begin: [0, 4, 4, 0],
      size: [64, 20, 20, 1],
    },
    { title: 'rows of a matrix (one contiguous run)', shape: [10, 7], begin: [3, 0], size: [4, -1] },
    { title: 'columns of a matrix', shape: [10, 70], begin: [2, 3], size: [5, 66] },
    { title: 'a middle axis', shape: [4, 6, 5], begin: [1, 2, 0], size: [2, 3, 5] },
    { title: 'partial channels', shape: [2, 5, 5, 3], begin: [1, 1, 2, 1], size: [1, 3, 2, 2] },
    { title: 'a whole tensor', shape: [3, 4], begin: [0, 0], size: [3, 4] },
    { title: 'an empty slice', shape: [5, 6], begin: [2, 1], size: [0, 3] },
    { title: 'rank 5', shape: [2, 3, 4, 5, 6], begin: [1, 0, 1, 2, 3], size: [1, 3, 2, 3, 2] },
    { title: 'int32 values', shape: [6, 9], begin: [1, 2], size: [4, 5], dtype: 'int32' },
    { title: 'bool values (left to wasm)', shape: [6, 9], begin: [1, 2], size: [4, 5], dtype: 'bool' },
  ];
  for (const c of CASES) {
    test(`${c.title}: the cpu backend's slice, exactly`, async () => {
      const values = randomValues(
        c.shape.reduce((a, b) => a * b, 1),
        17,
      );
      const slice = () => {
        const x =
          c.dtype === 'int32'
            ? tf.tensor(
                Int32Array.from(values, (v) => Math.round(v * 1000)),
                c.shape,
                'int32',
              )
            : c.dtype === 'bool'
              ? tf.tensor(
                  Uint8Array.from(values, (v) => (v > 0 ? 1 : 0)),
                  c.shape,
                  'bool',
                )
              : tf.tensor(values, c.shape);
        const y = tf.slice(x, c.begin, c.size);
        const result = { shape: y.shape, values: Array.from(y.dataSync()) };
        tf.dispose([x, y]);
        return result;
      };
      const expected = await on('cpu', slice);
      const dataIds = (await on('wasm', () => tf.engine().backend)).numDataIds();
      const actual = await on('wasm', slice);
      assert.equal(tf.engine().backend.numDataIds(), dataIds);
      assert.deepEqual(actual, expected);
    });
  }
});
