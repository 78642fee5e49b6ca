import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  closing,
  components,
  inkFromPhoto,
  opening1d,
  otsuThreshold,
  slidingExtreme,
} from '../../site/demo/photo.ts';

const round = (values: Float32Array) => Array.from(values, (v) => Math.round(v * 1000) / 1000);

describe('photo preprocessing steps', () => {
  test('the sliding maximum and minimum take the window clipped at the borders', () => {
    const row = Float32Array.from([5, 1, 2, 9, 3, 0, 4, 4, 7, 1]);
    assert.deepEqual(Array.from(slidingExtreme(row, 10, 1, 1, 'max', true)), [5, 5, 9, 9, 9, 4, 4, 7, 7, 7]);
    assert.deepEqual(Array.from(slidingExtreme(row, 10, 1, 2, 'min', true)), [1, 1, 1, 0, 0, 0, 0, 0, 1, 1]);
    assert.deepEqual(Array.from(slidingExtreme(row, 1, 10, 1, 'max', false)), [5, 5, 9, 9, 9, 4, 4, 7, 7, 7]);
  });

  test('closing removes a dark stroke narrower than the window and keeps a lighting ramp exactly', () => {
    // 12×1 ramp from 0.5 to 0.94 with a two-pixel dark stroke at x = 5, 6. Within `radius` of the
    // ends the window is clipped, so there the ramp is not restored exactly; under the stroke the
    // background is the ramp's value just before it (0.66 for 0.70 and 0.74).
    const ramp = Float32Array.from({ length: 12 }, (_, x) => 0.5 + 0.04 * x);
    const photo = ramp.slice();
    photo[5] = 0.1;
    photo[6] = 0.1;
    const background = round(closing(photo, 12, 1, 2));
    assert.deepEqual(background.slice(2, 5), round(ramp).slice(2, 5));
    assert.deepEqual(background.slice(7, 10), round(ramp).slice(7, 10));
    assert.deepEqual(background.slice(5, 7), [0.66, 0.66]);
  });

  test('closing keeps a shadow edge wider than the window', () => {
    const step = Float32Array.from({ length: 12 }, (_, x) => (x < 6 ? 0.9 : 0.5));
    assert.deepEqual(Array.from(closing(step, 12, 1, 2)), Array.from(step));
  });

  test("Otsu's threshold splits two clusters between them", () => {
    const values = Float32Array.from([0.1, 0.12, 0.1, 0.11, 0.8, 0.82, 0.79]);
    const t = otsuThreshold(values);
    assert.ok(t > 0.12 && t <= 0.79, `threshold ${t}`);
    assert.equal(otsuThreshold(Float32Array.from([0, 0, 1, 1])), 1 / 256);
  });

  test('a horizontal opening finds a line as long as the window but not a shorter stroke', () => {
    // 10×2: row 0 a full-width line of 0.2, row 1 a 3-pixel stroke of 0.8.
    const image = Float32Array.from([...new Array(10).fill(0.2), 0, 0, 0.8, 0.8, 0.8, 0, 0, 0, 0, 0]);
    const lines = opening1d(image, 10, 2, 3, true);
    assert.deepEqual(round(lines.subarray(0, 10)), new Array(10).fill(0.2));
    assert.deepEqual(Array.from(lines.subarray(10)), new Array(10).fill(0));
  });

  test('components are 8-connected, count their strong pixels and know when they touch the edge', () => {
    // 5×4: a diagonal pair (one component), an isolated pixel touching the right edge.
    const mask = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]);
    const strong = Uint8Array.from([0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const { labels, strongCounts, touchesEdge } = components(mask, strong, 5, 4);
    assert.equal(labels[6], labels[12]);
    assert.notEqual(labels[6], labels[9]);
    assert.deepEqual(strongCounts, [0, 1, 1]);
    assert.equal(touchesEdge[labels[6]!], false);
    assert.equal(touchesEdge[labels[9]!], true);
  });

  test('a dark stroke on shaded, ruled paper comes out as the only ink, near full strength', () => {
    const width = 60;
    const height = 60;
    const light = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = 0.95 - (0.3 * x) / width; // lit from the left
        if (y % 10 === 0) v *= 0.85; // rulings
        if (x >= 28 && x < 32 && y >= 15 && y < 45) v *= 0.25; // the stroke
        light[y * width + x] = v;
      }
    }
    const ink = inkFromPhoto(light, width, height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const inStroke = x >= 28 && x < 32 && y >= 15 && y < 45;
        // Where a ruling crosses the stroke the ruling's own darkness is taken off: about 0.85.
        if (inStroke)
          assert.ok(ink[y * width + x]! > 0.8, `stroke pixel (${x}, ${y}) is ${ink[y * width + x]}`);
        else assert.equal(ink[y * width + x], 0, `paper pixel (${x}, ${y})`);
      }
    }
  });

  test('blank paper with only a gradient has no ink', () => {
    const light = Float32Array.from({ length: 40 * 40 }, (_, i) => 0.6 + (0.3 * (i % 40)) / 40);
    assert.ok(inkFromPhoto(light, 40, 40).every((v) => v === 0));
  });
});
