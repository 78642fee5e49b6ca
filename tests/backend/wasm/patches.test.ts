// im2col and col2im of the SIMD module, through experiments/lib/backend/wasm/patches.ts, against
// plain loops: im2col only copies and col2im adds each element's terms in the loops' order, so
// both are compared bit for bit.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeProducts } from '../../../experiments/lib/backend/blas/openblas.ts';
import {
  addPatches,
  fillRows,
  forEachChunk,
  PATCH_CHUNK_FLOATS,
  patchConvolution,
  transposeInto,
  writePatchColumns,
  writePatches,
} from '../../../experiments/lib/backend/wasm/patches.ts';
import { onWasmWithKernels, randomTensor, randomValues } from './values.ts';
import { requireBlas, skipWithoutBlas } from '../../helpers/blas.ts';

interface PatchCase {
  xShape: [number, number, number, number];
  filterShape: [number, number, number, number];
  strides: [number, number];
}

const CASES: PatchCase[] = [
  // Runs of 5 floats (one vector and one float), of 30 (seven vectors and two floats), of 2 and 3
  // floats (shorter than a vector) and of 12 (whole vectors), with strides.
  { xShape: [2, 28, 28, 1], filterShape: [5, 5, 1, 6], strides: [1, 1] },
  { xShape: [2, 12, 12, 6], filterShape: [5, 5, 6, 16], strides: [1, 1] },
  { xShape: [2, 7, 8, 1], filterShape: [2, 2, 1, 3], strides: [2, 1] },
  { xShape: [1, 6, 9, 3], filterShape: [2, 1, 3, 2], strides: [1, 2] },
  { xShape: [3, 9, 10, 4], filterShape: [3, 3, 4, 2], strides: [2, 3] },
  { xShape: [2, 5, 5, 1], filterShape: [3, 3, 1, 2], strides: [1, 1] },
];

/** The patch matrix by plain loops: row (b, oh, ow), columns (kh, kw, ci). */
function referencePatches(
  x: Float32Array,
  { xShape, filterShape, strides }: PatchCase,
  outH: number,
  outW: number,
) {
  const [n, h, w, c] = xShape;
  const [fh, fw] = filterShape;
  const patches: number[] = [];
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let kh = 0; kh < fh; kh++)
          for (let kw = 0; kw < fw; kw++)
            for (let ci = 0; ci < c; ci++)
              patches.push(x[((b * h + oh * strides[0] + kh) * w + ow * strides[1] + kw) * c + ci]!);
  return Float32Array.from(patches);
}

/** col2im by plain loops, every sum rounded to float32, positions in order. */
function referenceImage(
  patches: Float32Array,
  { xShape, filterShape, strides }: PatchCase,
  outH: number,
  outW: number,
) {
  const [n, h, w, c] = xShape;
  const [fh, fw] = filterShape;
  const dx = new Float32Array(n * h * w * c);
  let i = 0;
  for (let b = 0; b < n; b++)
    for (let oh = 0; oh < outH; oh++)
      for (let ow = 0; ow < outW; ow++)
        for (let kh = 0; kh < fh; kh++)
          for (let kw = 0; kw < fw; kw++)
            for (let ci = 0; ci < c; ci++) {
              const target = ((b * h + oh * strides[0] + kh) * w + ow * strides[1] + kw) * c + ci;
              dx[target] = dx[target]! + patches[i++]!;
            }
  return dx;
}

describe('patch matrices on the wasm heap', { skip: skipWithoutBlas }, () => {
  before(async () => {
    await onWasmWithKernels();
    nativeProducts.blas = requireBlas();
  });
  after(() => {
    nativeProducts.blas = undefined;
  });

  for (const [index, patchCase] of CASES.entries()) {
    const title = `${patchCase.xShape.join('×')} by ${patchCase.filterShape.join('×')}, strides ${patchCase.strides.join(',')}`;
    test(`im2col copies and col2im adds as plain loops do, bit for bit, for ${title}`, () => {
      const backend = tf.backend() as BackendWasm;
      const convolution = patchConvolution(backend, ['float32'], patchCase.xShape, patchCase.filterShape, {
        strides: patchCase.strides,
        pad: 'valid',
      });
      assert.ok(convolution !== undefined, 'the patch path takes an unpadded convolution');
      const { outHeight, outWidth } = convolution.info;
      const x = randomTensor(patchCase.xShape, 100 + index);
      const expectedPatches = referencePatches(x.dataSync() as Float32Array, patchCase, outHeight, outWidth);
      const rows = randomValues(expectedPatches.length, 200 + index);
      const expectedImage = referenceImage(rows, patchCase, outHeight, outWidth);
      // The whole batch as one chunk, then one image at a time (the offsets into x and dx).
      for (const chunkImages of [patchCase.xShape[0], 1]) {
        const chunked = { ...convolution, chunkImages };
        const patchValues = new Float32Array(expectedPatches.length);
        const dx = backend.makeOutput(patchCase.xShape, 'float32');
        (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
        let chunks = 0;
        forEachChunk(backend, chunked, (first, images, patches) => {
          chunks++;
          const start = first * outHeight * outWidth * convolution.patchSize;
          const length = images * outHeight * outWidth * convolution.patchSize;
          writePatches(backend, chunked, x, patches, first, images);
          patchValues.set((backend.typedArrayFromHeap(patches) as Float32Array).subarray(0, length), start);
          (backend.typedArrayFromHeap(patches) as Float32Array).set(rows.subarray(start, start + length));
          addPatches(backend, chunked, patches, dx, first, images);
        });
        assert.equal(chunks, patchCase.xShape[0] / chunkImages);
        assert.deepEqual(patchValues, expectedPatches, `im2col, ${chunkImages} images a chunk`);
        assert.deepEqual(
          (backend.typedArrayFromHeap(dx) as Float32Array).slice(),
          expectedImage,
          `col2im, ${chunkImages} images a chunk`,
        );
        backend.disposeData(dx.dataId);
      }
      // One channel and a horizontal stride of 1: the transposed layout, the same values.
      assert.equal(convolution.columns, patchCase.xShape[3] === 1 && patchCase.strides[1] === 1);
      if (convolution.columns) {
        const positions = expectedPatches.length / convolution.patchSize;
        const expectedColumns = new Float32Array(expectedPatches.length);
        for (let p = 0; p < positions; p++)
          for (let k = 0; k < convolution.patchSize; k++)
            expectedColumns[k * positions + p] = expectedPatches[p * convolution.patchSize + k]!;
        const chunked = { ...convolution, chunkImages: patchCase.xShape[0] };
        forEachChunk(backend, chunked, (first, images, patches) => {
          writePatchColumns(backend, chunked, x, patches, first, images);
          assert.deepEqual(
            (backend.typedArrayFromHeap(patches) as Float32Array).slice(0, expectedColumns.length),
            expectedColumns,
            'im2colColumns',
          );
        });
      }
      x.dispose();
    });
  }

  test('padding, dilation, other data types and NCHW data are left to the other paths', () => {
    const backend = tf.backend() as BackendWasm;
    const shapes: [[number, number, number, number], [number, number, number, number]] = [
      [1, 8, 8, 2],
      [3, 3, 2, 2],
    ];
    assert.ok(patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 'valid' }) !== undefined);
    assert.equal(patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 'same' }), undefined);
    assert.equal(patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 1 }), undefined);
    assert.equal(patchConvolution(backend, ['int32'], ...shapes, { strides: 1, pad: 'valid' }), undefined);
    assert.equal(
      patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 'valid', dataFormat: 'NCHW' }),
      undefined,
    );
    assert.equal(
      patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 'valid' }, 2),
      undefined,
    );
    nativeProducts.blas = undefined;
    assert.equal(patchConvolution(backend, ['float32'], ...shapes, { strides: 1, pad: 'valid' }), undefined);
    nativeProducts.blas = requireBlas();
  });

  test('a batch runs in chunks of whole images whose patches fit in PATCH_CHUNK_FLOATS', () => {
    const backend = tf.backend() as BackendWasm;
    const conv1 = patchConvolution(backend, ['float32'], [64, 28, 28, 1], [5, 5, 1, 6], {
      strides: 1,
      pad: 'valid',
    })!;
    assert.equal(conv1.chunkImages, Math.floor(PATCH_CHUNK_FLOATS / (24 * 24 * 25)));
    const huge = patchConvolution(backend, ['float32'], [2, 600, 600, 1], [5, 5, 1, 1], {
      strides: 1,
      pad: 'valid',
    })!;
    assert.equal(huge.chunkImages, 1);
    const small = patchConvolution(backend, ['float32'], [3, 6, 6, 1], [3, 3, 1, 1], {
      strides: 1,
      pad: 'valid',
    })!;
    assert.equal(small.chunkImages, 3);
  });

  test('transposeInto writes a channels × positions matrix as positions × channels, bit for bit', () => {
    const backend = tf.backend() as BackendWasm;
    const simd = patchConvolution(backend, ['float32'], [1, 3, 3, 1], [1, 1, 1, 1], {
      strides: 1,
      pad: 'valid',
    })!.simd;
    for (const channels of [1, 3, 4, 6, 9, 16]) {
      for (const positions of [1, 4, 7, 12]) {
        const source = tf.tensor(randomValues(channels * positions, channels * 100 + positions));
        const target = backend.makeOutput([positions * channels], 'float32');
        const sourceValues = backend.typedArrayFromHeap(source) as Float32Array;
        const targetValues = backend.typedArrayFromHeap(target) as Float32Array;
        transposeInto(simd, sourceValues, targetValues, channels, positions);
        const expected = new Float32Array(positions * channels);
        for (let c = 0; c < channels; c++)
          for (let p = 0; p < positions; p++) expected[p * channels + c] = sourceValues[c * positions + p]!;
        assert.deepEqual(targetValues.slice(), expected, `${channels} channels, ${positions} positions`);
        backend.disposeData(target.dataId);
        source.dispose();
      }
    }
  });

  test('fillRows repeats a row to fill any whole number of rows', () => {
    for (const rows of [1, 2, 3, 7, 64]) {
      const values = new Float32Array(rows * 3);
      fillRows(values, Float32Array.of(1, 2, 3));
      assert.deepEqual([...values], Array.from({ length: rows }, () => [1, 2, 3]).flat());
    }
  });
});
