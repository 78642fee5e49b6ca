/**
 * Galleries of real MNIST test digits a model got wrong: the results' raw pixels (28×28, white ink
 * on black) encoded as small grayscale PNGs, inlined as data URLs so the page needs no extra files.
 */
import { encode } from 'fast-png';
import type { Results, Run } from '../../experiments/lib/contract/results.ts';
import { IMAGE_SIZE } from '../../experiments/lib/contract/image.ts';
import { escapeHtml } from '../page.ts';

export const DIGIT_SIZE = IMAGE_SIZE;

/** A 28×28 8-bit grayscale PNG of one test digit. `pixelsBase64` holds 784 raw bytes. */
export function digitPng(pixelsBase64: string): Uint8Array {
  const pixels = Buffer.from(pixelsBase64, 'base64');
  if (pixels.length !== DIGIT_SIZE * DIGIT_SIZE) {
    throw new Error(`test digit has ${pixels.length} pixels, expected ${DIGIT_SIZE * DIGIT_SIZE}`);
  }
  return encode({
    width: DIGIT_SIZE,
    height: DIGIT_SIZE,
    data: new Uint8Array(pixels),
    channels: 1,
    depth: 8,
  });
}

export interface GalleryItem {
  index: number;
  label: number;
  predicted: number;
  /** Softmax probability of the predicted class, 0–1. */
  confidence: number;
  /** e.g. `true 4, predicted 9 (83%)` */
  alt: string;
  /** `data:image/png;base64,…` */
  src: string;
}

/**
 * The first seed's misclassified test images that the results carry pixels for, most confident
 * mistakes first (ties by test index), at most `limit`.
 */
export function galleryItems(results: Results, run: Run, limit = 48): GalleryItem[] {
  const pixels = new Map(results.testDigits.map((digit) => [digit.index, digit.pixelsBase64]));
  return run.trials[0]!.test.misclassified.filter((m) => pixels.has(m.index))
    .sort((a, b) => b.confidence - a.confidence || a.index - b.index)
    .slice(0, limit)
    .map((m) => ({
      index: m.index,
      label: m.label,
      predicted: m.predicted,
      confidence: m.confidence,
      alt: `true ${m.label}, predicted ${m.predicted} (${Math.round(m.confidence * 100)}%)`,
      src: `data:image/png;base64,${Buffer.from(digitPng(pixels.get(m.index)!)).toString('base64')}`,
    }));
}

/**
 * The gallery as a figure of images with their captions. Styles are inline (the site's stylesheet
 * is not ours to edit); pixelated scaling keeps the 28×28 digits crisp at 2×.
 */
export function galleryHtml(results: Results, run: Run, runLabel: string): string {
  const items = galleryItems(results, run);
  const errors = run.trials[0]!.test.misclassified.length;
  const caption =
    `Test digits ${runLabel} got wrong (seed ${run.trials[0]!.seed}): ` +
    (items.length === errors
      ? `all ${errors}, most confident first.`
      : `${items.length} of ${errors}, most confident first.`);
  const list = items
    .map(
      (item) =>
        `<li style="margin:0;text-align:center;font-size:0.8rem;line-height:1.2">` +
        `<img src="${item.src}" alt="${escapeHtml(item.alt)}" width="56" height="56" ` +
        `style="display:block;image-rendering:pixelated;background:#000">` +
        `<span aria-hidden="true">${item.label} as ${item.predicted}<br>${Math.round(item.confidence * 100)}%</span></li>`,
    )
    .join('');
  return (
    `<figure class="digit-gallery">` +
    `<ul style="display:flex;flex-wrap:wrap;gap:0.5rem;list-style:none;padding:0;margin:0">${list}</ul>` +
    `<figcaption>${escapeHtml(caption)}</figcaption></figure>`
  );
}
