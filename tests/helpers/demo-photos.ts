/**
 * Photo-like test images for the demo's preprocessing, made from real MNIST digits: the digit drawn
 * as dark ink onto light paper that is lit unevenly (a linear gradient), grainy (seeded noise) and
 * ruled (thin blue-grey lines every 30 pixels), optionally with a shadow wedge (a soft-edged region
 * at 55% of the light) across a corner. RGBA, `PHOTO_SIZE` pixels square.
 */
import seedrandom from 'seedrandom';

export const PHOTO_SIZE = 320;
/** Side of the digit's 28×28 image once drawn, pixels (the rest is paper around it). */
const DIGIT_SIDE = 210;
const RULING_SPACING = 30;

/** Bilinear sample of a 28×28 image at (x, y) in its pixel units, 0 outside. */
function sample(pixels: ArrayLike<number>, x: number, y: number): number {
  const x0 = Math.floor(x - 0.5);
  const y0 = Math.floor(y - 0.5);
  const fx = x - 0.5 - x0;
  const fy = y - 0.5 - y0;
  const at = (xx: number, yy: number) =>
    xx < 0 || yy < 0 || xx >= 28 || yy >= 28 ? 0 : pixels[yy * 28 + xx]!;
  return (
    (at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx) * (1 - fy) +
    (at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx) * fy
  );
}

export interface PhotoOptions {
  /** Seeds the grain, the digit's offset and the gradient's direction. */
  seed: number;
  shadow: boolean;
}

/** A photo-like RGBA image of the MNIST digit `pixels` (784 values 0–255). */
export function photoOfDigit(pixels: ArrayLike<number>, options: PhotoOptions): Uint8ClampedArray {
  const random = seedrandom(`photo-${options.seed}`);
  const size = PHOTO_SIZE;
  const angle = random() * 2 * Math.PI;
  const [gx, gy] = [Math.cos(angle), Math.sin(angle)];
  const offsetX = (size - DIGIT_SIDE) / 2 + (random() - 0.5) * 40;
  const offsetY = (size - DIGIT_SIDE) / 2 + (random() - 0.5) * 40;
  const rulingPhase = Math.floor(random() * RULING_SPACING);
  const rgba = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // Paper lit from one side: 0.95 down to 0.62 across the image.
      const t = ((x - size / 2) * gx + (y - size / 2) * gy) / size + 0.5;
      let light = 0.95 - 0.33 * Math.min(1, Math.max(0, t));
      if ((y + rulingPhase) % RULING_SPACING < 2) light *= 0.82;
      if (options.shadow) {
        // A shadow across the lower-right corner, its edge soft over 8 pixels.
        const edge = (x + y - size * 1.1) / 8;
        light *= 1 - 0.45 * Math.min(1, Math.max(0, edge + 0.5));
      }
      const ink = sample(pixels, ((x - offsetX) / DIGIT_SIDE) * 28, ((y - offsetY) / DIGIT_SIDE) * 28) / 255;
      light *= 1 - 0.78 * ink;
      light += (random() + random() + random() - 1.5) * 0.05;
      const v = Math.round(Math.min(1, Math.max(0, light)) * 255);
      // Warm paper, the ink a little blue.
      rgba.set([v, Math.round(v * 0.97), Math.round(v * (0.9 + 0.1 * ink)), 255], (y * size + x) * 4);
    }
  }
  return rgba;
}
