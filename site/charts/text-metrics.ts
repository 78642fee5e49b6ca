/**
 * Chart text measured with the real font the browser draws it in.
 *
 * Without a canvas implementation, vega guesses a text's width as 0.8 × characters × font size
 * (vega/vega#2940), so axis labels and titles clip or overlap. We measure instead with fontkit on
 * the very font files the site ships (site/assets/fonts/, copied from @fontsource/inter), and
 * install that measurer as vega's `textMetrics.width`, as vl-convert does. fontkit is pure
 * JavaScript, so nothing downloads a binary (unlike node-canvas).
 */
import path from 'node:path';
import * as fontkit from 'fontkit';
import * as vega from 'vega';
import { FONTS_DIR, FONT_FILES } from './fonts.ts';

export { CHART_FONT_FAMILY, CHART_FONT_STACK, FONTS_DIR, FONT_FILES } from './fonts.ts';

export interface FontSpec {
  /** CSS px. */
  fontSize: number;
  /** CSS weight: a number or `bold` / `normal`; 600 and above use the bold file. */
  fontWeight?: number | string | null;
  fontStyle?: string | null;
}

/** Measures a string's advance width in CSS px, kerning included. */
export type TextMeasurer = (text: string, font: FontSpec) => number;

function fontFileKey(font: FontSpec): keyof typeof FONT_FILES {
  const weight = font.fontWeight === 'bold' ? 700 : Number(font.fontWeight ?? 400);
  const bold = Number.isFinite(weight) && weight >= 600;
  const italic = font.fontStyle === 'italic' || font.fontStyle === 'oblique';
  return `${bold ? 700 : 400}-${italic ? 'italic' : 'normal'}`;
}

/** Loads the shipped font files from `dir` (default FONTS_DIR) and returns a caching measurer. */
export function createTextMeasurer(dir: string = FONTS_DIR): TextMeasurer {
  const fonts = new Map<string, fontkit.Font>();
  const widths = new Map<string, number>();
  const fontFor = (key: keyof typeof FONT_FILES): fontkit.Font => {
    let font = fonts.get(key);
    if (font === undefined) {
      const opened = fontkit.openSync(path.join(dir, FONT_FILES[key]));
      if (!('layout' in opened)) throw new Error(`${FONT_FILES[key]}: a font collection, expected one font`);
      font = opened;
      fonts.set(key, font);
    }
    return font;
  };
  return (text, spec) => {
    if (text === '' || spec.fontSize <= 0) return 0;
    const key = fontFileKey(spec);
    const cacheKey = `${key} ${spec.fontSize} ${text}`;
    let width = widths.get(cacheKey);
    if (width === undefined) {
      const font = fontFor(key);
      width = (font.layout(text).advanceWidth / font.unitsPerEm) * spec.fontSize;
      widths.set(cacheKey, width);
    }
    return width;
  };
}

/** The part of a vega text item the measurer reads. */
interface VegaTextItem {
  fontSize?: number | null;
  fontWeight?: number | string | null;
  fontStyle?: string | null;
  limit?: number;
}

type WidthFunction = (item: VegaTextItem, text: string) => number;

/**
 * vega-scenegraph's shared text metrics, which vega re-exports at run time but its type
 * declarations (vega-typings) leave out.
 */
const textMetrics = (
  vega as unknown as { textMetrics: { width: WidthFunction; estimateWidth: WidthFunction } }
).textMetrics;

/** vega's own width guess, kept so tests can compare against it. */
export const vegaEstimateWidth: WidthFunction = textMetrics.estimateWidth;

/**
 * Makes vega measure every text item with `measure`. vega reads `textMetrics.width` (a shared,
 * mutable object) for layout, bounds and truncation; installing is idempotent.
 */
export function installTextMeasurer(measure: TextMeasurer): void {
  textMetrics.width = (item: VegaTextItem, text: string): number => {
    const font = {
      fontSize: item.fontSize != null ? Number(item.fontSize) || 0 : 11,
      fontWeight: item.fontWeight,
      fontStyle: item.fontStyle,
    };
    const value = text == null ? '' : String(text).trim();
    return measure(
      truncate(value, item.limit ?? 0, (t) => measure(t, font)),
      font,
    );
  };
}

/**
 * The text vega draws for a `limit` (px): cut and ended with an ellipsis to fit, like vega's own
 * truncate() (vega-scenegraph src/util/text.js), which cannot be reused because it calls back into
 * `textMetrics.width`.
 */
export function truncate(text: string, limitPx: number, width: (text: string) => number): string {
  if (limitPx <= 0 || text === '' || width(text) < limitPx) return text;
  const ellipsis = '\u2026';
  const room = limitPx - width(ellipsis);
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = 1 + ((lo + hi) >>> 1);
    if (width(text.slice(0, mid)) < room) lo = mid;
    else hi = mid - 1;
  }
  return text.slice(0, lo) + ellipsis;
}
