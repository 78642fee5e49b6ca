/**
 * Turns a reader's drawing or photo into an MNIST-style digit, the way MNIST itself was made
 * (LeCun et al.): crop to the ink's bounding box, scale it to fit a 20×20 box keeping the aspect
 * ratio (with area averaging, which gives the grey anti-aliased edges MNIST digits have), then
 * place it in a 28×28 field so that its centre of mass sits at the centre (as MNIST has it: on the
 * centre of pixel (14, 14)). White ink on black.
 *
 * Pure functions over typed arrays and sizes, no DOM, so they run (and are tested) in Node and are
 * bundled unchanged for the browser.
 *
 * Photos of dark ink on light paper are first read off the paper by ./photo.ts.
 *
 * An "ink image" is a row-major Float32Array of `width × height` values in [0, 1]: 0 = background,
 * 1 = full ink. e.g. { data: Float32Array [0, 0.5, 1, 0], width: 2, height: 2 }
 */
import { inkFromPhoto } from './photo.ts';

import { IMAGE_SIZE } from '../../experiments/lib/contract/image.ts';

/** Side of an MNIST image, pixels: the engine's IMAGE_SIZE. */
export const MNIST_SIZE = IMAGE_SIZE;
/** Side of the box the digit is scaled into before centring, pixels. */
export const DIGIT_BOX = 20;
/**
 * Where the centre of mass goes, in the coordinates of `centreOfMass`: the centre of pixel (14, 14).
 * Measured, not assumed: MNIST's test digits have their centre of mass at (14.50, 14.49) on average.
 */
export const MNIST_CENTRE = 14.5;
/** Ink below this (after contrast stretching of a white-on-black image) counts as background. */
export const INK_FLOOR = 0.2;

export interface InkImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** Pixel rectangle, `x1`/`y1` exclusive. e.g. { x0: 3, y0: 5, x1: 10, y1: 25 } */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

function checkSize(length: number, width: number, height: number, channels: number, what: string): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`${what}: size must be positive whole pixels, got ${width}×${height}`);
  }
  if (length !== width * height * channels) {
    throw new RangeError(
      `${what}: has ${length} values, expected ${width}×${height}${channels > 1 ? `×${channels}` : ''} = ${width * height * channels}`,
    );
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * RGBA pixels (as from a canvas's getImageData) → ink image. Transparent pixels count as white
 * paper. The background is the median of the border pixels. When it is light (a photo of dark ink
 * on paper) the ink is read off the paper by ./photo.ts (background removal, adaptive threshold,
 * largest components). Otherwise (white ink on black: the drawing canvas, an MNIST-style image) the
 * contrast is stretched so the background becomes 0 and the strongest ink 1, and values under
 * `INK_FLOOR` become 0.
 */
export function inkFromRgba(rgba: Uint8ClampedArray, width: number, height: number): InkImage {
  checkSize(rgba.length, width, height, 4, 'inkFromRgba');
  const light = new Float32Array(width * height);
  for (let i = 0; i < light.length; i++) {
    const alpha = rgba[i * 4 + 3]! / 255;
    const luma = (0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!) / 255;
    light[i] = luma * alpha + (1 - alpha);
  }
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(light[x]!, light[(height - 1) * width + x]!);
  for (let y = 0; y < height; y++) border.push(light[y * width]!, light[y * width + width - 1]!);
  const background = median(border);
  if (background > 0.5) return { data: inkFromPhoto(light, width, height), width, height };
  let peak = 0;
  for (const v of light) peak = Math.max(peak, v);
  const range = peak - background;
  const data = new Float32Array(light.length);
  for (let i = 0; i < data.length; i++) {
    const stretched = range > 0 ? (light[i]! - background) / range : 0;
    data[i] = stretched < INK_FLOOR ? 0 : Math.min(1, stretched);
  }
  return { data, width, height };
}

/** The smallest box holding every pixel with ink (> 0), or null for a blank image. */
export function boundingBox(image: InkImage): Box | null {
  const { data, width, height } = image;
  checkSize(data.length, width, height, 1, 'boundingBox');
  let x0 = width;
  let y0 = height;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x]! > 0) {
        x0 = Math.min(x0, x);
        y0 = Math.min(y0, y);
        x1 = Math.max(x1, x + 1);
        y1 = Math.max(y1, y + 1);
      }
    }
  }
  return x1 === 0 ? null : { x0, y0, x1, y1 };
}

/** The part of `image` inside `box`. */
export function crop(image: InkImage, box: Box): InkImage {
  const width = box.x1 - box.x0;
  const height = box.y1 - box.y0;
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (box.y0 + y) * image.width + box.x0;
    data.set(image.data.subarray(from, from + width), y * width);
  }
  return { data, width, height };
}

/**
 * For each of `to` output cells, the input cells it covers and their weights (summing to 1) when
 * `from` cells are stretched onto `to` cells: a box filter, exact for fractional overlaps.
 */
function areaWeights(from: number, to: number): Array<Array<[index: number, weight: number]>> {
  const scale = from / to;
  return Array.from({ length: to }, (_, out) => {
    const start = out * scale;
    const end = start + scale;
    const cells: Array<[number, number]> = [];
    for (let i = Math.floor(start); i < Math.min(from, Math.ceil(end)); i++) {
      const overlap = Math.min(end, i + 1) - Math.max(start, i);
      if (overlap > 0) cells.push([i, overlap / scale]);
    }
    return cells;
  });
}

/** Resamples `image` to `width × height` by area averaging (separable box filter). */
export function resize(image: InkImage, width: number, height: number): InkImage {
  checkSize(image.data.length, image.width, image.height, 1, 'resize');
  checkSize(width * height, width, height, 1, 'resize target');
  const columns = areaWeights(image.width, width);
  const rows = areaWeights(image.height, height);
  const wide = new Float32Array(width * image.height);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [i, w] of columns[x]!) sum += image.data[y * image.width + i]! * w;
      wide[y * width + x] = sum;
    }
  }
  const data = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [i, w] of rows[y]!) sum += wide[i * width + x]! * w;
      data[y * width + x] = sum;
    }
  }
  return { data, width, height };
}

/**
 * Centre of mass of the ink in pixel units, pixel (x, y) covering [x, x+1) × [y, y+1), so pixel
 * (14, 14) has its centre at (14.5, 14.5). Null for a blank image.
 */
export function centreOfMass(image: InkImage): { x: number; y: number } | null {
  let mass = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x]!;
      mass += v;
      sumX += v * (x + 0.5);
      sumY += v * (y + 0.5);
    }
  }
  return mass > 0 ? { x: sumX / mass, y: sumY / mass } : null;
}

/**
 * The MNIST procedure: ink image of any size → 784 raw pixels (0–255, row-major 28×28, white ink
 * on black), like an MNIST test image. Null when there is no ink.
 */
export function toMnist(image: InkImage): Uint8ClampedArray | null {
  const box = boundingBox(image);
  if (!box) return null;
  const digit = crop(image, box);
  const scale = DIGIT_BOX / Math.max(digit.width, digit.height);
  const scaled = resize(
    digit,
    Math.max(1, Math.round(digit.width * scale)),
    Math.max(1, Math.round(digit.height * scale)),
  );
  const centre = centreOfMass(scaled)!;
  const left = Math.round(MNIST_CENTRE - centre.x);
  const top = Math.round(MNIST_CENTRE - centre.y);
  const pixels = new Uint8ClampedArray(MNIST_SIZE * MNIST_SIZE);
  for (let y = 0; y < scaled.height; y++) {
    for (let x = 0; x < scaled.width; x++) {
      const tx = x + left;
      const ty = y + top;
      if (tx < 0 || ty < 0 || tx >= MNIST_SIZE || ty >= MNIST_SIZE) continue;
      pixels[ty * MNIST_SIZE + tx] = Math.round(scaled.data[y * scaled.width + x]! * 255);
    }
  }
  return pixels;
}

/**
 * Raw MNIST pixels (0–255; `count` images of 784 one after another) → the models' input values, normalised exactly as in training:
 * (pixel / 255 − 0.5) / 0.5 with float32 rounding at each step, so background is −1 and full ink +1.
 * The same arithmetic as experiments/lib/engine/dataset.ts's `normalise`, repeated here because that module
 * reads files with node:fs and cannot be bundled for the browser (a test checks they agree).
 */
export function normalise(pixels: ArrayLike<number>, count = 1): Float32Array {
  checkSize(pixels.length, MNIST_SIZE, MNIST_SIZE * count, 1, 'normalise');
  return Float32Array.from(pixels, (p) => Math.fround(Math.fround(p / 255) - 0.5) / 0.5);
}

/** Decodes a results file's `pixelsBase64` (784 raw bytes) without Node's Buffer. */
export function decodePixels(base64: string): Uint8ClampedArray {
  return decodeMany(base64, 1);
}

/** Decodes `count` images of 784 raw bytes each, stored one after another in `base64`. */
export function decodeMany(base64: string, count: number): Uint8ClampedArray {
  const binary = atob(base64);
  const pixels = Uint8ClampedArray.from(binary, (c) => c.charCodeAt(0));
  checkSize(pixels.length, MNIST_SIZE, MNIST_SIZE * count, 1, 'decodePixels');
  return pixels;
}
