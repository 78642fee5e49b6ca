/**
 * Reads a dark digit off a photo of light paper that is unevenly lit, shaded, noisy or ruled:
 * 1. background: a morphological closing of the lightness (a sliding maximum, which wipes out ink
 *    strokes narrower than the window, then a sliding minimum, which brings back the shape of the
 *    lighting, gradients and shadow edges included);
 * 2. ink: how much darker each pixel is than its background, relative to it (so a digit in shadow
 *    is as dark as one in the light);
 * 3. threshold (after step 4): Otsu's, with hysteresis: pixels above half of it (`WEAK_FLOOR` at
 *    least) that touch one above it stay, so
 *    the digit keeps its grey edges while paper grain and faint rulings go;
 * 4. rulings: what is dark along a line longer than `RULING_FRACTION` of the image's width (or
 *    height) is a line of the paper, not of a digit: a morphological opening along rows (and columns)
 *    with a window that long finds it, and it is subtracted before thresholding;
 * 5. components: the largest connected blob of ink and those at least `KEEP_FRACTION` of its size
 *    (a 5's separate top bar) are kept, specks and smudges dropped. Blobs touching the image's edge
 *    (the tip of a shadow, the table beyond the page) count only when nothing else is there.
 * ./preprocess.ts then crops, scales and centres the result like MNIST.
 *
 * Hand-written rather than a library: image-js, the maintained JavaScript image library that has
 * these operations, added about 250 KB (minified) to the page, works on 8-bit images and computes a
 * w-wide morphology window in O(w) per pixel; these steps are ~150 lines, O(1) per pixel whatever
 * the window, on the float images the rest of the pipeline uses. Pure functions, no DOM.
 *
 * Images here are row-major Float32Array of `width × height` values in [0, 1], as in ./preprocess.ts.
 */

/** Window of the background closing, as a fraction of the image's longer side. */
export const BACKGROUND_WINDOW_FRACTION = 0.2;
/** Dark lines longer than this fraction of the image's side are rulings. */
export const RULING_FRACTION = 0.85;
/** Components with at least this fraction of the largest one's strong pixels are kept. */
export const KEEP_FRACTION = 0.2;
/**
 * The hysteresis' low threshold is half of Otsu's but never below this: where the lighting is not
 * monotone across the window (a gradient one way, a shadow the other) the closing overshoots the
 * paper by up to about 0.2, and that must not join the digit.
 */
export const WEAK_FLOOR = 0.25;
/** Otsu's threshold is never taken below this (a blank page has only grain to split). */
export const MIN_THRESHOLD = 0.12;

/**
 * Sliding maximum (or minimum) over `2·radius + 1` values along rows (`horizontal`) or columns,
 * the window clipped at the borders. O(1) per value with a monotonic deque.
 */
export function slidingExtreme(
  values: Float32Array,
  width: number,
  height: number,
  radius: number,
  kind: 'max' | 'min',
  horizontal: boolean,
): Float32Array {
  const out = new Float32Array(values.length);
  const lines = horizontal ? height : width;
  const length = horizontal ? width : height;
  const step = horizontal ? 1 : width;
  const deque = new Int32Array(length);
  const better = kind === 'max' ? (a: number, b: number) => a >= b : (a: number, b: number) => a <= b;
  for (let line = 0; line < lines; line++) {
    const base = horizontal ? line * width : line;
    let head = 0;
    let tail = 0;
    for (let i = 0; i < length + radius; i++) {
      if (i < length) {
        const v = values[base + i * step]!;
        while (tail > head && better(v, values[base + deque[tail - 1]! * step]!)) tail--;
        deque[tail++] = i;
      }
      const centre = i - radius;
      if (centre < 0) continue;
      while (deque[head]! < centre - radius) head++;
      out[base + centre * step] = values[base + deque[head]! * step]!;
    }
  }
  return out;
}

/** Morphological closing with a square window of side `2·radius + 1`: dilation (max), then erosion (min). */
export function closing(values: Float32Array, width: number, height: number, radius: number): Float32Array {
  const dilated = slidingExtreme(
    slidingExtreme(values, width, height, radius, 'max', true),
    width,
    height,
    radius,
    'max',
    false,
  );
  return slidingExtreme(
    slidingExtreme(dilated, width, height, radius, 'min', true),
    width,
    height,
    radius,
    'min',
    false,
  );
}

/**
 * Otsu's threshold of values in [0, 1] (256 bins): the level that maximises the between-class
 * variance. Returns the upper edge of the last bin of the lower class, e.g. 0.5 for half 0s, half 1s.
 */
export function otsuThreshold(values: Float32Array): number {
  const bins = 256;
  const histogram = new Float64Array(bins);
  for (const v of values) histogram[Math.min(bins - 1, Math.max(0, Math.floor(v * bins)))]!++;
  const total = values.length;
  let sumAll = 0;
  for (let i = 0; i < bins; i++) sumAll += i * histogram[i]!;
  let weightLow = 0;
  let sumLow = 0;
  let best = 0;
  let bestVariance = -1;
  for (let i = 0; i < bins - 1; i++) {
    weightLow += histogram[i]!;
    sumLow += i * histogram[i]!;
    const weightHigh = total - weightLow;
    if (weightLow === 0 || weightHigh === 0) continue;
    const meanLow = sumLow / weightLow;
    const meanHigh = (sumAll - sumLow) / weightHigh;
    const variance = weightLow * weightHigh * (meanLow - meanHigh) ** 2;
    if (variance > bestVariance) {
      bestVariance = variance;
      best = i;
    }
  }
  return (best + 1) / bins;
}

/**
 * Opening along rows (`horizontal`) or columns with a window of `2·radius + 1`: a sliding minimum,
 * then a sliding maximum. Keeps only what is bright along the whole window: a ruling, not a stroke.
 */
export function opening1d(
  values: Float32Array,
  width: number,
  height: number,
  radius: number,
  horizontal: boolean,
): Float32Array {
  const eroded = slidingExtreme(values, width, height, radius, 'min', horizontal);
  return slidingExtreme(eroded, width, height, radius, 'max', horizontal);
}

/**
 * 8-connected components of `mask` (1 = set). Returns a label per pixel (0 = background, 1…n) and,
 * per label, how many of its pixels are set in `strong` and whether it touches the image's edge
 * (index 0 unused).
 */
export function components(
  mask: Uint8Array,
  strong: Uint8Array,
  width: number,
  height: number,
): { labels: Int32Array; strongCounts: number[]; touchesEdge: boolean[] } {
  const labels = new Int32Array(mask.length);
  const strongCounts = [0];
  const touchesEdge = [false];
  const stack = new Int32Array(mask.length);
  for (let start = 0; start < mask.length; start++) {
    if (mask[start] !== 1 || labels[start] !== 0) continue;
    const label = strongCounts.length;
    let count = 0;
    let edge = false;
    let top = 0;
    stack[top++] = start;
    labels[start] = label;
    while (top > 0) {
      const p = stack[--top]!;
      if (strong[p] === 1) count++;
      const x = p % width;
      const y = (p - x) / width;
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) edge = true;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
          const q = ny * width + nx;
          if (mask[q] === 1 && labels[q] === 0) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    strongCounts.push(count);
    touchesEdge.push(edge);
  }
  return { labels, strongCounts, touchesEdge };
}

/**
 * Lightness of a photo of dark ink on light paper (values in [0, 1], 1 = white) → ink image
 * (0 = paper, 1 = full ink), steps 1–5 above. All zeros when no ink stands out.
 */
export function inkFromPhoto(light: Float32Array, width: number, height: number): Float32Array {
  const radius = Math.max(2, Math.round((Math.max(width, height) * BACKGROUND_WINDOW_FRACTION) / 2));
  const background = closing(light, width, height, radius);
  const darkness = new Float32Array(light.length);
  for (let i = 0; i < light.length; i++) {
    const b = Math.max(background[i]!, 0.05);
    darkness[i] = Math.min(1, Math.max(0, (b - light[i]!) / b));
  }
  for (const horizontal of [true, false]) {
    const run = Math.round((horizontal ? width : height) * RULING_FRACTION);
    const rulings = opening1d(darkness, width, height, Math.floor(run / 2), horizontal);
    for (let i = 0; i < darkness.length; i++) darkness[i] = darkness[i]! - rulings[i]!;
  }
  const threshold = Math.max(MIN_THRESHOLD, otsuThreshold(darkness));
  const weak = new Uint8Array(light.length);
  const strong = new Uint8Array(light.length);
  for (let i = 0; i < light.length; i++) {
    weak[i] = darkness[i]! > Math.max(threshold / 2, WEAK_FLOOR) ? 1 : 0;
    strong[i] = darkness[i]! > threshold ? 1 : 0;
  }
  const { labels, strongCounts, touchesEdge } = components(weak, strong, width, height);
  const inner = strongCounts.map((count, label) => (touchesEdge[label] ? 0 : count));
  const counts = Math.max(0, ...inner) > 0 ? inner : strongCounts;
  const largest = Math.max(0, ...counts);
  const ink = new Float32Array(light.length);
  if (largest === 0) return ink;
  const keep = counts.map((count) => count > 0 && count >= KEEP_FRACTION * largest);
  const kept: number[] = [];
  for (let i = 0; i < light.length; i++) if (keep[labels[i]!]) kept.push(darkness[i]!);
  kept.sort((a, b) => a - b);
  const reference = kept[Math.floor(kept.length * 0.95)]!;
  for (let i = 0; i < light.length; i++) {
    if (keep[labels[i]!]) ink[i] = Math.min(1, darkness[i]! / reference);
  }
  return ink;
}
