import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadMnist, normalise as engineNormalise } from '../../experiments/lib/engine/dataset.ts';
import { correlation } from '../helpers/correlation.ts';
import {
  MNIST_SIZE,
  boundingBox,
  centreOfMass,
  decodePixels,
  inkFromRgba,
  normalise,
  resize,
  toMnist,
  type InkImage,
} from '../../site/demo/preprocess.ts';

/** A blank ink image with the given rectangles (x, y, width, height) filled with `value`. */
function strokes(
  width: number,
  height: number,
  rects: Array<[x: number, y: number, w: number, h: number, value?: number]>,
): InkImage {
  const data = new Float32Array(width * height);
  for (const [x0, y0, w, h, value = 1] of rects) {
    for (let y = y0; y < y0 + h; y++) for (let x = x0; x < x0 + w; x++) data[y * width + x] = value;
  }
  return { data, width, height };
}

/** The rows and columns of a 28×28 MNIST image that hold ink, as a box. */
function inkBox(pixels: Uint8ClampedArray) {
  return boundingBox({ data: Float32Array.from(pixels), width: MNIST_SIZE, height: MNIST_SIZE });
}

/**
 * RGBA pixels of a `size`×`size` image of `background` grey with an `ink` grey stroke in the middle:
 * columns size/4 to 3·size/8, rows size/4 to 3·size/4 (a stroke, narrower than the background window).
 */
function photo(size: number, background: number, ink: number): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const inside = x >= size / 4 && x < (3 * size) / 8 && y >= size / 4 && y < (3 * size) / 4;
      rgba.set(
        [inside ? ink : background, inside ? ink : background, inside ? ink : background, 255],
        (y * size + x) * 4,
      );
    }
  }
  return rgba;
}

describe('demo preprocessing', () => {
  test('the bounding box is the smallest rectangle holding every inked pixel', () => {
    const image = strokes(100, 80, [
      [10, 20, 5, 30],
      [40, 15, 3, 2],
    ]);
    assert.deepEqual(boundingBox(image), { x0: 10, y0: 15, x1: 43, y1: 50 });
  });

  test('a blank image has no bounding box and no MNIST digit', () => {
    const blank = strokes(50, 50, []);
    assert.equal(boundingBox(blank), null);
    assert.equal(toMnist(blank), null);
  });

  test('a square stroke anywhere on the canvas becomes a full 20×20 block with its centre on pixel 14', () => {
    const pixels = toMnist(strokes(200, 150, [[120, 10, 40, 40]]))!;
    // Centre of mass 10 → shifted by round(14.5 − 10) = 5.
    assert.deepEqual(inkBox(pixels), { x0: 5, y0: 5, x1: 25, y1: 25 });
    assert.ok(
      pixels.every((p) => p === 0 || p === 255),
      'an axis-aligned square needs no grey edges',
    );
  });

  test('scaling keeps the aspect ratio: a tall bar fills 20 rows and a quarter as many columns', () => {
    const pixels = toMnist(strokes(300, 300, [[100, 50, 20, 80]]))!;
    const box = inkBox(pixels)!;
    assert.equal(box.y1 - box.y0, 20);
    assert.equal(box.x1 - box.x0, 5);
  });

  test('a small stroke is scaled up so its longer side is 20 pixels', () => {
    const pixels = toMnist(strokes(60, 60, [[30, 30, 10, 5]]))!;
    const box = inkBox(pixels)!;
    assert.equal(box.x1 - box.x0, 20);
    assert.equal(box.y1 - box.y0, 10);
  });

  test('the digit is centred by its centre of mass, not by its bounding box', () => {
    // A heavy left half and a thin line at the right edge: the box's centre lies right of the mass.
    const image = strokes(100, 100, [
      [10, 10, 20, 40],
      [49, 10, 1, 40],
    ]);
    const pixels = toMnist(image)!;
    const box = inkBox(pixels)!;
    // Scaled to 20×20: 200 units of ink at x = 5 and a half-ink column of 20 at x = 19.5, so the
    // centre of mass is at 1195 / 210 = 5.69 and the shift round(14.5 − 5.69) = 9.
    assert.equal(box.x0, 9, 'centring the box would put the left edge at column 5');
    const centre = centreOfMass({ data: Float32Array.from(pixels), width: MNIST_SIZE, height: MNIST_SIZE })!;
    assert.ok(Math.abs(centre.x - 14.5) <= 0.5, `centre of mass x ${centre.x}`);
    assert.ok(Math.abs(centre.y - 14.5) <= 0.5, `centre of mass y ${centre.y}`);
  });

  test('downscaling averages areas, so a one-pixel line in a 40-pixel box becomes half ink', () => {
    const scaled = resize(strokes(40, 1, [[39, 0, 1, 1]]), 20, 1);
    assert.equal(scaled.data[19], 0.5);
    assert.equal(scaled.data[18], 0);
  });

  test('dark ink on light paper is inverted to white ink on black', () => {
    const ink = inkFromRgba(photo(40, 255, 0), 40, 40);
    assert.equal(ink.data[20 * 40 + 12], 1);
    assert.equal(ink.data[0], 0);
  });

  test('white ink on black (the drawing canvas) is kept as it is', () => {
    const ink = inkFromRgba(photo(40, 0, 255), 40, 40);
    assert.equal(ink.data[20 * 40 + 12], 1);
    assert.equal(ink.data[0], 0);
  });

  test("a grey photo's contrast is stretched so paper becomes 0 and the darkest ink 1", () => {
    const ink = inkFromRgba(photo(40, 190, 70), 40, 40);
    assert.equal(ink.data[20 * 40 + 12], 1);
    assert.equal(ink.data[0], 0);
    assert.deepEqual(boundingBox(ink), { x0: 10, y0: 10, x1: 15, y1: 30 });
  });

  test('transparent pixels count as white paper', () => {
    const rgba = photo(40, 0, 0);
    for (let i = 0; i < 40 * 40; i++)
      if (i % 40 < 10 || i % 40 >= 15 || i < 10 * 40 || i >= 30 * 40) rgba[i * 4 + 3] = 0;
    const ink = inkFromRgba(rgba, 40, 40);
    assert.equal(ink.data[20 * 40 + 12], 1);
    assert.equal(ink.data[0], 0);
  });

  test('MNIST digits photographed as dark ink on grey paper come back as the MNIST images', async () => {
    const mnist = await loadMnist();
    const count = 200;
    let nearlyIdentical = 0;
    for (let index = 0; index < count; index++) {
      const original = mnist.test.images.subarray(index * 784, (index + 1) * 784);
      // Upscaled ten times, ink 25 on paper 215, as a phone photo of a printed digit might be.
      const rgba = new Uint8ClampedArray(280 * 280 * 4);
      for (let y = 0; y < 280; y++) {
        for (let x = 0; x < 280; x++) {
          const grey = Math.round(
            215 - (original[Math.floor(y / 10) * 28 + Math.floor(x / 10)]! / 255) * 190,
          );
          rgba.set([grey, grey, grey, 255], (y * 280 + x) * 4);
        }
      }
      if (correlation(original, toMnist(inkFromRgba(rgba, 280, 280))!) > 0.95) nearlyIdentical++;
    }
    // The rest differ by a one-pixel shift where the centre of mass rounds the other way.
    assert.ok(nearlyIdentical >= 0.9 * count, `${nearlyIdentical} of ${count} come back nearly identical`);
  });

  test('normalisation is bit-for-bit the engine’s for every pixel value', () => {
    const all = Uint8Array.from({ length: 784 }, (_, i) => i % 256);
    assert.deepEqual(normalise(all), engineNormalise(all));
    assert.equal(normalise(new Uint8Array(784))[0], -1);
  });

  test('base64 test digits decode to their 784 raw pixels', () => {
    const pixels = Uint8Array.from({ length: 784 }, (_, i) => (i * 7) % 256);
    assert.deepEqual(decodePixels(Buffer.from(pixels).toString('base64')), Uint8ClampedArray.from(pixels));
  });

  test('inputs of the wrong size are rejected with the sizes in the message', () => {
    assert.throws(() => normalise(new Uint8Array(10)), {
      message: 'normalise: has 10 values, expected 28×28 = 784',
    });
    assert.throws(() => inkFromRgba(new Uint8ClampedArray(12), 2, 2), {
      message: 'inkFromRgba: has 12 values, expected 2×2×4 = 16',
    });
    assert.throws(() => boundingBox({ data: new Float32Array(4), width: 0, height: 4 }), {
      message: 'boundingBox: size must be positive whole pixels, got 0×4',
    });
    assert.throws(() => resize(strokes(4, 4, []), 2.5, 2), {
      message: 'resize target: size must be positive whole pixels, got 2.5×2',
    });
    assert.throws(() => decodePixels(Buffer.from([1, 2, 3]).toString('base64')), {
      message: 'decodePixels: has 3 values, expected 28×28 = 784',
    });
  });
});
